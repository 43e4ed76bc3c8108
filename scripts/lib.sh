# Helpers for the local run scripts: start our services as processes on 127.0.0.1.
RUN_DIR=${RUN_DIR:-.run}
mkdir -p "$RUN_DIR/logs"

chord_dll=services/chord-node/bin/Release/net10.0/BitTorrent.ChordNode.dll
peer_dll=services/peer/bin/Release/net10.0/BitTorrent.Peer.dll
gateway_dll=services/gateway/bin/Release/net10.0/BitTorrent.Gateway.dll

# Local runs keep multicast on loopback with TTL 0: nothing leaves the machine.
export Discovery__Interface=${Discovery__Interface:-127.0.0.1}
export Discovery__Ttl=${Discovery__Ttl:-0}
export Logging__LogLevel__Default=${Logging__LogLevel__Default:-Warning}
export Logging__LogLevel__BitTorrent=${Logging__LogLevel__BitTorrent:-Information}

# One build at a time: `make node` and `make peer` started together would otherwise write the same files.
build_release() {
  local build=(dotnet build BitTorrent.sln -c Release --nologo -v q -clp:ErrorsOnly)
  if command -v flock >/dev/null 2>&1; then
    (flock 9 && "${build[@]}" >/dev/null) 9>"$RUN_DIR/build.lock"
  else
    "${build[@]}" >/dev/null
  fi || { echo "build failed: run 'make build' to see why" >&2; exit 1; }
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

next_free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# start_service NAME DLL PORT [ARGS...]: starts it as a job of this shell; its pid lands in $started_pid.
# Its output goes to a log of its own until wait_ready names it NAME.log, so that a script that lost a
# race for the port does not overwrite the winner's log.
declare -A starting_logs=()
start_service() {
  local name=$1 dll=$2 port=$3 log; shift 3
  if port_in_use "$port"; then
    echo "port $port is in use: is the system already running? (stop it, or free the port)" >&2
    return 1
  fi
  log=$(mktemp "$RUN_DIR/logs/$name.log.XXXXXX")
  # Chord nodes and the gateway answer many small requests: a 4 MiB gen0 budget keeps each collection short (the
  # announce tail at a fixed rate is their collection pauses; docs/benchmarks.md, announces). The GC reads it only from the environment; the images set it the same way.
  # Peers keep their native allocations (the JIT's working memory) in one glibc arena: about 2 MiB less peak RSS
  # during a download (docs/benchmarks.md, peer memory). The peer image sets it the same way.
  local tuning=()
  case $name in
    chord-*|gateway*) tuning=(env "DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x400000}") ;;
    peer-*) tuning=(env "MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}") ;;
  esac
  "${tuning[@]}" dotnet "$dll" --urls "http://127.0.0.1:$port" "$@" >"$log" 2>&1 &
  started_pid=$!
  starting_logs[$started_pid]=$log
}

# owns_port PID PORT: whether process PID holds the listening socket of PORT (so that an answer on the port is
# from it, not from another process that took the port first). Linux's /proc; elsewhere it is assumed.
owns_port() {
  local pid=$1 hex inode fd
  [ -r /proc/net/tcp ] || return 0
  hex=$(printf ':%04X' "$2")
  while read -r inode; do
    for fd in "/proc/$pid/fd/"*; do
      [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ] && return 0
    done
  done < <(awk -v p="$hex" '$2 ~ p"$" && $4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null)
  return 1
}

# The exit code of a service whose port another program took (ServiceRunner.PortInUseExitCode).
PORT_IN_USE_EXIT=98

# name_log STARTING LOG: gives a started service's log its name (the process keeps writing to it).
name_log() {
  if [ -n "$1" ] && [ -f "$1" ]; then mv -f "$1" "$2"; fi
}

# wait_ready URL NAME PID: 0 once URL/readyz answers from that process; 98 (quietly) when the service found
# its port taken; 1 when it exited otherwise (its log's end is shown) or never became ready.
wait_ready() {
  local url=$1 name=$2 pid=$3 code
  local starting=${starting_logs[$pid]:-} log="$RUN_DIR/logs/$name.log"
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      code=0; wait "$pid" 2>/dev/null || code=$?
      if [ "$code" -eq "$PORT_IN_USE_EXIT" ]; then [ -z "$starting" ] || rm -f "$starting"; return "$PORT_IN_USE_EXIT"; fi
      name_log "$starting" "$log"
      echo "$name exited; its log ($log) ends with:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    if curl -fs -m 2 "$url/readyz" >/dev/null 2>&1 && owns_port "$pid" "${url##*:}"; then
      name_log "$starting" "$log"
      return 0
    fi
    sleep 0.2
  done
  name_log "$starting" "$log"
  echo "$name did not become ready at $url (log: $log)" >&2
  return 1
}

# start_on_free_port KIND FIRST_PORT DLL [ARGS...]: starts KIND-<port> on the first free port from FIRST_PORT
# and waits until it is ready. Another script starting at the same moment may take that port between the
# check and the bind; the service then exits with PORT_IN_USE_EXIT and the next port is tried. "{port}" in
# ARGS is replaced by the port. Sets started_pid and started_port.
start_on_free_port() {
  local kind=$1 port=$2 dll=$3 code; shift 3
  port=$(next_free_port "$port")
  for _ in $(seq 1 20); do
    start_service "$kind-$port" "$dll" "$port" "${@//\{port\}/$port}" || { port=$(next_free_port $((port + 1))); continue; }
    code=0; wait_ready "http://127.0.0.1:$port" "$kind-$port" "$started_pid" || code=$?
    if [ "$code" -eq 0 ]; then started_port=$port; return 0; fi
    [ "$code" -eq "$PORT_IN_USE_EXIT" ] || return 1
    echo "port $port was taken by another program as $kind started; trying the next one" >&2
    port=$(next_free_port $((port + 1)))
  done
  echo "no free port for $kind after 20 tries" >&2
  return 1
}

# The ring secret of a local run: random per `make run`, kept in $RUN_DIR/ring-secret (mode 0600) so that
# `make node` joins the same ring. It reaches the nodes (Chord__Secret) and the gateway (Gateway__RingSecret)
# through their environment, never their command line (which every user can read in ps).
ring_secret_file="$RUN_DIR/ring-secret"

new_ring_secret() {
  local secret
  secret=$(head -c 32 /dev/urandom | base64 | tr -d '\n/+=')
  (umask 077 && printf '%s\n' "$secret" >"$ring_secret_file.tmp" && mv -f "$ring_secret_file.tmp" "$ring_secret_file")
  chmod 600 "$ring_secret_file"
  RING_SECRET=$secret
}

read_ring_secret() {
  if [ ! -r "$ring_secret_file" ]; then
    echo "no ring secret in $ring_secret_file: start the system with 'make run' first" >&2
    return 1
  fi
  RING_SECRET=$(head -n 1 "$ring_secret_file")
}

# The nodes believe X-Forwarded-For and ip= only from the gateway; locally it connects from 127.0.0.1
# (so does every local process: on one machine the loopback is trusted as a whole).
local_trusted_proxy=127.0.0.1

# peer_id PORT: the numeric id a running peer got from the tracker (/readyz carries it and needs no key)
peer_id() {
  curl -fs -m 2 "http://127.0.0.1:$1/readyz" | sed -E 's/.*"peerId":([0-9]+).*/\1/'
}

# A local peer answers requests for these hosts only (ASP.NET Core host filtering); the gateway reaches it at
# 127.0.0.1, which is the host of the api url it registers.
local_peer_hosts="--AllowedHosts=127.0.0.1;localhost"

# peer_login PORT: the login links of a running local peer, direct and through the gateway: opening one sets
# the peer's session cookie and drops the key from the address bar. The key is in its Storage/api-key.
peer_login() {
  local port=$1 key id
  key=$(head -n 1 "$RUN_DIR/peer-$port/Storage/api-key")
  id=$(peer_id "$port")
  printf 'http://127.0.0.1:%s/?key=%s   (or http://127.0.0.1:5000/peers/%s/?key=%s)' "$port" "$key" "$id" "$key"
}
