/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void pg_toolkit_init          (void);
void pg_close_on_escape       (GtkWindow  *window);
void pg_accessible_fix_names  (GtkWidget  *widget);
void pg_tooltip_set_text      (GtkTooltip *tooltip,
                               const char *text);
void pg_tooltips_fit          (GtkWidget  *widget);

G_END_DECLS
