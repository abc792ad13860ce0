"""Print params and FLOPs of every MobileViT arch as an ImageNet classifier.

    python tools/analysis_tools/backbone_table.py [--shape 256] [--out FILE]

Params: backbone + 1000-way linear head, beside the reference implementations' exact
counts. FLOPs: multiply-adds at the given input size (mmengine's counter, fused
attention included), beside the paper's for v1. ``--out`` also writes the table to FILE
(the docs include ``docs/_generated/backbone_table.md``, written so).
"""
import argparse
import sys

import torch
from mmengine.analysis import parameter_count
from mmengine.logging import MMLogger
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis import count_flops
from mmmobilevit.analysis.report import write_report
from mmmobilevit.models import ARCH_SETTINGS, MobileViTBackbone
from mmmobilevit.releases import REFERENCE_PARAMS

# The MobileViT paper's MACs at 256x256 (the reference parameter counts:
# mmmobilevit.releases.REFERENCE_PARAMS, from the reference code).
PAPER_FLOPS = {'mobilevit-xxs': 0.42, 'mobilevit-xs': 1.05, 'mobilevit-s': 2.03}


class Classifier(nn.Module):

    def __init__(self, arch):
        super().__init__()
        self.backbone = MobileViTBackbone(arch, out_indices=-1)
        self.fc = nn.Linear(self.backbone.out_channels[-1], 1000)

    def forward(self, x):
        return self.fc(self.backbone(x)[-1].mean(dim=(2, 3)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--shape', type=int, default=256)
    parser.add_argument('--out', help='also write the table to this file')
    args = parser.parse_args(argv)
    MMLogger.get_current_instance().setLevel('ERROR')  # mmengine's per-op warnings
    lines = []

    def emit(line):
        print(line, flush=True)
        lines.append(line)

    emit(f'| arch | params | reference params | FLOPs @{args.shape} (G) | paper FLOPs (G) |')
    emit('| --- | ---: | ---: | ---: | ---: |')
    for arch in ARCH_SETTINGS:
        model = Classifier(arch).eval()
        with torch.no_grad():
            flops = count_flops(model, (torch.rand(1, 3, args.shape, args.shape), ))
        params = parameter_count(model)['']
        ref_params, ref_flops = REFERENCE_PARAMS[arch], PAPER_FLOPS.get(arch)
        emit(f'| {arch} | {params:,} | {ref_params:,} | {flops / 1e9:.3f} '
             f'| {ref_flops if ref_flops and args.shape == 256 else "-"} |')
    write_report(args.out, lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
