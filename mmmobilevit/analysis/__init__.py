from .flops import register_sdpa_flop_handle, sdpa_flop_jit

__all__ = ['register_sdpa_flop_handle', 'sdpa_flop_jit']
