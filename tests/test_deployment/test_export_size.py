"""Export and calibration sizes come from the config's test pipeline (its last crop or
resize) unless given: the 384px classifiers export at 384, the toy models at theirs."""
import os.path as osp

import pytest

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit.deployment import default_input_size
from mmmobilevit.deployment.onnx_export import pipeline_input_size
from mmmobilevit.utils import read_config


@pytest.mark.parametrize('config,task,size', [
    ('mobilevitv2/mobilevitv2-1.5_in21k-ft-in1k-384px.py', 'classification', (384, 384)),
    ('_toy_/mobilevit-xxs_toy-multiscale-cls.py', 'classification', (64, 64)),
    ('_toy_/ssdlite_mobilevit-xxs_toy-det.py', 'detection', (192, 192)),
    ('_toy_/deeplabv3_mobilevit-xxs_toy-seg.py', 'segmentation', (128, 128)),
])
def test_the_config_says_the_size(config, task, size):
    assert default_input_size(read_config(osp.join(REPO, 'configs', config)), task) == size


def test_pipeline_sizes_are_height_then_width():
    assert pipeline_input_size([dict(type='Resize', scale=(640, 480))]) == (480, 640)
    assert pipeline_input_size([dict(type='ResizeEdge', scale=300, edge='short'),
                                dict(type='CenterCrop', crop_size=(200, 100))]) == (100, 200)
    assert pipeline_input_size([dict(type='LoadImageFromFile')]) is None
