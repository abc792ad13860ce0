#!/usr/bin/env bash
# Data-parallel training with torchrun: tools/dist_train.sh CONFIG NUM_PROCESSES [ARGS]
# One process per GPU; on a machine without GPUs the processes share the CPU (gloo).
# Honours NNODES, NODE_RANK, MASTER_ADDR and PORT for multi-node jobs, and
# MAX_RESTARTS: torchrun restarts the group up to that many times after a process fails
# (a rank killed, a node lost), and the restarted run resumes from its last checkpoint.
set -e
CONFIG="$1"
GPUS="$2"
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MAX_RESTARTS=${MAX_RESTARTS:-0}
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

if [ "$MAX_RESTARTS" -gt 0 ]; then
  # restarts need a rendezvous that starts each attempt afresh (torchrun's default,
  # "static", keeps the first attempt's store and its dead ranks' addresses)
  RENDEZVOUS=(--rdzv-backend=c10d --rdzv-endpoint="$MASTER_ADDR:$PORT"
              --rdzv-id="${RDZV_ID:-mmmobilevit}" --max-restarts="$MAX_RESTARTS")
else
  RENDEZVOUS=(--node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" --master_port="$PORT")
fi

exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" \
    --nproc_per_node="$GPUS" \
    "${RENDEZVOUS[@]}" \
    "$DIR/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
