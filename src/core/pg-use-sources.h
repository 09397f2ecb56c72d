/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-watcher.h"

G_BEGIN_DECLS

#define PG_TYPE_WATCH (pg_watch_get_type ())

G_DECLARE_FINAL_TYPE (PgWatch, pg_watch, PG, WATCH, GObject)

PgWatch    *pg_watch_new             (PgWatcher           *watcher);
gboolean    pg_watch_add_ops_log     (PgWatch             *self,
                                      const char          *path,
                                      const char          *state_path,
                                      guint                interval,
                                      GError             **error);
void        pg_watch_add_queue       (PgWatch             *self,
                                      const char          *queue_url);
void        pg_watch_add_polling     (PgWatch             *self,
                                      guint                interval);
gboolean    pg_watch_add_listener    (PgWatch             *self,
                                      const char          *address,
                                      GError             **error);
void        pg_watch_set_heartbeat   (PgWatch             *self,
                                      gboolean             heartbeat);
const char *pg_watch_get_description (PgWatch             *self);
PgWatcher  *pg_watch_get_watcher     (PgWatch             *self);
void        pg_watch_start           (PgWatch             *self);
void        pg_watch_stop_async      (PgWatch             *self,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean    pg_watch_stop_finish     (PgWatch             *self,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
