from .checkpoint_fit import (CheckpointFitMixin, align_channel_order, check_checkpoint_fits,
                             fit_checkpoint_to_model, input_channel_order, state_dict_of)
from .compile import NETWORK_PARTS, compile_network
from .deploy import fold_conv_module_norms, switch_to_deploy

__all__ = ['NETWORK_PARTS', 'CheckpointFitMixin', 'align_channel_order', 'check_checkpoint_fits',
           'compile_network', 'fit_checkpoint_to_model', 'fold_conv_module_norms',
           'input_channel_order', 'state_dict_of', 'switch_to_deploy']
