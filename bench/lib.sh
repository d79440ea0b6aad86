# Shared helpers for the benchmark scripts (sourced).

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until a server answers PING on port $1.
wait_ping() {
  for _ in $(seq 1 100); do
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
