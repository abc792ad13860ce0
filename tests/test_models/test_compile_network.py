"""compile_network: the backbone, neck and predicting head compiled with inductor's weight
freezing give the same outputs, with the weights really frozen (the toy detector in
deploy mode, through inference_detector, is checked in
tests/test_configs/test_ssdlite_mobilevit.py)."""
import copy
import os.path as osp

import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.weights import rel_diff
from mmmobilevit.apis import init_model
from mmmobilevit.models.utils import compile_network

CLS = osp.join(REPO, 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')


def test_compile_network_refuses_training_models_and_models_without_a_network():
    with pytest.raises(ValueError, match='call model.eval'):
        compile_network(nn.Linear(2, 2))
    with pytest.raises(ValueError, match='none of the network parts'):
        compile_network(nn.Linear(2, 2).eval())
    with pytest.raises(ValueError, match='compile=True is for the PyTorch backend'):
        init_model(CLS, None, compile=True, backend='onnxruntime')  # before any work


class _TinyClassifier(nn.Module):
    """The parts an inference call runs, as mmpretrain names them (small: fast compiles;
    the toy detector through inference_detector is the real model's check)."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.SiLU())
        self.neck = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.neck(self.backbone(x)).flatten(1))


@pytest.mark.slow  # compiles
def test_compiled_parts_give_the_outputs_and_copies_run_their_own_weights():
    torch.manual_seed(0)
    model = _TinyClassifier().eval()
    x = torch.rand(2, 3, 8, 8)
    with torch.no_grad():
        expected = model(x)
        assert compile_network(model) == ['backbone', 'neck', 'head']
        assert compile_network(model) == []  # once only
        assert rel_diff(expected, model(x)) <= 1e-4
        assert all(getattr(model, p).network_compiled for p in ('backbone', 'neck', 'head'))
        # frozen: the weights are constants of the compiled code, so a change in place
        # after the first call is not seen (as graph inputs, they would be); inductor's
        # global flag, set for each call only, is as it was
        model.head.bias.add_(1.)
        assert rel_diff(expected, model(x)) <= 1e-4
        model.head.bias.sub_(1.)
        assert not torch._inductor.config.freezing
        # a deep copy runs its own weights (its forward is rebound, its constants its own)
        twin = copy.deepcopy(model)
        twin.head.bias.add_(1.)
        assert rel_diff(expected + 1., twin(x)) <= 1e-4
        assert rel_diff(expected, model(x)) <= 1e-4
