#!/usr/bin/env bash
# Prints depgate's and cargo-deny's license verdicts side by side, per crate.
#
#   benches/compare-licenses.sh [WORKSPACE] [POLICY] [DENY_TOML]
#
# WORKSPACE  a Cargo workspace directory (default: this repository). The special value
#            `bench` copies benches/license-workspace to a scratch directory and generates
#            its Cargo.lock there (needs the crates.io registry once).
# POLICY     depgate policy (default: rules/self.toml)
# DENY_TOML  the equivalent cargo-deny config (default: benches/deny-self.toml)
#
# Needs `cargo deny` (cargo install --locked cargo-deny) and python3. depgate is built in
# release mode. A verdict is `accepted` or `rejected`; differences are marked `DIFF`, and the
# docs/comparison.md explains each kind of difference.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
workspace="${1:-$repo}"
policy="${2:-$repo/rules/self.toml}"
deny_config="${3:-$repo/benches/deny-self.toml}"

if [ "$workspace" = bench ]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  cp "$repo/benches/license-workspace/Cargo.toml" "$repo/benches/license-workspace/lib.rs" "$scratch/"
  (cd "$scratch" && cargo generate-lockfile --quiet && cargo fetch --quiet)
  workspace="$scratch"
fi

command -v cargo-deny >/dev/null || { echo "cargo-deny is not installed: cargo install --locked cargo-deny" >&2; exit 2; }
# DEPGATE_BIN=path/to/depgate skips the release build.
if [ -n "${DEPGATE_BIN:-}" ]; then
  depgate="$DEPGATE_BIN"
else
  (cd "$repo" && cargo build --release --quiet)
  depgate="$repo/target/release/depgate"
fi

out="$(mktemp -d)"
# cargo-deny prints one JSON diagnostic per crate (`accepted`/`rejected`) at trace level.
cargo deny -L trace --format json --manifest-path "$workspace/Cargo.toml" \
  --config "$deny_config" check licenses 2> "$out/deny.jsonl" || true
# depgate exits 1 on violations; 2 or 3 mean it could not evaluate (shown below).
set +e
"$depgate" check "$workspace/Cargo.lock" --policy "$policy" --format json > "$out/depgate.json" 2> "$out/depgate.err"
status=$?
set -e
if [ "$status" -ge 2 ]; then
  echo "depgate could not evaluate \`$workspace\` (exit $status):" >&2
  cat "$out/depgate.err" >&2
  # Fallback until depgate reads this lockfile itself: the same licenses, taken from
  # `cargo metadata`, evaluated by depgate's policy engine through `depgate policy test`
  # (one case per crate, expecting no finding: a failing case is a rejection).
  echo "falling back to licenses from \`cargo metadata\` evaluated with \`depgate policy test\`" >&2
  cargo metadata --format-version 1 --all-features --manifest-path "$workspace/Cargo.toml" > "$out/metadata.json"
  python3 - "$out/metadata.json" "$policy" "$out/fallback.tests.toml" <<'PY'
import json, sys
metadata, policy, target = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
members = set(metadata["workspace_members"])
lines = [f"policy = {json.dumps(policy)}", ""]
for package in metadata["packages"]:
    if package["id"] in members:
        continue
    lines += ["[[case]]", f'name = {json.dumps(package["name"] + "@" + package["version"])}',
              "[[case.package]]", f'name = {json.dumps(package["name"])}',
              f'version = {json.dumps(package["version"])}']
    if package.get("license"):
        lines.append(f'license = {json.dumps(package["license"])}')
    lines.append("")
open(target, "w").write("\n".join(lines))
PY
  "$depgate" policy test "$out/fallback.tests.toml" > "$out/fallback.txt" || true
  status=fallback
fi

python3 - "$out/deny.jsonl" "$out/depgate.json" "$status" <<'PY'
import json, sys
deny_path, depgate_path, status = sys.argv[1], sys.argv[2], sys.argv[3]
fallback = status == "fallback"
status = 0 if fallback else int(status)
deny = {}
for line in open(deny_path):
    try:
        record = json.loads(line)
    except ValueError:
        continue
    fields = record.get("fields", {})
    code = fields.get("code")
    if record.get("type") != "diagnostic" or code not in ("accepted", "rejected"):
        continue
    for graph in fields.get("graphs", []):
        krate = graph.get("Krate", {})
        key = f'{krate.get("name")}@{krate.get("version")}'
        spans = [l.get("span", "") for l in fields.get("labels", [])]
        deny[key] = (code, spans[0] if spans else "")
depgate = {}
evaluated = None
if fallback:
    # `test NAME ... FAILED` followed by `found but not expected: SEVERITY CODE: ...`.
    current = None
    for line in open(depgate_path.replace("depgate.json", "fallback.txt")):
        if line.startswith("test "):
            current = line[5:].rsplit(" ... ", 1)[0] if line.rstrip().endswith("FAILED") else None
        elif current and "found but not expected:" in line:
            severity, code = line.split("found but not expected:", 1)[1].split()[:2]
            if code.rstrip(":").startswith("license-") and severity == "error":
                depgate[current] = ("rejected", code.rstrip(":"))
    evaluated = "(cargo metadata)"
elif status < 2:
    report = json.load(open(depgate_path))
    evaluated = report["coverage"]["rules"].get("licenses", {}).get("evaluated")
    for finding in report["findings"]:
        if not finding["code"].startswith("license-") or finding["severity"] == "note":
            continue
        package = finding.get("package") or {}
        key = f'{package.get("name")}@{package.get("version")}'
        depgate[key] = ("rejected", finding["code"])
rows = sorted(set(deny) | set(depgate))
width = max([len(r) for r in rows] + [5])
print(f'{"crate":<{width}}  {"depgate":<34}  {"cargo-deny":<10}  license (cargo-deny)')
differences = 0
for key in rows:
    if status >= 2:
        ours = "n/a (not evaluated)"
    else:
        ours = " ".join(depgate.get(key, ("accepted", "")))
    theirs, license = deny.get(key, ("absent", ""))
    same = ours.split()[0] == theirs
    differences += 0 if same or status >= 2 else 1
    mark = "" if same or status >= 2 else "DIFF"
    print(f"{key:<{width}}  {ours:<34}  {theirs:<10}  {license}  {mark}")
print()
print(f"cargo-deny verdicts: {len(deny)} crates, {sum(1 for v in deny.values() if v[0] == 'rejected')} rejected")
if status < 2:
    print(f"depgate: {evaluated} packages evaluated, {len(depgate)} rejected; {differences} differences")
PY
