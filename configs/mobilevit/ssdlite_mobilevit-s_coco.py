# SSDLite-MobileViT-S on COCO: MobileViT paper Table 1 / appendix D, ml-cvnets v0.1
# (apple/ml-cvnets@d38a116 config/detection/ssd_mobilevit_small_320.yaml and
# cvnets/models/detection/ssd.py, cvnets/modules/ssd.py).
#   tools/dist_train.sh configs/mobilevit/ssdlite_mobilevit-s_coco.py 4
# Apple's released detector (box AP 27.9) loads as it is, converted on the fly:
#   load_from = 'https://docs-assets.developer.apple.com/ml-research/models/cvnets/detection/ssd_mobilevit_s_320.pt'  # noqa: E501
# The network (../_base_/models), the data and its v0.1 input convention (BGR, OpenCV,
# bilinear: ../_base_/datasets, where your own data goes), the schedule and the runtime.
_base_ = [
    '../_base_/models/ssdlite_mobilevit.py',
    '../_base_/datasets/coco_mlcvnets-v0.1.py',
    '../_base_/schedules/ssdlite_adamw_200e.py',
    '../_base_/default_runtime_det.py',
]

# the ImageNet backbone (downloaded once); a config of yours may set init_cfg=None
# to start from random weights (offline)
pretrained = ('https://download.openmmlab.com/mmclassification/v0/mobilevit/'
              'mobilevit-small_3rdparty_in1k_20221018-cb4f741c.pth')
model = dict(backbone=dict(arch='mobilevit-s', init_cfg=dict(
    type='Pretrained', checkpoint=pretrained, prefix='backbone.')))
