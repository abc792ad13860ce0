"""Evaluate a checkpoint of any mmpretrain, mmdet or mmseg config.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
                         [--show-dir DIR] [--deploy]
                         [--backend {pytorch,onnxruntime,onnxruntime-int8,openvino,openvino-int8,
                                    executorch,executorch-int8}]
                         [--calib-images 32] [--cfg-options k=v ...]
    tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [ARGS]

CHECKPOINT may be a local file, a release folder holding one (an unzipped MobileViTv3
asset) or a URL (downloaded and cached).
``--backend onnxruntime`` runs the network as an exported ONNX graph in onnxruntime
(cached per checkpoint, config, input size, torch version and opset) inside the
config's own pre- and post-processing and evaluator; ``onnxruntime-int8`` quantizes
that graph statically (QDQ), calibrated on ``--calib-images`` images of the config's
validation set; ``openvino`` runs the fp32 graph in OpenVINO (in float32),
``openvino-int8`` its NNCF int8 quantization (calibrated as ``onnxruntime-int8``);
``executorch`` runs an ExecuTorch program (XNNPACK) lowered from the deployed network,
one per input size at batch 1 (about 20 s each, cached), image by image;
``executorch-int8`` that program quantized statically (PT2E, XNNPACK's quantizer),
calibrated as ``onnxruntime-int8``.
"""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import DictAction
from mmengine.runner import Runner

import mmmobilevit  # noqa: F401  (registers the modules)
from mmmobilevit.checkpoint import trust_checkpoint
from mmmobilevit.checkpoint.io import checkpoint_in_folder
from mmmobilevit.compat import apply_patches
from mmmobilevit.deployment.ort_backend import BACKENDS
from mmmobilevit.utils import (add_custom_hook, check_datasets, close_process_group,
                               die_with_parent, first_rank_printer, init_process_group, load_cfg,
                               setup_device_cfg)
from mmmobilevit.utils.cli import run_cli


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file path or URL')
    parser.add_argument('--work-dir', help='the dir to save the evaluation metrics')
    parser.add_argument('--out', help='dump the predictions to a pickle file')
    parser.add_argument('--show-dir', help='directory for the painted predictions')
    parser.add_argument(
        '--deploy', action='store_true',
        help="test the model's fast inference form: switch_to_deploy() after the "
        'checkpoint is loaded (DeployHook; BatchNorms and norm affines folded, outputs '
        'unchanged within 1e-4)')
    parser.add_argument(
        '--backend', choices=BACKENDS, default='pytorch',
        help='what runs the network: PyTorch, onnxruntime or OpenVINO on the exported '
        'graph, or an ExecuTorch program (each fp32, or -int8: quantized statically); '
        'pre- and post-processing and the metrics are the config\'s in every case')
    parser.add_argument('--calib-images', type=int, default=32,
                        help='int8 calibration images from the validation set')
    parser.add_argument(
        '--skip-image-check', action='store_true',
        help='do not check that every image the annotations name exists (a full check '
        'is remembered per annotation file, so only the first start pays it)')
    parser.add_argument(
        '--trust-checkpoint', action='store_true',
        help='load CHECKPOINT even if it holds objects other than weights '
        '(a full unpickling, which can run code): only for files you trust')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, "key=value" pairs')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_visualization(cfg, show_dir):
    """Switch on the scope's visualization hook, writing pictures under show_dir."""
    scope = cfg.get('default_scope', 'mmengine')
    hooks = cfg.setdefault('default_hooks', {})
    vis = hooks.get('visualization')
    if scope == 'mmdet':
        vis = vis or dict(type='DetVisualizationHook')
        vis.update(draw=True, test_out_dir=osp.abspath(show_dir))
    elif scope == 'mmseg':
        vis = vis or dict(type='SegVisualizationHook')
        vis.update(draw=True, interval=1)
        cfg.visualizer['save_dir'] = osp.abspath(show_dir)
    elif scope == 'mmpretrain':
        vis = vis or dict(type='VisualizationHook')
        vis.update(enable=True, out_dir=osp.abspath(show_dir))
    else:
        raise ValueError(f'--show-dir is not supported for default_scope={scope!r}')
    hooks['visualization'] = vis


def add_dump_metric(cfg, out):
    if not out.endswith(('.pkl', '.pickle')):
        raise ValueError('--out must be a .pkl or .pickle file')
    dump_type = 'mmdet.DumpDetResults' if cfg.get('default_scope') == 'mmdet' \
        else 'mmengine.DumpResults'
    dump = dict(type=dump_type, out_file_path=out)
    evaluator = cfg.test_evaluator
    if isinstance(evaluator, (list, tuple)):
        cfg.test_evaluator = list(evaluator) + [dump]
    elif isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator['metrics'] = list(evaluator['metrics']) + [dump] \
            if isinstance(evaluator['metrics'], (list, tuple)) \
            else [evaluator['metrics'], dump]
    else:
        cfg.test_evaluator = [evaluator, dump]


def enable_deploy(cfg):
    backbone = cfg.model.get('backbone', {})
    if 'MobileViTBackbone' not in str(backbone.get('type', '')):
        raise ValueError(f"--deploy needs a MobileViTBackbone; this config's backbone is "
                         f"{backbone.get('type')!r}")
    if backbone.get('deploy'):
        raise ValueError('--deploy switches a model after loading an ordinary checkpoint; '
                         'this config builds the fused structure already (backbone '
                         'deploy=True, for checkpoints of tools/model_converters/'
                         'deploy_model.py): drop --deploy')
    add_custom_hook(cfg, 'DeployHook')


def build_cfg(args):
    cfg = load_cfg(args)
    cfg.load_from = args.checkpoint
    add_custom_hook(cfg, 'CheckpointFitHook')  # a checkpoint that does not fit stops it
    if args.trust_checkpoint:
        trust_checkpoint(args.checkpoint)
    if args.deploy:
        enable_deploy(cfg)
    if args.backend != 'pytorch':
        if args.deploy:
            raise ValueError('--deploy is for the PyTorch backend; the onnxruntime '
                             'backends export the deployed model anyway')
        if args.calib_images < 1:
            raise ValueError('--calib-images must be at least 1')
        add_custom_hook(cfg, 'OnnxRuntimeBackendHook', backend=args.backend,
                        calib_images=args.calib_images)
    if args.show_dir:
        enable_visualization(cfg, args.show_dir)
    if args.out:
        add_dump_metric(cfg, args.out)
    setup_device_cfg(cfg, args.launcher)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    if args.launcher != 'none':
        die_with_parent()  # a rank ends with its launcher
    apply_patches()
    if osp.isdir(args.checkpoint):
        checkpoint_in_folder(args.checkpoint)  # a release folder: the file it holds, or why not
    elif '://' not in args.checkpoint and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint "{args.checkpoint}" does not exist')
    cfg = build_cfg(args)
    # annotations read as the dataset classes will, images checked (once per stamp)
    check_datasets(cfg, splits=('test', ), check_images=not args.skip_image_check,
                   log=first_rank_printer('dataset check: '))
    init_process_group(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    close_process_group()
    return metrics


if __name__ == '__main__':
    sys.exit(run_cli(main))
