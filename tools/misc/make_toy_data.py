"""Write the bundled toy datasets: small, deterministic and learnable.

    python tools/misc/make_toy_data.py [--out data/toy] [--force]

See :mod:`mmmobilevit.datasets.toy_data` for what they hold.
"""
import argparse

from mmmobilevit.datasets.toy_data import DATASETS, make_toy_data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', default='data/toy', help='output folder')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true', help='write again')
    parser.add_argument('--only', nargs='+', choices=sorted(DATASETS),
                        default=sorted(DATASETS))
    args = parser.parse_args()
    make_toy_data(args.out, args.seed, args.force, args.only)
    print(f'[make_toy_data] toy datasets ready under {args.out}')


if __name__ == '__main__':
    main()
