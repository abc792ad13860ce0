"""Side-by-side speed of MobileViT models: ours vs mmpretrain vs timm vs onnxruntime,
OpenVINO and ExecuTorch.

    python tools/analysis_tools/benchmark.py [--task cls] [--archs mobilevit-s ...]
        [--threads 2] [--size 256] [--rounds 5] [--iters 10] [--warmup 3] [--compile]
        [--no-onnx] [--no-int8] [--executorch] [--agreement-inputs 1000] [--malloc keep]
        [--out results.json]
    python tools/analysis_tools/benchmark.py --task det   # SSDLite-MobileViT-S, 320x320
    python tools/analysis_tools/benchmark.py --task seg   # DeepLabv3-MobileViT-S, 512x512

**Protocol.** Every implementation lives in its own worker process (forked from a
server that has imported the frameworks, :data:`WORKER_PRELOAD`), built once; the
driver asks the workers one after the other, round by round (``--rounds``, default 5),
so slow phases of a shared machine hit all rows alike. A round times ``--iters`` calls
after ``--warmup``; the table shows the median over rounds and the spread
(half the max-min range over rounds, in % of the median). In the same rounds a
``gemm`` worker measures a large SGEMM (2048^3, fp32) and a bf16 GEMM on the same
threads: the roofline. Each row's achieved GFLOP/s (the model's FLOPs = 2 x MACs from
:func:`mmmobilevit.analysis.count_flops`, times images/s) is shown as a share of the
SGEMM's (``%SGEMM``).

**Memory.** Every worker first calls :func:`mmmobilevit.utils.keep_freed_memory`
(``--malloc keep``, the default): glibc then serves large tensors from its heap and
keeps freed memory, as onnxruntime's arena does, instead of mapping fresh pages (and
faulting every one of them in) for every large activation of every call. ``--malloc
default`` leaves glibc as it is; the ``faults/b8`` column counts the minor page faults
of one batch-8 call either way. The library pages a worker maps are all mapped before the
memory columns' base is read (``_map_file_pages``): the columns are what the calls
allocate.

**--task cls** (default): classifiers on ``[N, 3, size, size]`` tensors. Every
implementation of an arch gets the same weights (timm's random initialisation with
randomised norm statistics, converted for ours and mmpretrain's), and the outputs are
checked to agree (max |diff| / max(1, max|logit|) <= 1e-4) before anything is timed:

=================== ===========================================================
mmpretrain          mmpretrain 1.2's ``MobileViT`` classifier, eager (v1 archs only)
timm                timm's ``mobilevit_*`` / ``mobilevitv2_*``, eager (no v3 in timm)
ours                ``MobileViTBackbone`` classifier, eager (channels_last, trainable)
ours-deploy         ours after ``switch_to_deploy()`` (inference only)
ours-bf16           ours-deploy under ``torch.autocast('cpu', torch.bfloat16)``
ours-compile        ours-deploy compiled by :func:`mmmobilevit.models.utils.compile_network`
                    (inductor, weight freezing, C++ wrapper; ``dynamic=False``: one graph
                    each for batch 1 and 8; ``--compile``; compile time shown)
onnxruntime         ours exported (deploy form) and run by onnxruntime on the CPU
onnxruntime-int8    that graph statically quantized to int8 (QDQ; ``quantize_static``
                    calibrated on 32 fixed smooth random images); its top-1 agreement
                    with fp32 is measured on ``--agreement-inputs`` other fixed images
openvino            the onnxruntime row's graph run by OpenVINO on the CPU, float32
                    (``INFERENCE_PRECISION_HINT='f32'``; this CPU's default is bf16)
openvino-int8       that graph quantized by NNCF (default preset, calibrated on the
                    onnxruntime-int8 row's 32 images); top-1 agreement with fp32 as
                    onnxruntime-int8's
timm-openvino       timm's model through the same ONNX export and OpenVINO (v1 / v2)
executorch          ours-deploy in its XNNPACK forms, lowered whole to ExecuTorch's
                    XNNPACK delegate (``--executorch``; one program per batch size, 1 and
                    8, since the programs' shapes are fixed; about 20 s of lowering each)
executorch-int8     the executorch row quantized statically (PT2E, XNNPACK quantizer,
                    calibrated on the onnxruntime-int8 row's 32 images; ``--executorch``);
                    its top-1 agreement with fp32 on ``--agreement-inputs`` images
timm-executorch     timm's model through the same lowering (``--executorch``, v1 / v2)
=================== ===========================================================

Columns: batch-1 latency (ms), batch-8 throughput (images/s), a batch-8 training step
(forward + cross-entropy + backward, ms; trainable rows only; every row without
dropout, as mmpretrain's and timm's models are by default), peak RSS of inference
and training above the built model's, ratios against mmpretrain (v1), timm (v2) or ours
(v3), and the roofline share at batch 8.

**--task det / seg**: the whole call a user times, ``inference_detector(model, path)`` /
``inference_model(model, path)`` on a 640x480 (det) / 500x375 (seg) JPEG, as images/s,
with its breakdown measured in the same round: decode (``LoadImageFromFile``),
preprocess (the rest of the test pipeline, collate, the data preprocessor), network
(``model(x, mode='tensor')``, or the onnxruntime graph) and post-process (det: the
decoding, NMS and rescale of ``predict_by_feat``; seg: ``predict`` on the network's
output just timed, i.e. the resizes to the original image and the argmax). Rows: det:
``mmpretrain-backbone`` (the same SSDLite config with mmpretrain's ``MobileViT`` as
backbone, whose last output has its 640-channel expansion conv: what a user can build
today), ours, ours-deploy, onnxruntime, onnxruntime-int8, openvino, openvino-int8 and
mmdet's own ``ssdlite_mobilenetv2`` (its own post-processing thresholds); seg: ours,
ours-deploy, onnxruntime, onnxruntime-int8, openvino, openvino-int8. The runtime rows run
the network through the init API's backends (``init_model(..., backend=...)``, as
``tools/test.py --backend``). With ``--compile`` both add ``ours-compile``: ours-deploy
whose backbone, neck and head are compiled with inductor's weight freezing
(:func:`mmmobilevit.models.utils.compile_network`; compile time shown); with
``--executorch``, ``executorch`` and ``executorch-int8`` (one batch-1 program each).
Random weights (seeded, randomised norms; each detector's background logit raised until
100-400 boxes pass, see :func:`favour_background`); the ONNX graphs are cached by
:mod:`mmmobilevit.deployment.ort_backend` (weights, config, size, torch version,
opset; the ExecuTorch programs and OpenVINO int8 IR likewise), int8 calibrated on 16
synthetic images through the test pipeline.

No test asserts a time: these are measurements; quote them with the command.
"""
import argparse
import contextlib
import copy
import json
import math
import os
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time

import torch

from mmmobilevit.analysis import randomize_norms
from mmmobilevit.analysis.benchmarking import (MMPRETRAIN_NAMES, TIMM_NAMES, GemmWorker,
                                               median_seconds, mmpretrain_classifier)
from mmmobilevit.utils import read_config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INFERENCE_ONLY = ('ours-deploy', 'ours-bf16', 'ours-compile', 'onnxruntime',
                  'onnxruntime-int8', 'openvino', 'openvino-int8', 'executorch',
                  'executorch-int8', 'timm-executorch', 'timm-openvino')
ONNX_IMPLS = ('onnxruntime', 'onnxruntime-int8')
#: the det / seg rows whose network runs in a runtime (through the init API's backends,
#: inside the task's own pre- and post-processing)
DENSE_RUNTIME_IMPLS = ONNX_IMPLS + ('openvino', 'openvino-int8', 'executorch',
                                    'executorch-int8')
EXECUTORCH_IMPLS = ('executorch', 'executorch-int8', 'timm-executorch')
AGREEMENT_TOL = 1e-4


# ---- the models ------------------------------------------------------------------
def make_weights(arch, seed=0):
    """(timm state dict or None, our-layout state dict) with the same random weights."""
    import timm

    from mmmobilevit.checkpoint import to_mmpretrain_layout
    torch.manual_seed(seed)
    if arch in TIMM_NAMES:
        model = timm.create_model(TIMM_NAMES[arch], pretrained=False)
    else:  # no timm version: our own classifier is the source
        model = build_impl('ours', arch, None, None).model
    randomize_norms(model, seed)
    state = model.state_dict()
    if arch in TIMM_NAMES:
        return state, to_mmpretrain_layout(state)[0]
    return None, state


class TensorMode(torch.nn.Module):
    """An mmpretrain classifier called on a plain tensor, returning the logits."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x, mode='tensor')


def build_impl(impl, arch, timm_state, our_state):
    """The ``impl`` classifier of ``arch`` with the given weights, in eval mode."""
    from mmmobilevit.models.backbones.mobilevit_archs import get_arch
    arch_cfg = get_arch(arch)
    channels = arch_cfg.out_channels
    if impl == 'timm':
        import timm
        model = timm.create_model(TIMM_NAMES[arch], pretrained=False)
        model.load_state_dict(timm_state)
    elif impl == 'mmpretrain':
        model = TensorMode(mmpretrain_classifier(
            dict(type='mmpretrain.MobileViT', arch=MMPRETRAIN_NAMES[arch]), channels))
        if our_state is not None:
            model.model.load_state_dict(our_state)
    else:
        # no dropout, as mmpretrain's and timm's defaults: the train step does the
        # same work in every row (the arch's own rate, e.g. 0.05 on XXS, adds 18
        # dropouts per step)
        model = TensorMode(mmpretrain_classifier(
            dict(type='MobileViTBackbone', arch=arch, drop_rate=0.), channels))
        if our_state is not None:
            model.model.load_state_dict(our_state)
        if impl in ('ours-deploy', 'ours-bf16', 'ours-compile'):
            model.model.backbone.switch_to_deploy()
            if impl == 'ours-compile':  # weights frozen; one graph per shape (b1, b8)
                from mmmobilevit.models.utils import compile_network
                compile_network(model.model.eval(), dynamic=False)
    return model.eval()


def implementations(arch, args):
    impls = (['mmpretrain'] if arch in MMPRETRAIN_NAMES else []) + \
        (['timm'] if arch in TIMM_NAMES else []) + ['ours', 'ours-deploy', 'ours-bf16']
    if args.compile:
        impls.append('ours-compile')
    if not args.no_onnx:
        impls += ['onnxruntime'] + ([] if args.no_int8 else ['onnxruntime-int8'])
        impls += ['openvino'] + ([] if args.no_int8 else ['openvino-int8'])
        impls += ['timm-openvino'] if arch in TIMM_NAMES else []
    if args.executorch:
        impls += ['executorch', 'executorch-int8'] + (
            ['timm-executorch'] if arch in TIMM_NAMES else [])
    if args.impls:
        impls = [i for i in impls if i in args.impls or i == baseline_of(arch)]
    return impls


def baseline_of(arch):
    return 'mmpretrain' if arch in MMPRETRAIN_NAMES else \
        ('timm' if arch in TIMM_NAMES else 'ours')


# ---- measuring --------------------------------------------------------------------
def _rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20


def _map_file_pages():
    """Map every page of the process's file mappings (``MADV_POPULATE_READ``, Linux
    >= 5.14; a no-op elsewhere), so that the memory columns count what a call
    allocates, not the pages of library code it runs for the first time (a worker forked
    from the server starts with none of them mapped, a fresh interpreter with those its
    imports touched)."""
    import ctypes
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open('/proc/self/maps') as f:
            maps = [line.split() for line in f]
    except (OSError, AttributeError):
        return
    for fields in maps:
        if len(fields) >= 6 and fields[5].startswith('/') and fields[1].startswith('r'):
            low, high = (int(v, 16) for v in fields[0].split('-'))
            libc.madvise(low, high - low, 22)  # MADV_POPULATE_READ; errors ignored


def _start_phase():
    """Reset the process's peak RSS (Linux ``clear_refs``); return the current RSS.

    Without the reset (other systems) the peak includes everything since start-up.
    """
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass
    return _rss_mb()


def _peak_mb():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _minor_faults(fn):
    """Minor page faults of one call of ``fn`` (this process, all threads)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def smooth_images(n, size, seed):
    """``n`` fixed ``[3, H, W]`` inputs: N(0, 1) noise at 1/16 of the size, upsampled
    bicubically (spatially correlated, like normalised photographs)."""
    gen = torch.Generator().manual_seed(seed)
    low = torch.randn(n, 3, max(1, size // 16), max(1, size // 16), generator=gen)
    return torch.nn.functional.interpolate(low, size=(size, size), mode='bicubic',
                                           align_corners=False)


# ---- the workers (one implementation each, driven round by round over stdin) ------
class ClsWorker:
    """Times one classifier implementation: b1 latency, b8 throughput, train step."""

    def __init__(self, args):
        weights = torch.load(osp.join(args.workdir, f'{args.arch}.pth'), weights_only=True)
        self.args, self.setup = args, {}
        size = args.size
        self.x1, self.x8 = torch.randn(1, 3, size, size), torch.randn(8, 3, size, size)
        self.model = None
        if args.worker in ('openvino', 'openvino-int8', 'timm-openvino'):
            from mmmobilevit.deployment.openvino_runtime import openvino_session
            graph = {'openvino': f'{args.arch}.fp32.onnx',
                     'openvino-int8': f'{args.arch}.openvino-int8.xml',
                     'timm-openvino': f'{args.arch}.timm.onnx'}[args.worker]
            session = openvino_session(osp.join(args.workdir, graph), args.threads)

            def infer(x):
                return session.run(None, {'input': x.numpy()})
        elif args.worker in EXECUTORCH_IMPLS:
            from mmmobilevit.deployment.executorch_export import ExecuTorchSession
            programs = {n: ExecuTorchSession(
                osp.join(args.workdir, f'{args.arch}.{args.worker}.b{n}.pte'),
                threads=args.threads) for n in (1, 8)}

            def infer(x):
                return programs[x.shape[0]].run(None, {'input': x.numpy()})
        elif args.worker in ONNX_IMPLS:
            from mmmobilevit.deployment import ort_session
            name = 'int8' if args.worker == 'onnxruntime-int8' else 'fp32'
            # back-to-back runs: onnxruntime's own default, spinning threads
            session = ort_session(osp.join(args.workdir, f'{args.arch}.{name}.onnx'),
                                  args.threads, spinning=True)
            input_name = session.get_inputs()[0].name

            def infer(x):
                return session.run(None, {input_name: x.numpy()})
        else:
            model = build_impl(args.worker, args.arch, weights['timm'], weights['ours'])
            self.model = model
            autocast = args.worker == 'ours-bf16'

            @torch.inference_mode()
            def infer(x):
                with torch.autocast('cpu', dtype=torch.bfloat16, enabled=autocast):
                    return model(x)
        self.infer = infer
        del weights
        # the built model's RSS: both peaks are measured above it (with --malloc keep the
        # heap keeps what inference freed, so a phase's own start is no base)
        _map_file_pages()
        self.model_rss = base = _start_phase()
        if args.worker == 'ours-compile':
            start = time.perf_counter()
            infer(self.x1)
            infer(self.x8)
            self.setup['compile_s'] = time.perf_counter() - start
        infer(self.x8)
        self.setup['peak_infer_mb'] = _peak_mb() - base
        self.trainable = self.model is not None and args.worker not in INFERENCE_ONLY

    def round(self):
        a = self.args
        result = dict(
            latency_b1_ms=1e3 * median_seconds(lambda: self.infer(self.x1), a.iters,
                                               a.warmup),
            throughput_b8=8 / median_seconds(lambda: self.infer(self.x8), a.iters,
                                             a.warmup),
            faults_b8=_minor_faults(lambda: self.infer(self.x8)))
        if self.trainable:
            _start_phase()
            model = self.model.train()
            labels = torch.randint(0, 1000, (8, ))

            def step():
                loss = torch.nn.functional.cross_entropy(model(self.x8), labels)
                loss.backward()
                model.zero_grad(set_to_none=True)
            result['train_b8_ms'] = 1e3 * median_seconds(step, max(2, a.iters // 2),
                                                         min(a.warmup, 2))
            result['peak_train_mb'] = _peak_mb() - self.model_rss
            model.eval()
        return result


DENSE = {
    'det': dict(config='configs/mobilevit/ssdlite_mobilevit-s_coco.py', image=(480, 640),
                impls=['mmpretrain-backbone', 'ours', 'ours-deploy', 'onnxruntime',
                       'onnxruntime-int8', 'openvino', 'openvino-int8',
                       'mmdet-ssdlite-mobilenetv2'],
                baseline='mmpretrain-backbone'),
    'seg': dict(config='configs/mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py',
                image=(375, 500),
                impls=['ours', 'ours-deploy', 'onnxruntime', 'onnxruntime-int8', 'openvino',
                       'openvino-int8'],
                baseline='ours'),
}
MMDET_SSDLITE = 'ssd/ssdlite_mobilenetv2-scratch_8xb24-600e_coco.py'


def dense_config(task, impl):
    """The config of a det / seg row (``Config``), offline (no pretrained download)."""
    if impl == 'mmdet-ssdlite-mobilenetv2':
        import mmdet
        cfg = read_config(osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs',
                                   MMDET_SSDLITE))
        cfg.model.backbone.init_cfg = None
        # mmdet's SSDHead cannot predict as shipped (mmmobilevit.models.MMDetSSDHead)
        cfg.model.bbox_head.type = 'MMDetSSDHead'
        return cfg
    cfg = read_config(osp.join(REPO, DENSE[task]['config']))
    cfg.model.backbone.init_cfg = None
    if impl == 'mmpretrain-backbone':
        # mmpretrain's MobileViT: stage 4 (128), then out index 4 after its 1x1 expansion
        # conv (640); another backbone type, so the channels are given
        channels = [128, 4 * 160]
        cfg.model.backbone = dict(type='mmpretrain.MobileViT', arch='small',
                                  out_indices=(3, 4))
        cfg.model.neck.in_channels = tuple(channels)
        cfg.model.bbox_head.in_channels = channels + list(cfg.model.neck.extra_channels)
    return cfg


def inference_pipeline(cfg, task):
    """The test pipeline as the inference API runs it (mmseg's drops the annotation
    loading)."""
    pipeline = [t for t in cfg.test_dataloader.dataset.pipeline
                if not (task == 'seg' and t['type'].split('.')[-1] == 'LoadAnnotations')]
    if pipeline[0]['type'].split('.')[-1] != 'LoadImageFromFile':
        raise ValueError(f'the test pipeline starts with {pipeline[0]["type"]}')
    return pipeline


DETECTIONS = (100, 400)


def favour_background(model, image, target=DETECTIONS, steps=12):
    """Raise the background logit of every SSD class predictor (the last of each
    anchor's C + 1) until ``inference_detector`` on ``image`` keeps between
    ``target[0]`` and ``target[1]`` boxes, as a trained COCO detector does at the 0.01
    score threshold: with random weights nearly every anchor passes it, and the NMS
    of 80 x 200 boxes would dominate the timing. Returns the bias (bisection)."""
    from mmdet.apis import inference_detector
    head = model.bbox_head
    channels = head.cls_out_channels
    # mmdet's SSDHead: class convs; SSDLiteHead: one predictor per level, the box
    # offsets (4 per anchor) first, then the class logits
    shared = not hasattr(head, 'cls_convs')
    biases = []
    for level in head.predictors if shared else head.cls_convs:
        conv = [m for m in level.modules() if isinstance(m, torch.nn.Conv2d)][-1]
        offset = conv.out_channels // (4 + channels) * 4 if shared else 0
        index = torch.arange(conv.out_channels - offset) % channels == channels - 1
        biases.append((conv.bias, offset + torch.nonzero(index)[:, 0],
                       conv.bias.detach().clone()))

    def count(bias):
        with torch.no_grad():
            for param, index, original in biases:
                param.copy_(original)
                param[index] += bias
            return len(inference_detector(model, image).pred_instances)

    low, high = -16., 16.
    for _ in range(steps):
        bias = (low + high) / 2
        n = count(bias)
        if target[0] <= n <= target[1]:
            return bias
        low, high = (bias, high) if n > target[1] else (low, bias)
    return bias


class DenseWorker:
    """Times a whole inference_detector / inference_model call and its parts."""

    def __init__(self, args):
        from mmengine.dataset import Compose, pseudo_collate

        from mmmobilevit.apis import init_model
        from mmmobilevit.compat import apply_patches
        apply_patches()
        self.args, self.setup = args, {}
        task, impl = args.task, args.worker
        cfg = dense_config(task, impl)
        torch.manual_seed(0)
        model = init_model(cfg, None).eval()
        # BatchNorm statistics near a trained model's (the affines stay identities)
        randomize_norms(model, affine=False, mean_scale=0.2)
        self.image = osp.join(args.workdir, f'{task}.jpg')
        if task == 'det':
            self.setup['background_bias'] = favour_background(model, self.image)
        if impl in DENSE_RUNTIME_IMPLS:  # the backends of init_model / tools/test.py
            from mmmobilevit.deployment import use_onnxruntime
            calibration = None
            if impl.endswith('-int8'):
                calibration = torch.load(osp.join(args.workdir, f'{task}_calib.pth'),
                                         weights_only=True)
            use_onnxruntime(model, 'int8' if impl.endswith('-int8') else 'fp32',
                            calibration=calibration, threads=args.threads,
                            runtime=impl.split('-')[0],
                            log=lambda msg: print(msg, file=sys.stderr, flush=True))
        elif impl in ('ours-deploy', 'ours-compile'):
            from mmmobilevit.models.utils import compile_network, switch_to_deploy
            switch_to_deploy(model)
            if impl == 'ours-compile':
                compile_network(model)
        self.model = model
        pipeline = inference_pipeline(cfg, task)
        from mmengine.registry import DefaultScope
        with DefaultScope.overwrite_default_scope(cfg.default_scope):
            self.load, self.rest = Compose(pipeline[:1]), Compose(pipeline[1:])
        self.collate = pseudo_collate
        self.scope = cfg.default_scope
        if task == 'det':
            from mmdet.apis import inference_detector
            self.whole = lambda: inference_detector(model, self.image)
        else:
            from mmseg.apis import inference_model
            self.whole = lambda: inference_model(model, self.image)
        start = time.perf_counter()
        with torch.no_grad():
            self.whole()  # builds the graphs of the onnxruntime rows (cached on disk)
        if impl == 'ours-compile':  # and compiles this one
            self.setup['compile_s'] = time.perf_counter() - start
        self.setup['num_outputs'] = self._count(self.whole())
        batch = model.data_preprocessor(
            self.collate([self.rest(self.load(dict(img_path=self.image)))]), False)
        self.setup['input_hw'] = list(batch['inputs'].shape[-2:])

    def _count(self, result):
        if self.args.task == 'det':
            return int(len(result.pred_instances))
        return int(result.pred_sem_seg.data.numel())

    def round(self):
        a, model = self.args, self.model
        times = {}

        def timed(name, fn):
            start = time.perf_counter()
            out = fn()
            times.setdefault(name, []).append(time.perf_counter() - start)
            return out

        with torch.no_grad():
            for i in range(a.warmup + a.iters):
                if i == a.warmup:
                    times.clear()
                timed('whole', self.whole)
                data = timed('decode', lambda: self.load(dict(img_path=self.image)))
                batch = timed('preprocess', lambda: model.data_preprocessor(
                    self.collate([self.rest(data)]), False))
                inputs, samples = batch['inputs'], batch['data_samples']
                if a.task == 'det':
                    outs = timed('network', lambda: model.bbox_head(
                        model.extract_feat(inputs)))
                    metas = [s.metainfo for s in samples]
                    timed('post', lambda: model.add_pred_to_datasample(
                        samples, model.bbox_head.predict_by_feat(
                            *outs, batch_img_metas=metas, rescale=True)))
                else:
                    logits = timed('network', lambda: model.decode_head(
                        model.extract_feat(inputs)))
                    with network_output(model, logits):
                        timed('post', lambda: model.predict(inputs, samples))
        med = {k: statistics.median(v) for k, v in times.items()}
        result = {f'{k}_ms': 1e3 * v for k, v in med.items() if k != 'whole'}
        result['whole_img_s'] = 1 / med['whole']
        return result


@contextlib.contextmanager
def network_output(segmentor, logits):
    """Inside, ``segmentor.predict`` takes ``logits`` as its network's output (its
    ``extract_feat`` and head ``forward`` are not run): what remains is the
    post-processing alone, timed directly instead of as ``predict`` minus the network
    (two medians of ~250 ms whose difference drowned the ~20 ms in their noise)."""
    head = segmentor.decode_head
    own = [(obj, name, obj.__dict__.get(name, _NOT_SET))
           for obj, name in ((segmentor, 'extract_feat'), (head, 'forward'))]
    segmentor.extract_feat = lambda inputs, *args, **kwargs: None
    head.forward = lambda feats, *args, **kwargs: logits
    try:
        yield
    finally:
        for obj, name, value in own:  # back to the instance's (onnxruntime, compiled)
            if value is _NOT_SET:     # or the class's method
                delattr(obj, name)
            else:
                setattr(obj, name, value)


_NOT_SET = object()


#: What the worker server imports once before it forks a worker per implementation (a
#: worker that started its own interpreter would spend ~6 s of CPU importing them); a
#: worker imports its runtime (onnxruntime, OpenVINO, ExecuTorch) itself.
WORKER_PRELOAD = ['torch', 'mmmobilevit', 'mmpretrain.models', 'mmdet.models',
                  'mmseg.models', 'timm', '__main__']


def run_worker(args, conn):
    """Build one implementation when the driver says ``setup``, then answer its
    commands on ``conn`` (``round`` / ``quit``) with the results (dicts)."""
    torch.set_num_threads(args.threads)
    if conn.recv() != 'setup':
        return
    if args.malloc == 'keep':
        from mmmobilevit.utils import keep_freed_memory
        keep_freed_memory()
    if args.worker == 'gemm':
        worker = GemmWorker(args)
    elif args.task == 'cls':
        worker = ClsWorker(args)
    else:
        worker = DenseWorker(args)
    conn.send(worker.setup)
    while True:
        command = conn.recv()
        if command == 'quit':
            break
        if command != 'round':
            raise SystemExit(f'unknown command {command!r}')
        conn.send(worker.round())


def _worker_main(argv, conn, log_path):
    """A worker process (forked from the server): its output to ``log_path``."""
    out = os.open(log_path, os.O_WRONLY | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    run_worker(parse_args(argv), conn)


def worker_context():
    """multiprocessing's fork server, its interpreter preloaded with
    :data:`WORKER_PRELOAD` (no thread pool started before it forks a worker)."""
    import multiprocessing
    context = multiprocessing.get_context('forkserver')
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


class Worker:
    """The driver's side of a worker process."""

    def __init__(self, impl, arch, args):
        self.impl = impl
        argv = ['--worker', impl, '--task', args.task, '--arch', arch or '-', '--workdir',
                args.workdir, '--threads', str(args.threads), '--size', str(args.size),
                '--iters', str(args.iters), '--warmup', str(args.warmup), '--malloc',
                args.malloc]
        context = worker_context()
        fd, self.log = tempfile.mkstemp(prefix=f'worker-{impl}-', suffix='.log',
                                        dir=args.workdir)
        os.close(fd)
        self.conn, child = context.Pipe()
        self.proc = context.Process(target=_worker_main, args=(argv, child, self.log),
                                    daemon=True)
        self.proc.start()
        child.close()  # the worker's end: a dead worker makes recv() fail
        self.setup = None

    def build(self):
        """Let the worker build its implementation (one at a time)."""
        self.setup = self._send('setup')

    def _send(self, command):
        try:
            self.conn.send(command)
            return self.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.proc.join(timeout=60)
            with open(self.log) as f:
                log = f.read()
            raise SystemExit(f'{self.impl} failed (exit {self.proc.exitcode}):\n'
                             f'{log[-3000:]}')

    def round(self):
        return self._send('round')

    def quit(self):
        try:
            self.conn.send('quit')
        except (BrokenPipeError, ValueError, OSError):
            pass

    def close(self):
        self.quit()
        self.proc.join(timeout=60)
        self.conn.close()


def run_rounds(workers, rounds, label):
    """{impl: {metric: [value per round]}}, implementations interleaved per round."""
    values = {w.impl: {} for w in workers}
    for r in range(rounds):
        print(f'[{label}] round {r + 1}/{rounds}', flush=True)
        for w in workers:
            for k, v in w.round().items():
                values[w.impl].setdefault(k, []).append(v)
    return values


def measure_rows(impls, arch, args, label):
    """Build a worker per implementation plus the ``gemm`` roofline worker, run the
    interleaved rounds, and return ``(results, spreads, roofline, roofline spread)``:
    per implementation the medians (and its setup values) and the spreads."""
    workers = []
    try:
        for impl in ['gemm'] + list(impls):
            workers.append(Worker(impl, arch, args))
        for w in workers:
            print(f'[{label}] building {w.impl} ...', flush=True)
            w.build()
        values = run_rounds(workers, args.rounds, label)
    finally:
        for w in workers:  # all asked to quit first: they exit side by side
            w.quit()
        for w in workers:
            w.close()
    results, spreads = {}, {}
    for w in workers:
        results[w.impl], spreads[w.impl] = summarise(values[w.impl])
        results[w.impl].update(w.setup)
    return results, spreads, results.pop('gemm'), spreads.pop('gemm')


def summarise(values):
    """{metric: median} and {metric: spread in % (half the range over the median)}."""
    med = {k: statistics.median(v) for k, v in values.items()}
    spread = {k: 50 * (max(v) - min(v)) / med[k] if med[k] else 0.
              for k, v in values.items()}
    return med, spread


# ---- the driver, classification ---------------------------------------------------
def relative_diff(a, b):
    return float((a.float() - b.float()).abs().max() / max(1., float(a.abs().max())))


def prepare(arch, args):
    """Weights to disk, agreement checks, ONNX export and int8; returns the checks."""
    timm_state, our_state = make_weights(arch)
    torch.save(dict(timm=timm_state, ours=our_state),
               osp.join(args.workdir, f'{arch}.pth'))
    x = torch.randn(2, 3, args.size, args.size, generator=torch.Generator().manual_seed(1))
    ours = build_impl('ours', arch, timm_state, our_state)
    with torch.inference_mode():
        reference = ours(x)
    checks, failures = {}, []
    impls = implementations(arch, args)
    for impl in impls:
        if impl in ('onnxruntime', 'openvino', 'timm-openvino'):
            from mmmobilevit.deployment import export_onnx, ort_session
            timm = impl == 'timm-openvino'
            path = osp.join(args.workdir, f'{arch}.{"timm" if timm else "fp32"}.onnx')
            if not osp.isfile(path):
                export_onnx(build_impl('timm' if timm else 'ours-deploy', arch, timm_state,
                                       our_state), x, path)
            if impl != 'onnxruntime':
                from mmmobilevit.deployment.openvino_runtime import openvino_session
                session = openvino_session(path, args.threads)
            else:
                session = ort_session(path, args.threads)
            got = torch.from_numpy(session.run(None, {'input': x.numpy()})[0])
        elif impl in EXECUTORCH_IMPLS:
            if impl == 'executorch-int8' and 'executorch' not in impls:  # its reference
                export_executorch_programs('executorch', arch, timm_state, our_state, x, args)
            got = export_executorch_programs(impl, arch, timm_state, our_state, x, args)
            if impl == 'executorch-int8':
                checks.update(executorch_int8_agreement(arch, args))
                continue
        elif impl == 'onnxruntime-int8':
            checks.update(quantize_and_agree(arch, args))
            continue
        elif impl == 'openvino-int8':
            checks.update(quantize_and_agree(arch, args, runtime='openvino'))
            continue
        elif impl in ('ours', 'ours-compile'):
            continue  # ours-compile is checked inside its own process (compile cost)
        else:
            model = build_impl(impl, arch, timm_state, our_state)
            with torch.inference_mode(), torch.autocast(
                    'cpu', dtype=torch.bfloat16, enabled=impl == 'ours-bf16'):
                got = model(x)
        diff = relative_diff(reference, got)
        checks[impl] = diff
        if impl == 'ours-bf16':
            checks['ours-bf16 top-1 agreement'] = top1_agreement(reference, got.float())
        elif diff > AGREEMENT_TOL:
            failures.append(f'{impl}: {diff:.2e}')
    if failures:
        raise SystemExit(f'{arch}: outputs disagree with ours (> {AGREEMENT_TOL:g}): '
                         + ', '.join(failures))
    return checks


def export_executorch_programs(impl, arch, timm_state, our_state, x, args):
    """Lower ``impl`` (ours-deploy in its XNNPACK forms, or timm's model as it is) to
    ExecuTorch programs at batch 1 and 8; returns the batch-1 program's logits of each
    image of ``x`` (checked against ours like every row's)."""
    from mmmobilevit.deployment.executorch_export import (ExecuTorchSession, export_executorch,
                                                          quantize_for_xnnpack)
    from mmmobilevit.deployment.xnnpack_forms import to_xnnpack_forms
    if impl in ('executorch', 'executorch-int8'):
        model = build_impl('ours-deploy', arch, timm_state, our_state)
        to_xnnpack_forms(model)
    else:
        model = build_impl('timm', arch, timm_state, our_state)
    size = args.size
    for n in (1, 8):
        path = osp.join(args.workdir, f'{arch}.{impl}.b{n}.pte')
        example = torch.randn(n, 3, size, size)
        program = model
        if impl == 'executorch-int8':  # the onnxruntime-int8 row's calibration images
            program = quantize_for_xnnpack(copy.deepcopy(model), example,
                                           [x[None] for x in smooth_images(32, size, seed=2)])
        result = export_executorch(program, example, path)
        print(f'[{arch}] {impl} b{n}: lowered in {result["seconds"]:.0f} s, '
              f'{result["delegation"].describe()}', flush=True)
    session = ExecuTorchSession(osp.join(args.workdir, f'{arch}.{impl}.b1.pte'))
    return torch.cat([torch.from_numpy(session.run(None, {'input': x[i:i + 1].numpy()})[0])
                      for i in range(x.shape[0])])


def executorch_int8_agreement(arch, args):
    """Top-1 agreement of the int8 and fp32 ExecuTorch programs (batch 1) on
    ``--agreement-inputs`` fixed images (seed 3, as the onnxruntime-int8 row's)."""
    from mmmobilevit.deployment.executorch_export import ExecuTorchSession
    sessions = [ExecuTorchSession(osp.join(args.workdir, f'{arch}.{impl}.b1.pte'))
                for impl in ('executorch', 'executorch-int8')]
    fp32_logits, int8_logits = [], []
    for start in range(0, args.agreement_inputs, 50):
        images = smooth_images(min(50, args.agreement_inputs - start), args.size,
                               seed=3 + start)
        for image in images:
            x = {'input': image[None].numpy()}
            fp32_logits.append(torch.from_numpy(sessions[0].run(None, x)[0]))
            int8_logits.append(torch.from_numpy(sessions[1].run(None, x)[0]))
    a, b = torch.cat(fp32_logits).double(), torch.cat(int8_logits).double()
    return {'executorch-int8 top-1 agreement': top1_agreement(a, b),
            'executorch-int8 logit SQNR dB': sqnr_db(a, b)}


def quantize_and_agree(arch, args, runtime='onnxruntime'):
    """int8 graph from the fp32 one (32 calibration images, seed 2); top-1 agreement
    with fp32 on ``--agreement-inputs`` other fixed images (seed 3), the logits' SQNR
    (fp32 logit power over the int8 error's, dB), fp32's median top-1 margin in
    units of the logits' standard deviation (what the error has to exceed to flip a
    prediction) and the SQNR that 99% agreement needs on these weights and inputs:
    the measured int8 error, scaled down until 99% of the top-1s agree
    (:func:`sqnr_for_agreement`)."""
    from mmmobilevit.deployment import ort_session, quantize_onnx
    fp32 = osp.join(args.workdir, f'{arch}.fp32.onnx')
    calib = [x[None].numpy() for x in smooth_images(32, args.size, seed=2)]
    if runtime == 'openvino':  # NNCF; both graphs run by OpenVINO
        from mmmobilevit.deployment.openvino_runtime import openvino_session, quantize_openvino
        int8 = osp.join(args.workdir, f'{arch}.openvino-int8.xml')
        quantize_openvino(fp32, int8, calib)
        sessions = [openvino_session(p, args.threads) for p in (fp32, int8)]
    else:
        int8 = osp.join(args.workdir, f'{arch}.int8.onnx')
        quantize_onnx(fp32, int8, calib)
        sessions = [ort_session(p, args.threads) for p in (fp32, int8)]
    n, fp32_logits, int8_logits = args.agreement_inputs, [], []
    for start in range(0, n, 50):
        x = smooth_images(min(50, n - start), args.size, seed=3 + start).numpy()
        a, b = [torch.from_numpy(s.run(None, {'input': x})[0]) for s in sessions]
        fp32_logits.append(a)
        int8_logits.append(b)
    a, b = torch.cat(fp32_logits).double(), torch.cat(int8_logits).double()
    if runtime == 'openvino':
        return {'openvino-int8 top-1 agreement': top1_agreement(a, b),
                'openvino-int8 logit SQNR dB': sqnr_db(a, b)}
    top2 = a.topk(2, dim=1).values
    margins = (top2[:, 0] - top2[:, 1]) / a.std(dim=1)
    return {'onnxruntime-int8 top-1 agreement': top1_agreement(a, b),
            'onnxruntime-int8': max(relative_diff(x, y) for x, y in
                                    zip(fp32_logits, int8_logits)),
            'int8 logit SQNR dB': sqnr_db(a, b),
            'fp32 median top-1 margin / logit std': float(margins.median()),
            'logit SQNR dB that 99% same top-1 needs': sqnr_for_agreement(a, b, 0.99)}


def top1_agreement(reference, other):
    return float((reference.argmax(1) == other.argmax(1)).double().mean())


def sqnr_db(reference, other):
    """Signal (``reference``) to noise (``other - reference``) power ratio, dB."""
    noise = float((other - reference).double().pow(2).sum())
    return 10 * math.log10(float(reference.double().pow(2).sum()) / max(noise, 1e-30))


def sqnr_for_agreement(reference, other, target, steps=40):
    """The logit SQNR (dB) at which ``other``'s error, scaled by a factor, leaves
    ``target`` of the top-1s of ``reference`` unchanged: the largest scale in (0, 1]
    that does, found by bisection; the measured SQNR where the error as it is
    already does. The error keeps its pattern (which logits it moves, and how
    together), only its size changes, as it would with finer quantization steps:
    so this says how much more precision an agreement target needs."""
    error = other - reference
    if top1_agreement(reference, other) >= target:
        return sqnr_db(reference, other)
    low, high = 0., 1.  # agreement(low) >= target > agreement(high)
    for _ in range(steps):
        mid = (low + high) / 2
        if top1_agreement(reference, reference + mid * error) >= target:
            low = mid
        else:
            high = mid
    if low == 0.:
        return math.inf  # some margins are zero: no finite precision reaches it
    return sqnr_db(reference, reference + low * error)


def flops_per_image(arch, size):
    from mmmobilevit.analysis import count_flops
    model = build_impl('ours', arch, None, None)
    return 2 * count_flops(model, (torch.randn(1, 3, size, size), ))


def fmt(value, spread, width, digits=1):
    return f'{value:.{digits}f}±{spread:.0f}%'.rjust(width)


def format_table(arch, results, spreads, checks, roofline, flops, args):
    base = results[baseline_of(arch)]
    head = (f'{"impl":<17}{"b1 ms":>12}{"b8 img/s":>13}{"train ms":>13}{"infer MB":>9}'
            f'{"train MB":>9}{"b1 x":>6}{"b8 x":>6}{"train x":>8}{"GFLOP/s":>8}'
            f'{"%SGEMM":>7}{"faults/b8":>10}')
    lines = [f'== {arch}: {args.size}x{args.size}, fp32 (bf16 / int8 where named), '
             f'{args.threads} threads, median of {args.rounds} interleaved rounds '
             f'± spread; ratios vs {baseline_of(arch)} (>1: faster); '
             f'{flops / 1e9:.2f} GFLOP/image; malloc {args.malloc}', head]
    for impl, r in results.items():
        sp = spreads[impl]
        train = r.get('train_b8_ms')
        gflops = flops * r['throughput_b8'] / 1e9
        row = (f'{impl:<17}' + fmt(r['latency_b1_ms'], sp['latency_b1_ms'], 12)
               + fmt(r['throughput_b8'], sp['throughput_b8'], 13)
               + (fmt(train, sp['train_b8_ms'], 13) if train else f'{"-":>13}')
               + f'{r["peak_infer_mb"]:>9.0f}'
               + (f'{r["peak_train_mb"]:>9.0f}' if train else f'{"-":>9}')
               + f'{base["latency_b1_ms"] / r["latency_b1_ms"]:>6.2f}'
               + f'{r["throughput_b8"] / base["throughput_b8"]:>6.2f}'
               + (f'{base["train_b8_ms"] / train:>8.2f}'
                  if train and base.get('train_b8_ms') else f'{"-":>8}')
               + f'{gflops:>8.1f}{100 * gflops / roofline["sgemm_gflops"]:>6.0f}%'
               + f'{r["faults_b8"]:>10.0f}')
        if 'compile_s' in r:
            row += f'   (compile {r["compile_s"]:.0f} s)'
        lines.append(row)
    for ref in ('onnxruntime', 'ours-deploy'):
        if ref not in results:
            continue
        pairs = [(i, results[i]) for i in ('ours-deploy', 'ours-compile', 'onnxruntime-int8',
                                           'openvino', 'openvino-int8', 'executorch')
                 if i in results and i != ref]
        if pairs:
            lines.append(f'vs {ref} (b8 x / b1 x): ' + ', '.join(
                f'{i} {r["throughput_b8"] / results[ref]["throughput_b8"]:.2f} / '
                f'{results[ref]["latency_b1_ms"] / r["latency_b1_ms"]:.2f}'
                for i, r in pairs))
    for impl, ref in (('executorch', 'timm-executorch'), ('openvino', 'timm-openvino'),
                      ('executorch-int8', 'executorch')):
        if impl in results and ref in results:
            r, b = results[impl], results[ref]
            lines.append(f'{impl} vs {ref} (b8 x / b1 x): '
                         f'{r["throughput_b8"] / b["throughput_b8"]:.2f} / '
                         f'{b["latency_b1_ms"] / r["latency_b1_ms"]:.2f}')
    agree = ', '.join(f'{k} {v:.1%}' if 'agreement' in k else f'{k} {v:.1f}'
                      if 'SQNR' in k else f'{k} {v:.3f}' if 'margin' in k
                      else f'{k} {v:.1e}' for k, v in checks.items())
    lines.append(f'outputs vs ours eager (max rel diff): {agree}')
    return '\n'.join(lines)


def format_roofline(roofline, spread, args):
    return (f'roofline ({args.threads} threads, median of {args.rounds} rounds): SGEMM '
            f'2048^3 {roofline["sgemm_gflops"]:.1f} GFLOP/s ±{spread["sgemm_gflops"]:.0f}%, '
            f'bf16 GEMM {roofline["bf16_gemm_gflops"]:.1f} GFLOP/s '
            f'±{spread["bf16_gemm_gflops"]:.0f}%')


def run_cls(args):
    from mmmobilevit.models.backbones.mobilevit_archs import get_arch
    for arch in args.archs:
        get_arch(arch)  # a clear error for an unknown name, before any work
    report = {}
    for arch in args.archs:
        print(f'[{arch}] checking that the implementations agree ...', flush=True)
        checks = prepare(arch, args)
        flops = flops_per_image(arch, args.size)
        results, spreads, roofline, roof_spread = measure_rows(
            implementations(arch, args), arch, args, arch)
        print(format_roofline(roofline, roof_spread, args))
        print(format_table(arch, results, spreads, checks, roofline, flops, args),
              flush=True)
        report[arch] = dict(results=results, spreads=spreads, checks=checks,
                            roofline=roofline, flops_per_image=flops)
    return report


# ---- the driver, detection / segmentation -----------------------------------------
def prepare_dense(args):
    """The test image and the int8 calibration inputs of ``args.task``."""
    import mmcv
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import DefaultScope

    from mmmobilevit.apis import init_model
    h, w = DENSE[args.task]['image']

    def picture(seed):
        img = smooth_images(1, max(h, w), seed)[0, :, :h, :w]
        img = (img - img.min()) / (img.max() - img.min()) * 255
        return img.permute(1, 2, 0).numpy().astype('uint8')

    mmcv.imwrite(picture(0), osp.join(args.workdir, f'{args.task}.jpg'))
    cfg = dense_config(args.task, 'ours')
    model = init_model(cfg, None).eval()
    calib = []
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        rest = Compose(inference_pipeline(cfg, args.task)[1:])
        for seed in range(16):
            data = rest(dict(img=picture(100 + seed), img_path=None, img_shape=(h, w),
                             ori_shape=(h, w)))
            calib.append(model.data_preprocessor(pseudo_collate([data]),
                                                 False)['inputs'].float())
    torch.save(calib, osp.join(args.workdir, f'{args.task}_calib.pth'))


def dense_flops(args, input_hw):
    """FLOPs (2 x MACs) of the ours row's network at its test input size."""
    from mmmobilevit.analysis import count_flops
    from mmmobilevit.apis import init_model
    from mmmobilevit.deployment import NetworkOutputs
    model = init_model(dense_config(args.task, 'ours'), None).eval()
    task = 'detection' if args.task == 'det' else 'segmentation'
    return 2 * count_flops(NetworkOutputs(model, task), (torch.randn(1, 3, *input_hw), ))


def run_dense(args):
    spec = DENSE[args.task]
    impls = list(spec['impls'])
    if args.compile:
        impls.insert(impls.index('ours-deploy') + 1, 'ours-compile')
    if args.executorch:
        impls.insert(impls.index('openvino-int8') + 1, 'executorch')
        impls.insert(impls.index('executorch') + 1, 'executorch-int8')
    impls = [i for i in impls if not args.impls or i in args.impls or i == spec['baseline']]
    if args.no_onnx:  # (OpenVINO reads the ONNX graph)
        impls = [i for i in impls if i not in ONNX_IMPLS + ('openvino', 'openvino-int8')]
    if args.no_int8:
        impls = [i for i in impls if not i.endswith('-int8')]
    print(f'[{args.task}] test image and calibration inputs ...', flush=True)
    prepare_dense(args)
    results, spreads, roofline, roof_spread = measure_rows(impls, None, args, args.task)
    hw = results[spec['baseline']]['input_hw']  # every row runs the same test pipeline
    flops = dense_flops(args, hw)
    print(format_roofline(roofline, roof_spread, args))
    base = results[spec['baseline']]
    what = (f'inference_detector, SSDLite-MobileViT-S at {hw[0]}x{hw[1]}, 640x480 JPEG'
            if args.task == 'det' else
            f'inference_model, DeepLabv3-MobileViT-S at {hw[0]}x{hw[1]}, 500x375 JPEG')
    lines = [f'== {args.task}: whole {what}; {args.threads} threads, median of '
             f'{args.rounds} interleaved rounds ± spread; x vs {spec["baseline"]}; '
             f'network {flops / 1e9:.2f} GFLOP (ours); malloc {args.malloc}',
             f'{"impl":<26}{"img/s":>12}{"x":>6}{"decode ms":>12}{"preproc ms":>12}'
             f'{"network ms":>13}{"post ms":>11}{"net %SGEMM":>11}{"outputs":>9}']
    for impl, r in results.items():
        sp = spreads[impl]
        share = (100 * flops / (r['network_ms'] / 1e3) / 1e9 / roofline['sgemm_gflops']
                 if impl != 'mmdet-ssdlite-mobilenetv2' and impl != 'mmpretrain-backbone'
                 else float('nan'))
        lines.append(f'{impl:<26}' + fmt(r['whole_img_s'], sp['whole_img_s'], 12)
                     + f'{r["whole_img_s"] / base["whole_img_s"]:>6.2f}'
                     + fmt(r['decode_ms'], sp['decode_ms'], 12)
                     + fmt(r['preprocess_ms'], sp['preprocess_ms'], 12)
                     + fmt(r['network_ms'], sp['network_ms'], 13)
                     + fmt(r['post_ms'], sp['post_ms'], 11)
                     + (f'{share:>10.0f}%' if share == share else f'{"-":>11}')
                     + f'{r["num_outputs"]:>9}'
                     + (f'   (compile {r["compile_s"]:.0f} s)' if 'compile_s' in r else ''))
    print('\n'.join(lines), flush=True)
    return {args.task: dict(results=results, spreads=spreads, roofline=roofline,
                            flops=flops)}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--task', choices=['cls', 'det', 'seg'], default='cls')
    parser.add_argument('--archs', nargs='+',
                        default=['mobilevit-s', 'mobilevit-xs', 'mobilevit-xxs',
                                 'mobilevitv2-1.0'])
    parser.add_argument('--impls', nargs='+', help='only these implementations '
                        '(and the baseline)')
    parser.add_argument('--threads', type=int, default=torch.get_num_threads())
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--compile', action='store_true')
    parser.add_argument('--no-onnx', action='store_true')
    parser.add_argument('--no-int8', action='store_true')
    parser.add_argument('--executorch', action='store_true',
                        help='add the executorch and executorch-int8 rows (and, for cls, '
                        'timm-executorch; cls rows lower two programs each, det / seg rows '
                        'one, 20-70 s apiece)')
    parser.add_argument('--agreement-inputs', type=int, default=1000)
    parser.add_argument('--malloc', choices=['keep', 'default'], default='keep',
                        help='keep: every worker keeps freed memory for reuse '
                        '(mmmobilevit.utils.keep_freed_memory); default: glibc as it is')
    parser.add_argument('--out', help='also write the results as JSON here')
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--arch', help=argparse.SUPPRESS)
    parser.add_argument('--workdir', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.iters < 1 or args.agreement_inputs < 1:
        parser.error('--rounds, --iters and --agreement-inputs must be at least 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        raise SystemExit('--worker is for the worker processes the benchmark forks itself')
    torch.set_num_threads(args.threads)
    import mmmobilevit  # noqa: F401
    with tempfile.TemporaryDirectory() as workdir:
        args.workdir = workdir
        report = run_cls(args) if args.task == 'cls' else run_dense(args)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(args=dict(task=args.task, threads=args.threads, size=args.size,
                                     rounds=args.rounds, iters=args.iters),
                           report=report), f, indent=2)
        print(f'results written to {args.out}')


if __name__ == '__main__':
    main()
