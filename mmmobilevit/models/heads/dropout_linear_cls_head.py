"""A linear classification head with dropout before the linear layer."""
from typing import Tuple

import torch
from mmengine.registry import MODELS
from mmpretrain.models.heads import LinearClsHead
from torch import nn


@MODELS.register_module()
class DropoutLinearClsHead(LinearClsHead):
    """mmpretrain's ``LinearClsHead`` with dropout before its ``fc`` layer.

    The classifier of the MobileViT v1 and MobileViTv3-XXS/XS/S releases: global pooling,
    dropout ``classifier_dropout: 0.1``, then the linear layer (apple/ml-cvnets@d38a116
    ``config/classification/mobilevit_*.yaml``; micronDLA/MobileViTv3
    ``MobileViTv3-v1/config/classification/mobilevitv3_*_oneserver.yaml``). Parameters
    and state-dict keys are ``LinearClsHead``'s (``fc.weight``, ``fc.bias``), so every
    checkpoint of that head loads; inference is unchanged (dropout is off in eval).

    Args:
        dropout_rate (float): Probability of zeroing a pooled feature while training.
            Defaults to 0.1.
        **kwargs: ``LinearClsHead``'s arguments (``num_classes``, ``in_channels``,
            ``loss``, ``topk``...).
    """

    def __init__(self, dropout_rate: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0. <= dropout_rate < 1.:
            raise ValueError(f'dropout_rate must be in [0, 1), got {dropout_rate}')
        self.dropout_rate = dropout_rate
        self.dropout = nn.Dropout(dropout_rate)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        return self.dropout(super().pre_logits(feats))
