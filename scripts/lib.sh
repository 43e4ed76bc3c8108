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

build_release() {
  dotnet build BitTorrent.sln -c Release --nologo -v q -clp:ErrorsOnly >/dev/null || { echo "build failed: run 'make build' to see why" >&2; exit 1; }
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

next_free_port() {
  local port=$1
  while port_in_use "$port"; do port=$((port + 1)); done
  echo "$port"
}

# start_service NAME DLL PORT [ARGS...]: starts it as a job of this shell; its pid lands in $started_pid
start_service() {
  local name=$1 dll=$2 port=$3; shift 3
  if port_in_use "$port"; then
    echo "port $port is in use: is the system already running? (stop it, or free the port)" >&2
    return 1
  fi
  dotnet "$dll" --urls "http://127.0.0.1:$port" "$@" >"$RUN_DIR/logs/$name.log" 2>&1 &
  started_pid=$!
}

wait_ready() {
  local url=$1 name=$2 pid=$3
  for _ in $(seq 1 150); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$name exited; its log ($RUN_DIR/logs/$name.log) ends with:" >&2
      tail -n 20 "$RUN_DIR/logs/$name.log" >&2
      return 1
    fi
    if curl -fs -m 2 "$url/readyz" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$name did not become ready at $url (log: $RUN_DIR/logs/$name.log)" >&2
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

# peer_id PORT: the numeric id a running peer got from the tracker
peer_id() {
  curl -fs -m 2 "http://127.0.0.1:$1/api/me" | sed -E 's/.*"peerId":([0-9]+).*/\1/'
}
