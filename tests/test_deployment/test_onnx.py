"""tools/deployment/export.py for the three tasks: opset, no Col2Im, dynamic
batch, onnxruntime parity (1e-4) with the eager PyTorch model."""
import os.path as osp

import numpy as np
import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO, run_tool
from mmmobilevit.apis import init_model
from mmmobilevit.deployment import (CheckFailed, TensorOutputs, check_graph,
                                    compare_with_onnxruntime, ort_session, task_of)

pytestmark = pytest.mark.slow  # exports and tool runs

CASES = {
    'classification': ('configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py', (64, 64),
                       ['logits']),
    'detection': ('configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py', (192, 192),
                  [f'cls_score_{i}' for i in range(6)] + [f'bbox_pred_{i}' for i in range(6)]),
    'segmentation': ('configs/_toy_/deeplabv3_mobilevit-xxs_toy-seg.py', (96, 96),
                     ['seg_logits']),
}


# (detection: test_ssdlite_mobilevit.py's raw-outputs test runs this tool on the trained
# toy detector and decodes the graph's outputs to mmdet's predictions)
@pytest.mark.parametrize('task', ['classification', 'segmentation'])
def test_export_checks_and_onnxruntime_parity(task, tmp_path):
    config, shape, names = CASES[task]
    out = str(tmp_path / f'{task}.onnx')
    # classification and detection at the size of the config's test pipeline (64: its
    # CenterCrop; 192: its Resize), segmentation at a size given
    args = ['--shape', str(shape[0]), str(shape[1])] if task == 'segmentation' else []
    log = run_tool(['tools/deployment/export.py', config, 'none', '--out', out]
                   + args).stdout
    assert f'input [N, 3, {shape[0]}, {shape[1]}]' in log
    assert f'exported {task} model' in log and '(deploy backbone)' in log
    assert 'dynamic batch' in log and 'onnxruntime vs PyTorch' in log
    opset, ops = check_graph(out)
    assert opset >= 13 and 'Col2Im' not in ops
    session = ort_session(out, threads=2)
    assert [o.name for o in session.get_outputs()] == names
    # its threads sleep between runs: PyTorch's pre-/post-processing gets the cores
    spinning = 'session.intra_op.allow_spinning'
    assert session.get_session_options().get_session_config_entry(spinning) == '0'
    assert ort_session(out, threads=2, spinning=True).get_session_options(
    ).get_session_config_entry(spinning) == '1'
    # the tool compared with PyTorch at batch 1 and 2; any batch size runs
    x = np.random.default_rng(0).standard_normal((3, 3) + shape).astype(np.float32)
    got = session.run(None, {'input': x})
    assert all(o.shape[0] == 3 for o in got)
    if task == 'segmentation':
        assert got[0].shape[2:] == shape
        return
    # the parity check is not vacuous: other weights than the exported ones fail
    torch.manual_seed(123)
    model = init_model(osp.join(REPO, config)).eval()
    task = task_of(model.cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05)
    with pytest.raises(CheckFailed, match='differs from PyTorch'):
        compare_with_onnxruntime(TensorOutputs(model, task).eval(), out, shape=shape)


def test_tool_errors(tmp_path):
    proc = run_tool(['tools/deployment/export.py', 'configs/nope.py', 'none'],
                    check=False)
    assert proc.returncode != 0 and 'config not found' in proc.stdout
    proc = run_tool(['tools/deployment/export.py', CASES['classification'][0],
                     'none', '--opset', '11', '--out', str(tmp_path / 'x.onnx')],
                    check=False)
    assert proc.returncode != 0 and 'opset 11' in proc.stdout


@pytest.mark.parametrize('arch', ['mobilevitv2-0.5', 'mobilevitv3-0.5'])
def test_v2_blocks_export_their_odd_size_behaviour(arch, tmp_path):
    """At 250x300 the v2-type blocks resize up and keep the size (the reference), in the
    deploy structure and in the exported graph (onnxruntime parity at that size). The
    separable attention exports in its patch-major ONNX form (no split, no 6-D
    reductions) and the model is left as it was."""
    import onnx

    from mmmobilevit.deployment import export_onnx
    from mmmobilevit.models.backbones import MobileViTBackbone
    from mmmobilevit.models.layers.linear_attention import LinearSelfAttention
    from mmmobilevit.models.utils import switch_to_deploy
    model = MobileViTBackbone(arch, out_indices=(3, 4)).eval()
    switch_to_deploy(model)
    x = torch.rand(2, 3, 250, 300)
    with torch.no_grad():
        assert [tuple(o.shape[-2:]) for o in model(x)] == [(16, 20), (8, 10)]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    path = str(tmp_path / 'backbone.onnx')
    export_onnx(model, x, path)
    assert compare_with_onnxruntime(model, path, shape=(250, 300), threads=2) < 1e-4
    layers = [m for m in model.modules() if isinstance(m, LinearSelfAttention)]
    assert all(type(m) is LinearSelfAttention and not hasattr(m, '_qkv_parts')
               for m in layers)
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())
    graph = onnx.shape_inference.infer_shapes(onnx.load(path)).graph
    ops = [n.op_type for n in graph.node]
    assert 'Split' not in ops and 'Slice' not in ops
    assert ops.count('ReduceSum') == len(layers)
    ranks = {v.name: len(v.type.tensor_type.shape.dim) for v in graph.value_info}
    assert all(ranks.get(n.input[0]) == 4 for n in graph.node if n.op_type == 'ReduceSum')


def test_openvino_target_writes_fp32_ir_that_runs_as_pytorch(tmp_path):
    """``--target openvino``: OpenVINO IR (.xml + .bin, fp32 weights) converted from the
    ONNX graph, checked by the tool with OpenVINO in float32 against PyTorch (#36)."""
    from mmmobilevit.deployment.openvino_runtime import openvino_session
    config, shape, names = CASES['classification']
    out = str(tmp_path / 'cls.xml')
    log = run_tool(['tools/deployment/export.py', config, 'none', '--target', 'openvino',
                    '--out', out]).stdout
    assert 'OpenVINO IR (fp32 weights)' in log and 'OpenVINO (f32) vs PyTorch' in log
    assert osp.isfile(out) and osp.isfile(str(tmp_path / 'cls.bin'))
    assert osp.isfile(str(tmp_path / 'cls.onnx'))  # the graph it came from
    ir = open(out).read()
    assert 'element_type="f32"' in ir and 'element_type="f16"' not in ir  # fp32 weights
    session = openvino_session(out, threads=2)
    assert [o.name for o in session.get_outputs()] == names
    x = np.random.default_rng(0).standard_normal((3, 3) + shape).astype(np.float32)
    assert session.run(None, {session.get_inputs()[0].name: x})[0].shape[0] == 3
    proc = run_tool(['tools/deployment/export.py', config, 'none', '--target', 'openvino',
                     '--out', str(tmp_path / 'cls.onnx')], check=False)
    assert proc.returncode != 0 and 'writes a .xml file' in proc.stdout
