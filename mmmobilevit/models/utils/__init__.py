from .checkpoint_fit import check_checkpoint_fits, state_dict_of
from .deploy import switch_to_deploy

__all__ = ['check_checkpoint_fits', 'state_dict_of', 'switch_to_deploy']
