from .complexity import TensorMode, build_model, complexity
from .flops import register_sdpa_flop_handle, sdpa_flop_jit

__all__ = ['TensorMode', 'build_model', 'complexity', 'register_sdpa_flop_handle',
           'sdpa_flop_jit']
