#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Renders the README's screenshots, in English and Japanese, by running the UI test against a
# local S3 server with PG_SCREENSHOT_DIR set, and the upload page in chromium (the browser test
# with --screenshots). Needs a CJK font (Debian: fonts-noto-cjk) and chromium.
#
#   tests/screenshots.sh [BUILD_DIR] [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=${2:-$here/../data/screenshots}
mkdir -p "$out"

for lang in en ja; do
  mkdir -p "$out/$lang"
  env PG_SCREENSHOT_DIR="$(cd "$out/$lang" && pwd)" LANGUAGE=$lang LANG=C.UTF-8 \
      GSETTINGS_SCHEMA_DIR="$build/data" PRESIGN_GUARD_LOCALEDIR="$build/po" \
      PG_CLI="$build/src/cli/presign-guard-cli" \
      "$here/with-s3-server.sh" xvfb-run -a -s "-screen 0 1600x900x24" dbus-run-session -- \
      "$build/tests/test-ui" >/dev/null
  echo "screenshots in $out/$lang"
done

env PRESIGN_GUARD_LOCALEDIR="$build/po" PG_CLI="$build/src/cli/presign-guard-cli" \
    "$here/with-s3-server.sh" "$here/browser/run.sh" "$build/tests/browser-modules" \
    "$here/test-browser-upload.mjs" --screenshots "$(cd "$out" && pwd)"
echo "upload page screenshots in $out/en and $out/ja"
