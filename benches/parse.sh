#!/usr/bin/env bash
# Parse benchmark: time and peak memory of `depgate inventory FILE` on the largest real
# inputs in ../shared/data, printed as a Markdown table (paste it into docs/benchmarks.md).
#
# Usage: benches/parse.sh [RUNS]        (default 5 runs per file; the median is reported)
# Env:   DEPGATE_DATA=DIR   the shared data folder (default: ../shared/data beside the repo)
#        DEPGATE_BIN=PATH   a depgate binary (default: builds and uses target/release/depgate)
#
# The driver is the hidden `depgate inventory` command: it ingests the file (parse, edges,
# scopes, roots) and prints a one-line-per-package summary to /dev/null. Wall time is
# measured around each run with nanosecond `date`; peak RSS comes from /usr/bin/time -v.
# Other inputs (SBOMs, other ecosystems) are added by appending to FILES below.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${DEPGATE_DATA:-$root/../shared/data}"
runs="${1:-5}"

if [ ! -d "$data" ]; then
    echo "SKIPPED: $data not found" >&2
    exit 0
fi
if [ -z "${DEPGATE_BIN:-}" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin="$root/target/release/depgate"
else
    bin="$DEPGATE_BIN"
fi
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time (GNU time) is needed for peak memory" >&2
    exit 2
fi

# The largest JavaScript lockfiles of each format (sizes in SOURCES.md).
FILES=(
    lockfiles/babel/yarn.lock
    lockfiles/socket.io/package-lock.json
    lockfiles/warehouse/package-lock.json
    lockfiles/excalidraw/yarn.lock
    lockfiles/vite/pnpm-lock.yaml
    lockfiles/webpack/yarn.lock
    lockfiles/prettier/yarn.lock
    lockfiles/bookstack/package-lock.json
    lockfiles/vue-core/pnpm-lock.yaml
    lockfiles/socket.io/history/package-lock-v1/package-lock.json
)

printf '| input | format | size (KiB) | packages (third-party) | edges | median time (ms) | peak RSS (MiB) |\n'
printf '|---|---|---:|---:|---:|---:|---:|\n'
for relative in "${FILES[@]}"; do
    file="$data/$relative"
    [ -f "$file" ] || { echo "missing: $file" >&2; continue; }
    size_kib=$(( $(stat -c %s "$file") / 1024 ))
    summary="$("$bin" inventory "$file" | sed -n 1p)"
    # "N packages (M third-party), E edges, R roots, I inputs"
    packages="$(echo "$summary" | sed -E 's/^([0-9]+) packages \(([0-9]+) third-party\).*/\1 (\2)/')"
    edges="$(echo "$summary" | sed -E 's/.*, ([0-9]+) edges.*/\1/')"
    format="$("$bin" inventory --format json "$file" | sed -n 's/.*"format": "\(.*\)".*/\1/p' | sed -n 1p)"
    times=()
    peak_kib=0
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        rss=$( { /usr/bin/time -v "$bin" inventory "$file" > /dev/null; } 2>&1 \
            | sed -n 's/.*Maximum resident set size (kbytes): //p')
        end=$(date +%s%N)
        times+=( $(( (end - start) / 1000000 )) )
        if [ "$rss" -gt "$peak_kib" ]; then peak_kib=$rss; fi
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
    peak_mib=$(awk -v k="$peak_kib" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '| `%s` | %s | %d | %s | %s | %s | %s |\n' \
        "${relative#lockfiles/}" "$format" "$size_kib" "$packages" "$edges" "$median" "$peak_mib"
done
