"""Random weights that make numerical comparisons meaningful."""
import torch
from torch import nn


def randomize_norms(model: nn.Module, seed: int = 0) -> nn.Module:
    """Give every BatchNorm random statistics and every norm a random affine (in place).

    Freshly initialised norms are identities, which would hide errors in their fusion or
    in the order of their channels.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(torch.rand(m.num_features, generator=gen) - 0.5)
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            if isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm)):
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
    return model


def rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| relative to max(1, max |a|)."""
    return float((a - b).abs().max() / max(1., float(a.abs().max())))


def save_initial_weights(config: str, path: str, classes=None) -> str:
    """Build ``config``'s model (its task's init API, no checkpoint) and save its initial
    weights to ``path``, with ``classes`` as the dataset meta if given."""
    from mmengine.runner.checkpoint import save_checkpoint

    from ..apis import init_model
    checkpoint = dict(state_dict=init_model(config, None).state_dict())
    if classes is not None:
        checkpoint['meta'] = dict(dataset_meta=dict(classes=tuple(classes)))
    save_checkpoint(checkpoint, path)
    return path
