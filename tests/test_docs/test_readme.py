"""README: short, and its quick starts run as written (release URLs served by a loopback
server with random weights in the releases' layouts)."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

from helpers import REPO
from helpers.apple_layout import apple_segmenter_state, to_apple_layout
from helpers.http_server import FileServer

README = osp.join(REPO, 'README.md')
APPLE = 'https://docs-assets.developer.apple.com'


def quick_starts():
    """``{task: code}`` of the README's quick-start blocks."""
    text = open(README).read()
    section = text[text.index('## Quick start'):]
    section = section[:section.index('\n## ', 3)]
    blocks = re.findall(r'\*\*(\w+)\*\*[^\n]*\n\n```python\n(.*?)```', section, re.S)
    return dict(blocks)


def test_readme_is_short_and_has_the_three_quick_starts():
    assert len(open(README).read().splitlines()) <= 300
    assert sorted(quick_starts()) == ['Classification', 'Detection', 'Segmentation']


def _apple_classifier(arch):
    from mmmobilevit.models import MobileViTBackbone
    torch.manual_seed(0)
    backbone = MobileViTBackbone(arch, init_cfg=None)
    state = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state.update({'head.fc.weight': torch.randn(1000, backbone.out_channels[-1]) * 0.01,
                  'head.fc.bias': torch.zeros(1000)})
    return to_apple_layout(state)


def _apple_detector(arch):
    from helpers.mlcvnets_ssd_reference import AppleSSD
    torch.manual_seed(0)
    return AppleSSD(arch).apple_state_dict()


def _apple_segmenter(config):
    return apple_segmenter_state(config)


#: what each quick start must have left behind (appended to its code)
CHECKS = {
    'Classification': "assert 0 <= result['pred_label'] < 1000 and result['pred_class']\n",
    'Detection': 'assert result.pred_instances.bboxes.shape[-1] == 4\n',
    'Segmentation': "import os\nassert os.path.isfile('overlay.png')\n"
                    'assert result.pred_sem_seg.data.max() < 150\n',
}


@pytest.mark.slow  # three full-size models in a fresh interpreter
def test_quick_starts_run_as_written(tmp_path):
    """The three quick starts run one after the other in one fresh interpreter, as a user
    pastes them into one session (a classifier, a detector and a segmenter initialised in
    one process: the registry scope each init leaves does not matter), from a folder laid
    out as the repository root."""
    served = {
        'ml-research/models/cvnets-v2/classification/mobilevitv2-1.0.pt':
            _apple_classifier('mobilevitv2-1.0'),
        'ml-research/models/cvnets/detection/ssd_mobilevit_s_320.pt':
            _apple_detector('mobilevit-s'),
        'ml-research/models/cvnets-v2/segmentation/ade20k/mobilevitv2/'
        'deeplabv3-mobilevitv2-1.0.pt':
            _apple_segmenter('configs/mobilevitv2/deeplabv3_mobilevitv2-1.0_ade20k-512x512.py'),
    }
    root = tmp_path / 'served'
    for path, state in served.items():
        os.makedirs(root / osp.dirname(path), exist_ok=True)
        torch.save(state, str(root / path))
    work = tmp_path / 'repo'
    work.mkdir()
    for name in ('configs', 'docs'):
        os.symlink(osp.join(REPO, name), work / name)
    env = dict(os.environ, TORCH_HOME=str(tmp_path / 'torch_home'))
    with FileServer(str(root)) as server:
        base = server.url('').rstrip('/')
        session = ''.join(f'print({task!r}, flush=True)\n' + code.replace(APPLE, base) +
                          CHECKS[task] for task, code in quick_starts().items())
        proc = subprocess.run([sys.executable, '-c', session], cwd=str(work), env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, (proc.stdout[-300:], proc.stderr[-4000:])
        assert proc.stdout.split()[:1] == ['Classification']
