try:  # mmseg is needed by the segmentation configs only
    from .mlcvnets_encoder_decoder import EVAL_PROTOCOLS, MLCVNetsEncoderDecoder
    __all__ = ['EVAL_PROTOCOLS', 'MLCVNetsEncoderDecoder']
except ImportError:  # pragma: no cover
    __all__ = []
