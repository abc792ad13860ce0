"""Convert timm's mobilevit_* / mobilevitv2_* weights (pytorch_model.bin,
model.safetensors or a torch.save'd state dict) to an mmpretrain-style checkpoint
(``state_dict`` with ``backbone.``/``head.`` keys) that loads into
``MobileViTBackbone`` / an mmpretrain ``ImageClassifier``.

    python tools/model_converters/timm2mmpretrain.py SRC DST [--source-channel-order {bgr,rgb}]

The arch is recognised from the weights and printed. A file that is not a checkpoint of
this kind is refused with a message that says what it is. The channel order the weights
expect is recorded in the checkpoint's meta. Default: RGB (timm feeds RGB; whether
timm's MobileViT v1 ports reversed Apple's BGR stem is not verified).
"""
import sys

from mmmobilevit.apis.convert import converter_main
from mmmobilevit.utils.cli import run_cli

ORDER_HELP = ("Default: RGB (timm feeds RGB; whether timm's MobileViT v1 ports reversed Apple's "
              'BGR stem is not verified).')


def main(argv=None):
    converter_main(argv, __doc__, 'timm', arch_prefix=None, order_help=ORDER_HELP)


if __name__ == '__main__':
    sys.exit(run_cli(main))
