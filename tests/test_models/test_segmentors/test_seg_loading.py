"""Released DeepLabv3 / PSPNet files (Apple's layout) load as they are: by URL through
mmseg's ``init_model`` (a loopback server) and ``tools/test.py``, from an unzipped
MobileViTv3 release folder, through ``MMSegInferencer`` and the offline converter; a
file of another model stops with an error naming both."""
import os.path as osp

import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO, read_test_metrics, run_tool, tool_env
from helpers.http_server import FileServer
from helpers.mlcvnets_seg_reference import AppleSegmentation
from helpers.weights import randomize_norms
from mmmobilevit.checkpoint import convert_public_layout

XXS = osp.join(REPO, 'configs/mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py')
XS = osp.join(REPO, 'configs/mobilevit/deeplabv3_mobilevit-xs_voc12aug-512x512.py')
V3_XXS = osp.join(REPO, 'configs/mobilevitv3/deeplabv3_mobilevitv3-xxs_voc12aug-512x512.py')
TOY = 'configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py'


def save_apple_file(path, arch='mobilevit-xxs', **kwargs):
    torch.manual_seed(0)
    state = randomize_norms(AppleSegmentation(arch, **kwargs)).apple_state_dict()
    path.parent.mkdir(exist_ok=True)
    torch.save(state, str(path))  # Apple's files are plain state dicts
    return str(path), convert_public_layout(state)[0]['state_dict']


@pytest.fixture
def apple_file(tmp_path):
    """An ml-cvnets v0.1 DeepLabv3-MobileViT-XXS VOC file (random weights, Apple's keys)."""
    return save_apple_file(tmp_path / 'served' / 'deeplabv3_mobilevit_xxs.pt')


def assert_loaded(model, expected):
    own = model.state_dict()
    assert set(expected) == set(own)
    for k, v in expected.items():
        assert torch.equal(own[k], v), k


@pytest.mark.slow  # a release served and converted (quick: the layout tests)
def test_init_model_loads_the_release_by_url(apple_file, tmp_path, monkeypatch, toy_data):
    from mmseg.apis import inference_model, init_model
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    path, expected = apple_file
    with FileServer(osp.dirname(path)) as server:
        model = init_model(XXS, server.url(osp.basename(path)), device='cpu')
    assert_loaded(model, expected)
    assert len(model.dataset_meta['classes']) == 21
    img = osp.join(toy_data, 'VOCdevkit/VOC2012/JPEGImages/2012_val_0001.jpg')
    result = inference_model(model, img)
    assert result.pred_sem_seg.data.shape[-2:] == (128, 128)  # the original size


@pytest.mark.slow  # a full-size segmenter
def test_init_model_loads_an_unzipped_release_folder(tmp_path):
    from mmseg.apis import init_model
    path, expected = save_apple_file(
        tmp_path / 'mobilevitv3_XXS_voc_e50_7404' / 'checkpoint_ema_best.pt',
        arch='mobilevitv3-xxs')
    model = init_model(V3_XXS, osp.dirname(path), device='cpu')
    assert_loaded(model, expected)


def test_a_v02_head_on_a_v1_encoder_is_rgb(tmp_path):
    """pascalvoc/deeplabv3-mobilevitv1.pt: a v1 encoder trained by v0.2's code (RGB)."""
    torch.manual_seed(0)
    ref = AppleSegmentation('mobilevit-xxs', release='v0.2', output_stride=8,
                            channels=64, rates=(12, 24, 36), aux=True)
    checkpoint, layout = convert_public_layout(ref.apple_state_dict())
    assert layout == 'mlcvnets-seg' and checkpoint['meta']['channel_order'] == 'rgb'
    assert 'auxiliary_head.conv_seg.weight' in checkpoint['state_dict']


def test_a_file_of_another_arch_stops_naming_both(apple_file):
    from mmseg.apis import init_model
    path, _ = apple_file
    with pytest.raises(Exception) as err:
        init_model(XS, path, device='cpu')
    message = str(err.value)
    assert 'mobilevit-xxs' in message and 'mobilevit-xs' in message


@pytest.mark.slow  # a fresh interpreter for the tool
def test_offline_converter(apple_file, tmp_path):
    path, expected = apple_file
    out = run_tool(['tools/model_converters/mlcvnets_seg2mmseg.py', path,
                    str(tmp_path / 'converted.pth')]).stdout
    assert '(arch: mobilevit-xxs, trained on BGR input)' in out
    converted = torch.load(str(tmp_path / 'converted.pth'), weights_only=True)
    assert converted['meta']['channel_order'] == 'bgr'
    assert converted['state_dict'].keys() == expected.keys()
    for k, v in expected.items():
        assert torch.equal(converted['state_dict'][k], v), k


@pytest.mark.slow  # a fresh interpreter for the tool
def test_tools_test_evaluates_a_release_file_by_url(apple_file, tmp_path, toy_data):
    """The toy config is DeepLabv3-MobileViT-XXS with VOC's 21 classes: an Apple-layout
    file served over HTTP is evaluated by tools/test.py as it is."""
    path, _ = apple_file
    with FileServer(osp.dirname(path)) as server:
        work = str(tmp_path / 'test')
        run_tool(['tools/test.py', TOY, server.url(osp.basename(path)), '--work-dir', work],
                 env=tool_env(TORCH_HOME=str(tmp_path / 'torch_home')))
    assert 'mIoU' in read_test_metrics(work)


@pytest.mark.slow
def test_mmseg_inferencer_loads_the_release_file(apple_file):
    from mmseg.apis import MMSegInferencer
    path, expected = apple_file
    inferencer = MMSegInferencer(model=XXS, weights=path, device='cpu')
    assert_loaded(inferencer.model, expected)
