#!/usr/bin/env bash
# Monitoring-store benchmark: record N releases of ~1,000 packages each, then time `monitor`
# (every current release against every advisory database in ../shared/data) and `dashboard
# --format json`, and measure the store's size; on SQLite and, when DEPGATE_TEST_POSTGRES_URL
# names a server (`source .ci/postgres.sh`), on PostgreSQL. Prints one table.
#
# The releases are CycloneDX SBOMs generated from the real lockfiles in ../shared/data: a pool
# of their packages (with their licenses), 20 "stacks" of ~1,000 packages drawn from it, and
# per release a few patch versions moved and a few packages swapped, so releases overlap as
# an organisation's do. Each release is its own project (all are current). Most packages of
# these lockfiles have no license on a machine without the registries' sources (Cargo.lock,
# yarn.lock and go.sum carry none); the generator gives those a common permissive license
# (MIT, Apache-2.0, BSD-3-Clause or ISC, by a fixed draw), so the findings are those of an
# organisation whose license data is known, not a flood of `license-unknown`.
#
# Needs python3 and, for PostgreSQL, psql. Builds depgate in release mode.
# Usage: benches/monitor.sh [SIZES...]   (default: 10 100 1000)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data"
[ -d "$data" ] || { echo "SKIPPED: ../shared/data not found" >&2; exit 0; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 1000)

cargo build --release --quiet --locked --bin depgate --manifest-path "$root/Cargo.toml"
bin="$root/target/release/depgate"
work="$(mktemp -d)"
# KEEP_WORK=1 keeps the generated SBOMs and stores for a closer look.
if [ "${KEEP_WORK:-}" = 1 ]; then echo "work directory: $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
export DEPGATE_CACHE="$work/cache"
unset GITHUB_STEP_SUMMARY DEPGATE_STORE

databases=(--advisory-db "$data/advisory-db")
for osv in "$data"/osv/*/; do
    case "$(basename "$osv")" in schema) continue ;; esac
    databases+=(--advisory-db "$osv")
done

# The package pool: every third-party package with a purl in these lockfiles.
lockfiles=(
    lockfiles/nushell/Cargo.lock lockfiles/cargo/Cargo.lock lockfiles/uv/Cargo.lock
    lockfiles/ruff/Cargo.lock lockfiles/vite lockfiles/excalidraw lockfiles/babel
    lockfiles/warehouse lockfiles/poetry lockfiles/caddy lockfiles/prometheus
    lockfiles/rubygems.org lockfiles/composer
)
for lockfile in "${lockfiles[@]}"; do
    [ -e "$data/$lockfile" ] || continue
    "$bin" inventory "$data/$lockfile" --format json --offline 2>/dev/null \
        > "$work/pool-$(echo "$lockfile" | tr '/' '_').json" || true
done

largest="${sizes[-1]}"
python3 - "$work" "$largest" <<'PY'
import glob, json, os, random, sys
work, count = sys.argv[1], int(sys.argv[2])
pool = {}
for path in sorted(glob.glob(os.path.join(work, "pool-*.json"))):
    try:
        inventory = json.load(open(path))
    except ValueError:
        continue
    for package in inventory.get("packages", []):
        if package.get("kind") != "third-party" or not package.get("purl"):
            continue
        license = (package.get("license") or {}).get("expression")
        if not license:
            license = random.Random(package["purl"]).choices(
                ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC"], [60, 20, 10, 10])[0]
        pool[package["purl"]] = (package["name"], package["version"], package["purl"], license)
pool = sorted(pool.values())
stacks = [random.Random(stack).sample(pool, min(1000, len(pool))) for stack in range(20)]

def moved(version, rng):
    parts = version.split(".")
    if len(parts) >= 3 and parts[2].isdigit():
        parts[2] = str(int(parts[2]) + rng.randint(1, 3))
        return ".".join(parts)
    return version

os.makedirs(os.path.join(work, "sboms"), exist_ok=True)
for release in range(count):
    rng = random.Random(10_000 + release)
    packages = list(stacks[release % len(stacks)])
    for index in rng.sample(range(len(packages)), len(packages) // 50):
        packages[index] = rng.choice(pool)
    components = []
    seen = set()
    for name, version, purl, license in packages:
        if rng.random() < 0.03:
            new = moved(version, rng)
            purl = purl.replace("@" + version, "@" + new, 1)
            version = new
        if purl in seen:
            continue
        seen.add(purl)
        component = {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl}
        if license:
            component["licenses"] = [{"expression": license}]
        components.append(component)
    root = "pkg:generic/service-%04d@1.0.%d" % (release, release)
    bom = {
        "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": root,
                                   "name": "service-%04d" % release, "version": "1.0.%d" % release}},
        "components": components,
        "dependencies": [{"ref": root, "dependsOn": [c["bom-ref"] for c in components]}],
    }
    with open(os.path.join(work, "sboms", "%04d.cdx.json" % release), "w") as out:
        json.dump(bom, out)
print("pool: %d distinct packages; %d releases of ~%d packages" % (len(pool), count, len(stacks[0])), file=sys.stderr)
PY

seconds() { python3 -c 'import time; print(f"{time.time():.3f}")'; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

# Runs a command (exit 0 or 1 is success) and sets `took` to "WALL (CPU)" seconds, CPU being
# user + system time: on a machine shared with other work the wall time grows, the CPU not.
took=""
timed() {
    local status=0
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" > /dev/null || status=$?
    [ "$status" -le 1 ] || { echo "failed ($status): $*" >&2; exit 1; }
    took=$(tail -n 1 "$work/time" | awk '{printf "%.2f (%.2f)", $1, $2 + $3}')
}

rows=()
bench() {
    local engine="$1" store="$2" size="$3" start end
    start=$(seconds)
    seq 0 $((size - 1)) | xargs -P 2 -I{} sh -c \
        'n=$(printf %04d {}); "$0" record --sbom "$1/sboms/$n.cdx.json" --project "service-$n" --release "1.0.{}" --store "$2" 2>/dev/null' \
        "$bin" "$work" "$store"
    end=$(seconds)
    local record first second dashboard
    record=$(elapsed "$start" "$end")
    timed "$bin" monitor --store "$store" "${databases[@]}" --allow-stale-db --format json
    first="$took"
    timed "$bin" monitor --store "$store" "${databases[@]}" --allow-stale-db --format table
    second="$took"
    timed "$bin" dashboard --store "$store" --format json -o "$work/dashboard.json"
    dashboard="$took"
    local bytes
    if [ "$engine" = sqlite ]; then
        bytes=$(du -cb "$store"* | tail -n 1 | cut -f1)
    else
        bytes=$(psql "$store" -Atc "SELECT pg_database_size(current_database())")
    fi
    local packages findings
    packages=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['components']))" "$work/sboms/0000.cdx.json")
    findings=$(psql_or_sqlite_findings "$engine" "$store")
    rows+=("| $engine | $size | ~$packages | $record | $first | $second | $dashboard | $(python3 -c "print(f'{$bytes/1e6:.1f}')") | $findings |")
}

# Distinct findings stored, and finding-set members (a release's findings in a run).
psql_or_sqlite_findings() {
    local sql="SELECT (SELECT count(*) FROM findings) || ' / ' || (SELECT count(*) FROM finding_set_members)"
    if [ "$1" = sqlite ]; then
        python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$2" "$sql"
    else
        psql "$2" -Atc "$sql"
    fi
}

for size in "${sizes[@]}"; do
    bench sqlite "$work/store-$size.sqlite" "$size"
    if [ -n "${DEPGATE_TEST_POSTGRES_URL:-}" ]; then
        name="depgate_bench_$$_$size"
        psql "$DEPGATE_TEST_POSTGRES_URL" -qc "CREATE DATABASE $name"
        bench postgres "${DEPGATE_TEST_POSTGRES_URL%/*}/$name" "$size"
        psql "$DEPGATE_TEST_POSTGRES_URL" -qc "DROP DATABASE $name"
    fi
done

echo
echo "monitor benchmark, $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; databases: every one in ../shared/data; times in seconds, wall (CPU = user + system)"
echo
echo "| engine | releases | packages each | record all (wall, 2 at a time) | monitor, first run | monitor, unchanged | dashboard json | store (MB) | findings stored / set members |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
