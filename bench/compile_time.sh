#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# compile_time.sh: what including netlite costs a translation unit, against standalone asio.
#   1. `g++ -O2 -c` time of a TU with a trivial connect that includes <netlite/socket.hpp>,
#      and of the same TU written with <asio/ip/tcp.hpp>; ratio (budget: at most 0.15x).
#      The time is the compiler's CPU time (user + sys), median of 5: unlike wall time it
#      hardly moves when other work shares the machine. Wall time is printed too.
#   2. Preprocessed lines of <netlite/netlite.hpp> (`g++ -E -std=c++17 -Iinclude | wc -l`,
#      budget: under 40k), with <netlite/socket.hpp> and <asio/ip/tcp.hpp> for comparison.
#   3. The floor under both: an empty TU, and a TU that includes only the standard and OS
#      headers that netlite's own headers include (found with g++ -H), without any netlite code.
# Prints a markdown table; the last line is key=value for scripts. Without asio the asio rows
# say "skipped". Env: CXX (default g++), COMPILE_RUNS (default 5).
#
# Try: bash bench/compile_time.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cxx="${CXX:-g++}"
runs="${COMPILE_RUNS:-5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/netlite-compile.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cat >"$work/netlite_connect.cpp" <<'EOF'
#include <netlite/socket.hpp>

int main() {
    std::error_code ec;
    netlite::tcp_stream s;
    s.connect(*netlite::endpoint::parse("127.0.0.1:9"), ec);
    return ec ? 1 : 0;
}
EOF

cat >"$work/asio_connect.cpp" <<'EOF'
#include <asio/ip/tcp.hpp>

int main() {
    asio::error_code ec;
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address_v4("127.0.0.1"), 9}, ec);
    return ec ? 1 : 0;
}
EOF

echo 'int main() { return 0; }' >"$work/empty.cpp"

# The headers from outside netlite that netlite's headers include themselves: g++ -H prints
# every header opened, with one dot per nesting level; keep those whose parent is netlite's.
echo '#include <netlite/socket.hpp>' |
    "$cxx" -std=c++17 -I"$root/include" -H -E -x c++ - 2>&1 >/dev/null |
    awk '/^\.+ / { d = length($1); st[d] = $2; parent = (d > 1) ? st[d - 1] : "";
                   if (parent ~ /include\/netlite\// && $2 !~ /include\/netlite\//) print $2 }' |
    sort -u | sed 's/.*/#include "&"/' >"$work/floor.cpp"
floor_headers=$(wc -l <"$work/floor.cpp")
echo 'int main() { return 0; }' >>"$work/floor.cpp"

have_asio=0
if echo '#include <asio/ip/tcp.hpp>' | "$cxx" -std=c++17 -x c++ -fsyntax-only - 2>/dev/null; then
    have_asio=1
fi

# compile_times FILE: prints "CPU WALL", the medians in seconds of `runs` compiles.
compile_times() {
    local file=$1 i out cpu=() wall=()
    for ((i = 0; i < runs; i++)); do
        out=$({ TIMEFORMAT='%R %U %S'; time "$cxx" -std=c++17 -O2 -I"$root/include" -c \
            "$file" -o "$work/out.o"; } 2>&1 | tail -n 1)
        wall+=("$(awk '{ print $1 }' <<<"$out")")
        cpu+=("$(awk '{ printf "%.3f", $2 + $3 }' <<<"$out")")
    done
    printf '%s %s\n' "$(median "${cpu[@]}")" "$(median "${wall[@]}")"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        printf "%.3f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# preprocessed_lines HEADER: lines after preprocessing the header alone.
preprocessed_lines() {
    echo "#include <$1>" | "$cxx" -E -std=c++17 -I"$root/include" -x c++ - | wc -l
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

read -r netlite_cpu netlite_wall < <(compile_times "$work/netlite_connect.cpp")
read -r empty_cpu empty_wall < <(compile_times "$work/empty.cpp")
read -r floor_cpu floor_wall < <(compile_times "$work/floor.cpp")
netlite_all_lines=$(preprocessed_lines netlite/netlite.hpp)
netlite_socket_lines=$(preprocessed_lines netlite/socket.hpp)
floor_lines=$("$cxx" -E -std=c++17 -I"$root/include" "$work/floor.cpp" | wc -l)
if ((have_asio)); then
    read -r asio_cpu asio_wall < <(compile_times "$work/asio_connect.cpp")
    asio_lines=$(preprocessed_lines asio/ip/tcp.hpp)
    ratio_cpu=$(ratio "$netlite_cpu" "$asio_cpu")
    ratio_wall=$(ratio "$netlite_wall" "$asio_wall")
    floor_ratio=$(ratio "$floor_cpu" "$asio_cpu")
    empty_ratio=$(ratio "$empty_cpu" "$asio_cpu")
    lines_ratio=$(ratio "$netlite_socket_lines" "$asio_lines")
    floor_lines_ratio=$(ratio "$floor_lines" "$asio_lines")
    verdict=$(awk -v r="$ratio_cpu" 'BEGIN { print (r <= 0.15) ? "met" : "MISSED" }')
else
    asio_cpu="skipped" asio_wall="skipped" asio_lines="skipped (no asio/ip/tcp.hpp: apt-get install libasio-dev)"
    ratio_cpu="n/a" ratio_wall="n/a" floor_ratio="n/a" empty_ratio="n/a" lines_ratio="n/a"
    floor_lines_ratio="n/a" verdict="n/a"
fi
lines_verdict=$(awk -v n="$netlite_all_lines" 'BEGIN { print (n < 40000) ? "met" : "MISSED" }')

echo "compiler: $("$cxx" --version | head -n1); g++ -std=c++17 -O2 -c; median of ${runs} runs;"
echo "CPU = user + sys seconds of the compiler, wall in brackets; ratios are to the asio TU."
echo
echo "| translation unit | CPU s (wall s) | / asio | preprocessed lines | / asio | budget | verdict |"
echo "|---|---|---|---|---|---|---|"
echo "| trivial connect with <netlite/socket.hpp> | ${netlite_cpu} (${netlite_wall}) |" \
    "${ratio_cpu} (wall ${ratio_wall}) | ${netlite_socket_lines} | ${lines_ratio} | <= 0.15x | ${verdict} |"
echo "| trivial connect with <asio/ip/tcp.hpp> | ${asio_cpu} (${asio_wall}) | 1 |" \
    "${asio_lines} | 1 | | |"
echo "| <netlite/netlite.hpp> (everything) | | | ${netlite_all_lines} | | < 40000 lines |" \
    "${lines_verdict} |"
echo "| floor: only the ${floor_headers} std/OS headers socket.hpp includes | ${floor_cpu}" \
    "(${floor_wall}) | ${floor_ratio} | ${floor_lines} | ${floor_lines_ratio} | | |"
echo "| floor: empty TU | ${empty_cpu} (${empty_wall}) | ${empty_ratio} | | | | |"
echo
echo "compile_netlite_cpu_s=${netlite_cpu} compile_asio_cpu_s=${asio_cpu} compile_ratio=${ratio_cpu}" \
    "compile_floor_cpu_s=${floor_cpu} lines_netlite_hpp=${netlite_all_lines}" \
    "lines_socket_hpp=${netlite_socket_lines} lines_floor=${floor_lines}" \
    "lines_asio_tcp_hpp=${asio_lines%% *}"
