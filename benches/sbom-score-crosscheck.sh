#!/usr/bin/env bash
# Cross-check: `depgate sbom score` against an independent reader, ntia-conformance-checker
# (PyPI, SPDX project), on every SPDX SBOM in ../shared/data/sboms/spdx (NTIA), and on
# depgate's own SPDX 3 output with and without the BSI TR-03183-2 profile (NTIA and BSI).
# Prints Markdown tables: per file, each tool's verdict and the NTIA elements it finds
# missing, and whether they agree. Used for the comparison in docs/sbom-cra.md.
#
# Needs: python3 with venv and pip (the checker is installed into target/ntia-venv from PyPI,
# pinned); without it the script says SKIPPED and exits 0. DEPGATE_BIN=path skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data=${DEPGATE_DATA:-$root/../shared/data}
venv=$root/target/ntia-venv
checker_version=6.0.0

if [ ! -x "$venv/bin/ntia-checker" ]; then
  if ! { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet \
      "ntia-conformance-checker==$checker_version"; } >/dev/null 2>&1; then
    echo "SKIPPED: cannot install ntia-conformance-checker $checker_version from PyPI"
    exit 0
  fi
fi
bin=${DEPGATE_BIN:-$root/target/debug/depgate}
[ -n "${DEPGATE_BIN:-}" ] || cargo build --locked --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Both tools' NTIA results for one file, as one Markdown row.
compare() { # FILE SPEC(spdx2|spdx3) STANDARD(ntia|bsi)
  local file=$1 spec=$2 standard=$3
  "$venv/bin/ntia-checker" -s "$spec" -c "$standard" -r json "$file" >"$out/checker.json" 2>/dev/null || true
  "$bin" sbom score --format json "$file" >"$out/depgate.json" 2>"$out/depgate.err" || true
  python3 - "$file" "$standard" "$out/checker.json" "$out/depgate.json" "$out/depgate.err" <<'PY'
import json, os, sys
file, standard, checker_path, depgate_path, depgate_err = sys.argv[1:]
name = os.path.basename(file)
try:
    checker = json.load(open(checker_path))
except Exception:
    checker = None
try:
    depgate = json.load(open(depgate_path))["files"][0]
except Exception:
    depgate = None
# The checker's NTIA elements by depgate's field ids.
ntia = {
    "author": "authorNameProvided", "timestamp": "timestampProvided",
    "dependencies": "dependencyRelationshipsProvided", "name": "componentNames",
    "version": "componentVersions", "identifier": "componentIdentifiers",
    "supplier": "componentSuppliers",
}
bsi = {
    "creator-contact": None, "timestamp": "timestampProvided",
    "name": "componentNames", "version": "componentVersions",
}
def checker_missing(result):
    if result is None:
        return None
    missing = []
    for field, key in ntia.items():
        value = result.get(key)
        if isinstance(value, dict):
            value = value.get("allProvided")
        if value is False:
            missing.append(field)
    return missing
if standard == "ntia":
    mine = None if depgate is None else next(v for v in depgate["verdicts"] if v["standard"] == "ntia")
    theirs = checker_missing(checker)
    note = []
    if checker and checker.get("parsingError"):
        note.append("checker: parse error")
    if checker and checker.get("validationMessages"):
        note.append("checker: %d validation messages" % len(checker["validationMessages"]))
    depgate_cell = "error" if mine is None else ("conformant" if mine["conformant"] else "missing " + ", ".join(mine["failing"]))
    checker_cell = "error" if checker is None else (("conformant" if checker.get("isConformant") else "not conformant") + ("" if not theirs else ": missing " + ", ".join(theirs)))
    agree = (mine is not None and theirs is not None and sorted(mine["failing"]) == sorted(theirs)
             and not (checker or {}).get("parsingError"))
    components = "?" if depgate is None else depgate["components"]
    total = "?" if checker is None else checker.get("totalNumberComponents")
    print(f"| `{name}` | {components} / {total} | {depgate_cell} | {checker_cell} | {'yes' if agree else 'no'} | {'; '.join(note)} |")
else:
    mine = None if depgate is None else next(v for v in depgate["verdicts"] if v["standard"] == "bsi-tr-03183-2")
    depgate_cell = "error" if mine is None else ("conformant" if mine["conformant"] else "missing " + ", ".join(mine["failing"]))
    checker_cell = "error" if checker is None else ("conformant" if checker.get("isConformant") else "not conformant")
    agree = mine is not None and checker is not None and mine["conformant"] == bool(checker.get("isConformant"))
    print(f"| `{name}` | {depgate_cell} | {checker_cell} | {'yes' if agree else 'no'} |")
PY
}

echo "### NTIA minimum elements: SPDX SBOMs in shared/data/sboms/spdx"
echo
echo "| file | components (depgate / checker) | depgate sbom score | ntia-conformance-checker $checker_version | same missing elements | notes |"
echo "|---|---|---|---|---|---|"
for file in "$data"/sboms/spdx/*.json "$data"/sboms/spdx/*.spdx; do
  compare "$file" spdx2 ntia
done

echo
echo "### depgate's own SPDX 3 output (this repository)"
echo
"$bin" sbom . --offline --format spdx3-json -o "$out/plain.spdx3.json" 2>/dev/null
"$bin" sbom . --offline --format spdx3-json --profile bsi-tr-03183-2 \
  --creator "depgate maintainers <maintainers@depgate.example>" \
  --supplier "depgate <https://github.com/depgate/depgate>" \
  --artifact "$bin" -o "$out/bsi.spdx3.json" 2>/dev/null
echo "| file | depgate sbom score (NTIA) | ntia-conformance-checker (NTIA) | same missing elements | notes |"
echo "|---|---|---|---|---|"
for file in "$out/plain.spdx3.json" "$out/bsi.spdx3.json"; do
  compare "$file" spdx3 ntia | sed 's/^| `[^`]*` | [^|]* |/| `'"$(basename "$file")"'` |/'
done
echo
echo "| file | depgate sbom score (BSI) | ntia-conformance-checker (BSI) | same verdict |"
echo "|---|---|---|---|"
for file in "$out/plain.spdx3.json" "$out/bsi.spdx3.json"; do
  compare "$file" spdx3 bsi
done
