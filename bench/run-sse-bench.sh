#!/usr/bin/env bash
# Reproduces the SSE benchmarks of issue 4 (docs/benchmarks.md, section "transport-sse"): Herald's SSE
# fan-out against a raw Jetty 12 ceiling and against Nchan, idle memory per connection and catch-up replay.
#
#   bench/run-sse-bench.sh quick    # smoke run of everything, a few minutes
#   bench/run-sse-bench.sh full     # the recorded numbers: 3 repetitions, 10,000 streams (~50 min)
#
# Further options go to `LoadGenerator sse-suite`, e.g. `--servers herald,nchan`, `--parts fanout,idle`,
# `--repeat 9`, `--jvm-flags '-Xms1g -Xmx1g -XX:+UseG1GC'`, `--prime 20000` (publishes each fresh server takes on
# a channel of its own before the fan-out, so that its per-publish code is compiled; 0 for none),
# `--jitter-seconds 5` (how long SchedulingJitter measures the two CPUs' quiet before the run; 0 for not at all),
# `--softirq-hot-factor 1.6` (a fan-out repetition
# whose softirq time on the server CPU reaches, in one second, this factor x the run's baseline - the median
# softirq rate of all its fan-outs - is disturbed by the kernel; the summary then also gives medians over the
# clean repetitions). Servers run on CPU 0 (taskset), the load generator on CPU 1.
# `--servers herald-base,herald,nchan --base-jar <other herald-server.jar>` measures a second Herald build
# in the same run (before/after, alternating). Results: bench/target/sse-bench/sse-<profile>-results.jsonl and -summary.md.
# BUILD=1 rebuilds the jars even when they exist.
set -euo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
profile="${1:-quick}"
[ $# -gt 0 ] && shift

if [ ! -x /usr/sbin/nginx ] || [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "run-sse-bench: installing nginx and Nchan (Debian nginx-light, libnginx-mod-nchan)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-nchan >&2
  else
    echo "run-sse-bench: Nchan is missing; install it with: apt-get install nginx-light libnginx-mod-nchan" >&2
    exit 1
  fi
fi

if [ "${BUILD:-0}" = 1 ] || [ ! -f server/target/herald-server.jar ] || [ ! -f bench/target/herald-benchmarks.jar ]; then
  echo "run-sse-bench: building the server and the benchmarks jar" >&2
  # The lock keeps builds on a shared machine from running at once; without flock, build directly.
  if command -v flock >/dev/null 2>&1; then
    flock /tmp/herald-mvn.lock mvn -q -DskipTests -pl server,bench -am install >&2
  else
    mvn -q -DskipTests -pl server,bench -am install >&2
  fi
fi

exec taskset -c 1 java -Xms2g -Xmx2g -XX:+UseG1GC -cp bench/target/herald-benchmarks.jar \
  io.herald.bench.load.LoadGenerator sse-suite --profile "$profile" "$@"
