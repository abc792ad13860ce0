"""onnxruntime as the network of the task models (mmmobilevit.deployment.ort_backend):
the usual inference APIs give PyTorch's results, the export is cached by weights, int8
quantizes statically. The detection and segmentation metrics through
``tools/test.py --backend`` are checked beside the deploy mode's, on the trained toy
models (tests/test_configs)."""
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

import mmmobilevit  # noqa: F401
from helpers import REPO, run_tool, tool_env
from mmmobilevit.apis import init_model
from mmmobilevit.deployment import OnnxRuntimeNetwork, calibration_inputs, use_onnxruntime
from mmmobilevit.deployment.onnx_export import task_of
from mmmobilevit.deployment.ort_backend import (activation_matmuls, backend_precision, hash_tensors,
                                                quantize_onnx)

CLS = osp.join(REPO, 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')


def test_backend_names():
    assert backend_precision('pytorch') is None
    assert backend_precision('onnxruntime') == 'fp32'
    assert backend_precision('onnxruntime-int8') == 'int8'
    assert backend_precision('openvino') == 'fp32'
    assert backend_precision('openvino-int8') == 'int8'
    assert backend_precision('executorch') == 'fp32'
    with pytest.raises(ValueError, match='backend must be one of'):
        backend_precision('tensorrt')
    with pytest.raises(ValueError, match='backend must be one of'):
        init_model(CLS, None, backend='onnx')  # before anything is built
    with pytest.raises(ValueError, match='deploy=True is for the PyTorch backend'):
        init_model(CLS, None, deploy=True, backend='onnxruntime')


def test_quantize_refuses_bad_arguments_before_reading_the_graph(tmp_path):
    missing, out = str(tmp_path / 'missing.onnx'), str(tmp_path / 'out.onnx')
    with pytest.raises(ValueError, match='at least one calibration input'):
        quantize_onnx(missing, out, [])
    with pytest.raises(ValueError, match="method must be one of .*'entropy'"):
        quantize_onnx(missing, out, [np.zeros((1, 3, 8, 8), np.float32)], method='entropy')


def test_weights_hash_sees_every_value():
    a = [('w', torch.zeros(3)), ('n', torch.tensor(5))]
    b = [('w', torch.tensor([0., 0., 1e-30])), ('n', torch.tensor(5))]
    assert hash_tensors(a) != hash_tensors(b)
    assert hash_tensors(a) == hash_tensors([('w', torch.zeros(3)), ('n', torch.tensor(5))])


@pytest.mark.slow
def test_classifier_in_onnxruntime_caches_and_quantizes(toy_data, tmp_path):
    from mmpretrain.apis import ImageClassificationInferencer
    torch.manual_seed(0)
    eager = init_model(CLS, None).eval()
    logs = []
    fast = init_model(CLS, None, backend='onnxruntime',
                      backend_options=dict(cache_dir=str(tmp_path), log=logs.append))
    fast.load_state_dict(eager.state_dict())  # the graph is exported at the first call
    with pytest.raises(RuntimeError, match='cannot train'):
        fast.train()
    with pytest.raises(ValueError, match='already'):
        use_onnxruntime(fast)
    imgs = sorted(glob.glob(osp.join(toy_data, 'imagenet/val/*/*.jpg')))[:4]
    assert imgs
    with DefaultScope.overwrite_default_scope('mmpretrain'):  # its pipeline's scope
        a = ImageClassificationInferencer(eager)(imgs)
        b = ImageClassificationInferencer(fast)(imgs)
    for x, y in zip(a, b):
        assert x['pred_label'] == y['pred_label']
        assert np.abs(x['pred_scores'] - y['pred_scores']).max() < 1e-5
    assert sum('exporting' in m for m in logs) == 1  # one size, one export
    # the same weights again: the cached graph; other weights: a new one
    logs.clear()
    again = init_model(CLS, None, backend='onnxruntime',
                       backend_options=dict(cache_dir=str(tmp_path), log=logs.append))
    again.load_state_dict(eager.state_dict())
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ImageClassificationInferencer(again)(imgs[:1])
    assert not any('exporting' in m for m in logs), logs
    first = again.onnxruntime_network.graph_path((64, 64))
    # a corrupted cache entry is found (its checksum), said and made anew (#35.7)
    with open(first, 'r+b') as f:
        f.truncate(osp.getsize(first) // 2)
    logs.clear()
    fixed = init_model(CLS, None, backend='onnxruntime',
                       backend_options=dict(cache_dir=str(tmp_path), log=logs.append))
    fixed.load_state_dict(eager.state_dict())
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        assert ImageClassificationInferencer(fixed)(imgs[:1])[0]['pred_label'] == \
            a[0]['pred_label']
    assert any('corrupted or truncated): making it anew' in m for m in logs), logs
    assert sum('exporting' in m for m in logs) == 1, logs
    logs.clear()
    with torch.no_grad():  # weights changed in place after the first call: a new graph
        next(again.parameters()).add_(0.01)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        ImageClassificationInferencer(again)(imgs[:1])
    assert sum('exporting' in m for m in logs) == 1, logs
    assert again.onnxruntime_network.graph_path((64, 64)) != first
    assert len(glob.glob(str(tmp_path / '*.onnx'))) == 2
    assert not glob.glob(str(tmp_path / '*partial*'))
    # int8: QDQ graph, calibrated on the validation images, close to fp32
    import onnx
    calib = calibration_inputs(eager, num_images=4)
    assert len(calib) == 4 and calib[0].shape == (1, 3, 64, 64)
    int8 = OnnxRuntimeNetwork(eager, 'int8', calibration=calib, cache_dir=str(tmp_path),
                              log=logs.append)
    int8_graph = onnx.load(int8.graph_path((64, 64))).graph
    assert {'QuantizeLinear', 'DequantizeLinear'} <= {n.op_type for n in int8_graph.node}
    # the attention products (q @ k^T, weights @ v) and the q scale stay fp32, the
    # weight layers are int8
    fp32_graph = onnx.load(fast.onnxruntime_network.graph_path((64, 64))).graph
    kept = set(activation_matmuls(fp32_graph))
    produced_by = {o: n.op_type for n in int8_graph.node for o in n.output}
    matmuls = [n for n in int8_graph.node if n.op_type == 'MatMul']
    attention = [n for n in matmuls if n.name in kept]
    assert len(attention) == 2 * 9  # 2 per transformer layer, 2 + 4 + 3 layers (XXS)
    assert any(n.op_type == 'Mul' for n in int8_graph.node if n.name in kept)
    assert not any(produced_by.get(i) == 'DequantizeLinear'
                   for n in attention for i in n.input)
    assert all(produced_by.get(n.input[1]) == 'DequantizeLinear'
               for n in matmuls if n.name not in kept)
    x = torch.cat(calibration_inputs(eager, num_images=16))
    fp32_logits = fast.onnxruntime_network(x)[0]
    int8_logits = int8(x)[0]
    agree = (int8_logits.argmax(1) == fp32_logits.argmax(1)).float().mean().item()
    print('int8 vs fp32 top-1 agreement on 16 toy images', agree)
    assert agree >= 0.75  # random initial weights: small, near-uniform logits
    with pytest.raises(ValueError, match='needs calibration'):
        OnnxRuntimeNetwork(eager, 'int8')


@pytest.mark.slow
def test_quantize_tool(toy_data, tmp_path):
    out = str(tmp_path / 'cls.int8.onnx')
    log = run_tool(['tools/deployment/quantize.py', CLS, 'none',  # 64: the config's crop
                    '--calib-images', '4', '--check-images', '8', '--out', out],
                   env=tool_env(MMMOBILEVIT_HOME=str(tmp_path / 'home'))).stdout
    assert osp.getsize(out) > 0
    assert 'int8 vs fp32 on 8 validation image(s) at 64x64' in log and 'top-1 agreement' in log
    assert glob.glob(str(tmp_path / 'home' / 'onnx' / '*.int8.onnx'))
    proc = run_tool(['tools/deployment/quantize.py', CLS, 'none', '--calib-images', '0'],
                    check=False)
    assert proc.returncode != 0 and '--calib-images must be at least 1' in proc.stdout


@pytest.mark.slow  # a toy graph exported, run in both runtimes, quantized by NNCF
def test_openvino_runs_the_cached_graph_as_pytorch(toy_data, tmp_path):
    """``backend='openvino'``: OpenVINO compiles the same cached ONNX graph (no second
    export) in float32, whatever this CPU's default precision; the classifier's logits
    equal PyTorch eager's within 1e-4 relative (#36). Detection and segmentation: the
    deploy-mode tests of the toy detector (the init API's boxes and scores) and
    segmenter (the init API's logits). ``backend='openvino-int8'``: NNCF's int8 of that
    graph, cached as IR."""
    from mmmobilevit.deployment import NetworkOutputs
    torch.manual_seed(0)
    eager = init_model(CLS, None).eval()
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        reference = NetworkOutputs(eager, task_of(eager.cfg))(x)
    logs = []
    for backend in ('onnxruntime', 'openvino'):
        model = init_model(CLS, None, backend=backend,
                           backend_options=dict(cache_dir=str(tmp_path), log=logs.append))
        model.load_state_dict(eager.state_dict())
        outputs = model.onnxruntime_network(x)
        assert [o.shape for o in outputs] == [r.shape for r in reference]
        for out, ref in zip(outputs, reference):
            assert (out - ref).abs().max().item() <= 1e-4 * max(1., ref.abs().max().item())
    assert sum('exporting' in m for m in logs) == 1, logs  # one graph, two runtimes
    # openvino-int8: NNCF's int8 IR of that graph, calibrated on 4 toy validation images
    # (cached, .xml + .bin under one checksum)
    model = init_model(CLS, None, backend='openvino-int8',
                       backend_options=dict(cache_dir=str(tmp_path), log=logs.append,
                                            calib_images=4))
    model.load_state_dict(eager.state_dict())
    got = model.onnxruntime_network(x)[0]
    assert got.shape == reference[0].shape
    # (within 20% of the logits' scale, max(1, |logit|), as compare_outputs measures)
    assert (got - reference[0]).abs().max().item() <= 0.2 * max(
        1., reference[0].abs().max().item())
    xml = glob.glob(str(tmp_path / '*.openvino-int8.xml'))
    assert len(xml) == 1 and osp.isfile(xml[0][:-4] + '.bin')
    assert len(open(xml[0] + '.sha256').read().split()) == 2  # the .xml's and the .bin's
    assert sum('exporting' in m for m in logs) == 1, logs  # quantized from the cached graph
    with pytest.raises(ValueError, match="precision='int8' needs calibration inputs"):
        OnnxRuntimeNetwork(eager, precision='int8', runtime='executorch')
    assert backend_precision('executorch-int8') == 'int8'
