"""Core ML export: every family converts to an ML program without custom layers, with
the documented inputs and outputs. Core ML cannot run off Apple platforms: the rank-5
form of the separable attention is checked against the eager layer in PyTorch, the
programs for their ops and shapes only. Every arch x task: ``verify_exports.py --target
coreml`` (the docs' table)."""
import copy
import os.path as osp

import pytest
import torch

import mmmobilevit  # noqa: F401
from helpers import REPO, load_tool
from helpers.small_models import ThreeFamilies
from mmmobilevit.models.layers import LinearTransformerLayer


def test_rank5_separable_attention_computes_the_eager_layer():
    from mmmobilevit.deployment.coreml_export import to_coreml_forms
    torch.manual_seed(0)
    layer = LinearTransformerLayer(16, 32, patch_size=2).eval()
    x = torch.randn(2, 16, 8, 12)
    form = copy.deepcopy(layer)
    assert to_coreml_forms(form) == {'Rank5LinearSelfAttention': 1}
    assert (form(x) - layer(x)).abs().max().item() <= 1e-5


@pytest.mark.slow  # two conversions
def test_classifier_tool_and_v2_v3_backbones_convert_without_custom_layers(
        tmp_path, capsys):
    from mmmobilevit.compat import active_patches, remove_patches
    from mmmobilevit.deployment.coreml_export import export_coreml, to_coreml_forms
    tool = load_tool('tools/deployment/export.py')
    out = str(tmp_path / 'cls.mlpackage')
    config = osp.join(REPO, 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py')
    before = set(active_patches())
    try:
        tool.main([config, 'none', '--target', 'coreml', '--out', out])
    finally:
        remove_patches(set(active_patches()) - before)
    log = capsys.readouterr().out
    assert "inputs [('input', [1, 3, 64, 64])], outputs ['logits']" in log, log
    assert 'no custom layers' in log and 'not checked here' in log
    assert osp.isfile(osp.join(out, 'Manifest.json'))

    net = ThreeFamilies().eval()
    assert to_coreml_forms(net) == {'Rank5LinearSelfAttention': 6}
    result = export_coreml(net, torch.randn(1, 3, 96, 96), str(tmp_path / 'v123.mlpackage'),
                           ['v1', 'v23', 'bins'])
    assert result['inputs'] == [('input', [1, 3, 96, 96])]
    assert result['outputs'] == ['v1', 'v23', 'bins']
    assert result['ops']['softmax'] == 9 and 'custom_layer' not in result['ops']
