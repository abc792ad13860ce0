"""Convert Apple's ml-cvnets SSDLite detectors (v0.1 ``ssd_mobilevit_*_320.pt``, v0.2
``coco-ssd-mobilevitv2-*.pt``) and the MobileViTv3 release's COCO detectors (the folder
``mobilevitv3_*_coco_*`` or the ``checkpoint_ema_best.pt`` inside) to an mmdet checkpoint
for the ``configs/*/ssdlite_*_coco.py`` configs.

    python tools/model_converters/mlcvnets_ssd2mmdet.py SRC DST [--source-channel-order {bgr,rgb}]

The configs also load these files directly (``load_from``, ``tools/test.py``,
``init_detector``, ``DetInferencer``), converting them on the fly; this writes the
converted file once. The channel order the weights expect is recorded in its meta.
"""
import argparse

from mmmobilevit.apis.convert import convert_ssd_checkpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='detector file or unzipped MobileViTv3 release folder')
    parser.add_argument('dst', help='converted checkpoint to write')
    parser.add_argument('--source-channel-order', choices=('bgr', 'rgb'), default=None,
                        help="the channel order the weights were trained on (default: the "
                        "release's: v1 and v3-XXS/XS/S BGR, v2 and v3 widths RGB)")
    args = parser.parse_args(argv)
    arch, order = convert_ssd_checkpoint(args.src, args.dst, args.source_channel_order)
    print(f'{args.src} -> {args.dst} (arch: {arch}, trained on {order.upper()} input)')


if __name__ == '__main__':
    main()
