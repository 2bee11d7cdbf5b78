#!/usr/bin/env bash
# Advisory-check benchmark: `depgate check` vs `cargo audit` on the largest Cargo.lock files of
# ../shared/data, side by side with their vulnerability sets, plus the time and peak memory of
# a check that loads every database in ../shared/data, with and without the index.
#
# depgate runs the whole gate with the built-in policy (ingest, licenses, bans, sources,
# advisories, report as JSON), offline; cargo audit only checks advisories. Both read the same
# RustSec directory and never touch the network.
#
# Needs: cargo-audit on PATH (`cargo install --locked cargo-audit`, outside the repo),
# /usr/bin/time and python3. Builds depgate in release mode (delete target/release afterwards
# on a small disk). Usage: benches/advisories.sh [RUNS]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data"
runs="${1:-10}"
[ -d "$data" ] || { echo "SKIPPED: ../shared/data not found" >&2; exit 0; }
command -v cargo-audit >/dev/null || { echo "cargo-audit not installed" >&2; exit 1; }

cargo build --release --quiet --bin depgate --manifest-path "$root/Cargo.toml"
bin="$root/target/release/depgate"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# depgate keeps its advisory index in $DEPGATE_CACHE/index; a fresh cache per benchmark run.
export DEPGATE_CACHE="$work/cache"
unset GITHUB_STEP_SUMMARY

# `depgate check LOCKFILE` against the databases given as `--advisory-db` arguments. Exit 1
# (violations found) is the normal outcome here; anything else is a failure.
check() {
    local lock="$1" status=0
    shift
    # The gaps warnings (no crate sources on this machine) are expected here: not shown.
    "$bin" check "$lock" "$@" --allow-stale-db --offline --format json 2>/dev/null || status=$?
    [ "$status" -le 1 ] || { echo "depgate check $lock failed ($status)" >&2; exit 1; }
}

# The vulnerability set (`ID NAME VERSION` lines, sorted) from a JSON report on stdin.
depgate_set() {
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(sorted(" ".join((f["advisory"]["id"], f["package"]["name"], f["package"]["version"])) for f in d["findings"] if f["code"] == "advisory-vulnerable")))'
}

audit_set() {
    { cargo audit --db "$data/advisory-db" --no-fetch -f "$1" --json 2>/dev/null || true; } |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print("\n".join(sorted(" ".join((v["advisory"]["id"], v["package"]["name"], v["package"]["version"])) for v in d["vulnerabilities"]["list"])))'
}

# Milliseconds of wall time per run, averaged over $runs runs.
avg_ms() {
    local start end
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo $(( (end - start) / runs / 1000000 ))
}

# Milliseconds of one run.
once_ms() {
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}

# Peak resident memory of one run (exit 1, violations found, is not a failure here).
peak_mb() {
    { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } |
        awk '/Maximum resident set size/ {printf "%.1f MB\n", $6/1024}'
}

rustsec=(--advisory-db "$data/advisory-db")
# Build the index once (the first use does this in normal runs too).
check "$data/lockfiles/ripgrep/Cargo.lock" "${rustsec[@]}" >/dev/null

echo "depgate $("$bin" --version | awk '{print $2}'), $(cargo audit --version | awk '{print $NF}' | sed 's/^/cargo-audit /'), $runs runs each"
echo
echo "| lockfile | packages | depgate check ms | the same check without a database ms | cargo audit ms | speed-up | same set | vulnerabilities |"
echo "|---|---|---|---|---|---|---|---|"
for name in nushell uv ruff cargo; do
    lock="$data/lockfiles/$name/Cargo.lock"
    packages=$(grep -c '^\[\[package\]\]' "$lock")
    ours=$(check "$lock" "${rustsec[@]}" | depgate_set)
    theirs=$(audit_set "$lock")
    same=no; [ "$ours" = "$theirs" ] && same=yes
    depgate_ms=$(avg_ms check "$lock" "${rustsec[@]}")
    # Without a database the check fails closed but runs every other stage: the difference
    # is what the advisory stage costs.
    bare_ms=$(avg_ms check "$lock")
    audit_ms=$(avg_ms cargo audit --db "$data/advisory-db" --no-fetch -f "$lock")
    speedup=$(python3 -c "print(f'{$audit_ms / max($depgate_ms, 1):.1f}x')")
    echo "| $name | $packages | $depgate_ms | $bare_ms | $audit_ms | $speedup | $same | $(echo "$ours" | tr '\n' ';' | sed 's/;$//; s/;/; /g') |"
done

# Loading every database: a whole `depgate check` of a two-package lockfile, so the time is
# process start + policy + ingest + the database load + matching (an upper bound of the load).
tiny="$work/tiny/Cargo.lock"
mkdir -p "$(dirname "$tiny")"
cat >"$tiny" <<'EOF'
version = 4

[[package]]
name = "tiny"
version = "0.1.0"
dependencies = ["itoa"]

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
EOF
all=(--advisory-db "$data/advisory-db" --advisory-db "$data/osv")

copy="$work/copy"
mkdir -p "$copy"
cp -r "$data/advisory-db" "$copy/rustsec"
cp -r "$data/osv" "$copy/osv"
for d in rustsec osv; do
    printf '{"source_url":"bench-copy","etag":null,"last_modified":null,"fetched_at":"2026-01-01T00:00:00Z","revision":"bench","advisory_count":0}' >"$copy/$d/.depgate-meta.json"
done
managed=(--advisory-db "$copy/rustsec" --advisory-db "$copy/osv")

echo
echo "\`depgate check\` of a two-package lockfile against every database in ../shared/data"
echo "(advisory-db + osv/*), 3 runs each after the first:"
echo
echo "| how | ms per run | peak memory |"
echo "|---|---|---|"
rm -rf "$DEPGATE_CACHE/index"
printf '| parsing the files (no index) | %s | %s |\n' \
    "$(once_ms check "$tiny" "${all[@]}")" "$(rm -rf "$DEPGATE_CACHE/index"; peak_mb "$bin" check "$tiny" "${all[@]}" --allow-stale-db --offline --format json)"
check "$tiny" "${all[@]}" >/dev/null
times=$(for _ in 1 2 3; do once_ms check "$tiny" "${all[@]}"; done | paste -sd/)
printf '| from the index, user-given directories (a stat per file and directory) | %s | %s |\n' \
    "$times" "$(peak_mb "$bin" check "$tiny" "${all[@]}" --allow-stale-db --offline --format json)"
check "$tiny" "${managed[@]}" >/dev/null
times=$(for _ in 1 2 3; do once_ms check "$tiny" "${managed[@]}"; done | paste -sd/)
printf '| from the index, a `db update`-managed copy (fingerprint from `.depgate-meta.json`) | %s | %s |\n' \
    "$times" "$(peak_mb "$bin" check "$tiny" "${managed[@]}" --allow-stale-db --offline --format json)"

echo
echo "Peak memory of \`depgate check\` on nushell (1035 packages) with every database, from the index:"
peak_mb "$bin" check "$data/lockfiles/nushell/Cargo.lock" "${all[@]}" --allow-stale-db --offline --format json
echo
