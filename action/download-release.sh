#!/usr/bin/env bash
# The action's fast path (run by action.yml's "Download the released depgate" step): when the
# action runs at a commit that a release was built from, download that release's archive for
# this runner, verify it, and install the binary at DEPGATE_BINARY. Writes `installed=true`
# to GITHUB_OUTPUT when it did, `installed=false` (with the reason in the log) when no release
# matches, and the next step then builds from source.
#
# Verification, before anything from the download is unpacked or run:
#   1. the release's SHA256SUMS must carry a GitHub artifact attestation (Sigstore) made by
#      this repository's release workflow for the tag vVERSION at the commit that tag names
#      (`gh attestation verify`), and
#   2. the archive's SHA-256 must equal its line in that SHA256SUMS.
# A failed check stops the job with an error; the download is deleted, never run.
#
# Inputs (environment): INPUT_INSTALL (`auto` or `source`), ACTION_REPOSITORY and ACTION_REF
# (empty for a local `uses: ./`), SERVER_URL and API_URL (github.server_url, github.api_url),
# GH_TOKEN, DEPGATE_VERSION, DEPGATE_BINARY, plus the runner's RUNNER_OS, RUNNER_ARCH,
# RUNNER_TEMP and GITHUB_OUTPUT.
set -euo pipefail

no_release() {
  echo "depgate: $1; building from source instead."
  echo "installed=false" >> "$GITHUB_OUTPUT"
  exit 0
}

stop() {
  echo "::error title=depgate::$1"
  exit 1
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 -- "$1" | cut -d ' ' -f 1
  fi
}

case "${INPUT_INSTALL:-auto}" in
  auto) ;;
  source) no_release "the input \`install\` is \`source\`" ;;
  *) stop "the input \`install\` must be \`auto\` or \`source\`, not \`$INPUT_INSTALL\`" ;;
esac
if [ -z "${ACTION_REPOSITORY:-}" ] || [ -z "${ACTION_REF:-}" ]; then
  no_release "the action runs from a local path (\`uses: ./\`), which no release matches"
fi
# On Linux the glibc build when the C library is glibc 2.34 or later (what the release checks
# it needs; GitHub's Ubuntu runners have 2.35 and 2.39), else the static musl build, which runs
# anywhere (Alpine containers, older distributions) but slower (docs/benchmarks.md).
libc=none
if [ "$RUNNER_OS" = Linux ]; then
  libc=musl
  glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed -n 's/^glibc \([0-9][0-9.]*\)$/\1/p' || true)
  if [ -n "$glibc" ] && printf '2.34\n%s\n' "$glibc" | sort -V -C; then
    libc=gnu
  fi
fi
case "$RUNNER_OS/$RUNNER_ARCH/$libc" in
  Linux/X64/gnu) target=x86_64-unknown-linux-gnu ;;
  Linux/X64/musl) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64/gnu) target=aarch64-unknown-linux-gnu ;;
  Linux/ARM64/musl) target=aarch64-unknown-linux-musl ;;
  macOS/X64/none) target=x86_64-apple-darwin ;;
  macOS/ARM64/none) target=aarch64-apple-darwin ;;
  Windows/X64/none) target=x86_64-pc-windows-msvc ;;
  *) no_release "no release binary is built for $RUNNER_OS $RUNNER_ARCH" ;;
esac
case "$target" in
  *-windows-*) archive="depgate-$DEPGATE_VERSION-$target.zip" executable=depgate.exe ;;
  *) archive="depgate-$DEPGATE_VERSION-$target.tar.gz" executable=depgate ;;
esac
tag="v$DEPGATE_VERSION"

curl_common=(--silent --show-error --location --proto-redir '=https' --connect-timeout 20 --retry 3)
if [ -n "${GH_TOKEN:-}" ]; then
  api_auth=(--header "Authorization: Bearer $GH_TOKEN")
else
  api_auth=()
fi

# The commit a ref names, from the REST API (annotated tags are peeled); prints nothing for
# an unknown ref and fails for any other answer.
commit_of() {
  local answer status
  answer=$(curl "${curl_common[@]}" --max-time 60 "${api_auth[@]}" \
    --header 'Accept: application/vnd.github.sha' \
    --write-out '\n%{http_code}' "$API_URL/repos/$ACTION_REPOSITORY/commits/$1") || return 1
  status=${answer##*$'\n'}
  case "$status" in
    200) printf '%s' "${answer%$'\n'*}" | tr -d '[:space:]' ;;
    404 | 422) ;;
    *) return 1 ;;
  esac
}

# Only a release built from exactly the commit the action runs at will do.
if ! tag_commit=$(commit_of "$tag"); then
  echo "::warning title=depgate::cannot ask $API_URL which commit $tag is"
  no_release "the release for this ref could not be looked up"
fi
if [ -z "$tag_commit" ]; then
  no_release "$ACTION_REPOSITORY has no tag $tag (an untagged version)"
fi
if [ "$ACTION_REF" = "$tag" ] || [ "$ACTION_REF" = "$tag_commit" ]; then
  ref_commit=$tag_commit
elif [[ "$ACTION_REF" =~ ^[0-9a-f]{40}$ ]]; then
  ref_commit=$ACTION_REF
elif ! ref_commit=$(commit_of "$ACTION_REF"); then
  echo "::warning title=depgate::cannot ask $API_URL which commit $ACTION_REF is"
  no_release "the release for this ref could not be looked up"
fi
if [ "$ref_commit" != "$tag_commit" ]; then
  no_release "the action's ref $ACTION_REF is not the commit of release $tag"
fi

work="$(mktemp -d "$RUNNER_TEMP/depgate-download.XXXXXX")"
trap 'rm -rf "$work"' EXIT
base="$SERVER_URL/$ACTION_REPOSITORY/releases/download/$tag"

# Downloads one release file; a missing file means no release matches, any other failure
# (an error status, a connection cut short) stops the job.
download() {
  local status=0 code
  code=$(curl "${curl_common[@]}" --max-time 600 --output "$work/$1" \
    --write-out '%{http_code}' "$base/$1") || status=$?
  if [ "$code" = 404 ]; then
    no_release "release $tag has no $1"
  fi
  if [ "$status" -ne 0 ] || [ "$code" != 200 ]; then
    stop "downloading $base/$1 failed (HTTP status $code, curl exit code $status); nothing was installed. Retry the job, or set \`install: source\` to build from source."
  fi
}
download SHA256SUMS
download "$archive"

if ! command -v gh >/dev/null 2>&1; then
  no_release "the GitHub CLI (\`gh\`), which verifies the release's attestation, is not installed on this runner"
fi
echo "depgate: verifying the attestation of $tag's SHA256SUMS"
if ! gh attestation verify "$work/SHA256SUMS" --repo "$ACTION_REPOSITORY" \
  --signer-workflow "$ACTION_REPOSITORY/.github/workflows/release.yml" \
  --source-ref "refs/tags/$tag" --source-digest "$tag_commit" --deny-self-hosted-runners; then
  stop "the SHA256SUMS of release $tag has no valid attestation from $ACTION_REPOSITORY's release workflow; the download was deleted and not run. Set \`install: source\` to build from source."
fi

expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$work/SHA256SUMS")
if [ -z "$expected" ]; then
  stop "the SHA256SUMS of release $tag does not list $archive; the download was deleted and not run."
fi
actual=$(sha256 "$work/$archive")
if [ "$actual" != "$expected" ]; then
  stop "checksum mismatch for $archive from release $tag: SHA256SUMS says $expected, the download is $actual. The download was deleted and not run."
fi
echo "depgate: $archive matches the attested SHA256SUMS ($actual)"

mkdir "$work/unpacked"
case "$archive" in
  *.zip)
    if command -v unzip >/dev/null 2>&1; then
      unzip -q "$work/$archive" -d "$work/unpacked"
    else
      7z x -y -bso0 -bsp0 "-o$work/unpacked" "$work/$archive"
    fi
    ;;
  *) tar -xzf "$work/$archive" -C "$work/unpacked" ;;
esac
unpacked="$work/unpacked/depgate-$DEPGATE_VERSION-$target/$executable"
if [ ! -f "$unpacked" ] || [ -L "$unpacked" ]; then
  stop "$archive from release $tag has no depgate-$DEPGATE_VERSION-$target/$executable"
fi
mkdir -p "$(dirname "$DEPGATE_BINARY")"
# Moved into place only now, so a failed run never leaves a binary where the next step looks.
mv -f "$unpacked" "$DEPGATE_BINARY.partial"
chmod 755 "$DEPGATE_BINARY.partial"
mv -f "$DEPGATE_BINARY.partial" "$DEPGATE_BINARY"
echo "depgate: installed release $tag ($target)"
echo "installed=true" >> "$GITHUB_OUTPUT"
