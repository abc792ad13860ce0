"""LiteRT export: small MobileViT v1 + v2 + v3 backbones convert with litert-torch and
LiteRT's interpreter (XNNPACK delegate) runs them as PyTorch does. In a separate process
(litert-torch imports JAX, whose threads make a later ``fork`` of this process unsafe).
Every arch x task at the release input sizes, through the export tool's steps:
``tools/deployment/verify_exports.py --target tflite`` (the docs' table)."""
import os.path as osp

import pytest

from helpers import run_tool


@pytest.mark.slow  # one conversion in a separate process
def test_three_families_convert_and_run_in_litert_as_pytorch(tmp_path):
    out = run_tool(['tests/helpers/litert_check.py', str(tmp_path)]).stdout
    line = [s for s in out.splitlines() if s.startswith('LITERT ')][0]
    assert "('BATCH_MATMUL', 6)" in line and "('SOFTMAX', 9)" in line, line
    assert float(line.rsplit(' ', 1)[1]) < 1e-4, line  # within 1e-4 of PyTorch
    assert osp.getsize(tmp_path / 'v123.tflite') > 0
