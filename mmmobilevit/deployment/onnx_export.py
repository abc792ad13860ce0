"""ONNX export of mmmobilevit's classifiers, SSDLite detectors and DeepLabv3 / PSPNet
segmentors.

The exported graph is the network only, on a preprocessed ``[N, 3, H, W]`` float input
(mean/std normalised and RGB as the config's ``data_preprocessor`` makes it), with a
dynamic batch dimension:

=============== =====================================================================
task            outputs
=============== =====================================================================
classification  ``logits`` ``[N, num_classes]`` (apply softmax for scores)
detection       ``cls_score_<i>`` ``[N, A_i * (C + 1), H_i, W_i]`` and ``bbox_pred_<i>``
                ``[N, A_i * 4, H_i, W_i]`` for the six SSDLite levels: the raw head
                outputs. Decoding and NMS stay outside the graph, as ml-cvnets'
                ``SingleShotDetector.predict`` does them (``SSDLiteHead.predict_by_feat``
                on these tensors): per level, permute to ``[N, H_i, W_i, A_i, ...]``,
                softmax over C + 1 classes (the last is background), decode the offsets
                against ml-cvnets' anchors (fractions of the image, clamped to [0, 1];
                centre variance 0.1, size variance 0.2, no clamp of the size offsets),
                then the release's NMS from the config's ``test_cfg`` (v0.1: per class
                score > 0.01, NMS IoU 0.5, 200 per class; v0.2 / v3 widths: score > 0.01,
                400 per class, class-aware NMS 0.5, 200 per image).
segmentation    ``seg_logits`` ``[N, num_classes, H, W]``: the decode head's logits
                resized bilinearly to the input size with the head's
                ``align_corners`` (ml-cvnets' upsampling by the output stride: False
                for the v0.1 releases, True for v0.2 and MobileViTv3-v2); argmax over
                classes is the mask. The release's step to the original image
                (``MLCVNetsEncoderDecoder``: nearest for v0.1; for v0.2 one bilinear
                upsampling from the head's logits instead) is the caller's.
=============== =====================================================================
"""
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

TASKS = {'mmpretrain': 'classification', 'mmdet': 'detection',
         'mmseg': 'segmentation'}


class CheckFailed(RuntimeError):
    """An exported graph that breaks a requirement (ops, opset, parity)."""


def task_of(cfg: Config) -> str:
    """'classification' / 'detection' / 'segmentation' from a config's default scope."""
    scope = cfg.get('default_scope')
    if scope not in TASKS:
        raise ValueError(f'cannot tell the task of a config with default_scope={scope!r}; '
                         f'expected one of {sorted(TASKS)}')
    return TASKS[scope]


def detection_output_names(num_outputs: int) -> List[str]:
    """``cls_score_<i>`` then ``bbox_pred_<i>`` for the ``num_outputs // 2`` levels."""
    levels = num_outputs // 2
    return ([f'cls_score_{i}' for i in range(levels)]
            + [f'bbox_pred_{i}' for i in range(levels)])


#: the size used where a config's test pipeline names none
FALLBACK_SIZES = {'classification': (256, 256), 'detection': (320, 320),
                  'segmentation': (512, 512)}


def _hw(size: Any) -> Tuple[int, int]:
    """``(h, w)`` of an OpenMMLab ``scale`` / ``crop_size`` (an int or ``(w, h)``)."""
    if isinstance(size, (int, float)):
        return (int(size), int(size))
    return (int(size[1]), int(size[0]))


def pipeline_input_size(pipeline: Sequence[dict]) -> Optional[Tuple[int, int]]:
    """``(h, w)`` that a test pipeline gives the model: its last crop or resize
    (``CenterCrop``; ``Resize``: its ``scale``, the box a ``keep_ratio`` resize fits
    into; a short-side resize as a square of that side); None where it has none."""
    for step in reversed(list(pipeline or [])):
        kind = str(step.get('type', '')).split('.')[-1]
        if kind == 'CenterCrop' and step.get('crop_size'):
            return _hw(step['crop_size'])
        if kind == 'Resize' and step.get('scale'):
            return _hw(step['scale'])
        if kind == 'ShortSideResize' and step.get('short_side'):
            return _hw(step['short_side'])
        if kind == 'ResizeEdge' and step.get('edge', 'short') == 'short' and step.get('scale'):
            return _hw(step['scale'])
    return None


def default_input_size(cfg: Config, task: str) -> Tuple[int, int]:
    """The export and calibration size of a config: what its test pipeline gives the
    model (:func:`pipeline_input_size`), else :data:`FALLBACK_SIZES`."""
    dataloader = cfg.get('test_dataloader') or cfg.get('val_dataloader') or {}
    dataset = dataloader.get('dataset') or {}
    while 'pipeline' not in dataset and isinstance(dataset.get('dataset'), dict):
        dataset = dataset['dataset']  # wrappers (MultiScaleDataset, RepeatDataset)
    size = pipeline_input_size(dataset.get('pipeline') or cfg.get('test_pipeline') or [])
    if size is None and task == 'detection' and cfg.get('input_size'):
        size = _hw(cfg.input_size)
    return size or FALLBACK_SIZES[task]


class TensorOutputs(nn.Module):
    """A task model as a plain tensor -> tensors function (the graph ONNX gets).

    Args:
        model (nn.Module): An mmpretrain classifier, mmdet single-stage detector or
            mmseg encoder-decoder.
        task (str): Its task (see :func:`task_of`).
    """

    def __init__(self, model: nn.Module, task: str) -> None:
        super().__init__()
        self.model = model
        self.task = task

    def output_names(self, num_outputs: int) -> List[str]:
        if self.task == 'detection':
            return detection_output_names(num_outputs)
        return ['logits' if self.task == 'classification' else 'seg_logits']

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.task == 'classification':
            return self.model(x, mode='tensor')
        if self.task == 'detection':
            cls_scores, bbox_preds = self.model(x, mode='tensor')
            return tuple(cls_scores) + tuple(bbox_preds)
        logits = self.model(x, mode='tensor')
        head = self.model.decode_head
        return nn.functional.interpolate(logits, size=x.shape[2:], mode='bilinear',
                                         align_corners=head.align_corners)


def format_op_counts(counts: Dict[str, int]) -> str:
    """``'conv 35, linear 37, ...'``: most frequent first, ties by name."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ', '.join(f'{op} {n}' for op, n in ordered)


def to_nchw(model: nn.Module) -> None:
    """Weights in contiguous (NCHW) memory, and a channels-last
    :class:`~mmmobilevit.models.MobileViTBackbone` no longer converting its input: the
    layout the ExecuTorch, Core ML and LiteRT converters take (no memory-format
    changes in the graph)."""
    for module in model.modules():
        if getattr(module, 'channels_last', False) is True:
            module.channels_last = False
    for tensor in list(model.parameters()) + list(model.buffers()):
        tensor.data = tensor.data.contiguous()


def as_tuple(outputs: Any) -> Tuple[torch.Tensor, ...]:
    return outputs if isinstance(outputs, (tuple, list)) else (outputs, )


def export_onnx(module: nn.Module, example: torch.Tensor, path: str, opset: int = 18,
                dynamic_batch: bool = True, verbose: bool = False) -> Tuple[List[str], float]:
    """Export ``module(example)`` to ``path`` with torch's (dynamo) ONNX exporter, as
    one self-contained file (weights inside, no ``.data`` beside it). The layers with an
    ONNX form (:mod:`.onnx_forms`) export in it; ``module`` is left as it was.

    Returns the output names and the export time in seconds.
    """
    if opset < 13:
        raise ValueError(f'opset {opset} < 13 is not supported')
    with torch.no_grad():
        outputs = as_tuple(module(example))
    names = (module.output_names(len(outputs)) if hasattr(module, 'output_names')
             else [f'output_{i}' for i in range(len(outputs))])
    dynamic = ({0: torch.export.Dim('batch', min=1, max=1024)}, ) if dynamic_batch \
        else None
    from .onnx_forms import onnx_forms
    start = time.perf_counter()
    with onnx_forms(module):
        torch.onnx.export(module, (example, ), path, dynamo=True, opset_version=opset,
                          input_names=['input'], output_names=names,
                          dynamic_shapes=dynamic, verbose=verbose, external_data=False)
    return names, time.perf_counter() - start


def check_graph(path: str, min_opset: int = 13,
                forbidden: Sequence[str] = ('Col2Im', )) -> Tuple[int, List[str]]:
    """Raise :class:`CheckFailed` if the graph uses a forbidden op or a low opset.

    Returns ``(opset, sorted op types)``.
    """
    import onnx
    model = onnx.load(path)
    onnx.checker.check_model(model)
    opset = max(o.version for o in model.opset_import if o.domain in ('', 'ai.onnx'))
    ops = sorted({n.op_type for n in model.graph.node})
    bad = [op for op in ops if op in forbidden]
    if opset < min_opset:
        raise CheckFailed(f'{path}: opset {opset} < {min_opset}')
    if bad:
        raise CheckFailed(f'{path}: uses {bad}')
    batch = model.graph.input[0].type.tensor_type.shape.dim[0]
    if not batch.dim_param:
        raise CheckFailed(f'{path}: the batch dimension is not dynamic')
    return opset, ops


def ort_session(path: str, threads: Optional[int] = None, spinning: bool = False) -> Any:
    """An onnxruntime CPU session with ``threads`` intra-op threads.

    ``spinning=False`` (onnxruntime's default is True) makes its intra-op threads sleep
    when a run ends instead of busy-waiting for the next one. Between runs, the task's
    own pre- and post-processing runs in PyTorch on the same cores; with spinning
    threads beside it, it runs slower (``benchmark.py --task seg`` times the
    post-processing), and the runs themselves are no faster. Keep it on only for
    back-to-back runs with nothing in between.
    """
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    options.add_session_config_entry('session.intra_op.allow_spinning',
                                     '1' if spinning else '0')
    options.log_severity_level = 3
    return ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])


def compare_outputs(module: nn.Module, session: Any, runtime: str = 'onnxruntime',
                    batch_sizes: Sequence[int] = (1, 2),
                    shape: Tuple[int, int] = (256, 256), atol: float = 1e-4,
                    seed: int = 0) -> float:
    """Run PyTorch and a runtime's ``session`` (onnxruntime's, or
    :class:`~mmmobilevit.deployment.openvino_runtime.OpenVINOSession`) on the same
    random inputs; raise :class:`CheckFailed` past ``atol``.

    The tolerance is on the absolute difference relative to the output's scale
    (``max|a - b| / max(1, max|a|)``). Returns the worst relative difference.
    """
    gen = torch.Generator().manual_seed(seed)
    worst = 0.
    for n in batch_sizes:
        x = torch.randn(n, 3, *shape, generator=gen)
        with torch.no_grad():
            expected = [t.float().numpy() for t in as_tuple(module(x))]
        got = session.run(None, {session.get_inputs()[0].name: x.numpy()})
        if len(got) != len(expected):
            raise CheckFailed(f'{len(got)} {runtime} outputs vs {len(expected)}')
        for name, a, b in zip([o.name for o in session.get_outputs()], expected, got):
            if a.shape != b.shape:
                raise CheckFailed(f'{name} at batch {n}: shape {b.shape} vs {a.shape}')
            diff = float(np.abs(a - b).max() / max(1., float(np.abs(a).max())))
            worst = max(worst, diff)
            if diff > atol:
                raise CheckFailed(f'{name} at batch {n}: {runtime} differs from PyTorch '
                                  f'by {diff:.2e} (> {atol:g})')
    return worst


def compare_with_onnxruntime(module: nn.Module, path: str,
                             batch_sizes: Sequence[int] = (1, 2),
                             shape: Tuple[int, int] = (256, 256), atol: float = 1e-4,
                             threads: Optional[int] = None, seed: int = 0) -> float:
    """:func:`compare_outputs` with an onnxruntime session of the graph at ``path``."""
    return compare_outputs(module, ort_session(path, threads), 'onnxruntime', batch_sizes,
                           shape, atol, seed)
