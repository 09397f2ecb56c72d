#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The demo profile: a local S3 server (Ceph RADOS Gateway on 127.0.0.1, started by the
# project's test harness) with a bucket of sample files, and the app next to it. Quitting the
# app stops the server it started.
#
#   run-demo.sh APP CLI S3_SERVER_SCRIPT SAMPLES_DIR BUILD_DIR
set -euo pipefail

app=$1 cli=$2 server=$3 samples=$4 build=$5
dir=$(mktemp -d "${TMPDIR:-/tmp}/presign-guard-demo.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bucket=demo

cleanup() {
  "$server" stop "$dir" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

echo "Starting a local S3 server for the demo (about 15 seconds)…"
endpoint=$("$server" start "$dir" "$port" 2>"$dir.log") || {
  cat "$dir.log" >&2
  rm -f "$dir.log"
  exit 1
}
rm -f "$dir.log"

# The demo identities of the local server: the manager (owner) and the signer (owner:presign).
export AWS_ACCESS_KEY_ID=OWNERKEY AWS_SECRET_ACCESS_KEY=OWNERSECRET
# The gateway wants the payload hash signed, which curl does when the header is given.
curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" -u "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
  -X PUT "$endpoint/$bucket" >/dev/null
for file in "$samples"/*; do
  url=$("$cli" presign --endpoint "$endpoint" --path-style --method PUT --bucket "$bucket" \
          --key "samples/$(basename "$file")" --expires 60)
  curl -sf -T "$file" "$url" >/dev/null
done

download=$(AWS_ACCESS_KEY_ID=PRESIGNKEY AWS_SECRET_ACCESS_KEY=PRESIGNSECRET \
  "$cli" presign --endpoint "$endpoint" --path-style --method GET --bucket "$bucket" \
  --key "samples/$(basename "$(ls "$samples" | head -n 1)")" --expires 3600)

cat <<TEXT

Local S3 server: $endpoint  (bucket "$bucket", sample files under samples/)
  manager keys: OWNERKEY / OWNERSECRET      signer keys: PRESIGNKEY / PRESIGNSECRET
A download link made by the signer, valid for an hour:
  $download

TEXT

# The demo lives in a profile of its own (settings, links and a file keyring under the demo
# folder), so it never mixes with a real account and leaves nothing behind.
export XDG_CONFIG_HOME=$dir/profile/config XDG_DATA_HOME=$dir/profile/data
export SECRET_BACKEND=file SECRET_FILE_TEST_PATH=$dir/profile/keyring
export SECRET_FILE_TEST_PASSWORD=demo
# The uninstalled build's settings schema and translations.
export GSETTINGS_SCHEMA_DIR=$build/data PRESIGN_GUARD_LOCALEDIR=$build/po
export PRESIGN_GUARD_DEMO_ENDPOINT=$endpoint PRESIGN_GUARD_DEMO_BUCKET=$bucket
export PRESIGN_GUARD_DEMO_MANAGER_KEY=OWNERKEY PRESIGN_GUARD_DEMO_MANAGER_SECRET=OWNERSECRET
export PRESIGN_GUARD_DEMO_SIGNER_KEY=PRESIGNKEY PRESIGN_GUARD_DEMO_SIGNER_SECRET=PRESIGNSECRET
export PRESIGN_GUARD_DEMO_SIGNER_ARN=arn:aws:iam:::user/owner:presign
# Where the gateway reports every request: the app sees armed links used, and closes them.
export PRESIGN_GUARD_DEMO_OPS_LOG=$dir/ops.log
"$app"
