"""Detect objects in an image with ``mmdet.apis`` and write a picture of the boxes.

    python tools/misc/det_image_demo.py CONFIG CHECKPOINT IMAGE [--out-file pred.jpg]
                                        [--score-thr 0.3] [--device cpu]
"""
import argparse
import os.path as osp
import sys

import mmcv
from mmdet.apis import inference_detector, init_detector
from mmdet.registry import VISUALIZERS

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.compat import apply_patches
from mmmobilevit.utils import read_config
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('image')
    parser.add_argument('--out-file', default='pred.jpg')
    parser.add_argument('--score-thr', type=float, default=0.3)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    apply_patches()
    if not osp.isfile(args.image):
        raise FileNotFoundError(f'image "{args.image}" does not exist')

    model = init_detector(read_config(args.config), args.checkpoint, device=args.device)
    result = inference_detector(model, args.image)
    visualizer = VISUALIZERS.build(dict(type='DetLocalVisualizer', name='demo'))
    visualizer.dataset_meta = model.dataset_meta
    image = mmcv.imconvert(mmcv.imread(args.image), 'bgr', 'rgb')
    visualizer.add_datasample('result', image, data_sample=result, draw_gt=False,
                              pred_score_thr=args.score_thr, out_file=args.out_file)
    pred = result.pred_instances
    kept = pred[pred.scores >= args.score_thr]
    classes = model.dataset_meta.get('classes') or ()
    for box, label, score in zip(kept.bboxes.tolist(), kept.labels.tolist(),
                                 kept.scores.tolist()):
        name = classes[label] if label < len(classes) else str(label)
        print(f'  {name} {score:.2f} at ({box[0]:.0f}, {box[1]:.0f}, {box[2]:.0f}, '
              f'{box[3]:.0f})')
    print(f'{len(kept)} boxes with score >= {args.score_thr} drawn to {args.out_file}')


if __name__ == '__main__':
    sys.exit(run_cli(main))
