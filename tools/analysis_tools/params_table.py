"""Print the parameter counts of the task configs beside the papers'.

    python tools/analysis_tools/params_table.py {det,seg}

Whole models as the configs build them (no weights are loaded).
"""
import argparse
import os.path as osp

from mmengine.registry import MODELS, DefaultScope

import mmmobilevit  # noqa: F401
from mmmobilevit.utils import read_config

# config -> paper parameter count (M); None where the paper gives none
TABLES = {
    'det': {  # MobileViT paper Table 1 (SSDLite on COCO)
        'configs/mobilevit/ssdlite_mobilevit-xxs_coco.py': 1.8,
        'configs/mobilevit/ssdlite_mobilevit-xs_coco.py': 2.7,
        'configs/mobilevit/ssdlite_mobilevit-s_coco.py': 5.7,
        'configs/mobilevitv3/ssdlite_mobilevitv3-xxs_coco.py': None,
        'configs/mobilevitv3/ssdlite_mobilevitv3-xs_coco.py': None,
        'configs/mobilevitv3/ssdlite_mobilevitv3-s_coco.py': None,
    },
    'seg': {  # MobileViT paper Table 2 (DeepLabv3 on PASCAL VOC 2012)
        'configs/mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py': 1.9,
        'configs/mobilevit/deeplabv3_mobilevit-xs_voc12aug-512x512.py': 2.9,
        'configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py': 6.4,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-xxs_voc12aug-512x512.py': None,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-xs_voc12aug-512x512.py': None,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-s_voc12aug-512x512.py': None,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-0.5_ade20k-512x512.py': None,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-0.75_ade20k-512x512.py': None,
        'configs/mobilevitv3/deeplabv3_mobilevitv3-1.0_ade20k-512x512.py': None,
    },
}
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def count_params(config):
    cfg = read_config(osp.join(ROOT, config))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    return sum(p.numel() for p in model.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('task', choices=sorted(TABLES))
    args = parser.parse_args()
    print('| config | params (M) | paper (M) | ours / paper |')
    print('| --- | ---: | ---: | ---: |')
    for config, paper in TABLES[args.task].items():
        n = count_params(config) / 1e6
        ratio = f'{n / paper:.3f}' if paper else '-'
        print(f'| {osp.basename(config)} | {n:.3f} | {paper or "-"} | {ratio} |', flush=True)


if __name__ == '__main__':
    main()
