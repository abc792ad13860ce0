"""onnxruntime as the network of an mmpretrain / mmdet / mmseg model.

:func:`use_onnxruntime` keeps a task model's own pre- and post-processing (the data
preprocessor, ``ClsHead._get_predictions``, SSDLite's decoding and NMS, the segmentor's
resizes) and runs only its network, ``model(x, mode='tensor')``, as an exported ONNX
graph in onnxruntime. So ``inference_detector`` / ``inference_model`` /
``ImageClassificationInferencer``, ``Runner.test`` and the metrics work unchanged.

The graph is exported lazily, one per input size (the batch is dynamic), from the
model's weights at the time of the first call at that size (so an EMA swap before
testing is what gets exported; weights changed in place later, e.g. by
``load_state_dict``, select another graph), with the whole model in deploy form (BatchNorms and
norm affines folded). Exports are cached on disk under
``$MMMOBILEVIT_HOME/onnx`` (default ``~/.cache/mmmobilevit/onnx``), keyed by a hash of
the weights, the model config, the input size, the torch version, the opset and, for
int8, the calibration inputs; a file is written under a temporary name and renamed, so
an interrupted export leaves nothing half-written.

``runtime='executorch'`` runs an ExecuTorch program (XNNPACK) lowered from the same
deployed network instead, one per input size at batch 1, cached as ``.pte`` beside the
graphs.

int8 (``precision='int8'``): onnxruntime's post-training static quantization
(``quantize_static``, QDQ format, per-channel int8 weights, uint8 activations,
percentile calibration; convolutions, weight layers, SiLU and residual adds,
:data:`QUANTIZED_OPS`; the attention products stay fp32) of the fp32
graph, calibrated on the given preprocessed inputs (resized bilinearly to the graph's
input size where they differ).
"""
import copy
import hashlib
import os
import os.path as osp
import time
from importlib.metadata import version as package_version
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..checkpoint.io import sha256_of, write_atomically
from .onnx_export import detection_output_names, export_onnx, ort_session, task_of

PRECISIONS = ('fp32', 'int8')
BACKENDS = ('pytorch', 'onnxruntime', 'onnxruntime-int8', 'openvino', 'openvino-int8',
            'executorch', 'executorch-int8')
#: what runs the exported network: onnxruntime, or OpenVINO reading the same ONNX file,
#: or ExecuTorch (XNNPACK) running a program lowered from the model, one per input size
RUNTIMES = ('onnxruntime', 'openvino', 'executorch')
_MODEL_PATCHES = ('extract_feat', 'train', 'onnxruntime_network')
_HEAD_PATCHES = ('forward', )


def onnx_cache_dir() -> str:
    """``$MMMOBILEVIT_HOME/onnx`` (default ``~/.cache/mmmobilevit/onnx``)."""
    home = os.environ.get('MMMOBILEVIT_HOME') or osp.join(
        os.environ.get('XDG_CACHE_HOME') or osp.expanduser('~/.cache'), 'mmmobilevit')
    return osp.join(home, 'onnx')


def hash_tensors(tensors: Sequence[Tuple[str, torch.Tensor]]) -> str:
    """sha256 of names, dtypes, shapes and bytes of ``(name, tensor)`` pairs."""
    digest = hashlib.sha256()
    for name, tensor in tensors:
        t = tensor.detach().cpu().contiguous()
        digest.update(f'{name}|{t.dtype}|{tuple(t.shape)}|'.encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


class NetworkOutputs(nn.Module):
    """``model(x, mode='tensor')`` as a flat tuple of tensors (what the graph returns).

    classification: ``(logits, )``; detection: the per-level class scores then the
    per-level box offsets; segmentation: the decode head's logits at its own stride.
    """

    def __init__(self, model: nn.Module, task: str) -> None:
        super().__init__()
        self.model = model
        self.task = task

    def output_names(self, num_outputs: int) -> List[str]:
        if self.task == 'detection':
            return detection_output_names(num_outputs)
        return ['logits' if self.task == 'classification' else 'seg_head_logits']

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        out = self.model(x, mode='tensor')
        if self.task == 'detection':
            cls_scores, bbox_preds = out
            return tuple(cls_scores) + tuple(bbox_preds)
        return (out, )


def head_outputs(task: str, outputs: List[torch.Tensor]) -> Any:
    """The flat graph outputs in the structure the task's head ``forward`` returns."""
    if task == 'detection':
        levels = len(outputs) // 2
        return list(outputs[:levels]), list(outputs[levels:])
    return outputs[0]


class NetworkResult:
    """What the patched ``extract_feat`` returns: the graph's outputs, passed through the
    neck-less path to the head, whose patched ``forward`` unwraps them."""

    def __init__(self, outputs: Any) -> None:
        self.outputs = outputs


def _head_of(model: nn.Module, task: str) -> nn.Module:
    name = {'classification': 'head', 'detection': 'bbox_head',
            'segmentation': 'decode_head'}[task]
    head = getattr(model, name, None)
    if head is None:
        raise ValueError(f'a {task} model without {name!r} cannot run in onnxruntime')
    return head


def _calibration_reader(name: str, inputs: Sequence[np.ndarray]) -> Any:
    """The inputs one by one, in ranges that ``quantize_static`` selects with
    ``set_range`` (its ``CalibStridedMinMax`` option, which works for every
    calibration method)."""
    from onnxruntime.quantization import CalibrationDataReader

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def __len__(self) -> int:
            return len(inputs)

        def set_range(self, start_index: int, end_index: int) -> None:
            self.items = iter(inputs[start_index:end_index])

        def get_next(self) -> Optional[Dict[str, np.ndarray]]:
            item = next(self.items, None)
            return None if item is None else {name: item}

    return Reader()


#: The ops quantized by default: the convolutions, the layers with weights (``MatMul``
#: with a constant second input, ``Gemm``) and the elementwise ops between them (SiLU's
#: ``Sigmoid`` and ``Mul``, residual ``Add``), so that a conv's int8 output feeds the
#: next conv without a round trip through fp32. The attention's activation-activation
#: MatMuls, Softmax and LayerNorm stay fp32 (:func:`activation_matmuls`). Quantizing the
#: convolutions and weight layers alone left the int8 graph no faster than fp32; with
#: SiLU and Add it is faster (``benchmark.py``'s onnxruntime-int8 row measures it).
QUANTIZED_OPS = ('Conv', 'MatMul', 'Gemm', 'Sigmoid', 'Mul', 'Add')

#: What the int8 graphs keep in fp32, part of their cache key (graphs cached before this
#: rule quantized the attention products).
FP32_NODES_RULE = 'fp32: MatMuls of two activations and the Muls feeding only them'

#: Ops that only move or reshape a tensor: a MatMul whose B input reaches an
#: initializer through them multiplies by weights.
_LAYOUT_OPS = ('Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Flatten')


def activation_matmuls(graph: Any) -> List[str]:
    """Names of the nodes that stay fp32 in int8: the MatMuls of two activations
    (attention's ``q @ k^T`` and ``weights @ v``; B reaches no initializer through
    layout ops) and the Muls that feed only those (the ``q`` scale).

    onnxruntime's ``MatMulConstBOnly`` option means this, but its QDQ quantizer
    (1.31) ignores it and quantizes every MatMul. Quantized, the attention products
    and their softmax (``QLinearSoftmax``) made the int8 graph slower
    (``benchmark.py``) with the same top-1 agreement.
    """
    initializers = {init.name for init in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: Dict[str, List[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def reaches_initializer(name: str) -> bool:
        while name not in initializers:
            node = producer.get(name)
            if node is None or node.op_type not in _LAYOUT_OPS:
                return False
            name = node.input[0]
        return True

    names = [node.name for node in graph.node
             if node.op_type == 'MatMul' and not reaches_initializer(node.input[1])]
    kept = set(names)
    names += [node.name for node in graph.node if node.op_type == 'Mul'
              and consumers.get(node.output[0])
              and all(c.name in kept for c in consumers[node.output[0]])]
    return names


#: Activation ranges: the 0.001-99.999th percentiles of the calibration activations
#: (onnxruntime's ``Percentile``), which clip rare outliers that MinMax would stretch
#: the 256 levels over. MobileViT-S (random weights, 1,000 fixed inputs): logit SQNR
#: 28.3 dB and top-1 agreement 92.9% with fp32, against 26.9 dB and 88.2% for MinMax.
CALIBRATION_METHODS = ('percentile', 'minmax')
DEFAULT_CALIBRATION_METHOD = 'percentile'
CALIB_PERCENTILE = 99.999


def quantize_onnx(fp32_path: str, int8_path: str, calibration: Sequence[np.ndarray],
                  per_channel: bool = True,
                  op_types: Optional[Sequence[str]] = QUANTIZED_OPS,
                  method: str = DEFAULT_CALIBRATION_METHOD) -> float:
    """Static int8 quantization of ``op_types`` (default :data:`QUANTIZED_OPS`;
    None: all that onnxruntime supports): QDQ format, int8 weights per output channel,
    uint8 activations with ranges (``method``, one of :data:`CALIBRATION_METHODS`) over
    ``calibration``, a sequence of ``[N, 3, H, W]`` float inputs. The attention
    products stay fp32 (:func:`activation_matmuls`).

    Writes ``int8_path`` (atomically) and returns the seconds it took.
    """
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    if not len(calibration):
        raise ValueError('int8 quantization needs at least one calibration input')
    if method not in CALIBRATION_METHODS:
        raise ValueError(f'method must be one of {CALIBRATION_METHODS}, got {method!r}')
    calibrate_method = dict(percentile=CalibrationMethod.Percentile,
                            minmax=CalibrationMethod.MinMax)[method]
    start = time.perf_counter()
    import onnx
    graph = onnx.load(fp32_path, load_external_data=False).graph
    initializers = {init.name for init in graph.initializer}
    name = next(i.name for i in graph.input if i.name not in initializers)
    keep_fp32 = activation_matmuls(graph)
    del graph
    if not all(keep_fp32):
        raise ValueError(f'{fp32_path}: an attention MatMul has no node name, so it '
                         'cannot be kept in fp32 (export the graph with export_onnx)')
    partial = f'{int8_path}.{os.getpid()}.partial.onnx'
    try:
        quantize_static(fp32_path, partial, _calibration_reader(name, calibration),
                        quant_format=QuantFormat.QDQ, per_channel=per_channel,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=calibrate_method,
                        op_types_to_quantize=list(op_types) if op_types else None,
                        nodes_to_exclude=keep_fp32,
                        extra_options={'MatMulConstBOnly': True,
                                       'CalibPercentile': CALIB_PERCENTILE,
                                       # one input at a time: onnxruntime otherwise
                                       # keeps every activation of every calibration
                                       # input at once (DeepLabv3-S at 512x512, 16
                                       # inputs: killed out of memory at 23 GiB)
                                       'CalibStridedMinMax': 1})
        os.replace(partial, int8_path)
    finally:
        for leftover in (partial, partial + '.data'):
            if osp.exists(leftover):
                os.remove(leftover)
    return time.perf_counter() - start


#: beside each cached graph: the sha256 of the file as it was written
CHECKSUM_SUFFIX = '.sha256'


def _digest(path: str) -> str:
    """sha256 of a cached file; of an OpenVINO IR's ``.xml`` and its ``.bin`` both."""
    if path.endswith('.xml'):
        weights = path[:-4] + '.bin'
        return sha256_of(path) + (' ' + sha256_of(weights) if osp.isfile(weights)
                                  else ' missing-bin')
    return sha256_of(path)


def _write_checksum(path: str) -> None:
    write_atomically(path + CHECKSUM_SUFFIX, _digest(path).encode())


class OnnxRuntimeNetwork:
    """The network of ``model`` run as an exported ONNX graph, one cached graph per
    input size, by onnxruntime or OpenVINO (``runtime``).

    Args:
        model (nn.Module): An mmpretrain classifier, mmdet single-stage detector or
            mmseg encoder-decoder, with ``model.cfg``.
        precision (str): ``'fp32'`` or ``'int8'``.
        calibration (Sequence[Tensor], optional): Preprocessed ``[N, 3, H, W]`` inputs
            for int8; needed with ``precision='int8'``.
        threads (int, optional): onnxruntime's intra-op threads (default: torch's).
        opset (int): ONNX opset of the export.
        cache_dir (str, optional): Where graphs are cached (default
            :func:`onnx_cache_dir`).
        log (callable, optional): Progress messages (default ``print``).
        runtime (str): ``'onnxruntime'``, ``'openvino'`` (OpenVINO compiles the same
            cached ONNX graph, in float32, or its NNCF int8 IR;
            :func:`~mmmobilevit.deployment.openvino_runtime.openvino_session`) or
            ``'executorch'`` (an ExecuTorch program delegated to XNNPACK,
            :mod:`~mmmobilevit.deployment.executorch_export`, exported at batch 1 per
            input size and cached as a ``.pte``; a batch runs image by image; int8:
            PT2E static quantization with the XNNPACK quantizer,
            :func:`~mmmobilevit.deployment.executorch_export.quantize_for_xnnpack`).
    """

    def __init__(self, model: nn.Module, precision: str = 'fp32',
                 calibration: Optional[Sequence[torch.Tensor]] = None,
                 threads: Optional[int] = None, opset: int = 18,
                 cache_dir: Optional[str] = None,
                 log: Optional[Callable[[str], None]] = None,
                 runtime: str = 'onnxruntime') -> None:
        if precision not in PRECISIONS:
            raise ValueError(f'precision must be one of {PRECISIONS}, got {precision!r}')
        if runtime not in RUNTIMES:
            raise ValueError(f'runtime must be one of {RUNTIMES}, got {runtime!r}')
        if precision == 'int8' and not calibration:
            raise ValueError("precision='int8' needs calibration inputs")
        cfg = getattr(model, 'cfg', None)
        if cfg is None:
            raise ValueError('the model has no .cfg (build it with init_model / the '
                             "task's init API, or set model.cfg)")
        self.model = model
        self.runtime = runtime
        self.task = task_of(cfg)
        self.precision = precision
        self.calibration = [c.detach().float().cpu() for c in calibration or []]
        self.threads = threads or torch.get_num_threads()
        self.opset = opset
        self.cache_dir = cache_dir or onnx_cache_dir()
        self.log = log or print
        self.sessions: Dict[Tuple[int, int], Any] = {}
        self.paths: Dict[Tuple[int, int], str] = {}
        self._weights_version = self.weights_version()
        self._config_text = cfg.pretty_text if hasattr(cfg, 'pretty_text') else str(cfg)

    # -- the cache -----------------------------------------------------------------
    def cache_key(self, size: Tuple[int, int], precision: Optional[str] = None,
                  weights: Optional[str] = None) -> str:
        """Hash of weights, model config, input size, torch version, opset (and, for
        int8, the calibration inputs and the quantization recipe); ``precision``
        defaults to this network's, ``weights`` (a :func:`hash_tensors` digest) to the
        model's current weights."""
        import onnxruntime
        digest = hashlib.sha256()
        digest.update((weights or self.weights_digest()).encode())
        model_cfg = getattr(self.model.cfg, 'model', None)
        digest.update(str(model_cfg if model_cfg is not None else
                          self._config_text).encode())
        digest.update(f'|{size}|torch {torch.__version__}|opset {self.opset}'.encode())
        if self.runtime == 'executorch':  # the program: its version and our forms
            from . import xnnpack_forms
            digest.update(f'|executorch {package_version("executorch")} xnnpack batch 1|'
                          f'{sorted(xnnpack_forms.FORMS.values(), key=str)}'.encode())
        else:  # an ONNX graph: the forms it exports in
            from . import onnx_forms
            digest.update(f'|onnx forms {sorted(onnx_forms.FORMS.values(), key=str)}|'
                          .encode())
        if (precision or self.precision) == 'int8':
            # the recipe too: a changed op set or calibration makes another graph
            if self.runtime == 'openvino':
                from .openvino_runtime import NNCF_RECIPE
                digest.update(f'|int8 nncf {package_version("nncf")} '
                              f'openvino {package_version("openvino")}'
                              f'|{NNCF_RECIPE}|'.encode())
            elif self.runtime == 'executorch':
                from .executorch_export import XNNPACK_INT8_RECIPE
                digest.update(f'|int8 pt2e torchao {package_version("torchao")}|'
                              f'{XNNPACK_INT8_RECIPE}|'.encode())
            else:
                digest.update(f'|int8 ort {onnxruntime.__version__}|{QUANTIZED_OPS}|'
                              f'{DEFAULT_CALIBRATION_METHOD} {CALIB_PERCENTILE}|'
                              f'{FP32_NODES_RULE}|'.encode())
            digest.update(hash_tensors([(str(i), c) for i, c in
                                        enumerate(self.calibration)]).encode())
        return digest.hexdigest()[:24]

    def weights_digest(self) -> str:
        """:func:`hash_tensors` of the model's ``state_dict``."""
        return hash_tensors(sorted(self.model.state_dict().items()))

    def graph_path(self, size: Tuple[int, int]) -> str:
        """The cached graph for ``size`` (``(H, W)``), exported / quantized if missing."""
        if size in self.paths:
            return self.paths[size]
        os.makedirs(self.cache_dir, exist_ok=True)
        weights = self.weights_digest()  # hashed once for both keys
        stem = '{}_{}x{}_{}'.format(self.task, size[0], size[1],
                                    self.cache_key(size, 'fp32', weights))
        fp32 = osp.join(self.cache_dir, f'{stem}.onnx')
        if self.runtime == 'executorch' and self.precision == 'int8':
            # quantized from the PyTorch network (PT2E), not from the fp32 program
            path = osp.join(self.cache_dir, '{}_{}x{}_{}.int8.pte'.format(
                self.task, size[0], size[1], self.cache_key(size, 'int8', weights)))
            if not self._cached(path):
                self._export_executorch(size, path, int8=True)
                _write_checksum(path)
            self.paths[size] = path
            return path
        if self.runtime == 'executorch':
            fp32 = osp.join(self.cache_dir, f'{stem}.pte')
        if not self._cached(fp32):
            if self.runtime == 'executorch':
                self._export_executorch(size, fp32)
            else:
                self._export(size, fp32)
            _write_checksum(fp32)
        path = fp32
        if self.precision == 'int8':
            suffix = '.openvino-int8.xml' if self.runtime == 'openvino' else '.int8.onnx'
            path = osp.join(self.cache_dir, '{}_{}x{}_{}{}'.format(
                self.task, size[0], size[1], self.cache_key(size, 'int8', weights), suffix))
            if not self._cached(path):
                self.log(f'{self.runtime}: quantizing to int8 with '
                         f'{len(self.calibration)} calibration input(s) ...')
                start = time.perf_counter()
                if self.runtime == 'openvino':
                    self._quantize_openvino(fp32, path, size)
                else:
                    quantize_onnx(fp32, path, self._calibration_at(size))
                _write_checksum(path)
                self.log(f'{self.runtime}: int8 graph {path} '
                         f'({time.perf_counter() - start:.1f} s)')
        self.paths[size] = path
        return path

    def _cached(self, path: str) -> bool:
        """Whether ``path`` is a cached graph to use: present, with the checksum written
        beside it when it was made, and equal to it. A graph that is not (a corrupted or
        truncated file, one of an older version without a checksum) is removed, saying
        so, to be made anew."""
        if not osp.isfile(path):
            return False
        checksum = path + CHECKSUM_SUFFIX
        expected = open(checksum).read().strip() if osp.isfile(checksum) else None
        if expected is not None and expected == _digest(path):
            return True
        self.log(f'onnxruntime: the cached graph {path} '
                 + ('differs from the checksum written with it (corrupted or truncated)'
                    if expected else 'has no checksum beside it') + ': making it anew')
        for stale in (path, path + '.data', path[:-4] + '.bin' if path.endswith('.xml')
                      else path + '.bin', checksum):
            if osp.exists(stale):
                os.remove(stale)
        return False

    def _calibration_at(self, size: Tuple[int, int]) -> List[np.ndarray]:
        out = []
        for x in self.calibration:
            if tuple(x.shape[-2:]) != size:
                x = nn.functional.interpolate(x, size=size, mode='bilinear',
                                              align_corners=False)
            out.append(x.contiguous().numpy())
        return out

    def _export(self, size: Tuple[int, int], path: str) -> None:
        from ..models.utils import switch_to_deploy
        self.log(f'onnxruntime: exporting the {self.task} network at {size[0]}x{size[1]} '
                 f'(opset {self.opset}, dynamic batch) ...')
        network = NetworkOutputs(self._plain_copy().cpu().eval(), self.task)
        switch_to_deploy(network.model)
        partial = f'{path}.{os.getpid()}.partial.onnx'
        try:
            _, seconds = export_onnx(network, torch.zeros(2, 3, *size), partial,
                                     opset=self.opset)
            os.replace(partial, path)
        finally:
            for leftover in (partial, partial + '.data'):
                if osp.exists(leftover):
                    os.remove(leftover)
        self.log(f'onnxruntime: exported {path} ({seconds:.1f} s; cached)')

    def _quantize_openvino(self, fp32: str, path: str, size: Tuple[int, int]) -> None:
        """NNCF int8 IR at ``path`` (its ``.xml`` renamed into place last)."""
        from .openvino_runtime import quantize_openvino
        stem = f'{path[:-4]}.{os.getpid()}.partial'
        try:
            quantize_openvino(fp32, stem + '.xml', self._calibration_at(size))
            os.replace(stem + '.bin', path[:-4] + '.bin')
            os.replace(stem + '.xml', path)
        finally:
            for leftover in (stem + '.xml', stem + '.bin'):
                if osp.exists(leftover):
                    os.remove(leftover)

    def _export_executorch(self, size: Tuple[int, int], path: str, int8: bool = False) -> None:
        from ..models.utils import switch_to_deploy
        from .executorch_export import export_executorch, quantize_for_xnnpack
        from .xnnpack_forms import to_xnnpack_forms
        self.log(f'executorch: lowering the {self.task} network at {size[0]}x{size[1]} '
                 f'(batch 1, XNNPACK' + (f', int8 with {len(self.calibration)} calibration '
                                         'input(s)' if int8 else '') + ') ...')
        network = NetworkOutputs(self._plain_copy().cpu().eval(), self.task)
        switch_to_deploy(network.model)
        to_xnnpack_forms(network.model)
        example = torch.zeros(1, 3, *size)
        names = network.output_names(len(network(example)))
        if int8:
            calibration = [torch.from_numpy(x) for x in self._calibration_at(size)]
            network = quantize_for_xnnpack(network, example, calibration)
        result = export_executorch(network, example, path, names)  # atomic
        self.log(f'executorch: {path} ({result["seconds"]:.1f} s, '
                 f'{result["delegation"].describe()}; cached)')

    def _plain_copy(self) -> nn.Module:
        """A deep copy of the model without :func:`use_onnxruntime`'s patches."""
        head = _head_of(self.model, self.task)
        saved = [(m, k, m.__dict__.pop(k)) for m, names in
                 ((self.model, _MODEL_PATCHES), (head, _HEAD_PATCHES))
                 for k in names if k in m.__dict__]
        try:
            return copy.deepcopy(self.model)
        finally:
            for module, name, value in saved:
                module.__dict__[name] = value

    def weights_version(self) -> int:
        """The sum of the version counters of the model's parameters and buffers: it
        grows when they change in place (``load_state_dict``, an optimizer step)."""
        return sum(t._version for t in self.model.parameters()) + \
            sum(t._version for t in self.model.buffers())

    # -- running -------------------------------------------------------------------
    def session(self, size: Tuple[int, int]) -> Any:
        """The runtime's session of the graph for ``size``."""
        if size not in self.sessions:
            if self.runtime == 'openvino':
                from .openvino_runtime import openvino_session
                self.sessions[size] = openvino_session(self.graph_path(size), self.threads)
            elif self.runtime == 'executorch':
                from .executorch_export import ExecuTorchSession
                self.sessions[size] = ExecuTorchSession(self.graph_path(size),
                                                        threads=self.threads)
            else:
                self.sessions[size] = ort_session(self.graph_path(size), self.threads)
        return self.sessions[size]

    def __call__(self, inputs: torch.Tensor) -> List[torch.Tensor]:
        """The flat graph outputs (:class:`NetworkOutputs`) for ``inputs``."""
        if inputs.dim() != 4:
            raise ValueError(f'expected [N, 3, H, W] inputs, got shape {tuple(inputs.shape)}')
        size = (int(inputs.shape[-2]), int(inputs.shape[-1]))
        version = self.weights_version()
        if version != self._weights_version:  # new weights: other graphs (or cached ones)
            self.sessions.clear()
            self.paths.clear()
            self._weights_version = version
        session = self.session(size)
        array = inputs.detach().float().cpu().contiguous().numpy()
        name = session.get_inputs()[0].name
        if self.runtime == 'executorch':  # a batch-1 program: image by image
            runs = [session.run(None, {name: array[i:i + 1]}) for i in range(len(array))]
            outputs = [np.concatenate(parts) for parts in zip(*runs)]
        else:
            outputs = session.run(None, {name: array})
        return [torch.from_numpy(o).to(inputs.device) for o in outputs]


def use_onnxruntime(model: nn.Module, precision: str = 'fp32',
                    calibration: Optional[Sequence[torch.Tensor]] = None,
                    **kwargs) -> nn.Module:
    """Run ``model``'s network in onnxruntime from now on (in place; returns it).

    The model's ``extract_feat`` then returns the graph's outputs and its head's
    ``forward`` passes them on, so every prediction path of the task
    (``predict`` / ``test_step``, the inferencers) runs the graph between the model's
    own pre- and post-processing. Inference only: ``model.train()`` raises afterwards.
    Other arguments: :class:`OnnxRuntimeNetwork`.
    """
    model = getattr(model, 'module', model)
    if getattr(model, 'onnxruntime_network', None) is not None:
        raise ValueError('this model runs in onnxruntime already')
    network = OnnxRuntimeNetwork(model, precision=precision, calibration=calibration,
                                 **kwargs)
    task = network.task
    head = _head_of(model, task)
    head_forward = head.forward

    def extract_feat(inputs: torch.Tensor, *args, **kw) -> NetworkResult:
        return NetworkResult(head_outputs(task, network(inputs)))

    def forward(feats: Any, *args, **kw) -> Any:
        if isinstance(feats, NetworkResult):
            return feats.outputs
        return head_forward(feats, *args, **kw)

    def train(mode: bool = True) -> nn.Module:
        if mode:
            raise RuntimeError('a model whose network runs in onnxruntime cannot train')
        return nn.Module.train(model, False)

    model.eval()
    model.extract_feat = extract_feat
    head.forward = forward
    model.train = train
    model.onnxruntime_network = network
    return model


def calibration_inputs(model: nn.Module, num_images: int = 32,
                       split: str = 'val') -> List[torch.Tensor]:
    """``num_images`` images of the config's ``<split>_dataloader`` dataset, evenly
    spaced over it, through its pipeline and the model's data preprocessor: the
    ``[1, 3, H, W]`` inputs int8 calibration sees (as mmdeploy calibrates on the
    validation set)."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import Runner
    cfg = model.cfg
    loader_cfg = cfg.get(f'{split}_dataloader')
    if not loader_cfg:
        raise ValueError(f'the config has no {split}_dataloader to calibrate on')
    loader_cfg = copy.deepcopy(loader_cfg)
    loader_cfg.update(batch_size=1, num_workers=0, persistent_workers=False,
                      sampler=dict(type='DefaultSampler', shuffle=False))
    loader_cfg.pop('batch_sampler', None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        loader = Runner.build_dataloader(loader_cfg)
        dataset = loader.dataset
        if len(dataset) == 0:
            raise ValueError(f'the {split} dataset is empty: nothing to calibrate on')
        count = min(num_images, len(dataset))
        indices = np.linspace(0, len(dataset) - 1, count).round().astype(int)
        inputs = []
        with torch.no_grad():
            for i in indices:
                batch = loader.collate_fn([dataset[int(i)]])
                inputs.append(model.data_preprocessor(batch, False)['inputs'].float().cpu())
    return inputs


def backend_precision(backend: str) -> Optional[str]:
    """``'pytorch'`` -> None, ``'onnxruntime'`` / ``'openvino'`` / ``'executorch'`` ->
    ``'fp32'``, ``'onnxruntime-int8'`` / ``'openvino-int8'`` / ``'executorch-int8'`` ->
    ``'int8'``."""
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    return {'pytorch': None, 'onnxruntime': 'fp32', 'onnxruntime-int8': 'int8',
            'openvino': 'fp32', 'openvino-int8': 'int8', 'executorch': 'fp32',
            'executorch-int8': 'int8'}[backend]


def use_backend(model: nn.Module, backend: str, calib_images: int = 32,
                calib_split: str = 'val', **kwargs) -> nn.Module:
    """:func:`use_onnxruntime` for a backend name (:data:`BACKENDS`; ``'openvino'``
    runs the same graph in OpenVINO, ``'openvino-int8'`` NNCF's int8 of it there,
    ``'executorch'`` an ExecuTorch program, ``'executorch-int8'`` its PT2E int8); for
    int8 the calibration inputs come from
    :func:`calibration_inputs`."""
    precision = backend_precision(backend)
    if precision is None:
        return model
    calibration = None
    if precision == 'int8':
        calibration = calibration_inputs(getattr(model, 'module', model), calib_images,
                                         calib_split)
    if backend in ('openvino', 'openvino-int8', 'executorch', 'executorch-int8'):
        kwargs.setdefault('runtime', backend.split('-')[0])
    return use_onnxruntime(model, precision=precision, calibration=calibration, **kwargs)
