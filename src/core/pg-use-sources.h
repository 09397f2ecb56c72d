/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-watcher.h"

G_BEGIN_DECLS

#define PG_TYPE_USE_SOURCES (pg_use_sources_get_type ())

/* The notifications listener's bounds: anyone who can reach it can connect.
 *
 * At most this many connections at once; the oldest still sending its request is closed for a
 * new one. Far above what S3 opens (one per notification, closed once answered), far below the
 * file descriptors of the watch's systemd unit (LimitNOFILE). */
#define PG_LISTENER_MAX_CONNECTIONS 256
/* A connection that sends nothing for this long is closed. */
#define PG_LISTENER_IDLE_SECONDS    5
/* A request's headers must be whole within this long of the connection, and its body within
 * this long of its headers. */
#define PG_LISTENER_REQUEST_SECONDS 10
/* A notification holds a record or a few, a kilobyte or two each. */
#define PG_LISTENER_MAX_BODY        (64 * 1024)
/* A file told of is checked with S3 at most once in this long, however many notifications name
 * it. */
#define PG_LISTENER_CHECK_SECONDS   2

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
