#!/usr/bin/env bash
# CPU cost per request of codis-server and Debian's redis-server under the same redis-benchmark load:
# user and system CPU microseconds the server process spent per request, and the ratio ours/redis.
# Unlike ops/s, this figure barely depends on what else the machine runs, so it is the one to watch while
# optimising (a ratio <= 1.0 means we do no more work per request than Redis).
# Usage: bench/cpu.sh [requests per test, default 200000] [tests, default get,set,incr,lpush,lpop,sadd,hset,zadd,mset]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-200000}
TESTS=${2:-get,set,incr,lpush,lpop,sadd,hset,zadd,mset}
[ -x "$ROOT/bin/codis-server" ] || { echo "bin/codis-server is missing: run make" >&2; exit 1; }

start_redis
start_codis
TICK=$(getconf CLK_TCK)

cpu_ticks() { # pid -> "user system" in clock ticks
  awk '{print $14, $15}' "/proc/$1/stat"
}

measure() { # pid port test pipeline -> "user_us_per_req sys_us_per_req"
  read -r u0 s0 < <(cpu_ticks "$1")
  redis-benchmark -p "$2" -c 50 -n "$N" -r 100000 -P "$4" -t "$3" -q >/dev/null 2>&1
  read -r u1 s1 < <(cpu_ticks "$1")
  echo "$(( (u1 - u0) * 1000000 / TICK * 100 / N ))" "$(( (s1 - s0) * 1000000 / TICK * 100 / N ))"
}

printf '%-6s %3s  %21s  %21s  %6s\n' test P 'redis us/req usr+sys' 'codis us/req usr+sys' ratio
for p in 1 16; do
  for t in ${TESTS//,/ }; do
    read -r ru rs < <(measure "$REDIS_PID" "$REDIS_PORT" "$t" "$p")
    read -r cu cs < <(measure "$CODIS_PID" "$CODIS_PORT" "$t" "$p")
    printf '%-6s %3s  %6.2f + %6.2f = %5.2f  %6.2f + %6.2f = %5.2f  %6.2f\n' "$t" "$p" \
      "$(echo "$ru/100" | bc -l)" "$(echo "$rs/100" | bc -l)" "$(echo "($ru+$rs)/100" | bc -l)" \
      "$(echo "$cu/100" | bc -l)" "$(echo "$cs/100" | bc -l)" "$(echo "($cu+$cs)/100" | bc -l)" \
      "$(echo "($cu+$cs)/($ru+$rs)" | bc -l)"
  done
done
