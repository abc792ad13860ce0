"""The model zoo: the per-family pages, and the metafiles' numbers checked or updated.

    python tools/analysis_tools/model_zoo.py            # the tables (markdown)
    python tools/analysis_tools/model_zoo.py --write    # docs/model_zoo/<family>.md and
                                                        # configs/<family>/README.md
    python tools/analysis_tools/model_zoo.py --check    # metafile numbers == computed
    python tools/analysis_tools/model_zoo.py --update   # write the computed numbers

Reads ``model-index.yml`` and the metafiles it imports. Parameters and FLOPs
(multiply-adds, mmengine's count) are computed from each model's config: classifiers at
their test crop (256x256; 384x384 for the -384px ones), SSDLite at its anchor generator's
input size (320), DeepLabv3 / PSPNet at 512x512.
"""
import argparse
import os.path as osp
import re
import sys

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.analysis import complexity
from mmmobilevit.analysis.parallel import map_in_processes
from mmmobilevit.utils import read_config
from mmmobilevit.utils.model_zoo import load_models

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

TASK_TABLES = (  # (title, task, dataset, metric column)
    ('Classification on ImageNet-1k (256x256; -384px: 384x384)', 'Image Classification',
     'ImageNet-1k',
     'top-1 %'),
    ('Detection on COCO (SSDLite, 320x320)', 'Object Detection', 'COCO', 'box AP'),
    ('Segmentation on PASCAL VOC 2012 + aug (DeepLabv3 / PSPNet, 512x512)',
     'Semantic Segmentation', 'PASCAL VOC 2012 + aug', 'mIoU'),
    ('Segmentation on ADE20K (DeepLabv3 / PSPNet, 512x512)', 'Semantic Segmentation',
     'ADE20K',
     'mIoU'),
)


def input_shape(cfg, task):
    if task == 'Object Detection':
        size = cfg.input_size  # the size the test pipeline resizes to
        return (size, size)
    if task == 'Semantic Segmentation':
        return (512, 512)
    crop = [t['crop_size'] for t in cfg.test_pipeline
            if t['type'].split('.')[-1] == 'CenterCrop']
    return (crop[0], crop[0]) if crop else (256, 256)


def compute(model, root=ROOT):
    """(params, flops) of a metafile model from its config."""
    cfg = read_config(osp.join(root, model['Config']))
    task = model['Results'][0]['Task']
    return complexity(cfg, input_shape(cfg, task))


def _compute_one(item):
    return compute(item[1])


def computed(models, jobs=1):
    """``(metafile path, model, (params, flops))`` per model, in order; ``jobs > 1``
    computes them in that many forked processes."""
    for (path, model), numbers in zip(models, map_in_processes(_compute_one, models, jobs)):
        yield path, model, numbers


def update_metafile(path, numbers):
    """Rewrite the FLOPs / Parameters lines of the named models in place."""
    with open(path) as f:
        text = f.read()
    for name, (params, flops) in numbers.items():
        pattern = re.compile(r'(- Name: ' + re.escape(name) + r'\n(?:(?!  - Name:).*\n)*?'
                             r'      FLOPs: )\d+(\n      Parameters: )\d+')
        text, n = pattern.subn(rf'\g<1>{flops}\g<2>{params}', text)
        if n != 1:
            raise ValueError(f'{path}: cannot find the Metadata of {name}')
    with open(path, 'w') as f:
        f.write(text)


def _link(url, label):
    return f'[{label}]({url})' if url else label


def weights_cell(model):
    if model.get('Weights'):
        return _link(model['Weights'], 'model')
    converted = model.get('Converted From', {}).get('Weights')
    if converted:
        return _link(converted, 'release (zip)')
    return 'no public weights'


def version_of(model):
    """'MobileViT', 'MobileViTv2' or 'MobileViTv3', from the model's collection."""
    return model['In Collection'].split('-')[-1]


FAMILIES = (('MobileViT', 'mobilevit'), ('MobileViTv2', 'mobilevitv2'),
            ('MobileViTv3', 'mobilevitv3'))
PAGE_HEADER = """# {version} model zoo

Generated from `configs/{folder}/metafile.yml` by
`python tools/analysis_tools/model_zoo.py --write`: do not edit by hand. Parameters and
FLOPs (multiply-adds) are computed from the configs (classifiers at their test crop,
SSDLite at 320x320, DeepLabv3 / PSPNet at 512x512 with the v0.2-era segmenters'
training-only auxiliary head); the reference column is the accuracy of the linked weights
as their publisher reports it (not re-measured here).
"""


def config_cell(model, link_from):
    """The config as a link relative to ``link_from`` (a folder of the repository), or as
    a path when ``link_from`` is None (the docs, built outside the repository tree)."""
    if link_from is None:
        return f'`{model["Config"]}`'
    return f'[config]({osp.relpath(model["Config"], link_from)})'


def readme_tables(models, versions=None, level=4, link_from='.'):
    """One markdown table per task and MobileViT version (``versions``: only those)."""
    lines = []
    for title, task, dataset, metric in TASK_TABLES:
        rows = [m for _, m in models if m['Results'][0]['Task'] == task
                and m['Results'][0]['Dataset'] == dataset]
        for version in sorted({version_of(m) for m in rows}):
            if versions is not None and version not in versions:
                continue
            lines += [f'{"#" * level} {title}: {version}', '',
                      f'| model | params (M) | FLOPs (G) | {metric} (reference) | config '
                      '| weights | weights licence |',
                      '| --- | ---: | ---: | ---: | --- | --- | --- |']
            for m in rows:
                if version_of(m) != version:
                    continue
                value = list(m['Results'][0]['Metrics'].values())[0]
                meta = m['Metadata']
                lines.append(
                    f'| {m["Name"]} | {meta["Parameters"] / 1e6:.2f} '
                    f'| {meta["FLOPs"] / 1e9:.2f} | {value} | {config_cell(m, link_from)} '
                    f'| {weights_cell(m)} | {m["Weights License"]} |')
            lines.append('')
    return '\n'.join(lines).rstrip() + '\n'


def family_pages(models, root=ROOT):
    """``{path: text}``: ``docs/model_zoo/<family>.md`` and ``configs/<family>/README.md``."""
    pages = {}
    for version, folder in FAMILIES:
        header = PAGE_HEADER.format(version=version, folder=folder)
        pages[osp.join(root, 'docs', 'model_zoo', f'{folder}.md')] = header + '\n' + \
            readme_tables(models, {version}, level=2, link_from=None)
        pages[osp.join(root, 'configs', folder, 'README.md')] = header + '\n' + \
            readme_tables(models, {version}, level=2, link_from=f'configs/{folder}')
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument('--check', action='store_true')
    mode.add_argument('--update', action='store_true')
    mode.add_argument('--write', action='store_true',
                      help='write docs/model_zoo/<family>.md and configs/<family>/README.md')
    parser.add_argument('--jobs', type=int, default=1,
                        help='with --check / --update: models computed in this many '
                        'processes side by side (one thread each)')
    args = parser.parse_args(argv)
    models = load_models(ROOT)
    if args.write:
        for path, text in family_pages(models).items():
            with open(path, 'w') as f:
                f.write(text)
            print(f'wrote {osp.relpath(path, ROOT)}')
        return 0
    if not (args.check or args.update):
        print(readme_tables(models), end='')
        return 0
    wrong, per_file = [], {}
    for i, (path, model, (params, flops)) in enumerate(computed(models, args.jobs), 1):
        meta = model['Metadata']
        print(f'[{i}/{len(models)}] {model["Name"]}: {params:,} params, '
              f'{flops / 1e9:.3f} GFLOPs', flush=True)
        if (meta.get('Parameters'), meta.get('FLOPs')) != (params, flops):
            wrong.append(f'{model["Name"]}: metafile {meta.get("Parameters")} params / '
                         f'{meta.get("FLOPs")} FLOPs, computed {params} / {flops}')
        per_file.setdefault(path, {})[model['Name']] = (params, flops)
    if args.update:
        for path, numbers in per_file.items():
            update_metafile(path, numbers)
        print(f'updated {len(per_file)} metafiles')
        return 0
    if wrong:
        print('metafile numbers differ from the configs:\n  ' + '\n  '.join(wrong))
        return 1
    print(f'all {len(models)} models: metafile params and FLOPs match their configs')
    return 0


if __name__ == '__main__':
    sys.exit(main())
