#!/usr/bin/env bash
# Lint the repository (flake8 + isort, configured in setup.cfg), in the project's
# environment. .ci/run runs it before the tests. Fix import order with:
#   $MMMOBILEVIT_VENV/bin/python -m isort mmmobilevit tools tests configs setup.py
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
bash tools/setup_env.sh
source tools/env_paths.sh
py="$MMMOBILEVIT_VENV/bin/python"
targets=(mmmobilevit tools tests configs setup.py)
"$py" -m flake8 "${targets[@]}"
"$py" -m isort --check-only --diff "${targets[@]}"
echo "[lint] flake8 and isort: clean"
