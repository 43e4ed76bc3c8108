#!/usr/bin/env bash
# make bench: measurements written to docs/benchmarks.md (the machine and the command with each).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
dotnet build bench/BitTorrent.Bench -c Release --nologo -v q -clp:ErrorsOnly
dotnet bench/BitTorrent.Bench/bin/Release/net10.0/BitTorrent.Bench.dll "${@:-all}"
