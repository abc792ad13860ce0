"""LiteRT (TensorFlow Lite) export of mmmobilevit's task models, and a session that
runs the ``.tflite`` model with LiteRT's interpreter and its XNNPACK delegate.

The model holds the same network and outputs as the ONNX graph
(:mod:`~mmmobilevit.deployment.onnx_export`) at a fixed input shape ``[N, 3, H, W]``
(NCHW, as PyTorch's; the converter adds the layout changes), converted by
``litert-torch`` from ``torch.export`` of the deployed model in NCHW memory
(:func:`~mmmobilevit.deployment.onnx_export.to_nchw`).

litert-torch 0.10's dependency list pulls in transformers 5, whose import breaks
mmpretrain 1.2's (``mmpretrain.models.multimodal``); the few packages the conversion
and the interpreter need are installed without it: see ``requirements/litert.txt``.
"""
import os
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch
from torch import nn


def litert_op_histogram(path: str) -> Dict[str, int]:
    """Op name -> count of the ``.tflite`` model's main graph (before delegation)."""
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_path=path,
                              experimental_preserve_all_tensors=False)
    ops: Dict[str, int] = {}
    for op in interpreter._get_ops_details():
        ops[op['op_name']] = ops.get(op['op_name'], 0) + 1
    return ops


def export_tflite(module: nn.Module, example: torch.Tensor, path: str) -> Dict[str, Any]:
    """Convert ``module(example)`` (NCHW, see :func:`to_nchw`) to a LiteRT model at
    ``path``, written whole or not at all.

    Returns ``dict(ops=histogram, seconds=float)``.
    """
    import litert_torch
    start = time.perf_counter()
    with torch.no_grad():
        converted = litert_torch.convert(module.eval(), (example, ))
    partial = f'{path}.{os.getpid()}.partial.tflite'
    try:
        converted.export(partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return dict(ops=litert_op_histogram(path), seconds=time.perf_counter() - start)


class _Port(NamedTuple):
    name: str


class LiteRTSession:
    """A ``.tflite`` model behind onnxruntime's session interface (``run``,
    ``get_inputs``, ``get_outputs``), run by LiteRT's interpreter with its default
    XNNPACK delegate.

    Args:
        path (str): The ``.tflite`` file.
        output_names (Sequence[str], optional): Names of its outputs, in order.
        threads (int, optional): The interpreter's threads.
    """

    def __init__(self, path: str, output_names: Optional[Sequence[str]] = None,
                 threads: Optional[int] = None) -> None:
        from ai_edge_litert.interpreter import Interpreter
        self.path = path
        self.interpreter = Interpreter(model_path=path, num_threads=threads or None)
        self.runner = self.interpreter.get_signature_runner()
        details = self.runner.get_input_details()
        self.input_key = next(iter(details))
        self.input_shape = [int(d) for d in details[self.input_key]['shape']]
        # outputs 'output_0', 'output_1', ... in the module's order
        self.output_keys = sorted(self.runner.get_output_details(),
                                  key=lambda k: int(k.rsplit('_', 1)[-1]))
        self.output_names = list(output_names or self.output_keys)

    def get_inputs(self) -> List[_Port]:
        return [_Port('input')]

    def get_outputs(self) -> List[_Port]:
        return [_Port(name) for name in self.output_names]

    def run(self, names: Optional[Sequence[str]], feeds: Dict[str, np.ndarray]
            ) -> List[np.ndarray]:
        x = np.ascontiguousarray(next(iter(feeds.values())), dtype=np.float32)
        if list(x.shape) != self.input_shape:
            raise ValueError(f'{self.path} takes input of shape {self.input_shape} '
                             f'(fixed at export), got {list(x.shape)}')
        outputs = self.runner(**{self.input_key: x})
        return [np.array(outputs[key]) for key in self.output_keys]
