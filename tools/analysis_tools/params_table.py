"""Print the parameter counts of every detection or segmentation config, by part, beside
the MobileViT paper's where it gives one.

    python tools/analysis_tools/params_table.py {det,seg} [--out FILE] [--jobs N]

Whole models as the configs build them (no weights are loaded), in training form (the
segmenters' auxiliary head included). ``--out`` also writes the table to FILE: the docs
include ``docs/_generated/params_{det,seg}.md``, written so.
"""
import argparse
import glob
import os.path as osp
import sys

from mmengine.registry import MODELS, DefaultScope

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis.parallel import map_in_processes
from mmmobilevit.analysis.report import write_report
from mmmobilevit.utils import read_config

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TASKS = {  # task -> (config glob(s), the parts counted after the backbone)
    'det': (('ssdlite_*_coco.py', ), (('neck', 'extra levels'), ('bbox_head', 'heads'))),
    'seg': (('deeplabv3_*.py', 'pspnet_*.py'), (('decode_head', 'decode head'),
                                                ('auxiliary_head', 'auxiliary head'))),
}
# config -> the paper's parameter count (M): MobileViT paper Table 1 (SSDLite on COCO)
# and Table 2 (DeepLabv3 on PASCAL VOC 2012)
PAPER_M = {
    'ssdlite_mobilevit-xxs_coco.py': 1.8,
    'ssdlite_mobilevit-xs_coco.py': 2.7,
    'ssdlite_mobilevit-s_coco.py': 5.7,
    'deeplabv3_mobilevit-xxs_voc12aug-512x512.py': 1.9,
    'deeplabv3_mobilevit-xs_voc12aug-512x512.py': 2.9,
    'deeplabv3_mobilevit-s_voc12aug-512x512.py': 6.4,
}
FAMILIES = ('mobilevit', 'mobilevitv2', 'mobilevitv3')


def configs_of(task):
    """The task's configs, family by family, in name order."""
    patterns, _ = TASKS[task]
    return [path for family in FAMILIES for path in sorted(
        p for pattern in patterns for p in glob.glob(osp.join(ROOT, 'configs', family, pattern)))]


def count(module):
    return sum(p.numel() for p in module.parameters()) if module is not None else 0


def row(task, path):
    """One config's table row."""
    _, parts = TASKS[task]
    cfg = read_config(path)
    cfg.model.backbone.init_cfg = None  # counted, not loaded
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    cells = [count(model), count(model.backbone)] + [
        count(getattr(model, attr, None)) for attr, _ in parts]
    name = osp.basename(path)
    return f'| {name} | ' + ' | '.join(f'{n:,}' for n in cells) + \
        f' | {PAPER_M.get(name, "-")} |'


def _row(args):
    return row(*args)


def table(task, jobs=1):
    """The markdown table, a line at a time; ``jobs > 1`` builds the models in that many
    forked processes."""
    _, parts = TASKS[task]
    yield ('| config | params | backbone | ' + ' | '.join(name for _, name in parts)
           + ' | paper (M) |')
    yield '| --- | ---: | ---: | ' + ' | '.join('---:' for _ in parts) + ' | ---: |'
    yield from map_in_processes(_row, [(task, path) for path in configs_of(task)], jobs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('task', choices=sorted(TASKS))
    parser.add_argument('--out', help='also write the table to this file')
    parser.add_argument('--jobs', type=int, default=1,
                        help='build the models in this many processes side by side')
    args = parser.parse_args(argv)
    lines = []
    for line in table(args.task, args.jobs):
        print(line, flush=True)
        lines.append(line)
    write_report(args.out, lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
