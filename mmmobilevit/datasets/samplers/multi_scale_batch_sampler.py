"""MobileViT's multi-scale sampler with variable batch sizes, for mmengine."""
import math
from typing import List, Optional, Sequence, Union

import torch
from mmengine.logging import print_log
from mmengine.registry import DATA_SAMPLERS
from torch.utils.data import BatchSampler, Sampler

# The batch-size rules of the paper and of ml-cvnets (see ``batch_size_table``).
BATCH_SIZE_RULES = {
    # ml-cvnets v0.1, which produced the released weights: never below the base batch
    # size, rounded, then floored to a multiple (the GPU count)
    'mlcvnets-v0.1': dict(rounding='round', floor_at_base=True, batch_size_multiple=8),
    # ml-cvnets main: inverse to the pixel count, truncated
    'mlcvnets': dict(rounding='floor', floor_at_base=False, batch_size_multiple=1),
    # the paper: b_t = b * H_n * W_n / (H_t * W_t), b at the base (its largest) size
    'paper': dict(rounding='floor', floor_at_base=False, batch_size_multiple=1),
}


def batch_size_table(resolutions: Sequence[Union[int, Sequence[int]]],
                     base_resolution: Union[int, Sequence[int]], base_batch_size: int,
                     rounding: str = 'floor', floor_at_base: bool = False,
                     batch_size_multiple: int = 1) -> List[int]:
    """Batch size per resolution, inversely proportional to the pixel count.

    Args:
        resolutions (list[int | tuple[int, int]]): Square sides or (h, w).
        base_resolution (int | tuple[int, int]): The resolution whose batch size is
            ``base_batch_size``.
        base_batch_size (int): Batch size at the base resolution.
        rounding (str): ``'floor'`` or ``'round'`` for ``b * A_base / A``.
        floor_at_base (bool): Never go below ``base_batch_size``.
        batch_size_multiple (int): Floor every batch size to a multiple of this.

    Returns:
        list[int]: One batch size per resolution.
    """
    if rounding not in ('floor', 'round'):
        raise ValueError(f"rounding must be 'floor' or 'round', got {rounding!r}")
    base_h, base_w = _pair(base_resolution)
    sizes = []
    for res in resolutions:
        h, w = _pair(res)
        b = base_batch_size * base_h * base_w / (h * w)
        b = int(round(b)) if rounding == 'round' else int(math.floor(b + 1e-9))
        if floor_at_base:
            b = max(b, base_batch_size)
        b = b // batch_size_multiple * batch_size_multiple
        if b <= 0:
            raise ValueError(
                f'the batch size at {h}x{w} would be {b}: raise the base batch size '
                f'({base_batch_size} at {base_h}x{base_w}) or lower batch_size_multiple')
        sizes.append(b)
    return sizes


def _pair(res):
    return (res, res) if isinstance(res, int) else tuple(res)


def plan_batch_counts(num_samples: int, batch_sizes: Sequence[int]) -> List[int]:
    """How many batches of each resolution an epoch of ``num_samples`` samples gets.

    The counts differ by at most one between resolutions (the paper draws a resolution
    uniformly per iteration, so the mix is uniform in batches), and the samples left out
    are fewer than the largest batch size: ``rounds = num_samples // sum(batch_sizes)``
    batches of every resolution, then one more of each resolution whose batch still fits
    into the rest, largest batches first. (Whatever the order, a rest of at least
    ``max(batch_sizes)`` would have fitted every remaining batch, and then the rest was
    not below ``sum(batch_sizes)``.)

    Args:
        num_samples (int): Samples available to one rank in one epoch.
        batch_sizes (list[int]): Batch size per resolution.

    Returns:
        list[int]: Batches per resolution (all zero if ``num_samples`` is below the
        smallest batch size).
    """
    if not batch_sizes or min(batch_sizes) <= 0:
        raise ValueError(f'batch sizes must be positive, got {list(batch_sizes)}')
    rounds, rest = divmod(int(num_samples), sum(batch_sizes))
    counts = [rounds] * len(batch_sizes)
    for k in sorted(range(len(batch_sizes)), key=lambda k: -batch_sizes[k]):
        if batch_sizes[k] <= rest:
            counts[k] += 1
            rest -= batch_sizes[k]
    return counts


class EmptyPlanError(ValueError):
    """The multi-scale plan has no batch: fewer samples than the smallest batch size."""


@DATA_SAMPLERS.register_module()
class MultiScaleBatchSampler(BatchSampler):
    """Batches of varying resolution and size (MobileViT paper section 3.2, appendix B).

    Every batch has one resolution and a batch size scaled inversely to its pixel count.
    It yields keys ``(index, (h, w))`` that :class:`~mmmobilevit.datasets.MultiScaleDataset`
    turns into samples whose pipeline produces that size directly
    (:class:`~mmmobilevit.datasets.transforms.MultiScaleRandomResizedCrop`).

    **A fixed plan that uses the data.** mmengine reads ``len(dataloader)`` once (total
    iterations, scheduler lengths), and every DDP rank must yield the same number of
    batches. So the number of batches of each resolution is a function of the rank's
    sample count only (:func:`plan_batch_counts`): as equal as the batch sizes allow, and
    every sample used except fewer than the largest batch size. Each epoch, the sequence
    of resolutions is shuffled with a generator seeded by ``seed + epoch`` (the same on
    every rank), and the wrapped sampler's indices for this rank (mmengine's
    ``DefaultSampler`` shuffles them by seed and epoch and gives every rank the same
    count) are cut into batches along it. Hence ``len()`` is the same in every epoch and
    on every rank, every rank draws the same resolution sequence, the plan is
    deterministic from seed and epoch, and a resumed epoch is replayed exactly.
    (ml-cvnets draws a resolution per batch until the indices run out, so its batch
    count varies from epoch to epoch; the expected mix is the same.) mmengine's
    ``set_epoch`` reaches the wrapped sampler as ``dataloader.batch_sampler.sampler``.

    Args:
        sampler (Sampler): The index sampler (mmengine passes the dataloader's).
        batch_size (int): Batch size at ``base_resolution`` (``train_dataloader.batch_size``).
        resolutions (list[int | tuple], optional): The resolutions. Or give
            ``min_resolution``, ``max_resolution`` and ``num_resolutions`` (spaced evenly,
            snapped to ``size_multiple``).
        size_multiple (int): Every resolution must be a multiple of this (32: the
            network's total stride).
        base_resolution (int | tuple): The resolution whose batch size is ``batch_size``.
        rule (str | dict): ``'mlcvnets-v0.1'`` (default, the rule behind the released
            weights), ``'mlcvnets'``, ``'paper'``, or a dict of :func:`batch_size_table`'s
            ``rounding`` / ``floor_at_base`` / ``batch_size_multiple``.
        drop_last (bool): Leave out the samples that fill no full batch (default). If
            False they form one smaller last batch, at the resolution with the smallest
            batch size that holds them.

    Raises:
        EmptyPlanError: The rank has fewer samples than the smallest batch size.
    """

    def __init__(self, sampler: Sampler, batch_size: int,
                 resolutions: Optional[Sequence[Union[int, Sequence[int]]]] = None,
                 min_resolution: Optional[int] = None, max_resolution: Optional[int] = None,
                 num_resolutions: Optional[int] = None, size_multiple: int = 32,
                 base_resolution: int = 256, rule: Union[str, dict] = 'mlcvnets-v0.1',
                 drop_last: bool = True) -> None:
        if resolutions is None:
            if None in (min_resolution, max_resolution, num_resolutions):
                raise ValueError('give either resolutions or min_resolution, '
                                 'max_resolution and num_resolutions')
            step = (max_resolution - min_resolution) / max(num_resolutions - 1, 1)
            resolutions = sorted({
                int(round((min_resolution + i * step) / size_multiple)) * size_multiple
                for i in range(num_resolutions)
            })
        self.resolutions = [_pair(r) for r in resolutions]
        for h, w in self.resolutions + [_pair(base_resolution)]:
            if h % size_multiple or w % size_multiple:
                raise ValueError(f'resolution {h}x{w} is not a multiple of '
                                 f'size_multiple={size_multiple}')
        if isinstance(rule, str) and rule not in BATCH_SIZE_RULES:
            raise ValueError(f'unknown rule {rule!r}; choose one of '
                             f'{sorted(BATCH_SIZE_RULES)} or give a dict')
        rule_cfg = BATCH_SIZE_RULES[rule] if isinstance(rule, str) else dict(rule)
        self.batch_sizes = batch_size_table(self.resolutions, base_resolution, batch_size,
                                            **rule_cfg)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self._check_equal_rank_counts()
        num = len(self.sampler)
        self.batch_counts = plan_batch_counts(num, self.batch_sizes)
        used = self.samples_per_epoch
        if not used:
            smallest = min(self.batch_sizes)
            h, w = self.resolutions[self.batch_sizes.index(smallest)]
            raise EmptyPlanError(
                f'MultiScaleBatchSampler: this rank has {num} samples per epoch, fewer '
                f'than the smallest batch size ({smallest} at {h}x{w}), so the plan has '
                f'no batch. Lower train_dataloader.batch_size ({batch_size} at the base '
                f'resolution), use fewer processes, or add data.')
        table = ', '.join(f'{h}x{w}: {b} x {c}' for (h, w), b, c in
                          zip(self.resolutions, self.batch_sizes, self.batch_counts))
        print_log(f'MultiScaleBatchSampler: {len(self)} batches per epoch using {used} of '
                  f'this rank\'s {num} samples ({num - used} left out, each epoch other '
                  f'ones); resolution: batch size x batches: {table}', logger='current')

    def _check_equal_rank_counts(self):
        """Refuse a distributed index sampler whose ranks may get different counts."""
        world_size = getattr(self.sampler, 'world_size', 1)
        dataset = getattr(self.sampler, 'dataset', None)
        if (world_size > 1 and getattr(self.sampler, 'round_up', True) is False
                and dataset is not None and len(dataset) % world_size):
            raise ValueError(
                f'MultiScaleBatchSampler: {len(dataset)} samples over {world_size} ranks '
                'with round_up=False give the ranks different sample counts, hence '
                'different batch counts (DDP would hang). Set '
                'train_dataloader.sampler.round_up=True.')

    @property
    def samples_per_epoch(self) -> int:
        """Samples of this rank used per epoch."""
        used = sum(b * c for b, c in zip(self.batch_sizes, self.batch_counts))
        if not self.drop_last:
            used = len(self.sampler)
        return used

    def _last_batch_resolution(self, size):
        fits = [k for k, b in enumerate(self.batch_sizes) if b >= size]
        return min(fits, key=lambda k: self.batch_sizes[k])

    def __len__(self):
        num = len(self.sampler)
        counts = plan_batch_counts(num, self.batch_sizes)
        rest = num - sum(b * c for b, c in zip(self.batch_sizes, counts))
        return sum(counts) + int(not self.drop_last and rest > 0)

    def __iter__(self):
        indices = list(self.sampler)
        counts = plan_batch_counts(len(indices), self.batch_sizes)
        sequence = [k for k, c in enumerate(counts) for _ in range(c)]
        seed = getattr(self.sampler, 'seed', 0) or 0
        epoch = getattr(self.sampler, 'epoch', 0)
        generator = torch.Generator()
        generator.manual_seed(seed + epoch)
        start = 0
        for i in torch.randperm(len(sequence), generator=generator).tolist():
            k = sequence[i]
            end = start + self.batch_sizes[k]
            res = self.resolutions[k]
            yield [(int(j), res) for j in indices[start:end]]
            start = end
        if not self.drop_last and start < len(indices):
            res = self.resolutions[self._last_batch_resolution(len(indices) - start)]
            yield [(int(j), res) for j in indices[start:]]
