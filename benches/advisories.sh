#!/usr/bin/env bash
# Advisory-check benchmark: depgate's advisory library vs `cargo audit` on the largest
# Cargo.lock files of ../shared/data, side by side with their vulnerability sets, plus the
# time and peak memory of loading every database in ../shared/data from the index.
#
# Until `depgate check` is wired to the advisory stage, depgate is driven through the
# `advisory_check` example (same library code: load_sources + match_inventory).
#
# Needs: cargo-audit on PATH (`cargo install --locked cargo-audit`, outside the repo) and
# /usr/bin/time. Usage: benches/advisories.sh [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data"
runs="${1:-10}"
[ -d "$data" ] || { echo "SKIPPED: ../shared/data not found" >&2; exit 0; }
command -v cargo-audit >/dev/null || { echo "cargo-audit not installed" >&2; exit 1; }

cargo build --release --quiet --example advisory_check --manifest-path "$root/Cargo.toml"
bin="$root/target/release/examples/advisory_check"
index="$(mktemp -d)"
trap 'rm -rf "$index"' EXIT

# Build the indexes once (the first use does this in normal runs too).
"$bin" --index "$index" --db "$data/advisory-db" >/dev/null 2>&1

# Milliseconds of wall time per run, averaged over $runs runs.
avg_ms() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo $(( (end - start) / runs / 1000000 ))
}

audit_set() {
    { cargo audit --db "$data/advisory-db" --no-fetch -f "$1" --json 2>/dev/null || true; } |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(sorted(" ".join((v["advisory"]["id"], v["package"]["name"], v["package"]["version"])) for v in d["vulnerabilities"]["list"])))'
}

echo "| lockfile | packages | depgate ms | cargo audit ms | speed-up | same set | vulnerabilities |"
echo "|---|---|---|---|---|---|---|"
for name in nushell uv ruff cargo; do
    lock="$data/lockfiles/$name/Cargo.lock"
    packages=$(grep -c '^\[\[package\]\]' "$lock")
    ours=$("$bin" --index "$index" --db "$data/advisory-db" "$lock" 2>/dev/null | sort)
    theirs=$(audit_set "$lock")
    same=no; [ "$ours" = "$theirs" ] && same=yes
    depgate_ms=$(avg_ms "$bin" --index "$index" --db "$data/advisory-db" "$lock")
    audit_ms=$(avg_ms cargo audit --db "$data/advisory-db" --no-fetch -f "$lock")
    speedup=$(python3 -c "print(f'{$audit_ms / max($depgate_ms, 1):.1f}x')")
    echo "| $name | $packages | $depgate_ms | $audit_ms | $speedup | $same | $(echo "$ours" | tr '\n' ';' | sed 's/;$//; s/;/; /g') |"
done

echo
echo "Loading every database in ../shared/data (advisory-db + osv/*):"
all=(--db "$data/advisory-db" --db "$data/osv")
"$bin" "${all[@]}" 2>&1 >/dev/null | sed 's/^/  without index: /'
"$bin" --index "$index" "${all[@]}" >/dev/null 2>&1
for _ in 1 2 3; do
    "$bin" --index "$index" "${all[@]}" 2>&1 >/dev/null | sed 's/^/  from index:    /'
done
/usr/bin/time -v "$bin" --index "$index" "${all[@]}" 2>&1 >/dev/null |
    awk '/Maximum resident set size/ {printf "  peak memory (from index): %.1f MB\n", $6/1024}'

echo
echo "The same data as a cache that \`db update\` manages (with .depgate-meta.json, so the index"
echo "is keyed by the metadata and no file is stat'ed):"
copy="$index/copy"
mkdir -p "$copy"
cp -r "$data/advisory-db" "$copy/rustsec"
cp -r "$data/osv" "$copy/osv"
for d in rustsec osv; do
    printf '{"source_url":"bench-copy","etag":null,"last_modified":null,"fetched_at":"2026-01-01T00:00:00Z","revision":"bench","advisory_count":0}' >"$copy/$d/.depgate-meta.json"
done
managed=(--db "$copy/rustsec" --db "$copy/osv")
"$bin" --index "$index" "${managed[@]}" >/dev/null 2>&1
for _ in 1 2 3; do
    "$bin" --index "$index" "${managed[@]}" 2>&1 >/dev/null | sed 's/^/  from index:    /'
done
/usr/bin/time -v "$bin" --index "$index" "${managed[@]}" 2>&1 >/dev/null |
    awk '/Maximum resident set size/ {printf "  peak memory (from index): %.1f MB\n", $6/1024}'
