#!/usr/bin/env bash
# Benchmark: parse time and peak memory for the largest real-world SBOMs in ../shared/data/sboms.
#
# Usage: benches/parse-sbom.sh [COUNT]   (COUNT largest SBOMs, default 8)
# Builds the `ingest_bench` example in release mode, runs it once per SBOM under /usr/bin/time,
# and prints a Markdown table. "parse" is the in-process time of `depgate::ingest::ingest`
# (read, detect, parse, build the inventory); "peak RSS" is the whole process's maximum
# resident set size. Set PROFILE=dev to skip the release build (numbers are then not
# representative).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${DEPGATE_DATA:-$root/../shared/data}/sboms"
count="${1:-8}"
profile="${PROFILE:-release}"

if [ ! -d "$data" ]; then
    echo "SKIPPED: $data not found" >&2
    exit 0
fi
if [ ! -x /usr/bin/time ]; then
    echo "error: /usr/bin/time (GNU time) is needed for peak memory" >&2
    exit 2
fi

if [ "$profile" = "release" ]; then
    cargo build --quiet --release --example ingest_bench --manifest-path "$root/Cargo.toml"
    binary="$root/target/release/examples/ingest_bench"
else
    cargo build --quiet --example ingest_bench --manifest-path "$root/Cargo.toml"
    binary="$root/target/debug/examples/ingest_bench"
fi

# The SBOMs are the files whose names carry `.cdx` or `.spdx` (inputs and the non-SBOM sample
# beside them do not), largest first.
mapfile -t files < <(find "$data" -type f \( -name '*.cdx*' -o -name '*.spdx*' \) -printf '%s\t%p\n' \
    | sort -rn | head -n "$count" | cut -f2)

printf '| SBOM | size | packages | edges | parse (ms) | wall (s) | peak RSS (MiB) |\n'
printf '| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for file in "${files[@]}"; do
    size_kib=$(( $(stat -c %s "$file") / 1024 ))
    timing=$(mktemp)
    line=$(/usr/bin/time -f '%e %M' -o "$timing" "$binary" "$file")
    read -r wall peak_kib < "$timing"
    rm -f "$timing"
    packages=$(sed -n 's/.*packages=\([0-9]*\).*/\1/p' <<< "$line")
    edges=$(sed -n 's/.*edges=\([0-9]*\).*/\1/p' <<< "$line")
    millis=$(sed -n 's/.*millis=\([0-9.]*\).*/\1/p' <<< "$line")
    peak_mib=$(awk -v k="$peak_kib" 'BEGIN { printf "%.1f", k / 1024 }')
    printf '| `%s` | %d KiB | %s | %s | %s | %s | %s |\n' \
        "$(basename "$file")" "$size_kib" "$packages" "$edges" "$millis" "$wall" "$peak_mib"
done
