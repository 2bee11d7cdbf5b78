#!/usr/bin/env bash
# Benchmark: SBOM generation time of `depgate sbom` on the largest lockfiles in ../shared/data
# and on two real workspaces (this repository and benches/workspace), side by side with
# `cargo cyclonedx` on the same workspaces. Prints a Markdown table.
#
# Needs: hyperfine (apt-get install hyperfine) and, for the comparison, cargo-cyclonedx
# (`cargo install --locked cargo-cyclonedx`, outside this repository). The crate sources of
# both workspaces must be in ~/.cargo (run `cargo fetch` in each first; this script does).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data=${DEPGATE_DATA:-$root/../shared/data}
runs=${RUNS:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# DEPGATE_BIN=path/to/depgate skips the release build.
bin=${DEPGATE_BIN:-$root/target/release/depgate}
[ -n "${DEPGATE_BIN:-}" ] || cargo build --release --locked --quiet
(cd "$root" && cargo fetch --locked --quiet)
(cd "$root/benches/workspace" && cargo fetch --locked --quiet)

median() { # hyperfine JSON -> median seconds
  python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"
}
peak_mb() { # peak RSS of one run, MB
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1/1024}'
}

echo "| input | packages | depgate sbom (median of $runs) | peak RSS | cargo cyclonedx | speed-up |"
echo "|---|---|---|---|---|---|"
for lock in nushell/Cargo.lock uv/Cargo.lock ruff/Cargo.lock cargo/Cargo.lock ripgrep/Cargo.lock; do
  file=$data/lockfiles/$lock
  [ -f "$file" ] || continue
  n=$(grep -c '^\[\[package\]\]' "$file")
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/h.json" \
    "$bin sbom $file --format cyclonedx-json -o $out/sbom.json" >/dev/null 2>&1
  echo "| \`$lock\` (lockfile only) | $n | $(median "$out/h.json") s | $(peak_mb "$bin" sbom "$file" -o "$out/sbom.json") MB | – | – |"
done

for ws in "$root" "$root/benches/workspace"; do
  name=$(basename "$ws"); [ "$ws" = "$root" ] && name="depgate (this repo)"
  n=$(grep -c '^\[\[package\]\]' "$ws/Cargo.lock")
  hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/d.json" \
    "$bin sbom $ws --format cyclonedx-json --offline -o $out/sbom.json" >/dev/null 2>&1
  d=$(median "$out/d.json")
  c="–"; speed="–"
  if command -v cargo-cyclonedx >/dev/null 2>&1; then
    # cargo cyclonedx writes beside each manifest: run it on a scratch copy.
    copy=$out/ws-copy; rm -rf "$copy"; mkdir -p "$copy"
    (cd "$ws" && git ls-files -z 2>/dev/null | xargs -0 -I{} cp --parents {} "$copy" 2>/dev/null) || cp -r "$ws/." "$copy"
    [ -f "$copy/Cargo.lock" ] || cp "$ws/Cargo.lock" "$copy/"
    hyperfine --warmup 1 --runs "$runs" --export-json "$out/c.json" \
      "cd $copy && CARGO_NET_OFFLINE=true cargo cyclonedx --format json >/dev/null" >/dev/null 2>&1
    c=$(median "$out/c.json")
    speed=$(python3 -c "print('%.1f×' % ($c/$d))")
    c="$c s"
  fi
  echo "| $name (workspace) | $n | $d s | $(peak_mb "$bin" sbom "$ws" --offline -o "$out/sbom.json") MB | $c | $speed |"
done
echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sm)."
