#!/usr/bin/env bash
# Reproduces "HTTP publish against the raw ceiling" (docs/benchmarks.md): Herald's POST /api/publish beside a
# raw Jetty 12 handler (LoadGenerator serve-ceiling), both pinned to CPU 0, alternating in one run, the load
# generator on CPU 1.
#
#   bench/run-publish-bench.sh [scenarios] [LoadGenerator options...]
#   bench/run-publish-bench.sh ceiling,publish --rate 5000 --warmup 10 --duration 20 --repeat 3
#   bench/run-publish-bench.sh ceiling,publish-batch --batch 10 --rate 1000
#   JFR=/tmp/publish.jfr bench/run-publish-bench.sh publish    # records the server with JFR (profile settings)
#
# The jars are copied to a scratch directory first, so a rebuild during the run does not change them.
# Ports: SERVER_PORT (18480) and CEILING_PORT (18491). BUILD=1 rebuilds the jars first.
set -euo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scenarios="${1:-ceiling,publish}"
[ $# -gt 0 ] && shift
server_port="${SERVER_PORT:-18480}"
ceiling_port="${CEILING_PORT:-18491}"
flags=(-Xms1g -Xmx1g -XX:+UseG1GC)

if [ "${BUILD:-0}" = 1 ] || [ ! -f server/target/herald-server.jar ] || [ ! -f bench/target/herald-benchmarks.jar ]; then
  flock /tmp/herald-mvn.lock mvn -q -DskipTests -pl server,bench -am package >&2
fi
scratch="$(mktemp -d /tmp/publish-bench.XXXXXX)"
cp -r server/target/herald-server.jar server/target/lib "$scratch/"
cp bench/target/herald-benchmarks.jar "$scratch/"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

jfr=()
if [ -n "${JFR:-}" ]; then
  jfr=("-XX:StartFlightRecording=filename=$JFR,settings=profile,dumponexit=true")
fi
taskset -c 0 java "${flags[@]}" "${jfr[@]}" -jar "$scratch/herald-server.jar" --port "$server_port" \
  >"$scratch/server.log" 2>&1 &
server_pid=$!; pids+=("$server_pid")
taskset -c 0 java "${flags[@]}" -cp "$scratch/herald-benchmarks.jar" io.herald.bench.load.LoadGenerator \
  serve-ceiling --port "$ceiling_port" >"$scratch/ceiling.log" 2>&1 &
ceiling_pid=$!; pids+=("$ceiling_pid")
for port in "$server_port" "$ceiling_port"; do
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.5
  done
done
echo "run-publish-bench: $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), commit $(git rev-parse --short HEAD)" >&2

taskset -c 1 java "${flags[@]}" -cp "$scratch/herald-benchmarks.jar" io.herald.bench.load.LoadGenerator \
  --scenarios "$scenarios" \
  --url "http://127.0.0.1:$server_port/api/publish" --server-pid "$server_pid" \
  --ceiling-url "http://127.0.0.1:$ceiling_port/api/publish" --ceiling-pid "$ceiling_pid" \
  "$@"
echo "run-publish-bench: ended $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
if [ -n "${JFR:-}" ]; then
  jcmd "$server_pid" JFR.dump filename="$JFR" >/dev/null
fi
