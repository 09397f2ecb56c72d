/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PG_TYPE_PREFERENCES_WINDOW (pg_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PgPreferencesWindow, pg_preferences_window, PG, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

GtkWindow *pg_preferences_window_new   (GtkWindow *parent);
guint      pg_expiry_index_to_seconds  (guint      index);
guint      pg_expiry_seconds_to_index  (guint      seconds);

G_END_DECLS
