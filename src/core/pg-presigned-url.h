/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PG_TYPE_PRESIGNED_URL (pg_presigned_url_get_type ())

typedef struct _PgPresignedUrl PgPresignedUrl;

/* Hex digits in a link's fingerprint (see pg_link_digest_of_signature()). */
#define PG_LINK_DIGEST_LENGTH 32

GType           pg_presigned_url_get_type              (void) G_GNUC_CONST;
PgPresignedUrl *pg_presigned_url_parse                 (const char      *url,
                                                        GError         **error);
PgPresignedUrl *pg_presigned_url_ref                   (PgPresignedUrl  *self);
void            pg_presigned_url_unref                 (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_scheme            (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_host              (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_bucket            (PgPresignedUrl  *self);
gboolean        pg_presigned_url_has_dot_segments      (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_key               (PgPresignedUrl  *self);
gboolean        pg_presigned_url_get_path_style        (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_access_key_id     (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_region            (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_service           (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_signed_headers    (PgPresignedUrl  *self);
gboolean        pg_presigned_url_has_session_token     (PgPresignedUrl  *self);
const char     *pg_presigned_url_get_digest            (PgPresignedUrl  *self);
gint64          pg_presigned_url_get_signed_at         (PgPresignedUrl  *self);
guint           pg_presigned_url_get_expires           (PgPresignedUrl  *self);
gint64          pg_presigned_url_get_expires_at        (PgPresignedUrl  *self);
gint64          pg_presigned_url_get_seconds_left      (PgPresignedUrl  *self,
                                                        gint64           now);

char           *pg_link_digest_of_signature            (const char      *signature);
gboolean        pg_link_digest_is_valid                (const char      *digest);
char           *pg_link_digest_of_url                  (const char      *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgPresignedUrl, pg_presigned_url_unref)

G_END_DECLS
