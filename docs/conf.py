"""Sphinx configuration of the mmmobilevit docs (myst-parser for Markdown, furo theme).

    python -m sphinx -W -b html docs docs/_build/html      # .ci/run builds it so
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmmobilevit.version import __version__  # noqa: E402

project = 'mmmobilevit'
author = 'the mmmobilevit authors'
copyright = '2026, the mmmobilevit authors'
release = version = __version__

extensions = ['myst_parser', 'sphinx.ext.autodoc', 'sphinx.ext.napoleon',
              'sphinx.ext.viewcode']
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
exclude_patterns = ['_build']
myst_heading_anchors = 4
# links to repository files outside docs/ (configs, tools) are plain paths in the pages
suppress_warnings = ['myst.xref_missing']
html_theme = 'furo'
html_title = f'mmmobilevit {version}'
html_static_path = ['_static']

autodoc_member_order = 'bysource'
autodoc_typehints = 'description'
napoleon_google_docstring = True
napoleon_numpy_docstring = False
