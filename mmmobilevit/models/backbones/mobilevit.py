"""The MobileViT backbone family (v1, v2, v3) for mmpretrain, mmdet and mmseg."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmcv.cnn import ConvModule
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ...checkpoint import (CheckpointLayoutError, channel_order_of, flip_message,
                           layout_channel_order, load_checkpoint_file, serve_in_order,
                           to_mmpretrain_layout, unwrap_state_dict)
from ...checkpoint.fit import compare_shapes, shapes_of
from ...releases import check_channel_order
from ..layers import InvertedResidual, MobileViTBlock, MobileViTv2Block, fuse_conv_modules
from .mobilevit_archs import ARCH_SETTINGS, MobileViTArch, get_arch

#: Activations whose gradient reads their input: run in place under autograd, they
#: first copy that input (one extra read and write of the whole activation map), so
#: the backbone runs them out of place while training.
INPUT_SAVING_ACTIVATIONS = (nn.SiLU, nn.Hardswish, nn.Mish)


@MODELS.register_module()
class MobileViTBackbone(BaseModule):
    """MobileViT v1/v2/v3 backbone.

    Papers: `MobileViT <https://arxiv.org/abs/2110.02178>`_,
    `MobileViTv2 (separable self-attention) <https://arxiv.org/abs/2206.02680>`_,
    `MobileViTv3 <https://arxiv.org/abs/2209.15159>`_. The structure, parameter counts
    and outputs match ml-cvnets, the MobileViTv3 release, mmpretrain and timm.

    Outputs (``out_indices``), for a 256x256 input:

    ====== ================================= ======== ==========================
    index  module                            stride   used by
    ====== ================================= ======== ==========================
    0      ``layers.0`` (stage 1, MV2)       2
    1      ``layers.1`` (stage 2, MV2)       4
    2      ``layers.2`` (stage 3, MobileViT) 8
    3      ``layers.3`` (stage 4, MobileViT) 16       detection (SSDLite)
    4      ``layers.4`` (stage 5, MobileViT) 32       detection, segmentation
    5      ``conv_1x1_exp`` (archs with one) 32       classification (v1, v3-S)
    ====== ================================= ======== ==========================

    The expansion conv exists only when its output (index 5) is requested: detection
    and segmentation models have none, as in ml-cvnets. Loading a classifier
    checkpoint into them leaves its ``conv_1x1_exp`` and head weights unused.

    With ``out_stride=16`` stage 5 keeps stride 16 (dilated), with ``out_stride=8``
    stages 4 and 5 keep stride 8, as ml-cvnets builds its segmentation backbones.

    Args:
        arch (str | dict | MobileViTArch): One of ``mobilevit-{xxs,xs,s}``,
            ``mobilevitv2-{0.5,0.75,1.0,1.25,1.5,1.75,2.0}``,
            ``mobilevitv3-{xxs,xs,s,0.5,0.75,1.0}``, or a custom table (see
            :class:`~mmmobilevit.models.backbones.mobilevit_archs.MobileViTArch`).
        in_channels (int): Input image channels.
        out_indices (Sequence[int] | int | None): Outputs to return (table above;
            negative indices count from the end). ``None``: the last one (the expansion
            conv where the arch has one, else stage 5).
        out_stride (int): 32, 16 or 8.
        frozen_stages (int): -1 freezes nothing; 0 freezes the stem; k (1-5) the stem
            and stages 1..k (their norm layers stay in eval mode).
        norm_eval (bool): Keep every BatchNorm in eval mode while training.
        norm_cfg (dict): Norm of every conv (``SyncBN`` here replaces every BN).
        act_cfg (dict): Activation of every conv and FFN (SiLU in the papers).
        drop_rate (float | None): Transformer dropout; ``None`` takes the arch's
            reference value (v1/v3-S: 0.1, XXS: 0.05; v2/v3-0.5..1.0: 0).
        attn_drop_rate (float): Attention dropout.
        ffn_drop_rate (float): Dropout between the FFN layers.
        drop_path_rate (float): Stochastic depth, increasing linearly over all
            transformer layers up to this value.
        patch_size (int): Patch side of the MobileViT blocks (2 in the papers).
        restore_block_size (bool): v2-type blocks (v2, v3-0.5/0.75/1.0) resize a map whose
            size is not a multiple of the patch size up to the next multiples and keep
            that size, as the reference code that trained the released weights does
            (False, default); True resizes each such block's output back to its input
            size. v1 / v3-XXS/XS/S blocks always restore the size, as their reference.
        with_cp (bool): Activation checkpointing of every block while training.
        channels_last (bool): Keep weights and activations in NHWC memory format, the
            fast layout of CPU (oneDNN) and tensor-core convs (``benchmark.py``
            measures it), with identical results. Inputs are converted
            on entry; outputs are channels-last tensors (any head accepts them).
        input_channel_order (str, optional): ``'bgr'`` or ``'rgb'``, the order the
            config's data preprocessor feeds this backbone. When set, a ``Pretrained``
            checkpoint trained on the other order (its ``meta['channel_order']``, or the
            release of Apple's / timm's files: ml-cvnets v0.1 BGR, v0.2 and timm RGB)
            gets its stem conv's input channels reversed, with a one-line log. None
            (default) loads the weights as they are.
        deploy (bool): Build the fused inference structure of :meth:`switch_to_deploy`
            (convs with BatchNorms folded, norm affines folded), so that a checkpoint
            saved after the switch (``tools/model_converters/deploy_model.py``) loads.
            To test an ordinary checkpoint in deploy form, load it unfused and switch
            (``tools/test.py --deploy``). Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation. A
            ``dict(type='Pretrained', checkpoint=..., prefix=...)`` accepts our /
            mmpretrain's, Apple's (ml-cvnets, MobileViTv3) and timm's checkpoints, files
            or URLs, converting the keys automatically; a checkpoint that does not fit
            the arch raises an error naming the missing or mismatched keys.
    """

    def __init__(self,
                 arch: Union[str, dict, MobileViTArch] = 'mobilevit-s',
                 in_channels: int = 3,
                 out_indices: Union[None, int, Sequence[int]] = None,
                 out_stride: int = 32,
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='SiLU'),
                 drop_rate: Optional[float] = None,
                 attn_drop_rate: float = 0.,
                 ffn_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 patch_size: int = 2,
                 restore_block_size: bool = False,
                 with_cp: bool = False,
                 channels_last: bool = True,
                 input_channel_order: Optional[str] = None,
                 deploy: bool = False,
                 init_cfg: Union[None, dict, List[dict]] = [
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                          nonlinearity='relu'),
                     dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
                     dict(type='Constant', layer=['_BatchNorm', 'GroupNorm',
                                                  'LayerNorm'], val=1, bias=0.),
                 ]) -> None:
        super().__init__(init_cfg)
        self.arch_name = arch if isinstance(arch, str) else 'custom'
        self.arch = get_arch(arch)
        if out_stride not in (8, 16, 32):
            raise ValueError(f'out_stride must be 8, 16 or 32, got {out_stride}')
        if not -1 <= frozen_stages <= 5:
            raise ValueError(f'frozen_stages must be in [-1, 5], got {frozen_stages}')
        if not isinstance(deploy, bool):
            raise TypeError(f'deploy must be True or False, got {deploy!r} (torch.compile '
                            'is applied to the model by the caller, e.g. '
                            'tools/analysis_tools/benchmark.py --compile)')
        self.out_stride = out_stride
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        self.frozen_stages = frozen_stages
        self.num_outputs = 6 if self.arch.exp_channels is not None else 5
        self.out_indices = self._check_out_indices(out_indices)
        self.patch_size = patch_size
        self.restore_block_size = restore_block_size
        self.input_channel_order = (None if input_channel_order is None else
                                    check_channel_order(input_channel_order))
        self.conv_kw = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.block_kw = dict(
            drop_rate=self.arch.drop_rate if drop_rate is None else drop_rate,
            attn_drop_rate=attn_drop_rate, ffn_drop_rate=ffn_drop_rate, with_cp=with_cp)
        self.drop_path_rates = torch.linspace(
            0, drop_path_rate, sum(self.arch.attn_depths)).tolist()

        self.stem = ConvModule(in_channels, self.arch.stem_channels, 3, stride=2,
                               padding=1, **self.conv_kw)
        self.layers = nn.Sequential(*self._make_stages())
        # classification only: ml-cvnets drops it for detection and segmentation
        self.conv_1x1_exp = ConvModule(self.arch.channels[-1], self.arch.exp_channels, 1,
                                       **self.conv_kw) if 5 in self.out_indices else None
        self.out_channels = list(self.arch.channels) + (
            [self.arch.exp_channels] if self.arch.exp_channels else [])
        self._freeze_stages()
        self._set_activations_inplace(not self.training)
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)
        self.deployed = False
        if deploy:  # the fused structure, so that a fused checkpoint loads
            self.switch_to_deploy()

    # ---- stage builders ----------------------------------------------------------
    def _make_stages(self) -> List[nn.Sequential]:
        """Stages 1-2 (MV2 blocks) and 3-5 (an MV2 block, then a MobileViT block)."""
        stages, c_in, dilation = [], self.arch.stem_channels, 1
        for i in range(2):
            stages.append(self._make_mv2_stage(i, c_in))
            c_in = self.arch.channels[i]
        for i in range(2, 5):
            # output stride 16 / 8: stage 5 / stages 4-5 keep the resolution, dilated
            dilated = (i == 3 and self.out_stride == 8) or (
                i == 4 and self.out_stride in (8, 16))
            new_dilation = dilation * 2 if dilated else dilation
            stages.append(self._make_attention_stage(
                i, c_in, stride=1 if dilated else 2, mv2_dilation=dilation,
                dilation=new_dilation))
            c_in, dilation = self.arch.channels[i], new_dilation
        return stages

    def _make_mv2_stage(self, i: int, c_in: int) -> nn.Sequential:
        """Stage ``i + 1`` of MV2 blocks (stage 1 keeps the resolution, 2 halves it)."""
        c_out = self.arch.channels[i]
        return nn.Sequential(*[
            InvertedResidual(c_in if j == 0 else c_out, c_out,
                             stride=1 if i == 0 or j else 2,
                             expand_ratio=self.arch.expand_ratio, with_cp=self.with_cp,
                             **self.conv_kw) for j in range(self.arch.mv2_blocks[i])
        ])

    def _make_attention_stage(self, i: int, c_in: int, stride: int, mv2_dilation: int,
                              dilation: int) -> nn.Sequential:
        """Stage ``i + 1`` (3-5): a strided (or dilated) MV2 block, then the
        MobileViT block of the arch's type."""
        arch, k = self.arch, i - 2
        c_out, depth = arch.channels[i], arch.attn_depths[k]
        start = sum(arch.attn_depths[:k])
        common = dict(patch_size=self.patch_size, block_type=arch.block,
                      drop_path_rates=self.drop_path_rates[start:start + depth],
                      **self.block_kw, **self.conv_kw)
        if arch.uses_mhsa:
            # ml-cvnets dilates only the MV2 block of a dilated v1 / v3-S stage
            block = MobileViTBlock(c_out, arch.attn_dims[k], depth, arch.ffn_dims[k],
                                   num_heads=arch.num_heads, **common)
        else:
            block = MobileViTv2Block(c_out, arch.attn_dims[k], depth, arch.ffn_dims[k],
                                     dilation=dilation,
                                     restore_size=self.restore_block_size, **common)
        mv2 = InvertedResidual(c_in, c_out, stride=stride, expand_ratio=arch.expand_ratio,
                               dilation=mv2_dilation, with_cp=self.with_cp,
                               **self.conv_kw)
        return nn.Sequential(mv2, block)

    def _check_out_indices(self, out_indices: Union[None, int, Sequence[int]]
                           ) -> List[int]:
        if out_indices is None:
            return [self.num_outputs - 1]
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        result = []
        for index in out_indices:
            i = index + self.num_outputs if index < 0 else index
            if not 0 <= i < self.num_outputs:
                raise ValueError(
                    f'out_indices {index} is out of range: {self.arch_name} has '
                    f'{self.num_outputs} outputs (0-4: stages 1-5'
                    + (', 5: conv_1x1_exp)' if self.num_outputs == 6 else ')'))
            result.append(i)
        return sorted(set(result))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        outs = []
        x = self.stem(x)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
        if 5 in self.out_indices:
            outs.append(self.conv_1x1_exp(x))
        return tuple(outs)

    @staticmethod
    def arch_of(state_dict: Dict[str, torch.Tensor]) -> str:
        """The arch a whole model's state dict's ``backbone.`` weights fit
        (:func:`infer_arch`)."""
        return infer_arch(state_dict)

    @torch.no_grad()
    def switch_to_deploy(self) -> 'MobileViTBackbone':
        """Turn this backbone into its inference form, in place and for good.

        * every conv -> BatchNorm -> act becomes one conv with bias -> act;
        * every LayerNorm / GroupNorm affine is folded into the linear layer or 1x1
          conv that reads it.

        Outputs match the eager model within 1e-4 (fp32). The BatchNorm statistics are
        frozen into the convs, so the backbone can no longer be trained. Called
        explicitly: by ``tools/test.py --deploy`` (through :class:`DeployHook`),
        :func:`mmmobilevit.apis.init_model` (``deploy=True``),
        :func:`mmmobilevit.models.utils.switch_to_deploy`, or at construction
        (``deploy=True``: the fused structure, for fused checkpoints). ``torch.compile``
        is the caller's to apply.
        """
        if self.deployed:
            return self
        self.eval()
        fuse_conv_modules(self)
        for m in self.modules():
            if isinstance(m, (MobileViTBlock, MobileViTv2Block)):
                m.fold_norm_affines()
        if self.channels_last:  # the fused convs are new modules
            self.to(memory_format=torch.channels_last)
        for param in self.parameters():
            param.requires_grad = False
        self.deployed = True
        return self

    def _freeze_stages(self) -> None:
        modules = ([self.stem] if self.frozen_stages >= 0 else []) + \
            list(self.layers[:max(self.frozen_stages, 0)])
        for m in modules:
            m.eval()
            for param in m.parameters():
                param.requires_grad = False

    def train(self, mode: bool = True) -> 'MobileViTBackbone':
        if mode and self.deployed:
            raise RuntimeError('this MobileViTBackbone was switched to deploy mode '
                               '(BatchNorms fused): it cannot be trained any more')
        super().train(mode)
        self._freeze_stages()
        self._set_activations_inplace(not mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    def _set_activations_inplace(self, allowed: bool) -> None:
        """In-place SiLU (ConvModule's default) in eval mode only.

        In training, autograd copies the input of an in-place SiLU for its backward
        (the same memory as out of place, plus a copy): out of place, the same results
        without that copy.
        """
        for m in self.modules():
            if isinstance(m, INPUT_SAVING_ACTIVATIONS):
                if not hasattr(m, 'inplace_in_eval'):
                    m.inplace_in_eval = m.inplace
                m.inplace = m.inplace_in_eval and allowed

    # ---- weights ---------------------------------------------------------------
    def init_weights(self) -> None:
        init_cfg = self.init_cfg
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            self.load_pretrained(init_cfg['checkpoint'], prefix=init_cfg.get('prefix'),
                                 map_location=init_cfg.get('map_location', 'cpu'))
            self._is_init = True
            return
        super().init_weights()

    def load_pretrained(self, checkpoint: Union[str, dict], prefix: Optional[str] = None,
                        map_location: str = 'cpu') -> None:
        """Load a MobileViT checkpoint of any known layout into this backbone.

        Args:
            checkpoint (str | dict): Path, URL, or an already loaded checkpoint/state dict.
            prefix (str, optional): Only keys with this prefix are used (stripped), e.g.
                ``'backbone.'`` for a classifier checkpoint. Without it, a classifier's
                ``backbone.`` keys are found automatically.
            map_location (str): Where to load the tensors.
        """
        source = checkpoint if isinstance(checkpoint, str) else 'the given state dict'
        if isinstance(checkpoint, str):
            checkpoint = load_checkpoint_file(checkpoint, map_location=map_location)
        try:
            state_dict, layout = to_mmpretrain_layout(checkpoint)
            trained_on = channel_order_of(checkpoint) or layout_channel_order(
                unwrap_state_dict(checkpoint), layout)
        except CheckpointLayoutError as err:
            raise CheckpointLayoutError(f'{source}: {err}') from None
        if prefix is None and any(k.startswith('backbone.') for k in state_dict):
            prefix = 'backbone.'
        if prefix:
            state_dict = {k[len(prefix):]: v for k, v in state_dict.items()
                          if k.startswith(prefix)}
            if not state_dict:
                raise CheckpointLayoutError(f'{source}: no key starts with "{prefix}"')
        own = self.state_dict()
        report = compare_shapes(shapes_of(own), shapes_of(state_dict))
        if not report.fits:
            raise CheckpointLayoutError(
                f'{source} ({layout} layout) does not fit arch {self.arch_name}: '
                f'{report.summary()}')
        unexpected = report.unexpected
        state_dict = {k: v for k, v in state_dict.items() if k in own}
        served = serve_in_order(state_dict, trained_on, self.input_channel_order)
        if served is not None:
            state_dict = served
            print_log(flip_message(source, trained_on, self.input_channel_order),
                      logger='current')
        # everything fits (checked above); old BatchNorm files may lack num_batches_tracked
        self.load_state_dict(state_dict, strict=False)
        print_log(f'Loaded {self.arch_name} weights from {source} ({layout} layout'
                  + (f', {len(unexpected)} unused keys' if unexpected else '') + ')',
                  logger='current')


def infer_arch(state_dict: Dict[str, torch.Tensor]) -> str:
    """The name of the arch whose backbone the (our-layout) state dict fits exactly
    (a dense model's backbone has no classification expansion conv: it may be absent)."""
    backbone = {k[9:]: v for k, v in state_dict.items() if k.startswith('backbone.')}
    for name in ARCH_SETTINGS:
        own = MobileViTBackbone(name, out_indices=-1, init_cfg=None).state_dict()
        if not any(k.startswith('conv_1x1_exp.') for k in backbone):
            own = {k: v for k, v in own.items() if not k.startswith('conv_1x1_exp.')}
        if own.keys() == backbone.keys() and all(
                own[k].shape == backbone[k].shape for k in own):
            return name
    raise CheckpointLayoutError(
        'the weights fit none of the MobileViT archs '
        '(mobilevit-*, mobilevitv2-*, mobilevitv3-*)')
