"""Does a checkpoint fit a model? Everything about it, in one place.

* **The comparison** (pure functions over ``{key: shape}`` maps): missing, unused and
  shape-mismatched tensors, described with the arch, task and class count of both sides
  (:func:`compare_shapes`, :func:`mismatch_message`), and the facts our checkpoint
  loader passes a model beside the tensors (:func:`annotate_state_dict`).
* **Channel orders**: a checkpoint records the order its weights expect in
  ``meta['channel_order']`` (``'bgr'`` / ``'rgb'``): the converters write it, our runs
  write the order their data preprocessor feeds (:class:`~mmmobilevit.engine.hooks.
  CheckpointFitHook`), and the public layouts converted while loading get the order of
  the code that trained them (:mod:`mmmobilevit.releases`). Because the released models
  see pixels scaled to [0, 1] without a per-channel mean, reversing the input channels of
  the stem conv is all it takes to serve the other order (the logits are unchanged).
* **The model side**: :class:`CheckpointFitMixin` for our top-level models (the init
  APIs, the inferencers, ``load_from``) and :func:`fit_checkpoint_to_model` for
  :class:`~mmmobilevit.engine.hooks.CheckpointFitHook` (our tools) align the channel order
  and refuse a misfit naming both sides.
"""
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from mmengine.logging import print_log
from torch import nn

from ..releases import check_channel_order

Shape = Tuple[int, ...]
# The first prefix found names the model's task.
TASK_PREFIXES = (('bbox_head.', 'detector'), ('decode_head.', 'segmenter'),
                 ('head.', 'classifier'))
# Tensors a model may lack in a checkpoint without harm (old BatchNorm files).
IGNORED_MISSING = re.compile(r'.*num_batches_tracked$')
# Where the class count of each task's head can be read (first dimension).
CLASS_TENSORS = (re.compile(r'^head\.fc\.weight$'), re.compile(r'^head\.layers\.head\.weight$'),
                 re.compile(r'^decode_head\.conv_seg\.weight$'))

AllowPartial = Union[None, bool, Mapping[str, Sequence[str]]]


class CheckpointMismatchError(ValueError):
    """A checkpoint's tensors do not fit the model it is loaded into."""


@dataclass
class FitReport:
    """How a checkpoint's state dict lines up with a model's.

    Attributes:
        num_model (int): Tensors of the model.
        loaded (list[str]): Keys present in both with equal shapes.
        missing (list[str]): Model keys absent from the checkpoint.
        unexpected (list[str]): Checkpoint keys the model does not have.
        mismatched (list[tuple[str, Shape, Shape]]): Key, checkpoint shape, model shape.
    """

    num_model: int
    loaded: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    mismatched: List[Tuple[str, Shape, Shape]] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        """Every model tensor gets a tensor of its shape."""
        return not self.missing and not self.mismatched

    def summary(self) -> str:
        """One line: what was loaded and what was skipped."""
        parts = [f'{len(self.loaded)} of {self.num_model} model tensors loaded']
        if self.missing:
            parts.append(f'not in the checkpoint: {group_keys(self.missing)}')
        if self.mismatched:
            parts.append('other shape: ' + group_keys(k for k, _, _ in self.mismatched))
        if self.unexpected:
            parts.append(f'unused from the checkpoint: {group_keys(self.unexpected)}')
        return '; '.join(parts)


def shapes_of(state_dict: Mapping) -> Dict[str, Shape]:
    """``{key: shape}`` of a state dict (tensors or arrays; other values are skipped)."""
    return {k: tuple(v.shape) for k, v in state_dict.items() if hasattr(v, 'shape')}


def compare_shapes(model: Mapping[str, Shape], checkpoint: Mapping[str, Shape]) -> FitReport:
    """Line up a checkpoint's tensors with a model's."""
    report = FitReport(num_model=len(model))
    for key, shape in model.items():
        if key not in checkpoint:
            if not IGNORED_MISSING.match(key):
                report.missing.append(key)
        elif tuple(checkpoint[key]) != tuple(shape):
            report.mismatched.append((key, tuple(checkpoint[key]), tuple(shape)))
        else:
            report.loaded.append(key)
    report.unexpected = [k for k in checkpoint if k not in model]
    return report


def group_keys(keys: Iterable[str], depth: int = 2, limit: int = 6) -> str:
    """``'neck.* (12), bbox_head.cls_convs.* (6)'``: keys grouped by their first parts."""
    groups: Dict[str, int] = {}
    for key in keys:
        parts = key.split('.')
        name = '.'.join(parts[:depth]) + ('.*' if len(parts) > depth else '')
        groups[name] = groups.get(name, 0) + 1
    items = [f'{name} ({n})' for name, n in groups.items()]
    more = f', ... {len(items) - limit} more groups' if len(items) > limit else ''
    return ', '.join(items[:limit]) + more


def task_of(keys: Iterable[str]) -> Optional[str]:
    """``'detector'``, ``'segmenter'``, ``'classifier'`` or None, from the key prefixes."""
    keys = list(keys)
    for prefix, task in TASK_PREFIXES:
        if any(k.startswith(prefix) for k in keys):
            return task
    return None


def num_classes_of(shapes: Mapping[str, Shape]) -> Optional[int]:
    """The class count of a classifier's or segmenter's head, if it can be read."""
    for pattern in CLASS_TENSORS:
        for key, shape in shapes.items():
            if pattern.match(key) and shape:
                return int(shape[0])
    return None


def describe(shapes: Mapping[str, Shape], arch: Optional[str] = None,
             classes: Optional[Sequence[str]] = None) -> str:
    """``'a mobilevit-xxs detector, 3 classes'``, or what can be told of other weights."""
    task = task_of(shapes) or 'model of unknown task'
    if arch:
        what = f'{arch} {task}'
    elif any(k.startswith('backbone.') for k in shapes):
        what = f'{task} whose backbone is no MobileViT arch'
    else:
        sample = ', '.join(repr(k) for k in list(shapes)[:2])
        what = f'{task} without backbone./head prefixes (keys like {sample})'
    text = f'a {what}'
    num = num_classes_of(shapes)
    shown = ''
    if classes:
        shown = ', '.join(map(str, list(classes)[:4])) + (', ...' if len(classes) > 4 else '')
    if num is not None:
        text += f', {num} classes'
        if classes and len(classes) == num:
            text += f' ({shown})'
        elif classes:
            text += f' (the dataset names {len(classes)}: {shown})'
    elif classes:
        text += f', {len(classes)} classes ({shown})'
    return text + f'; {len(shapes)} tensors'


def blocking(report: FitReport, allow_partial: AllowPartial = None
             ) -> Tuple[List[str], List[Tuple[str, Shape, Shape]]]:
    """The missing and mismatched tensors that ``allow_partial`` does not allow.

    Args:
        report (FitReport): The comparison.
        allow_partial (None | bool | dict): ``None``/``False``: nothing may be missing
            or of another shape; ``True``: anything may; a dict ``missing=[regex, ...],
            mismatched=[regex, ...]``: keys matching (``re.match``) one of the patterns may.
    """
    if allow_partial is True:
        return [], []
    if not allow_partial:
        return list(report.missing), list(report.mismatched)
    unknown = set(allow_partial) - {'missing', 'mismatched'}
    if unknown:
        raise ValueError(f'allow_partial takes the keys "missing" and "mismatched", got '
                         f'{sorted(unknown)}')

    def allowed(key, kind):
        return any(re.match(p, key) for p in allow_partial.get(kind, ()))

    return ([k for k in report.missing if not allowed(k, 'missing')],
            [m for m in report.mismatched if not allowed(m[0], 'mismatched')])


def suggested_allowance(report: FitReport) -> dict:
    """The ``allow_partial`` dict that would accept this report (top-level modules)."""
    def prefixes(keys):
        return sorted({re.escape(k.split('.')[0] + '.') for k in keys})

    out = {}
    if report.missing:
        out['missing'] = prefixes(report.missing)
    if report.mismatched:
        out['mismatched'] = sorted({re.escape(k.rsplit('.', 1)[0] + '.')
                                    for k, _, _ in report.mismatched})
    return out


def mismatch_message(report: FitReport, source: str, checkpoint_desc: str, model_desc: str,
                     missing: Sequence[str], mismatched: Sequence[Tuple[str, Shape, Shape]],
                     how_to_allow: str) -> str:
    """The error text: both descriptions, what does not fit, and how to allow it."""
    lines = [f'the checkpoint {source} does not fit the model.',
             f'  checkpoint: {checkpoint_desc}',
             f'  model:      {model_desc}']
    if missing:
        lines.append(f'  not in the checkpoint: {len(missing)} tensors: {group_keys(missing)}')
    if mismatched:
        shown = '; '.join(f'{k} (checkpoint {list(a)}, model {list(b)})'
                          for k, a, b in mismatched[:3])
        more = f'; ... {len(mismatched) - 3} more' if len(mismatched) > 3 else ''
        lines.append(f'  other shape: {len(mismatched)} tensors: {shown}{more}')
    if report.unexpected:
        lines.append(f'  unused from the checkpoint: {len(report.unexpected)} tensors: '
                     f'{group_keys(report.unexpected)}')
    lines.append(how_to_allow)
    return '\n'.join(lines)


#: Keys of a state dict's ``_metadata['']`` (what ``torch.nn.Module._load_from_state_dict``
#: hands the top-level model as ``local_metadata``), set by our checkpoint loader
#: (:func:`annotate_state_dict`): where the file came from, the channel order its weights
#: were trained on (``meta['channel_order']``) and its class names
#: (``meta['dataset_meta']['classes']``); and the mark of
#: :class:`~mmmobilevit.engine.hooks.CheckpointFitHook`, which checks a run's checkpoints
#: with the run's ``allow_partial_load`` before the model sees them.
SOURCE_METADATA = 'mmmobilevit_source'
CHANNEL_ORDER_METADATA = 'mmmobilevit_channel_order'
CLASSES_METADATA = 'mmmobilevit_classes'
FIT_CHECKED_METADATA = 'mmmobilevit_fit_checked'


def annotate_state_dict(checkpoint, **entries) -> None:
    """Put ``entries`` into the checkpoint's state dict ``_metadata['']`` (in place).

    mmengine's ``_load_checkpoint_to_model`` and ``load_state_dict`` (and torch's
    ``load_state_dict``) keep a state dict's ``_metadata`` and hand its ``''`` entry to
    the top-level model's ``_load_from_state_dict``: the one place a model sees facts
    about the checkpoint beside its tensors. ``entries`` whose value is None are left
    out. Only ``OrderedDict`` state dicts (what ``Module.state_dict()`` returns) carry
    metadata: others are left as they are, unless a channel order or the fit mark must
    travel, for which a plain-dict ``state_dict`` entry becomes an ``OrderedDict``.
    """
    if not isinstance(checkpoint, dict):
        return
    entries = {k: v for k, v in entries.items() if v is not None}
    state = checkpoint.get('state_dict', checkpoint)
    if not isinstance(state, OrderedDict):
        if state is checkpoint or not isinstance(state, dict) or \
                not {CHANNEL_ORDER_METADATA, FIT_CHECKED_METADATA} & set(entries):
            return
        state = checkpoint['state_dict'] = OrderedDict(state)
    metadata = getattr(state, '_metadata', None)
    if metadata is None:
        metadata = state._metadata = OrderedDict()
    metadata.setdefault('', {}).update(entries)


# ---- channel orders ---------------------------------------------------------------

StateDict = Dict[str, Any]

# the first conv of a MobileViT backbone, in a whole model's and in a backbone's keys
STEM_WEIGHT = 'stem.conv.weight'


def channel_order_of(checkpoint: Any) -> Optional[str]:
    """``meta['channel_order']`` of a checkpoint dict, or None when it has none."""
    if not isinstance(checkpoint, dict):
        return None
    meta = checkpoint.get('meta')
    order = meta.get('channel_order') if isinstance(meta, dict) else None
    return check_channel_order(order) if order is not None else None


def stem_keys(state_dict: StateDict) -> List[str]:
    """The keys of the backbone stem's conv weight (whole model or backbone alone)."""
    return [k for k in state_dict
            if k == STEM_WEIGHT or k.endswith('backbone.' + STEM_WEIGHT)]


def flip_stem_input(state_dict: StateDict) -> StateDict:
    """A copy of ``state_dict`` whose stem conv reads the other channel order.

    Raises:
        KeyError: The state dict has no MobileViT stem conv weight.
    """
    keys = stem_keys(state_dict)
    if not keys:
        raise KeyError(f'no "{STEM_WEIGHT}" key: not a MobileViT state dict')
    flipped = OrderedDict(state_dict)
    for key in keys:
        weight = state_dict[key]
        if weight.dim() != 4 or weight.shape[1] != 3:
            raise ValueError(f'{key} has shape {tuple(weight.shape)}: not a conv over '
                             '3 input channels, its channel order cannot be reversed')
        flipped[key] = weight.flip(1).contiguous()
    return flipped


def serve_in_order(state_dict: StateDict, trained_on: Optional[str],
                   fed: Optional[str]) -> Optional[StateDict]:
    """``state_dict`` with its stem reversed when it was trained on the other order.

    Returns:
        dict | None: The reversed copy; None when there is nothing to do (an order is
        unknown, the orders agree, or the weights have no MobileViT stem).
    """
    if trained_on is None or fed is None or trained_on == fed or not stem_keys(state_dict):
        return None
    return flip_stem_input(state_dict)


def flip_message(source: str, trained_on: str, fed: str) -> str:
    """The one log line of a reversed stem."""
    return (f'{source or "checkpoint"}: trained on {trained_on.upper()} input, this model '
            f'is fed {fed.upper()}: stem conv input channels reversed')


def record_channel_order(checkpoint: dict, order: str) -> dict:
    """Set ``meta['channel_order']`` of a checkpoint dict (in place; returned)."""
    meta = checkpoint.setdefault('meta', {})
    if meta is None:
        meta = checkpoint['meta'] = {}
    meta['channel_order'] = check_channel_order(order)
    return checkpoint


# ---- the model side ---------------------------------------------------------------

def input_channel_order(model: Any) -> Optional[str]:
    """``'rgb'`` or ``'bgr'``: the order a model's data preprocessor feeds it.

    Images are loaded in BGR (mmcv's ``LoadImageFromFile`` default, also with
    ``imdecode_backend='pillow'``); a preprocessor that converts (mmpretrain
    ``to_rgb``, mmdet / mmseg ``bgr_to_rgb``) feeds RGB. None for a model without an
    image data preprocessor.
    """
    pre = getattr(model, 'data_preprocessor', None)
    # mmpretrain: to_rgb; mmengine / mmdet: _channel_conversion; mmseg: channel_conversion
    for name in ('to_rgb', '_channel_conversion', 'channel_conversion'):
        if hasattr(pre, name):
            return 'rgb' if getattr(pre, name) else 'bgr'
    return None


def align_channel_order(checkpoint: Any, target: Optional[str], source: str = '') -> bool:
    """Reverse the stem conv of a checkpoint trained on the other channel order.

    Works in place on a checkpoint dict whose ``meta['channel_order']`` says what the
    weights were trained on (``state_dict`` and, if present, ``ema_state_dict``), and
    records ``target`` there; logs one line when it flips. Nothing happens when either
    order is unknown, they agree, or the weights have no MobileViT stem.

    Returns:
        bool: Whether the stem was reversed.
    """
    trained_on = channel_order_of(checkpoint)
    flipped = False
    for key in ('state_dict', 'ema_state_dict'):
        state = checkpoint.get(key)
        served = serve_in_order(state, trained_on, target) if isinstance(state, dict) else None
        if served is not None:
            checkpoint[key] = served
            flipped = True
    if flipped:
        checkpoint['meta']['channel_order'] = target
        print_log(flip_message(source, trained_on, target), logger='current')
    return flipped


def state_dict_of(checkpoint: dict) -> dict:
    """The state dict in a loaded checkpoint, ``module.`` prefixes stripped (as mmengine)."""
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def _checkpoint_arch(state: dict, model: nn.Module) -> Optional[str]:
    """The MobileViT arch the checkpoint's backbone fits, asked of the model's backbone
    class (``MobileViTBackbone.arch_of``; the models import this module, not it them)."""
    arch_of = getattr(getattr(model, 'backbone', None), 'arch_of', None)
    if arch_of is None or not any(k.startswith('backbone.') for k in state):
        return None
    try:
        return arch_of(state)
    except Exception:  # noqa: BLE001  (weights of no MobileViT arch: described as such)
        return None


def _model_arch(model: nn.Module) -> Optional[str]:
    backbone = getattr(model, 'backbone', None)
    name = getattr(backbone, 'arch_name', None)
    return name if name else (type(backbone).__name__ if backbone is not None else None)


def classes_of(dataset_meta) -> Optional[list]:
    """The class names of a ``dataset_meta`` dict (a checkpoint's ``meta`` or a
    model's); None where it names none."""
    classes = dataset_meta.get('classes') if isinstance(dataset_meta, dict) else None
    return list(classes) if classes else None


def check_checkpoint_fits(model: nn.Module, checkpoint: dict,
                          allow_partial: AllowPartial = None, source: str = '',
                          how_to_allow: Union[str, Callable[[FitReport], str]] = '',
                          model_classes: Optional[list] = None) -> FitReport:
    """Compare a loaded checkpoint with ``model``; raise if it does not fit.

    Args:
        model (nn.Module): The model (unwrapped) the checkpoint is for.
        checkpoint (dict): What ``torch.load`` gave (``state_dict`` and ``meta`` inside,
            or a bare state dict).
        allow_partial (None | bool | dict): What may be missing or of another shape
            (:func:`mmmobilevit.checkpoint.fit.blocking`).
        source (str): The checkpoint's name, for the messages.
        how_to_allow (str | Callable[[FitReport], str]): The last line of the error:
            how to allow a partial load (or a function of the report that makes it).
        model_classes (list, optional): The model's class names, if known (else its
            ``dataset_meta``).

    Returns:
        FitReport: The comparison (a partial load allowed, or a full fit).

    Raises:
        CheckpointMismatchError: Missing or mismatched tensors that are not allowed. The
            message names the checkpoint's arch and task and the model's.
    """
    state = state_dict_of(checkpoint)
    model_shapes, ckpt_shapes = shapes_of(model.state_dict()), shapes_of(state)
    report = compare_shapes(model_shapes, ckpt_shapes)
    if report.fits:
        return report
    missing, mismatched = blocking(report, allow_partial)
    if missing or mismatched:
        meta = checkpoint.get('meta', {}) if isinstance(checkpoint, dict) else {}
        ckpt_desc = describe(ckpt_shapes, _checkpoint_arch(state, model),
                             classes_of((meta or {}).get('dataset_meta')))
        model_desc = describe(model_shapes, _model_arch(model),
                              model_classes or classes_of(getattr(model, 'dataset_meta', None)))
        if callable(how_to_allow):
            how_to_allow = how_to_allow(report)
        message = mismatch_message(report, source, ckpt_desc, model_desc, missing,
                                   mismatched, how_to_allow)
        print_log(message, logger='current', level=logging.ERROR)
        raise CheckpointMismatchError(message)
    print_log(f'partial load of {source} (allowed): {report.summary()}', logger='current',
              level=logging.WARNING)
    return report


def fit_checkpoint_to_model(model: nn.Module, checkpoint: dict, allow_partial: AllowPartial = None,
                            source: str = '', **kwargs) -> FitReport:
    """Prepare a loaded checkpoint for ``model`` before its weights are copied.

    What :class:`~mmmobilevit.engine.hooks.CheckpointFitHook` does with a run's
    checkpoints: reverses the stem of a checkpoint trained on the
    other channel order than the model is fed (:func:`align_channel_order`, in place),
    then refuses one that does not fit (:func:`check_checkpoint_fits`, whose other
    keyword arguments ``how_to_allow`` and ``model_classes`` it passes on).
    """
    align_channel_order(checkpoint, input_channel_order(model), source)
    return check_checkpoint_fits(model, checkpoint, allow_partial, source=source, **kwargs)


class CheckpointFitMixin:
    """Top-level models that refuse a checkpoint which does not fit them.

    mmengine and the init APIs (``mmdet.apis.init_detector``, ``mmseg.apis.init_model``,
    ``mmpretrain.apis.init_model``, the inferencers, ``load_from``) load weights with
    ``strict=False``: a checkpoint of another model or class count loads with warnings,
    and the model is partly random. A model of this class checks the tensors it is given
    when it is the model being loaded (the top-level module, which alone sees every key):
    missing or shape-mismatched tensors raise
    :class:`~mmmobilevit.checkpoint.fit.CheckpointMismatchError`, naming the
    checkpoint's arch, task and classes and the model's; unused tensors are warned
    about. A checkpoint trained on the other channel order than the model is fed gets its
    stem reversed first. Nothing of mmengine or the init APIs is changed: the check lives
    in this model's ``_load_from_state_dict``.

    Args:
        allow_partial_load (None | bool | dict): What may be missing or of another shape
            when the model loads a checkpoint: ``True`` anything; a dict
            ``missing=[regex, ...], mismatched=[regex, ...]``; ``None`` (default)
            nothing. Runs of ``tools/`` check their ``load_from`` and resume checkpoints
            with the config's top-level ``allow_partial_load`` instead
            (``CheckpointFitHook``, which marks what it checked).

    The other arguments are the model class's (put the mixin first among the bases).
    """

    def __init__(self, *args, allow_partial_load: AllowPartial = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allow_partial_load = allow_partial_load

    def _how_to_allow(self, report: FitReport) -> str:
        backbone = getattr(self, 'backbone', None)
        if getattr(backbone, 'deployed', False) and report.unexpected:
            return ('This model is built in deploy mode (backbone.deploy=True) and the '
                    'checkpoint holds the training form: load it into the config without '
                    'deploy=True and switch after loading (mmmobilevit.apis.init_model(..., '
                    'deploy=True), tools/test.py --deploy), or convert the checkpoint once '
                    'with tools/model_converters/deploy_model.py.')
        return ('If that is intended (fine-tuning from another model or class count), '
                'allow it: `model.allow_partial_load=True` in the config (anything) or '
                f'`model.allow_partial_load={suggested_allowance(report)}` (these parts '
                "only), e.g. cfg_options={'model.allow_partial_load': True}.")

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args, **kwargs):
        # only as the model being loaded: as a part of a larger model (an EMA copy, a
        # teacher) the keys and metadata it is handed are that model's business
        if not prefix and not local_metadata.get(FIT_CHECKED_METADATA):
            self._fit_loaded_state_dict(state_dict, local_metadata)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args, **kwargs)

    def _fit_loaded_state_dict(self, state_dict: dict, local_metadata: dict) -> None:
        order, fed = local_metadata.get(CHANNEL_ORDER_METADATA), input_channel_order(self)
        served = serve_in_order(state_dict, order, fed)
        if served is not None:
            state_dict.update(served)  # in place: the children read from this dict
            print_log(flip_message(local_metadata.get(SOURCE_METADATA, ''), order, fed),
                      logger='current')
        classes = local_metadata.get(CLASSES_METADATA)
        check_checkpoint_fits(
            self, {'state_dict': state_dict,
                   'meta': {'dataset_meta': {'classes': classes} if classes else {}}},
            self.allow_partial_load, how_to_allow=self._how_to_allow,
            source=local_metadata.get(SOURCE_METADATA, 'being loaded'))
