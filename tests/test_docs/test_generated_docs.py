"""The figures in the docs and the README are the tools' output, not edited by hand:
``docs/_generated/*`` is what the tools named in each page write, the pages include those
files, and the README quotes the demo's summary as ``run_demo.sh`` wrote it."""
import glob
import os.path as osp
import re

import pytest

from helpers import REPO, run_tool

GENERATED = osp.join(REPO, 'docs', '_generated')
#: deterministic tables: file -> the command that writes it (``--out`` appended)
TABLES = {
    'params_det.md': ['tools/analysis_tools/params_table.py', 'det'],
    'params_seg.md': ['tools/analysis_tools/params_table.py', 'seg'],
    'backbone_table.md': ['tools/analysis_tools/backbone_table.py'],
}
#: measured (timings): written by these commands, checked for their form only
MEASURED = {
    'benchmark_sampler.md': 'tools/analysis_tools/benchmark_sampler.py',
    'toy_run_cls.txt': 'tools/analysis_tools/toy_run.py',
    'toy_run_seg.txt': 'tools/analysis_tools/toy_run.py',
    'toy_backends_cls.txt': 'tools/analysis_tools/toy_run.py',
    'toy_backends_det.txt': 'tools/analysis_tools/toy_run.py',
    'toy_backends_seg.txt': 'tools/analysis_tools/toy_run.py',
    'demo.txt': 'tools/run_demo.sh',
    'executorch_exports.md': 'tools/deployment/verify_exports.py',
    'coreml_exports.md': 'tools/deployment/verify_exports.py',
    'tflite_exports.md': 'tools/deployment/verify_exports.py',
    'profile_executorch.txt': 'tools/analysis_tools/profile_executorch.py',
}


def _docs_text():
    pages = glob.glob(osp.join(REPO, 'docs', '**', '*.md'), recursive=True)
    return '\n'.join(open(p).read() for p in pages)


def test_every_generated_file_is_included_and_named_with_its_command():
    docs = _docs_text()
    files = sorted(osp.basename(p) for p in glob.glob(osp.join(GENERATED, '*')))
    assert files == sorted({**TABLES, **MEASURED}), files
    for name in files:
        if name == 'demo.txt':  # quoted by the README (next test)
            continue
        assert f'_generated/{name}' in docs, f'no page includes docs/_generated/{name}'
        tool = TABLES[name][0] if name in TABLES else MEASURED[name]
        assert tool in docs, f'no page names the command that writes {name}'


def test_the_parameter_tables_stand_beside_the_paper():
    det = open(osp.join(GENERATED, 'params_det.md')).read()
    seg = open(osp.join(GENERATED, 'params_seg.md')).read()
    assert det.count('\n') == 2 + 16 and seg.count('\n') == 2 + 34  # every release
    assert '| ssdlite_mobilevit-s_coco.py | 5,738,826 | 4,833,952 | ' in det
    assert det.split('ssdlite_mobilevit-s_coco.py')[1].split('\n')[0].endswith('| 5.7 |')
    assert '| deeplabv3_mobilevit-s_voc12aug-512x512.py | 6,357,941 | ' in seg


def test_the_device_tables_hold_what_the_devices_page_says():
    """Every released arch and task (57 rows: 19 classifiers, 16 detectors, 22
    segmenters): one XNNPACK subgraph and no op outside, ExecuTorch and LiteRT within
    1e-4 of PyTorch, Core ML converted; timm's models beside them (verify_exports.py)."""
    def rows(name):
        lines = open(osp.join(GENERATED, name)).read().splitlines()
        cells = [[c.strip() for c in line.strip('|').split('|')] for line in lines
                 if line.startswith('| mobilevit')]
        return ([c for c in cells if not c[2].startswith('timm')],
                [c for c in cells if c[2].startswith('timm')])
    ours, timm = rows('executorch_exports.md')
    assert len(ours) == 57 and len(timm) == 10
    assert all(c[4] == '1' and c[5] == '0' and float(c[6]) <= 1e-4 for c in ours), ours
    assert all(int(c[4]) > 1 for c in timm)
    ours, _ = rows('tflite_exports.md')
    assert len(ours) == 57 and all(float(c[5]) <= 1e-4 for c in ours), ours
    ours, _ = rows('coreml_exports.md')
    assert len(ours) == 57 and not any('failed' in ' '.join(c) for c in ours)


def test_the_backend_tables_hold_every_backend_beside_pytorch():
    """toy_run.py --backends: each toy model's metric under PyTorch and under each
    runtime, fp32 and int8, with the change; fp32 runtimes keep PyTorch's metric."""
    from mmmobilevit.deployment.ort_backend import BACKENDS
    metric = {'cls': 'accuracy/top1', 'det': 'coco/bbox_mAP', 'seg': 'mIoU'}
    for task, name in metric.items():
        text = open(osp.join(GENERATED, f'toy_backends_{task}.txt')).read()
        rows = {line.split()[0]: line for line in text.splitlines()
                if line.startswith('  ')}
        assert set(rows) == set(BACKENDS), (task, sorted(rows))
        for backend in ('onnxruntime', 'openvino', 'executorch'):
            change = float(re.search(re.escape(name) + r' [\d.]+ \(([-+][\d.]+)\)',
                                     rows[backend]).group(1))
            assert abs(change) <= 0.1, (task, rows[backend])


def test_the_profile_shows_the_int8_sigmoids_in_xnnpack():
    """profile_executorch.txt: the fp32, int8 and shipped-int8 programs of one arch; in
    our int8 program no sigmoid runs in fp32 (they are XNNPACK's table-driven int8
    operators), in the shipped one they do."""
    lines = open(osp.join(GENERATED, 'profile_executorch.txt')).read().splitlines()
    header = next(line for line in lines if line.startswith('operator (XNNPACK)'))
    assert header.split()[-4:] == ['fp32', 'int8', 'int8', 'shipped']
    sigmoid = next(line for line in lines if line.startswith('Sigmoid (NC)'))
    fp32, int8, shipped = [c.strip() for c in re.split(r'\s{2,}', sigmoid)[1:]]
    assert int8 == '-' and fp32.endswith('x34') and shipped.endswith('x34'), sigmoid
    assert any(line.startswith('Invalid Unary Op') for line in lines)


def test_toy_run_refuses_bad_arguments_before_any_work():
    from helpers import load_tool
    tool = load_tool('tools/analysis_tools/toy_run.py')
    for argv in (['--backends', 'tensorrt'], ['--checkpoint', 'x.pth'],
                 ['--backends', 'onnxruntime', '--calib-images', '0']):
        with pytest.raises(SystemExit) as info:
            tool.main(argv)
        assert info.value.code == 2, argv


def test_readme_quotes_the_demo_summary_that_run_demo_wrote():
    readme = open(osp.join(REPO, 'README.md')).read()
    quoted = re.search(r'```\n(\[run_demo\].*?)```', readme, re.S).group(1)
    assert quoted == open(osp.join(GENERATED, 'demo.txt')).read(), \
        'README quotes other lines than docs/_generated/demo.txt: run ' \
        'MMMOBILEVIT_UPDATE_DOCS=1 bash tools/run_demo.sh and quote that file'


@pytest.mark.slow  # builds every dense config and counts FLOPs of every arch
@pytest.mark.parametrize('name', sorted(TABLES))
def test_tables_are_the_tools_output(name, tmp_path):
    out = str(tmp_path / name)
    jobs = ['--jobs', '2'] if 'params_table' in TABLES[name][0] else []
    run_tool(TABLES[name] + jobs + ['--out', out], timeout=900)
    assert open(out).read() == open(osp.join(GENERATED, name)).read(), \
        f'docs/_generated/{name} differs from the tool\'s output: run ' \
        f'python {" ".join(TABLES[name])} --out docs/_generated/{name}'


@pytest.mark.slow  # two short trainings
def test_the_sampler_benchmark_writes_what_the_docs_include(toy_data, tmp_path):
    out = str(tmp_path / 'sampler.md')
    run_tool(['tools/analysis_tools/benchmark_sampler.py', '--epochs', '1', '--out', out])
    report = open(out).read()
    assert '| sampler | updates / epoch | epoch time (s) |' in report
    assert 'ImageNet plan (8 GPUs x 128, arithmetic): standard 1251, multi-scale 855' in report
