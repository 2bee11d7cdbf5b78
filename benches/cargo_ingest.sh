#!/usr/bin/env bash
# Benchmark: Cargo ingest alone (lockfile + manifests, no output stage), through
# `depgate explain ROOT PATH`: the manifest fast path on all cores and on one core (does the
# parallel manifest read pay?), against `--cargo-metadata`. Prints a Markdown table.
#
# Needs: hyperfine, and the workspaces' crate sources in ~/.cargo (this script runs
# `cargo fetch --locked` in each workspace first).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data=${DEPGATE_DATA:-$root/../shared/data}
runs=${RUNS:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --locked --quiet
bin=$root/target/release/depgate
(cd "$root" && cargo fetch --locked --quiet)
(cd "$root/benches/workspace" && cargo fetch --locked --quiet)

median() { python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
time_of() { # command... -> median seconds
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/h.json" "$*" >/dev/null 2>&1
  median "$out/h.json"
}

echo "| lockfile | packages | fast path | fast path, 1 core | --cargo-metadata --offline |"
echo "|---|---|---|---|---|"
while read -r label lock member; do
  [ -f "$lock" ] || continue
  n=$(grep -c '^\[\[package\]\]' "$lock")
  fast=$(time_of "$bin explain $member $lock --offline")
  one=$(time_of "taskset -c 0 $bin explain $member $lock --offline")
  meta="–"
  if [ -f "$(dirname "$lock")/Cargo.toml" ] && [ "$label" != "nushell" ]; then
    meta="$(time_of "$bin explain $member $lock --offline --cargo-metadata") s"
  fi
  echo "| $label | $n | $fast s | $one s | $meta |"
done <<LIST
depgate $root/Cargo.lock depgate
bench-workspace $root/benches/workspace/Cargo.lock bench-app
nushell $data/lockfiles/nushell/Cargo.lock nu
LIST
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(uname -sm). nushell is a lockfile without its members' manifests or sources (lockfile-only facts)."
