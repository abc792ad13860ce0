"""Print params and FLOPs of every MobileViT arch as an ImageNet classifier.

    python tools/analysis_tools/backbone_table.py [--shape 256]

Params: backbone + 1000-way linear head, beside the reference implementations' exact
counts. FLOPs: multiply-adds at the given input size (mmengine's counter, fused
attention included), beside the paper's for v1.
"""
import argparse

import torch
from mmengine.analysis import parameter_count
from mmengine.logging import MMLogger
from torch import nn

import mmmobilevit  # noqa: F401
from mmmobilevit.analysis import count_flops
from mmmobilevit.models import ARCH_SETTINGS, MobileViTBackbone

# ml-cvnets / MobileViTv3 / mmpretrain / timm classifier parameter counts, and the
# MobileViT paper's MACs at 256x256.
REFERENCE = {
    'mobilevit-xxs': (1_272_024, 0.42), 'mobilevit-xs': (2_317_848, 1.05),
    'mobilevit-s': (5_578_632, 2.03), 'mobilevitv2-0.5': (1_370_593, None),
    'mobilevitv2-0.75': (2_866_009, None), 'mobilevitv2-1.0': (4_901_841, None),
    'mobilevitv2-1.25': (7_478_089, None), 'mobilevitv2-1.5': (10_594_753, None),
    'mobilevitv2-1.75': (14_251_833, None), 'mobilevitv2-2.0': (18_449_329, None),
    'mobilevitv3-xxs': (1_249_448, None), 'mobilevitv3-xs': (2_490_360, None),
    'mobilevitv3-s': (5_763_912, None), 'mobilevitv3-0.5': (1_429_985, None),
    'mobilevitv3-0.75': (2_999_641, None), 'mobilevitv3-1.0': (5_139_409, None),
}


class Classifier(nn.Module):

    def __init__(self, arch):
        super().__init__()
        self.backbone = MobileViTBackbone(arch, out_indices=-1)
        self.fc = nn.Linear(self.backbone.out_channels[-1], 1000)

    def forward(self, x):
        return self.fc(self.backbone(x)[-1].mean(dim=(2, 3)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--shape', type=int, default=256)
    args = parser.parse_args()
    MMLogger.get_current_instance().setLevel('ERROR')  # mmengine's per-op warnings
    print(f'| arch | params | reference params | FLOPs @{args.shape} (G) | paper FLOPs (G) |')
    print('| --- | ---: | ---: | ---: | ---: |')
    for arch in ARCH_SETTINGS:
        model = Classifier(arch).eval()
        with torch.no_grad():
            flops = count_flops(model, (torch.rand(1, 3, args.shape, args.shape), ))
        params = parameter_count(model)['']
        ref_params, ref_flops = REFERENCE[arch]
        print(f'| {arch} | {params:,} | {ref_params:,} | {flops / 1e9:.3f} '
              f'| {ref_flops if ref_flops and args.shape == 256 else "-"} |', flush=True)


if __name__ == '__main__':
    main()
