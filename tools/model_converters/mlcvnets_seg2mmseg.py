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
import sys

from mmmobilevit.apis.convert import dense_converter_main
from mmmobilevit.utils.cli import run_cli


def main(argv=None):
    dense_converter_main(argv, __doc__, 'mlcvnets-seg')


if __name__ == '__main__':
    sys.exit(run_cli(main))
