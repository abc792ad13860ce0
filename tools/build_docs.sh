#!/usr/bin/env bash
# Build the docs (Sphinx, myst-parser, furo) with warnings as errors, in the project's
# environment: docs/_build/html/index.html. .ci/run runs it after the lint.
#   bash tools/build_docs.sh [extra sphinx-build arguments]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash tools/setup_env.sh
source tools/env_paths.sh
"$MMMOBILEVIT_VENV/bin/python" -m sphinx -W --keep-going -q -b html docs docs/_build/html "$@"
echo "[docs] built docs/_build/html (warnings as errors)"
