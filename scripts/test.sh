#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed" (totals of every suite).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
  suites=(tests/BitTorrent.UnitTests tests/BitTorrent.SimulationTests tests/BitTorrent.IntegrationTests)
fi

passed=0; failed=0
mkdir -p artifacts/test-logs
if ! dotnet build BitTorrent.sln -c Release --nologo -v q; then
  echo "0 passed, 1 failed"
  exit 1
fi
for suite in "${suites[@]}"; do
  name=$(basename "$suite")
  log="artifacts/test-logs/$name.log"
  echo "== $name"
  dotnet test "$suite" -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 | tee "$log" | grep -E '^\s*(Failed|Passed|Skipped) |Error Message|^\s+at |Total tests|Passed!|Failed!' | grep -vE '^\s*Passed ' || true
  line=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "   $name produced no summary (crashed or hung); counted as one failure"
    failed=$((failed + 1)); continue
  fi
  f=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$line")
  p=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$line")
  s=$(sed -E 's/.*Skipped: +([0-9]+).*/\1/' <<<"$line")
  if [ "${s:-0}" != "0" ]; then echo "   $name skipped $s tests; a skipped test counts as a failure"; f=$((f + s)); fi
  passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
