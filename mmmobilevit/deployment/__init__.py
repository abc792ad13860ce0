"""Deployment: ONNX export of the task models (see :mod:`.onnx_export`)."""
from .onnx_export import (CheckFailed, TensorOutputs, check_graph, compare_with_onnxruntime,
                          export_onnx, ort_session, task_of)

__all__ = [
    'CheckFailed', 'TensorOutputs', 'check_graph', 'compare_with_onnxruntime',
    'export_onnx', 'ort_session', 'task_of'
]
