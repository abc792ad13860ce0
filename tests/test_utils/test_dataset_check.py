"""Clear errors for datasets that are not where the config says."""
import pytest

import mmmobilevit  # noqa: F401


def test_missing_dataset_names_path_and_layout(tmp_path):
    from mmengine.config import Config

    from mmmobilevit.utils import DatasetNotFoundError, check_dataset_paths
    cfg = Config(dict(train_dataloader=dict(dataset=dict(
        type='RepeatDataset', times=2,
        dataset=dict(type='CocoDataset', data_root=str(tmp_path / 'coco'),
                     ann_file='annotations/instances_train2017.json',
                     data_prefix=dict(img='train2017/'))))))
    with pytest.raises(DatasetNotFoundError) as err:
        check_dataset_paths(cfg)
    msg = str(err.value)
    assert str(tmp_path / 'coco') in msg and 'instances_train2017.json' in msg
    assert 'Expected layout' in msg
