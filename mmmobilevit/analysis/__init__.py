from .complexity import TensorMode, build_model, complexity
from .flops import count_flops, flop_analyzer, sdpa_flop_jit
from .random_norms import randomize_norms

__all__ = ['TensorMode', 'build_model', 'complexity', 'count_flops', 'flop_analyzer',
           'randomize_norms', 'sdpa_flop_jit']
