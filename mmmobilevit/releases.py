"""The input conventions of the code that trained each released MobileViT checkpoint.

Apple's ml-cvnets changed how it reads and resizes images between its releases, so the
released weights expect different inputs (pure data: nothing here imports a framework):

* ``mlcvnets-v0.1`` (apple/ml-cvnets@d38a116): images read with OpenCV, **BGR**
  (``data/datasets/dataset_base.py``: ``cv2.imread(path, cv2.IMREAD_COLOR)``, "read in BGR
  Format"); resizes with ``cv2.resize`` (``data/transforms/image.py``: ``_resize_fn``),
  bilinear unless a yaml says otherwise. Trained: MobileViT v1 classifiers, SSDLite and
  DeepLabv3 of v0.1, and everything of the MobileViTv3-v1 overlay (v3-XXS/XS/S and -L2).
* ``mlcvnets-v0.2`` (apple/ml-cvnets@84d992f): images read with PIL, **RGB**
  (``data/datasets/dataset_base.py``: ``Image.open(...).convert("RGB")``); resizes with
  PIL (``data/transforms/image_pil.py``) using the yaml's interpolation, bicubic in every
  MobileViTv2 yaml. Trained: MobileViTv2, the MobileViTv3-v2 overlay (v3-0.5/0.75/1.0)
  and ``pascalvoc/deeplabv3-mobilevitv1.pt``.

Pixels are scaled to [0, 1] without mean/std in both (``NumpyToTensor`` / ``ToTensor``),
so a checkpoint of one order serves the other once the stem conv's input channels are
reversed (:mod:`mmmobilevit.checkpoint.fit`).
"""
import re
from dataclasses import dataclass
from typing import Dict, Mapping, Optional

CHANNEL_ORDERS = ('bgr', 'rgb')


@dataclass(frozen=True)
class InputConvention:
    """How one release's code fed images to its models.

    Attributes:
        name (str): ``mlcvnets-v0.1`` or ``mlcvnets-v0.2`` (also the segmenters'
            ``test_cfg.protocol``).
        commit (str): The apple/ml-cvnets commit of that code.
        channel_order (str): ``'bgr'`` or ``'rgb'``.
        decode_backend (str): mmcv's ``imdecode_backend`` that reads as the release.
        resize_backend (str): mmcv's resize ``backend`` that resizes as the release.
        interpolation (str): The resize interpolation of the release's yaml files.
        source (str): Where the facts are read, file@commit.
    """

    name: str
    commit: str
    channel_order: str
    decode_backend: str
    resize_backend: str
    interpolation: str
    source: str


CONVENTIONS: Dict[str, InputConvention] = {
    'mlcvnets-v0.1': InputConvention(
        name='mlcvnets-v0.1', commit='d38a116', channel_order='bgr',
        decode_backend='cv2', resize_backend='cv2', interpolation='bilinear',
        source='data/datasets/dataset_base.py (cv2.imread), data/transforms/image.py '
        '(cv2.resize, bilinear) @ d38a116'),
    'mlcvnets-v0.2': InputConvention(
        name='mlcvnets-v0.2', commit='84d992f', channel_order='rgb',
        decode_backend='pillow', resize_backend='pillow', interpolation='bicubic',
        source='data/datasets/dataset_base.py (PIL .convert("RGB")), '
        'data/transforms/image_pil.py; config/classification/imagenet/mobilevit_v2.yaml '
        '(interpolation: "bicubic") @ 84d992f'),
}

# v1 and the MobileViTv3-v1 overlay (built on d38a116); every other arch: 84d992f
_V01_ARCHS = re.compile(r'^mobilevit-(xxs|xs|s)$|^mobilevitv3-(xxs|xs|s)(-l2)?$')


def release_of_arch(arch: str) -> str:
    """The release whose code trained the published ImageNet weights of ``arch``."""
    return 'mlcvnets-v0.1' if _V01_ARCHS.match(arch) else 'mlcvnets-v0.2'


def check_channel_order(order: str) -> str:
    """``order`` lower-cased, or a ValueError naming the two accepted values."""
    if not isinstance(order, str) or order.lower() not in CHANNEL_ORDERS:
        raise ValueError(f'channel order must be one of {CHANNEL_ORDERS}, got {order!r}')
    return order.lower()


#: Exact parameter counts of the 19 ImageNet classifiers (backbone + 1000-way fc),
#: built with the reference code (ml-cvnets, the MobileViTv3 release; the -l2 counts
#: are those of the MobileViTv3-v1 `*_v3_fast` modes, as issue 14 gives them).
REFERENCE_PARAMS = {
    'mobilevit-xxs': 1_272_024,
    'mobilevit-xs': 2_317_848,
    'mobilevit-s': 5_578_632,
    'mobilevitv2-0.5': 1_370_593,
    'mobilevitv2-0.75': 2_866_009,
    'mobilevitv2-1.0': 4_901_841,
    'mobilevitv2-1.25': 7_478_089,
    'mobilevitv2-1.5': 10_594_753,
    'mobilevitv2-1.75': 14_251_833,
    'mobilevitv2-2.0': 18_449_329,
    'mobilevitv3-xxs': 1_249_448,
    'mobilevitv3-xs': 2_490_360,
    'mobilevitv3-s': 5_763_912,
    'mobilevitv3-xxs-l2': 1_145_288,
    'mobilevitv3-xs-l2': 2_257_320,
    'mobilevitv3-s-l2': 5_169_864,
    'mobilevitv3-0.5': 1_429_985,
    'mobilevitv3-0.75': 2_999_641,
    'mobilevitv3-1.0': 5_139_409,
}


def layout_channel_order(state_dict: Mapping, layout: str) -> Optional[str]:
    """The channel order of a public checkpoint from its keys (None: not knowable).

    * ``mlcvnets``: multi-head attention blocks (``pre_norm_mha``: MobileViT v1 and the
      MobileViTv3-v1 overlay) were trained by ml-cvnets v0.1 (BGR), separable attention
      blocks (``pre_norm_attn``: v2 and v3-0.5/0.75/1.0) by v0.2 (RGB);
    * ``timm``: timm feeds RGB (``--source-channel-order`` of the converter overrides it,
      since whether timm's v1 ports reversed Apple's stem cannot be read from its code);
    * ``mmpretrain`` (ours, or mmpretrain's own MobileViT files): not recorded in the
      keys, so None.
    """
    if layout == 'mlcvnets':
        v01 = any('.pre_norm_mha.' in k for k in state_dict)
        return CONVENTIONS['mlcvnets-v0.1' if v01 else 'mlcvnets-v0.2'].channel_order
    if layout == 'timm':
        return 'rgb'
    return None


#: (task, class count) -> the dataset of the public releases with that head: every
#: released classifier is ImageNet-1k, detector COCO, segmenter PASCAL VOC or ADE20K
RELEASE_DATASETS = {('classifier', 1000): 'imagenet', ('detector', 80): 'coco',
                    ('segmenter', 21): 'voc', ('segmenter', 150): 'ade20k'}


def release_dataset(task: str, num_classes: Optional[int]) -> Optional[str]:
    """The dataset of a public release with this task (``'classifier'``,
    ``'detector'``, ``'segmenter'``) and class count (:data:`RELEASE_DATASETS`); None for
    another."""
    return RELEASE_DATASETS.get((task, num_classes))
