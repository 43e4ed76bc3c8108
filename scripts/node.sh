#!/usr/bin/env bash
# make node: one more chord node on the next free port from 5104; it finds the ring by multicast and keeps
# its store in .run/chord-<port>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh

build_release
port=$(next_free_port 5104)
start_service "chord-$port" "$chord_dll" "$port" --Chord:DataPath="$RUN_DIR/chord-$port"
pid=$started_pid
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wait_ready "http://127.0.0.1:$port" "chord-$port" "$pid"
echo "chord node http://127.0.0.1:$port joined the ring (log: $RUN_DIR/logs/chord-$port.log); Ctrl-C stops it."
wait "$pid"
