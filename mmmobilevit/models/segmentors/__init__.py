from ...extras import installed

__all__ = []
if installed('mmseg'):  # the segmentation configs need mmseg
    from .mlcvnets_encoder_decoder import EVAL_PROTOCOLS, MLCVNetsEncoderDecoder
    __all__ += ['EVAL_PROTOCOLS', 'MLCVNetsEncoderDecoder']
