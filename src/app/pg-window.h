/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pg-application.h"
#include "pg-session.h"

G_BEGIN_DECLS

#define PG_TYPE_WINDOW (pg_window_get_type ())

G_DECLARE_FINAL_TYPE (PgWindow, pg_window, PG, WINDOW, AdwApplicationWindow)

PgWindow  *pg_window_new         (PgApplication *application);
PgLink    *pg_window_find_link   (PgWindow      *self,
                                  const char    *id);
void       pg_window_show_toast  (PgWindow      *self,
                                  const char    *message);

G_END_DECLS
