"""The dataset check looks inside the files (#35.6): an image that does not decode (a
half-truncated JPEG, which PIL's verify() passes), an empty file, a segmentation map with
labels beyond the classes, each named; the stamp of a passed check is keyed on every
file's size and mtime (a file deleted or changed afterwards is found), and
``--no-cache`` checks afresh."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit.utils import DatasetError, check_datasets

DET = osp.join(REPO, 'configs', '_toy_', 'ssdlite_mobilevit-xxs_toy-det.py')
SEG = osp.join(REPO, 'configs', '_toy_', 'deeplabv3_mobilevit-xxs_toy-seg.py')


@pytest.fixture(autouse=True)
def stamps(tmp_path, monkeypatch):
    monkeypatch.setenv('MMMOBILEVIT_HOME', str(tmp_path / 'home'))


def _coco(toy_data, tmp_path):
    """The toy detector's training set, copied (images included)."""
    root = tmp_path / 'coco'
    shutil.copytree(osp.join(toy_data, 'coco'), root)
    cfg = Config.fromfile(DET)
    cfg.train_dataloader.dataset.data_root = str(root) + '/'
    return cfg, root / 'train2017'


def _check(cfg, **kwargs):
    return check_datasets(cfg, ('train', ), **kwargs)[0]


def test_a_truncated_or_empty_image_is_named(toy_data, tmp_path):
    cfg, images = _coco(toy_data, tmp_path)
    name = sorted(os.listdir(images))[3]
    data = (images / name).read_bytes()
    (images / name).write_bytes(data[:len(data) // 2])  # PIL's verify() passes this
    with pytest.raises(DatasetError, match=rf'1 of 64 image files are not readable '
                       rf'images:\n  .*{name} \((OSError|SyntaxError)'):
        _check(cfg)
    (images / name).write_bytes(b'')
    with pytest.raises(DatasetError, match=rf'are empty \(0 bytes\):\n  .*{name}'):
        _check(cfg)


@pytest.mark.slow  # three checks of a copied set
def test_the_stamp_sees_a_deleted_file_and_no_cache_checks_afresh(toy_data, tmp_path):
    cfg, images = _coco(toy_data, tmp_path)
    assert _check(cfg).images == 'checked'
    assert _check(cfg).images == 'checked before (stamp)'
    name = sorted(os.listdir(images))[5]
    path = images / name
    # the same size and mtime, other bytes: the stamp cannot see it; --no-cache can
    st, data = path.stat(), bytearray(path.read_bytes())
    data[:4] = b'\0\0\0\0'  # no JPEG marker any more
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _check(cfg).images == 'checked before (stamp)'
    with pytest.raises(DatasetError, match=f'not readable images:\n  .*{name}'):
        _check(cfg, use_stamp=False)
    path.unlink()  # deleted after a check: found, the stamp notwithstanding
    with pytest.raises(DatasetError, match=f'1 of 64 image files do not exist:\n  .*{name}'):
        _check(cfg)


def test_a_segmentation_map_label_beyond_the_classes_is_named(toy_data, tmp_path):
    root = tmp_path / 'voc'
    shutil.copytree(osp.join(toy_data, 'VOCdevkit', 'VOC2012'), root)
    cfg = Config.fromfile(SEG)
    cfg.train_dataloader.dataset.data_root = str(root)
    assert _check(cfg).images == 'checked'
    masks = root / 'SegmentationClass'
    name = sorted(os.listdir(masks))[0]
    mask = np.asarray(Image.open(masks / name)).copy()
    mask[:4, :4] = 30  # 21 classes: 0-20, and 255 = ignore
    Image.fromarray(mask).save(masks / name)
    with pytest.raises(DatasetError, match=rf'segmentation maps hold labels beyond the '
                       rf'classes:\n  .*{name} \(labels \[30\]; a 21-class dataset has labels '
                       r'0-20 and 255 = ignore\)\nfix the maps, or '
                       'model.decode_head.num_classes'):
        _check(cfg)


def test_check_dataset_no_cache_option(toy_data, capsys):
    from helpers import load_tool
    tool = load_tool('tools/misc/check_dataset.py')
    assert tool.main([DET, '--splits', 'train', '--no-cache']) == 0
    assert 'checked before' not in capsys.readouterr().out
