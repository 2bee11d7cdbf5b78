#!/usr/bin/env bash
# Benchmark: depgate against its peer tools on real projects, side by side in one run, and
# depgate alone on synthetic inventories of 1k to 100k packages. Prints Markdown tables.
#
#   check          `depgate check WS`          vs `cargo deny check` (benches/speed-deny.toml)
#   sbom           `depgate sbom WS`           vs `cargo cyclonedx`
#   lockfile-only  `depgate check WS/Cargo.lock --policy benches/speed-advisories.toml`
#                                              vs `cargo audit` (same advisory database)
#   jellyfin sbom  `depgate sbom package-lock.json` vs `cdxgen` on the same lockfile
#
# on ../shared/data/workspaces/{nushell,ripgrep,jellyfin-web}, offline, against the RustSec
# copy ../shared/data/advisory-db. depgate's "first run" empties its cache directory
# (DEPGATE_CACHE: advisory index, license-detection results) before every run; "warm" keeps it.
# Every cell is min / median / max of RUNS runs (default 5, hyperfine); peak RSS is the
# maximum resident set of one more run (/usr/bin/time -f %M). A second table measures the
# first run of a pipeline: `depgate db update --no-osv` from a loopback mirror of the same
# database (python3's http.server on 127.0.0.1), then `check` with every other cache empty.
#
# Needs: hyperfine, GNU time, python3, valgrind, lld (`ld.lld`); cargo-deny, cargo-audit, cargo-cyclonedx
# (`cargo install --locked ...`) and cdxgen (`npm install -g @cyclonedx/cdxgen`), outside this
# repository. A missing peer tool leaves its cells as "–". The workspaces are copied to a
# scratch directory (cargo cyclonedx writes beside each manifest) and `cargo fetch --locked`
# runs there once (the only network use; the crates land in ~/.cargo).
#
# SKIP_PEERS=1 measures depgate only; SKIP_SYNTHETIC=1 skips the synthetic inventories;
# DEPGATE_BIN=path skips the release build (else .ci/release-build makes it for this machine's
# target: for x86_64 Linux the release's glibc build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data=${DEPGATE_DATA:-$root/../shared/data}
if [ ! -d "$data/workspaces" ] || [ ! -d "$data/advisory-db" ]; then
  echo "speed.sh: $data/workspaces or $data/advisory-db is missing: this benchmark needs the shared data folder" >&2
  exit 2
fi
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$data/advisory-db

# The release's binary for this machine's target, built as the release builds it: laid out by
# the functions it runs on this repository (.ci/release-build, two builds; its recorded runs
# read the same database as the benchmark).
bin=${DEPGATE_BIN:-}
if [ -z "$bin" ]; then
  host=$(rustc -vV | sed -n 's/^host: //p')
  bin=$root/$(ADVISORY_DB=$db "$root/.ci/release-build" "$host")
fi

have() { command -v "$1" >/dev/null 2>&1 && [ -z "${SKIP_PEERS:-}" ]; }

# The workspaces, copied (read-only originals stay untouched), crates fetched.
for ws in nushell ripgrep; do
  cp -r "$data/workspaces/$ws" "$work/$ws"
  (cd "$work/$ws" && cargo fetch --locked --quiet)
done
mkdir -p "$work/jellyfin-web"
cp "$data/workspaces/jellyfin-web/package.json" "$data/workspaces/jellyfin-web/package-lock.json" "$work/jellyfin-web/"

# cargo-deny reads the database from `db-path/<name>-<hash of the URL>`; the copy has no git
# metadata, so it is given one commit (cargo-deny and cargo-audit read the HEAD).
deny_config=$work/deny.toml
deny_db_root=$work/deny-db
sed "s|DB_PATH|$deny_db_root|" "$root/benches/speed-deny.toml" > "$deny_config"
git_db=$work/advisory-db-git
cp -r "$db" "$git_db"
(cd "$git_db" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm snapshot)

cache=$work/cache
export DEPGATE_CACHE=$cache
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# stats JSON -> "min / median / max" in seconds (3 decimals), from a hyperfine export.
stats() {
  python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.3f / %.3f / %.3f" % (min(r["times"]), r["median"], max(r["times"])))
EOF
}
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
# Largest distance from the median, in percent of it.
spread() {
  python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
m = r["median"]
print("±%.0f%%" % (100 * max(m - min(r["times"]), max(r["times"]) - m) / m))
EOF
}
peak_mb() { # peak RSS of one run, MB (exit status ignored: a gate may fail)
  { /usr/bin/time -f '%M' "$@" >/dev/null 2>"$work/time.err" || true; }
  tail -1 "$work/time.err" | awk '{printf "%.0f", $1/1024}'
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print('%.1fx' % (a/b))" "$1" "$2"; }
at_least() { python3 -c "import sys; print('yes' if float(sys.argv[1])/float(sys.argv[2]) >= float(sys.argv[3]) else 'no')" "$1" "$2" "$3"; }

# hyperfine a command (no shell) into $work/$1.json; $2 = "first" empties the cache first.
measure() {
  local name=$1 mode=$2; shift 2
  local prepare=(--warmup 1)
  # A first run too follows one unmeasured run (with its own emptied cache), so the first
  # measured one does not read the workspace's files from the disk.
  [ "$mode" = first ] && prepare=(--warmup 1 --prepare "rm -rf $cache")
  hyperfine -N -i "${prepare[@]}" --runs "$runs" --export-json "$work/$name.json" "$*" >/dev/null 2>&1
}
# The same for a command that needs a shell (cd into a directory).
measure_shell() {
  local name=$1; shift
  hyperfine -i --warmup 1 --runs "$runs" --export-json "$work/$name.json" "$*" >/dev/null 2>&1
}

# depgate's first run (cache emptied) and warm run into NAME-first.json / NAME-warm.json, and
# the peak RSS of a first run into NAME.peak.
depgate_runs() {
  local name=$1; shift
  measure "$name-first" first "$*"
  measure "$name-warm" warm "$*"
  rm -rf "$cache"
  peak_mb "$@" > "$work/$name.peak"
}

echo "| workspace | comparison | depgate first run (s) | depgate warm (s) | peer (s) | speed-up first / warm | peak RSS depgate / peer (MB) | spread first / warm / peer | goal | holds |"
echo "|---|---|---|---|---|---|---|---|---|---|"

row() { # workspace comparison peer-json peer-peak goal-ratio goal-memory-fraction
  local ws=$1 what=$2 peer=$3 peer_peak=$4 goal=$5 memory=$6
  local first=$work/$ws-$what-first.json warm=$work/$ws-$what-warm.json
  local peak; peak=$(cat "$work/$ws-$what.peak")
  local peer_cell="–" speed="–" holds="–" peer_spread="–"
  if [ -f "$peer" ]; then
    peer_cell=$(stats "$peer")
    peer_spread=$(spread "$peer")
    speed="$(ratio "$(median "$peer")" "$(median "$first")") / $(ratio "$(median "$peer")" "$(median "$warm")")"
    holds=$(at_least "$(median "$peer")" "$(median "$first")" "$goal")
    [ "$holds" = yes ] && holds=$(at_least "$(median "$peer")" "$(median "$warm")" "$goal")
    if [ "$memory" != - ] && [ "$holds" = yes ]; then
      holds=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) <= float(sys.argv[2])*float(sys.argv[3]) else 'no (memory)')" "$peak" "$peer_peak" "$memory")
    fi
  fi
  local goal_text="≥${goal}x"
  [ "$memory" != - ] && goal_text="$goal_text, peak ≤ 1/4"
  echo "| $ws | $what | $(stats "$first") | $(stats "$warm") | $peer_cell | $speed | $peak / $peer_peak | $(spread "$first") / $(spread "$warm") / $peer_spread | $goal_text | $holds |"
}

for ws in nushell ripgrep; do
  dir=$work/$ws
  # check vs cargo deny check
  depgate_runs "$ws-check" "$bin" check "$dir" --advisory-db "$db" --offline --format json
  peer_peak="–"
  if have cargo-deny; then
    # cargo-deny looks for its database under db-path, named after the URL; find the name
    # by letting it fail once, then put the git copy there.
    mkdir -p "$deny_db_root"
    if [ -z "$(ls -A "$deny_db_root")" ]; then
      name=$(cd "$dir" && cargo deny --offline --config "$deny_config" check advisories 2>&1 | grep -o "$deny_db_root/[^'\" ]*" | head -1 || true)
      [ -n "$name" ] && ln -s "$git_db" "$name"
    fi
    deny="cd $dir && cargo deny --offline --config $deny_config check >/dev/null 2>&1"
    measure_shell "$ws-check-peer" "$deny"
    peer_peak=$(cd "$dir" && peak_mb cargo deny --offline --config "$deny_config" check)
  fi
  echo "$peer_peak" > "$work/$ws-check-peer.peak"
  row "$ws" check "$work/$ws-check-peer.json" "$peer_peak" 10 0.25

  # sbom vs cargo cyclonedx
  depgate_runs "$ws-sbom" "$bin" sbom "$dir" --format cyclonedx-json --offline -o "$work/sbom.json"
  peer_peak="–"
  if have cargo-cyclonedx; then
    measure_shell "$ws-sbom-peer" "cd $dir && CARGO_NET_OFFLINE=true cargo cyclonedx --format json >/dev/null 2>&1"
    peer_peak=$(cd "$dir" && CARGO_NET_OFFLINE=true peak_mb cargo cyclonedx --format json)
  fi
  row "$ws" sbom "$work/$ws-sbom-peer.json" "$peer_peak" 10 -

  # lockfile-only: advisories and yanked, vs cargo audit on the same database
  depgate_runs "$ws-lockfile-only" "$bin" check "$dir/Cargo.lock" --policy "$root/benches/speed-advisories.toml" \
    --advisory-db "$db" --offline --format json
  peer_peak="–"
  if have cargo-audit; then
    measure "$ws-lockfile-only-peer" warm "cargo audit --db $git_db --no-fetch --file $dir/Cargo.lock --json"
    peer_peak=$(peak_mb cargo audit --db "$git_db" --no-fetch --file "$dir/Cargo.lock" --json)
  fi
  echo "$peer_peak" > "$work/$ws-lockfile-only-peer.peak"
  row "$ws" lockfile-only "$work/$ws-lockfile-only-peer.json" "$peer_peak" 5 -
done

# jellyfin-web: npm lockfile SBOM vs cdxgen (no install, no network lookups).
lock=$work/jellyfin-web/package-lock.json
depgate_runs jellyfin-web-sbom "$bin" sbom "$lock" --format cyclonedx-json -o "$work/jellyfin.json"
peer_peak="–"
if have cdxgen; then
  cdx="cd $work/jellyfin-web && FETCH_LICENSE=false CDXGEN_NO_BANNER=true cdxgen -t npm --no-install-deps --no-recurse -o $work/cdxgen.json . >/dev/null 2>&1"
  measure_shell "jellyfin-web-sbom-peer" "$cdx"
  peer_peak=$(cd "$work/jellyfin-web" && FETCH_LICENSE=false peak_mb cdxgen -t npm --no-install-deps --no-recurse -o "$work/cdxgen.json" .)
fi
row jellyfin-web sbom "$work/jellyfin-web-sbom-peer.json" "$peer_peak" 20 -

echo
echo "Goals also ask for a run-to-run spread within ±15 % (the spread column: the largest distance of a run from the median)."

# A pipeline's first run: a fresh runner fetches the database (`depgate db update`, which
# indexes it as it lands) and then checks, every other cache empty. The same database is
# served from 127.0.0.1 as the GitHub archive `db update` downloads; before every measured
# run the cache is emptied and the update made again. The peers' columns are the runs above.
mirror=$work/mirror
mkdir -p "$mirror/advisory-db-main"
cp -r "$db/." "$mirror/advisory-db-main/"
tar czf "$mirror/rustsec.tar.gz" -C "$mirror" advisory-db-main
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$mirror" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
update_cache=$work/update-cache
cat > "$work/fresh-update.sh" <<UPDATE
rm -rf "$update_cache"
DEPGATE_CACHE="$update_cache" "$bin" db update --no-osv --rustsec-url "http://127.0.0.1:$port/rustsec.tar.gz" >/dev/null 2>&1
UPDATE
# The server needs a moment to listen.
for _ in 1 2 3 4 5 6 7 8 9 10; do
  bash "$work/fresh-update.sh" && [ -d "$update_cache/rustsec" ] && break
  sleep 0.5
done

echo
echo "First run in a pipeline: \`depgate db update --no-osv\` (from the loopback mirror), then the command, every other cache empty."
echo
echo "| workspace | comparison | depgate first run after db update (s) | peer (s) | speed-up | peak RSS depgate / peer (MB) | spread depgate / peer | goal | holds |"
echo "|---|---|---|---|---|---|---|---|---|"
after_update_row() { # workspace comparison goal-ratio goal-memory-fraction command...
  local ws=$1 what=$2 goal=$3 memory=$4; shift 4
  local name=$ws-$what-after-update peer=$work/$ws-$what-peer.json
  local saved=$DEPGATE_CACHE
  export DEPGATE_CACHE=$update_cache
  hyperfine -N -i --warmup 1 --prepare "bash $work/fresh-update.sh" --runs "$runs" --export-json "$work/$name.json" "$*" >/dev/null 2>&1
  bash "$work/fresh-update.sh"
  local peak; peak=$(peak_mb "$@")
  export DEPGATE_CACHE=$saved
  local peer_peak; peer_peak=$(cat "$work/$ws-$what-peer.peak")
  local peer_cell="–" speed="–" holds="–" peer_spread="–"
  if [ -f "$peer" ]; then
    peer_cell=$(stats "$peer")
    peer_spread=$(spread "$peer")
    speed=$(ratio "$(median "$peer")" "$(median "$work/$name.json")")
    holds=$(at_least "$(median "$peer")" "$(median "$work/$name.json")" "$goal")
    if [ "$memory" != - ] && [ "$holds" = yes ]; then
      holds=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) <= float(sys.argv[2])*float(sys.argv[3]) else 'no (memory)')" "$peak" "$peer_peak" "$memory")
    fi
  fi
  local goal_text="≥${goal}x"
  [ "$memory" != - ] && goal_text="$goal_text, peak ≤ 1/4"
  echo "| $ws | $what | $(stats "$work/$name.json") | $peer_cell | $speed | $peak / $peer_peak | $(spread "$work/$name.json") / $peer_spread | $goal_text | $holds |"
}
for ws in nushell ripgrep; do
  dir=$work/$ws
  after_update_row "$ws" check 10 0.25 "$bin" check "$dir" --offline --format json
  after_update_row "$ws" lockfile-only 5 - "$bin" check "$dir/Cargo.lock" --policy "$root/benches/speed-advisories.toml" --offline --format json
done

if [ -z "${SKIP_SYNTHETIC:-}" ]; then
  # Synthetic inventories: Cargo.lock files of N made-up registry crates (a workspace member
  # depending on a binary tree of crates, each with one extra edge further down, so paths are
  # log N deep and crates are reached several ways). "with findings": every tenth crate comes
  # from a registry the policy does not allow (a `source-not-allowed` error with its paths).
  # Policy: benches/speed-synthetic.toml (licenses of made-up crates are unknown by
  # construction and allowed).
  echo
  echo "| packages | findings | depgate check (s, min / median / max) | per 1k packages (ms) | peak RSS (MB) | goal (100k: < 1 s, < 400 MB) |"
  echo "|---|---|---|---|---|---|"
  # synthetic_lockfile SHAPE N FINDINGS OUT: a Cargo.lock of N made-up crates under one member,
  # SHAPE `tree` (each crate over 2i+1, 2i+2 and one edge further down) or `chain` (each over
  # the next); FINDINGS 1: every tenth from a registry the policy does not allow.
  synthetic_lockfile() {
    mkdir -p "$(dirname "$4")"
    python3 - "$@" <<'EOF'
import sys
shape, n, findings, out = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
name = "chain" if shape == "chain" else "synthetic"
lines = ["version = 4", "", "[[package]]", 'name = "%s-app"' % name, 'version = "1.0.0"',
         'dependencies = [', ' "%s-0",' % name, "]", ""]
for i in range(n):
    registry = "https://example.com/index" if findings and i % 10 == 9 else "https://github.com/rust-lang/crates.io-index"
    lines += ["[[package]]", 'name = "%s-%d"' % (name, i), 'version = "1.0.%d"' % (i % 7),
              'source = "registry+%s"' % registry, 'checksum = "%064x"' % i]
    if shape == "chain":
        children = [i + 1] if i + 1 < n else []
    else:
        children = sorted(set(c for c in (2 * i + 1, 2 * i + 2, (i * 7 + 3) % n) if i < c < n))
    if children:
        lines += ["dependencies = ["] + [' "%s-%d",' % (name, c) for c in children] + ["]"]
    lines.append("")
open(out, "w").write("\n".join(lines))
EOF
  }
  # check_synthetic NAME LOCKFILE: warm runs into $work/NAME.json; the command stays in $cmd,
  # its peak RSS in $peak.
  check_synthetic() {
    cmd=("$bin" check "$2" --policy "$root/benches/speed-synthetic.toml" --advisory-db "$db" --offline --format json)
    measure "$1" warm "${cmd[*]}"
    peak=$(peak_mb "${cmd[@]}")
  }

  for n in 1000 10000 100000; do
    for findings in 0 1; do
      lock=$work/synthetic-$n-$findings/Cargo.lock
      synthetic_lockfile tree "$n" "$findings" "$lock"
      check_synthetic "synthetic-$n-$findings" "$lock"
      median_s=$(median "$work/synthetic-$n-$findings.json")
      per=$(python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) * 1e6 / int(sys.argv[2])))" "$median_s" "$n")
      goal="–"
      if [ "$n" = 100000 ]; then
        goal=$(python3 -c "import sys; print('yes' if float(sys.argv[1]) < 1 and float(sys.argv[2]) < 400 else 'no')" "$median_s" "$peak")
      fi
      label=none; [ "$findings" = 1 ] && label="10 % (source not allowed)"
      echo "| $n | $label | $(stats "$work/synthetic-$n-$findings.json") | $per | $peak | $goal |"
    done
  done
  echo
  echo "Linear scaling shows as a constant \"per 1k packages\" column from 1k to 100k."

  # Deep chains: every crate depends on the next, every tenth from a registry the policy does
  # not allow, so each finding's path is as long as its depth (written with at most 64
  # packages). The total stays quadratic in the depth, with a small constant.
  echo
  echo "| chain of N crates | findings | depgate check (s, min / median / max) | peak RSS (MB) | JSON report (MB) |"
  echo "|---|---|---|---|---|"
  for n in 2000 8000 32000; do
    lock=$work/chain-$n/Cargo.lock
    synthetic_lockfile chain "$n" 1 "$lock"
    check_synthetic "chain-$n" "$lock"
    size=$({ "${cmd[@]}" 2>/dev/null || true; } | wc -c | awk '{printf "%.1f", $1 / 1048576}')
    echo "| $n | $((n / 10)) (source not allowed) | $(stats "$work/chain-$n.json") | $peak | $size |"
  done
fi

echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Versions: $("$bin" --version)$(have cargo-deny && echo ", $(cargo deny --version)")$(have cargo-audit && echo ", cargo-audit $(cargo audit --version | awk '{print $NF}')")$(have cargo-cyclonedx && echo ", cargo-cyclonedx $(cargo cyclonedx --version | awk '{print $NF}')")$(have cdxgen && echo ", $(cdxgen --version 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"), $(hyperfine --version)."
