#!/usr/bin/env bash
# Records which functions a release build of depgate runs, sorted by name, as the
# symbol ordering file that build.rs passes to the linker (DEPGATE_SYMBOL_ORDER):
#
#   benches/symbol-order.sh BINARY OUT      BINARY: a release build with its symbol table
#                                           (the release profile keeps it)
#
# .ci/release-build runs it between its two builds (the second laid out by OUT).
#
# The runs are depgate's usual work on this repository and its bundled samples, never on the
# benchmarks' workspaces: `check` with an empty cache and again warm, the lockfile-only check,
# `sbom` of the repository, of an npm lockfile and of a sample SBOM, a license report, under
# `valgrind --tool=callgrind`, offline, against ../shared/data/advisory-db (ADVISORY_DB=DIR
# names another RustSec database; the release's .ci/release-build passes the one it fetched).
# Names are recorded as the binary spells them (mangled), and only match a binary built by the
# same toolchain, target, profile and dependencies: record again after changing any of them
# (the linker ignores names it does not find). Needs valgrind and python3.
set -euo pipefail
usage() { echo "usage: benches/symbol-order.sh BINARY OUT" >&2; exit 2; }
[ $# -eq 2 ] || usage
# Paths given are the caller's, resolved before the script moves to the repository's root.
binary=$(realpath -m -- "$1")
out=$(realpath -m -- "$2")
cd "$(dirname "$0")/.."
root=$(pwd)
data=${DEPGATE_DATA:-$root/../shared/data}
advisory_db=$(realpath -m "${ADVISORY_DB:-$data/advisory-db}")
command -v valgrind >/dev/null || { echo "symbol-order.sh: valgrind is missing" >&2; exit 2; }
[ -d "$advisory_db" ] || { echo "symbol-order.sh: $advisory_db is missing" >&2; exit 2; }
[ -d "$(dirname "$out")" ] || { echo "symbol-order.sh: no directory for $out" >&2; exit 2; }

[ -x "$binary" ] || { echo "symbol-order.sh: $binary is not an executable" >&2; exit 2; }
if ! nm "$binary" >/dev/null 2>&1; then
  echo "symbol-order.sh: $binary has no symbol table (built with strip = true?)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DEPGATE_CACHE=$work/cache
db=(--advisory-db "$advisory_db" --allow-stale-db --offline)
n=0
profiles=()
# record ARGS...: one run under callgrind (its exit status is the gate's, not an error).
record() {
  n=$((n + 1))
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/run.$n" \
    "$binary" "$@" >/dev/null 2>"$work/run.$n.err" || true
  [ -s "$work/run.$n" ] || { echo "symbol-order.sh: no profile from: depgate $*" >&2; cat "$work/run.$n.err" >&2; exit 1; }
  profiles+=("$work/run.$n")
}
record check . "${db[@]}" --format json
record check . "${db[@]}"
record check Cargo.lock --policy benches/speed-advisories.toml "${db[@]}" --format json
rm -rf "$DEPGATE_CACHE"
record check Cargo.lock --policy benches/speed-advisories.toml "${db[@]}" --format json
record sbom . --offline --format cyclonedx-json -o "$work/sbom.json"
record sbom tests/fixtures/npm/lock-v3/package-lock.json --offline --format cyclonedx-json -o "$work/npm.json"
record check sbom-samples/webapp.cdx.json "${db[@]}"
record licenses . --offline

python3 - "$binary" "$out" "${profiles[@]}" <<'EOF'
# Callgrind's files name each object (ob=) and function (fn=) once by number and later by
# the number alone; a cost line below a fn= line means that function ran.
import re, sys
binary, out, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
ran = set()
for path in runs:
    names = {"ob": {}, "fn": {}}
    ob = fn = None
    with open(path) as lines:
        for line in lines:
            m = re.match(r"c?(ob|fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if m:
                kind, ident, name = m.groups()
                if name is not None:
                    names[kind][ident] = name
                if not line.startswith("c"):
                    if kind == "ob":
                        ob = names["ob"].get(ident, "")
                    else:
                        fn = names["fn"].get(ident, "")
                continue
            if ob == binary and fn and line[:1] in "0123456789+-*":
                # `name'2` is callgrind's name for a deeper level of a recursion.
                ran.add(fn.split("'")[0])
# Sorted by name, not by cost: which functions run was the same in three recordings in a row,
# their costs were not (the threads share work differently), and the same file makes the
# same binary. What saves memory is that they sit together, not their order.
symbols = sorted(name for name in ran if not name.startswith(("0x", "(")))
if len(symbols) < 100:
    sys.exit("symbol-order.sh: only %d functions of %s were seen" % (len(symbols), binary))
with open(out, "w") as f:
    f.write("".join(name + "\n" for name in symbols))
print("symbol-order.sh: %d functions, from %d runs, in %s" % (len(symbols), len(runs), out), file=sys.stderr)
EOF
