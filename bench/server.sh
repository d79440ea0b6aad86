#!/usr/bin/env bash
# Compares codis-server with Debian's redis-server in one run, same settings: redis-benchmark with 50
# clients over 100,000 random keys, pipelines of 1 and 16, then the memory (RSS) of 1,000,000 small
# string keys in each. The two servers take turns round after round (the first one alternating), so that
# machine drift hits both alike. Prints the median ops/s side by side and the ratio ours/redis (target:
# >= 1.0; memory: ratio <= 1.5). Usage: bench/server.sh [requests per test, default 200000] [rounds,
# default 3]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-200000}
ROUNDS=${2:-3}
[[ $N =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ ]] \
  || { echo "usage: bench/server.sh [requests per test > 0] [rounds > 0] (got '$N' '$ROUNDS')" >&2; exit 2; }
TESTS="get,set,incr,lpush,lpop,sadd,hset,zadd,mset"
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install redis-tools" >&2; exit 1; }
[ -x "$ROOT/bin/codis-server" ] || { echo "bin/codis-server is missing: run make" >&2; exit 1; }

start_redis
start_codis

RESULTS=$(mktemp)
trap 'cleanup; rm -f "$RESULTS"' EXIT
run() { # name port pipeline -> "name P TEST ops" lines appended to $RESULTS
  redis-benchmark -p "$2" -c 50 -n "$N" -r 100000 -P "$3" -t "$TESTS" --csv 2>/dev/null \
    | tr -d '"' | awk -F, -v n="$1" -v p="$3" 'NR>1 {split($1,a," "); print n, p, a[1], $2}' >> "$RESULTS"
}

echo "redis-server :$REDIS_PORT, codis-server :$CODIS_PORT; $N requests per test, $ROUNDS round(s);" \
  "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < ROUNDS; r++)); do
  for p in 1 16; do
    echo "  round $((r + 1))/$ROUNDS -P $p" >&2
    if ((r % 2 == 0)); then
      run redis "$REDIS_PORT" "$p"; run codis "$CODIS_PORT" "$p"
    else
      run codis "$CODIS_PORT" "$p"; run redis "$REDIS_PORT" "$p"
    fi
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk '
  { v[$1 SUBSEP $2 SUBSEP $3] = v[$1 SUBSEP $2 SUBSEP $3] " " $4; seen[$2 SUBSEP $3] = 1 }
  function median(list,   a, n, i, j, x) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%-8s %4s %14s %14s %7s\n", "command", "P", "redis", "codis", "ratio"
    for (k in seen) {
      split(k, pt, SUBSEP)
      x = median(v["redis" SUBSEP k]); c = median(v["codis" SUBSEP k])
      printf "%-8s %4d %14.0f %14.0f %7.2f\n", pt[2], pt[1], x, c, (x > 0 ? c / x : 0) | "sort -k2,2n -k1,1"
    }
  }' "$RESULTS"
echo "ops/s = median over $ROUNDS round(s)."

# Memory: 1,000,000 keys "key:<n>" with 3-byte values, loaded through a pipe into fresh servers.
kill "$REDIS_PID" "$CODIS_PID"
start_redis
start_codis
python3 -c '
import sys
w = sys.stdout.buffer
for i in range(1000000):
    k = b"key:%d" % i
    w.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$3\r\nval\r\n" % (len(k), k))
' > /tmp/codis-bench-keys.$$
redis-cli -p "$REDIS_PORT" --pipe < /tmp/codis-bench-keys.$$ >/dev/null
redis-cli -p "$CODIS_PORT" --pipe < /tmp/codis-bench-keys.$$ >/dev/null
rm -f /tmp/codis-bench-keys.$$
sleep 6   # the server gives memory back two quiet seconds after the load (ServerContext.Trim.cs)
rr=$(rss_kib "$REDIS_PID"); cr=$(rss_kib "$CODIS_PID")
printf '\nRSS after 1,000,000 keys: redis %d MiB (dbsize %s), codis %d MiB (dbsize %s), ratio %.2f\n' \
  $((rr / 1024)) "$(redis-cli -p "$REDIS_PORT" dbsize)" $((cr / 1024)) "$(redis-cli -p "$CODIS_PORT" dbsize)" "$(echo "$cr / $rr" | bc -l)"
