#!/usr/bin/env bash
# Renders the HTML license report and notices of the license fixture in headless Chromium:
# each page must load without any console message (errors, failed loads), show the expected package count in the DOM,
# and reference no external resource (no `src=`, `<link`, `<script`, `@import` or `url(`).
# Screenshots go to $OUT (default: bench-out/html-render) for a human to look at.
#
# Usage: tests/html-render.sh [path/to/depgate]   (default: target/debug/depgate, built if missing)
# Installs Chromium (Debian package `chromium`) when missing; if it cannot, says SKIPPED loudly
# and exits 0, unless DEPGATE_REQUIRE_CHROMIUM=1, then it fails (tests/support/chromium.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/depgate}
OUT=${OUT:-bench-out/html-render}
FIXTURE=tests/fixtures/licenses/npm-app
EXPECTED_PACKAGES=11

# shellcheck source=tests/support/chromium.sh
. tests/support/chromium.sh

[ -x "$BIN" ] || cargo build --quiet
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

"$BIN" licenses "$FIXTURE" --policy "$FIXTURE/policy.toml" --format html -o "$OUT/licenses.html"
"$BIN" notices "$FIXTURE" --policy "$FIXTURE/policy.toml" --format html -o "$OUT/notices.html" 2>/dev/null

status=0
for page in licenses notices; do
  html="$OUT/$page.html"
  # Self-contained: nothing that makes the browser fetch anything.
  if grep -Eiq '<script|<link|<img|<iframe|<object|<embed|src=|@import|url\(' "$html"; then
    echo "FAIL: $page.html references an external resource or script:" >&2
    grep -Eion '<script|<link|<img|<iframe|<object|<embed|src=|@import|url\(' "$html" | head >&2
    status=1
  fi
  profile=$(mktemp -d)
  mapfile -t flags < <(chromium_flags "$profile")
  # Chromium logs page-level console errors to stderr with --enable-logging=stderr.
  "$CHROMIUM" "${flags[@]}" --enable-logging=stderr --v=0 --screenshot="$OUT/$page.png" \
    "file://$html" >"$OUT/$page.log" 2>&1 || { echo "FAIL: chromium could not render $page.html" >&2; status=1; }
  "$CHROMIUM" "${flags[@]}" --dump-dom "file://$html" >"$OUT/$page.dom.html" 2>/dev/null || status=1
  # The print layout (print CSS) must produce a PDF too.
  "$CHROMIUM" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$OUT/$page.pdf" "file://$html" >/dev/null 2>&1 || true
  head -c 5 "$OUT/$page.pdf" 2>/dev/null | grep -q '%PDF-' || { echo "FAIL: printing $page.html produced no PDF" >&2; status=1; }
  rm -rf "$profile"
  # The pages have no scripts, so any console message (a script error, a failed resource
  # load) is a defect.
  if grep -q ':CONSOLE' "$OUT/$page.log"; then
    echo "FAIL: $page.html logged console messages:" >&2
    grep ':CONSOLE' "$OUT/$page.log" >&2
    status=1
  fi
  count=$(sed -n 's/.*<span id="package-count">\([0-9]*\)<\/span>.*/\1/p' "$OUT/$page.dom.html" | head -1)
  if [ "$count" != "$EXPECTED_PACKAGES" ]; then
    echo "FAIL: $page.html shows package count '$count', expected $EXPECTED_PACKAGES" >&2
    status=1
  fi
  if [ "$page" = licenses ]; then
    rows=$(grep -o '<tr class="package">' "$OUT/$page.dom.html" | wc -l)
    if [ "$rows" != "$EXPECTED_PACKAGES" ]; then
      echo "FAIL: licenses.html has $rows package rows, expected $EXPECTED_PACKAGES" >&2
      status=1
    fi
  fi
  [ -s "$OUT/$page.png" ] || { echo "FAIL: no screenshot for $page.html" >&2; status=1; }
  echo "$page.html: package count $count, screenshot $OUT/$page.png, print $OUT/$page.pdf"
done
exit $status
