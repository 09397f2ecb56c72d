/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "pg-credentials.h"
#include "pg-endpoint.h"

G_BEGIN_DECLS

/* What uploads through our links and pages are stored as, unless the sender asks for a type:
 * data, which no browser shows as a page on the bucket's origin. */
#define PG_UPLOAD_CONTENT_TYPE "application/octet-stream"

typedef enum {
  PG_METHOD_GET,
  PG_METHOD_PUT,
  PG_METHOD_HEAD,
} PgMethod;

/**
 * PgPresignOptions:
 * @method: what the link allows: download (GET), upload (PUT) or a check (HEAD)
 * @bucket: the bucket
 * @key: the object key, decoded ("reports/März 2026.pdf")
 * @expires: lifetime in seconds, 1 to 604,800 (7 days)
 * @signing_time: when the link is signed, in seconds since the epoch; 0 for now
 * @clock_offset: seconds to add to @signing_time (or to now) so that a workstation whose clock
 *   is off still makes links that the server accepts
 * @if_none_match: uploads only: sign `If-None-Match: *` so the link can create the object once
 *   and never overwrite it
 * @content_type: (nullable): uploads: the `Content-Type` the uploader must send; downloads: the
 *   type the server will answer with
 * @filename: (nullable): downloads only: the file name a browser saves the download under
 * @content_md5: (nullable): uploads only: the base64 MD5 of the content the uploader must send
 *
 * What a link is made of. Zero-initialise, then fill in.
 */
typedef struct
{
  PgMethod    method;
  const char *bucket;
  const char *key;
  guint       expires;
  gint64      signing_time;
  gint64      clock_offset;
  gboolean    if_none_match;
  const char *content_type;
  const char *filename;
  const char *content_md5;
} PgPresignOptions;

const char *pg_method_to_string                 (PgMethod                 method);
gboolean    pg_method_from_string               (const char              *text,
                                                 PgMethod                *method);
char       *pg_presign_url                      (PgEndpoint              *endpoint,
                                                 PgCredentials           *credentials,
                                                 const PgPresignOptions  *options,
                                                 GError                 **error);
char       *pg_content_disposition_for_filename (const char              *filename);
gboolean    pg_content_type_is_active           (const char              *content_type);

G_END_DECLS
