"""``torch.compile`` of a task model's network, with inductor's weight freezing."""
import types
from typing import List

import torch
from torch import nn

#: The parts of an mmpretrain / mmdet / mmseg model that an inference call runs through
#: ``part(...)``: the backbone, the neck, and the head that predicts (``head`` of a
#: classifier, ``bbox_head`` of a detector, ``decode_head`` of a segmentor; the
#: auxiliary heads are for training only).
NETWORK_PARTS = ('backbone', 'neck', 'head', 'bbox_head', 'decode_head')


def compile_network(model: nn.Module, freezing: bool = True, cpp_wrapper: bool = True,
                    **compile_kwargs) -> List[str]:
    """Compile, in place, the ``forward`` of each network part of ``model``
    (:data:`NETWORK_PARTS`) with ``torch.compile``; the task's pre- and post-processing
    (data preprocessor, box decoding and NMS, resizes) stay as they are, so
    ``inference_detector`` / ``inference_model`` / the inferencers work unchanged.

    With ``freezing`` (the default), inductor treats the weights as constants: it folds
    them and prepacks the convolutions' and linear layers' weights for oneDNN / MKL, which
    removes the weight reorders and most of the per-convolution overhead of eager mode
    (the gap between deploy mode and onnxruntime at batch 1). The weights must therefore
    not change after the first call (an in-place change is not seen), and freezing
    applies to calls without autograd (the inference APIs run under ``torch.no_grad``).
    Call it after loading the weights and, for the fastest form, after
    :func:`switch_to_deploy`. ``cpp_wrapper`` (the default) has inductor call its kernels
    from generated C++ instead of Python, which saves most of the per-kernel overhead
    left at batch 1.

    Dynamo reads inductor's ``freezing`` flag from the global config while it traces, not
    from ``torch.compile``'s ``options`` (torch 2.x), so ``options={'freezing': True}``
    alone leaves the weights as graph inputs. The compiled parts therefore run every call
    with the global flag set as asked and restored after, which makes the flag hold for
    every trace (first call, new input shape) and leaves the global config as it was.

    The first call per input shape compiles (tens of seconds on a CPU). By default the
    second distinct shape makes dynamo compile a graph for dynamic shapes, which
    serves every later shape but runs slower than a graph for one shape
    (``tools/analysis_tools/benchmark.py --compile`` measures both). When the shapes are few
    and known (a fixed input size, batch 1 and 8), pass ``dynamic=False`` for one
    specialised graph per shape. A deep copy of the compiled model works and compiles
    its own code on its first call; pickling it does not, so save its ``state_dict``
    (or save before compiling).

    Args:
        model (nn.Module): An mmpretrain classifier, mmdet detector or mmseg
            segmentor (or a wrapper with ``.module``), in eval mode.
        freezing (bool): inductor's ``freezing`` option. Defaults to True.
        cpp_wrapper (bool): inductor's ``cpp_wrapper`` option. Defaults to True.
        **compile_kwargs: Further arguments of ``torch.compile`` (``mode``,
            ``dynamic``, ``options``; ``options['freezing']`` and
            ``options['cpp_wrapper']`` win over the arguments of those names).

    Returns:
        list[str]: The names of the parts compiled by this call (parts compiled by an
        earlier call are left as they are).
    """
    model = getattr(model, 'module', model)
    if model.training:
        raise ValueError('compile_network is for inference: call model.eval() first '
                         '(the frozen weights would not follow training)')
    options = {'freezing': freezing, 'cpp_wrapper': cpp_wrapper,
               **(compile_kwargs.pop('options', None) or {})}
    parts = [(name, getattr(model, name)) for name in NETWORK_PARTS
             if isinstance(getattr(model, name, None), nn.Module)]
    if not parts:
        raise ValueError(f'{type(model).__name__} has none of the network parts '
                         f'{NETWORK_PARTS} to compile')
    compiled = []
    for name, part in parts:
        if getattr(part, 'network_compiled', False):
            continue  # compiled by an earlier call
        # the class's forward, compiled once and bound to this instance: a deep copy of
        # the model rebinds it to the copy, which then compiles (and freezes) its own
        part.forward = types.MethodType(
            _under_freezing(torch.compile(type(part).forward, options=options,
                                          **compile_kwargs), options['freezing']), part)
        part.network_compiled = True
        compiled.append(name)
    return compiled


def _under_freezing(compiled_forward, freezing: bool):
    """``compiled_forward`` run with inductor's global ``freezing`` flag set as asked,
    the flag dynamo reads when it traces (see :func:`compile_network`)."""
    import torch._inductor.config as inductor_config

    def forward(self, *args, **kwargs):
        # set and restored by hand: on every inference call, config.patch costs ~17 us
        prior, inductor_config.freezing = inductor_config.freezing, freezing
        try:
            return compiled_forward(self, *args, **kwargs)
        finally:
            inductor_config.freezing = prior

    return forward
