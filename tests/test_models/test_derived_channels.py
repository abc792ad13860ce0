"""Channels that follow from the backbone's arch: the configs name the arch once, our
top-level models fill the neck's and heads' ``in_channels`` (and the auxiliary
segmentation head's ``channels``), and a value given that disagrees stops the build."""
import os.path as osp

import pytest

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config
from mmmobilevit.analysis.complexity import build_model
from mmmobilevit.models.utils.derived_channels import backbone_out_channels

CONFIGS = osp.join(REPO, 'configs')


def _model(config, **changes):
    cfg = load_config(osp.join(CONFIGS, config))
    cfg.model.backbone.init_cfg = None  # offline
    cfg.merge_from_dict(changes)
    return build_model(cfg)


def test_backbone_out_channels_from_the_arch_alone():
    v2 = dict(type='MobileViTBackbone', arch='mobilevitv2-2.0')
    assert backbone_out_channels({**v2, 'out_indices': (3, 4)}) == [768, 1024]
    assert backbone_out_channels({**v2, 'out_indices': (4, -2)}) == [768, 1024]
    assert backbone_out_channels(v2) == [1024]  # v2 has no expansion conv: stage 5
    assert backbone_out_channels(dict(type='MobileViTBackbone', arch='mobilevit-xxs')) == [320]
    assert backbone_out_channels(dict(type='mmpretrain.MobileViT', arch='small')) is None


@pytest.mark.slow  # a width-1.5 segmenter built
def test_segmenter_heads_take_the_arch_channels_and_mlcvnets_aux_width():
    model = _model('mobilevitv2/pspnet_mobilevitv2-1.5_voc12aug-512x512.py')
    assert model.decode_head.in_channels == 768  # stage 5
    aux = model.auxiliary_head
    assert aux.in_channels == 576 and aux.channels == 144  # stage 4, max(576 // 4, 128)
    assert aux.convs[0].conv.out_channels == 144
    # max(192 // 4, 128) for v2-0.5: the rule, without building the model
    assert max(backbone_out_channels(dict(type='MobileViTBackbone', arch='mobilevitv2-0.5',
                                          out_indices=(3, 4)))[0] // 4, 128) == 128


def test_detector_and_classifier_take_the_arch_channels():
    det = _model('_toy_/ssdlite_mobilevit-xxs_toy-det.py')
    assert tuple(det.neck.in_channels) == (64, 80)  # stage 4 (OS16), stage 5 (OS32)
    assert tuple(det.bbox_head.in_channels) == (64, 80, 256, 128, 128, 64)
    cls = _model('_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    assert cls.head.fc.in_features == 320  # the expansion conv


@pytest.mark.slow  # several models built
def test_a_given_value_that_does_not_fit_the_arch_stops_the_build():
    with pytest.raises(ValueError, match=r"neck.in_channels=\(128, 160\) does not fit the "
                       r"backbone: arch 'mobilevit-xxs' gives \(64, 80\)"):
        _model('_toy_/ssdlite_mobilevit-xxs_toy-det.py',
               **{'model.neck.in_channels': (128, 160)})
    with pytest.raises(ValueError, match='decode_head.in_channels=512 .* Leave '
                       'decode_head.in_channels out'):
        _model('mobilevitv2/deeplabv3_mobilevitv2-0.5_voc12aug-512x512.py',
               **{'model.decode_head.in_channels': 512})
    # a value that agrees is accepted
    _model('_toy_/mobilevit-xxs_toy-multiscale-cls.py', **{'model.head.in_channels': 320})
