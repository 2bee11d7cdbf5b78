# Sourced by the headless-browser checks (tests/html-render.sh, tests/dashboard-render.sh):
# sets CHROMIUM, installing the Debian package `chromium` when missing. When it cannot, says
# SKIPPED loudly and exits 0, unless DEPGATE_REQUIRE_CHROMIUM=1, then it fails.
# Also defines chromium_flags PROFILE: the flags every run uses (offline, no first-run UI).

skip() {
  echo "SKIPPED: $*" >&2
  if [ "${DEPGATE_REQUIRE_CHROMIUM:-0}" = 1 ]; then exit 1; fi
  exit 0
}

CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$CHROMIUM" ]; then
  echo "chromium not found; installing the Debian package" >&2
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 || true
  elif command -v sudo >/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2 || true
  fi
  CHROMIUM=$(command -v chromium || true)
  [ -n "$CHROMIUM" ] || skip "headless Chromium is not available and could not be installed; HTML not rendered"
fi

chromium_flags() {
  printf '%s\n' --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$1" \
    --window-size=1280,2000
}
