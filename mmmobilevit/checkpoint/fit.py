"""Does a checkpoint fit a model? Missing, unused and shape-mismatched tensors, described.

Pure functions over ``{key: shape}`` maps (no torch, no model code), used by
:class:`~mmmobilevit.engine.hooks.CheckpointFitHook` (our tools) and by our top-level
models' load check (:class:`~mmmobilevit.models.utils.CheckpointFitMixin`: the init APIs,
the inferencers); and the facts our checkpoint loader passes those models beside the
tensors (:func:`annotate_state_dict`).
"""
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

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
