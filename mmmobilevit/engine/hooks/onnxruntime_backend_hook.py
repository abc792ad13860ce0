"""Run the tested model's network in onnxruntime (``tools/test.py --backend``)."""
from typing import TYPE_CHECKING, Optional

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

if TYPE_CHECKING:
    from mmengine.runner import Runner


@HOOKS.register_module()
class OnnxRuntimeBackendHook(Hook):
    """After ``Runner.test`` has loaded the checkpoint, hand the model's network to
    onnxruntime (:func:`mmmobilevit.deployment.use_backend`); the data preprocessor,
    the heads' post-processing and the evaluator stay as they are.

    The graph is exported at the first test batch (after an EMA hook has swapped its
    weights in) and cached on disk per weights, config, input size, torch version and
    opset.

    Args:
        backend (str): ``'onnxruntime'`` (fp32), ``'onnxruntime-int8'`` (static int8,
            calibrated on ``calib_images`` images of the config's ``calib_split``
            dataloader), ``'openvino'`` (the fp32 graph in OpenVINO), ``'openvino-int8'``
            (NNCF's int8 of it, calibrated likewise), ``'executorch'``
            (an ExecuTorch program, XNNPACK, batch 1 per input size) or
            ``'executorch-int8'`` (its PT2E int8, calibrated likewise). Defaults to
            ``'onnxruntime'``.
        calib_images (int): Calibration images for int8. Defaults to 32.
        calib_split (str): ``'val'``, ``'test'`` or ``'train'``. Defaults to ``'val'``.
        threads (int, optional): onnxruntime's intra-op threads (default: torch's).
        opset (int): Export opset. Defaults to 18.
    """

    priority = 'LOW'

    def __init__(self, backend: str = 'onnxruntime', calib_images: int = 32,
                 calib_split: str = 'val', threads: Optional[int] = None,
                 opset: int = 18) -> None:
        from ...deployment.ort_backend import backend_precision
        if backend_precision(backend) is None:
            raise ValueError(f'OnnxRuntimeBackendHook runs an onnxruntime backend, '
                             f'not {backend!r}')
        self.backend = backend
        self.calib_images = calib_images
        self.calib_split = calib_split
        self.threads = threads
        self.opset = opset

    def before_test(self, runner: 'Runner') -> None:
        from ...deployment.ort_backend import use_backend
        model = getattr(runner.model, 'module', runner.model)
        if getattr(model, 'cfg', None) is None:
            model.cfg = runner.cfg
        use_backend(model, self.backend, calib_images=self.calib_images,
                    calib_split=self.calib_split, threads=self.threads, opset=self.opset,
                    log=runner.logger.info)
        runner.logger.info(f'OnnxRuntimeBackendHook: the network runs in {self.backend}')
