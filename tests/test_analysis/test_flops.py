"""FLOPs through tools/analysis_tools/get_flops.py, fused attention included."""
import pytest
from mmengine.config import Config

import mmmobilevit  # noqa: F401
from helpers import run_tool
from mmmobilevit.analysis import complexity

PAPER_MACS = {'mobilevit-xxs': 0.42e9, 'mobilevit-xs': 1.05e9, 'mobilevit-s': 2.03e9}


def classifier_cfg(arch, channels):
    return Config(dict(default_scope='mmpretrain', model=dict(
        type='ImageClassifier',
        backbone=dict(type='MobileViTBackbone', arch=arch, out_indices=(5, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=1000, in_channels=channels))))


@pytest.mark.parametrize('arch,channels', [('mobilevit-xxs', 320), ('mobilevit-xs', 384),
                                           ('mobilevit-s', 640)])
def test_v1_macs_match_the_paper(arch, channels):
    params, flops = complexity(classifier_cfg(arch, channels), (256, 256))
    assert abs(flops - PAPER_MACS[arch]) / PAPER_MACS[arch] < 0.03
    # and the fused attention is counted: without it S would be ~1.86 G
    assert flops > 0.95 * PAPER_MACS[arch]


@pytest.mark.slow
def test_get_flops_cli_on_any_config(toy_data):
    out = run_tool(['tools/analysis_tools/get_flops.py',
                    'configs/_toy_/deeplabv3_r18_toy-seg.py', '--shape', '128']).stdout
    assert 'params:' in out and 'flops:' in out
