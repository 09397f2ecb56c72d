/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "pg-credentials.h"

G_BEGIN_DECLS

#define PG_SIGV4_ALGORITHM        "AWS4-HMAC-SHA256"
#define PG_SIGV4_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define PG_SIGV4_EMPTY_SHA256     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define PG_SIGV4_MAX_EXPIRES      604800

/**
 * PgSigv4Flags:
 * @PG_SIGV4_FLAGS_NONE: the S3 rules for query signing: the path is the decoded
 *   `/bucket/key` and is percent-encoded exactly once, never normalised
 * @PG_SIGV4_NORMALIZE_PATH: remove `.`/`..` segments and repeated slashes (every service but S3)
 * @PG_SIGV4_ENCODED_PATH: the path is given as sent on the wire, already percent-encoded, and the
 *   canonical request encodes it once more (the "double encoding" of every service but S3)
 * @PG_SIGV4_OMIT_SESSION_TOKEN: add the session token after signing instead of signing it
 * @PG_SIGV4_CONTENT_SHA256_HEADER: header signing adds `x-amz-content-sha256` (S3 wants it)
 */
typedef enum {
  PG_SIGV4_FLAGS_NONE            = 0,
  PG_SIGV4_NORMALIZE_PATH        = 1 << 0,
  PG_SIGV4_ENCODED_PATH          = 1 << 1,
  PG_SIGV4_OMIT_SESSION_TOKEN    = 1 << 2,
  PG_SIGV4_CONTENT_SHA256_HEADER = 1 << 3,
} PgSigv4Flags;

#define PG_SIGV4_GENERIC_FLAGS (PG_SIGV4_NORMALIZE_PATH | PG_SIGV4_ENCODED_PATH)

typedef struct _PgSigv4Request PgSigv4Request;

PgSigv4Request *pg_sigv4_request_new                   (const char      *method,
                                                        const char      *host,
                                                        const char      *path,
                                                        PgSigv4Flags     flags);
void            pg_sigv4_request_free                  (PgSigv4Request  *self);
void            pg_sigv4_request_add_query             (PgSigv4Request  *self,
                                                        const char      *name,
                                                        const char      *value);
void            pg_sigv4_request_add_header            (PgSigv4Request  *self,
                                                        const char      *name,
                                                        const char      *value);
void            pg_sigv4_request_set_payload_hash      (PgSigv4Request  *self,
                                                        const char      *hex_sha256);
void            pg_sigv4_request_set_payload           (PgSigv4Request  *self,
                                                        const void      *data,
                                                        gsize            length);
gboolean        pg_sigv4_request_sign                  (PgSigv4Request  *self,
                                                        PgCredentials   *credentials,
                                                        const char      *region,
                                                        const char      *service,
                                                        gint64           unix_time,
                                                        GError         **error);
gboolean        pg_sigv4_request_presign               (PgSigv4Request  *self,
                                                        PgCredentials   *credentials,
                                                        const char      *region,
                                                        const char      *service,
                                                        gint64           unix_time,
                                                        guint            expires,
                                                        GError         **error);
const char     *pg_sigv4_request_get_header            (PgSigv4Request  *self,
                                                        const char      *name);
guint           pg_sigv4_request_get_n_headers         (PgSigv4Request  *self);
void            pg_sigv4_request_get_nth_header        (PgSigv4Request  *self,
                                                        guint            n,
                                                        const char     **name,
                                                        const char     **value);
char           *pg_sigv4_request_get_path_and_query    (PgSigv4Request  *self);
const char     *pg_sigv4_request_get_canonical_request (PgSigv4Request  *self);
const char     *pg_sigv4_request_get_string_to_sign    (PgSigv4Request  *self);
const char     *pg_sigv4_request_get_signature         (PgSigv4Request  *self);

void            pg_sigv4_uri_encode                    (GString         *out,
                                                        const char      *str,
                                                        gboolean         keep_slash);
void            pg_sigv4_format_time                   (gint64           unix_time,
                                                        char             out[17]);
gboolean        pg_sigv4_parse_time                    (const char      *text,
                                                        gint64          *unix_time);

char           *pg_sigv4_protect_dot_segments       (char                   *target);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgSigv4Request, pg_sigv4_request_free)

G_END_DECLS
