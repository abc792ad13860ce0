#!/usr/bin/env bash
# Data-parallel training with torchrun: tools/dist_train.sh CONFIG NUM_PROCESSES [ARGS]
# One process per GPU; on a machine without GPUs the processes share the CPU (gloo).
# Honours NNODES, NODE_RANK, MASTER_ADDR and PORT for multi-node jobs.
set -e
CONFIG="$1"
GPUS="$2"
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
DIR="$(cd "$(dirname "$0")" && pwd)"
PYTHON=${PYTHON:-python}

# the rendezvous port of the first node: taken means another job (torchrun would fail
# later with EADDRINUSE)
if [ "$NODE_RANK" = 0 ] && (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "dist_train.sh: port $PORT is in use on this machine (another dist_train.sh or" \
       "dist_test.sh running?): choose another, e.g. PORT=$((PORT + 1)) bash tools/dist_train.sh ..." >&2
  exit 1
fi

exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$DIR/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
