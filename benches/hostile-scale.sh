#!/usr/bin/env bash
# Measures `check` and `sbom` on generated lockfiles and SBOMs of many packages (a go.mod, a
# Gemfile.lock, a Cargo.lock and a CycloneDX JSON), and prints a Markdown table of packages,
# seconds, peak resident memory and exit code per run.
#
#   benches/hostile-scale.sh [PACKAGES...]       (default: 100000 1000000)
#
# KINDS picks the inputs (default: "go.mod Gemfile.lock Cargo.lock bom.cdx.json").
# DEPGATE (default target/release/depgate, built if missing) is the binary measured; the
# inputs go to a temporary directory (TMPDIR), removed at the end. Needs GNU time
# (/usr/bin/time -v). Each run is given the package-count and input-size limits it needs
# (--max-packages, --max-input-mb), so the run measures the work, not the limit.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
depgate=${DEPGATE:-$repo/target/release/depgate}
sizes=${*:-100000 1000000}
if [[ ! -x $depgate ]]; then
    (cd "$repo" && cargo build --release --locked --bin depgate >&2)
fi
if [[ ! -x /usr/bin/time ]]; then
    echo "error: GNU time (/usr/bin/time) is needed to measure peak memory" >&2
    exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/depgate-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
# An empty advisory database: the runs measure reading, enriching and evaluating the
# inventory, not matching against a particular database.
mkdir -p "$work/osv"

# generate KIND COUNT DIR: writes one input of COUNT packages into DIR.
generate() {
    local kind=$1 count=$2 dir=$3
    mkdir -p "$dir"
    case $kind in
    go.mod)
        awk -v n="$count" 'BEGIN {
            print "module example.com/big\n\ngo 1.22\n\nrequire ("
            for (i = 0; i < n; i++) printf "\tgithub.com/org%d/module%d v1.%d.%d\n", i % 97, i, i % 13, i % 7
            print ")" }' >"$dir/go.mod"
        ;;
    Gemfile.lock)
        awk -v n="$count" 'BEGIN {
            print "GEM\n  remote: https://rubygems.org/\n  specs:"
            for (i = 0; i < n; i++) printf "    gem%d (1.%d.%d)\n", i, i % 13, i % 7
            print "\nPLATFORMS\n  ruby\n\nDEPENDENCIES"
            for (i = 0; i < n; i++) printf "  gem%d\n", i
            print "\nBUNDLED WITH\n   2.5.3" }' >"$dir/Gemfile.lock"
        ;;
    Cargo.lock)
        # The workspace's own package first (Cargo always locks it), depending on the rest.
        awk -v n="$count" 'BEGIN {
            print "version = 4\n\n[[package]]\nname = \"big\"\nversion = \"0.1.0\"\ndependencies = ["
            for (i = 0; i < n; i++) printf " \"crate%d\",\n", i
            print "]\n"
            for (i = 0; i < n; i++) {
                printf "[[package]]\nname = \"crate%d\"\nversion = \"1.%d.%d\"\n", i, i % 13, i % 7
                print "source = \"registry+https://github.com/rust-lang/crates.io-index\""
                printf "checksum = \"%064x\"\n\n", i
            } }' >"$dir/Cargo.lock"
        ;;
    bom.cdx.json)
        awk -v n="$count" 'BEGIN {
            print "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"version\": 1, \"components\": ["
            for (i = 0; i < n; i++)
                printf "%s{\"type\": \"library\", \"bom-ref\": \"c%d\", \"name\": \"component%d\", \"version\": \"1.%d.%d\", \"purl\": \"pkg:npm/component%d@1.%d.%d\", \"licenses\": [{\"license\": {\"id\": \"MIT\"}}]}\n", (i ? "," : ""), i, i, i % 13, i % 7, i, i % 13, i % 7
            print "]}" }' >"$dir/bom.cdx.json"
        ;;
    esac
}

rows=()
for count in $sizes; do
    for kind in ${KINDS:-go.mod Gemfile.lock Cargo.lock bom.cdx.json}; do
        dir="$work/$kind-$count"
        generate "$kind" "$count" "$dir"
        input="$dir/$kind"
        megabytes=$(( $(stat -c %s "$input") / 1024 / 1024 ))
        limits=(--max-packages $((count + 10)) --max-input-mb $((megabytes + 1)))
        for command in check sbom; do
            if [[ $command == check ]]; then
                arguments=(check "$input" --offline --advisory-db "$work/osv" --format json)
            else
                arguments=(sbom "$input" --format cyclonedx-json)
            fi
            status=0
            /usr/bin/time -v -o "$work/time" "$depgate" "${limits[@]}" "${arguments[@]}" \
                >"$work/out" 2>"$work/err" || status=$?
            seconds=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
                awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
            peak=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time") / 1024 ))
            row="| $kind | $command | $count | $megabytes | $seconds | $peak | $status |"
            rows+=("$row")
            echo "$row" >&2
            if [[ $status -ge 2 ]]; then
                sed 's/^/    /' "$work/err" | head -5 >&2
            fi
        done
        rm -rf "$dir"
    done
done

echo
echo "$(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo
echo "| input | command | packages | MB | seconds | peak MB | exit |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
