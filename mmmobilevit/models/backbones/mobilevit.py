"""The MobileViT backbone family (v1, v2, v3) for mmpretrain, mmdet and mmseg."""
import torch
from mmcv.cnn import ConvModule
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from ..layers import (InvertedResidual, MobileViTBlock, MobileViTv2Block,
                      fuse_conv_modules)
from .checkpoint_layouts import CheckpointLayoutError, to_mmpretrain_layout
from .mobilevit_archs import get_arch


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
        arch (str | dict): One of ``mobilevit-{xxs,xs,s}``,
            ``mobilevitv2-{0.5,0.75,1.0,1.25,1.5,1.75,2.0}``,
            ``mobilevitv3-{xxs,xs,s,0.5,0.75,1.0}``, or a custom table (see
            :mod:`mmmobilevit.models.backbones.mobilevit_archs`).
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
        with_cp (bool): Activation checkpointing of every block while training.
        channels_last (bool): Keep weights and activations in NHWC memory format, the
            fast layout of CPU (oneDNN) and tensor-core convs: about 1.5x faster
            training and inference on CPU with identical results. Inputs are converted
            on entry; outputs are channels-last tensors (any head accepts them).
        deploy (bool | dict): The fast inference path. ``True`` (or a dict of
            :meth:`switch_to_deploy`'s arguments, e.g. ``dict(compile=True)``) calls
            :meth:`switch_to_deploy` at the first forward in eval mode, i.e. after the
            weights are loaded, so a test config, ``tools/test.py --deploy``,
            ``init_model`` / ``init_detector`` and the inferencers all get it. Outputs
            match the eager model within 1e-4; the backbone can no longer be trained.
        init_cfg (dict | list[dict], optional): Initialisation. A
            ``dict(type='Pretrained', checkpoint=..., prefix=...)`` accepts our /
            mmpretrain's, Apple's (ml-cvnets, MobileViTv3) and timm's checkpoints, files
            or URLs, converting the keys automatically; a checkpoint that does not fit
            the arch raises an error naming the missing or mismatched keys.
    """

    def __init__(self,
                 arch='mobilevit-s',
                 in_channels=3,
                 out_indices=None,
                 out_stride=32,
                 frozen_stages=-1,
                 norm_eval=False,
                 norm_cfg=dict(type='BN'),
                 act_cfg=dict(type='SiLU'),
                 drop_rate=None,
                 attn_drop_rate=0.,
                 ffn_drop_rate=0.,
                 drop_path_rate=0.,
                 patch_size=2,
                 with_cp=False,
                 channels_last=True,
                 deploy=False,
                 init_cfg=[
                     dict(type='Kaiming', layer='Conv2d', mode='fan_out',
                          nonlinearity='relu'),
                     dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
                     dict(type='Constant', layer=['_BatchNorm', 'GroupNorm',
                                                  'LayerNorm'], val=1, bias=0.),
                 ]):
        super().__init__(init_cfg)
        self.arch_name = arch if isinstance(arch, str) else 'custom'
        self.arch = arch = get_arch(arch)
        if out_stride not in (8, 16, 32):
            raise ValueError(f'out_stride must be 8, 16 or 32, got {out_stride}')
        self.out_stride = out_stride
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        has_exp = arch['exp_channels'] is not None
        self.num_outputs = 6 if has_exp else 5
        self.out_indices = self._check_out_indices(out_indices)
        if not -1 <= frozen_stages <= 5:
            raise ValueError(f'frozen_stages must be in [-1, 5], got {frozen_stages}')
        self.frozen_stages = frozen_stages
        drop_rate = arch['drop_rate'] if drop_rate is None else drop_rate

        conv_kw = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.stem = ConvModule(in_channels, arch['stem_channels'], 3, stride=2, padding=1,
                               **conv_kw)
        channels, expand = arch['channels'], arch['expand_ratio']
        dpr = torch.linspace(0, drop_path_rate, sum(arch['attn_depths'])).tolist()
        layers = []
        c_in = arch['stem_channels']
        for i, n in enumerate(arch['mv2_blocks']):  # stages 1 and 2: MV2 only
            blocks = [
                InvertedResidual(c_in if j == 0 else channels[i], channels[i],
                                 stride=(1 if i == 0 or j else 2), expand_ratio=expand,
                                 with_cp=with_cp, **conv_kw) for j in range(n)
            ]
            layers.append(nn.Sequential(*blocks))
            c_in = channels[i]
        dilation = 1
        dilate = {3: out_stride == 8, 4: out_stride in (8, 16)}
        for k in range(3):  # stages 3-5: MV2 (stride 2) + MobileViT block
            i = k + 2
            prev_dilation, stride = dilation, 2
            if dilate.get(i, False):
                dilation, stride = dilation * 2, 1
            depth = arch['attn_depths'][k]
            rates = dpr[sum(arch['attn_depths'][:k]):][:depth]
            common = dict(drop_rate=drop_rate, attn_drop_rate=attn_drop_rate,
                          ffn_drop_rate=ffn_drop_rate, drop_path_rates=rates,
                          with_cp=with_cp, **conv_kw)
            if arch['block'] in ('mhsa', 'mhsa_v3'):
                # ml-cvnets dilates only the MV2 of a dilated v1/v3-S stage
                block = MobileViTBlock(
                    channels[i], arch['attn_dims'][k], depth, arch['ffn_dims'][k],
                    num_heads=arch['num_heads'], patch_size=patch_size,
                    fusion='v1' if arch['block'] == 'mhsa' else 'v3', **common)
            else:
                block = MobileViTv2Block(
                    channels[i], arch['attn_dims'][k], depth, arch['ffn_dims'][k],
                    patch_size=patch_size, v3=arch['block'] == 'linear_v3',
                    dilation=dilation, **common)
            layers.append(nn.Sequential(
                InvertedResidual(c_in, channels[i], stride=stride, expand_ratio=expand,
                                 dilation=prev_dilation, with_cp=with_cp, **conv_kw),
                block))
            c_in = channels[i]
        self.layers = nn.Sequential(*layers)
        # classification only: ml-cvnets drops it for detection and segmentation
        self.conv_1x1_exp = ConvModule(c_in, arch['exp_channels'], 1, **conv_kw) \
            if 5 in self.out_indices else None
        self.out_channels = list(channels) + ([arch['exp_channels']] if has_exp else [])
        self._freeze_stages()
        self.deploy_cfg = self._check_deploy(deploy)
        self.deployed = False
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)
        self._compiled_forward = None

    @staticmethod
    def _check_deploy(deploy):
        if deploy is False or deploy is None:
            return None
        if deploy is True:
            return {}
        if isinstance(deploy, dict):
            unknown = set(deploy) - {'compile'}
            if unknown:
                raise ValueError(f'deploy: unknown keys {sorted(unknown)}; '
                                 "expected 'compile'")
            return dict(deploy)
        raise TypeError(f'deploy must be a bool or a dict, got {deploy!r}')

    def _check_out_indices(self, out_indices):
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

    def forward(self, x):
        if self.deploy_cfg is not None and not self.deployed:
            if self.training:
                raise RuntimeError(
                    'MobileViTBackbone(deploy=...) is an inference setting and the model '
                    'is in training mode: remove deploy from training configs '
                    '(tools/test.py --deploy sets it for testing)')
            self.switch_to_deploy(**self.deploy_cfg)
        if self.channels_last and x.dim() == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        if self._compiled_forward is not None:
            return self._compiled_forward(x)
        return self._forward_features(x)

    def _forward_features(self, x):
        outs = []
        x = self.stem(x)
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i in self.out_indices:
                outs.append(x)
        if 5 in self.out_indices:
            outs.append(self.conv_1x1_exp(x))
        return tuple(outs)

    @torch.no_grad()
    def switch_to_deploy(self, compile=False):
        """Turn this backbone into its inference form, in place and for good.

        * every conv -> BatchNorm -> act becomes one conv with bias -> act;
        * every LayerNorm / GroupNorm affine is folded into the linear layer or 1x1
          conv that reads it;
        * ``compile``: the forward runs through ``torch.compile`` (compiled at the
          first call of each new input shape, see tools/analysis_tools/benchmark.py
          for its cost).

        Outputs match the eager model within 1e-4 (fp32). The BatchNorm statistics are
        frozen into the convs, so the backbone can no longer be trained.
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
        if compile:
            self._compiled_forward = torch.compile(self._forward_features)
        for param in self.parameters():
            param.requires_grad = False
        self.deployed = True
        return self

    def _freeze_stages(self):
        modules = ([self.stem] if self.frozen_stages >= 0 else []) + \
            list(self.layers[:max(self.frozen_stages, 0)])
        for m in modules:
            m.eval()
            for param in m.parameters():
                param.requires_grad = False

    def train(self, mode=True):
        if mode and self.deployed:
            raise RuntimeError('this MobileViTBackbone was switched to deploy mode '
                               '(BatchNorms fused): it cannot be trained any more')
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, _BatchNorm):
                    m.eval()
        return self

    # ---- weights ---------------------------------------------------------------
    def init_weights(self):
        init_cfg = self.init_cfg
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            self.load_pretrained(init_cfg['checkpoint'], prefix=init_cfg.get('prefix'),
                                 map_location=init_cfg.get('map_location', 'cpu'))
            self._is_init = True
            return
        super().init_weights()

    def load_pretrained(self, checkpoint, prefix=None, map_location='cpu'):
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
            checkpoint = CheckpointLoader.load_checkpoint(checkpoint,
                                                          map_location=map_location)
        try:
            state_dict, layout = to_mmpretrain_layout(checkpoint)
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
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched = [f'{k}: checkpoint {tuple(v.shape)} vs model {tuple(own[k].shape)}'
                      for k, v in state_dict.items() if k in own and v.shape != own[k].shape]
        if missing or mismatched:
            raise CheckpointLayoutError(
                f'{source} ({layout} layout) does not fit arch {self.arch_name}: '
                f'{len(missing)} missing keys {missing[:5]}, '
                f'{len(mismatched)} shape mismatches {mismatched[:3]}, '
                f'{len(unexpected)} unexpected keys {unexpected[:5]}')
        self.load_state_dict({k: v for k, v in state_dict.items() if k in own})
        print_log(f'Loaded {self.arch_name} weights from {source} ({layout} layout'
                  + (f', {len(unexpected)} unused keys' if unexpected else '') + ')',
                  logger='current')
