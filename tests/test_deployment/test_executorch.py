"""ExecuTorch (XNNPACK) export: the XNNPACK forms of the layers compute the eager
layers' functions, and the networks of the three families lower whole into one XNNPACK
subgraph that ExecuTorch's runtime runs as PyTorch does. Every arch x task at the
release input sizes: ``tools/deployment/verify_exports.py`` (the docs' table)."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import REPO, load_tool
from helpers.small_models import small_arch
from mmmobilevit.deployment.xnnpack_forms import (MeanAdaptiveAvgPool2d, pooling_matrix,
                                                  to_xnnpack_forms)
from mmmobilevit.models.layers import LinearTransformerLayer, TransformerLayer


def _close(a, b, tol=1e-5):
    return (a - b).abs().max().item() <= tol * max(1., b.abs().max().item())


def test_xnnpack_forms_compute_the_eager_layers():
    """Same state dict, same outputs: LayerNorm / GroupNorm(1) from 4-D means, attention
    as 3-D batched matmuls at every token count (fused SDPA above 144 in eager mode),
    separable attention with a batched-matmul context, adaptive pooling to 1x1 and to
    bins that do not divide the map."""
    torch.manual_seed(0)
    v1 = TransformerLayer(32, 64, num_heads=4).eval()
    v2 = LinearTransformerLayer(16, 32, patch_size=2).eval()
    for layer in (v1, v2):
        for p in layer.parameters():  # affines away from 1 / 0
            p.data.add_(torch.randn_like(p) * 0.1)
    cases = [(v1, torch.randn(2, 100, 32)), (v1, torch.randn(2, 256, 32)),
             (v2, torch.randn(2, 16, 8, 12))]
    for bins in (1, 2, 3, 6, (3, None)):
        cases.append((nn.AdaptiveAvgPool2d(bins), torch.randn(2, 5, 17, 23)))
    for module, x in cases:
        expected = module(x)
        form = copy.deepcopy(module)
        counts = to_xnnpack_forms(form)
        assert counts and form.state_dict().keys() == module.state_dict().keys()
        assert _close(form(x), expected), type(module).__name__
        assert _close(form(x), expected)  # a second call (pooling matrices made once)
    assert sorted(to_xnnpack_forms(copy.deepcopy(v1))) == ['BmmSelfAttention', 'MeanLayerNorm']
    assert sorted(to_xnnpack_forms(copy.deepcopy(v2))) == ['BmmLinearSelfAttention',
                                                           'MeanSingleGroupNorm']
    # windows floor(i * n / bins) .. ceil((i + 1) * n / bins): 64 over 3 bins overlap
    rows = np.array(pooling_matrix(64, 3))
    assert (rows > 0).sum(1).tolist() == [22, 22, 22] and np.allclose(rows.sum(1), 1)
    pool = MeanAdaptiveAvgPool2d(3)
    assert not hasattr(pool, 'pool_h') and pool(torch.randn(1, 2, 9, 9)).shape == (1, 2, 3, 3)
    assert pool.pool_h.shape == (3, 9) and 'pool_h' not in pool.state_dict()


@pytest.mark.slow  # two small lowerings, fp32 and int8 (about 30 s)
def test_backend_lowers_v3_whole_to_xnnpack_and_runs_as_pytorch(tmp_path, toy_data):
    """``backend='executorch'`` on the toy classifier with a MobileViTv3-0.5 backbone of
    one transformer layer per stage (a small graph; its layers are v2's separable
    attention with v3's fusion): one XNNPACK subgraph, no op outside, ExecuTorch's
    runtime within 1e-4 of PyTorch (measured ~1e-6). v1's layers: the next test. Every
    released arch and task at full size, through the export tool's steps:
    ``verify_exports.py`` (the docs' table)."""
    from mmmobilevit.apis import init_model
    from mmmobilevit.compat import active_patches, remove_patches
    from mmmobilevit.deployment import NetworkOutputs, calibration_inputs
    from mmmobilevit.deployment.executorch_export import ExecuTorchSession
    tool = load_tool('tools/deployment/export.py')
    config = osp.join(REPO, 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    before = set(active_patches())
    try:  # the tool's checks before any work (in-process; its patches undone)
        with pytest.raises(SystemExit, match='writes a .pte file'):
            tool.main([config, 'none', '--target', 'executorch', '--out',
                       str(tmp_path / 'x.onnx')])
        with pytest.raises(SystemExit, match='--int8 is for --target executorch or openvino'):
            tool.main([config, 'none', '--target', 'coreml', '--int8', '--out',
                       str(tmp_path / 'x.mlpackage')])
        with pytest.raises(SystemExit, match='--fp32-silu is for --target executorch --int8'):
            tool.main([config, 'none', '--target', 'executorch', '--fp32-silu', '--out',
                       str(tmp_path / 'x.pte')])
        with pytest.raises(SystemExit, match='--batch 0: must be at least 1'):
            tool.main([config, 'none', '--target', 'tflite', '--batch', '0', '--out',
                       str(tmp_path / 'x.tflite')])
    finally:
        remove_patches(set(active_patches()) - before)

    # the backend of the init API (and of tools/test.py --backend executorch): a batch
    # runs image by image through the cached batch-1 program of its input size
    small = {'model.backbone.arch': dict(small_arch('mobilevitv3-0.5'), _delete_=True),
             'model.backbone.out_indices': (4, )}  # (v2-type archs: no expansion conv)
    torch.manual_seed(0)
    eager = init_model(config, None, cfg_options=small).eval()
    x = torch.rand(3, 3, 64, 64)
    with torch.no_grad():
        reference = NetworkOutputs(eager, 'classification')(x)
    logs = []
    for _ in range(2):  # the second model finds the program in the cache
        model = init_model(config, None, cfg_options=small, backend='executorch',
                           backend_options=dict(cache_dir=str(tmp_path / 'cache'),
                                                log=logs.append))
        model.load_state_dict(eager.state_dict())
        got = model.onnxruntime_network(x)
        assert got[0].shape == reference[0].shape and _close(got[0], reference[0], 1e-4)
    assert sum('lowering' in m for m in logs) == 1, logs
    assert '1 XNNPACK subgraph(s), 0 op(s) outside' in ' '.join(logs)
    session = ExecuTorchSession(glob.glob(str(tmp_path / 'cache' / '*.pte'))[0], ['logits'])
    assert [o.name for o in session.get_outputs()] == ['logits']
    with pytest.raises(ValueError, match=r'takes input of shape \[1, 3, 64, 64\]'):
        session.run(None, {'input': np.zeros((2, 3, 64, 64), np.float32)})

    # backend='executorch-int8' (tools/test.py --backend executorch-int8): the program
    # quantized by PT2E, calibrated on the config's validation images, still one XNNPACK
    # subgraph, cached beside the fp32 one under its own key
    logs.clear()
    int8 = init_model(config, None, cfg_options=small, backend='executorch-int8',
                      backend_options=dict(cache_dir=str(tmp_path / 'cache'),
                                           log=logs.append, calib_images=4))
    int8.load_state_dict(eager.state_dict())
    images = torch.cat(calibration_inputs(eager, 3))  # validation images, as calibrated
    with torch.no_grad():
        expected = NetworkOutputs(eager, 'classification')(images)[0]
    got = int8.onnxruntime_network(images)[0]
    print('int8 vs fp32 logits, max |diff| / max |logit|:',
          float((got - expected).abs().max() / expected.abs().max()))
    # (a random-weight network whose logits barely depend on the image: 0.23 measured)
    assert got.shape == expected.shape and _close(got, expected, 0.35), (got, expected)
    assert torch.equal(got.argmax(1), expected.argmax(1))
    assert 'int8 with 4 calibration input(s)' in ' '.join(logs)
    assert '1 XNNPACK subgraph(s), 0 op(s) outside' in ' '.join(logs)
    assert len(glob.glob(str(tmp_path / 'cache' / '*.int8.pte'))) == 1


@pytest.mark.slow  # one small lowering
def test_v1_layers_lower_whole(tmp_path):
    """A stem, a depthwise conv, a v1 transformer layer (more than 144 tokens: eager
    mode's fused attention) and adaptive pooling to PSP's 3 bins, in their XNNPACK
    forms: one XNNPACK subgraph and no op outside (within 1e-4 of PyTorch). (PT2E int8:
    the backend test above; ``export.py --target executorch --int8`` quantizes whole
    networks, calibrated on the config's validation images.)"""
    from mmmobilevit.deployment import compare_outputs
    from mmmobilevit.deployment.executorch_export import (ExecuTorchSession, export_executorch,
                                                          quantize_for_xnnpack)

    class Small(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.SiLU(),
                                      nn.Conv2d(32, 32, 3, 1, 1, groups=32), nn.SiLU())
            self.layer = TransformerLayer(32, 64, num_heads=4)
            self.bins = nn.AdaptiveAvgPool2d(3)
            self.fc = nn.Linear(32 * 9, 10)

        def forward(self, x):
            x = self.stem(x)
            B, C, H, W = x.shape
            tokens = self.layer(x.flatten(2).transpose(1, 2))     # [B, HW, C]
            x = tokens.transpose(1, 2).reshape(B, C, H, W)
            return self.fc(self.bins(x).flatten(1))

    torch.manual_seed(0)
    model = Small().eval()
    reference = copy.deepcopy(model)
    assert to_xnnpack_forms(model) == {'MeanLayerNorm': 2, 'BmmSelfAttention': 1,
                                       'MeanAdaptiveAvgPool2d': 1}
    fp32 = str(tmp_path / 'fp32.pte')
    result = export_executorch(model, torch.rand(1, 3, 34, 34), fp32)  # 17x17: 289 tokens
    assert result['delegation'].delegates == 1 and result['delegation'].outside == {}
    assert compare_outputs(reference, ExecuTorchSession(fp32), 'ExecuTorch',
                           batch_sizes=(1, ), shape=(34, 34)) < 1e-4
    with pytest.raises(ValueError, match='at least one calibration input'):
        quantize_for_xnnpack(model, torch.rand(1, 3, 32, 32), [])


@pytest.mark.slow  # one tiny PT2E quantization and lowering (about 8 s)
def test_int8_silu_runs_in_xnnpack_as_pt2e_computes_it(tmp_path):
    """The int8 recipe's SiLU: the exported graph's SiLUs, in place or not, become
    ``x * sigmoid(x)`` with the same outputs (a later reader of an in-place SiLU's input
    reads the product); after PT2E the sigmoid and the product sit between a dequantize
    and a quantize, the sigmoid's output at 1/256 from -128; XNNPACK takes them (one
    subgraph, nothing outside) and its int8 sigmoid computes what PT2E's reference does,
    within one step of the output's quantization."""
    from mmmobilevit.deployment.executorch_export import (ExecuTorchSession, export_executorch,
                                                          quantize_for_xnnpack)
    from mmmobilevit.deployment.xnnpack_quantizer import split_silu

    class SiLUs(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 8, 1)
            self.act1, self.act2 = nn.SiLU(inplace=True), nn.SiLU()

        def forward(self, x):
            y = self.conv1(x)
            self.act1(y)  # y is the SiLU's output from here on
            return self.conv2(self.act2(y) + y)

    torch.manual_seed(0)
    model, x = SiLUs().eval(), torch.randn(1, 3, 16, 16)
    with torch.no_grad():
        graph = torch.export.export(model, (x, ), strict=False).module()
        expected = model(x.clone())
        assert split_silu(graph) == 2
        targets = [str(n.target) for n in graph.graph.nodes]
        assert not any('silu' in t for t in targets) and targets.count('aten.sigmoid.default') == 2
        assert _close(graph(x.clone()), expected)

    quantized = quantize_for_xnnpack(copy.deepcopy(model), x, [torch.randn(1, 3, 16, 16)
                                                               for _ in range(8)])
    sigmoids = [n for n in quantized.graph.nodes if n.target is torch.ops.aten.sigmoid.default]
    assert len(sigmoids) == 2
    for node in sigmoids:
        (quantize, ) = node.users
        assert 'dequantize' in str(node.args[0].target) and 'quantize' in str(quantize.target)
        assert quantize.args[1:3] == (1. / 256, -128)
    shipped = quantize_for_xnnpack(copy.deepcopy(model), x, [x], int8_silu=False)
    assert not any(n.target is torch.ops.aten.sigmoid.default for n in shipped.graph.nodes)
    result = export_executorch(quantized, x, str(tmp_path / 'silu.int8.pte'))
    assert result['delegation'].delegates == 1 and result['delegation'].outside == {}
    session = ExecuTorchSession(str(tmp_path / 'silu.int8.pte'))
    (output, ) = list(quantized.graph.nodes)[-1].args[0]  # dequantize(q, scale, zero, ...)
    step = output.args[1]
    for seed in range(3):
        x = torch.randn(1, 3, 16, 16, generator=torch.Generator().manual_seed(seed))
        got = torch.from_numpy(session.run(None, {'input': x.numpy()})[0])
        assert (got - quantized(x)).abs().max().item() <= 1.01 * step

    # XNNPACK's profile of the program: int8 convolutions and the table-driven int8
    # sigmoid, no fp32 sigmoid
    tool = load_tool('tools/analysis_tools/profile_executorch.py')
    execute, ops = tool.profile(str(tmp_path / 'silu.int8.pte'), 1, 3, str(tmp_path))
    assert execute > 0 and ops['Invalid Unary Op'][0] == 2 and 'Sigmoid (NC)' not in ops
    assert sum(count for kind, (count, _) in ops.items() if 'QC8' in kind) == 2
    assert 'execute, ms per run' in tool.table({'int8': (execute, ops)})
    with pytest.raises(SystemExit):
        tool.parse_args(['--pte', str(tmp_path / 'missing.pte')])
