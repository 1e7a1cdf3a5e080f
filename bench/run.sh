#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh: builds the benchmarks (Release, build/bench) and runs all of them in about five
# minutes on a 2-core machine, then prints one markdown table with every figure and its ratio
# to the plain-C reference and to asio:
#   servers    plain C (bench/plain_c_echo.c), asio (bench/asio_echo.cpp), netlite's
#              examples/echo_server on the epoll, poll and select backends
#   workloads  ping-pong 1 x 64 B and 100 x 64 B (round trips/s, p50/p99, server CPU per
#              round trip), bulk MB/s, connections/s, UDP echo (plain and --batch),
#              10,000 idle connections (server memory growth), UDP batching (bench/udp_batch),
#              syscalls per round trip (strace), compile time (bench/compile_time.sh)
# Server and load generator share one core (taskset -c 0): a wake-up across cores costs tens
# of microseconds on small VMs and makes the figures noisy. Loopback only; every run is bounded.
# Method and results: docs/performance.md.
#
# Env: BENCH_SECONDS (2) measured seconds per run, BENCH_REPS (3) runs per cell (median),
#      BENCH_CORE (0, or "none"), BENCH_PRIORITY (10 = SCHED_FIFO 10 as root, else 0),
#      BENCH_SKIP (comma list: tcp,udp,idle,batch,syscalls,compile),
#      BENCH_WORKLOADS (TCP workloads to run, default all: pp1,pp100,bulk,conn),
#      BENCH_BUILD_DIR (build/bench), BENCH_NO_BUILD=1 to use an existing build.
# Results: the table also goes to $BENCH_BUILD_DIR/results/table.md, raw runs to results.json.
#
# Try: bash bench/run.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BENCH_BUILD_DIR:-build/bench}"
seconds="${BENCH_SECONDS:-2}"
reps="${BENCH_REPS:-3}"
core="${BENCH_CORE:-0}"
skip="${BENCH_SKIP:-}"
# As root, server and load generator run SCHED_FIFO (chrt -f 10) so that other work on the
# pinned core (builds, tests, fuzzers) cannot steal time from a run: every run is bounded in
# time, the kernel keeps 5% of the core for others (sched_rt_runtime_us), and the other core
# stays free for that work. BENCH_PRIORITY=0 turns it off; a negative value is a nice value.
if [[ "$(id -u)" -eq 0 ]] && command -v chrt >/dev/null 2>&1; then prio_default=10; else
    prio_default=0
fi
priority="${BENCH_PRIORITY:-$prio_default}"
start=$SECONDS

for tool in cmake ninja python3 taskset prlimit; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is required (Debian: cmake ninja-build python3 util-linux)" >&2
        exit 1
    fi
done
if [[ "$core" != none ]] && ! taskset -c "$core" true 2>/dev/null; then
    echo "run.sh: cannot pin to core $core; set BENCH_CORE=none or another core" >&2
    exit 1
fi

if [[ "${BENCH_NO_BUILD:-0}" != 1 ]]; then
    echo "==> configure and build ($build, Release)"
    mkdir -p "$build"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNETLITE_BUILD_BENCH=ON \
        -DNETLITE_BUILD_TESTS=OFF -DNETLITE_BUILD_EXAMPLES=ON >"$build/configure.log" 2>&1 ||
        { cat "$build/configure.log" >&2; exit 1; }
    cmake --build "$build" >"$build/build.log" 2>&1 ||
        { tail -n 50 "$build/build.log" >&2; exit 1; }
    echo "    built in $((SECONDS - start)) s"
fi
if [[ ! -x "$build/examples/echo_server" ]]; then
    echo "note: $build/examples/echo_server is missing (no examples/echo_server.cpp yet?):"
    echo "      the netlite columns stay empty"
fi

mkdir -p "$build/results"
echo "==> measuring"
python3 bench/harness.py --build-dir "$build" --seconds "$seconds" --reps "$reps" \
    --core "$core" --priority "$priority" --skip "$skip" --workloads "${BENCH_WORKLOADS:-}" \
    --table "$build/results/table.md" --json "$build/results/results.json"

if [[ ",$skip," != *,compile,* ]]; then
    echo
    echo "==> compile time (bench/compile_time.sh)"
    bash bench/compile_time.sh | tee "$build/results/compile_time.md"
fi
echo
echo "run.sh took $((SECONDS - start)) s; table in $build/results/table.md"
