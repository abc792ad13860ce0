"""Converts small MobileViT v1 + v2 + v3 backbones (:class:`small_models.ThreeFamilies`)
to LiteRT and checks LiteRT's outputs against PyTorch; prints the op counts and the
difference. Run as a separate process (``run_tool``): litert-torch imports JAX, whose
threads make a later ``fork`` of the importing process unsafe.

    python tests/helpers/litert_check.py OUT_DIR
"""
import os.path as osp
import sys
import warnings

import torch

warnings.filterwarnings('ignore')


def main(out_dir: str) -> None:
    from small_models import ThreeFamilies

    from mmmobilevit.deployment import compare_outputs
    from mmmobilevit.deployment.litert_export import LiteRTSession, export_tflite
    from mmmobilevit.deployment.onnx_export import to_nchw
    from mmmobilevit.models.utils import switch_to_deploy
    model = ThreeFamilies().eval()
    converted = ThreeFamilies().eval()
    switch_to_deploy(converted)
    to_nchw(converted)
    path = osp.join(out_dir, 'v123.tflite')
    result = export_tflite(converted, torch.randn(1, 3, 96, 96), path)
    diff = compare_outputs(model, LiteRTSession(path, threads=2), 'LiteRT', batch_sizes=(1, ),
                           shape=(96, 96))
    print(f'LITERT ops {sorted(result["ops"].items())} diff {diff:.2e}')


if __name__ == '__main__':
    main(sys.argv[1])
