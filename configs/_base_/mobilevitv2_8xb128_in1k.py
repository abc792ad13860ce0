# The MobileViTv2 ImageNet-1k recipe (ml-cvnets v0.2), shared by the MobileViTv2 and
# MobileViTv3-0.5/0.75/1.0 configs/<family>/<arch>_8xb128_in1k.py, which set the arch.
# Every value: apple/ml-cvnets@84d992f config/classification/imagenet/mobilevit_v2.yaml
# (the same values in micronDLA/MobileViTv3@5e3f490
# MobileViTv3-v2/config/classification/imagenet/mobilevit_v3_oneserver.py), in the bases.
_base_ = [
    './models/mobilevitv2_cls.py',
    './datasets/imagenet_mlcvnets-v0.2.py',
    './schedules/imagenet_300e_mlcvnets-v0.2.py',
    './default_runtime_cls.py',
]
