"""compile_network: the backbone, neck and predicting head compiled with inductor's weight
freezing give the deploy model's outputs (the toy detector through inference_detector
is checked in tests/test_configs/test_ssdlite_mobilevit.py)."""
import copy
import os.path as osp

import pytest
import torch
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.apis import init_model
from mmmobilevit.models.utils import compile_network
from mmmobilevit.testing import REPO
from mmmobilevit.testing.weights import randomize_norms, rel_diff

CLS = osp.join(REPO, 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')


def test_compile_network_refuses_training_models_and_models_without_a_network():
    with pytest.raises(ValueError, match='call model.eval'):
        compile_network(nn.Linear(2, 2))
    with pytest.raises(ValueError, match='none of the network parts'):
        compile_network(nn.Linear(2, 2).eval())
    with pytest.raises(ValueError, match='compile=True is for the PyTorch backend'):
        init_model(CLS, None, compile=True, backend='onnxruntime')  # before any work


@pytest.mark.slow  # compiles
def test_compiled_classifier_gives_the_deploy_outputs():
    model = init_model(CLS, None, deploy=False)
    torch.manual_seed(0)
    randomize_norms(model)
    model.backbone.switch_to_deploy()
    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = model(x, mode='tensor')
        assert compile_network(model) == ['backbone', 'neck', 'head']
        assert compile_network(model) == []  # once only
        got = model(x, mode='tensor')
    assert all(getattr(model, p).network_compiled for p in ('backbone', 'neck', 'head'))
    assert rel_diff(expected, got) <= 1e-4
    # a deep copy runs its own weights (its forward is rebound, its constants its own)
    twin = copy.deepcopy(model)
    with torch.no_grad():
        twin.head.fc.bias.add_(1.)
        assert rel_diff(expected + 1., twin(x, mode='tensor')) <= 1e-4
        assert rel_diff(expected, model(x, mode='tensor')) <= 1e-4
