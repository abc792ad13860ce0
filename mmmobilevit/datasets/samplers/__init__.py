from .multi_scale_batch_sampler import (BATCH_SIZE_RULES, EmptyPlanError, MultiScaleBatchSampler,
                                        batch_size_table, plan_batch_counts)

__all__ = [
    'MultiScaleBatchSampler', 'batch_size_table', 'plan_batch_counts', 'BATCH_SIZE_RULES',
    'EmptyPlanError'
]
