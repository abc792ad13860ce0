"""SSDLite-MobileViT configs: structure, parameter counts, anchors at 320 and 384,
training and evaluation through the tools, and mmdet's inference APIs."""
import glob
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config

import mmmobilevit  # noqa: F401
from helpers import REPO, dist_env, read_test_metrics, run_tool, tool_env

TOY = 'configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py'
PAPER_PARAMS = {'s': 5.7e6, 'xs': 2.7e6, 'xxs': 1.8e6}


def build(cfg):
    from mmengine.registry import MODELS, DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(cfg.model)


@pytest.mark.parametrize('arch', ['s', 'xs', 'xxs'])
def test_whole_model_params_within_5_percent_of_the_paper(arch):
    cfg = Config.fromfile(osp.join(REPO, f'configs/mobilevit/ssdlite_mobilevit-{arch}_coco.py'))
    n = sum(p.numel() for p in build(cfg).parameters())
    assert abs(n - PAPER_PARAMS[arch]) / PAPER_PARAMS[arch] < 0.05, n


QUICK_STRUCTURE = ('ssdlite_mobilevit-xxs_coco.py', 'ssdlite_mobilevitv2-0.5_coco.py',
                   'ssdlite_mobilevitv3-xxs_coco.py')  # one per family; the rest `slow`


@pytest.mark.parametrize('config', [
    pytest.param(p, marks=() if osp.basename(p) in QUICK_STRUCTURE else pytest.mark.slow)
    for p in sorted(glob.glob(osp.join(REPO, 'configs', 'mobilevit*', 'ssdlite_*_coco.py')))])
def test_structure_at_320(config):
    cfg = Config.fromfile(config)
    model = build(cfg).eval()
    assert model.backbone.conv_1x1_exp is None  # no classification expansion conv
    with torch.no_grad():
        cls_scores, _ = model(torch.rand(1, 3, 320, 320), mode='tensor')
    assert [s.shape[-1] for s in cls_scores] == [20, 10, 5, 3, 2, 1]
    assert [s.shape[1] // 81 for s in cls_scores] == [6, 6, 6, 6, 6, 4]
    assert list(model.bbox_head.proj_channels) == [512, 256, 256, 128, 128, 64]
    # the backbone loads its ImageNet weights through init_cfg (switched off in tests)
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'


@pytest.mark.slow  # the quick subset's detector API check: test_patches.py
@pytest.mark.parametrize('arch', ['mobilevit/ssdlite_mobilevit-xxs',
                                  pytest.param('mobilevitv3/ssdlite_mobilevitv3-xxs',
                                               marks=pytest.mark.slow)])
def test_coco_config_path_works_with_init_detector(arch, toy_data):
    from mmdet.apis import inference_detector, init_detector
    model = init_detector(osp.join(REPO, 'configs', f'{arch}_coco.py'), None, device='cpu')
    result = inference_detector(model, osp.join(toy_data, 'coco/val2017/000000000001.jpg'))
    assert result.pred_instances.bboxes.shape[-1] == 4
    assert len(model.dataset_meta['classes']) == 80


def _config_at(tmp_path, size):
    """The S config on a copy of its dataset base with the one input-size variable
    changed."""
    bases = osp.join(REPO, 'configs', '_base_')
    data = open(osp.join(bases, 'datasets', 'coco_mlcvnets-v0.1.py')).read()
    assert 'input_size = 320\n' in data
    data_path = tmp_path / f'coco-{size}.py'
    data_path.write_text(data.replace('input_size = 320\n', f'input_size = {size}\n'))
    text = open(osp.join(REPO, 'configs/mobilevit/ssdlite_mobilevit-s_coco.py')).read()
    text = text.replace("'../_base_/datasets/coco_mlcvnets-v0.1.py'", repr(str(data_path)))
    path = tmp_path / f'ssdlite_mobilevit-s_coco-{size}.py'
    path.write_text(text.replace("'../_base_/", repr(bases + '/')[:-1]))
    return str(path)


@pytest.mark.slow  # two S detectors built and run
def test_anchors_follow_the_input_size(tmp_path):
    for size, sides in ((320, [20, 10, 5, 3, 2, 1]), (384, [24, 12, 6, 3, 2, 1])):
        cfg = Config.fromfile(_config_at(tmp_path, size))
        cfg.model.backbone.init_cfg = None
        model = build(cfg).eval()
        with torch.no_grad():
            cls_scores, _ = model(torch.rand(1, 3, size, size), mode='tensor')
        assert [s.shape[-1] for s in cls_scores] == sides
        anchors = model.bbox_head.prior_generator.centre_form(
            [tuple(s.shape[-2:]) for s in cls_scores])
        # ml-cvnets: the first anchor is a square of 0.1 of the image centred on the
        # first cell, as a fraction of whatever size the image has
        assert anchors[0].tolist() == pytest.approx([0.5 / sides[0]] * 2 + [0.1, 0.1])
        assert all(p['scale'] == (size, size) for p in cfg.train_pipeline
                   if p['type'].split('.')[-1] == 'Resize')


@pytest.mark.slow  # a training step of the 384 variant
def test_384_variant_trains_a_step_and_predicts(toy_data, tmp_path):
    from mmdet.apis import inference_detector
    from mmengine.runner import Runner

    cfg = Config.fromfile(_config_at(tmp_path, 384))
    classes = ('square', 'circle', 'triangle')
    cfg.train_dataloader.dataset.update(data_root=osp.join(toy_data, 'coco/'),
                                        metainfo=dict(classes=classes))
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.model.bbox_head.num_classes = 3
    cfg.model.backbone.init_cfg = None
    model = build(cfg)
    loader = Runner.build_dataloader(cfg.train_dataloader)
    batch = model.data_preprocessor(next(iter(loader)), training=True)
    assert batch['inputs'].shape[-2:] == (384, 384)
    optimizer = torch.optim.AdamW(model.parameters(), lr=9e-4)
    loss, _ = model.parse_losses(model(**batch, mode='loss'))
    loss.backward()
    optimizer.step()
    assert torch.isfinite(loss)
    model.cfg = cfg
    model.dataset_meta = dict(classes=classes)
    model.eval()
    result = inference_detector(model, osp.join(toy_data, 'coco/val2017/000000000001.jpg'))
    assert result.pred_instances.bboxes.shape[1] == 4


@pytest.fixture(scope='module')
def trained_toy_detector(toy_data, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('toy_det'))
    run_tool(['tools/train.py', TOY, '--work-dir', work, '--cfg-options',
              'train_cfg.max_epochs=2', 'train_cfg.val_interval=2',
              'default_hooks.checkpoint.interval=2'])
    ckpt = glob.glob(osp.join(work, 'best_coco_bbox_mAP_epoch_*.pth'))
    assert ckpt, 'training saved no best checkpoint'
    return work, ckpt[0]


@pytest.mark.slow
def test_tools_test_with_a_trained_checkpoint(trained_toy_detector, tmp_path):
    _, ckpt = trained_toy_detector
    run_tool(['tools/test.py', TOY, ckpt, '--work-dir', str(tmp_path / 'file')])
    metrics = read_test_metrics(str(tmp_path / 'file'))
    assert 0.0 <= metrics['coco/bbox_mAP'] <= 1.0
    # a release folder holding the checkpoint (as init_detector takes it) is evaluated
    # the same
    folder = tmp_path / 'release'
    folder.mkdir()
    shutil.copy(ckpt, folder / 'checkpoint_ema_best.pt')
    run_tool(['tools/test.py', TOY, str(folder), '--work-dir', str(tmp_path / 'folder')])
    assert read_test_metrics(str(tmp_path / 'folder'))['coco/bbox_mAP'] == \
        metrics['coco/bbox_mAP']


@pytest.mark.slow
def test_mmdet_inference_apis_from_the_config_path(trained_toy_detector, toy_data, tmp_path):
    from mmdet.apis import DetInferencer, inference_detector, init_detector
    _, ckpt = trained_toy_detector
    img = osp.join(toy_data, 'coco/val2017/000000000002.jpg')
    model = init_detector(osp.join(REPO, TOY), ckpt, device='cpu')
    assert model.dataset_meta['classes'] == ('square', 'circle', 'triangle')
    result = inference_detector(model, img)
    assert len(result.pred_instances.scores) > 0
    inferencer = DetInferencer(model=osp.join(REPO, TOY), weights=ckpt, device='cpu')
    out = inferencer(img, out_dir=str(tmp_path), no_save_pred=False)
    assert len(out['predictions'][0]['bboxes']) > 0
    assert glob.glob(str(tmp_path / 'vis' / '*.jpg'))
    # the demo tool draws boxes on a picture
    pic = str(tmp_path / 'pred.jpg')
    run_tool(['tools/misc/det_image_demo.py', TOY, ckpt, img, '--out-file', pic,
              '--score-thr', '0.0'])
    assert osp.getsize(pic) > 0


@pytest.mark.slow
def test_two_process_dist_train_on_toy_data(toy_data, tmp_path):
    env = dist_env()
    run_tool(['tools/dist_train.sh', TOY, '2', '--work-dir', str(tmp_path),
              '--cfg-options', 'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
              'default_hooks.checkpoint.interval=1'], env=env)
    assert osp.exists(tmp_path / 'epoch_1.pth')


@pytest.mark.slow
def test_deploy_mode_keeps_the_map_and_the_predictions(trained_toy_detector, toy_data,
                                                       tmp_path):
    """tools/test.py --deploy (DeployHook, with the config's EMA hook kept), the init
    API's deploy option (and its compile option's parts), a saved fused checkpoint and the
    onnxruntime and OpenVINO backends all give the eager results. (The int8 backend through
    tools/test.py: the segmenter's deploy-mode test; int8 quantization: the onnxruntime
    backend tests.)"""
    from mmdet.apis import inference_detector, init_detector

    from mmmobilevit.apis import init_model
    _, ckpt = trained_toy_detector
    fused = str(tmp_path / 'fused.pth')
    run_tool(['tools/model_converters/deploy_model.py', TOY, ckpt, fused])
    maps = {}
    env = tool_env(MMMOBILEVIT_HOME=str(tmp_path / 'home'))  # the ONNX cache
    # (the fused checkpoint: through the init API below, which tools/test.py also uses)
    for mode, args in (('eager', [ckpt]), ('deploy', [ckpt, '--deploy']),
                       ('onnxruntime', [ckpt, '--backend', 'onnxruntime'])):
        work = str(tmp_path / mode)
        log = run_tool(['tools/test.py', TOY, *args, '--work-dir', work], env=env).stdout
        assert 'EMAEvalHook' in log  # EMA hooks stay
        maps[mode] = read_test_metrics(work)['coco/bbox_mAP']
    print('toy bbox mAP per mode:', maps)
    assert maps['eager'] > 0, maps
    assert abs(maps['eager'] - maps['deploy']) <= 1e-3, maps
    # onnxruntime runs the exported graph inside mmdet's pre- and post-processing
    assert abs(maps['eager'] - maps['onnxruntime']) <= 1e-3, maps
    # the inference APIs: the same boxes and scores
    img = osp.join(toy_data, 'coco/val2017/000000000002.jpg')
    eager = init_detector(osp.join(REPO, TOY), ckpt, device='cpu')
    fast = init_model(osp.join(REPO, TOY), ckpt, deploy=True)
    reloaded = init_detector(osp.join(REPO, TOY), fused, device='cpu',
                             cfg_options={'model.backbone.deploy': True})
    a = inference_detector(eager, img).pred_instances
    assert fast.backbone.deployed and reloaded.backbone.deployed
    assert not eager.backbone.deployed
    ort = init_model(osp.join(REPO, TOY), ckpt, backend='onnxruntime',
                     backend_options=dict(cache_dir=str(tmp_path / 'home' / 'onnx')))
    ov = init_model(osp.join(REPO, TOY), ckpt, backend='openvino',  # the same cached graph
                    backend_options=dict(cache_dir=str(tmp_path / 'home' / 'onnx')))
    # compile=True compiles backbone, neck and head at their first call (~20 s here: its
    # outputs are checked on a small network in tests/test_models/test_compile_network.py)
    compiled = init_model(osp.join(REPO, TOY), ckpt, deploy=True, compile=True)
    assert all(getattr(compiled, part).network_compiled
               for part in ('backbone', 'neck', 'bbox_head'))
    for other in (fast, reloaded, ort, ov):
        b = inference_detector(other, img).pred_instances
        assert torch.allclose(a.scores[:10], b.scores[:10], atol=1e-4)
        assert torch.allclose(a.bboxes[:10], b.bboxes[:10], atol=1e-2)
    proc = run_tool(['tools/test.py', 'configs/_toy_/ssdlite_mobilenetv2_toy-det.py', ckpt,
                     '--deploy', '--work-dir', str(tmp_path / 'other')], check=False)
    assert proc.returncode != 0 and '--deploy needs a MobileViTBackbone' in proc.stdout


@pytest.mark.slow
def test_onnx_raw_outputs_decode_to_mmdets_predictions(trained_toy_detector, toy_data,
                                                       tmp_path):
    """The export's documented post-processing (predict_by_feat) gives the same boxes."""
    from mmdet.apis import init_detector
    from mmdet.utils import get_test_pipeline_cfg
    from mmengine.dataset import Compose

    from mmmobilevit.deployment import ort_session
    _, ckpt = trained_toy_detector
    onnx_file = str(tmp_path / 'det.onnx')
    run_tool(['tools/deployment/export.py', TOY, ckpt, '--out', onnx_file])
    model = init_detector(osp.join(REPO, TOY), ckpt, device='cpu')
    data = Compose(get_test_pipeline_cfg(model.cfg))(
        dict(img_path=osp.join(toy_data, 'coco/val2017/000000000003.jpg'), img_id=0))
    batch = model.data_preprocessor(dict(inputs=[data['inputs']],
                                         data_samples=[data['data_samples']]), False)
    x, samples = batch['inputs'], batch['data_samples']
    with torch.no_grad():
        expected = model.predict(x, samples)[0].pred_instances
    session = ort_session(onnx_file)
    assert [o.name for o in session.get_outputs()] == \
        [f'cls_score_{i}' for i in range(6)] + [f'bbox_pred_{i}' for i in range(6)]
    outputs = [torch.from_numpy(o) for o in session.run(None, {'input': x.numpy()})]
    got = model.bbox_head.predict_by_feat(outputs[:6], outputs[6:],
                                          batch_img_metas=[s.metainfo for s in samples],
                                          rescale=True)[0]
    top = min(5, len(expected.scores))
    assert top > 0 and expected.scores[0] > 0.1
    assert torch.allclose(got.scores[:top], expected.scores[:top], atol=1e-4)
    assert torch.allclose(got.bboxes[:top], expected.bboxes[:top], atol=1e-2)
    assert torch.equal(got.labels[:top], expected.labels[:top])
