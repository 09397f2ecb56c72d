/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-activity.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/* The lock that lets one writer at a time add to a bucket's activities. */
#define PG_ACTIVITY_LOCK_KEY ".presign-guard/activity.lock"

#define PG_TYPE_ACTIVITY_STORE (pg_activity_store_get_type ())

G_DECLARE_FINAL_TYPE (PgActivityStore, pg_activity_store, PG, ACTIVITY_STORE, GObject)

void              pg_activity_load_async        (PgS3Client          *manager,
                                                 const char          *bucket,
                                                 const char          *link_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
PgActivity       *pg_activity_load_finish       (GAsyncResult        *result,
                                                 GError             **error);

PgActivityStore  *pg_activity_store_new         (PgS3Client          *manager,
                                                 const char          *bucket);
void              pg_activity_store_add         (PgActivityStore     *self,
                                                 const char          *link_id,
                                                 const PgActivityEvent *event);
void              pg_activity_store_cancel      (PgActivityStore     *self);
gboolean          pg_activity_store_is_settled  (PgActivityStore     *self);
guint             pg_activity_store_get_writes  (PgActivityStore     *self);

G_END_DECLS
