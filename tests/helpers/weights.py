"""Random weights that make numerical comparisons meaningful."""
import torch

from mmmobilevit.analysis.random_norms import randomize_norms  # noqa: F401  (re-exported)


def rel_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| relative to max(1, max |a|)."""
    return float((a - b).abs().max() / max(1., float(a.abs().max())))


def save_initial_weights(config: str, path: str, classes=None) -> str:
    """Build ``config``'s model (its task's init API, no checkpoint) and save its initial
    weights to ``path``, with ``classes`` as the dataset meta if given."""
    from mmengine.runner.checkpoint import save_checkpoint

    from mmmobilevit.apis import init_model
    checkpoint = dict(state_dict=init_model(config, None).state_dict())
    if classes is not None:
        checkpoint['meta'] = dict(dataset_meta=dict(classes=tuple(classes)))
    save_checkpoint(checkpoint, path)
    return path
