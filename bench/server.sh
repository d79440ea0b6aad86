#!/usr/bin/env bash
# Compares codis-server with Debian's redis-server in one run, same settings: redis-benchmark with 50
# clients over 100,000 random keys, pipelines of 1 and 16, then the memory (RSS) of 1,000,000 small
# string keys in each. Prints ops/s side by side and the ratio ours/redis (target: >= 1.0; memory:
# ratio <= 1.5). Usage: bench/server.sh [requests per test, default 200000]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-200000}
TESTS="get,set,incr,lpush,lpop,sadd,hset,zadd,mset"
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install redis-tools" >&2; exit 1; }
[ -x "$ROOT/bin/codis-server" ] || { echo "bin/codis-server is missing: run make" >&2; exit 1; }

start_redis
start_codis

run() { # port pipeline -> "TEST ops" lines
  redis-benchmark -p "$1" -c 50 -n "$N" -r 100000 -P "$2" -t "$TESTS" --csv 2>/dev/null \
    | tr -d '"' | awk -F, 'NR>1 {split($1,a," "); print a[1], $2}'
}

printf '%-8s %4s %14s %14s %7s\n' command P redis codis ratio
for p in 1 16; do
  declare -A r=() c=()
  # Alternate the servers so that neither always runs on a warmer machine.
  while read -r t v; do r[$t]=$v; done < <(run "$REDIS_PORT" "$p")
  while read -r t v; do c[$t]=$v; done < <(run "$CODIS_PORT" "$p")
  for t in "${!r[@]}"; do
    printf '%-8s %4s %14.0f %14.0f %7.2f\n' "$t" "$p" "${r[$t]}" "${c[$t]:-0}" "$(echo "${c[$t]:-0} / ${r[$t]}" | bc -l)"
  done | sort
  unset r c
done

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
