"""Download a model-zoo checkpoint by its model-index name, or say where its weights are.

    python tools/misc/download_checkpoint.py NAME [--dest checkpoints]
    python tools/misc/download_checkpoint.py --list

For every entry with a ``Weights`` URL the file is downloaded with connect and read
timeouts (``MMMOBILEVIT_DOWNLOAD_TIMEOUT``), its length and sha256 name prefix checked,
and no partial file left behind. ``mim download mmmobilevit --config NAME`` does the same
for those entries. For entries without a URL (the MobileViTv3 release publishes zipped
training folders; the detectors and segmenters have no released weights here) mim 0.3.9
fails inside its own code, while this tool says where the weights are and where the
config expects them, and exits with status 2.
"""
import argparse
import difflib
import os.path as osp
import re
import sys

from mmmobilevit.checkpoint import CheckpointError, download
from mmmobilevit.utils.cli import run_cli
from mmmobilevit.utils.model_zoo import load_models

# the checkout, or an installed package's .mim folder (tools/misc/ is two levels below)
DEFAULT_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


# the offline converter of a MobileViTv3 release folder, per task of the model index
CONVERTERS = {'Object Detection': 'mlcvnets_ssd2mmdet.py',
              'Semantic Segmentation': 'mlcvnets_seg2mmseg.py'}


def expected_checkpoint(root: str, config: str):
    """The local checkpoint path a config's ``init_cfg`` / ``load_from`` names, if any."""
    path = osp.join(root, config)
    if not osp.isfile(path):
        return None
    found = re.findall(r"['\"](checkpoints/[^'\"]+)['\"]", open(path).read())
    return found[0] if found else None


def where_message(root: str, name: str, model: dict) -> str:
    """What to do for an entry without a download URL."""
    source = (model.get('Converted From') or {}).get('Weights')
    lines = [f'{name} has no direct download URL in the model index.']
    if source:
        lines.append(f'Its weights are published at {source}')
        if 'MobileViTv3' in source:
            task = ((model.get('Results') or [{}])[0]).get('Task')
            converter = CONVERTERS.get(task, 'mobilevitv3_to_mmpretrain.py')
            lines.append('as zipped training folders: download the folder of this model, '
                         'unzip it, and use the folder or its checkpoint_ema_best.pt '
                         '(converted as it is loaded, or with '
                         f'tools/model_converters/{converter}).')
    else:
        lines.append(f'No trained weights are published for it; {model.get("Config")} '
                     'trains it (tools/dist_train.sh CONFIG NUM_GPUS).')
    expected = expected_checkpoint(root, model.get('Config', ''))
    if expected:
        lines.append(f'{model["Config"]} reads it from {expected} (put the file there).')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('name', nargs='?', help='a model-index name (see --list)')
    parser.add_argument('--dest', default='checkpoints', help='output folder')
    parser.add_argument('--list', action='store_true', help='list the names and exit')
    parser.add_argument('--root', default=DEFAULT_ROOT,
                        help='folder holding model-index.yml (default: this checkout or '
                        'the installed package)')
    args = parser.parse_args(argv)
    models = {m['Name']: m for _, m in load_models(args.root)}
    if args.list or not args.name:
        for name, model in models.items():
            print(f'{name:45s} {"URL" if model.get("Weights") else "no URL"}')
        return 0
    if args.name not in models:
        close = difflib.get_close_matches(args.name, list(models), n=3)
        print(f'unknown model {args.name!r}' + (f'; did you mean {close}?' if close else '')
              + ' (--list shows every name)', file=sys.stderr)
        return 2
    model = models[args.name]
    url = model.get('Weights')
    if not url:
        print(where_message(args.root, args.name, model), file=sys.stderr)
        return 2
    out = osp.join(args.dest, url.split('/')[-1])
    if osp.isfile(out):
        print(f'{out} exists')
        return 0
    try:
        download(url, out, progress=True)
    except CheckpointError as e:
        print(f'CheckpointError: {e}', file=sys.stderr)
        return 1
    print(f'{args.name}: saved {out} (config: {model.get("Config")})')
    return 0


if __name__ == '__main__':
    sys.exit(run_cli(main))
