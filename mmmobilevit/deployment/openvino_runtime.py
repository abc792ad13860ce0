"""OpenVINO as a runtime of the exported ONNX graphs (:mod:`.ort_backend`'s cache).

OpenVINO reads the same verified ONNX file that onnxruntime runs and compiles it for the
CPU. Its default inference precision on CPUs with bf16 units (AMX, AVX512-BF16) is bf16,
whose outputs differ from PyTorch's by ~1e-3; :func:`openvino_session` sets
``INFERENCE_PRECISION_HINT`` to ``f32`` explicitly, so the outputs equal PyTorch's
float32 ones within float rounding on any CPU.

int8 (:func:`quantize_openvino`): NNCF's post-training quantization of the same graph
with its default preset, calibrated on preprocessed inputs, saved as IR. (NNCF's
transformer preset, ``model_type=TRANSFORMER``, breaks MobileViTv2: on mobilevitv2-1.0
its int8 logits kept 0% of fp32's top-1 on 50 smooth random images, SQNR 0 dB, with or
without SmoothQuant; the default preset kept 100%, 34 dB, and 100%, 32 dB on
mobilevit-s.)
"""
import contextlib
import os
from typing import Any, Dict, List, Optional, Sequence

import numpy as np


class OpenVINOSession:
    """An OpenVINO compiled model with the two calls of an onnxruntime session that
    :class:`~mmmobilevit.deployment.ort_backend.OnnxRuntimeNetwork` makes:
    ``get_inputs()`` (objects with ``.name``) and ``run(None, {name: array})`` (the
    outputs as arrays, in the graph's order)."""

    class _Input:  # a port's name, as onnxruntime's NodeArg has it
        def __init__(self, name: str) -> None:
            self.name = name

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.request = compiled.create_infer_request()
        self._inputs = [self._Input(port.get_any_name()) for port in compiled.inputs]

    def get_inputs(self) -> List['OpenVINOSession._Input']:
        return self._inputs

    def get_outputs(self) -> List['OpenVINOSession._Input']:
        return [self._Input(port.get_any_name()) for port in self.compiled.outputs]

    def run(self, output_names: Optional[Sequence[str]],
            feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        if output_names is not None:
            raise ValueError('OpenVINOSession.run returns every output (names: None)')
        results = self.request.infer(feeds)
        return [np.array(results[port]) for port in self.compiled.outputs]


def _openvino() -> Any:
    try:
        import openvino
    except ImportError as err:
        raise ImportError("OpenVINO is not installed: pip install 'mmmobilevit[deploy]' "
                          '(or pip install openvino)') from err
    return openvino


def save_openvino_ir(onnx_path: str, xml_path: str) -> None:
    """Convert the ONNX graph at ``onnx_path`` to OpenVINO IR: ``xml_path`` and the
    ``.bin`` of its weights beside it, kept in fp32 (``save_model`` would halve them to
    fp16 by default)."""
    ov = _openvino()
    ov.save_model(ov.convert_model(onnx_path), xml_path, compress_to_fp16=False)


#: NNCF's recipe (a part of the int8 cache key)
NNCF_RECIPE = 'nncf.quantize default preset (PERFORMANCE) fast_bias_correction'


def quantize_openvino(src_path: str, xml_path: str, calibration: Sequence[np.ndarray]
                      ) -> None:
    """Quantize the graph at ``src_path`` (ONNX or IR) to int8 with NNCF
    (:data:`NNCF_RECIPE`), its statistics from the ``[N, 3, H, W]`` arrays of
    ``calibration``; save it as IR at ``xml_path`` (float weights of the ops it leaves in
    float kept in fp32)."""
    if not calibration:
        raise ValueError('int8 needs at least one calibration input')
    ov = _openvino()
    try:
        import nncf
    except ImportError as err:
        raise ImportError("OpenVINO int8 needs NNCF: pip install 'mmmobilevit[deploy]' "
                          '(or pip install nncf)') from err
    model = ov.Core().read_model(src_path)
    with open(os.devnull, 'w') as quiet, contextlib.redirect_stdout(quiet):
        # (NNCF draws progress bars on stdout, into the caller's output)
        quantized = nncf.quantize(model, nncf.Dataset(list(calibration)),
                                  subset_size=len(calibration))
    ov.save_model(quantized, xml_path, compress_to_fp16=False)


def openvino_session(path: str, threads: Optional[int] = None) -> OpenVINOSession:
    """The graph at ``path`` (ONNX or OpenVINO IR) compiled by OpenVINO for the CPU, in
    float32 (``INFERENCE_PRECISION_HINT='f32'``), with ``threads`` inference threads."""
    ov = _openvino()
    config = {'INFERENCE_PRECISION_HINT': 'f32'}
    if threads:
        config['INFERENCE_NUM_THREADS'] = int(threads)
    return OpenVINOSession(ov.Core().compile_model(path, 'CPU', config))
