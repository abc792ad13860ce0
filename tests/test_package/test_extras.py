"""Extras: ``import mmmobilevit`` registers what is installed; a config of a task whose
package is missing stops with the extra to install; setup.py declares the extras."""
import os.path as osp
import subprocess
import sys

import pytest

from helpers import REPO

ABSENT = r'''
import sys
for name in sys.argv[1].split(','):
    sys.modules[name] = None  # as if not installed: import fails, find_spec gives None
import mmmobilevit
from mmengine.registry import MODELS
print(sorted(k for k in ('MobileViTBackbone', 'MobileViTClassifier', 'SSDLite', 'SSDLiteHead',
                         'MLCVNetsEncoderDecoder') if k in MODELS.module_dict))
from mmmobilevit.utils import read_config
for path in sys.argv[2:]:
    try:
        print(read_config(path).model.type)
    except ImportError as err:
        print(err)
'''
CONFIGS = ['configs/mobilevit/mobilevit-s_8xb128_in1k.py',
           'configs/mobilevit/ssdlite_mobilevit-s_coco.py',
           'configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py']


@pytest.mark.slow  # a fresh interpreter: packages absent from its start
def test_classification_without_mmdet_and_mmseg():
    out = subprocess.run([sys.executable, '-c', ABSENT, 'mmdet,mmseg'] + CONFIGS, cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.strip().splitlines()[-4:]
    assert lines[0] == "['MobileViTBackbone', 'MobileViTClassifier']"
    assert lines[1] == 'MobileViTClassifier'
    assert lines[2] == ("configs/mobilevit/ssdlite_mobilevit-s_coco.py needs mmdet, which is "
                        "not installed: pip install 'mmmobilevit[det]'")
    assert lines[3].endswith("needs mmsegmentation, which is not installed: pip install "
                             "'mmmobilevit[seg]'")


def test_setup_declares_the_extras_from_the_requirement_files():
    import re
    setup = open(osp.join(REPO, 'setup.py')).read()
    names = re.search(r"for name in \(([^)]*)\)\}", setup).group(1)
    for extra in ('cls', 'det', 'seg', 'deploy', 'tests'):
        assert f"'{extra}'" in names
        assert osp.isfile(osp.join(REPO, 'requirements', f'{extra}.txt'))
    runtime = open(osp.join(REPO, 'requirements', 'runtime.txt')).read()
    assert 'mmdet' not in runtime and 'mmsegmentation' not in runtime
    assert 'mmpretrain' not in runtime
    # the ranges admit the versions CI pins (requirements/env.txt)
    from importlib import metadata

    from packaging.requirements import Requirement
    for name in ('runtime', 'cls', 'det', 'seg', 'deploy'):
        for line in open(osp.join(REPO, 'requirements', f'{name}.txt')):
            line = line.strip()
            if line and not line.startswith('#'):
                req = Requirement(line)
                version = metadata.version(req.name)
                assert req.specifier.contains(version, prereleases=True), (line, version)
