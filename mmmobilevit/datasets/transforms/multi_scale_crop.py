"""Random-resized crop straight to the multi-scale batch's size."""
from mmengine.registry import TRANSFORMS
from mmpretrain.datasets.transforms import RandomResizedCrop


@TRANSFORMS.register_module()
class MultiScaleRandomResizedCrop(RandomResizedCrop):
    """mmpretrain's ``RandomResizedCrop`` whose output size is the batch's.

    With :class:`~mmmobilevit.datasets.MultiScaleBatchSampler`, ``results['batch_shape']``
    holds the ``(h, w)`` of the sample's batch: the crop is resized to it in one step
    (never a crop at one size followed by another resize). Without it, ``scale`` is used
    as in ``RandomResizedCrop``.
    """

    def transform(self, results: dict) -> dict:
        shape = results.get('batch_shape')
        if shape is None:
            return super().transform(results)
        default = self.scale
        self.scale = (shape[1], shape[0])  # mmpretrain's scale is (w, h)
        try:
            return super().transform(results)
        finally:
            self.scale = default
