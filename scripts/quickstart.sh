#!/usr/bin/env bash
# A complete local Codis cluster in one command (README "Quickstart"; `make quickstart` builds and runs it):
# codis-dashboard on the filesystem coordinator, codis-proxy, two groups of a master and a replica
# codis-server (the replicas synced by the dashboard's sync action), codis-fe, and the 1024 slots assigned.
# It prints the addresses and runs until Ctrl-C (SIGINT) or SIGTERM, then stops every process it started, by
# PID, and waits for each to exit.
#
#   scripts/quickstart.sh [--base-port=PORT] [--dir=DIR] [--fresh] [--bin=DIR]
#
# Every port derives from the base port (the proxy's; default 19000, so the other ports are Codis's usual
# ones): the same shift moves them all, so two clusters run side by side with different base ports.
# State (coordinator, data, logs) lives in DIR (default ./.quickstart); a second run reuses it, --fresh wipes it.
# Environment: CODIS_QUICKSTART_BASE_PORT, CODIS_QUICKSTART_DIR, CODIS_BIN (the same as the flags).
set -uo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
base="${CODIS_QUICKSTART_BASE_PORT:-19000}"
state="${CODIS_QUICKSTART_DIR:-$root/.quickstart}"
bin="${CODIS_BIN:-$root/bin}"
fresh=0
product="codis-demo"

usage() {
  sed -n '8p' "$0" | sed 's/^# *//' >&2
  exit 2
}

for arg in "$@"; do
  case "$arg" in
    --base-port=*) base="${arg#*=}" ;;
    --dir=*) state="${arg#*=}" ;;
    --bin=*) bin="${arg#*=}" ;;
    --fresh) fresh=1 ;;
    -h|--help) usage ;;
    *) echo "quickstart: unknown argument '$arg'" >&2; usage ;;
  esac
done

fail() {
  echo "quickstart: $*" >&2
  exit 1
}

[[ "$base" =~ ^[0-9]+$ ]] || fail "the base port must be a number, not '$base'"
shift_by=$((base - 19000))
# The lowest port is a codis-server's (6380 + shift), the highest the proxy's (the base itself).
if (( 6380 + shift_by < 1024 || base > 65535 )); then
  fail "base port $base puts a port outside 1024..65535: choose a base port between $((19000 - 6380 + 1024)) and 65535"
fi
for b in codis-server codis-proxy codis-dashboard codis-fe codis-admin; do
  [ -x "$bin/$b" ] || fail "$bin/$b is missing: run 'make build' first (or 'make quickstart', which builds)"
done

proxy_port=$base
proxy_admin_port=$((11080 + shift_by))
dashboard_port=$((18080 + shift_by))
fe_port=$((9090 + shift_by))
server_ports=($((6380 + shift_by)) $((6381 + shift_by)) $((6382 + shift_by)) $((6383 + shift_by)))

# The state folder: one quickstart at a time uses it.
mkdir -p "$state" || fail "cannot create the state folder $state"
state="$(cd "$state" && pwd)"
if [ -f "$state/quickstart.pid" ]; then
  other="$(cat "$state/quickstart.pid" 2>/dev/null)"
  if [ -n "$other" ] && [ "$other" != "$$" ] && kill -0 "$other" 2>/dev/null; then
    fail "another quickstart (pid $other) is running on $state: stop it (Ctrl-C there), or use another --dir"
  fi
fi

# A busy port is refused before anything starts, naming the port and its role.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
check_port() {
  if port_busy "$1"; then
    fail "port $1 ($2) is already in use on 127.0.0.1. Stop what listens there (ss -ltnp 'sport = :$1' shows it), or shift every port: scripts/quickstart.sh --base-port=$((base + 100)) (make quickstart BASE_PORT=$((base + 100)), or CODIS_QUICKSTART_BASE_PORT=$((base + 100)))"
  fi
}
check_port "$proxy_port" "codis-proxy"
check_port "$proxy_admin_port" "codis-proxy admin"
check_port "$dashboard_port" "codis-dashboard"
check_port "$fe_port" "codis-fe"
for p in "${server_ports[@]}"; do check_port "$p" "codis-server"; done

if [ "$fresh" -eq 1 ]; then
  # Only what this script creates, so a mistyped --dir never wipes unrelated files.
  rm -rf "$state/coordinator" "$state/servers" "$state/logs" "$state/pids" "$state/conf" "$state/initialized"
fi
mkdir -p "$state/coordinator" "$state/servers" "$state/logs" "$state/pids" "$state/conf"

# The children, in start order: pid and name. Stopped in reverse order.
pids=()
names=()
stopping=0

stop_all() {
  stopping=1
  trap '' INT TERM
  echo
  echo "stopping the cluster..."
  local i pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null
  done
  # Each child gets 20 s to shut down cleanly (the servers write their data), then SIGKILL.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[$i]}
    for _ in $(seq 200); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "${names[$i]} (pid $pid) did not stop within 20 s: killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null
  done
  rm -f "$state/quickstart.pid"
  echo "stopped (state kept in $state; --fresh starts over)"
}

on_signal() {
  stop_all
  exit 0
}

echo $$ > "$state/quickstart.pid"
# From here on, any exit (a signal, a failed step) stops what was started.
trap on_signal INT TERM
trap '[ "$stopping" -eq 1 ] || stop_all' EXIT

# start NAME PORT LOG COMMAND...: starts a child in the background and waits until PORT accepts connections.
start() {
  local name="$1" port="$2" log="$3"
  shift 3
  "$@" >>"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  names+=("$name")
  echo "$pid" > "$state/pids/$name-$port.pid"
  for _ in $(seq 600); do
    port_busy "$port" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "quickstart: $name exited at start-up; the end of $log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  fail "$name did not listen on port $port within 60 s (see $log)"
}

admin() {
  local out
  if ! out="$("$bin/codis-admin" --dashboard="127.0.0.1:$dashboard_port" "$@" 2>&1)"; then
    echo "quickstart: codis-admin $* failed:" >&2
    echo "$out" >&2
    echo "(a run that stopped half-way leaves a partial cluster: --fresh starts over)" >&2
    exit 1
  fi
}

echo "starting a Codis cluster (product $product, state in $state)"
for p in "${server_ports[@]}"; do
  mkdir -p "$state/servers/$p"
  start codis-server "$p" "$state/logs/server-$p.log" \
    "$bin/codis-server" --bind 127.0.0.1 --port "$p" --dir "$state/servers/$p" --appendonly yes
done

cat > "$state/conf/dashboard.toml" <<EOF
coordinator_name = "filesystem"
coordinator_addr = "$state/coordinator"
product_name = "$product"
product_auth = ""
admin_addr = "127.0.0.1:$dashboard_port"
EOF
start codis-dashboard "$dashboard_port" "$state/logs/dashboard.log" \
  "$bin/codis-dashboard" --config="$state/conf/dashboard.toml" --log-level=WARN

cat > "$state/conf/proxy.toml" <<EOF
product_name = "$product"
product_auth = ""
admin_addr = "127.0.0.1:$proxy_admin_port"
proxy_addr = "127.0.0.1:$proxy_port"
EOF
start codis-proxy "$proxy_admin_port" "$state/logs/proxy.log" \
  "$bin/codis-proxy" --config="$state/conf/proxy.toml" --log-level=WARN

start codis-fe "$fe_port" "$state/logs/fe.log" \
  "$bin/codis-fe" --filesystem="$state/coordinator" --listen="127.0.0.1:$fe_port" --log-level=WARN

m1="127.0.0.1:${server_ports[0]}" r1="127.0.0.1:${server_ports[1]}"
m2="127.0.0.1:${server_ports[2]}" r2="127.0.0.1:${server_ports[3]}"
if [ ! -f "$state/initialized" ]; then
  admin --create-group --gid=1
  admin --group-add --gid=1 --addr="$m1"
  admin --group-add --gid=1 --addr="$r1"
  admin --create-group --gid=2
  admin --group-add --gid=2 --addr="$m2"
  admin --group-add --gid=2 --addr="$r2"
  admin --slots-assign --beg=0 --end=511 --gid=1 --confirm
  admin --slots-assign --beg=512 --end=1023 --gid=2 --confirm
  echo "created groups 1 and 2, slots 0-511 in group 1 and 512-1023 in group 2"
else
  echo "reusing the cluster in $state (--fresh starts over)"
fi
if [ ! -f "$state/initialized" ]; then
  admin --create-proxy --addr="127.0.0.1:$proxy_admin_port"
else
  # The dashboard sees that the proxy it knows at this address restarted and brings it online by itself;
  # a proxy it does not know (removed meanwhile) is added again after a few seconds.
  online=0
  for n in $(seq 120); do
    if "$bin/codis-admin" --proxy="127.0.0.1:$proxy_admin_port" stats 2>/dev/null | grep -q '"online": true'; then
      online=1
      break
    fi
    if (( n % 10 == 0 )); then
      "$bin/codis-admin" --dashboard="127.0.0.1:$dashboard_port" --create-proxy --addr="127.0.0.1:$proxy_admin_port" >/dev/null 2>&1
    fi
    sleep 0.5
  done
  [ "$online" -eq 1 ] || fail "the dashboard did not bring the proxy online within 60 s (see $state/logs/dashboard.log); --fresh starts over"
fi
# The "wrench" of codis-fe: the dashboard makes each replica replicate its group's master.
# A pending action of an earlier run ("action already exist") is run by this dashboard as well.
for r in "$r1" "$r2"; do
  if ! out="$("$bin/codis-admin" --dashboard="127.0.0.1:$dashboard_port" --sync-action --create --addr="$r" 2>&1)" \
      && ! grep -q "action already exist" <<<"$out"; then
    fail "codis-admin --sync-action --create --addr=$r failed: $out"
  fi
done
touch "$state/initialized"

cat <<EOF

Codis cluster "$product" is running:
  proxy       redis-cli -p $proxy_port            (127.0.0.1:$proxy_port)
  codis-fe    http://127.0.0.1:$fe_port/#$product
  dashboard   http://127.0.0.1:$dashboard_port/topom   (codis-admin --dashboard=127.0.0.1:$dashboard_port ...)
  group 1     $m1 (master), $r1 (replica)
  group 2     $m2 (master), $r2 (replica)
  logs        $state/logs
Press Ctrl-C to stop every process.
EOF

# Runs until a signal (on_signal stops everything) or until a child exits by itself.
while true; do
  wait -n
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "quickstart: ${names[$i]} (pid ${pids[$i]}) exited by itself; see $state/logs. Stopping the rest." >&2
      exit 1
    fi
  done
done
