#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command with PG_TEST_S3_ENDPOINT pointing at a local Ceph RADOS Gateway.
# When PG_TEST_S3_ENDPOINT is already set (CI starts one gateway for the whole run), the command
# runs against that; otherwise a gateway is started on a free port for this command alone and
# stopped afterwards by PID.
set -euo pipefail

if [ -n "${PG_TEST_S3_ENDPOINT:-}" ]; then
  exec "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/pg-s3-server.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "$here/s3-server.sh" stop "$dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT

# The server's own output would confuse a TAP reader: keep it in its log.
if ! PG_TEST_S3_ENDPOINT=$("$here/s3-server.sh" start "$dir" "$port" 2>"$dir.log"); then
  echo "Bail out! the local S3 server did not start:"
  sed 's/^/# /' "$dir.log"
  rm -f "$dir.log"
  exit 1
fi
rm -f "$dir.log"
export PG_TEST_S3_ENDPOINT

"$@"
