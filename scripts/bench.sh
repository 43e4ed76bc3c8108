#!/usr/bin/env bash
# make bench: measurements against real programs in the same run, written to docs/benchmarks.md
# (with the machine and the command). Parts: ring, transfer, swarm, announce, repair, restart, seed-scale, catalog,
# copies, fast (default: all); transfer-ours [runs] and transfer-harness [MiB] compare builds without writing the report,
# and so do announce-cpu [rate] [seconds] [runs] (CPU per announce of the 8-node ring and the gateway, idle and at a
# fixed rate; default 1500/s, 15 s, 3 runs) and announce-load URL [rate] [seconds] [runs] (paced announces at a running tracker).
# Settings for the processes a part starts: BENCH_NODE_<key>=value (chord nodes), BENCH_GATEWAY_<key>, BENCH_PEER_<key>
# (swarm part), e.g. BENCH_NODE_DOTNET_GCgen0size=0x2000000; BENCH_ANNOUNCE_RATE sets the fixed rate (3000).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/prereqs.sh
ensure_packages curl:curl wrk:wrk iperf3:iperf3 aria2c:aria2 mktorrent:mktorrent node:nodejs
if ! /usr/bin/python3 -c "import libtorrent" 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-libtorrent >/dev/null; else echo "install python3-libtorrent for the libtorrent pair" >&2; fi
fi
if [ ! -d bench/node/node_modules/bittorrent-tracker ]; then
  # webtorrent's tracker, the reference for announces; its WebRTC client part is never loaded, so skip native builds.
  (cd bench/node && npm install --no-audit --no-fund --ignore-scripts --silent)
fi
dotnet build BitTorrent.sln -c Release --nologo -v q -clp:ErrorsOnly
dotnet bench/BitTorrent.Bench/bin/Release/net10.0/BitTorrent.Bench.dll "${@:-all}"
