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

exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" \
    --master_port="$PORT" \
    "$DIR/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
