"""SSDLite-MobileViT equals ml-cvnets' SSDLite (the reference module written from
Apple's code): parameter counts, raw outputs, anchors, and the boxes, scores and labels
after each release's post-processing, at 320x320 and at a non-square 256x384 input."""
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.registry import MODELS, DefaultScope
from torch import nn

import mmmobilevit  # noqa: F401
from helpers import REPO
from helpers.configs import load_config
from helpers.mlcvnets_ssd_reference import AppleSSD
from helpers.weights import randomize_norms
from mmmobilevit.checkpoint import CheckpointLayoutError, convert_public_layout
from mmmobilevit.checkpoint.ssd_layout import convert_mlcvnets_ssd
from mmmobilevit.models.dense_heads import mlcvnets_postprocess
from mmmobilevit.releases import release_of_arch

#: Whole-model parameters of every released detector, built with Apple's code at the
#: release's commit (reference sheet section 9): total, backbone, extra levels, heads
RELEASED = {
    'mobilevit/ssdlite_mobilevit-xxs_coco.py': (1_755_050, 924_784, 83_952, 746_314),
    'mobilevit/ssdlite_mobilevit-xs_coco.py': (2_742_042, 1_895_216, 88_224, 758_602),
    'mobilevit/ssdlite_mobilevit-s_coco.py': (5_738_826, 4_833_952, 105_312, 799_562),
    'mobilevitv2/ssdlite_mobilevitv2-0.5_coco.py': (2_035_395, 1_113_593, 130_944, 790_858),
    'mobilevitv2/ssdlite_mobilevitv2-0.75_coco.py': (3_584_955, 2_481_009, 165_120, 938_826),
    'mobilevitv2/ssdlite_mobilevitv2-1.0_coco.py': (5_608_883, 4_388_841, 199_296, 1_020_746),
    'mobilevitv2/ssdlite_mobilevitv2-1.25_coco.py': (8_173_227, 6_837_089, 233_472, 1_102_666),
    'mobilevitv2/ssdlite_mobilevitv2-1.5_coco.py': (11_277_987, 9_825_753, 267_648, 1_184_586),
    'mobilevitv2/ssdlite_mobilevitv2-1.75_coco.py': (14_923_163, 13_354_833, 301_824,
                                                     1_266_506),
    'mobilevitv2/ssdlite_mobilevitv2-2.0_coco.py': (19_108_755, 17_424_329, 336_000,
                                                    1_348_426),
    'mobilevitv3/ssdlite_mobilevitv3-xxs_coco.py': (1_533_450, 669_888, 96_768, 766_794),
    'mobilevitv3/ssdlite_mobilevitv3-xs_coco.py': (2_666_938, 1_745_680, 105_312, 815_946),
    'mobilevitv3/ssdlite_mobilevitv3-s_coco.py': (5_547_882, 4_493_792, 148_032, 906_058),
    'mobilevitv3/ssdlite_mobilevitv3-0.5_coco.py': (2_094_787, 1_172_985, 130_944, 790_858),
    'mobilevitv3/ssdlite_mobilevitv3-0.75_coco.py': (3_718_587, 2_614_641, 165_120, 938_826),
    'mobilevitv3/ssdlite_mobilevitv3-1.0_coco.py': (5_846_451, 4_626_409, 199_296, 1_020_746),
}
#: one width per family in the default suite, every release under `slow`
QUICK = {'mobilevit/ssdlite_mobilevit-xxs_coco.py', 'mobilevitv2/ssdlite_mobilevitv2-0.5_coco.py',
         'mobilevitv3/ssdlite_mobilevitv3-xxs_coco.py'}


def _params(names=RELEASED):
    return [pytest.param(n, id=n.split('/')[-1][:-3],
                         marks=() if n in QUICK else pytest.mark.slow) for n in names]


def build(config):
    cfg = load_config(osp.join(REPO, 'configs', config))
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmdet'):
        return cfg, MODELS.build(cfg.model)


def count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('config', _params())
def test_parameters_equal_apples_to_the_unit(config):
    _, model = build(config)
    assert (count(model), count(model.backbone), count(model.neck),
            count(model.bbox_head)) == RELEASED[config]


def release_of(cfg):
    return release_of_arch(cfg.model.backbone.arch)[len('mlcvnets-'):]


def random_reference(arch, release, seed=0):
    """The reference with random norms, its extra levels and heads Kaiming-initialised
    (signals keep their scale, so features differ from cell to cell: equal scores
    would make the cut after NMS arbitrary) and the backbone as PyTorch initialises it."""
    torch.manual_seed(seed)
    ref = AppleSSD(arch, release)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            if not name.startswith('encoder.') and p.dim() > 1:
                nn.init.kaiming_normal_(p, nonlinearity='relu')
                if '.loc_cls_layer.' in name:
                    p.mul_(0.2)  # logits of a few units: softmaxes do not saturate
            elif '.loc_cls_layer.' in name and name.endswith('conv.bias'):
                p[4::4 + ref.n_classes] += 4.  # background dominates, as once trained
    return randomize_norms(ref, seed).eval()


def detector_from_apple_file(config, seed=0):
    cfg, model = build(config)
    ref = random_reference(cfg.model.backbone.arch, release_of(cfg), seed)
    checkpoint, layout = convert_public_layout(ref.apple_state_dict())
    assert layout == 'mlcvnets-ssd'
    assert checkpoint['meta']['channel_order'] == cfg.model.backbone.input_channel_order
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    return cfg, ref, model.eval()


def sample(size, orig):
    h, w = size
    oh, ow = orig
    return DetDataSample(metainfo=dict(img_shape=(h, w), ori_shape=(oh, ow),
                                       batch_input_shape=(h, w),
                                       scale_factor=(w / ow, h / oh)))


#: the default suite checks each family at one size, every release and size under `slow`
QUICK_SIZES = {'mobilevit/ssdlite_mobilevit-xxs_coco.py': [(320, 320)],
               'mobilevitv2/ssdlite_mobilevitv2-0.5_coco.py': [(256, 384)],
               'mobilevitv3/ssdlite_mobilevitv3-xxs_coco.py': [(256, 384)]}


def _sized_params():
    return [pytest.param(n, size, id=f'{n.split("/")[-1][:-3]}-{size[0]}x{size[1]}',
                         marks=() if size in QUICK_SIZES.get(n, []) else pytest.mark.slow)
            for n in RELEASED for size in [(320, 320), (256, 384)]]


@pytest.mark.parametrize('config,size', _sized_params())
def test_outputs_equal_the_reference(config, size):
    """Logits, box offsets, anchors, decoded boxes and probabilities within 1e-4 of the
    reference; the release's post-processing gives the reference's detections exactly
    (same boxes, scores and labels) from the same decoded tensors; and
    ``model.predict`` is that post-processing scaled to the original image."""
    cfg, ref, model = detector_from_apple_file(config)
    x = torch.rand(1, 3, *size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        conf, loc, anchors = ref.ssd_forward(x)
        cls_scores, bbox_preds = model(x, mode='tensor')
    head = model.bbox_head
    logits, deltas = head.flatten(cls_scores, bbox_preds)
    torch.testing.assert_close(deltas, loc, atol=1e-4, rtol=0)
    torch.testing.assert_close(logits[..., :80], conf[..., 1:], atol=1e-4, rtol=0)
    torch.testing.assert_close(logits[..., 80], conf[..., 0], atol=1e-4, rtol=0)
    ours_anchors = head.prior_generator.centre_form([tuple(s.shape[-2:]) for s in cls_scores])
    torch.testing.assert_close(ours_anchors, anchors, atol=1e-6, rtol=0)

    probs, boxes = ref.decode(x)
    torch.testing.assert_close(head.decode(deltas, ours_anchors)[0], boxes, atol=1e-4, rtol=0)
    torch.testing.assert_close(logits.softmax(-1)[0, :, :80], probs[:, 1:], atol=1e-4, rtol=0)

    orig = (480, 640)
    test_cfg = cfg.model.test_cfg
    theirs = ref.postprocess(probs, boxes, *orig)
    mine = mlcvnets_postprocess(boxes, probs[:, 1:], test_cfg.score_thr,
                                test_cfg.nms.iou_threshold, test_cfg.nms_pre,
                                test_cfg.max_per_class, test_cfg.max_per_img)
    assert len(mine[1]) == len(theirs[1]) > 0
    scale = torch.tensor([orig[1], orig[0]] * 2)
    mine_px = mine[0] * scale
    mine_px[:, 0::2] = mine_px[:, 0::2].clamp(0, orig[1])
    mine_px[:, 1::2] = mine_px[:, 1::2].clamp(0, orig[0])
    assert torch.equal(mine[2] + 1, theirs[2])  # Apple's background is class 0
    assert torch.equal(mine[1], theirs[1]) and torch.equal(mine_px, theirs[0])

    with torch.no_grad():
        pred = model.predict(x, [sample(size, orig)], rescale=True)[0].pred_instances
    own = mlcvnets_postprocess(head.decode(deltas, ours_anchors)[0],
                               logits.softmax(-1)[0, :, :80], test_cfg.score_thr,
                               test_cfg.nms.iou_threshold, test_cfg.nms_pre,
                               test_cfg.max_per_class, test_cfg.max_per_img)
    order = own[1].argsort(descending=True, stable=True)  # predict sorts, best first
    own = [t[order] for t in own]
    assert torch.equal(pred.labels, own[2]) and torch.equal(pred.scores, own[1])
    own_px = own[0] * scale
    own_px[:, 0::2] = own_px[:, 0::2].clamp(0, orig[1])
    own_px[:, 1::2] = own_px[:, 1::2].clamp(0, orig[0])
    torch.testing.assert_close(pred.bboxes, own_px, atol=1e-3, rtol=0)  # pixels of 640


def test_postprocess_cuts_per_class_and_per_image():
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.], [50., 50., 60., 60.],
                          [0., 0., 10., 10.]])
    scores = torch.tensor([[0.9, 0.0], [0.8, 0.0], [0.7, 0.6], [0.0, 0.95]])

    def run(**cuts):
        b, s, labels = mlcvnets_postprocess(boxes, scores, 0.5, 0.5, **cuts)
        return sorted(zip([round(v, 4) for v in s.tolist()], labels.tolist()), reverse=True)

    # box 1 is suppressed by box 0 (same class, IoU 0.68); box 3 is another class
    assert run(max_per_class=200) == run() == [(0.95, 1), (0.9, 0), (0.7, 0), (0.6, 1)]
    assert run(max_per_class=1) == [(0.95, 1), (0.9, 0)]
    assert run(nms_pre=1) == [(0.95, 1), (0.9, 0)]
    assert run(max_per_img=3) == [(0.95, 1), (0.9, 0), (0.7, 0)]
    b, s, labels = mlcvnets_postprocess(boxes, scores, 0.99, 0.5)
    assert b.shape == (0, 4) and s.numel() == 0 and labels.numel() == 0


def test_the_class_count_is_read_from_the_predictors():
    torch.manual_seed(0)
    three = AppleSSD('mobilevit-xxs', n_classes=4).apple_state_dict()  # 3 + background
    converted = convert_mlcvnets_ssd(three)
    assert converted['bbox_head.predictors.0.pointwise_conv.conv.weight'].shape[0] == 6 * 8
    assert converted['bbox_head.predictors.5.weight'].shape[0] == 4 * 8
    cut = {k: (v[:-6] if 'loc_cls_layer' in k and 'pw_conv' in k else v)
           for k, v in three.items()}
    with pytest.raises(CheckpointLayoutError, match="not ml-cvnets' SSDLite anchors"):
        convert_mlcvnets_ssd(cut)
    with pytest.raises(CheckpointLayoutError, match='not a 80-class detector'):
        convert_mlcvnets_ssd(three, num_classes=80)
    three['ssd_heads.0.surprise.weight'] = torch.zeros(1)
    with pytest.raises(CheckpointLayoutError, match='surprise'):
        convert_mlcvnets_ssd(three)
