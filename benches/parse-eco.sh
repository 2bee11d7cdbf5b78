#!/usr/bin/env bash
# Parse time and peak memory of the largest real lockfile of each ecosystem added for issue 6
# (Python, Go, Ruby, PHP, .NET, JVM), measured with /usr/bin/time -v on the release binary.
#
# Usage: benches/parse-eco.sh [RUNS]   (default 3 runs per file; the best wall time is shown)
# Wall time is the process's, start-up included; peak memory is /usr/bin/time's maximum RSS.
# Needs ../shared/data. The binary is driven with `depgate explain` for a package that does not
# exist: it parses the whole file, then exits 2 with "no package"; any other outcome is a failure.
set -euo pipefail

cd "$(dirname "$0")/.."
runs="${1:-3}"
data="../shared/data/lockfiles"
if [[ ! -d "$data" ]]; then
    echo "SKIPPED: $data not found" >&2
    exit 0
fi
cargo build --release --quiet
bin="target/release/depgate"

# The largest file of each ecosystem, chosen by size among the real-data candidates.
largest() {
    local best="" best_size=-1 file size
    for file in "$@"; do
        size=$(stat -c %s "$file")
        if (( size > best_size )); then best="$file"; best_size=$size; fi
    done
    echo "$best"
}

declare -A files=(
    [python]=$(largest "$data"/uv/uv.lock "$data"/ruff/uv.lock "$data"/poetry/poetry.lock \
        "$data"/pipenv/Pipfile.lock "$data"/warehouse/requirements/*.txt)
    [go]=$(largest "$data"/prometheus/go.mod "$data"/caddy/go.mod)
    [ruby]=$(largest "$data"/rubygems.org/Gemfile.lock "$data"/homebrew/Gemfile.lock)
    [php]=$(largest "$data"/composer/composer.lock "$data"/bookstack/composer.lock)
    [dotnet]=$(largest "$data"/bitwarden-server/src/*/packages.lock.json)
    [jvm-gradle]=$(largest "$data"/terra-workspace-manager/*/gradle.lockfile)
    [jvm-maven]=$(largest "$data"/spring-petclinic/pom.xml)
)

printf '%-11s %-58s %9s %10s %12s\n' ecosystem file size_kib best_ms peak_rss_kib
for ecosystem in python go ruby php dotnet jvm-gradle jvm-maven; do
    file="${files[$ecosystem]}"
    size_kib=$(( $(stat -c %s "$file") / 1024 ))
    # go.mod is read together with the go.sum beside it.
    best_ms=""
    peak=0
    for _ in $(seq "$runs"); do
        report=$(mktemp)
        set +e
        start=$(date +%s%N)
        /usr/bin/time -v "$bin" explain __depgate_bench_no_such_package__ "$file" \
            >/dev/null 2>"$report"
        status=$?
        end=$(date +%s%N)
        set -e
        if [[ $status -ne 2 ]] || ! grep -q "no package" "$report"; then
            echo "parse of $file failed (exit $status):" >&2
            cat "$report" >&2
            exit 1
        fi
        rss=$(grep "Maximum resident set size" "$report" | awk '{print $NF}')
        rm -f "$report"
        # /usr/bin/time reports wall time in 10 ms steps; the clock around it is finer
        # (it includes process start-up, as a pipeline sees it).
        ms=$(( (end - start) / 1000000 ))
        if [[ -z "$best_ms" ]] || (( ms < best_ms )); then best_ms=$ms; fi
        if (( rss > peak )); then peak=$rss; fi
    done
    printf '%-11s %-58s %9s %10s %12s\n' "$ecosystem" "${file#"$data"/}" "$size_kib" "$best_ms" "$peak"
done
