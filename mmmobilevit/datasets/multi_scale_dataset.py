"""Dataset wrapper that hands the multi-scale sampler's batch size to the pipeline."""
from typing import Union

from mmengine.dataset import BaseDataset
from mmengine.registry import DATASETS


@DATASETS.register_module()
class MultiScaleDataset:
    """Wraps a dataset for :class:`~mmmobilevit.datasets.MultiScaleBatchSampler`.

    The sampler yields keys ``(index, (h, w))``; this wrapper loads sample ``index`` and
    puts ``(h, w)`` in ``results['batch_shape']`` before the pipeline runs, so that a
    size-aware transform (``MultiScaleRandomResizedCrop``) produces that size directly.
    Plain integer keys work as usual (``batch_shape`` absent).

    Args:
        dataset (dict | Dataset): The wrapped dataset (its pipeline is used).
    """

    def __init__(self, dataset: Union[dict, BaseDataset]) -> None:
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset

    @property
    def metainfo(self) -> dict:
        return self.dataset.metainfo

    def full_init(self) -> None:
        self.dataset.full_init()

    def get_data_info(self, idx: int) -> dict:
        return self.dataset.get_data_info(idx)

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            return self.dataset[key]
        idx, shape = key
        results = self.dataset.get_data_info(idx)
        results['batch_shape'] = tuple(shape)
        return self.dataset.pipeline(results)
