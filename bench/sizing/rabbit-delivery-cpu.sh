#!/usr/bin/env bash
# RabbitMQ CPU per queue delivery (docs/benchmarks.md, "RabbitMQ CPU per queue delivery"): a private RabbitMQ
# node pinned to CPU 0 (started as broker-rabbitmq's bench starts its peer node; run as root), the AMQP client
# (RabbitDeliveryCpu.java, the broker's consume pattern) on CPU 1. Usage: rabbit-delivery-cpu.sh [MESSAGES] [QUEUES...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-19672}; MESSAGES=${1:-200000}; shift || true; QUEUES=${*:-1 4 10}
M2=${M2:-$HOME/.m2/repository}
CP=$M2/com/rabbitmq/amqp-client/5.38.0/amqp-client-5.38.0.jar:$(ls $M2/org/slf4j/slf4j-api/2.0.*/slf4j-api-2.0.*.jar | head -1)
DIR=$(mktemp -d /tmp/rabbit-sizing.XXXX); mkdir -p $DIR/log
printf 'listeners.tcp.default = %s\n' $PORT > $DIR/rabbitmq.conf
echo '[].' > $DIR/enabled_plugins
chown -R rabbitmq:rabbitmq $DIR
export RABBITMQ_NODENAME=heraldsizing$PORT@localhost RABBITMQ_DIST_PORT=$((PORT + 3)) RABBITMQ_MNESIA_BASE=$DIR/mnesia \
  RABBITMQ_LOG_BASE=$DIR/log RABBITMQ_CONFIG_FILE=$DIR/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$DIR/enabled_plugins \
  RABBITMQ_FEATURE_FLAGS_FILE=$DIR/feature_flags RABBITMQ_PID_FILE=$DIR/pid
taskset -c 0 sh -c "ulimit -n 20000 && exec setpriv --reuid rabbitmq --regid rabbitmq --init-groups env HOME=/var/lib/rabbitmq /usr/lib/rabbitmq/bin/rabbitmq-server" >$DIR/server.out 2>&1 &
WRAPPER=$!
trap 'kill $WRAPPER 2>/dev/null; [ -f $DIR/pid ] && kill $(cat $DIR/pid) 2>/dev/null; true' EXIT
for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.5; done
BEAM=$(cat $DIR/pid)
echo "# $(date -u +%FT%TZ) rabbitmq $(dpkg-query -W -f='${Version}' rabbitmq-server) beam pid $BEAM nproc=$(nproc) load=$(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 1 java -Xms512m -Xmx512m -XX:+UseG1GC -cp "$CP" $HERE/RabbitDeliveryCpu.java $PORT $BEAM $MESSAGES $QUEUES
echo "# end $(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)"
