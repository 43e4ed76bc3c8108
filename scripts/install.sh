#!/usr/bin/env bash
# make install (the first half of make test): installs what the test suites use, when it is missing.
#   Debian packages (as root): curl, mktorrent, transmission-cli (transmission-show), aria2 and
#   python3-libtorrent (the real BitTorrent clients the tests compare against), chromium (the browser
#   tests drive Debian's Chromium; Playwright never downloads one), ffmpeg (makes the video a browser test
#   plays while it downloads), nodejs and npm (the chart tools),
#   docker.io (the Docker engine of the container suite; scripts/test.sh starts it when none runs);
#   the chart tools: the pinned npm packages and helm (tests/chart/tools.sh).
# Not root: says which packages to install and fails. Installs nothing that is already there.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
source scripts/prereqs.sh

status=0
ensure_packages curl:curl mktorrent:mktorrent transmission-show:transmission-cli aria2c:aria2 \
  chromium:chromium ffmpeg:ffmpeg node:nodejs npm:npm dockerd:docker.io || status=1
# libtorrent is a Python module, not a command.
if ! /usr/bin/python3 -c "import libtorrent" 2>/dev/null; then
  ensure_module_package python3-libtorrent || status=1
fi
if [ "$status" -eq 0 ]; then
  bash tests/chart/tools.sh >/dev/null || { echo "could not install the chart tools (tests/chart/tools.sh)" >&2; status=1; }
fi
[ "$status" -eq 0 ] && echo "test prerequisites installed"
exit "$status"
