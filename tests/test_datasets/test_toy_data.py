"""The bundled toy data: a dataset is the same whichever others are written with it."""
import filecmp
import os.path as osp

from mmmobilevit.datasets.toy_data import make_toy_data


def test_a_dataset_does_not_depend_on_which_others_are_written(tmp_path):
    # the fixture wrote (imagenet, coco, voc), the command line sorts them (coco first)
    alone, together = str(tmp_path / 'alone'), str(tmp_path / 'together')
    make_toy_data(alone, which=['coco'], verbose=False)
    make_toy_data(together, which=['imagenet', 'coco'], verbose=False)
    ann = osp.join('coco', 'annotations', 'instances_val2017.json')
    assert filecmp.cmp(osp.join(alone, ann), osp.join(together, ann), shallow=False)
    image = osp.join('coco', 'val2017', '000000000003.jpg')
    assert filecmp.cmp(osp.join(alone, image), osp.join(together, image), shallow=False)
