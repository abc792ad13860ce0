"""MobileViTBackbone's deploy form: folded BN and norm affines, channels_last,
construction-time deploy, torch.compile; outputs unchanged within 1e-4."""
import copy

import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from helpers.weights import randomize_norms, rel_diff
from mmmobilevit.models import MobileViTBackbone
from mmmobilevit.models.layers import ConvAct


@pytest.mark.parametrize('arch,out_stride', [
    ('mobilevit-xxs', 32), ('mobilevit-xs', 16), ('mobilevitv2-0.5', 32),
    ('mobilevitv3-xxs', 8), ('mobilevitv3-0.5', 16)])
def test_switch_to_deploy_keeps_the_outputs(arch, out_stride):
    torch.manual_seed(0)
    eager = randomize_norms(MobileViTBackbone(arch, out_indices=(0, 1, 2, 3, 4),
                                              out_stride=out_stride)).eval()
    deployed = copy.deepcopy(eager).switch_to_deploy()
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm)
                   for m in deployed.modules())
    assert any(isinstance(m, ConvAct) for m in deployed.modules())
    # 64x64 and a size that is not a multiple of the patches (the resize path)
    for shape in ((2, 3, 64, 64), (1, 3, 70, 94)):
        x = torch.randn(shape)
        with torch.no_grad():
            for a, b in zip(eager(x), deployed(x)):
                assert a.shape == b.shape
                assert rel_diff(a, b) <= 1e-4
    with pytest.raises(RuntimeError, match='cannot be trained'):
        deployed.train()


def test_channels_last_does_not_change_the_outputs():
    torch.manual_seed(0)
    a = randomize_norms(MobileViTBackbone('mobilevit-xxs', channels_last=True)).eval()
    b = MobileViTBackbone('mobilevit-xxs', channels_last=False).eval()
    b.load_state_dict(a.state_dict())
    assert a.stem.conv.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = a(x)[0]
        assert out.is_contiguous(memory_format=torch.channels_last)
        assert rel_diff(b(x)[0], out) <= 1e-5
    # training works in channels_last (gradients flow to every parameter)
    a.train()
    a(x)[0].sum().backward()
    assert all(p.grad is not None for p in a.parameters())


def test_deploy_at_construction_builds_the_fused_structure_and_reloads_it():
    torch.manual_seed(0)
    eager = randomize_norms(MobileViTBackbone('mobilevit-xxs')).eval()
    fused = copy.deepcopy(eager).switch_to_deploy()
    built = MobileViTBackbone('mobilevit-xxs', deploy=True)
    assert built.deployed and not built.training
    assert built.state_dict().keys() == fused.state_dict().keys()
    built.load_state_dict(fused.state_dict())  # strict: a fused checkpoint reloads
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert rel_diff(eager(x)[0], built(x)[0]) <= 1e-4
    # forward never switches by itself; deploy is a bool
    plain = MobileViTBackbone('mobilevit-xxs').eval()
    with torch.no_grad():
        plain(x)
    assert not plain.deployed
    with pytest.raises(TypeError, match='torch.compile'):
        MobileViTBackbone('mobilevit-xxs', deploy=dict(compile=True))
    with pytest.raises(RuntimeError, match='cannot be trained'):
        built.train()


@pytest.mark.slow
def test_deploy_then_torch_compile():
    """A user's own torch.compile traces the deployed backbone as one graph (no graph
    break) with the same outputs. Dynamo and AOTAutograd only (3 s); inductor's code
    for the deployed XXS (frozen, through compile_network) is checked on the toy
    detector in tests/test_configs/test_ssdlite_mobilevit.py, where a whole inductor
    compile of this backbone here would cost about 230 s cold.

    Dynamo's caches are reset first: after an earlier compile of the same forwards at
    another input size (the toy detector's, in the suite), dynamo would compile these
    for dynamic shapes, 87 s instead of 3 s."""
    torch.manual_seed(0)
    torch._dynamo.reset()
    eager = randomize_norms(MobileViTBackbone('mobilevit-xxs')).eval()
    compiled = torch.compile(copy.deepcopy(eager).switch_to_deploy(), backend='aot_eager',
                             fullgraph=True)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert rel_diff(eager(x)[0], compiled(x)[0]) <= 1e-4


def test_switch_to_deploy_walks_a_whole_model():
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import MODELS

    from mmmobilevit.models.utils import switch_to_deploy
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(dict(
            type='ImageClassifier',
            backbone=dict(type='MobileViTBackbone', arch='mobilevit-xxs', out_indices=5),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=4, in_channels=320)))
    randomize_norms(model)
    x = torch.randn(1, 3, 64, 64)
    model.eval()
    with torch.no_grad():
        expected = model(x, mode='tensor')
        assert switch_to_deploy(model) == 1 and switch_to_deploy(model) == 0
        assert model.backbone.deployed
        assert rel_diff(expected, model(x, mode='tensor')) <= 1e-4


def test_bf16_autocast_inference_runs_close_to_fp32():
    torch.manual_seed(0)
    model = randomize_norms(MobileViTBackbone('mobilevit-xxs')).eval().switch_to_deploy()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        fp32 = model(x)[0]
        with torch.autocast('cpu', dtype=torch.bfloat16):
            bf16 = model(x)[0]
    assert bf16.dtype == torch.bfloat16
    assert rel_diff(fp32, bf16.float()) < 0.05
