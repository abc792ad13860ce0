"""Turn a training checkpoint into a model-zoo file: weights only, named by its sha256.

    python tools/model_converters/publish_model.py IN.pth OUT.pth

Keeps ``state_dict`` (with EMA training, mmengine's EMA hook has already put the EMA
weights there: they are the published ones) and the useful part of ``meta``
(``dataset_meta``, ``epoch``, ``iter``, ``seed``, versions); drops the optimizer, the
parameter schedulers, the message hub and ``ema_state_dict`` (the raw, non-EMA
weights). Writes ``OUT-<first 8 hex digits of the sha256>.pth`` (OpenMMLab's naming,
which mmengine / torch hub verify on download) and prints its path and full sha256.
"""
import argparse
import os
import os.path as osp
import sys

import torch

from mmmobilevit.checkpoint import (CheckpointError, read_local_checkpoint, save_checkpoint_file,
                                    sha256_of)
from mmmobilevit.utils.cli import run_cli

KEEP_META = ('dataset_meta', 'epoch', 'iter', 'seed', 'mmengine_version', 'time',
             'experiment_name', 'arch', 'converted_from')


def publish(src, out):
    """Write the published checkpoint; returns (final path, sha256, dropped keys)."""
    checkpoint = read_local_checkpoint(src, map_location='cpu')
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get('state_dict'),
                                                          dict):
        raise CheckpointError(f'{src} has no "state_dict": not an mmengine checkpoint')
    state_dict = {k: v.detach().cpu().contiguous() if torch.is_tensor(v) else v
                  for k, v in checkpoint['state_dict'].items()}
    meta = {k: v for k, v in (checkpoint.get('meta') or {}).items() if k in KEEP_META}
    meta['ema'] = 'ema_state_dict' in checkpoint
    meta['published_from'] = osp.basename(src)
    dropped = sorted(k for k in checkpoint if k not in ('state_dict', 'meta'))
    stem = out[:-4] if out.endswith('.pth') else out
    os.makedirs(osp.dirname(osp.abspath(stem)) or '.', exist_ok=True)
    tmp = stem + '.pth.tmp'
    save_checkpoint_file(dict(state_dict=state_dict, meta=meta), tmp)
    sha = sha256_of(tmp)
    final = f'{stem}-{sha[:8]}.pth'
    os.replace(tmp, final)
    return final, sha, dropped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('in_file', help='the training checkpoint')
    parser.add_argument('out_file', help='the published name (sha prefix appended)')
    args = parser.parse_args(argv)
    try:
        final, sha, dropped = publish(args.in_file, args.out_file)
    except (CheckpointError, FileNotFoundError) as err:
        raise SystemExit(f'error: {err}')
    print(f'dropped: {", ".join(dropped) or "nothing"}')
    print(f'published {final}\nsha256 {sha}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
