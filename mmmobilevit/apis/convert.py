"""Offline conversion of checkpoint files (the ``tools/model_converters`` scripts)."""
import os.path as osp
from typing import Any, Optional, Tuple, Union

from ..checkpoint import (CheckpointLayoutError, convert_public_layout, detect_layout,
                          layout_channel_order, read_local_checkpoint, save_checkpoint_file,
                          to_mmpretrain_layout, unwrap_state_dict)
from ..checkpoint.release_classes import with_release_classes
from ..models.backbones import infer_arch
from ..releases import check_channel_order, release_dataset


def read_any_checkpoint(src: str) -> Any:
    """A local ``.pth`` / ``.pt`` (weights-only) or ``.safetensors`` file's content."""
    if src.endswith('.safetensors'):
        from safetensors.torch import load_file
        return load_file(src)
    return read_local_checkpoint(src, map_location='cpu')


def convert_checkpoint(src: str, dst: str, expected_layout: str,
                       arch_prefix: Optional[Union[str, Tuple[str, ...]]] = None,
                       source_channel_order: Optional[str] = None) -> Tuple[str, str]:
    """Convert a public MobileViT checkpoint file to an mmpretrain-style one.

    Args:
        src (str): The checkpoint to convert.
        dst (str): Where to write ``dict(state_dict=..., meta=dict(arch, converted_from,
            channel_order))``.
        expected_layout (str): ``'mlcvnets'`` or ``'timm'``: a file of another layout
            is refused.
        arch_prefix (str | tuple[str], optional): Refuse weights of other archs, e.g.
            ``'mobilevitv3-'`` for the MobileViTv3 converter.
        source_channel_order (str, optional): ``'bgr'`` or ``'rgb'``, the order the
            weights were trained on; None takes the release's (Apple's files: v0.1
            code BGR, v0.2 code RGB; timm: RGB). Loading flips the stem when a config
            feeds the other order.

    Returns:
        tuple[str, str]: The arch the weights belong to and the recorded channel order.
    """
    state_dict = unwrap_state_dict(read_any_checkpoint(src))
    layout = detect_layout(state_dict)
    if layout != expected_layout:
        raise CheckpointLayoutError(
            f'{src} is a MobileViT checkpoint in the {layout} layout, not '
            f'{expected_layout}; use the converter for {layout} checkpoints')
    order = (check_channel_order(source_channel_order) if source_channel_order else
             layout_channel_order(state_dict, layout))
    converted, _ = to_mmpretrain_layout(state_dict)
    arch = infer_arch(converted)
    if arch_prefix and not arch.startswith(arch_prefix):
        raise CheckpointLayoutError(
            f'{src} holds {arch} weights, not {arch_prefix}* weights')
    fc = converted.get('head.fc.weight')
    meta = dict(arch=arch, converted_from=f'{layout}:{osp.basename(src)}', channel_order=order,
                dataset=release_dataset('classifier', fc.shape[0] if fc is not None else None))
    save_checkpoint_file(with_release_classes(dict(state_dict=converted, meta=meta)), dst)
    return arch, order


#: what each dense layout is, for the converters' messages
DENSE_LAYOUTS = {
    'mlcvnets-ssd': 'an ml-cvnets / MobileViTv3 SSD detector (encoder.* and ssd_heads.* keys)',
    'mlcvnets-seg': ('an ml-cvnets / MobileViTv3 segmentation model (encoder.* and '
                     'seg_head.* keys)'),
}


def convert_dense_checkpoint(src: str, dst: str, layout: str,
                             source_channel_order: Optional[str] = None) -> Tuple[str, str]:
    """Convert an ml-cvnets / MobileViTv3 detector or segmenter file (or release folder)
    of ``layout`` (``'mlcvnets-ssd'``, ``'mlcvnets-seg'``) to an mmdet / mmseg one, with
    the conversion the loaders apply (:func:`~mmmobilevit.checkpoint.convert_public_layout`).

    Returns:
        tuple[str, str]: The backbone's arch and the recorded channel order (default:
        the order of the code that trained the file).
    """
    checkpoint, found = convert_public_layout(read_any_checkpoint(src))
    if found != layout:
        raise CheckpointLayoutError(
            f'{src} is not {DENSE_LAYOUTS[layout]}; classifiers convert with '
            'mlcvnets2mmpretrain.py')
    converted = checkpoint['state_dict']
    order = (check_channel_order(source_channel_order) if source_channel_order else
             checkpoint['meta']['channel_order'])
    arch = infer_arch({k: v for k, v in converted.items() if k.startswith('backbone.')})
    meta = dict(arch=arch, converted_from=f'{layout}:{osp.basename(src)}', channel_order=order,
                dataset=checkpoint['meta'].get('dataset'))
    save_checkpoint_file(with_release_classes(dict(state_dict=converted, meta=meta)), dst)
    return arch, order


def dense_converter_main(argv: Optional[list], doc: str, layout: str) -> None:
    """The command line of ``tools/model_converters/mlcvnets_{ssd2mmdet,seg2mmseg}.py``."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split('\n\n')[0])
    parser.add_argument('src', help='released file or unzipped MobileViTv3 release folder')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--source-channel-order', choices=('bgr', 'rgb'), default=None,
                        help="the channel order the weights were trained on (default: the "
                        "order of the code that trained them: ml-cvnets v0.1 and the "
                        "MobileViTv3-v1 overlay BGR, v0.2 and the v3 widths RGB)")
    args = parser.parse_args(argv)
    arch, order = convert_dense_checkpoint(args.src, args.dst, layout,
                                           args.source_channel_order)
    print(f'{args.src} -> {args.dst} (arch: {arch}, trained on {order.upper()} input)')


def converter_main(argv: Optional[list], doc: str, layout: str,
                   arch_prefix: Optional[str] = None, order_help: str = '') -> None:
    """The command line of the ``tools/model_converters/*2mmpretrain.py`` scripts."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split('\n\n')[0])
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument(
        '--source-channel-order', choices=('bgr', 'rgb'), default=None,
        help='the channel order the weights were trained on, recorded in the '
        f'checkpoint\'s meta; loading reverses the stem for configs of the other order. '
        f'{order_help}')
    args = parser.parse_args(argv)
    arch, order = convert_checkpoint(args.src, args.dst, layout, arch_prefix=arch_prefix,
                                     source_channel_order=args.source_channel_order)
    print(f'{args.src} -> {args.dst} (arch: {arch}, trained on {order.upper()} input)')
