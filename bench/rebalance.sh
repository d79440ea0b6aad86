#!/usr/bin/env bash
# A rebalance as a user runs it: N string keys (default 1,000,000) written through a codis-proxy into one
# group, a second group added, "Rebalance" pressed (PUT /api/topom/slots/rebalance/<xauth>/1) on a
# codis-dashboard, and the wall time until every slot action is done. Prints the seconds and the keys/s
# moved. Everything runs from ./bin (make) on free 127.0.0.1 ports with a filesystem coordinator in a
# temporary directory (CODIS_BIN=<dir> takes the three binaries from elsewhere, e.g. Debug apphosts).
# Usage: bench/rebalance.sh [keys, default 1000000] [sync|semi-async, default semi-async]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-1000000}
METHOD=${2:-semi-async}
command -v redis-cli >/dev/null || { echo "redis-cli is missing: apt-get install redis-tools" >&2; exit 1; }
BIN=${CODIS_BIN:-$ROOT/bin}
for b in codis-server codis-proxy codis-dashboard; do
  [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run make" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'cleanup; [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"' EXIT

# codis-server from $BIN on a free port; sets CODIS_PORT.
start_server() {
  CODIS_PORT=$(free_port)
  "$BIN/codis-server" --port "$CODIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
  PIDS+=("$!")
  wait_ping "$CODIS_PORT" 30
}
start_server
G1=127.0.0.1:$CODIS_PORT
G1_PORT=$CODIS_PORT
start_server
G2=127.0.0.1:$CODIS_PORT
G2_PORT=$CODIS_PORT

DASH=127.0.0.1:$(free_port)
printf 'coordinator_name = "filesystem"\ncoordinator_addr = "%s"\nadmin_addr = "%s"\nproduct_name = "bench"\nmigration_method = "%s"\n' \
  "$TMP/coordinator" "$DASH" "$METHOD" > "$TMP/dashboard.toml"
"$BIN/codis-dashboard" --config "$TMP/dashboard.toml" --log "$TMP/dashboard.log" --log-level WARN \
  > "$TMP/dashboard.out" 2>&1 &
PIDS+=("$!")
XAUTH=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(("Codis-XAuth-[bench]").encode()).hexdigest()[:32])')

# PUT on the dashboard; fails the script on anything but HTTP 200.
api() {
  local out code
  out=$(curl -s -o "$TMP/reply" -w '%{http_code}' -X PUT "http://$DASH$1" ${2:+--data "$2"}) || true
  code=$out
  [ "$code" = 200 ] || { echo "PUT $1 -> $code $(cat "$TMP/reply")" >&2; exit 1; }
  cat "$TMP/reply"
}
for _ in $(seq 1 300); do
  curl -sf "http://$DASH/api/topom/xping/$XAUTH" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://$DASH/api/topom/xping/$XAUTH" >/dev/null || { echo "dashboard did not go online" >&2; cat "$TMP/dashboard.out" >&2; exit 1; }

api "/api/topom/group/create/$XAUTH/1" >/dev/null
api "/api/topom/group/add/$XAUTH/1/$G1" >/dev/null
api "/api/topom/slots/assign/$XAUTH" "$(python3 -c 'import json; print(json.dumps([{"id": i, "group_id": 1} for i in range(1024)]))')" >/dev/null

PROXY_PORT=$(free_port)
PROXY_ADMIN=127.0.0.1:$(free_port)
printf 'product_name = "bench"\nadmin_addr = "%s"\nproxy_addr = "127.0.0.1:%s"\n' "$PROXY_ADMIN" "$PROXY_PORT" > "$TMP/proxy.toml"
"$BIN/codis-proxy" --config "$TMP/proxy.toml" --log-level WARN > "$TMP/proxy.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 300); do
  curl -sf "http://$PROXY_ADMIN/proxy/model" >/dev/null 2>&1 && break
  sleep 0.1
done
api "/api/topom/proxy/create/$XAUTH/$PROXY_ADMIN" >/dev/null
wait_ping "$PROXY_PORT" 30

# N keys through the proxy, pipelined in batches below the proxy's session_max_pipeline (10000).
python3 - "$N" "$PROXY_PORT" <<'PY'
import socket, sys
n, port = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
batch = 5000
for start in range(0, n, batch):
    end = min(n, start + batch)
    buf = bytearray()
    for i in range(start, end):
        k = b"key:%d" % i; v = b"value-%d" % i
        buf += b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
    s.sendall(buf)
    want, got = end - start, b""
    while got.count(b"\r\n") < want:
        chunk = s.recv(1 << 20)
        if not chunk:
            sys.exit("the proxy closed the connection")
        got += chunk
    if got != b"+OK\r\n" * want:
        sys.exit("unexpected reply while loading: %r" % got[:200])
PY
KEYS=$(redis-cli -p "$G1_PORT" dbsize)
echo "group 1 ($G1): $KEYS keys loaded through the proxy; migration_method = $METHOD"

api "/api/topom/group/create/$XAUTH/2" >/dev/null
api "/api/topom/group/add/$XAUTH/2/$G2" >/dev/null

START=$(date +%s.%N)
PLAN=$(api "/api/topom/slots/rebalance/$XAUTH/1")
SLOTS=$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$PLAN")
# Done when no stored slot has an action left.
while :; do
  LEFT=$(curl -sf "http://$DASH/api/topom/stats/$XAUTH" | python3 -c 'import json,sys; print(sum(1 for s in json.load(sys.stdin)["slots"] if s.get("action", {}).get("state")))')
  [ "$LEFT" = 0 ] && break
  sleep 0.2
done
END=$(date +%s.%N)

MOVED=$(redis-cli -p "$G2_PORT" dbsize)
LEFT1=$(redis-cli -p "$G1_PORT" dbsize)
python3 - "$START" "$END" "$SLOTS" "$MOVED" "$LEFT1" <<'PY'
import sys
start, end, slots, moved, left = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t = end - start
print(f"rebalance: {slots} slots, {moved} keys moved to group 2 ({left} stay in group 1) in {t:.1f} s: "
      f"{moved / t:,.0f} keys/s, {slots / t:.1f} slots/s")
PY
redis-cli -p "$PROXY_PORT" get key:0 | grep -q value-0 || { echo "key:0 not readable through the proxy" >&2; exit 1; }
