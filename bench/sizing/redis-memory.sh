#!/usr/bin/env bash
# Redis memory per retained message: a private redis-server; CHANNELS channels x APPENDS appends of a 100-byte
# body through Herald's own append script (history 100, so each channel ends with 100 retained messages).
set -euo pipefail
PORT=${PORT:-16398}; CHANNELS=${CHANNELS:-2000}; APPENDS=${APPENDS:-150}
LUA=$(cd "$(dirname "$0")/../.." && pwd)/store-redis/src/main/resources/io/herald/redis
DIR=$(mktemp -d)
redis-server --port $PORT --save '' --appendonly no --dir $DIR --daemonize no >$DIR/redis.log 2>&1 &
RPID=$!; trap 'kill $RPID' EXIT
until redis-cli -p $PORT ping >/dev/null 2>&1; do sleep 0.1; done
SHA=$(cat $LUA/history-lib.lua $LUA/history-append.lua | redis-cli -p $PORT -x script load)
BODY=$(head -c 100 /dev/zero | tr '\0' x)
mem() { redis-cli -p $PORT info memory | tr -d '\r' | awk -F: '$1=="used_memory"{print $2}'; }
M0=$(mem)
for a in $(seq 1 $APPENDS); do
  for c in $(seq 1 $CHANNELS); do
    echo "EVALSHA $SHA 4 b:{/bench/ch$c}:meta b:{/bench/ch$c}:log b:{/bench/ch$c}:next b:{/bench/ch$c}:ids 0123456789ab 100 0 $BODY b:pubsub:0:/bench/ch$c ba9876543210 \"\""
  done
done | redis-cli -p $PORT --pipe | tail -1
M1=$(mem)
LEN=$(redis-cli -p $PORT xlen 'b:{/bench/ch1}:log'); HEAD=$(redis-cli -p $PORT hget 'b:{/bench/ch1}:meta' head)
KEYS=$(redis-cli -p $PORT dbsize)
echo "# $(date -u +%FT%TZ) $(redis-server --version | cut -d' ' -f3) channels=$CHANNELS appends/channel=$APPENDS retained/channel=$LEN head=$HEAD keys=$KEYS"
echo "# stream of one channel: $(redis-cli -p $PORT memory usage 'b:{/bench/ch1}:log') B, meta $(redis-cli -p $PORT memory usage 'b:{/bench/ch1}:meta') B, next $(redis-cli -p $PORT memory usage 'b:{/bench/ch1}:next') B"
awk -v m0=$M0 -v m1=$M1 -v c=$CHANNELS -v n=$LEN 'BEGIN{printf "used_memory %d -> %d: %.0f B per channel, %.0f B per retained message (channel keys included)\n", m0, m1, (m1-m0)/c, (m1-m0)/(c*n)}'
