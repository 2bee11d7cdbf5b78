#!/usr/bin/env bash
# Runs every fuzz target in turn (or the targets named after MINUTES) and prints a Markdown
# table: executions, coverage, corpus size, findings and time per target.
#
#   fuzz/run.sh MINUTES [TARGET...]
#
# Each target runs until MINUTES have passed or 10 million executions were made, whichever
# comes first. An input that takes longer than FUZZ_TIMEOUT seconds (default 10) or makes the
# process use more than FUZZ_RSS_MB (default 2048) is a finding, like a panic: on inputs of
# at most FUZZ_MAX_LEN bytes (default 65536) a linear parser never comes near either.
#
# Seed corpora are collected at run time from the shared real-world data
# (DEPGATE_DATA, default ../shared/data beside the repository) into fuzz/seeds/, which is
# not committed; what libFuzzer learns goes to fuzz/corpus/<target>/ and findings to
# fuzz/artifacts/<target>/. One target runs at a time: one core.
set -euo pipefail

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ ]]; then
    echo "usage: fuzz/run.sh MINUTES [TARGET...]" >&2
    exit 2
fi
minutes=$1
shift

fuzz_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$fuzz_dir")
data=${DEPGATE_DATA:-$(dirname "$repo")/shared/data}
timeout=${FUZZ_TIMEOUT:-10}
rss_mb=${FUZZ_RSS_MB:-2048}
max_len=${FUZZ_MAX_LEN:-65536}
runs=10000000
cd "$fuzz_dir"

all_targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^depgate-fuzz$')
targets=${*:-$all_targets}

# --- seeds -------------------------------------------------------------------------------
if [[ ! -d $data ]]; then
    echo "WARNING: no shared data at $data: the targets start from empty corpora" >&2
    echo "WARNING: (set DEPGATE_DATA to the folder holding lockfiles/, sboms/, osv/, ...)" >&2
fi

# copy_matching TARGET FIND-ARGS...: every file under the data folder that matches.
copy_matching() {
    local target=$1
    shift
    mkdir -p "seeds/$target"
    [[ -d $data ]] || return 0
    find "$data" -type f "$@" -print0 |
        while IFS= read -r -d '' file; do
            cp "$file" "seeds/$target/$(printf '%s' "$file" | sha1sum | cut -c1-16)"
        done
}

# lines_as_seeds TARGET: each line of standard input becomes one seed file.
lines_as_seeds() {
    local target=$1 number=0
    mkdir -p "seeds/$target"
    while IFS= read -r line; do
        number=$((number + 1))
        printf '%s' "$line" >"seeds/$target/line-$number"
    done
}

collect_seeds() {
    rm -rf seeds
    copy_matching cargo_lock -name Cargo.lock
    copy_matching npm_lock \( -name package-lock.json -o -name npm-shrinkwrap.json \)
    copy_matching yarn_lock -name yarn.lock
    copy_matching pnpm_lock -name pnpm-lock.yaml
    copy_matching poetry_lock -name poetry.lock
    copy_matching uv_lock -name uv.lock
    copy_matching pipfile_lock -name Pipfile.lock
    copy_matching requirements \( -name 'requirements*.txt' -o -path '*/requirements/*.txt' \)
    copy_matching go_mod -name go.mod
    copy_matching gemfile_lock -name Gemfile.lock
    copy_matching composer_lock -name composer.lock
    copy_matching nuget_lock -name packages.lock.json
    copy_matching gradle_lockfile -name '*.lockfile'
    copy_matching maven_pom -name pom.xml
    copy_matching cyclonedx_json -path '*/cyclonedx/*' -name '*.json'
    copy_matching cyclonedx_xml -path '*/cyclonedx/*' -name '*.xml'
    copy_matching spdx_json \( -name '*.spdx.json' -o -name '*.spdx-2.*.json' -o -name '*v3.0*.json' \)
    copy_matching spdx_tag_value -name '*.spdx'
    copy_matching osv_json -path '*/osv/*' -name '*.json' -not -path '*/schema/*'
    copy_matching osv_yaml -path '*/osv/*' -name '*.yaml'
    copy_matching rustsec_advisory -path '*/advisory-db/crates/*' -name '*.md'
    copy_matching policy_toml -name deny.toml
    copy_matching vex -path '*/vex/*' -name '*.json'
    copy_matching attestation -path '*/cyclonedx/*' -name '*.cdx-1.[56].json'
    copy_matching dsse_envelope -path '*/cyclonedx/*' -name '*.cdx-1.[56].json'
    # The repository's own policies and VEX fixtures are seeds too (read in place).
    for file in "$repo"/rules/*.toml; do cp "$file" "seeds/policy_toml/$(basename "$file")"; done
    find "$repo/tests/fixtures" -type f -name '*.json' -path '*vex*' -print0 |
        while IFS= read -r -d '' file; do
            cp "$file" "seeds/vex/fixture-$(printf '%s' "$file" | sha1sum | cut -c1-16)"
        done
    # `head` closes the pipe early; the producers' SIGPIPE is not a failure.
    if [[ -d $data ]]; then
        grep -rhoE '"pkg:[^"]{1,300}"' "$data/sboms" 2>/dev/null | tr -d '"' | sort -u | head -2000 |
            lines_as_seeds purl || true
        grep -rhoE '"(licenseConcluded|licenseDeclared|expression|license)": *"[^"]{1,300}"' \
            "$data/sboms" "$data/lockfiles" 2>/dev/null | sed 's/^[^:]*: *"//; s/"$//' |
            sort -u | head -2000 | lines_as_seeds spdx_expression || true
        # Version triples: introduced/fixed versions of the OSV records, three to a seed,
        # behind an ecosystem selector byte.
        mkdir -p seeds/version_ranges
        grep -rhoE '"(introduced|fixed)": *"[^"]{1,60}"' "$data/osv" 2>/dev/null |
            sed 's/^[^:]*: *"//; s/"$//' | sort -u | head -900 |
            awk '{ versions[NR] = $0 }
                 END { for (i = 1; i + 2 <= NR; i += 3)
                         printf "%c%s\n%s\n%s", 65 + (i % 9), versions[i], versions[i + 1],
                             versions[i + 2] > ("seeds/version_ranges/triple-" i) }' || true
    fi
    mkdir -p seeds/purl seeds/spdx_expression seeds/version_ranges
}

collect_seeds

# --- build -------------------------------------------------------------------------------
# No sanitizer: depgate forbids unsafe code, and panics, timeouts and memory blow-ups are
# what is looked for; without ASan's instrumentation each target runs about twice as fast.
# Debug assertions (and so overflow checks) stay on.
# FUZZ_BUILD=0 reuses the binaries already built (a rebuild of depgate with the fuzzing
# instrumentation takes long on a small machine).
if [[ ${FUZZ_BUILD:-1} != 0 ]]; then
    cargo +nightly fuzz build -a -s none >&2
fi
binaries=target/x86_64-unknown-linux-gnu/release

# --- run ---------------------------------------------------------------------------------
mkdir -p logs
rows=()
for target in $targets; do
    mkdir -p "corpus/$target" "artifacts/$target"
    before=$(find "artifacts/$target" -type f | wc -l)
    start=$(date +%s)
    status=0
    "$binaries/$target" -artifact_prefix="artifacts/$target/" "corpus/$target" "seeds/$target" \
        -max_total_time=$((minutes * 60)) -runs=$runs -timeout="$timeout" \
        -rss_limit_mb="$rss_mb" -max_len="$max_len" -print_final_stats=1 \
        -close_fd_mask=1 >"logs/$target.log" 2>&1 || status=$?
    seconds=$(($(date +%s) - start))
    after=$(find "artifacts/$target" -type f | wc -l)
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$target.log" | tail -1)
    last=$(grep -E '^#[0-9]+' "logs/$target.log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    findings=$((after - before))
    if [[ $status -ne 0 && $findings -eq 0 ]]; then
        findings="run failed ($status), see fuzz/logs/$target.log"
    fi
    row="| $target | ${executions:-?} | ${cov:-?}/${ft:-?} | ${corpus:-?} | $findings | ${seconds} s |"
    rows+=("$row")
    echo "$row" >&2
done

echo
echo "Fuzzed $(date -u +'%Y-%m-%d %H:%M UTC'), up to $minutes min or $runs runs per target," \
    "timeout ${timeout} s, RSS limit ${rss_mb} MB, inputs up to ${max_len} bytes."
echo
echo "| target | executions | coverage (cov/ft) | corpus | findings | time |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
