"""Segment an image with ``mmseg.apis`` and write the overlay of the predicted mask.

    python tools/misc/seg_image_demo.py CONFIG CHECKPOINT IMAGE [--out-file overlay.png]
                                        [--opacity 0.5] [--device cpu]

CHECKPOINT may be a released file's URL or path in Apple's layout (converted on the fly).
"""
import argparse
import os.path as osp
import sys

import numpy as np
from mmseg.apis import inference_model, init_model, show_result_pyplot

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.compat import apply_patches
from mmmobilevit.utils import read_config
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('image')
    parser.add_argument('--out-file', default='overlay.png')
    parser.add_argument('--opacity', type=float, default=0.5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    apply_patches()
    if not osp.isfile(args.image):
        raise FileNotFoundError(f'image "{args.image}" does not exist')

    model = init_model(read_config(args.config), args.checkpoint, device=args.device)
    result = inference_model(model, args.image)
    show_result_pyplot(model, args.image, result, opacity=args.opacity, show=False,
                       out_file=args.out_file)
    mask = result.pred_sem_seg.data.cpu().numpy()
    classes = model.dataset_meta['classes']
    found = [f'{classes[i]} {np.mean(mask == i):.0%}' for i in np.unique(mask)]
    print(f'{mask.shape[-2]}x{mask.shape[-1]} mask ({", ".join(found)}) drawn to '
          f'{args.out_file}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
