"""Convert Apple's ml-cvnets SSDLite detectors (v0.1 ``ssd_mobilevit_*_320.pt``, v0.2
``coco-ssd-mobilevitv2-*.pt``) and the MobileViTv3 release's COCO detectors (the folder
``mobilevitv3_*_coco_*`` or the ``checkpoint_ema_best.pt`` inside) to an mmdet checkpoint
for the ``configs/*/ssdlite_*_coco.py`` configs.

    python tools/model_converters/mlcvnets_ssd2mmdet.py SRC DST [--source-channel-order {bgr,rgb}]

The configs also load these files directly (``load_from``, ``tools/test.py``,
``init_detector``, ``DetInferencer``), converting them on the fly; this writes the
converted file once. The channel order the weights expect is recorded in its meta.
"""
import sys

from mmmobilevit.apis.convert import dense_converter_main
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    dense_converter_main(argv, __doc__, 'mlcvnets-ssd')


if __name__ == '__main__':
    sys.exit(run_cli(main))
