/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-s3-client.h"

G_BEGIN_DECLS

#define PG_TYPE_LEASE (pg_lease_get_type ())

G_DECLARE_FINAL_TYPE (PgLease, pg_lease, PG, LEASE, GObject)

PgLease    *pg_lease_new               (PgS3Client           *client,
                                        const char           *bucket,
                                        const char           *key,
                                        const char           *purpose,
                                        guint                 seconds);
gboolean    pg_lease_is_held           (PgLease              *self);
guint       pg_lease_get_requests      (PgLease              *self);
guint       pg_lease_get_waits         (PgLease              *self);
void        pg_lease_acquire_async     (PgLease              *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean    pg_lease_acquire_finish    (PgLease              *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void        pg_lease_confirm_async     (PgLease              *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean    pg_lease_confirm_finish    (PgLease              *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void        pg_lease_release_async     (PgLease              *self,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean    pg_lease_release_finish    (PgLease              *self,
                                        GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
