#!/usr/bin/env bash
# Renders the dashboard page in headless Chromium at two sizes: the five-deployment fixture and
# a generated snapshot of 1,000 deployments. Each page must:
#   - reference nothing external (no `src=`, `<link`, `<img`, `@import`, `url(`) and hold
#     exactly one inline `<script>` (the filters), which its Content-Security-Policy pins;
#   - load without any console message (a script error, or the CSP refusing the script);
#   - show, in the DOM after the script ran, the counts the snapshot holds (data attributes on
#     the root element, one row per deployment, row package counts adding up), the filters
#     visible, and a filter given in the address (#verdict=fail&environment=prod) hiding
#     exactly the rows it should;
#   - print to PDF.
# A snapshot that is not valid JSON must fail with exit code 2, naming the file, writing nothing.
# Screenshots and PDFs go to $OUT (default: bench-out/html-render) beside the license report's.
# Prints a table: page, deployments, bytes, render time, result.
#
# Usage: tests/dashboard-render.sh   (DEPLOYMENTS=N for another size; needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${OUT:-bench-out/html-render}
DEPLOYMENTS=${DEPLOYMENTS:-1000}
FIXTURE=tests/fixtures/dashboard/five-deployments/snapshot.json
EXAMPLE=target/debug/examples/render_dashboard

# shellcheck source=tests/support/chromium.sh
. tests/support/chromium.sh

cargo build --locked --quiet --bin depgate --example render_dashboard
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# The page from a snapshot file, by the command users run.
render() { target/debug/depgate dashboard --snapshot "$1" -o "$2"; }

"$EXAMPLE" --synthetic "$DEPLOYMENTS" "$OUT/dashboard-$DEPLOYMENTS.json"
cp "$FIXTURE" "$OUT/dashboard-5.json"

status=0
fail() { echo "FAIL: $*" >&2; status=1; }

# Bad input: exit 2, the file named, nothing written.
printf '{"deployments": [' >"$OUT/broken.json"
rm -f "$OUT/broken.html"
set +e
render "$OUT/broken.json" "$OUT/broken.html" 2>"$OUT/broken.log"
code=$?
set -e
[ "$code" = 2 ] || fail "a malformed snapshot exited $code, expected 2"
grep -q "broken.json" "$OUT/broken.log" || fail "the error does not name the snapshot: $(cat "$OUT/broken.log")"
[ ! -e "$OUT/broken.html" ] || fail "a malformed snapshot left $OUT/broken.html behind"
rm -f "$OUT/broken.json" "$OUT/broken.log"

# What the DOM must show, computed from the snapshot itself (not by the renderer).
expected() {
  python3 - "$1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
d = s["deployments"]
print("deployments", len(d))
print("findings", sum(x["counts"]["errors"] + x["counts"]["warnings"] + x["counts"]["notes"] for x in d))
print("packages", sum(x["packages"] for x in d))
print("failing", sum(1 for x in d if x["verdict"] == "fail"))
print("passing", sum(1 for x in d if x["verdict"] == "pass"))
print("advisories", len(s["open_advisories"]))
print("waivers", len(s["expiring_waivers"]))
print("owned-findings", sum(len(o["findings"]) for o in s["owners"]))
print("runs", len(s["runs"]))
print("prod-failing", sum(1 for x in d if x["verdict"] == "fail" and x["environment"] == "prod"))
PY
}

# Reads the DOM Chromium dumped: the root's data attributes, the rows, the visible rows.
observed() {
  python3 - "$1" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
root = re.search(r"<html[^>]*>", dom).group(0)
for name in ["deployments", "findings", "packages", "failing", "passing", "advisories",
             "waivers", "owned-findings", "runs"]:
    value = re.search(r'\sdata-%s="(\d+)"' % name, root)
    print(name, value.group(1) if value else "missing")
rows = re.findall(r'<tr class="deployment"[^>]*>', dom)
print("rows", len(rows))
print("row-packages", sum(int(re.search(r'data-packages="(\d+)"', r).group(1)) for r in rows))
print("visible-rows", sum(1 for r in rows if not re.search(r"\shidden", r)))
form = re.search(r'<form id="filters"[^>]*>', dom)
print("filters-shown", "no" if form is None or re.search(r"\shidden", form.group(0)) else "yes")
PY
}

value() { awk -v key="$1" '$1 == key { print $2 }' "$2"; }

printf '%-16s %12s %10s %10s  %s\n' page deployments bytes render_ms result
for size in 5 "$DEPLOYMENTS"; do
  page="dashboard-$size"
  json="$OUT/$page.json"
  html="$OUT/$page.html"
  before=$status
  started=$(date +%s%N)
  render "$json" "$html"
  render_ms=$(( ($(date +%s%N) - started) / 1000000 ))

  # Self-contained: nothing that makes the browser fetch anything; one inline script.
  if grep -Eiq '<link|<img|<iframe|<object|<embed|src=|@import|url\(' "$html"; then
    fail "$page.html references an external resource:"
    grep -Eion '<link|<img|<iframe|<object|<embed|src=|@import|url\(' "$html" | head >&2
  fi
  scripts=$(grep -o '<script[^>]*>' "$html" | sort | uniq -c | awk '{print $1, $2}')
  [ "$scripts" = "1 <script>" ] || fail "$page.html: expected one inline <script>, found: $scripts"

  expected "$json" >"$OUT/$page.expected"
  profile=$(mktemp -d)
  mapfile -t flags < <(chromium_flags "$profile")
  # Console messages (script errors, CSP refusals) go to stderr with --enable-logging=stderr.
  "$CHROMIUM" "${flags[@]}" --enable-logging=stderr --v=0 --screenshot="$OUT/$page.png" \
    "file://$html" >"$OUT/$page.log" 2>&1 || fail "chromium could not render $page.html"
  "$CHROMIUM" "${flags[@]}" --dump-dom "file://$html" >"$OUT/$page.dom.html" 2>/dev/null \
    || fail "chromium could not dump the DOM of $page.html"
  "$CHROMIUM" "${flags[@]}" --dump-dom "file://$html#verdict=fail&environment=prod" \
    >"$OUT/$page.filtered.dom.html" 2>/dev/null || fail "chromium could not dump the filtered DOM"
  "$CHROMIUM" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$OUT/$page.pdf" "file://$html" \
    >/dev/null 2>&1 || true
  rm -rf "$profile"
  head -c 5 "$OUT/$page.pdf" 2>/dev/null | grep -q '%PDF-' || fail "printing $page.html produced no PDF"
  if grep -Eq ':CONSOLE|Refused to' "$OUT/$page.log"; then
    fail "$page.html logged console messages:"
    grep -E ':CONSOLE|Refused to' "$OUT/$page.log" >&2
  fi
  [ -s "$OUT/$page.png" ] || fail "no screenshot for $page.html"

  observed "$OUT/$page.dom.html" >"$OUT/$page.observed"
  for name in deployments findings packages failing passing advisories waivers owned-findings runs; do
    want=$(value "$name" "$OUT/$page.expected")
    got=$(value "$name" "$OUT/$page.observed")
    [ "$want" = "$got" ] || fail "$page.html: data-$name is '$got', the snapshot says $want"
  done
  want=$(value deployments "$OUT/$page.expected")
  [ "$(value rows "$OUT/$page.observed")" = "$want" ] || fail "$page.html: $(value rows "$OUT/$page.observed") deployment rows, expected $want"
  [ "$(value visible-rows "$OUT/$page.observed")" = "$want" ] || fail "$page.html: not every row is visible without a filter"
  want=$(value packages "$OUT/$page.expected")
  [ "$(value row-packages "$OUT/$page.observed")" = "$want" ] || fail "$page.html: the rows' packages add up to $(value row-packages "$OUT/$page.observed"), expected $want"
  [ "$(value filters-shown "$OUT/$page.observed")" = yes ] || fail "$page.html: the script did not show the filters"
  observed "$OUT/$page.filtered.dom.html" >"$OUT/$page.filtered.observed"
  want=$(value prod-failing "$OUT/$page.expected")
  got=$(value visible-rows "$OUT/$page.filtered.observed")
  [ "$got" = "$want" ] || fail "$page.html#verdict=fail&environment=prod shows $got rows, expected $want"

  result=ok
  [ "$status" = "$before" ] || result=FAIL
  printf '%-16s %12s %10s %10s  %s\n' "$page" "$(value deployments "$OUT/$page.expected")" \
    "$(wc -c <"$html")" "$render_ms" "$result"
done
echo "screenshots: $OUT/dashboard-5.png $OUT/dashboard-$DEPLOYMENTS.png"
exit $status
