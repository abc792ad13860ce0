"""DeepLabv3-MobileViT configs: structure, parameter counts, training and evaluation
through the tools, and mmseg's inference APIs."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import mmmobilevit  # noqa: F401
from helpers import REPO, dist_env, read_test_metrics, run_tool, tool_env

TOY = 'configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py'
PAPER_PARAMS = {'s': 6.4e6, 'xs': 2.9e6, 'xxs': 1.9e6}


def build(config):
    from mmengine.registry import MODELS, DefaultScope
    cfg = Config.fromfile(osp.join(REPO, config))
    with DefaultScope.overwrite_default_scope('mmseg'):
        return cfg, MODELS.build(cfg.model)


@pytest.mark.slow  # the exact counts are tests/test_models/test_segmentors'
@pytest.mark.parametrize('arch', ['s', 'xs', 'xxs'])
def test_whole_model_params_within_5_percent_of_the_paper(arch):
    _, model = build(f'configs/mobilevit/deeplabv3_mobilevit-{arch}_voc12aug-512x512.py')
    n = sum(p.numel() for p in model.parameters())
    assert abs(n - PAPER_PARAMS[arch]) / PAPER_PARAMS[arch] < 0.05, n


SEG_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs/mobilevit*/deeplabv3_*.py')) +
                     glob.glob(osp.join(REPO, 'configs/mobilevit*/pspnet_*.py')))


#: one config per head type and release code in the default suite
QUICK = {'deeplabv3_mobilevit-xxs_voc12aug-512x512.py',
         'deeplabv3_mobilevit-s_voc12aug-os8-512x512.py',
         'pspnet_mobilevitv2-0.5_ade20k-512x512.py',
         'deeplabv3_mobilevitv3-0.5_voc12aug-512x512.py'}


@pytest.mark.parametrize('config', [
    pytest.param(c, id=osp.basename(c)[:-3],
                 marks=() if osp.basename(c) in QUICK else pytest.mark.slow)
    for c in SEG_CONFIGS])
def test_release_structure(config):
    """Each config is its release's model (read from the config; the models are built,
    counted and compared with the reference in tests/test_models/test_segmentors): v0.1
    (d38a116 and the MobileViTv3-v1 overlay) DeepLabv3 with 256 channels, ASPP dropout, no
    auxiliary head, AdamW with a x10 head and its evaluation; v0.2 (84d992f,
    MobileViTv3-v2) heads of 512 channels with an auxiliary head (weight 0.4),
    align_corners=True and its evaluation; ADE20K at output stride 8 with 150 classes."""
    cfg = Config.fromfile(config)
    name = osp.basename(config)
    model = cfg.model
    assert model.type == 'MLCVNetsEncoderDecoder' and model.pretrained is None
    assert model.backbone.init_cfg.type == 'Pretrained'
    head = model.decode_head
    ade = '_ade20k-' in name
    assert head.num_classes == (150 if ade else 21)
    assert head.type == ('ASPPProjHead' if name.startswith('deeplabv3_') else
                         'SlimBranchPSPHead')
    if head.type == 'SlimBranchPSPHead':
        assert tuple(head.pool_scales) == (1, 2, 3, 6)
    if model.test_cfg.protocol == 'mlcvnets-v0.1':
        assert not head.align_corners
        assert model.backbone.out_stride == 16 and tuple(head.dilations) == (1, 6, 12, 18)
        assert head.channels == 256 and head.dropout_ratio == 0.1
        assert head.projection_dropout == 0.1 and model.auxiliary_head is None
        assert cfg.optim_wrapper.optimizer.type == 'AdamW'
        assert cfg.optim_wrapper.paramwise_cfg.custom_keys.decode_head.lr_mult == 10.
        return
    assert model.test_cfg.protocol == 'mlcvnets-v0.2' and head.align_corners
    assert head.channels == 512 and head.dropout_ratio == 0.1
    assert head.get('projection_dropout', 0.) == 0.
    aux = model.auxiliary_head
    assert aux.type == 'FCNHead' and aux.align_corners and aux.loss_decode.loss_weight == 0.4
    # channels from the arch (tests/test_models/test_derived_channels.py)
    assert aux.get('in_channels') is None and aux.get('channels') is None
    assert aux.num_classes == head.num_classes
    os8 = ade or '-os8-' in name
    assert model.backbone.out_stride == (8 if os8 else 16)
    if head.type == 'ASPPProjHead':
        assert tuple(head.dilations) == ((1, 12, 24, 36) if os8 else (1, 6, 12, 18))
    assert cfg.optim_wrapper.optimizer.type == ('SGD' if ade else 'AdamW')


@pytest.fixture(scope='module')
def trained_toy_segmentor(toy_data, tmp_path_factory):
    work = str(tmp_path_factory.mktemp('toy_seg'))
    run_tool(['tools/train.py', TOY, '--work-dir', work, '--cfg-options',
              'train_cfg.max_iters=20', 'train_cfg.val_interval=20',
              'default_hooks.checkpoint.interval=20'])
    ckpt = osp.join(work, 'iter_20.pth')
    assert osp.exists(ckpt)
    return ckpt


@pytest.mark.slow
def test_tools_test_with_a_trained_checkpoint(trained_toy_segmentor, tmp_path):
    run_tool(['tools/test.py', TOY, trained_toy_segmentor, '--work-dir', str(tmp_path),
              '--show-dir', str(tmp_path / 'show')])
    metrics = read_test_metrics(str(tmp_path))
    assert 0.0 <= metrics['mIoU'] <= 100.0
    assert glob.glob(str(tmp_path / 'show' / '**' / '*.png'), recursive=True)


@pytest.mark.slow
def test_seg_image_demo_draws_the_overlay(trained_toy_segmentor, toy_data, tmp_path):
    img = osp.join(toy_data, 'VOCdevkit/VOC2012/JPEGImages/2012_val_0001.jpg')
    out = str(tmp_path / 'overlay.png')
    printed = run_tool(['tools/misc/seg_image_demo.py', TOY, trained_toy_segmentor, img,
                        '--out-file', out]).stdout
    assert '128x128 mask (' in printed and osp.getsize(out) > 0


@pytest.mark.slow
def test_mmseg_inference_apis_from_the_config_path(trained_toy_segmentor, toy_data,
                                                   tmp_path):
    from mmseg.apis import MMSegInferencer, inference_model, init_model, show_result_pyplot
    img = osp.join(toy_data, 'VOCdevkit/VOC2012/JPEGImages/2012_val_0001.jpg')
    model = init_model(osp.join(REPO, TOY), trained_toy_segmentor, device='cpu')
    result = inference_model(model, img)
    assert result.pred_sem_seg.data.shape[-2:] == (128, 128)
    overlay = str(tmp_path / 'overlay.png')
    show_result_pyplot(model, img, result, show=False, out_file=overlay)
    assert osp.getsize(overlay) > 0
    inferencer = MMSegInferencer(model=osp.join(REPO, TOY), weights=trained_toy_segmentor,
                                 device='cpu')
    out = inferencer(img, out_dir=str(tmp_path / 'inferencer'))
    assert out['predictions'].shape == (128, 128)
    assert glob.glob(str(tmp_path / 'inferencer' / 'vis' / '*'))


@pytest.mark.slow
def test_whole_image_inference_at_voc_size(trained_toy_segmentor, tmp_path):
    """VOC images are 500x375: not a multiple of 32, nor of the patch grid."""
    import cv2
    from mmseg.apis import inference_model, init_model
    img = str(tmp_path / 'voc_sized.jpg')
    cv2.imwrite(img, (np.random.RandomState(0).rand(375, 500, 3) * 255).astype(np.uint8))
    for config in (TOY, 'configs/mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py',
                   'configs/mobilevitv3/deeplabv3_mobilevitv3-0.5_ade20k-512x512.py'):
        ckpt = trained_toy_segmentor if config == TOY else None
        model = init_model(osp.join(REPO, config), ckpt, device='cpu')
        result = inference_model(model, img)
        assert result.pred_sem_seg.data.shape[-2:] == (375, 500)


@pytest.mark.slow
def test_two_process_dist_train(toy_data, tmp_path):
    env = dist_env()
    run_tool(['tools/dist_train.sh', TOY, '2', '--work-dir', str(tmp_path),
              '--cfg-options', 'train_cfg.max_iters=6', 'train_cfg.val_interval=6',
              'default_hooks.checkpoint.interval=6'], env=env)
    assert osp.exists(tmp_path / 'iter_6.pth')


@pytest.mark.slow
def test_deploy_mode_keeps_the_miou_and_init_model_accepts_it(trained_toy_segmentor,
                                                              toy_data, tmp_path):
    from mmseg.apis import inference_model, init_model
    mious = {}
    env = tool_env(MMMOBILEVIT_HOME=str(tmp_path / 'home'))  # the ONNX cache
    # (tools/test.py --deploy: the detector's deploy-mode test; --backend openvino: the
    # same hook as onnxruntime's, its logits checked through the init API below)
    for mode, args in (('eager', []), ('onnxruntime', ['--backend', 'onnxruntime']),
                       ('int8', ['--backend', 'onnxruntime-int8', '--calib-images', '8'])):
        work = str(tmp_path / mode)
        run_tool(['tools/test.py', TOY, trained_toy_segmentor, '--work-dir', work] + args,
                 env=env)
        mious[mode] = read_test_metrics(work)['mIoU']
    print('toy mIoU per mode:', mious)
    assert abs(mious['eager'] - mious['onnxruntime']) <= 0.01, mious
    assert 0.0 <= mious['int8'] <= 100.0, mious  # its change is printed above
    # the inference API with the explicit deploy option
    from mmmobilevit.apis import init_model as init_any
    img = osp.join(toy_data, 'VOCdevkit/VOC2012/JPEGImages/2012_val_0001.jpg')
    eager = init_model(osp.join(REPO, TOY), trained_toy_segmentor, device='cpu')
    fast = init_any(osp.join(REPO, TOY), trained_toy_segmentor, deploy=True)
    a, b = inference_model(eager, img), inference_model(fast, img)
    assert fast.backbone.deployed
    ort = init_any(osp.join(REPO, TOY), trained_toy_segmentor, backend='onnxruntime',
                   backend_options=dict(cache_dir=str(tmp_path / 'home' / 'onnx')))
    ov = init_any(osp.join(REPO, TOY), trained_toy_segmentor, backend='openvino',
                  backend_options=dict(cache_dir=str(tmp_path / 'home' / 'onnx')))
    for other in (b, inference_model(ort, img), inference_model(ov, img)):
        diff = (a.seg_logits.data - other.seg_logits.data).abs().max().item()
        assert diff <= 1e-4 * max(1., a.seg_logits.data.abs().max().item()), diff
    # int8 (calibrated on 8 validation images): most pixels keep their class
    int8 = init_any(osp.join(REPO, TOY), trained_toy_segmentor, backend='onnxruntime-int8',
                    backend_options=dict(cache_dir=str(tmp_path / 'home' / 'onnx'),
                                         calib_images=8))
    agree = (inference_model(int8, img).pred_sem_seg.data
             == a.pred_sem_seg.data).float().mean().item()
    print('int8 pixel agreement with fp32', agree)
    assert agree >= 0.9, agree
