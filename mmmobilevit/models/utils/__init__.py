from .channel_order import align_channel_order, input_channel_order
from .checkpoint_fit import check_checkpoint_fits, fit_checkpoint_to_model, state_dict_of
from .deploy import fold_conv_module_norms, switch_to_deploy

__all__ = ['align_channel_order', 'check_checkpoint_fits', 'fit_checkpoint_to_model',
           'fold_conv_module_norms', 'input_channel_order', 'state_dict_of',
           'switch_to_deploy']
