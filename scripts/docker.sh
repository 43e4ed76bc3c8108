#!/usr/bin/env bash
# The Docker engine the container images and tests use.
#   scripts/docker.sh start   - make sure an engine answers: use the one running, else start dockerd in the
#                               background (installing Debian's docker.io first when root and it is missing).
#                               Only an engine started here is recorded (artifacts/docker/dockerd.pid).
#   scripts/docker.sh stop    - stop the engine this script started (by its recorded pid); never any other.
#   scripts/docker.sh status  - say which client and engine are in use.
#   scripts/docker.sh clean-tests - remove containers, networks and volumes left by container test runs that died
#                               (label io.bittorrent.test.pid = a process that no longer exists); never
#                               those of a run still going, e.g. a colleague's on the same engine.
# Sourced, it defines docker_answers, ensure_docker, stop_docker_if_started, clean_stale_test_resources
# and docker_api_version.
DOCKER_STATE_DIR=${DOCKER_STATE_DIR:-artifacts/docker}
DOCKERD_PID_FILE="$DOCKER_STATE_DIR/dockerd.pid"

# A client that can talk to the engine: PATH's docker, or Debian's /usr/bin/docker. Clients newer than the
# engine negotiate the API version down by themselves.
if ! command -v docker >/dev/null 2>&1 && [ -x /usr/bin/docker ]; then PATH="/usr/bin:$PATH"; fi
# Debian's engine (20.10) has no buildx next to a newer client: use the classic builder, quietly.
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}
# The CLI negotiates the API version itself; a DOCKER_API_VERSION meant for Testcontainers (or newer than the
# engine) would only make it fail.
unset DOCKER_API_VERSION

docker_answers() { docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

# The engine's API version (e.g. 1.41).
docker_api_version() { docker version --format '{{.Server.APIVersion}}' 2>/dev/null; }

ensure_docker() {
  docker_answers && return 0
  if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing Debian's docker.io (the Docker engine)"
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null || {
        echo "could not install docker.io" >&2; return 1; }
    else
      echo "no Docker engine answers and dockerd is not installed: sudo apt-get install docker.io" >&2
      echo "(then start it: sudo systemctl start docker, or sudo dockerd &)" >&2
      return 1
    fi
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "no Docker engine answers; start one as root (sudo systemctl start docker, or sudo dockerd &)" >&2
    echo "and make its socket usable by you (the docker group)" >&2
    return 1
  fi
  local dockerd_bin running
  running=$(cat /var/run/docker.pid 2>/dev/null || true)
  if [ -n "$running" ] && [ "$(cat "/proc/$running/comm" 2>/dev/null)" = dockerd ]; then
    echo "a dockerd runs (pid $running) but does not answer on ${DOCKER_HOST:-unix:///var/run/docker.sock}; see its log" >&2
    return 1
  fi
  dockerd_bin=$(command -v dockerd)
  mkdir -p "$DOCKER_STATE_DIR"
  echo "starting $dockerd_bin in the background (log: $DOCKER_STATE_DIR/dockerd.log)"
  # setsid: its own session, so Ctrl-C in the caller's terminal does not hit it; we stop it by pid.
  setsid "$dockerd_bin" >"$DOCKER_STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  echo $! >"$DOCKERD_PID_FILE"
  local i
  for i in $(seq 1 120); do
    docker_answers && { echo "Docker engine (API $(docker_api_version)) up, pid $(cat "$DOCKERD_PID_FILE"); scripts/docker.sh stop stops it"; return 0; }
    if ! kill -0 "$(cat "$DOCKERD_PID_FILE")" 2>/dev/null; then
      echo "dockerd exited; its log ends with:" >&2
      tail -n 20 "$DOCKER_STATE_DIR/dockerd.log" >&2
      rm -f "$DOCKERD_PID_FILE"
      return 1
    fi
    sleep 0.25
  done
  echo "dockerd did not answer within 30 s (log: $DOCKER_STATE_DIR/dockerd.log)" >&2
  return 1
}

# Stops the dockerd recorded in the pid file (one this script started), and nothing else.
stop_docker_if_started() {
  [ -f "$DOCKERD_PID_FILE" ] || return 0
  local pid
  pid=$(cat "$DOCKERD_PID_FILE")
  rm -f "$DOCKERD_PID_FILE"
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 0
  echo "stopping the Docker engine started for this run (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  local i
  for i in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  echo "dockerd (pid $pid) did not stop within 30 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

clean_stale_test_resources() {
  local kind id pid all key
  for kind in container network volume; do
    all=(); [ "$kind" = container ] && all=(-a)
    key='{{.ID}}'; [ "$kind" = volume ] && key='{{.Name}}'  # volumes have names, no ids
    docker "$kind" ls "${all[@]}" --filter label=io.bittorrent.test.pid \
        --format "$key {{.Label \"io.bittorrent.test.pid\"}}" 2>/dev/null |
      while read -r id pid; do
        [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null || continue
        echo "removing $kind $id left by test run $pid"
        case "$kind" in
          container) docker rm -f -v "$id" >/dev/null ;;
          *) docker "$kind" rm "$id" >/dev/null ;;
        esac
      done
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  cd "$(dirname "$0")/.."
  case "${1:-status}" in
    start) ensure_docker ;;
    stop) stop_docker_if_started ;;
    clean-tests) clean_stale_test_resources ;;
    status)
      echo "client: $(command -v docker) $(docker version --format '{{.Client.Version}} (API {{.Client.APIVersion}})' 2>/dev/null)"
      if docker_answers; then
        echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
        if [ -f "$DOCKERD_PID_FILE" ]; then echo "started by scripts/docker.sh (pid $(cat "$DOCKERD_PID_FILE"))"; fi
      else
        echo "engine: none answers"; exit 1
      fi ;;
    *) echo "usage: scripts/docker.sh start|stop|status|clean-tests" >&2; exit 2 ;;
  esac
fi
