"""Norm layers with random statistics: what makes a randomly initialised model's numbers
mean something (numerical comparisons, timings of realistic activations)."""
import torch
from torch import nn


def randomize_norms(model: nn.Module, seed: int = 0, affine: bool = True,
                    mean_scale: float = 1.0) -> nn.Module:
    """Give every BatchNorm random running statistics, and with ``affine`` every norm a
    random affine (in place; returns ``model``).

    Freshly initialised norms are identities, which would hide errors in their fusion or
    in the order of their channels, and leave activations unlike a trained model's.

    Args:
        model (nn.Module): The model.
        seed (int): Seed of the generator (the model's RNG streams are untouched).
        affine (bool): Also draw the weight (in [0.5, 1.5)) and bias (in [-0.5, 0.5)) of
            every BatchNorm, LayerNorm and GroupNorm. Defaults to True.
        mean_scale (float): Running means are drawn in ``mean_scale * [-0.5, 0.5)``;
            running variances in [0.5, 1.5). Defaults to 1.0.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.copy_(mean_scale *
                                     (torch.rand(m.num_features, generator=gen) - 0.5))
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
            if affine and isinstance(m, (nn.modules.batchnorm._BatchNorm, nn.LayerNorm,
                                         nn.GroupNorm)) and m.weight is not None:
                m.weight.copy_(torch.rand(m.weight.shape, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(m.bias.shape, generator=gen) - 0.5)
    return model
