from .deploy import switch_to_deploy

__all__ = ['switch_to_deploy']
