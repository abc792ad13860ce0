"""Released weights carry their dataset's class names: the loaders and the converters
write ``meta['dataset_meta']`` (COCO 80, VOC 21, ADE20K 150, ImageNet 1000) into a
converted release, so each inferencer labels its picture with the right names (mmseg's
would otherwise fall back to Cityscapes' 19: an ADE20K model's picture said "sky" and
"person" for other classes)."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
import mmmobilevit.compat.enable  # noqa: F401  (our loader, as the shipped configs ask)
from helpers import REPO, run_tool
from helpers.apple_layout import apple_segmenter_state, to_apple_layout
from mmmobilevit.checkpoint import convert_public_layout
from mmmobilevit.checkpoint.release_classes import release_dataset_meta

ADE = 'configs/mobilevitv2/deeplabv3_mobilevitv2-0.5_ade20k-512x512.py'
VOC = 'configs/mobilevitv2/deeplabv3_mobilevitv2-0.5_voc12aug-512x512.py'
COCO = 'configs/mobilevitv2/ssdlite_mobilevitv2-0.5_coco.py'
IN1K = 'configs/mobilevitv2/mobilevitv2-0.5_8xb128_in1k.py'


def _apple_segmenter(config):
    return apple_segmenter_state(config)


def _apple_detector():
    from helpers.mlcvnets_ssd_reference import AppleSSD
    torch.manual_seed(0)
    return AppleSSD('mobilevitv2-0.5').apple_state_dict()


def _apple_classifier():
    from mmmobilevit.models import MobileViTBackbone
    torch.manual_seed(0)
    backbone = MobileViTBackbone('mobilevitv2-0.5', init_cfg=None)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state.update({'head.fc.weight': torch.randn(1000, 256) * 0.01,
                  'head.fc.bias': torch.zeros(1000)})
    return to_apple_layout(state)


def test_a_converted_classifier_release_names_imagenet():
    converted, _ = convert_public_layout(_apple_classifier())
    assert converted['meta']['dataset'] == 'imagenet'
    assert len(release_dataset_meta('imagenet')['classes']) == 1000


@pytest.mark.slow  # reference segmenters and detector built
def test_a_converted_release_names_its_dataset():
    for state, dataset, count in ((_apple_segmenter(ADE), 'ade20k', 150),
                                  (_apple_segmenter(VOC), 'voc', 21),
                                  (_apple_detector(), 'coco', 80)):
        converted, _ = convert_public_layout(state)
        assert converted['meta']['dataset'] == dataset
        assert len(release_dataset_meta(dataset)['classes']) == count
    assert release_dataset_meta('voc')['classes'][0] == 'background'


@pytest.mark.slow  # three models built and run at their release sizes
def test_each_inferencer_labels_with_the_release_classes(tmp_path):
    from mmdet.apis import DetInferencer
    from mmpretrain.apis import ImageClassificationInferencer
    from mmseg.apis import MMSegInferencer
    image = np.random.RandomState(0).randint(0, 255, (96, 128, 3), dtype=np.uint8)
    seg_file, det_file, cls_file = (str(tmp_path / n) for n in ('seg.pt', 'det.pt', 'cls.pt'))
    torch.save(_apple_segmenter(ADE), seg_file)
    torch.save(_apple_detector(), det_file)
    torch.save(_apple_classifier(), cls_file)

    seg = MMSegInferencer(model=osp.join(REPO, ADE), weights=seg_file, device='cpu')
    ade = release_dataset_meta('ade20k')['classes']
    assert list(seg.model.dataset_meta['classes']) == ade  # not Cityscapes' 19
    seg(image, out_dir=str(tmp_path / 'seg'))
    assert list(seg.visualizer.dataset_meta['classes']) == ade  # what labelled the picture
    assert glob.glob(str(tmp_path / 'seg' / 'vis' / '*'))  # the picture

    det = DetInferencer(model=osp.join(REPO, COCO), weights=det_file, device='cpu')
    assert list(det.model.dataset_meta['classes']) == release_dataset_meta('coco')['classes']
    det(image, out_dir=str(tmp_path / 'det'))

    cls = ImageClassificationInferencer(model=osp.join(REPO, IN1K), pretrained=cls_file,
                                        device='cpu')
    result = cls(image)[0]
    assert result['pred_class'] == release_dataset_meta('imagenet')['classes'][
        result['pred_label']]


@pytest.mark.slow  # the converter command lines
def test_converters_write_the_class_names(tmp_path):
    src, dst = str(tmp_path / 'voc.pt'), str(tmp_path / 'voc.pth')
    torch.save(_apple_segmenter(VOC), src)
    run_tool(['tools/model_converters/mlcvnets_seg2mmseg.py', src, dst])
    meta = torch.load(dst, weights_only=True)['meta']
    assert meta['dataset'] == 'voc' and meta['dataset_meta']['classes'][:2] == [
        'background', 'aeroplane']
    src, dst = str(tmp_path / 'cls.pt'), str(tmp_path / 'cls.pth')
    torch.save(_apple_classifier(), src)
    run_tool(['tools/model_converters/mlcvnets2mmpretrain.py', src, dst])
    meta = torch.load(dst, weights_only=True)['meta']
    assert meta['dataset'] == 'imagenet' and len(meta['dataset_meta']['classes']) == 1000


@pytest.mark.slow  # two toy models built, one picture drawn
def test_a_checkpoint_without_names_takes_the_configs(tmp_path):
    """A bare state dict (no ``meta``) gets the config's dataset names, not the APIs'
    fallback (mmseg's inferencer: Cityscapes' 19; mmdet: COCO's 80)."""
    from mmdet.apis import DetInferencer, init_detector
    from mmseg.apis import MMSegInferencer, init_model
    seg_cfg = osp.join(REPO, 'configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py')
    det_cfg = osp.join(REPO, 'configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py')
    seg_file, det_file = str(tmp_path / 'seg.pth'), str(tmp_path / 'det.pth')
    torch.save(init_model(seg_cfg, device='cpu').state_dict(), seg_file)
    torch.save(init_detector(det_cfg, device='cpu').state_dict(), det_file)

    voc = release_dataset_meta('voc')
    seg = MMSegInferencer(model=seg_cfg, weights=seg_file, device='cpu')
    assert list(seg.model.dataset_meta['classes']) == voc['classes']
    assert [list(c) for c in seg.model.dataset_meta['palette']] == voc['palette']
    seg(np.zeros((64, 64, 3), np.uint8), out_dir=str(tmp_path / 'seg'))
    assert list(seg.visualizer.dataset_meta['classes']) == voc['classes']  # the picture's

    shapes = ['square', 'circle', 'triangle']
    assert init_detector(det_cfg, det_file, device='cpu').dataset_meta['classes'] == shapes
    det = DetInferencer(model=det_cfg, weights=det_file, device='cpu')
    assert list(det.visualizer.dataset_meta['classes']) == shapes
    # names a checkpoint carries stay
    torch.save(dict(state_dict=torch.load(det_file, weights_only=True), meta=dict(dataset_meta=dict(
        classes=['a', 'b', 'c']))), det_file)
    assert init_detector(det_cfg, det_file, device='cpu').dataset_meta['classes'] == [
        'a', 'b', 'c']
