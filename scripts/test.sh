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
#
# Run together, the integration scenarios come in two runs (two at a time, then those that run alone), and the
# browser and chart suites run beside the second at the lowest CPU priority, in the cores it leaves idle; their
# results are printed after the integration suite's.
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
rm -f "$logs"/*.counts "$logs"/*.exit
passed=0; failed=0

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

# One suite: prints what a reader needs (failures, the suite's totals) and leaves its totals, "PASSED FAILED",
# in $logs/$1.counts, so that a suite run in the background is counted like the others.
run_suite() {
  local suite=$1
  case "$suite" in
    format)
      # Whitespace, style and analyzer rules of .editorconfig; one test.
      if dotnet format BitTorrent.sln --verify-no-changes -v q >"$logs/format.log" 2>&1; then
        counts format 1 0
      else
        sed "s#$PWD/##g" "$logs/format.log" | head -20 | sed 's/^/   /'
        echo "   run 'dotnet format BitTorrent.sln' to fix (log: $logs/format.log)"
        counts format 0 1
      fi
      ;;
    chart)
      # Lint, render with several value sets, validate against the Kubernetes schemas, chart facts. Its runner
      # ends with the line "N passed, N failed".
      bash tests/chart/run.sh >"$logs/chart.log" 2>&1
      grep -E '^FAIL ' "$logs/chart.log" | sed 's/^/   /'
      line=$(tail -n 1 "$logs/chart.log")
      if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        counts chart "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
      else
        echo "   the chart runner gave no summary (log: $logs/chart.log)"
        counts chart 0 1
      fi
      ;;
    integration)
      # Scenarios run two at a time, then those bound to wall-clock time one at a time (tests/
      # BitTorrent.IntegrationTests/Infrastructure/Alone.cs): two runs of the runner, so that the browser and
      # chart suites, at the lowest CPU priority, can use the cores the second run leaves idle.
      dotnet_run integration integration --filter "$ALONE_TRAIT!=$ALONE_VALUE"
      if [ -n "$beside_alone" ]; then
        (
          renice -n 19 -p "$BASHPID" >/dev/null
          for other in $beside_alone; do run_suite "$other" >"$logs/$other.out" 2>&1; done
        ) &
        beside_pid=$!
      fi
      dotnet_run integration integration-alone --filter "$ALONE_TRAIT=$ALONE_VALUE"
      dotnet_counts integration integration integration-alone
      ;;
    *)
      if [ "$suite" = containers ]; then
        # The engine and the images (built once, then only when a service changed), and the chart tools for
        # the smoke test that runs the images as the rendered chart says: a failure here is one failure.
        if ! { ensure_docker && scripts/images.sh && bash tests/chart/tools.sh; } >"$logs/images.log" 2>&1; then
          echo "   no Docker engine, images or chart tools; $logs/images.log ends with:"
          tail -n 8 "$logs/images.log" | sed 's/^/     /'
          counts containers 0 1
          return
        fi
      fi
      dotnet_run "$suite" "$suite"
      dotnet_counts "$suite" "$suite"
      ;;
  esac
}

counts() { echo "$2 $3" >"$logs/$1.counts"; echo "   $1: $2 passed, $3 failed"; }

# dotnet test of a suite's project into $results/<run>.trx, with more arguments for the runner (a filter).
dotnet_run() {
  local suite=$1 run=$2
  shift 2
  rm -f "$results/$run.trx"
  dotnet test "$(project "$suite")" -c Release --no-build --nologo --results-directory "$results" \
    --logger "trx;LogFileName=$run.trx" --logger "console;verbosity=normal" "$@" >"$logs/$run.log" 2>&1
  echo $? >"$logs/$run.exit"
}

# A suite's totals from the TRX files of its runs, and a line for each test that did not pass.
dotnet_counts() {
  local suite=$1 run files=() crashed=0 runner=0
  shift
  for run in "$@"; do
    if [ -s "$results/$run.trx" ]; then files+=("$results/$run.trx"); else crashed=1; fi
    [ "$(cat "$logs/$run.exit" 2>/dev/null || echo 1)" -eq 0 ] || runner=1
  done
  if [ "$crashed" -ne 0 ]; then
    echo "   no test results from a run of $suite (the test host crashed or hung; logs: $logs/$suite*.log)"
    counts "$suite" 0 1
    return
  fi
  local summary reader p f s
  summary=$(python3 scripts/trx-summary.py "${files[@]}" 2>"$logs/$suite.not-passed")
  reader=$?
  cat "$logs/$suite.not-passed"
  if [ "$reader" -ne 0 ]; then
    counts "$suite" 0 1
    return
  fi
  read -r p f s <<<"$summary"
  if [ "$s" -gt 0 ]; then echo "   $s skipped; a skipped test counts as failed"; fi
  # A runner that failed while every reported test passed (e.g. the host died after the last result) fails once.
  if [ "$runner" -ne 0 ] && [ "$((f + s))" -eq 0 ]; then
    echo "   dotnet test exited with an error although every reported test passed (logs: $logs/$suite*.log)"
    f=1
  fi
  counts "$suite" "$p" "$((f + s))"
}

# The trait that marks the integration scenarios that run alone (Infrastructure/Alone.cs).
ALONE_TRAIT=Schedule ALONE_VALUE=Alone
# The browser and chart suites run beside the integration scenarios that run alone, when all are asked for.
beside_alone="" beside_pid=""
if [[ " ${suites[*]} " == *" integration "* ]]; then
  for other in browser chart; do [[ " ${suites[*]} " == *" $other "* ]] && beside_alone+=" $other"; done
fi

for suite in "${suites[@]}"; do
  case " $beside_alone " in *" $suite "*) continue ;; esac
  echo "== $suite"
  run_suite "$suite"
  read -r p f <"$logs/$suite.counts"
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$suite" = integration ] && [ -n "$beside_pid" ]; then
    wait "$beside_pid"
    for other in $beside_alone; do
      echo "== $other (beside the integration scenarios that run alone)"
      cat "$logs/$other.out"
      if read -r p f <"$logs/$other.counts" 2>/dev/null; then
        passed=$((passed + p)); failed=$((failed + f))
      else
        echo "   $other did not finish (log: $logs/$other.out)"; failed=$((failed + 1))
      fi
    done
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
