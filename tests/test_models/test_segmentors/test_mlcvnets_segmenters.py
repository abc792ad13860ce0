"""DeepLabv3 / PSPNet-MobileViT equal ml-cvnets' segmenters (the reference module written
from Apple's code): parameter counts of every release, and the logits of the release's
evaluation (floor to the output stride, upsampling to the original size) computed from
an Apple-layout file converted on the fly, at 128x128 and at a non-square 96x160 input."""
import os.path as osp

import pytest
import torch
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import MODELS, DefaultScope
from mmseg.structures import SegDataSample
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config
from helpers.mlcvnets_seg_reference import AppleSegmentation
from helpers.weights import randomize_norms
from mmmobilevit.checkpoint import CheckpointLayoutError, convert_public_layout
from mmmobilevit.checkpoint.seg_layout import convert_mlcvnets_seg

#: Whole-model parameters of every released segmenter, built with Apple's code at the
#: release's commit (reference sheet section 9): total (training model, auxiliary head
#: included), backbone, decode head, auxiliary head
RELEASED = {
    'mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py': (1_854_853, 924_784, 930_069, 0),
    'mobilevit/deeplabv3_mobilevit-xs_voc12aug-512x512.py': (2_944_069, 1_895_216, 1_048_853, 0),
    'mobilevit/deeplabv3_mobilevit-s_voc12aug-512x512.py': (6_357_941, 4_833_952, 1_523_989, 0),
    'mobilevit/deeplabv3_mobilevit-s_voc12aug-os8-512x512.py': (8_687_690, 4_833_952, 3_703_317,
                                                                150_421),
    'mobilevitv2/deeplabv3_mobilevitv2-0.5_ade20k-512x512.py': (6_549_285, 1_113_593, 5_194_902,
                                                                240_790),
    'mobilevitv2/deeplabv3_mobilevitv2-0.75_ade20k-512x512.py': (9_927_837, 2_481_009, 7_095_446,
                                                                 351_382),
    'mobilevitv2/deeplabv3_mobilevitv2-1.0_ade20k-512x512.py': (13_846_805, 4_388_841, 8_995_990,
                                                                461_974),
    'mobilevitv2/deeplabv3_mobilevitv2-1.25_ade20k-512x512.py': (18_306_189, 6_837_089,
                                                                 10_896_534, 572_566),
    'mobilevitv2/deeplabv3_mobilevitv2-1.5_ade20k-512x512.py': (23_391_365, 9_825_753,
                                                                12_797_078, 768_534),
    'mobilevitv2/deeplabv3_mobilevitv2-1.75_ade20k-512x512.py': (29_094_205, 13_354_833,
                                                                 14_697_622, 1_041_750),
    'mobilevitv2/deeplabv3_mobilevitv2-2.0_ade20k-512x512.py': (35_378_933, 17_424_329,
                                                                16_598_166, 1_356_438),
    'mobilevitv2/pspnet_mobilevitv2-0.5_ade20k-512x512.py': (3_857_701, 1_113_593, 2_503_318,
                                                             240_790),
    'mobilevitv2/pspnet_mobilevitv2-0.75_ade20k-512x512.py': (6_597_533, 2_481_009, 3_765_142,
                                                              351_382),
    'mobilevitv2/pspnet_mobilevitv2-1.0_ade20k-512x512.py': (9_910_549, 4_388_841, 5_059_734,
                                                             461_974),
    'mobilevitv2/pspnet_mobilevitv2-1.25_ade20k-512x512.py': (13_796_749, 6_837_089, 6_387_094,
                                                              572_566),
    'mobilevitv2/pspnet_mobilevitv2-1.5_ade20k-512x512.py': (18_341_509, 9_825_753, 7_747_222,
                                                             768_534),
    'mobilevitv2/pspnet_mobilevitv2-1.75_ade20k-512x512.py': (23_536_701, 13_354_833, 9_140_118,
                                                              1_041_750),
    'mobilevitv2/deeplabv3_mobilevitv2-0.5_voc12aug-512x512.py': (6_466_467, 1_113_593, 5_128_725,
                                                                  224_149),
    'mobilevitv2/deeplabv3_mobilevitv2-1.0_voc12aug-512x512.py': (13_763_987, 4_388_841,
                                                                  8_929_813, 445_333),
    'mobilevitv2/deeplabv3_mobilevitv2-1.25_voc12aug-512x512.py': (18_223_371, 6_837_089,
                                                                   10_830_357, 555_925),
    'mobilevitv2/deeplabv3_mobilevitv2-1.5_voc12aug-512x512.py': (23_306_483, 9_825_753,
                                                                  12_730_901, 749_829),
    'mobilevitv2/pspnet_mobilevitv2-0.5_voc12aug-512x512.py': (3_774_883, 1_113_593, 2_437_141,
                                                               224_149),
    'mobilevitv2/pspnet_mobilevitv2-0.75_voc12aug-512x512.py': (6_514_715, 2_481_009, 3_698_965,
                                                                334_741),
    'mobilevitv2/pspnet_mobilevitv2-1.0_voc12aug-512x512.py': (9_827_731, 4_388_841, 4_993_557,
                                                               445_333),
    'mobilevitv2/pspnet_mobilevitv2-1.25_voc12aug-512x512.py': (13_713_931, 6_837_089,
                                                                6_320_917, 555_925),
    'mobilevitv2/pspnet_mobilevitv2-1.5_voc12aug-512x512.py': (18_256_627, 9_825_753, 7_681_045,
                                                               749_829),
    'mobilevitv3/deeplabv3_mobilevitv3-xxs_voc12aug-512x512.py': (1_956_309, 669_888, 1_286_421,
                                                                  0),
    'mobilevitv3/deeplabv3_mobilevitv3-xs_voc12aug-512x512.py': (3_269_669, 1_745_680, 1_523_989,
                                                                 0),
    'mobilevitv3/deeplabv3_mobilevitv3-s_voc12aug-512x512.py': (7_205_621, 4_493_792, 2_711_829,
                                                                0),
    'mobilevitv3/deeplabv3_mobilevitv3-0.5_voc12aug-512x512.py': (6_525_859, 1_172_985,
                                                                  5_128_725, 224_149),
    'mobilevitv3/deeplabv3_mobilevitv3-1.0_voc12aug-512x512.py': (14_001_555, 4_626_409,
                                                                  8_929_813, 445_333),
    'mobilevitv3/deeplabv3_mobilevitv3-0.5_ade20k-512x512.py': (6_608_677, 1_172_985, 5_194_902,
                                                                240_790),
    'mobilevitv3/deeplabv3_mobilevitv3-0.75_ade20k-512x512.py': (10_061_469, 2_614_641,
                                                                 7_095_446, 351_382),
    'mobilevitv3/deeplabv3_mobilevitv3-1.0_ade20k-512x512.py': (14_084_373, 4_626_409,
                                                                8_995_990, 461_974),
}
#: one model per head type and release code in the default suite (the MobileViTv3
#: overlays run the same head code), every release under `slow`
QUICK = {'mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py',
         'mobilevitv2/deeplabv3_mobilevitv2-0.5_voc12aug-512x512.py',
         'mobilevitv2/pspnet_mobilevitv2-0.5_ade20k-512x512.py'}
SIZES = [(128, 128), (96, 160)]


def _params():
    return [pytest.param(n, id=n.split('/')[-1][:-3],
                         marks=() if n in QUICK else pytest.mark.slow) for n in RELEASED]


def build(config):
    cfg = load_config(osp.join(REPO, 'configs', config))
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmseg'):
        return cfg, revert_sync_batchnorm(MODELS.build(cfg.model))


def count(module):
    return sum(p.numel() for p in module.parameters()) if module is not None else 0


def test_every_segmentation_config_is_a_release():
    import glob
    found = {osp.relpath(p, osp.join(REPO, 'configs')) for pattern in (
        'mobilevit*/deeplabv3_*.py', 'mobilevit*/pspnet_*.py')
        for p in glob.glob(osp.join(REPO, 'configs', pattern))}
    assert found == set(RELEASED)


@pytest.mark.parametrize('config', _params())
def test_parameters_equal_apples_to_the_unit(config):
    _, model = build(config)
    aux = model.auxiliary_head if model.with_auxiliary_head else None
    assert (count(model), count(model.backbone), count(model.decode_head),
            count(aux)) == RELEASED[config]
    # the test model: Apple's total without the training-only auxiliary head
    assert count(model) - count(aux) == RELEASED[config][0] - RELEASED[config][3]


def reference_of(cfg, seed=0):
    """The reference module of a config, Kaiming-initialised heads, random norms."""
    head = cfg.model.decode_head
    release = cfg.model.test_cfg.protocol[len('mlcvnets-'):]  # the release's evaluation
    torch.manual_seed(seed)
    ref = AppleSegmentation(
        cfg.model.backbone.arch,
        head='pspnet' if head.type == 'SlimBranchPSPHead' else 'deeplabv3',
        release=release, n_classes=head.num_classes,
        output_stride=cfg.model.backbone.out_stride, channels=head.channels,
        rates=tuple(head.get('dilations', (1, 6, 12, 18))[1:]),
        aux=cfg.model.auxiliary_head is not None)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if name.startswith('seg_head.') and p.dim() > 1:
                nn.init.kaiming_normal_(p, nonlinearity='relu')
    return randomize_norms(ref, seed).eval()


def segmenter_from_apple_file(config, seed=0):
    cfg, model = build(config)
    ref = reference_of(cfg, seed)
    checkpoint, layout = convert_public_layout(ref.apple_state_dict())
    assert layout == 'mlcvnets-seg'
    assert checkpoint['meta']['channel_order'] == cfg.model.backbone.input_channel_order
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    return cfg, ref, model.eval()


def _sized_params():
    """Every release at every size under `slow`; the default suite: the QUICK configs
    at the odd size (the one that exercises the resizes)."""
    return [pytest.param(n, size, id=f'{n.split("/")[-1][:-3]}-{size[0]}x{size[1]}',
                         marks=() if n in QUICK and size == SIZES[-1] else pytest.mark.slow)
            for n in RELEASED for size in SIZES]


@pytest.mark.parametrize('config,size', _sized_params())
def test_logits_equal_the_reference(config, size):
    """The release's evaluation of an image resized to ``size`` whose original size is
    larger and of another aspect: logits within 1e-4 of the reference's at the original
    size, the same masks; the auxiliary head's logits as well."""
    cfg, ref, model = segmenter_from_apple_file(config)
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(1))
    orig = (size[0] + 37, size[1] + 53)
    sample = SegDataSample(metainfo=dict(ori_shape=orig, img_shape=size))
    with torch.no_grad():
        expected = ref.evaluate(x, *orig)
        result = model.predict(x, [sample])[0]
        assert tuple(result.seg_logits.data.shape) == (expected.shape[1], *orig)
        diff = float((result.seg_logits.data - expected[0]).abs().max())
        print(f'\n{config} {size[0]}x{size[1]}: max |logit difference| {diff:.1e}')
        torch.testing.assert_close(result.seg_logits.data, expected[0], atol=1e-4, rtol=0)
        agree = (result.pred_sem_seg.data[0] == expected[0].argmax(0)).float().mean()
        assert agree > 0.999
        if model.with_auxiliary_head:
            l4, _ = ref.encoder(x)
            torch.testing.assert_close(model.auxiliary_head.forward(model.extract_feat(x)),
                                       ref.seg_head.aux_head(l4), atol=1e-4, rtol=0)


def test_training_outputs_equal_the_reference():
    """In training, the decode head's logits resized to the labels (mmseg's loss) equal
    the reference's output upsampled by the output stride (v0.1: align_corners=False)."""
    cfg, ref, model = segmenter_from_apple_file(
        'mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py')
    x = torch.rand(1, 3, 128, 128, generator=torch.Generator().manual_seed(2))
    from mmseg.models.utils import resize
    with torch.no_grad():
        logits = model.decode_head.forward(model.extract_feat(x))
        ours = resize(logits, size=(128, 128), mode='bilinear',
                      align_corners=model.decode_head.align_corners)
        torch.testing.assert_close(ours, ref(x), atol=1e-4, rtol=0)


def test_the_projection_reads_the_pooling_branch_first():
    cfg, ref, _ = segmenter_from_apple_file(
        'mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py')
    apple = ref.apple_state_dict()
    ours = convert_mlcvnets_seg(apple)
    w = apple['seg_head.aspp.aspp_layer.project.block.conv.weight']
    c = w.shape[1] // 5
    torch.testing.assert_close(ours['decode_head.bottleneck.conv.weight'][:, :c], w[:, 4 * c:])
    torch.testing.assert_close(ours['decode_head.bottleneck.conv.weight'][:, c:], w[:, :4 * c])


def test_a_foreign_head_key_is_refused():
    cfg, ref, _ = segmenter_from_apple_file(
        'mobilevit/deeplabv3_mobilevit-xxs_voc12aug-512x512.py')
    apple = ref.apple_state_dict()
    apple['seg_head.decoder.conv.weight'] = torch.zeros(1)
    with pytest.raises(CheckpointLayoutError, match='no counterpart'):
        convert_mlcvnets_seg(apple)
