/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-s3-client.h"

G_BEGIN_DECLS

/* The longest lease anybody running this code takes. A lock that claims to last longer (or that
 * cannot be read at all) is believed only this long, counted from when its content was first
 * seen. */
#define PG_LEASE_MAX_SECONDS      90

/* How long a lockdown waits for somebody else's lock before taking it over. */
#define PG_LEASE_TAKEOVER_SECONDS 12

#define PG_TYPE_LEASE (pg_lease_get_type ())

G_DECLARE_FINAL_TYPE (PgLease, pg_lease, PG, LEASE, GObject)

PgLease    *pg_lease_new               (PgS3Client           *client,
                                        const char           *bucket,
                                        const char           *key,
                                        const char           *purpose,
                                        guint                 seconds);
void        pg_lease_set_max_seconds   (PgLease              *self,
                                        guint                 seconds);
void        pg_lease_set_takeover      (PgLease              *self,
                                        guint                 seconds);
void        pg_lease_set_wait_limit    (PgLease              *self,
                                        guint                 seconds);
gboolean    pg_lease_is_held           (PgLease              *self);
guint       pg_lease_get_requests      (PgLease              *self);
guint       pg_lease_get_waits         (PgLease              *self);
const char *pg_lease_get_takeover_notice (PgLease            *self);
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
