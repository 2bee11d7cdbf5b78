#!/usr/bin/env bash
# Build-exact benchmark: what `--target` costs `depgate check` on nushell (1,000 crates, 42
# workspace members), side by side with `cargo tree` resolving the same build.
#
# Rows: `depgate check` without a build (every platform and feature, the lockfile as it is),
# `depgate check --target T`, `depgate sbom --target T`, and `cargo tree --target T -e
# normal,build --workspace` (cargo's own resolution of the same set, offline). depgate runs
# the whole gate offline against ../shared/data/advisory-db. Prints min / median / max wall
# time in milliseconds of RUNS runs each, then the overhead of resolution and the ratio to
# cargo tree.
#
# Needs: the nushell crates in the cargo home (`cargo fetch --locked` in a copy of the
# workspace), python3. Builds depgate in release mode.
# Usage: benches/build-exact.sh [RUNS] [TARGET]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data"
runs="${1:-5}"
target="${2:-x86_64-unknown-linux-gnu}"
workspace="$data/workspaces/nushell"
[ -d "$workspace" ] || { echo "SKIPPED: $workspace not found" >&2; exit 0; }

cargo build --release --locked --quiet --bin depgate --manifest-path "$root/Cargo.toml"
bin="$root/target/release/depgate"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DEPGATE_CACHE="$work/cache"
# cargo tree writes nothing into the workspace with --locked; its target dir stays here.
export CARGO_TARGET_DIR="$work/target"
unset GITHUB_STEP_SUMMARY

# The reference must work offline, or the comparison means nothing.
if ! (cd "$workspace" && cargo tree --offline --locked --workspace --target "$target" -e normal,build >/dev/null 2>&1); then
    echo "SKIPPED: \`cargo tree --offline\` fails in $workspace (crates not fetched?)" >&2
    exit 0
fi

check() {
    local status=0
    "$bin" check "$workspace/Cargo.lock" --advisory-db "$data/advisory-db" \
        --allow-stale-db --offline --format json "$@" >/dev/null 2>&1 || status=$?
    [ "$status" -le 1 ] || { echo "depgate check failed ($status)" >&2; exit 1; }
}
sbom() {
    "$bin" sbom "$workspace/Cargo.lock" --offline "$@" >/dev/null 2>&1
}
tree() {
    (cd "$workspace" && cargo tree --offline --locked --workspace --target "$target" \
        -e normal,build --prefix none -f "{p} {f}" >/dev/null 2>&1)
}

# "min median max" in milliseconds of $runs runs of the command.
measure() {
    local times=() start end
    "$@" # warm the page cache and the advisory index first
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        "$@"
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | python3 -c '
import sys
t = [int(x) for x in sys.stdin.read().split()]
print(t[0], t[len(t) // 2], t[-1])'
}

read -r plain_min plain_median plain_max < <(measure check)
read -r target_min target_median target_max < <(measure check --target "$target")
read -r sbom_min sbom_median sbom_max < <(measure sbom --target "$target")
read -r tree_min tree_median tree_max < <(measure tree)

echo "nushell ($(grep -c '^\[\[package\]\]' "$workspace/Cargo.lock") crates), target $target, $runs runs, ms"
printf '%-48s %8s %8s %8s\n' "command" "min" "median" "max"
printf '%-48s %8s %8s %8s\n' "depgate check (no build)" "$plain_min" "$plain_median" "$plain_max"
printf '%-48s %8s %8s %8s\n' "depgate check --target" "$target_min" "$target_median" "$target_max"
printf '%-48s %8s %8s %8s\n' "depgate sbom --target" "$sbom_min" "$sbom_median" "$sbom_max"
printf '%-48s %8s %8s %8s\n' "cargo tree --target -e normal,build --workspace" "$tree_min" "$tree_median" "$tree_max"
python3 - "$plain_median" "$target_median" "$tree_median" "$sbom_median" <<'EOF'
import sys
plain, target, tree, sbom = (int(x) for x in sys.argv[1:])
print(f"resolution adds {100 * (target - plain) / plain:+.1f}% to check (goal: at most +20%)")
print(f"cargo tree / depgate sbom --target: {tree / max(sbom, 1):.1f}x (goal: depgate 10x faster)")
print(f"cargo tree / depgate check --target: {tree / max(target, 1):.1f}x")
EOF
