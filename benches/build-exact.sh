#!/usr/bin/env bash
# Build-exact benchmark: what `--target` costs `depgate check` on nushell (1,000 crates, 42
# workspace members), side by side with `cargo tree` resolving the same build.
#
# Rows: `depgate check` without a build (every platform and feature, the lockfile as it is),
# `depgate check --target T`, `depgate sbom --target T`, and `cargo tree --target T -e
# normal,build --workspace` (cargo's own resolution of the same set, offline). depgate runs
# the whole gate offline against ../shared/data/advisory-db. Prints a Markdown table of the
# min / median / max wall time and CPU time (user + system, the steadier number on a machine
# shared with other builds) in milliseconds of RUNS runs each, then the overhead of the
# resolution and the ratio to cargo tree.
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

python3 - "$runs" "$target" "$workspace" "$bin" "$data/advisory-db" <<'PYTHON'
import os, resource, subprocess, sys, time

runs, target, workspace, binary, database = sys.argv[1:]
runs = int(runs)
lockfile = os.path.join(workspace, "Cargo.lock")
check = [binary, "check", lockfile, "--advisory-db", database, "--allow-stale-db",
         "--offline", "--format", "json"]
rows = [
    ("depgate check (no build)", check),
    ("depgate check --target", check + ["--target", target]),
    ("depgate sbom --target", [binary, "sbom", lockfile, "--offline", "--target", target]),
    ("cargo tree --target -e normal,build --workspace",
     ["cargo", "tree", "--offline", "--locked", "--workspace", "--target", target,
      "-e", "normal,build", "--prefix", "none", "-f", "{p} {f}"]),
]

def once(command):
    """Wall and CPU milliseconds of one run (exit 1, a violated policy, is normal)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    status = subprocess.run(command, cwd=workspace, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if status > 1:
        sys.exit(f"{' '.join(command)} failed with exit code {status}")
    return wall * 1000, cpu * 1000

def stats(values):
    values = sorted(values)
    return values[0], values[len(values) // 2], values[-1]

with open(lockfile) as text:
    crates = sum(1 for line in text if line.strip() == "[[package]]")
print(f"nushell ({crates} crates), target {target}, {runs} runs, milliseconds")
print()
print("| command | wall min | wall median | wall max | CPU min | CPU median | CPU max |")
print("|---|---:|---:|---:|---:|---:|---:|")
medians = {}
for name, command in rows:
    once(command)  # warm the page cache and the advisory index
    samples = [once(command) for _ in range(runs)]
    wall = stats([w for w, _ in samples])
    cpu = stats([c for _, c in samples])
    medians[name] = (wall[1], cpu[1])
    print(f"| {name} | " + " | ".join(f"{v:.0f}" for v in wall + cpu) + " |")
print()
plain = medians["depgate check (no build)"]
with_target = medians["depgate check --target"]
sbom = medians["depgate sbom --target"]
tree = medians["cargo tree --target -e normal,build --workspace"]
for label, index in (("wall", 0), ("CPU", 1)):
    overhead = 100 * (with_target[index] - plain[index]) / plain[index]
    print(f"{label}: resolution adds {overhead:+.1f}% to check (goal: at most +20%); "
          f"cargo tree takes {tree[index] / sbom[index]:.1f}x `sbom --target` and "
          f"{tree[index] / with_target[index]:.1f}x `check --target` (goal: 10x)")
PYTHON
