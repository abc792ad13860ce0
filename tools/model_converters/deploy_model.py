"""Save a checkpoint in deploy form: BatchNorms and norm affines folded.

    python tools/model_converters/deploy_model.py CONFIG CHECKPOINT OUT.pth

Loads CHECKPOINT into CONFIG's model, switches its backbone to deploy form and saves the
fused weights (the neck and heads keep their norms, as the config builds them; ``--deploy``
/ ``deploy=True`` folds those at load time). Such a file loads into the same config with
the backbone built fused:

    python tools/test.py CONFIG OUT.pth --cfg-options model.backbone.deploy=True

(mmpretrain's ``reparameterize_model.py`` does the same for RepVGG-like models.)
"""
import argparse
import sys

from mmengine.config import DictAction

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.apis import init_model
from mmmobilevit.checkpoint import save_checkpoint_file
from mmmobilevit.compat import apply_patches
from mmmobilevit.models.utils import switch_to_deploy
from mmmobilevit.utils import read_config
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='an ordinary (unfused) checkpoint, path or URL')
    parser.add_argument('out', help='the fused checkpoint to write')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    apply_patches()
    cfg = read_config(args.config)
    if cfg.model.get('backbone', {}).get('deploy'):
        raise SystemExit('error: the config builds the fused structure already '
                         '(backbone deploy=True); give the ordinary config')
    model = init_model(cfg, args.checkpoint, cfg_options=args.cfg_options)
    if not switch_to_deploy(model, fold_heads=False):
        raise SystemExit('error: nothing in this model has a deploy form '
                         '(MobileViTBackbone has)')
    meta = dict(deploy=True, deployed_from=args.checkpoint)
    if getattr(model, 'dataset_meta', None):
        meta['dataset_meta'] = model.dataset_meta
    save_checkpoint_file(dict(state_dict=model.state_dict(), meta=meta), args.out)
    print(f'fused weights of {args.checkpoint} saved to {args.out}; load them with '
          '--cfg-options model.backbone.deploy=True')


if __name__ == '__main__':
    sys.exit(run_cli(main))
