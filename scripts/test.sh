#!/usr/bin/env bash
# make test (after scripts/install.sh): builds, runs the suites and ends with one line "N passed, N failed",
# the totals of every suite. A skipped test counts as failed.
#
#   scripts/test.sh                    every suite: format, unit, simulation, integration, browser, containers, chart
#   scripts/test.sh unit simulation    only these (names as above, or test project folders such as
#                                      tests/BitTorrent.UnitTests)
#
# The .NET suites' totals are read from the TRX file each run writes (artifacts/test-results/<suite>.trx,
# by scripts/trx-summary.py), the chart suite's from its runner's summary line, and the format check
# (dotnet format --verify-no-changes) is one test. Logs: artifacts/test-logs/.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/env.sh
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

all=(format unit simulation integration browser containers chart)
[ $# -gt 0 ] || set -- "${all[@]}"
suites=()
for arg in "$@"; do
  case "${arg%/}" in
    format) suites+=(format) ;;
    unit | tests/BitTorrent.UnitTests) suites+=(unit) ;;
    simulation | tests/BitTorrent.SimulationTests) suites+=(simulation) ;;
    integration | tests/BitTorrent.IntegrationTests) suites+=(integration) ;;
    browser | tests/BitTorrent.BrowserTests) suites+=(browser) ;;
    containers | tests/BitTorrent.ContainerTests) suites+=(containers) ;;
    chart | tests/chart) suites+=(chart) ;;
    *) echo "unknown suite '$arg'; suites: ${all[*]}" >&2; echo "0 passed, 1 failed"; exit 2 ;;
  esac
done

project() {
  case "$1" in
    unit) echo tests/BitTorrent.UnitTests ;;
    simulation) echo tests/BitTorrent.SimulationTests ;;
    integration) echo tests/BitTorrent.IntegrationTests ;;
    browser) echo tests/BitTorrent.BrowserTests ;;
    containers) echo tests/BitTorrent.ContainerTests ;;
  esac
}

logs=artifacts/test-logs results=artifacts/test-results
mkdir -p "$logs" "$results"
passed=0; failed=0
add() { passed=$((passed + $1)); failed=$((failed + $2)); echo "   $3: $1 passed, $2 failed"; }

# The container suite needs a Docker engine: use the running one, else start dockerd for this run and
# stop it again at the end (only the one started here, by its pid).
if [[ " ${suites[*]} " == *" containers "* ]]; then
  source scripts/docker.sh
  if ! docker_answers; then
    rm -f "$DOCKERD_PID_FILE" # a stale record must not make us stop someone else's engine
    trap stop_docker_if_started EXIT
    trap 'exit 130' INT TERM # so that the EXIT trap runs on Ctrl-C too
  fi
fi

if [[ " ${suites[*]} " != " chart " ]] && ! dotnet build BitTorrent.sln -c Release --nologo -v q >"$logs/build.log" 2>&1; then
  grep -E ' error ' "$logs/build.log" | sort -u | head -20
  echo "the build failed (artifacts/test-logs/build.log)"
  echo "0 passed, 1 failed"
  exit 1
fi

for suite in "${suites[@]}"; do
  echo "== $suite"
  case "$suite" in
    format)
      # Whitespace, style and analyzer rules of .editorconfig; one test.
      if dotnet format BitTorrent.sln --verify-no-changes -v q >"$logs/format.log" 2>&1; then
        add 1 0 format
      else
        sed "s#$PWD/##g" "$logs/format.log" | head -20 | sed 's/^/   /'
        echo "   run 'dotnet format BitTorrent.sln' to fix (log: $logs/format.log)"
        add 0 1 format
      fi
      ;;
    chart)
      # Lint, render with several value sets, validate against the Kubernetes schemas, chart facts. Its runner
      # ends with the line "N passed, N failed".
      bash tests/chart/run.sh >"$logs/chart.log" 2>&1
      grep -E '^FAIL ' "$logs/chart.log" | sed 's/^/   /'
      line=$(tail -n 1 "$logs/chart.log")
      if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        add "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" chart
      else
        echo "   the chart runner gave no summary (log: $logs/chart.log)"
        add 0 1 chart
      fi
      ;;
    *)
      if [ "$suite" = containers ]; then
        # The engine and the images (built once, then only when a service changed), and the chart tools for
        # the smoke test that runs the images as the rendered chart says: a failure here is one failure.
        if ! { ensure_docker && scripts/images.sh && bash tests/chart/tools.sh; } >"$logs/images.log" 2>&1; then
          echo "   no Docker engine, images or chart tools; $logs/images.log ends with:"
          tail -n 8 "$logs/images.log" | sed 's/^/     /'
          add 0 1 containers
          continue
        fi
      fi
      trx="$results/$suite.trx"
      rm -f "$trx"
      dotnet test "$(project "$suite")" -c Release --no-build --nologo --results-directory "$results" \
        --logger "trx;LogFileName=$suite.trx" --logger "console;verbosity=normal" >"$logs/$suite.log" 2>&1
      runner=$?
      if [ ! -s "$trx" ]; then
        echo "   no test results (the test host crashed or hung; log: $logs/$suite.log)"
        add 0 1 "$suite"
        continue
      fi
      # The totals, and a line for each test that did not pass.
      counts=$(python3 scripts/trx-summary.py "$trx" 2>"$logs/$suite.not-passed")
      reader=$?
      cat "$logs/$suite.not-passed"
      if [ "$reader" -ne 0 ]; then
        add 0 1 "$suite"
        continue
      fi
      read -r p f s <<<"$counts"
      if [ "$s" -gt 0 ]; then echo "   $s skipped; a skipped test counts as failed"; fi
      # A runner that failed while every reported test passed (e.g. the host died after the last result) fails once.
      if [ "$runner" -ne 0 ] && [ "$((f + s))" -eq 0 ]; then
        echo "   dotnet test exited with $runner although every reported test passed (log: $logs/$suite.log)"
        f=1
      fi
      add "$p" "$((f + s))" "$suite"
      ;;
  esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
