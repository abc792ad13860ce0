"""Convert timm's mobilevit_* / mobilevitv2_* weights (pytorch_model.bin, model.safetensors or a torch.save'd state dict)
to an mmpretrain-style checkpoint (``state_dict`` with ``backbone.``/``head.`` keys)
that loads into ``MobileViTBackbone`` / an mmpretrain ``ImageClassifier``.

    python tools/model_converters/timm2mmpretrain.py SRC DST

The arch is recognised from the weights and printed. A file that is not a
checkpoint of this kind is refused with a message that says what it is.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmmobilevit.models.backbones.checkpoint_layouts import converter_main  # noqa: E402

if __name__ == '__main__':
    converter_main(__doc__, 'timm', arch_prefix=None)
