#!/usr/bin/env bash
# Builds the project's Python environment, or reuses it when it is already there.
#
#   bash tools/setup_env.sh          # prints nothing new when the environment is up to date
#
# Where things live (outside the clone, so that every clone on a machine shares them):
#   $MMMOBILEVIT_HOME            default: ${XDG_CACHE_HOME:-~/.cache}/mmmobilevit
#   $MMMOBILEVIT_HOME/venv-py311 the virtual environment (override with $MMMOBILEVIT_VENV)
#   $MMMOBILEVIT_HOME/wheels/    the mmcv wheels built here, one folder per torch version and device
#
# mmcv 2.1.0 has no wheel for torch 2.14, so it is built from the registry's source
# distribution with its C++ ops (MMCV_WITH_OPS=1). Its setup.py forces -std=c++17 while
# torch 2.14's headers need C++20; the copy we build is patched for that. On a machine with
# CUDA, run with FORCE_CUDA=1 to build the CUDA ops too (a separate cached wheel).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/env_paths.sh
source "$here/tools/env_paths.sh"

log() { printf '[setup_env] %s\n' "$*" >&2; }
# pip, minus the warnings about configured package indexes that do not exist here
pip_quiet() { "$@" 2> >(grep -v 'is ignored: it is neither a file nor a directory' >&2); }

find_python() {
  for cand in "${MMMOBILEVIT_PYTHON:-}" python3.11 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 && \
       "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  log "Python 3.11 is required (set MMMOBILEVIT_PYTHON to its path)."; return 1
}

mkdir -p "$MMMOBILEVIT_HOME" "$MMMOBILEVIT_WHEELS"
req="$here/requirements/env.txt"
# installed without their dependency lists (see the files: ExecuTorch, LiteRT)
req_nodeps=("$here/requirements/executorch.txt" "$here/requirements/litert.txt")
stamp="$MMMOBILEVIT_VENV/.mmmobilevit-stamp"
# the stamp covers the pins and the mmcv build kind (FORCE_CUDA=1 asks for the CUDA ops)
want_stamp="$(cat "$req" "${req_nodeps[@]}" | sha256sum | cut -c1-16)-mmcv2.1.0-force_cuda${FORCE_CUDA:-0}"

if [ -x "$MMMOBILEVIT_VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  :  # up to date
else
  if [ ! -x "$MMMOBILEVIT_VENV/bin/python" ]; then
    py="$(find_python)"
    log "creating the virtual environment $MMMOBILEVIT_VENV with $py"
    "$py" -m venv "$MMMOBILEVIT_VENV"
  fi
  vpy="$MMMOBILEVIT_VENV/bin/python"
  log "installing the pinned packages (requirements/env.txt); the first time this downloads torch"
  pip_quiet "$vpy" -m pip install -q --upgrade pip
  pip_quiet "$vpy" -m pip install -q -r "$req"

  # ---- mmcv 2.1.0 with ops, built once per torch version and device, cached as a wheel ----
  key="$("$vpy" - <<'PY'
import os, torch
cuda = os.environ.get('FORCE_CUDA', '0') == '1' or torch.cuda.is_available()
dev = ('cu' + torch.version.cuda.replace('.', '')) if (cuda and torch.version.cuda) else 'cpu'
print(f"mmcv-2.1.0_torch-{torch.__version__.split('+')[0]}_{dev}")
PY
)"
  wheel_dir="$MMMOBILEVIT_WHEELS/$key"
  whl="$(ls "$wheel_dir"/mmcv-2.1.0-*.whl 2>/dev/null | head -n 1 || true)"
  if [ -z "$whl" ]; then
    log "building mmcv 2.1.0 with ops ($key); about 8 minutes on 2 cores, done once per machine"
    build="$(mktemp -d "$MMMOBILEVIT_HOME/mmcv-build.XXXXXX")"
    pip_quiet "$vpy" -m pip download -q --no-deps --no-build-isolation --no-binary :all: mmcv==2.1.0 -d "$build"
    tar -xzf "$build"/mmcv-2.1.0.tar.gz -C "$build"
    src="$build/mmcv-2.1.0"
    sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    grep -q 'std=c++20' "$src/setup.py" || { log "could not patch mmcv's setup.py"; exit 1; }
    mkdir -p "$build/out"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
      "$vpy" -m pip wheel --no-build-isolation --no-deps -w "$build/out" "$src" >"$build/build.log" 2>&1 || {
        log "mmcv build failed; last lines of $build/build.log:"; tail -n 40 "$build/build.log" >&2; exit 1; }
    mkdir -p "$wheel_dir"
    # move into place atomically so that an interrupted build never leaves a half wheel in the cache
    for f in "$build"/out/mmcv-2.1.0-*.whl; do mv "$f" "$wheel_dir/.$(basename "$f").part"; mv "$wheel_dir/.$(basename "$f").part" "$wheel_dir/$(basename "$f")"; done
    rm -rf "$build"
    whl="$(ls "$wheel_dir"/mmcv-2.1.0-*.whl | head -n 1)"
  else
    log "reusing the cached mmcv wheel $whl"
  fi
  pip_quiet "$vpy" -m pip install -q --force-reinstall --no-deps "$whl"
  pip_quiet "$vpy" -m pip install -q -r "$req" "$whl"   # mmcv's own dependencies, with the pins kept
  for nodeps in "${req_nodeps[@]}"; do
    pip_quiet "$vpy" -m pip install -q --no-deps -r "$nodeps"
  done
  "$vpy" -c 'import mmcv, mmcv.ops, mmdet, mmseg, mmpretrain, timm; import torch; from mmcv.ops import nms; print("mmcv", mmcv.__version__, "torch", torch.__version__)' >&2
  echo "$want_stamp" >"$stamp"
  log "environment ready: $MMMOBILEVIT_VENV"
  rebuilt=1  # the project's own metadata (its requirement ranges) is installed anew below
fi

# The project itself, editable, pointing at this clone (fast; re-pointed for every clone,
# and reinstalled with the environment).
# (asked from / so that the current directory's copy does not answer for the installed one)
cur="$(cd / && "$MMMOBILEVIT_VENV/bin/python" -c 'import mmmobilevit, os; print(os.path.dirname(os.path.dirname(os.path.realpath(mmmobilevit.__file__))))' 2>/dev/null || true)"
if [ "$cur" != "$here" ] || [ -n "${rebuilt:-}" ]; then
  pip_quiet "$MMMOBILEVIT_VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e "$here"
fi
# openmim looks for an installed package at <site-packages>/<name>/.mim (mim search,
# mim download, mim train); a PEP 660 editable install has no folder there, so link it
# to this clone's package (whose .mim setup.py fills).
site="$("$MMMOBILEVIT_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
if [ "$(readlink "$site/mmmobilevit" 2>/dev/null)" != "$here/mmmobilevit" ]; then
  ln -sfn "$here/mmmobilevit" "$site/mmmobilevit"
fi
