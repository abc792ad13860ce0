"""OpenVINO as a runtime of the exported ONNX graphs (:mod:`.ort_backend`'s cache).

OpenVINO reads the same verified ONNX file that onnxruntime runs and compiles it for the
CPU. Its default inference precision on CPUs with bf16 units (AMX, AVX512-BF16) is bf16,
whose outputs differ from PyTorch's by ~1e-3; :func:`openvino_session` sets
``INFERENCE_PRECISION_HINT`` to ``f32`` explicitly, so the outputs equal PyTorch's
float32 ones within float rounding on any CPU.
"""
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


def openvino_session(path: str, threads: Optional[int] = None) -> OpenVINOSession:
    """The graph at ``path`` (ONNX or OpenVINO IR) compiled by OpenVINO for the CPU, in
    float32 (``INFERENCE_PRECISION_HINT='f32'``), with ``threads`` inference threads."""
    ov = _openvino()
    config = {'INFERENCE_PRECISION_HINT': 'f32'}
    if threads:
        config['INFERENCE_NUM_THREADS'] = int(threads)
    return OpenVINOSession(ov.Core().compile_model(path, 'CPU', config))
