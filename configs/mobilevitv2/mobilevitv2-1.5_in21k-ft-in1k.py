# mobilevitv2-1.5 pre-trained on ImageNet-21k(-P, 10,450 classes) and fine-tuned on
# ImageNet-1k at 256 (Apple's model zoo: imagenet21k_to_1k/256x256/mobilevitv2-1.5.pt).
# Recipe: apple/ml-cvnets@84d992f config/classification/finetune_in21k_to_1k/mobilevit_v2.yaml, in
# ../_base_/mobilevitv2_in21k-ft-in1k.py. The ImageNet-21k weights it starts from are
# not in Apple's model zoo: set `load_from` to yours (the 10,450-way head is replaced).
_base_ = ['../_base_/mobilevitv2_in21k-ft-in1k.py']

model = dict(backbone=dict(arch='mobilevitv2-1.5'))
