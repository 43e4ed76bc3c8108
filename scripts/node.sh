#!/usr/bin/env bash
# make node: one more chord node on the next free port from 5104; it finds the ring by multicast (signed
# with the ring secret make run keeps in .run/ring-secret).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh

read_ring_secret || exit 1
build_release
port=$(next_free_port 5104)
Chord__Secret=$RING_SECRET start_service "chord-$port" "$chord_dll" "$port" --Tracker:TrustedProxies:0=$local_trusted_proxy
pid=$started_pid
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wait_ready "http://127.0.0.1:$port" "chord-$port" "$pid"
echo "chord node http://127.0.0.1:$port joined the ring (log: $RUN_DIR/logs/chord-$port.log); Ctrl-C stops it."
wait "$pid"
