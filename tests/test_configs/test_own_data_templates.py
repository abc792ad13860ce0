"""The docs' "Train on your own data" (docs/user_guides/own_data.md): each template,
filled in for the toy data, checks,
builds and computes a loss (the three formats: COCO json, VOC masks, class folders)."""
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401
from helpers import REPO
from mmmobilevit.utils import check_datasets

pytestmark = pytest.mark.slow  # builds three full-size models and their data


GUIDE = osp.join(REPO, 'docs', 'user_guides', 'own_data.md')


def readme_template(task):
    text = open(GUIDE).read()
    match = re.search(r'```python\n# own-data: ' + task + r'\n(.*?)```', text, re.S)
    assert match, f'{GUIDE} has no "# own-data: {task}" block'
    return match.group(1)


def fill(template, **values):
    """Set the variable block's values (``name = ...`` lines) and make _base_ absolute."""
    base = re.search(r"_base_ = '([^']+)'", template).group(1)
    template = template.replace(f"'{base}'", repr(osp.join(REPO, base)))
    for name, value in values.items():
        template, n = re.subn(rf'^{name} = .*$', f'{name} = {value!r}', template, flags=re.M)
        assert n == 1, name
    return template


def loss_on_one_batch(cfg, tmp_path):
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    model = revert_sync_batchnorm(runner.model)
    batch = next(iter(runner.build_dataloader(cfg.train_dataloader)))
    losses = model(**model.data_preprocessor(batch, True), mode='loss')
    total = sum(v.sum() for k, v in losses.items() if 'loss' in k
                for v in (v if isinstance(v, list) else [v]))
    assert torch.isfinite(total)
    model.eval()
    batch = next(iter(runner.build_dataloader(cfg.val_dataloader)))
    with torch.no_grad():
        return model.test_step(batch)


def write(tmp_path, text):
    path = tmp_path / 'my_config.py'
    path.write_text(text)
    return Config.fromfile(str(path))


def test_detection_template(toy_data, tmp_path):
    cfg = write(tmp_path, fill(
        readme_template('detection'), data_root=osp.join(toy_data, 'coco') + '/',
        train_ann_file='annotations/instances_train2017.json', train_img_dir='train2017/',
        val_ann_file='annotations/instances_val2017.json', val_img_dir='val2017/'))
    reports = check_datasets(cfg)
    assert [(r.num_samples, r.num_instances) for r in reports] == [(64, 119), (16, 32)]
    cfg.train_dataloader.batch_size = cfg.val_dataloader.batch_size = 2
    cfg.train_dataloader.num_workers = cfg.val_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = cfg.val_dataloader.persistent_workers = False
    assert cfg.model.bbox_head.num_classes == 3 and cfg.model.backbone.init_cfg is None
    (result, _) = loss_on_one_batch(cfg, tmp_path)
    assert result.pred_instances.labels.max() < 3


def test_segmentation_template(toy_data, tmp_path):
    cfg = write(tmp_path, fill(
        readme_template('segmentation'),
        data_root=osp.join(toy_data, 'VOCdevkit', 'VOC2012')))
    reports = check_datasets(cfg)
    assert [r.num_samples for r in reports] == [48, 12]
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.val_dataloader.batch_size = 1
    assert cfg.model.decode_head.num_classes == 4
    (result, ) = loss_on_one_batch(cfg, tmp_path)
    assert int(result.pred_sem_seg.data.max()) < 4


def test_classification_template(toy_data, tmp_path):
    cfg = write(tmp_path, fill(
        readme_template('classification'), data_root=osp.join(toy_data, 'imagenet'),
        batch_size=8))
    reports = check_datasets(cfg)
    assert [r.num_samples for r in reports] == [160, 48]
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.update(num_workers=0, persistent_workers=False)
    cfg.val_dataloader.batch_size = 4
    assert cfg.model.head.num_classes == 4
    results = loss_on_one_batch(cfg, tmp_path)
    assert results[0].pred_score.shape == (4, )
