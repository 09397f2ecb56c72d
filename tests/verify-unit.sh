#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# systemd-analyze verify UNIT as shipped, man pages included: the manual the unit's
# Documentation= names is looked up in a MANPATH that holds this build's page, as it would be
# once installed.
#
#   verify-unit.sh UNIT MANPAGE
set -eu
pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
mkdir "$pages/man1"
cp "$2" "$pages/man1/"
MANPATH=$pages systemd-analyze verify "$1"
