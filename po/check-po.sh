#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks a catalogue against the sources: valid, consistent format strings, every message of
# the current sources present and translated, nothing fuzzy.
#
#   check-po.sh PO_FILE SOURCE_ROOT
set -eu
po=$1
root=$2
pot=$(mktemp)
trap 'rm -f "$pot"' EXIT

# The same extraction as meson's "glib" gettext preset.
xgettext --from-code=UTF-8 --add-comments --directory="$root" \
  --files-from="$root/po/POTFILES.in" --output="$pot" \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2 \
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format

msgcmp "$po" "$pot"
stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
echo "$stats"
case $stats in
  *untranslated*|*fuzzy*) echo "$po is incomplete" >&2; exit 1 ;;
esac
