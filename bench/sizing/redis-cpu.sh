#!/usr/bin/env bash
# Redis server CPU per operation (docs/benchmarks.md, "Redis server CPU and memory per message"): a private redis-server pinned to CPU 0, redis-benchmark and subscribers on CPU 1.
set -euo pipefail
PORT=${PORT:-16399}
LUA=$(cd "$(dirname "$0")/../.." && pwd)/store-redis/src/main/resources/io/herald/redis
N=${N:-400000}
DIR=$(mktemp -d)
taskset -c 0 redis-server --port $PORT --save '' --appendonly no --dir $DIR --daemonize no >$DIR/redis.log 2>&1 &
RPID=$!
trap 'kill $RPID 2>/dev/null; for p in ${SUBS:-}; do kill $p 2>/dev/null; done' EXIT
until redis-cli -p $PORT ping >/dev/null 2>&1; do sleep 0.1; done
cpu() { awk '{print $14+$15}' /proc/$RPID/stat; }
SHA=$(cat $LUA/history-lib.lua $LUA/history-append.lua | redis-cli -p $PORT -x script load)
BODY=$(head -c 100 /dev/zero | tr '\0' x)
SUBS=""
subscribe() { # n subscribers on channel $1 (plain SUBSCRIBE)
  for p in $SUBS; do kill $p 2>/dev/null || true; done; SUBS=""
  for i in $(seq 1 $2); do taskset -c 1 redis-cli -p $PORT subscribe "$1" >/dev/null & SUBS="$SUBS $!"; done
  sleep 1
  echo "# subscribers on $1: $(redis-cli -p $PORT pubsub numsub "$1" | tail -1)"
}
run() { # label, then the redis-benchmark command
  local label=$1; shift
  local c0=$(cpu) t0=$(date +%s.%N)
  local rps=$(taskset -c 1 redis-benchmark -p $PORT -n $N -c 50 -P 16 -q "$@" 2>/dev/null | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | awk '{print $1}')
  local c1=$(cpu) t1=$(date +%s.%N)
  awk -v l="$label" -v n=$N -v c0=$c0 -v c1=$c1 -v t0=$t0 -v t1=$t1 -v rps=$rps \
    'BEGIN{cs=(c1-c0)/100; printf "%-48s ops=%d rps=%s redis_cpu_s=%.2f wall_s=%.2f us_per_op=%.2f\n", l, n, rps, cs, t1-t0, cs*1e6/n}'
}
echo "# $(date -u +%FT%TZ) $(redis-server --version | cut -d' ' -f3) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
for rep in 1 2 3; do
  echo "## repetition $rep"
  for subs in 0 1 10; do
    subscribe "b:pubsub:0:/bench/c" $subs
    run "PUBLISH 100 B, $subs subscriber(s)" publish "b:pubsub:0:/bench/c" "$BODY"
    redis-cli -p $PORT del 'b:{/bench/c}:meta' 'b:{/bench/c}:log' 'b:{/bench/c}:next' 'b:{/bench/c}:ids' >/dev/null
    run "append script (history 100), $subs subscriber(s)" evalsha $SHA 4 'b:{/bench/c}:meta' 'b:{/bench/c}:log' 'b:{/bench/c}:next' 'b:{/bench/c}:ids' 0123456789ab 100 0 "$BODY" "b:pubsub:0:/bench/c" ba9876543210 ''
  done
done
echo "# check: head=$(redis-cli -p $PORT hget 'b:{/bench/c}:meta' head) log=$(redis-cli -p $PORT xlen 'b:{/bench/c}:log')"
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
