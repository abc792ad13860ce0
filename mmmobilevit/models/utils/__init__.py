from .compile import NETWORK_PARTS, compile_network
from .deploy import fold_conv_module_norms, switch_to_deploy

__all__ = ['NETWORK_PARTS', 'compile_network', 'fold_conv_module_norms', 'switch_to_deploy']
