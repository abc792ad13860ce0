"""Convert the MobileViTv3 release (MobileViTv3-S/XS/XXS and -0.5/0.75/1.0 checkpoint_ema_best.pt)
to an mmpretrain-style checkpoint (``state_dict`` with ``backbone.``/``head.`` keys)
that loads into ``MobileViTBackbone`` / an mmpretrain ``ImageClassifier``.

    python tools/model_converters/mobilevitv3_to_mmpretrain.py SRC DST \
        [--source-channel-order {bgr,rgb}]

The arch is recognised from the weights and printed. A file that is not a checkpoint of
this kind is refused with a message that says what it is. The channel order the weights
expect is recorded in the checkpoint's meta. Default: the release's (v3-XXS/XS/S, built
on ml-cvnets v0.1: BGR; v3-0.5/0.75/1.0, on v0.2: RGB).
"""
import sys

from mmmobilevit.apis.convert import converter_main
from mmmobilevit.utils.cli import run_cli

ORDER_HELP = ("Default: the release's (v3-XXS/XS/S, built on ml-cvnets v0.1: BGR; "
              'v3-0.5/0.75/1.0, on v0.2: RGB).')


def main(argv=None):
    converter_main(argv, __doc__, 'mlcvnets', arch_prefix='mobilevitv3-', order_help=ORDER_HELP)


if __name__ == '__main__':
    sys.exit(run_cli(main))
