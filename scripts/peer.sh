#!/usr/bin/env bash
# make peer: one more peer on the next free API port from 5203; it finds the ring by multicast.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh

build_release
trap '[ -z "${started_pid:-}" ] || { kill "$started_pid" 2>/dev/null; wait "$started_pid" 2>/dev/null; } || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_on_free_port peer 5203 "$peer_dll" \
  --Peer:StoragePath="$RUN_DIR/peer-{port}/Storage" --Peer:AnnounceUrl=http://127.0.0.1:5000/announce --Peer:WebSeedUrl=http://127.0.0.1:5000/files \
  --Tracker:Seeds:0=http://127.0.0.1:5101 --Tracker:Seeds:1=http://127.0.0.1:5102 --Tracker:Seeds:2=http://127.0.0.1:5103 \
  "$local_peer_hosts"
pid=$started_pid port=$started_port
echo "peer $(peer_id "$port") is up: UI $(peer_login "$port"); key in $RUN_DIR/peer-$port/Storage/api-key; log $RUN_DIR/logs/peer-$port.log; Ctrl-C stops it."
wait "$pid"
