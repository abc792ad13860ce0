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


# ---------------------------------------------------------------------------------------
# annotations read before training: each case used to fail late, cryptically or silently

DET = 'configs/_toy_/ssdlite_mobilevit-xxs_toy-det.py'
CLS = 'configs/_toy_/mobilevit-xxs_toy-multiscale-cls.py'


@pytest.fixture
def stamps(tmp_path, monkeypatch):
    """Stamps of checked image lists go to a fresh folder."""
    monkeypatch.setenv('MMMOBILEVIT_HOME', str(tmp_path / 'home'))
    return tmp_path / 'home' / 'dataset_checks'


def coco_copy(toy_data, tmp_path, edit=None, text=None):
    """The toy detector config pointed at a copy of the toy COCO train json (edited)."""
    import json
    import os
    import os.path as osp

    from mmengine.config import Config

    from helpers import REPO
    root = tmp_path / 'coco'
    (root / 'annotations').mkdir(parents=True)
    os.symlink(osp.join(toy_data, 'coco', 'train2017'), root / 'train2017')
    src = osp.join(toy_data, 'coco', 'annotations', 'instances_train2017.json')
    data = json.load(open(src))
    if edit:
        edit(data)
    path = root / 'annotations' / 'instances_train2017.json'
    path.write_text(text if text is not None else json.dumps(data))
    cfg = Config.fromfile(osp.join(REPO, DET))
    cfg.train_dataloader.dataset.data_root = str(root) + '/'
    return cfg


def check_train(cfg, **kwargs):
    from mmmobilevit.utils import check_datasets
    return check_datasets(cfg, ('train', ), **kwargs)


def test_toy_coco_passes_with_counts(toy_data, tmp_path, stamps):
    (report, ) = check_train(coco_copy(toy_data, tmp_path))
    assert (report.num_samples, report.num_instances, report.dropped) == (64, 119, {})
    assert report.images == 'checked'
    (again, ) = check_train(coco_copy(toy_data, tmp_path / 'b'))
    assert again.images == 'checked'  # another annotation file: its own stamp


@pytest.mark.parametrize('edit,message', [
    (lambda d: d['annotations'][3].pop('bbox'), r'annotations\[3\] \(id \d+\) has no "bbox"'),
    (lambda d: d['annotations'][5].update(bbox='1,2,3,4'),
     r'annotations\[5\] .*"bbox" must be 4 numbers \[x, y, w, h\], got \'1,2,3,4\''),
    (lambda d: d['annotations'][0].update(image_id=999), 'image_id 999 is not in "images"'),
    (lambda d: d['images'][1].pop('file_name'), r'images\[1\] has no "file_name"'),
    (lambda d: d.update(images=[], annotations=[]), r'the dataset is empty \(no images\)'),
    (lambda d: d['images'][2].update(file_name='gone.jpg'),
     r'1 of 64 image files do not exist:\n  .*train2017/gone.jpg'),
    (lambda d: d['categories'][0].update(name='box'),
     r"class names of the config are not among the annotation categories: \['square'\]"
     r"\.\n  config classes: +\['square', 'circle', 'triangle'\]\n"
     r"  annotation categories: \['box', 'circle', 'triangle'\]"),
])
def test_bad_coco_annotations_stop_with_file_and_entry(toy_data, tmp_path, stamps,
                                                       edit, message):
    from mmmobilevit.utils import DatasetError
    cfg = coco_copy(toy_data, tmp_path, edit)
    with pytest.raises(DatasetError, match=message) as err:
        check_train(cfg)
    assert 'instances_train2017.json' in str(err.value)


def test_truncated_json_names_the_file(toy_data, tmp_path, stamps):
    from mmmobilevit.utils import DatasetError
    cfg = coco_copy(toy_data, tmp_path, text='{"images": [{"id": 1, "file_na')
    with pytest.raises(DatasetError, match=r'instances_train2017.json: not valid JSON '
                       r'\(truncated or corrupt\?\)'):
        check_train(cfg)


def test_dropped_boxes_are_counted(toy_data, tmp_path, stamps):
    def edit(d):
        d['annotations'][0]['bbox'][2] = -5  # negative width
        d['annotations'][1]['area'] = 0
        d['categories'].append(dict(id=7, name='star'))
        d['annotations'][2]['category_id'] = 7  # a category the config does not train

    (report, ) = check_train(coco_copy(toy_data, tmp_path, edit))
    assert report.dropped == {
        'boxes of no size, negative size or outside the image': 2,
        'boxes of category ids not in the config classes ([7])': 1,
        'training images without a valid box (filter_empty_gt)': 2}
    assert report.num_instances == 116
    assert 'dropped: 2 boxes of no size' in report.line()


def test_head_class_count_must_match_the_classes(toy_data, tmp_path, stamps):
    from mmmobilevit.utils import DatasetError
    cfg = coco_copy(toy_data, tmp_path)
    cfg.model.bbox_head.num_classes = 80
    with pytest.raises(DatasetError, match=r"names 3 classes \['square', 'circle', "
                       r"'triangle'\], but model.bbox_head.num_classes is 80"):
        check_train(cfg)


def test_image_check_is_stamped_or_skipped(toy_data, tmp_path, stamps):
    import os
    cfg = coco_copy(toy_data, tmp_path)
    assert check_train(cfg)[0].images == 'checked'
    assert len(os.listdir(stamps)) == 1
    assert check_train(cfg)[0].images == 'checked before (stamp)'
    assert check_train(cfg, check_images=False)[0].images == 'skipped'
    # the annotation file changes: the stamp no longer applies
    cfg = coco_copy(toy_data, tmp_path / 'edited',
                    lambda d: d['images'][0].update(file_name='gone.jpg'))
    with pytest.raises(Exception, match='gone.jpg'):
        check_train(cfg)


def test_classification_lists_are_checked(toy_data, tmp_path, stamps):
    import os.path as osp

    from mmengine.config import Config

    from helpers import REPO
    from mmmobilevit.utils import DatasetError
    cfg = Config.fromfile(osp.join(REPO, CLS))
    ds = cfg.train_dataloader.dataset.dataset
    ds.data_root = osp.join(toy_data, 'imagenet')
    lines = open(osp.join(ds.data_root, 'meta', 'train.txt')).read().splitlines()
    for name, bad, message in (
            ('label', lines[:3] + [lines[3].rsplit(' ', 1)[0] + ' 7'],
             r'train.txt, line 4: label 7 is outside 0..3 \(4 classes'),
            ('format', lines[:1] + ['just-a-path.png'],
             r'train.txt, line 2: expected "path label"'),
            ('empty', [], r'the dataset is empty')):
        ann = tmp_path / name / 'train.txt'
        ann.parent.mkdir()
        ann.write_text('\n'.join(bad) + '\n')
        ds.ann_file = str(ann)
        with pytest.raises(DatasetError, match=message):
            check_train(cfg)


def test_check_dataset_tool(toy_data, capsys):
    from helpers import load_tool
    tool = load_tool('tools/misc/check_dataset.py')
    assert tool.main([DET]) == 0
    out = capsys.readouterr().out
    assert 'train (CocoDataset, data/toy/coco/annotations/instances_train2017.json): 64 ' \
        'images, 119 boxes' in out
    assert 'val/test (CocoDataset' in out and 'dataset check passed' in out
    # the error propagates from main(); run as a command it is one line (run_cli)
    from mmmobilevit.utils import DatasetError
    with pytest.raises(DatasetError, match='train dataset: the config names 3'):
        tool.main([DET, '--cfg-options', 'model.bbox_head.num_classes=5'])


def test_images_directly_under_data_root_pass(toy_data, tmp_path, stamps):
    """An empty image prefix is the data root itself, as mmdet / mmpretrain read it."""
    import os
    import os.path as osp
    cfg = coco_copy(toy_data, tmp_path)
    root = tmp_path / 'coco'
    images = osp.join(toy_data, 'coco', 'train2017')
    for name in os.listdir(images):
        os.symlink(osp.join(images, name), root / name)
    cfg.train_dataloader.dataset.data_prefix = dict(img='')
    (report, ) = check_train(cfg)
    assert (report.num_samples, report.num_instances) == (64, 119)
    assert report.images == 'checked'
