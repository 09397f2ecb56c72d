#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks a catalogue: valid, with consistent format strings, and nothing untranslated or fuzzy.
set -eu
stats=$(msgfmt --check --statistics -o /dev/null "$1" 2>&1)
echo "$stats"
case $stats in
  *untranslated*|*fuzzy*) echo "$1 is incomplete" >&2; exit 1 ;;
esac
