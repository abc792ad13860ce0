"""Helpers for the test suite (and for anyone testing configs or tools built on
mmmobilevit): running the tools, loopback downloads, toy data, randomised weights."""
from .tools import (REPO, dist_env, free_port, load_tool, processes_mentioning, read_test_metrics,
                    run_tool, tool_env)

__all__ = ['REPO', 'dist_env', 'free_port', 'load_tool', 'processes_mentioning',
           'read_test_metrics', 'run_tool', 'tool_env']
