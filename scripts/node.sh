#!/usr/bin/env bash
# make node: one more chord node on the next free port from 5104; it finds the ring by multicast (signed
# with the ring secret make run keeps in .run/ring-secret) and keeps its store in .run/chord-<port>/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh

read_ring_secret || exit 1
build_release
trap '[ -z "${started_pid:-}" ] || { kill "$started_pid" 2>/dev/null; wait "$started_pid" 2>/dev/null; } || true' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
Chord__Secret=$RING_SECRET start_on_free_port chord 5104 "$chord_dll" --Tracker:TrustedProxies:0=$local_trusted_proxy --Chord:DataPath="$RUN_DIR/chord-{port}" || exit 1
pid=$started_pid port=$started_port
echo "chord node http://127.0.0.1:$port joined the ring (log: $RUN_DIR/logs/chord-$port.log); Ctrl-C stops it."
wait "$pid"
