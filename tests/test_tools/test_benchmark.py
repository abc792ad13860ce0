"""tools/analysis_tools/benchmark.py end to end on a tiny input (the numbers themselves are
benchmark results, never asserted)."""
import json

import pytest

from helpers import run_tool, tool_env

pytestmark = pytest.mark.slow  # tool runs and training


def test_side_by_side_benchmark_runs_and_reports_ratios(tmp_path):
    out = str(tmp_path / 'bench.json')
    # every default row but openvino-int8 (NNCF's calibration is the slowest step; its
    # agreement check is the onnxruntime-int8 row's code with OpenVINO sessions)
    impls = ['timm', 'ours', 'ours-deploy', 'ours-bf16', 'onnxruntime', 'onnxruntime-int8',
             'openvino', 'timm-openvino']
    log = run_tool(['tools/analysis_tools/benchmark.py', '--archs', 'mobilevit-xxs',
                    '--size', '64', '--iters', '1', '--warmup', '1', '--threads', '2',
                    '--rounds', '2', '--agreement-inputs', '20', '--impls', *impls,
                    '--out', out], timeout=900).stdout
    assert 'ratios vs mmpretrain' in log and 'outputs vs ours eager' in log
    assert 'median of 2 interleaved rounds' in log and 'roofline' in log
    assert 'malloc keep' in log and 'faults/b8' in log  # the default: freed memory kept
    report = json.load(open(out))['report']['mobilevit-xxs']
    results, checks = report['results'], report['checks']
    assert set(results) == {'mmpretrain', 'timm', 'ours', 'ours-deploy', 'ours-bf16',
                            'onnxruntime', 'onnxruntime-int8', 'openvino', 'timm-openvino'}
    assert 'openvino vs timm-openvino (b8 x / b1 x)' in log
    assert report['roofline']['sgemm_gflops'] > 0 and report['flops_per_image'] > 0
    assert set(report['spreads']['ours']) >= {'latency_b1_ms', 'throughput_b8'}
    assert 0 <= checks['onnxruntime-int8 top-1 agreement'] <= 1
    assert checks['int8 logit SQNR dB'] > 0 and checks['fp32 median top-1 margin / logit std'] >= 0
    assert 'int8 logit SQNR dB' in log and 'logit SQNR dB that 99% same top-1 needs' in log
    assert checks['logit SQNR dB that 99% same top-1 needs'] > 0
    for impl in ('mmpretrain', 'timm', 'ours'):  # trainable: a training step and its memory
        assert results[impl]['train_b8_ms'] > 0 and results[impl]['peak_train_mb'] >= 0
    assert all(r['latency_b1_ms'] > 0 and r['throughput_b8'] > 0 and r['faults_b8'] >= 0
               for r in results.values())
    # the outputs were checked to agree before timing
    assert max(checks[k] for k in ('mmpretrain', 'timm', 'ours-deploy', 'onnxruntime',
                                   'openvino', 'timm-openvino')) <= 1e-4
    assert checks['ours-bf16 top-1 agreement'] >= 0.5
    # the accuracy / latency chart drawn from this results file
    chart = str(tmp_path / 'chart.png')
    printed = run_tool(['tools/analysis_tools/accuracy_latency_chart.py', out, '--out',
                        chart]).stdout
    assert 'ours           mobilevit-xxs      latency_b1_ms' in printed
    assert 'top-1 69.02' in printed and 'timm' in printed and 'mmpretrain' in printed
    assert open(chart, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'


def test_unknown_arch_is_refused_before_any_work():
    proc = run_tool(['tools/analysis_tools/benchmark.py', '--archs', 'mobilevit-m'],
                    check=False)
    assert proc.returncode != 0 and 'mobilevit-m' in proc.stdout


@pytest.mark.parametrize('task,impls', [('det', ['ours']), ('seg', ['ours', 'openvino'])])
def test_whole_call_benchmark_with_breakdown(task, impls, tmp_path):
    out = str(tmp_path / 'bench.json')
    env = tool_env(MMMOBILEVIT_HOME=str(tmp_path / 'home'))  # the runtime rows' cache
    log = run_tool(['tools/analysis_tools/benchmark.py', '--task', task, '--impls', *impls,
                    '--iters', '1', '--warmup', '0', '--rounds', '1', '--threads', '2',
                    '--out', out], timeout=900, env=env).stdout
    assert f'== {task}: whole' in log and 'decode ms' in log and 'network ms' in log
    results = json.load(open(out))['report'][task]['results']
    expected = {'mmpretrain-backbone', *impls} if task == 'det' else set(impls)
    assert set(results) == expected
    for r in results.values():
        assert r['whole_img_s'] > 0 and r['network_ms'] > 0 and r['post_ms'] > 0
        assert r['decode_ms'] > 0 and r['preprocess_ms'] > 0
    if task == 'det':  # random detectors tuned to keep a trained one's box count
        assert all(100 <= r['num_outputs'] <= 400 for r in results.values()), results


def test_train_breakdown_times_every_part_of_both(tmp_path):
    out = str(tmp_path / 'breakdown.json')
    log = run_tool(['tools/analysis_tools/train_breakdown.py', '--archs', 'mobilevit-xxs',
                    '--size', '64', '--batch', '2', '--rounds', '1', '--iters', '1',
                    '--out', out], timeout=600).stdout
    assert '== mobilevit-xxs: training step' in log and 'whole-step speed-up' in log
    assert 'bound with our MV2 parts' in log and 'batchnorm' in log
    result = json.load(open(out))['results']['mobilevit-xxs']
    assert len(result['parts']) == 9  # stem, stages 1-2, MV2 + block of stages 3-5
    for impl in ('ours', 'mmpretrain'):
        times = result['median_ms'][impl]
        assert set(times) == set(result['parts']) | {'whole step'}
        assert all(t > 0 for t in times.values())
    assert result['bound_with_free_blocks'] > 0 and result['speedup'] > 0
    assert sum(result['ours_op_classes_ms'].values()) > 0 and result['sgemm_gflops'] > 0
    assert 'bound with the dense GEMMs' in log and result['bound_with_only_gemms'] > 0
    assert {'conv', 'depthwise conv', 'linear (mm, addmm)'} <= set(
        result['ours_op_classes_gflops'])


@pytest.mark.parametrize('argv,message', [
    (['--archs', 'mobilevitv2-1.0'], 'non-mmpretrain archs'),
    (['--size', '100'], 'multiple of 32')])
def test_train_breakdown_refuses_bad_arguments(argv, message):
    proc = run_tool(['tools/analysis_tools/train_breakdown.py', *argv], check=False)
    assert proc.returncode != 0 and message in proc.stdout
