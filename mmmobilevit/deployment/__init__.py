"""Deployment: ONNX export of the task models (see :mod:`.onnx_export`, with the layer
forms of :mod:`.onnx_forms`); onnxruntime, OpenVINO and ExecuTorch as backends of the usual
APIs (see :mod:`.ort_backend`, :mod:`.openvino_runtime`, :mod:`.executorch_export`);
ExecuTorch programs delegated whole to XNNPACK (:mod:`.xnnpack_forms`,
:mod:`.executorch_export`) and Core ML programs (:mod:`.coreml_export`). The runtimes are
imported only when used."""
from .onnx_export import (CheckFailed, TensorOutputs, check_graph, compare_outputs,
                          compare_with_onnxruntime, default_input_size, export_onnx, ort_session,
                          task_of)
from .ort_backend import (BACKENDS, NetworkOutputs, OnnxRuntimeNetwork, calibration_inputs,
                          onnx_cache_dir, quantize_onnx, use_backend, use_onnxruntime)

__all__ = [
    'BACKENDS', 'CheckFailed', 'NetworkOutputs', 'OnnxRuntimeNetwork', 'TensorOutputs',
    'calibration_inputs', 'check_graph', 'compare_outputs', 'compare_with_onnxruntime',
    'default_input_size', 'export_onnx', 'onnx_cache_dir', 'ort_session', 'quantize_onnx',
    'task_of', 'use_backend', 'use_onnxruntime'
]
