"""Convert Apple's ml-cvnets MobileViT v1 / v2 checkpoints (e.g. mobilevit_s.pt, mobilevitv2-1.0.pt)
to an mmpretrain-style checkpoint (``state_dict`` with ``backbone.``/``head.`` keys)
that loads into ``MobileViTBackbone`` / an mmpretrain ``ImageClassifier``.

    python tools/model_converters/mlcvnets2mmpretrain.py SRC DST

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
    arch = convert_checkpoint(args.src, args.dst, 'mlcvnets', arch_prefix=None)
    print(f'{args.src} -> {args.dst} (arch: {arch})')


if __name__ == '__main__':
    main()
