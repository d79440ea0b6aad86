#!/usr/bin/env bash
# Compares our codis-proxy with twemproxy (Debian package nutcracker, installed if missing) in one run, both
# in front of the same single codis-server backend: redis-benchmark with 50 clients over 100,000 random
# keys, tests GET SET INCR LPUSH LPOP MSET, pipelines of 1 and 16, against the backend directly, through
# our proxy and through twemproxy. The targets take turns round after round (the first one rotating) so
# that machine drift hits all alike. Prints per test and pipeline the median ops/s of each target and
# the ratios proxy/direct and proxy/twemproxy, against the targets proxy/twemproxy >= 1.0 with -P 1 and
# >= 1.2 with -P 16. Usage: bench/proxy.sh [requests per test, default 100000] [rounds, default 3];
# BENCH_TESTS=mset,get (redis-benchmark -t names) runs only those tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-100000}
ROUNDS=${2:-3}
TESTS=${BENCH_TESTS:-get,set,incr,lpush,lpop,mset}
[[ $N =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] \
  || { echo "usage: bench/proxy.sh [requests per test > 0] [rounds > 0] (got '$N' '$ROUNDS')" >&2; exit 2; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install redis-tools" >&2; exit 1; }
for b in codis-server codis-proxy; do
  [ -x "$ROOT/bin/$b" ] || { echo "bin/$b is missing: run make" >&2; exit 1; }
done
ensure_nutcracker

TMP=$(mktemp -d)
trap 'cleanup; rm -rf "$TMP"' EXIT
start_codis
BACKEND="127.0.0.1:$CODIS_PORT"
start_codis_proxy "$BACKEND" "$TMP"
start_twemproxy "$BACKEND" "$TMP"
TARGETS=(direct proxy twemproxy)
declare -A PORT=([direct]=$CODIS_PORT [proxy]=$PROXY_PORT [twemproxy]=$TWEM_PORT)
declare -A PID=([direct]=$CODIS_PID [proxy]=$PROXY_PID [twemproxy]=$TWEM_PID)

# MSET must really work through each target (the proxies split it by key), not just answer.
for t in "${TARGETS[@]}"; do
  reply=$(redis-cli -p "${PORT[$t]}" mset "check:$t:1" a "check:$t:2" b "check:$t:3" c 2>&1)
  values=$(redis-cli -p "$CODIS_PORT" mget "check:$t:1" "check:$t:2" "check:$t:3" 2>&1 | tr '\n' ' ')
  if [ "$reply" != OK ] || [ "$values" != "a b c " ]; then
    echo "MSET through $t failed: reply '$reply', backend holds '$values'" >&2
    exit 1
  fi
done

# One redis-benchmark run against target $1 with pipeline $2; appends "target P TEST ops" lines to
# $TMP/results. redis-benchmark stops at the first error reply: then say which and stop.
run() {
  local t=$1 p=$2 out rows
  if ! out=$(redis-benchmark -p "${PORT[$t]}" -c 50 -n "$N" -r 100000 -P "$p" -t "$TESTS" --csv 2>"$TMP/stderr"); then
    echo "redis-benchmark against $t (-P $p) failed:" >&2
    grep -v 'Could not fetch server CONFIG' "$TMP/stderr" >&2 || true
    exit 1
  fi
  rows=$(tr -d '"' <<<"$out" | awk -F, -v t="$t" -v p="$p" 'NR>1 {split($1,a," "); print t, p, a[1], $2}')
  if [ "$(wc -l <<<"$rows")" -ne "$(tr , "\n" <<<"$TESTS" | wc -l)" ] || ! kill -0 "${PID[$t]}" 2>/dev/null; then
    echo "redis-benchmark against $t (-P $p) gave an incomplete result or the target died:" >&2
    echo "$out" >&2
    grep -v 'Could not fetch server CONFIG' "$TMP/stderr" >&2 || true
    exit 1
  fi
  echo "$rows" >> "$TMP/results"
}

echo "backend codis-server $BACKEND, codis-proxy :$PROXY_PORT, twemproxy :$TWEM_PORT; $N requests per test," \
  "$ROUNDS round(s); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < ROUNDS; r++)); do
  for p in 1 16; do
    for ((i = 0; i < 3; i++)); do
      t=${TARGETS[$(((i + r) % 3))]}
      echo "  round $((r + 1))/$ROUNDS -P $p: $t" >&2
      run "$t" "$p"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# Medians per (target, P, test), then one row per test and pipeline.
awk -v tests="$(tr 'a-z,' 'A-Z ' <<<"$TESTS")" '
  { v[$1 SUBSEP $2 SUBSEP $3] = v[$1 SUBSEP $2 SUBSEP $3] " " $4 }
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%-6s %3s %11s %11s %11s %13s %16s %7s\n", "test", "P", "direct", "proxy", "twemproxy", "proxy/direct", "proxy/twemproxy", "target"
    nt = split(tests, names, " ")
    for (pi = 1; pi <= 2; pi++) {
      p = pi == 1 ? 1 : 16; goal = pi == 1 ? 1.0 : 1.2
      for (ti = 1; ti <= nt; ti++) {
        t = names[ti]
        d = median(v["direct" SUBSEP p SUBSEP t]); x = median(v["proxy" SUBSEP p SUBSEP t]); w = median(v["twemproxy" SUBSEP p SUBSEP t])
        printf "%-6s %3d %11.0f %11.0f %11.0f %13.2f %16.2f %7s\n", t, p, d, x, w, x / d, x / w, (x / w >= goal ? "met" : "MISSED")
      }
    }
  }' "$TMP/results"
echo
echo "ops/s = median over $ROUNDS round(s). Targets: proxy/twemproxy >= 1.0 with -P 1, >= 1.2 with -P 16."
