#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command with PG_TEST_S3_ENDPOINT pointing at a local Ceph RADOS Gateway, and
# PG_TEST_OPS_LOG at its ops log. When PG_TEST_S3_ENDPOINT is already set, the command runs
# against that (give PG_TEST_OPS_LOG too, for the tests that read it); otherwise a gateway is
# started on a free port for this command alone and stopped afterwards by PID.
#
#   with-s3-server.sh [--sts] COMMAND…
#
# --sts: a gateway that serves STS AssumeRole too (tests/s3-server.sh), in PG_TEST_STS_ENDPOINT
# (used when already set) and PG_TEST_S3_ENDPOINT alike.
set -euo pipefail

if [ "${1:-}" = --sts ]; then
  shift
  if [ -n "${PG_TEST_STS_ENDPOINT:-}" ]; then
    PG_TEST_S3_ENDPOINT=$PG_TEST_STS_ENDPOINT exec "$@"
  fi
  export PG_S3_STS=1
  unset PG_TEST_S3_ENDPOINT
elif [ -n "${PG_TEST_S3_ENDPOINT:-}" ]; then
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
# The gateway's ops log: one JSON line per request (links closed after their use read it).
export PG_TEST_S3_ENDPOINT PG_TEST_OPS_LOG=$dir/ops.log
if [ "${PG_S3_STS:-}" = 1 ]; then
  export PG_TEST_STS_ENDPOINT=$PG_TEST_S3_ENDPOINT
fi

"$@"
