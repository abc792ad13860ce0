"""One init function for the three tasks, with the explicit deploy switch."""
from typing import Optional, Union

from mmengine.config import Config
from torch import nn

from ..extras import require
from ..models.utils import compile_network, switch_to_deploy
from ..utils import read_config

_INIT = {
    'mmpretrain': ('mmpretrain.apis', 'init_model'),
    'mmdet': ('mmdet.apis', 'init_detector'),
    'mmseg': ('mmseg.apis', 'init_model'),
}


def init_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', deploy: bool = False,
               cfg_options: Optional[dict] = None, backend: str = 'pytorch',
               backend_options: Optional[dict] = None, compile: bool = False) -> nn.Module:
    """Build a model from a config and load a checkpoint, with the task's own init API.

    The config's ``default_scope`` picks ``mmpretrain.apis.init_model``,
    ``mmdet.apis.init_detector`` or ``mmseg.apis.init_model``; the result works with
    that task's inference functions and inferencers.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): Path or URL of the weights.
        device (str): Where to put the model. Defaults to ``'cpu'``.
        deploy (bool): Switch the loaded model to its inference form
            (:func:`mmmobilevit.models.utils.switch_to_deploy`). Defaults to False.
        cfg_options (dict, optional): Overrides of config values.
        backend (str): What runs the network: ``'pytorch'``, ``'onnxruntime'`` (the
            exported graph, fp32), ``'onnxruntime-int8'`` (statically quantized,
            calibrated on the config's validation images), ``'openvino'`` (the fp32
            graph compiled by OpenVINO, in float32), ``'openvino-int8'`` (NNCF's int8
            of it, calibrated as onnxruntime-int8), ``'executorch'`` (an ExecuTorch
            program delegated to XNNPACK, batch 1, per input size) or
            ``'executorch-int8'`` (its PT2E int8, calibrated likewise); the task's pre- and
            post-processing stay PyTorch's (:mod:`mmmobilevit.deployment.ort_backend`).
            Defaults to ``'pytorch'``.
        backend_options (dict, optional): Keyword arguments of
            :func:`mmmobilevit.deployment.use_backend` (``calib_images``,
            ``threads``, ``opset``, ``cache_dir``).
        compile (bool): Compile the network (backbone, neck, predicting head) with
            ``torch.compile`` and inductor's weight freezing, after the deploy switch
            if ``deploy`` is set (:func:`mmmobilevit.models.utils.compile_network`);
            the first inference call per input shape compiles. PyTorch backend only.
            Defaults to False.
    """
    import importlib

    from ..deployment.ort_backend import backend_precision, use_backend
    precision = backend_precision(backend)  # an unknown name fails before any work
    if precision is not None and deploy:
        raise ValueError(f'deploy=True is for the PyTorch backend; {backend!r} exports '
                         'the deployed model anyway')
    if precision is not None and compile:
        raise ValueError(f'compile=True is for the PyTorch backend, not {backend!r}')
    cfg = read_config(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    scope = cfg.get('default_scope')
    require(scope or '', config if isinstance(config, str) else 'this config')
    if scope not in _INIT:
        raise ValueError(f"the config's default_scope is {scope!r}; init_model handles "
                         f'{sorted(_INIT)}')
    module, name = _INIT[scope]
    model = getattr(importlib.import_module(module), name)(cfg, checkpoint, device=device)
    if getattr(model, 'cfg', None) is None:  # mmdet and mmseg set it, mmpretrain not
        model.cfg = cfg
    if deploy and not switch_to_deploy(model):
        raise ValueError('deploy=True: nothing in this model can switch to deploy mode '
                         '(MobileViTBackbone can)')
    if precision is not None:
        use_backend(model, backend, **(backend_options or {}))
    if compile:
        model.eval()
        compile_network(model)
    return model
