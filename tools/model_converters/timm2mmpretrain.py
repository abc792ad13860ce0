"""Convert timm's mobilevit_* / mobilevitv2_* weights (pytorch_model.bin,
model.safetensors or a torch.save'd state dict) to an mmpretrain-style checkpoint
(``state_dict`` with ``backbone.``/``head.`` keys) that loads into
``MobileViTBackbone`` / an mmpretrain ``ImageClassifier``.

    python tools/model_converters/timm2mmpretrain.py SRC DST

The arch is recognised from the weights and printed. A file that is not a
checkpoint of this kind is refused with a message that says what it is.
"""
import argparse

from mmmobilevit.apis import convert_checkpoint


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='converted checkpoint to write')
    args = parser.parse_args(argv)
    arch = convert_checkpoint(args.src, args.dst, 'timm', arch_prefix=None)
    print(f'{args.src} -> {args.dst} (arch: {arch})')


if __name__ == '__main__':
    main()
