"""Released SSDLite files (Apple's layout) load as they are: by URL through mmdet's
``init_detector`` (a loopback server), from an unzipped MobileViTv3 release folder, and
through the offline converter; a file of another model stops with an error naming both."""
import os.path as osp

import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO, read_test_metrics, run_tool, tool_env
from helpers.http_server import FileServer
from helpers.mlcvnets_ssd_reference import AppleSSD
from helpers.weights import randomize_norms
from mmmobilevit.checkpoint import convert_public_layout, read_local_checkpoint

XXS = osp.join(REPO, 'configs/mobilevit/ssdlite_mobilevit-xxs_coco.py')
XS = osp.join(REPO, 'configs/mobilevit/ssdlite_mobilevit-xs_coco.py')
TOY = 'configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py'


@pytest.fixture
def apple_file(tmp_path):
    """An ml-cvnets v0.1 SSDLite-MobileViT-XXS file (random weights, Apple's keys)."""
    torch.manual_seed(0)
    state = randomize_norms(AppleSSD('mobilevit-xxs')).apple_state_dict()
    path = tmp_path / 'served' / 'ssd_mobilevit_xxs_320.pt'
    path.parent.mkdir()
    torch.save(state, str(path))  # Apple's files are plain state dicts
    return str(path), convert_public_layout(state)[0]['state_dict']


@pytest.mark.slow  # a full-size detector through the loopback server
def test_init_detector_loads_the_release_by_url(apple_file, tmp_path, monkeypatch, toy_data):
    from mmdet.apis import inference_detector, init_detector
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    path, expected = apple_file
    with FileServer(osp.dirname(path)) as server:
        model = init_detector(XXS, server.url(osp.basename(path)), device='cpu')
    for k, v in model.state_dict().items():
        if k in expected:
            assert torch.equal(v, expected[k]), k
    assert set(expected) <= set(model.state_dict())
    result = inference_detector(model, osp.join(toy_data, 'coco/val2017/000000000001.jpg'))
    assert result.pred_instances.bboxes.shape[-1] == 4


def release_folder(path, tmp_path):
    folder = tmp_path / 'mobilevit_xxs_coco'  # as an unzipped release asset
    folder.mkdir()
    torch.save(torch.load(path, weights_only=True), str(folder / 'checkpoint_ema_best.pt'))
    return folder


def test_a_release_folder_reads_as_its_checkpoint(apple_file, tmp_path):
    folder = release_folder(apple_file[0], tmp_path)
    state = read_local_checkpoint(str(folder))
    assert 'ssd_heads.0.loc_cls_layer.pw_conv.block.conv.weight' in state
    (folder / 'checkpoint_ema_best.pt').rename(folder / 'a.pt')
    torch.save({}, str(folder / 'b.pt'))
    with pytest.raises(FileNotFoundError, match='pass the checkpoint file itself'):
        read_local_checkpoint(str(folder))


@pytest.mark.slow  # a fresh interpreter for the tool
def test_offline_converter_takes_the_release_folder(apple_file, tmp_path):
    path, expected = apple_file
    folder = release_folder(path, tmp_path)
    out = run_tool(['tools/model_converters/mlcvnets_ssd2mmdet.py', str(folder),
                    str(tmp_path / 'converted.pth')]).stdout
    assert '(arch: mobilevit-xxs, trained on BGR input)' in out
    converted = torch.load(str(tmp_path / 'converted.pth'), weights_only=True)
    assert converted['meta']['channel_order'] == 'bgr'
    assert converted['state_dict'].keys() == expected.keys()
    for k, v in expected.items():
        assert torch.equal(converted['state_dict'][k], v), k


def test_a_file_of_another_arch_stops_naming_both(apple_file):
    from mmdet.apis import init_detector
    path, _ = apple_file
    with pytest.raises(Exception) as err:
        init_detector(XS, path, device='cpu')
    message = str(err.value)
    assert 'mobilevit-xxs' in message and 'mobilevit-xs' in message


@pytest.mark.slow  # a fresh interpreter for the tool
def test_tools_test_evaluates_a_release_file_by_url(tmp_path, toy_data):
    """An Apple-layout file of the toy's 3 classes, served over HTTP, evaluated by
    tools/test.py as it is (converted on the fly, class count read from the file)."""
    torch.manual_seed(0)
    state = randomize_norms(AppleSSD('mobilevit-xxs', n_classes=4)).apple_state_dict()
    (tmp_path / 'served').mkdir()
    torch.save(state, str(tmp_path / 'served' / 'ssd_toy.pt'))
    with FileServer(str(tmp_path / 'served')) as server:
        work = str(tmp_path / 'test')
        run_tool(['tools/test.py', TOY, server.url('ssd_toy.pt'), '--work-dir', work],
                 env=tool_env(TORCH_HOME=str(tmp_path / 'torch_home')))
    assert 'coco/bbox_mAP' in read_test_metrics(work)


@pytest.mark.slow
def test_det_inferencer_loads_the_release_file(apple_file):
    from mmdet.apis import DetInferencer
    path, expected = apple_file
    inferencer = DetInferencer(model=XXS, weights=path, device='cpu')
    own = inferencer.model.state_dict()
    assert all(torch.equal(own[k], v) for k, v in expected.items())
