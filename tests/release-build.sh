#!/usr/bin/env bash
# The release build on this machine: every release target of .github/workflows/release.yml
# that can be built here is built in the release profile by .ci/release-build (on Linux laid out
# by the functions it runs, and checked to be), packed with .ci/release-package,
# listed in SHA256SUMS and checked the way docs/install.md tells users to (`sha256sum -c`),
# unpacked, and run through the quick start (.ci/release-smoke). Then depgate writes its own
# CycloneDX SBOM with the binary it just built, as the release does.
#
#   tests/release-build.sh [OUT_DIR]      (default: bench-out/release)
#
# The release's Linux targets are glibc and static musl builds for x86_64 and arm64. A target
# whose Rust standard library or C toolchain is missing here is reported as SKIPPED with the
# reason, loudly; when no Linux target can be built, the host's own target is built instead, so
# the script always builds and checks a release binary. DEPGATE_REQUIRE_MUSL=1 turns a skipped
# musl target into a failure. The release checks that its glibc builds need glibc 2.34 at most
# (they are built on Ubuntu 22.04); a local glibc build needs what this machine's glibc gives,
# so here it is only run.
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir="${1:-bench-out/release}"
rm -rf "$out_dir"
mkdir -p "$out_dir"
out_dir="$(cd "$out_dir" && pwd)"

# The layout's recorded runs read the RustSec copy of the shared data folder when it is there
# (offline); else .ci/release-build fetches the database, as the release does.
if [ -z "${ADVISORY_DB:-}" ] && [ -d ../shared/data/advisory-db ]; then
  export ADVISORY_DB="$PWD/../shared/data/advisory-db"
fi

installed_targets="$(rustup target list --installed 2>/dev/null || true)"
host="$(rustc -vV | sed -n 's/^host: //p')"
built=()
skipped=()

# Why TARGET cannot be built here, or nothing when it can. The release builds each Linux target
# natively (on an x86_64 or an arm64 runner), the musl ones with musl-gcc for the C code
# (mimalloc, ring).
missing() {
  local target=$1
  if [[ "$target" == *-linux-* ]] && [ "${target%%-*}" != "${host%%-*}" ]; then
    echo "the release builds it natively on an ${target%%-*} runner; this machine is $host"
  elif [ "$target" != "$host" ] && ! grep -qx "$target" <<< "$installed_targets"; then
    echo "its Rust standard library is not installed (rustup target add $target)"
  elif [[ "$target" == *-musl ]] && ! command -v musl-gcc >/dev/null 2>&1; then
    echo "musl-gcc is missing (Debian: apt-get install musl-tools)"
  elif [[ "$target" == *-linux-* ]] && ! command -v ld.lld >/dev/null 2>&1; then
    echo "ld.lld is missing, which lays the binary out (Debian: apt-get install lld)"
  elif [[ "$target" == *-linux-* ]] && ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind is missing, which records the layout (Debian: apt-get install valgrind)"
  fi
}

build() {
  echo "== building $1 (release profile)"
  local binary
  binary=$(nice -n 10 .ci/release-build "$1")
  .ci/release-package "$1" "$binary" "$out_dir" > /dev/null
  built+=("$1")
}

for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl \
  aarch64-unknown-linux-musl; do
  reason="$(missing "$target")"
  if [ -n "$reason" ]; then
    echo "SKIPPED: $target: $reason" >&2
    skipped+=("$target")
  else
    build "$target"
  fi
done
# Without a Linux target the host's own one is built, so a release binary is checked in any case.
if [ "${#built[@]}" -eq 0 ]; then
  build "$host"
fi

(cd "$out_dir" && sha256sum -- depgate-*.tar.gz > SHA256SUMS)
echo "== SHA256SUMS"
cat "$out_dir/SHA256SUMS"
# What a user runs by hand after downloading (docs/install.md).
(cd "$out_dir" && sha256sum --check --strict SHA256SUMS)

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
for target in "${built[@]}"; do
  echo "== quick start: $target"
  unpacked="$out_dir/unpacked/$target"
  rm -rf "$unpacked"
  mkdir -p "$unpacked"
  tar -xzf "$out_dir/depgate-$version-$target.tar.gz" -C "$unpacked"
  binary="$unpacked/depgate-$version-$target/depgate"
  if [[ "$target" == *-musl ]]; then
    .ci/release-smoke "$binary" --static
  else
    .ci/release-smoke "$binary"
  fi
  ls -l "$binary"
done

# Dogfooding: depgate's SBOM of itself, made by the binary just built, the x86_64 musl one as
# in the release when it was built (offline: the crate sources come from `cargo fetch
# --locked`, which CI runs first).
writer="${built[0]}"
if [[ " ${built[*]} " == *" x86_64-unknown-linux-musl "* ]]; then
  writer=x86_64-unknown-linux-musl
fi
SOURCE_DATE_EPOCH="$(git log -1 --format=%ct 2>/dev/null || date +%s)" \
  "$out_dir/unpacked/$writer/depgate-$version-$writer/depgate" sbom . --offline \
  --format cyclonedx-json --output "$out_dir/depgate-$version.cdx.json"
components=$(grep -c '"bom-ref"' "$out_dir/depgate-$version.cdx.json" || true)
echo "== SBOM: $out_dir/depgate-$version.cdx.json ($components bom-refs)"
if [ "$components" -lt 10 ]; then
  echo "release-build: the SBOM of depgate lists $components components; expected its dependencies" >&2
  exit 1
fi

echo "release-build: built and checked ${built[*]}"
if [ "${#skipped[@]}" -gt 0 ]; then
  echo "release-build: SKIPPED ${skipped[*]} (see above)" >&2
  if [ "${DEPGATE_REQUIRE_MUSL:-}" = 1 ] && grep -q musl <<< "${skipped[*]}"; then
    echo "release-build: DEPGATE_REQUIRE_MUSL=1 and a musl target was skipped" >&2
    exit 1
  fi
fi
