"""ExecuTorch export (XNNPACK delegate) of mmmobilevit's task models, and a session
that runs the ``.pte`` program with ExecuTorch's Python runtime.

The program holds the same network and outputs as the ONNX graph
(:mod:`~mmmobilevit.deployment.onnx_export`) at a fixed input shape ``[N, 3, H, W]``
(XNNPACK's reshapes take static shapes only). The model is first switched to the
XNNPACK forms of its layers (:mod:`~mmmobilevit.deployment.xnnpack_forms`), so that
the partitioner delegates all of the network's compute; :func:`delegation` reports
what, if anything, stays outside.

ExecuTorch 1.5.1 is installed without its dependency list (which adds its test and LLM
tooling): see ``requirements/executorch.txt``.
"""
import collections
import os
import time
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

import numpy as np
import torch
from torch import nn

from .onnx_export import as_tuple, format_op_counts


class Delegation(NamedTuple):
    """What a lowered program runs where: ``delegates`` XNNPACK subgraphs, and the
    ops left to ExecuTorch's portable kernels (op name -> count)."""
    delegates: int
    outside: Dict[str, int]

    @property
    def outside_calls(self) -> int:
        return sum(self.outside.values())

    def describe(self) -> str:
        ops = format_op_counts(self.outside)
        return (f'{self.delegates} XNNPACK subgraph(s), {self.outside_calls} op(s) '
                f'outside' + (f': {ops}' if ops else ''))


def delegation(edge_program: Any) -> Delegation:
    """Count the delegate calls and the ops outside them in a lowered edge program
    (``to_edge_transform_and_lower``'s result), as the ``.pte`` will run them."""
    graph = edge_program.exported_program().graph_module.graph
    delegates, outside = 0, collections.Counter()
    for node in graph.nodes:
        if node.op != 'call_function':
            continue
        # 'aten.mean.dim', 'executorch_call_delegate', 'getitem'
        name = getattr(node.target, '__name__', str(node.target))
        if 'executorch_call_delegate' in name:
            delegates += 1
        elif 'getitem' not in name:
            outside[name[5:] if name.startswith('aten.') else name] += 1
    return Delegation(delegates, dict(outside))


def lower_to_executorch(module: nn.Module, example: torch.Tensor,
                        partition: bool = True) -> Any:
    """``torch.export`` -> edge dialect -> XNNPACK partitions (unless ``partition`` is
    False; ExecuTorch's partitioner configs, taking int8 sigmoid too:
    :data:`~mmmobilevit.deployment.xnnpack_quantizer.PARTITIONER_CONFIGS`): the edge
    program, ready for ``to_executorch()``."""
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import to_edge_transform_and_lower

    from .xnnpack_quantizer import PARTITIONER_CONFIGS
    if not isinstance(module, torch.fx.GraphModule):  # (a quantized graph has no eval())
        module.eval()
    with torch.no_grad():
        exported = torch.export.export(module, (example, ), strict=False)
    return to_edge_transform_and_lower(
        exported,
        partitioner=[XnnpackPartitioner(configs=PARTITIONER_CONFIGS)] if partition else [])


def export_executorch(module: nn.Module, example: torch.Tensor, path: str,
                      output_names: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Export ``module(example)`` (already in its XNNPACK forms, see
    :func:`~mmmobilevit.deployment.xnnpack_forms.to_xnnpack_forms`, or quantized by
    :func:`quantize_for_xnnpack`) to an ExecuTorch program at ``path``, written whole
    or not at all.

    Returns ``dict(delegation=Delegation, seconds=float, names=[output names])``; the
    names are ``output_names``, else the module's ``output_names()``, else
    ``output_<i>``.
    """
    with torch.no_grad():
        outputs = as_tuple(module(example))
    names = list(output_names or (module.output_names(len(outputs))
                                  if hasattr(module, 'output_names')
                                  else [f'output_{i}' for i in range(len(outputs))]))
    start = time.perf_counter()
    edge = lower_to_executorch(module, example)
    report = delegation(edge)
    program = edge.to_executorch()
    partial = f'{path}.{os.getpid()}.partial'
    try:
        with open(partial, 'wb') as f:
            program.write_to_file(f)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return dict(delegation=report, seconds=time.perf_counter() - start, names=names)


#: The int8 recipe of :func:`quantize_for_xnnpack` (part of the int8 programs' cache key)
XNNPACK_INT8_RECIPE = ('XNNPACKQuantizer global symmetric_quantization_config '
                       'per_channel=True, static, calibration batches of the example size; '
                       'SiLU as int8 x * sigmoid(x), sigmoid out 1/256 -128')


def quantize_for_xnnpack(module: nn.Module, example: torch.Tensor,
                         calibration: Sequence[torch.Tensor],
                         int8_silu: bool = True) -> nn.Module:
    """Static int8 by PT2E with ExecuTorch's XNNPACK quantizer: int8 weights per output
    channel, int8 activations per tensor, symmetric, and every SiLU in int8 as well
    (:class:`~mmmobilevit.deployment.xnnpack_quantizer.SiLUXNNPACKQuantizer`, whose
    int8 sigmoids :func:`lower_to_executorch` delegates); observers calibrated by running
    ``calibration`` (``[N, 3, H, W]`` inputs, resized bilinearly to ``example``'s size
    where they differ) in batches of ``example``'s size. ``module`` should be in its
    XNNPACK forms already. ``int8_silu=False``: ExecuTorch's quantizer as it ships
    (SiLU in fp32), for comparison.

    Returns the quantized graph module, for :func:`export_executorch`.
    """
    from executorch.backends.xnnpack.quantizer.xnnpack_quantizer import (
        XNNPACKQuantizer, get_symmetric_quantization_config)
    from torchao.quantization.pt2e.quantize_pt2e import convert_pt2e, prepare_pt2e

    from .xnnpack_quantizer import SiLUXNNPACKQuantizer
    if not calibration:
        raise ValueError('int8 needs at least one calibration input')
    module.eval()
    with torch.no_grad():
        module(example)  # buffers of the forms made for this size
        graph = torch.export.export(module, (example, ), strict=False).module()
    quantizer = (SiLUXNNPACKQuantizer() if int8_silu else XNNPACKQuantizer()).set_global(
        get_symmetric_quantization_config(is_per_channel=True))
    prepared = prepare_pt2e(graph, quantizer)
    size = tuple(example.shape[-2:])
    images = torch.cat([
        x if tuple(x.shape[-2:]) == size else
        nn.functional.interpolate(x, size=size, mode='bilinear', align_corners=False)
        for x in calibration])
    n = example.shape[0]  # the graph's fixed batch: every image once, wrapping around
    with torch.no_grad():
        for start in range(0, len(images), n):
            prepared(images[[(start + j) % len(images) for j in range(n)]])
    return convert_pt2e(prepared)


class _Port(NamedTuple):
    name: str
    shape: Optional[List[int]] = None


class ExecuTorchSession:
    """An ExecuTorch program's ``forward`` behind onnxruntime's session interface
    (``run``, ``get_inputs``, ``get_outputs``), for
    :func:`~mmmobilevit.deployment.onnx_export.compare_outputs` and the backends.

    Args:
        path (str): The ``.pte`` file.
        output_names (Sequence[str], optional): Names of its outputs, in order.
        threads (int, optional): Size of ExecuTorch's thread pool, which XNNPACK runs
            on. The pool is the process's: this sets it for every program.
    """

    def __init__(self, path: str, output_names: Optional[Sequence[str]] = None,
                 threads: Optional[int] = None) -> None:
        from executorch.runtime import Runtime
        if threads:
            from executorch.extension.pybindings.portable_lib import _unsafe_reset_threadpool
            _unsafe_reset_threadpool(int(threads))
        self.path = path
        self.program = Runtime.get().load_program(path)
        self.method = self.program.load_method('forward')
        meta = self.method.metadata
        self.input_shape = list(meta.input_tensor_meta(0).sizes())
        count = meta.num_outputs()
        self.output_names = list(output_names or [f'output_{i}' for i in range(count)])

    def get_inputs(self) -> List[_Port]:
        return [_Port('input', self.input_shape)]

    def get_outputs(self) -> List[_Port]:
        return [_Port(name) for name in self.output_names]

    def run(self, names: Optional[Sequence[str]], feeds: Dict[str, np.ndarray]
            ) -> List[np.ndarray]:
        x = torch.from_numpy(np.ascontiguousarray(next(iter(feeds.values())),
                                                  dtype=np.float32))
        if list(x.shape) != self.input_shape:
            raise ValueError(f'{self.path} takes input of shape {self.input_shape} '
                             f'(fixed at export), got {list(x.shape)}')
        return [t.numpy().copy() for t in self.method.execute([x])]
