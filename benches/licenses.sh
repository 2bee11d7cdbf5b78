#!/usr/bin/env bash
# Benchmark: `depgate licenses` (JSON, HTML) and `depgate notices` (text, HTML) on two real
# workspaces, this repository and benches/workspace (419 crates), offline from the cargo
# registry cache. Prints a Markdown table of median wall time and peak memory.
#
# Needs hyperfine (apt-get install hyperfine) and Cargo.lock ingest. The crate sources must be in
# ~/.cargo: this script runs `cargo fetch` in both workspaces first (the only network use).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${RUNS:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cargo build --release --locked --quiet
bin=${DEPGATE_BIN:-$root/target/release/depgate}
(cd "$root" && cargo fetch --locked --quiet)
(cd "$root/benches/workspace" && cargo fetch --locked --quiet)

median() { # hyperfine JSON -> median seconds
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}
peak_mb() { # peak RSS of one run, MB
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}

echo "| workspace | crates | command | median of $runs | peak RSS |"
echo "|---|---:|---|---:|---:|"
for ws in "$root" "$root/benches/workspace"; do
  n=$(grep -c '^source = ' "$ws/Cargo.lock")
  name=$(basename "$ws")
  for command in "licenses --format json" "licenses --format html" "notices --format text" "notices --format html"; do
    # shellcheck disable=SC2086
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$out/h.json" \
      "$bin $command -o $out/report $ws" >/dev/null 2>&1
    # shellcheck disable=SC2086
    echo "| \`$name\` | $n | \`depgate $command\` | $(median "$out/h.json") s | $(peak_mb "$bin" $command -o "$out/report" "$ws") MB |"
  done
done
