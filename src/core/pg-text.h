/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char   *pg_text_sanitize     (const char *text);
GArray *pg_text_phrase_spans (const char *text);

G_END_DECLS
