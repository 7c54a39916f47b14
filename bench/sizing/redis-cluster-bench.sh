#!/usr/bin/env bash
# Redis Cluster, 1 shard against 3 (docs/benchmarks.md, "Redis Cluster: one shard against three"): private
# clusters of masters only, every redis-server pinned to CPU 0, the bench JVM (two Herald nodes) to CPU 1.
# Run under the Maven lock: flock /tmp/herald-mvn.lock bench/sizing/redis-cluster-bench.sh [RedisClusterBench options]
set -euo pipefail
BASE=${BASE:-17100}
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/herald-benchmarks.jar
DIR=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; rm -rf $DIR' EXIT
node() { # port
  mkdir -p $DIR/$1
  taskset -c 0 redis-server --port $1 --cluster-enabled yes --cluster-config-file $DIR/$1/nodes.conf --dir $DIR/$1 \
    --save '' --appendonly no --daemonize no >$DIR/$1/redis.log 2>&1 &
  PIDS="$PIDS $!"
  until redis-cli -p $1 ping >/dev/null 2>&1; do sleep 0.1; done
}
ok() { until redis-cli -p $1 cluster info | grep -q cluster_state:ok; do sleep 0.2; done; }
# One shard: one master holding every slot.
node $BASE
redis-cli -p $BASE cluster addslotsrange 0 16383 >/dev/null
ok $BASE
# Three shards: redis-cli spreads the slots evenly.
for p in 1 2 3; do node $((BASE + p)); done
redis-cli --cluster create 127.0.0.1:$((BASE + 1)) 127.0.0.1:$((BASE + 2)) 127.0.0.1:$((BASE + 3)) --cluster-replicas 0 --cluster-yes >$DIR/create.log
for p in 1 2 3; do ok $((BASE + p)); done
echo "# $(date -u +%FT%TZ) redis $(redis-server --version | cut -d' ' -f3) nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 1 java -Xms1g -Xmx1g -XX:+UseG1GC -cp $JAR io.herald.bench.redis.RedisClusterBench \
  --cluster 1=redis-cluster://127.0.0.1:$BASE --cluster 3=redis-cluster://127.0.0.1:$((BASE + 1)) "$@"
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
