#!/usr/bin/env bash
# The test command (README): builds or reuses the environment, writes the toy data,
# and runs the test suite. Extra arguments go to pytest, e.g. -k det -x.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
start=$(date +%s)
bash tools/setup_env.sh
source tools/env_paths.sh
export PATH="$MMMOBILEVIT_VENV/bin:$PATH"
echo "[run_tests] environment ready after $(( $(date +%s) - start )) s"
python tools/misc/make_toy_data.py --out data/toy
set +e
python -m pytest tests "$@"
rc=$?
set -e
echo "[run_tests] finished after $(( $(date +%s) - start )) s (pytest exit $rc)"
exit $rc
