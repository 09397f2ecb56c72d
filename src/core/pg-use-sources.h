/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-watcher.h"

G_BEGIN_DECLS

#define PG_TYPE_USE_SOURCES (pg_use_sources_get_type ())

G_DECLARE_FINAL_TYPE (PgUseSources, pg_use_sources, PG, USE_SOURCES, GObject)

PgUseSources    *pg_use_sources_new             (PgWatcher           *watcher);
gboolean    pg_use_sources_add_ops_log     (PgUseSources             *self,
                                      const char          *path,
                                      const char          *state_path,
                                      guint                interval,
                                      GError             **error);
void        pg_use_sources_add_queue       (PgUseSources             *self,
                                      const char          *queue_url);
void        pg_use_sources_add_polling     (PgUseSources             *self,
                                      guint                interval);
gboolean    pg_use_sources_add_listener    (PgUseSources             *self,
                                      const char          *address,
                                      GError             **error);
void        pg_use_sources_set_heartbeat   (PgUseSources             *self,
                                      gboolean             heartbeat);
const char *pg_use_sources_get_description (PgUseSources             *self);
PgWatcher  *pg_use_sources_get_watcher     (PgUseSources             *self);
void        pg_use_sources_start           (PgUseSources             *self);
void        pg_use_sources_stop_async      (PgUseSources             *self,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean    pg_use_sources_stop_finish     (PgUseSources             *self,
                                      GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
