from .multi_scale_batch_sampler import BATCH_SIZE_RULES, MultiScaleBatchSampler, batch_size_table

__all__ = ['MultiScaleBatchSampler', 'batch_size_table', 'BATCH_SIZE_RULES']
