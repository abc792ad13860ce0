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


@DATA_SAMPLERS.register_module()
class MultiScaleBatchSampler(BatchSampler):
    """Batches of varying resolution and size (MobileViT paper section 3.2, appendix B).

    Every batch has one resolution and a batch size scaled inversely to its pixel count.
    It yields keys ``(index, (h, w))`` that :class:`~mmmobilevit.datasets.MultiScaleDataset`
    turns into samples whose pipeline produces that size directly
    (:class:`~mmmobilevit.datasets.transforms.MultiScaleRandomResizedCrop`).

    **A fixed plan per epoch.** mmengine reads ``len(dataloader)`` once (total iterations,
    scheduler lengths), and every DDP rank must yield the same number of batches. So each
    epoch, the wrapped sampler's indices for this rank (mmengine's ``DefaultSampler``
    shuffles them by seed and epoch and gives every rank the same count) are split into
    equal shares, one per resolution; each share is cut into batches of that
    resolution's size; and the order of the batches is shuffled with a generator seeded
    by ``seed + epoch``, the same on every rank. Hence ``len()`` is the same in every
    epoch and on every rank, every rank draws the same resolution sequence, the plan is
    deterministic from seed and epoch, and a resumed epoch is replayed exactly. (ml-cvnets
    instead draws a resolution per batch until the indices run out, so its batch count
    varies from epoch to epoch.) mmengine's ``set_epoch`` reaches the wrapped sampler as
    ``dataloader.batch_sampler.sampler``.

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
        drop_last (bool): Drop the incomplete last batch of each resolution's share.
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
        rule_cfg = BATCH_SIZE_RULES[rule] if isinstance(rule, str) else dict(rule)
        self.batch_sizes = batch_size_table(self.resolutions, base_resolution, batch_size,
                                            **rule_cfg)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        table = ', '.join(f'{h}x{w}: {b}' for (h, w), b in
                          zip(self.resolutions, self.batch_sizes))
        print_log(f'MultiScaleBatchSampler: {len(self)} batches per epoch; '
                  f'resolution -> batch size: {table}', logger='current')

    def _shares(self, n):
        k = len(self.resolutions)
        bounds = [n * i // k for i in range(k + 1)]
        return [bounds[i + 1] - bounds[i] for i in range(k)], bounds

    def __len__(self):
        shares, _ = self._shares(len(self.sampler))
        return sum((s // b) if self.drop_last else -(-s // b)
                   for s, b in zip(shares, self.batch_sizes))

    def __iter__(self):
        indices = list(self.sampler)
        _, bounds = self._shares(len(indices))
        batches = []
        for k, (res, b) in enumerate(zip(self.resolutions, self.batch_sizes)):
            share = indices[bounds[k]:bounds[k + 1]]
            for s in range(0, len(share), b):
                batch = share[s:s + b]
                if len(batch) == b or not self.drop_last:
                    batches.append([(int(i), res) for i in batch])
        seed = getattr(self.sampler, 'seed', 0) or 0
        epoch = getattr(self.sampler, 'epoch', 0)
        generator = torch.Generator()
        generator.manual_seed(seed + epoch)
        for i in torch.randperm(len(batches), generator=generator).tolist():
            yield batches[i]
