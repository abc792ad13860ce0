"""The segmenter's class map: the argmax over classes, whatever the logits' layout."""
import pytest
import torch

from mmmobilevit.models.segmentors.mlcvnets_encoder_decoder import class_map


def logits_with_ties():
    torch.manual_seed(0)
    x = torch.randn(21, 15, 20)
    top = x.max(dim=0).values + 1
    x[5, :5], x[3, :5] = top[:5], top[:5]  # ties: class 3 first
    x[7, 5:], x[2, 5:] = top[5:], top[5:]
    return x


@pytest.mark.parametrize('layout', ['contiguous', 'channels_last', 'transposed'])
def test_class_map_is_the_argmax_over_classes(layout):
    x = logits_with_ties()
    if layout == 'channels_last':  # a channels-last map's first image: classes innermost
        x = x.unsqueeze(0).contiguous(memory_format=torch.channels_last)[0]
        assert x.stride(0) == 1
    elif layout == 'transposed':
        x = x.transpose(1, 2)
    got = class_map(x)
    assert got.shape == (1, *x.shape[1:]) and got.dtype == torch.long
    assert torch.equal(got, x.argmax(dim=0, keepdim=True))
    if layout != 'transposed':
        assert (got[0, :5] == 3).all() and (got[0, 5:] == 2).all()
