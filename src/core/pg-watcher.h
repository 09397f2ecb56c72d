/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-account-context.h"
#include "pg-activity.h"
#include "pg-link-record.h"
#include "pg-link-service.h"
#include "pg-use-event.h"

G_BEGIN_DECLS

#define PG_TYPE_WATCHER (pg_watcher_get_type ())

G_DECLARE_FINAL_TYPE (PgWatcher, pg_watcher, PG, WATCHER, GObject)

#define PG_WATCHER_DEFAULT_GRACE PG_LINK_DEFAULT_GRACE
/* Where an always-on watcher says it is alive. */
#define PG_WATCHER_HEARTBEAT_KEY ".presign-guard/watcher.json"

PgWatcher   *pg_watcher_new              (PgLinkService       *service,
                                          PgAccountContext    *context);
void         pg_watcher_set_verify_timeout (PgWatcher         *self,
                                          int                  seconds);
void         pg_watcher_load_async       (PgWatcher           *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean     pg_watcher_load_finish      (PgWatcher           *self,
                                          GAsyncResult        *result,
                                          GError             **error);
void         pg_watcher_handle_events    (PgWatcher           *self,
                                          GPtrArray           *events);
void         pg_watcher_poll_uploads     (PgWatcher           *self);
guint        pg_watcher_get_n_armed      (PgWatcher           *self);
PgS3Client  *pg_watcher_get_manager      (PgWatcher           *self);
gboolean     pg_watcher_is_idle          (PgWatcher           *self);
gboolean     pg_watcher_is_settled       (PgWatcher           *self);
void         pg_watcher_beat_async       (PgWatcher           *self,
                                          const char          *source,
                                          gint64               started,
                                          gboolean             stopped,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gint64       pg_watcher_heartbeat_time   (GBytes              *heartbeat);
gboolean     pg_watcher_beat_finish      (PgWatcher           *self,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
