# mobilevitv2-2.0: ImageNet-21k -> ImageNet-1k at 256, then fine-tuned at 384 (Apple's
# model zoo: imagenet21k_to_1k/384x384/mobilevitv2-2.0.pt). The zoo's yaml for it lies
# only beside the weights; the zoo page names the step "Finetuned on ImageNet-1k
# 384x384", the recipe of apple/ml-cvnets@84d992f
# config/classification/finetune_higher_res_in1k/mobilevit_v2.yaml
# (../_base_/mobilevitv2_in1k-384px-finetune.py), started from the in21k-ft 256 weights.
_base_ = ['../_base_/mobilevitv2_in1k-384px-finetune.py']

model = dict(backbone=dict(arch='mobilevitv2-2.0'))
load_from = ('https://docs-assets.developer.apple.com/ml-research/models/cvnets-v2/'
             'classification/mobilevitv2/imagenet21k_to_1k/256x256/mobilevitv2-2.0.pt')
