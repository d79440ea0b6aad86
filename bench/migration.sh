#!/usr/bin/env bash
# Async slot migration as the dashboard drives it: N keys of mixed types (strings, lists, hashes, sets,
# sorted sets, some big collections, a fifth of the keys in {tag} groups) in one codis-server, all 1024
# slots moved to a second codis-server with SLOTSMGRTTAGSLOT-ASYNC (timeout 30s, maxbulks 200,
# maxbytes 32mb, numkeys 500, each slot repeated until it reports 0 keys left). Meanwhile
# redis-benchmark runs GET/SET against the source (in database 1, so that its keys do not land in the
# slots being emptied) in back-to-back rounds. Prints the keys/s moved and the GET/SET latency of the
# load before (idle baseline) and during the move: p50 = median of the rounds' p50, p99 and max = the
# worst round's. Usage: bench/migration.sh [keys, default 1000000]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
N=${1:-1000000}
command -v redis-benchmark >/dev/null || { echo "redis-benchmark is missing: apt-get install redis-tools" >&2; exit 1; }
[ -x "$ROOT/bin/codis-server" ] || { echo "bin/codis-server is missing: run make" >&2; exit 1; }

start_codis
SRC_PORT=$CODIS_PORT
start_codis
DST_PORT=$CODIS_PORT
TMP=$(mktemp -d)
trap 'cleanup; rm -rf "$TMP"' EXIT

# The data set: 60% strings, 10% each lists, hashes, sets, sorted sets (5-20 elements); one key in a
# thousand is a big collection (2,000-5,000 elements, chunked by maxbulks 200); keys n with n % 5 == 0
# share a tag with their neighbours ({g<n/20>}), so tag groups span several types.
python3 - "$N" > "$TMP/load.resp" <<'EOF'
import random, sys
n = int(sys.argv[1]); rnd = random.Random(1); w = sys.stdout.buffer
def cmd(*args):
    w.write(b"*%d\r\n" % len(args))
    for a in args:
        w.write(b"$%d\r\n%s\r\n" % (len(a), a))
for i in range(n):
    key = (b"{g%d}k%d" % (i // 20, i)) if i % 5 == 0 else b"k%d" % i
    big = i % 1000 == 999
    count = rnd.randint(2000, 5000) if big else rnd.randint(5, 20)
    kind = ("list", "hash", "set", "zset")[(i // 1000) % 4] if big else rnd.choices(
        ("string", "list", "hash", "set", "zset"), (6, 1, 1, 1, 1))[0]
    if kind == "string":
        cmd(b"SET", key, b"v" * rnd.randint(8, 64))
    elif kind == "list":
        cmd(b"RPUSH", key, *[b"e%d" % j for j in range(count)])
    elif kind == "hash":
        args = []
        for j in range(count):
            args += [b"f%d" % j, b"x" * rnd.randint(1, 16)]
        cmd(b"HSET", key, *args)
    elif kind == "set":
        cmd(b"SADD", key, *[b"m%d" % j for j in range(count)])
    else:
        args = []
        for j in range(count):
            args += [b"%d" % rnd.randint(0, 1000000), b"z%d" % j]
        cmd(b"ZADD", key, *args)
    if i % 10 == 3:
        cmd(b"PEXPIRE", key, b"%d" % (3600000 + i))
EOF
redis-cli -p "$SRC_PORT" --pipe < "$TMP/load.resp" >/dev/null
rm -f "$TMP/load.resp"
KEYS=$(redis-cli -p "$SRC_PORT" dbsize)
echo "source: $KEYS keys loaded"

# One round of the latency load: "test p50 p99 max" lines (ms).
bench_round() {
  redis-benchmark -p "$SRC_PORT" --dbnum 1 -c 20 -n 40000 -r 100000 -t get,set --csv --precision 3 2>/dev/null \
    | tr -d '"' | awk -F, 'NR>1 {print $1, $5, $7, $8}'
}

# Baseline: the same load with nothing else running.
for _ in 1 2 3; do bench_round; done > "$TMP/baseline.txt"

# The load runs in rounds until the migration is over.
touch "$TMP/migrating"
( while [ -e "$TMP/migrating" ]; do bench_round; done > "$TMP/during.txt" ) &
LOAD_PID=$!
PIDS+=("$LOAD_PID")

# The dashboard's loop, one connection, every slot until empty.
python3 - "$SRC_PORT" "$DST_PORT" > "$TMP/moved.txt" <<'EOF'
import socket, sys, time
src, dst = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", src)); f = s.makefile("rb")
def call(*args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    return read()
def read():
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t == b"*":
        return [read() for _ in range(int(rest))]
    if t == b":":
        return int(rest)
    if t == b"-":
        raise RuntimeError(rest.decode())
    if t == b"$":
        n = int(rest); data = f.read(n + 2)[:-2]; return data
    return rest
moved = calls = 0
start = time.monotonic()
for slot in range(1024):
    while True:
        r = call(b"SLOTSMGRTTAGSLOT-ASYNC", b"127.0.0.1", b"%d" % dst, b"30000", b"200", b"33554432", b"%d" % slot, b"500")
        calls += 1
        moved += r[0]
        if r[1] == 0:
            break
elapsed = time.monotonic() - start
print(moved, calls, "%.3f" % elapsed)
EOF
rm -f "$TMP/migrating"
wait "$LOAD_PID" || true
read -r MOVED CALLS SECS < "$TMP/moved.txt"

printf '\nmigrated %d keys (of %d) in %.1f s with %d SLOTSMGRTTAGSLOT-ASYNC calls: %.0f keys/s\n' \
  "$MOVED" "$KEYS" "$SECS" "$CALLS" "$(echo "$MOVED / $SECS" | bc -l)"
printf 'source keys left in db 0: %s, target keys: %s, SLOTSCHECK source %s target %s\n' \
  "$(redis-cli -p "$SRC_PORT" dbsize)" "$(redis-cli -p "$DST_PORT" dbsize)" \
  "$(redis-cli -p "$SRC_PORT" slotscheck)" "$(redis-cli -p "$DST_PORT" slotscheck)"

# test p50 p99 max per round -> median p50, worst p99, worst max.
summary() { # file label
  for t in SET GET; do
    awk -v t="$t" '$1 == t {print $2, $3, $4}' "$1" | sort -n | awk -v t="$t" -v label="$2" '
      { p50[NR] = $1; if ($2 > p99) p99 = $2; if ($3 > max) max = $3 }
      END { if (NR == 0) { printf "%-22s %-4s no complete round\n", label, t; exit }
            printf "%-22s %-4s p50 %7.3f ms  p99 %7.3f ms  max %8.3f ms  (%d rounds of 40000)\n", label, t, p50[int((NR + 1) / 2)], p99, max, NR }'
  done
}
echo
echo "redis-benchmark -c 20 GET/SET on the source (db 1):"
summary "$TMP/baseline.txt" "idle (baseline)"
summary "$TMP/during.txt" "during the migration"
