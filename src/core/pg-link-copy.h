/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-record.h"
#include "pg-link-types.h"
#include "pg-presign.h"

G_BEGIN_DECLS

/* Where a link's private copy lives, and how long the bucket keeps copies left behind: a link
 * lasts at most 7 days, so a copy older than 8 days serves nothing. */
#define PG_LINK_COPY_PREFIX     ".presign-guard/copies/"
#define PG_LINK_COPY_DAYS       8
#define PG_LINK_COPY_RULE_ID    "presign-guard-copies"
/* The largest file copied for a link unless the preferences say otherwise: 1 GB. */
#define PG_LINK_COPY_DEFAULT_LIMIT G_GUINT64_CONSTANT (1000000000)


char     *pg_link_copy_key             (const char              *link_id,
                                        const char              *key);
gboolean  pg_link_copy_is_copy_key     (const char              *key,
                                        const char              *link_id);
char     *pg_link_copy_lifecycle       (const char              *current,
                                        GError                 **error);
void      pg_link_copy_sign_async      (PgS3Client              *manager,
                                        PgS3Client              *signer,
                                        const char              *link_id,
                                        const PgPresignOptions  *options,
                                        guint64                  max_bytes,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data);
char     *pg_link_copy_sign_finish     (GAsyncResult            *result,
                                        PgLinkRecord           **record,
                                        GError                 **error);
void      pg_link_copy_remove_async    (PgS3Client              *manager,
                                        const char              *bucket,
                                        const char              *link_id,
                                        const char              *copy_key,
                                        const char              *digest,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data);
gboolean  pg_link_copy_remove_finish   (GAsyncResult            *result,
                                        GError                 **error);

G_END_DECLS
