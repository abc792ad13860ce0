"""The package's import graph: no cycles, pure converters, no side effects on import."""
import ast
import os
import os.path as osp
import subprocess
import sys

import pytest

import mmmobilevit

PACKAGE_DIR = osp.dirname(mmmobilevit.__file__)


def module_name(path):
    rel = osp.relpath(path, osp.dirname(PACKAGE_DIR))[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def package_modules():
    modules = {}
    for root, _, files in os.walk(PACKAGE_DIR):
        if '.mim' in root:
            continue
        for f in files:
            if f.endswith('.py'):
                path = osp.join(root, f)
                modules[module_name(path)] = path
    return modules


def imports_of(name, path, modules):
    """Package modules imported by ``name`` anywhere in its file (functions included),
    with the parent packages each import runs (``a.b.c`` runs ``a.b``'s __init__)."""
    is_package = path.endswith('__init__.py')
    base = name.split('.') if is_package else name.split('.')[:-1]
    targets = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            found = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            prefix = '.'.join(base[:len(base) - node.level + 1]) if node.level else ''
            mod = '.'.join(p for p in (prefix, node.module or '') if p)
            found = [mod] + [f'{mod}.{a.name}' for a in node.names]
        else:
            continue
        for target in found:
            parts = target.split('.')
            for i in range(1, len(parts) + 1):
                candidate = '.'.join(parts[:i])
                # its own ancestors are being imported already: not an edge
                if candidate in modules and not name.startswith(candidate + '.'):
                    targets.add(candidate)
    targets.discard(name)
    return targets


def test_no_import_cycles():
    modules = package_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert graph['mmmobilevit.models.backbones.mobilevit'] >= {'mmmobilevit.checkpoint'}
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, '\n'.join(' -> '.join(c) for c in cycles)


@pytest.mark.parametrize('module', ['checkpoint/layouts.py',
                                    'checkpoint/ssd_layout.py', 'checkpoint/seg_layout.py',
                                    'checkpoint/public.py', 'releases.py'])
def test_the_layout_converters_are_pure(module):
    """Tensors in, tensors out: the standard library only (no torch IO, no models,
    no argparse), and of ours only these pure modules."""
    pure = {'releases', 'layouts', 'ssd_layout', 'seg_layout'}
    path = osp.join(PACKAGE_DIR, module)
    imported = set()
    for node in ast.walk(ast.parse(open(path).read())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split('.')[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            name = (node.module or '').split('.')[-1 if node.level else 0]
            imported.add(name if not node.level or name not in pure else '.pure')
    assert imported <= {'re', 'collections', 'typing', 'dataclasses', 'math', '.pure'}, imported


@pytest.mark.slow  # a fresh interpreter importing the whole stack
def test_import_changes_nothing_outside_the_registries():
    code = (
        'import torch, mmengine.runner.checkpoint as c\n'
        'from mmengine.analysis import complexity_analysis as ca\n'
        'import mmengine.dist.utils as du\n'
        'import mmdet.models.dense_heads as dh, mmengine.runner as r\n'
        'before = (dict(c.CheckpointLoader._schemes), dict(ca._DEFAULT_SUPPORTED_FLOP_OPS),'
        ' du._init_dist_pytorch, dh.SSDHead.__init__, torch.load, r.load_checkpoint)\n'
        'import mmmobilevit, mmmobilevit.apis, mmmobilevit.datasets.toy_data\n'
        'after = (dict(c.CheckpointLoader._schemes), dict(ca._DEFAULT_SUPPORTED_FLOP_OPS),'
        ' du._init_dist_pytorch, dh.SSDHead.__init__, torch.load, r.load_checkpoint)\n'
        'assert before == after\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
