#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one libFuzzer target for a while from its committed corpus (copied, so the tree is left
# as it is) and says how it went: executions, seconds, crashes. A crash fails, and its input is
# kept in the build directory to be replayed.
#
#   run-fuzz.sh TARGET_BINARY CORPUS_DIR NAME
# PG_FUZZ_SECONDS: how long (default 60).
set -euo pipefail

binary=$1 corpus=$2 name=$3
seconds=${PG_FUZZ_SECONDS:-60}
work=$(mktemp -d "${TMPDIR:-/tmp}/pg-fuzz-$name.XXXXXX")
artifacts=$(dirname "$binary")/artifacts-$name
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
cp -r "$corpus"/. "$work"/

started=$(date +%s)
set +e
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" >"$work.log" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - started ))

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log" | tail -n 1)
crashes=$(find "$artifacts" -type f -newer "$work" | wc -l)
echo "$name: ${runs:-0} executions in $elapsed s, $crashes crashes"
if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
  tail -n 40 "$work.log"
  rm -f "$work.log"
  exit 1
fi
rm -f "$work.log"
