from .complexity import TensorMode, build_model, complexity
from .flops import count_flops, flop_analyzer, sdpa_flop_jit

__all__ = ['TensorMode', 'build_model', 'complexity', 'count_flops', 'flop_analyzer',
           'sdpa_flop_jit']
