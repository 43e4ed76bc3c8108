#!/usr/bin/env bash
# make run: the whole system as processes on 127.0.0.1; Ctrl-C or SIGTERM stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/lib.sh

build_release
pids=()
stop_all() {
  trap - INT TERM EXIT
  echo; echo "stopping ${#pids[@]} processes"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh random ring secret for this run (kept for make node); nodes refuse to start without one.
new_ring_secret
seeds=(--Chord:Seeds:0=http://127.0.0.1:5101 --Chord:Seeds:1=http://127.0.0.1:5102 --Chord:Seeds:2=http://127.0.0.1:5103)
# Each node keeps its store in .run/chord-<port>/ (Chord:DataPath): a restart keeps the catalog, torrents,
# peer records and the next peer id.
for port in 5101 5102 5103; do
  Chord__Secret=$RING_SECRET start_service "chord-$port" "$chord_dll" "$port" "${seeds[@]}" \
    --Tracker:TrustedProxies:0=$local_trusted_proxy --Chord:DataPath="$RUN_DIR/chord-$port" || exit 1
  pids+=("$started_pid")
done
for i in 0 1 2; do wait_ready "http://127.0.0.1:$((5101 + i))" "chord-$((5101 + i))" "${pids[$i]}" || exit 1; done

Gateway__RingSecret=$RING_SECRET start_service gateway "$gateway_dll" 5000 "${seeds[@]/--Chord:/--Gateway:}" || exit 1
pids+=("$started_pid")
wait_ready http://127.0.0.1:5000 gateway "$started_pid" || exit 1

tracker_seeds=("${seeds[@]/--Chord:/--Tracker:}")
for port in 5201 5202; do
  start_service "peer-$port" "$peer_dll" "$port" "${tracker_seeds[@]}" \
    --Peer:StoragePath="$RUN_DIR/peer-$port/Storage" --Peer:AnnounceUrl=http://127.0.0.1:5000/announce \
    --Peer:WebSeedUrl=http://127.0.0.1:5000/files "$local_peer_hosts" || exit 1
  pids+=("$started_pid")
done
wait_ready http://127.0.0.1:5201 peer-5201 "${pids[4]}" || exit 1
wait_ready http://127.0.0.1:5202 peer-5202 "${pids[5]}" || exit 1

echo
echo "D&D BitTorrent is running (logs in $RUN_DIR/logs):"
echo "  peer 1 UI     $(peer_login 5201)"
echo "  peer 2 UI     $(peer_login 5202)"
echo "  (a peer's API key is in .run/peer-<port>/Storage/api-key: curl -H \"Authorization: Bearer \$(cat .run/peer-5201/Storage/api-key)\" http://127.0.0.1:5201/api/me)"
echo "  gateway       http://127.0.0.1:5000           (catalog, peers, ring)"
echo "  Swagger UI    http://127.0.0.1:5000/swagger"
echo "  tracker       http://127.0.0.1:5000/announce    (for real BitTorrent clients)"
echo "  any file      http://127.0.0.1:5000/files/<infoHash>   (over HTTP, no key; our torrents list it as their web seed)"
echo "  chord nodes   http://127.0.0.1:5101  http://127.0.0.1:5102  http://127.0.0.1:5103"
echo "  add a node    make node      add a peer    make peer      (in another terminal)"
echo "Press Ctrl-C to stop."
wait
