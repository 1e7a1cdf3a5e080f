#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Builds the libFuzzer harnesses with the `fuzz` preset (clang++) and runs each one for
# SECONDS (default 60) on a scratch copy of its seed corpus tests/fuzz/corpus/<name>/ (the
# repository is never written), with its dictionary if there is one. Exits 1 if any harness
# found a crash, a leak, a timeout or an invariant violation; the input that did it is kept as
# <build>/fuzz-artifacts/<name>-crash-<sha1> and printed in hex. See docs/fuzzing.md.
#
#   tests/fuzz/run.sh [SECONDS] [NAME...]     NAME: run only these harnesses
# Environment: NETLITE_FUZZ_BUILD_DIR (default build/fuzz), NETLITE_FUZZ_ARGS (extra
# libFuzzer flags, e.g. "-jobs=2" or "-max_len=256").
set -euo pipefail

seconds=${1:-60}
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [SECONDS] [NAME...]" >&2
    exit 2
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${NETLITE_FUZZ_BUILD_DIR:-$root/build/fuzz}
artifacts="$build/fuzz-artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/netlite-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$root"
cmake --preset fuzz -B "$build" >/dev/null
cmake --build "$build" --target netlite_fuzzers
mkdir -p "$artifacts"

names=("$@")
if ((${#names[@]} == 0)); then
    for dir in tests/fuzz/corpus/*/; do names+=("$(basename "$dir")"); done
fi

failed=()
summary=()
for name in "${names[@]}"; do
    binary="$build/fuzzers/$name"
    if [[ ! -x "$binary" ]]; then
        echo "error: $binary was not built (is its code under test missing?)" >&2
        failed+=("$name")
        continue
    fi
    rm -f "$artifacts/$name"-*  # stale findings of an earlier run
    corpus="$work/$name"
    mkdir -p "$corpus"
    cp tests/fuzz/corpus/"$name"/* "$corpus"/
    flags=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
           -artifact_prefix="$artifacts/$name-")
    if [[ -f "tests/fuzz/$name.dict" ]]; then flags+=(-dict="tests/fuzz/$name.dict"); fi
    # shellcheck disable=SC2206 # NETLITE_FUZZ_ARGS is a list of flags on purpose
    flags+=(${NETLITE_FUZZ_ARGS:-})
    log="$work/$name.log"
    echo
    echo "==> fuzzing $name for ${seconds} s"
    status=0
    "$binary" "${flags[@]}" "$corpus" >"$log" 2>&1 || status=$?
    # The last status line (cov/corp/exec/s) and the final statistics.
    grep -E '^#[0-9]+' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    entries=$(find "$corpus" -type f | wc -l)
    line=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+' || echo "cov: ?")
    execs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' ||
        echo "?")
    if ((status != 0)); then
        echo "FAILED: $name (exit status $status); the fuzzer's report:"
        grep -vE '^#[0-9]+' "$log" | head -n 150
        for crash in "$artifacts/$name"-*; do
            [[ -f "$crash" ]] || continue
            echo "--- reproducer $crash (replay: $binary $crash):"
            od -A d -t x1z -v "$crash" | head -n 40
        done
        failed+=("$name")
        summary+=("$(printf 'FAILED %-16s %s execs, %s, corpus %s' "$name" "$execs" "$line" "$entries")")
    else
        summary+=("$(printf 'ok     %-16s %s execs, %s, corpus %s' "$name" "$execs" "$line" "$entries")")
    fi
done

echo
echo "==> fuzz summary (${seconds} s per harness)"
printf '    %s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "fuzzing found problems in: ${failed[*]}" >&2
    exit 1
fi
