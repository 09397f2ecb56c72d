#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a browser test with playwright-core from npm (the version pinned in package-lock.json),
# installed into a folder of the build, and Debian's chromium.
#
#   tests/browser/run.sh MODULES_DIR TEST.mjs [ARGS…]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
modules=$1; shift

if ! command -v chromium >/dev/null; then
  echo "Bail out! chromium is missing; install it with .ci/install-deps (Debian package chromium)"
  exit 1
fi

# npm ci again only when the lock file changed since the last install.
mkdir -p "$modules"
if ! cmp -s "$here/package-lock.json" "$modules/package-lock.json" \
   || [ ! -d "$modules/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$modules/"
  if ! (cd "$modules" && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then
    echo "Bail out! npm could not install playwright-core:"
    sed 's/^/# /' "$modules/npm.log"
    exit 1
  fi
fi

export PG_NODE_MODULES="$modules/node_modules"
exec node "$@"
