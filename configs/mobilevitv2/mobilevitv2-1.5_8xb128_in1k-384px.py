# mobilevitv2-1.5 trained at 256 and fine-tuned at 384 on ImageNet-1k (Apple's model zoo:
# imagenet1k/384x384/mobilevitv2-1.5.pt, top-1 in configs/mobilevitv2/metafile.yml).
# Recipe: apple/ml-cvnets@84d992f
# config/classification/finetune_higher_res_in1k/mobilevit_v2.yaml, in
# ../_base_/mobilevitv2_in1k-384px-finetune.py; it starts from the 256x256 weights.
_base_ = ['../_base_/mobilevitv2_in1k-384px-finetune.py']

model = dict(backbone=dict(arch='mobilevitv2-1.5'))
load_from = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/'
             'classification/mobilevitv2/imagenet1k/256x256/mobilevitv2-1.5.pt')
