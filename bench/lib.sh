# Shared helpers for the benchmark scripts (sourced).

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until a server answers PING on port $1, for at most $2 seconds (default 10).
wait_ping() {
  for _ in $(seq 1 $((${2:-10} * 10))); do
    if [ "$(redis-cli -p "$1" ping 2>/dev/null)" = "PONG" ]; then return 0; fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# Resident memory of a process in KiB.
rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$1/status"
}

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Starts Debian's redis-server; sets REDIS_PORT and REDIS_PID.
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no "$@" >/dev/null 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  wait_ping "$REDIS_PORT"
}

# Starts our codis-server from ./bin; sets CODIS_PORT and CODIS_PID.
start_codis() {
  CODIS_PORT=$(free_port)
  "$ROOT/bin/codis-server" --port "$CODIS_PORT" --bind 127.0.0.1 --save '' --appendonly no "$@" >/dev/null 2>&1 &
  CODIS_PID=$!
  PIDS+=("$CODIS_PID")
  wait_ping "$CODIS_PORT"
}

# Starts our codis-proxy from ./bin in front of one backend $1 (host:port): a config file with
# proxy_addr/admin_addr on free 127.0.0.1 ports and a --fillslots file giving all 1024 slots to that
# backend, both written in directory $2. Sets PROXY_PORT and PROXY_PID.
start_codis_proxy() {
  local backend=$1 dir=$2 admin
  PROXY_PORT=$(free_port)
  admin=$(free_port)
  printf 'admin_addr = "127.0.0.1:%s"\nproxy_addr = "127.0.0.1:%s"\n' "$admin" "$PROXY_PORT" > "$dir/proxy.toml"
  python3 -c '
import json, sys
json.dump([{"id": i, "backend_addr": sys.argv[1], "backend_addr_group_id": 1} for i in range(1024)], sys.stdout)
' "$backend" > "$dir/slots.json"
  "$ROOT/bin/codis-proxy" --config "$dir/proxy.toml" --fillslots "$dir/slots.json" --log-level WARN \
    > "$dir/proxy.log" 2>&1 &
  PROXY_PID=$!
  PIDS+=("$PROXY_PID")
  # .NET start-up on a loaded machine, then the proxy goes online once the slots are filled.
  wait_ping "$PROXY_PORT" 30 || { cat "$dir/proxy.log" >&2; return 1; }
}

# Installs twemproxy (Debian package nutcracker) when it is missing; apt-get needs root.
ensure_nutcracker() {
  [ -d /usr/sbin ] && PATH=$PATH:/usr/sbin
  command -v nutcracker >/dev/null && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "twemproxy is missing and installing it needs root: run 'sudo apt-get install nutcracker' first" >&2
    return 1
  fi
  echo "twemproxy is missing: apt-get install nutcracker ..." >&2
  { DEBIAN_FRONTEND=noninteractive apt-get install -y -q nutcracker >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nutcracker >/dev/null; }; } \
    || { echo "apt-get install nutcracker failed" >&2; return 1; }
  command -v nutcracker >/dev/null
}

# Starts twemproxy in front of one redis backend $1 (host:port), config and log in directory $2, with one
# server connection like codis-proxy's default backend_primary_parallel = 1. Sets TWEM_PORT and TWEM_PID.
start_twemproxy() {
  local backend=$1 dir=$2
  TWEM_PORT=$(free_port)
  printf '%s\n' "bench:" "  listen: 127.0.0.1:$TWEM_PORT" "  redis: true" "  hash: fnv1a_64" \
    "  distribution: ketama" "  auto_eject_hosts: false" "  server_connections: 1" "  servers:" \
    "   - $backend:1" > "$dir/nutcracker.yml"
  nutcracker -c "$dir/nutcracker.yml" -a 127.0.0.1 -s "$(free_port)" -p "$dir/nutcracker.pid" \
    -o "$dir/nutcracker.log" &
  TWEM_PID=$!
  PIDS+=("$TWEM_PID")
  wait_ping "$TWEM_PORT" || { cat "$dir/nutcracker.log" >&2; return 1; }
}
