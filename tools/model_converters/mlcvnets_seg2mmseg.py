"""Convert Apple's ml-cvnets segmenters (v0.1 ``deeplabv3_mobilevit_*.pt``; v0.2
``deeplabv3-mobilevitv2-*.pt``, ``pspnet-mobilevitv2-*.pt``, ``deeplabv3-mobilevitv1.pt``)
and the MobileViTv3 release's VOC / ADE20K segmenters (the folder ``mobilevitv3_*_voc_*``
/ ``mobilevitv3_ade20k_*`` or the ``checkpoint_ema_best.pt`` inside) to an mmseg
checkpoint for the ``configs/*/{deeplabv3,pspnet}_*-512x512.py`` configs.

    python tools/model_converters/mlcvnets_seg2mmseg.py SRC DST [--source-channel-order {bgr,rgb}]

The configs also load these files directly (``load_from``, ``tools/test.py``,
``init_model``, ``MMSegInferencer``), converting them on the fly; this writes the
converted file once. The channel order the weights expect is recorded in its meta.
"""
import argparse

from mmmobilevit.apis.convert import convert_seg_checkpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='segmenter file or unzipped MobileViTv3 release folder')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--source-channel-order', choices=('bgr', 'rgb'), default=None,
                        help="the channel order the weights were trained on (default: the "
                        "code's that trained them: v0.1 heads BGR, v0.2 heads RGB)")
    args = parser.parse_args(argv)
    arch, order = convert_seg_checkpoint(args.src, args.dst, args.source_channel_order)
    print(f'{args.src} -> {args.dst} (arch: {arch}, trained on {order.upper()} input)')


if __name__ == '__main__':
    main()
