/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-s3-client.h"
#include "pg-xml.h"

G_BEGIN_DECLS

/* The S3 client's insides, shared by its files (internal to the core):
 *
 *   pg-s3-client.c      the client object and its settings
 *   pg-s3-request.c     one signed request: sending, retries, clock, errors in words
 *   pg-s3-transport.c   a request's URL, and its answer read within a size and a deadline
 *   pg-s3-operations.c  listing, objects, buckets, bucket policies, plain URLs
 *   pg-s3-upload.c      PutObject from a file, in one piece or in parts
 *   pg-s3-sts.c         STS, IAM and SQS (query API calls: a form POSTed to the service) */

#define DEFAULT_ATTEMPTS          4
#define DEFAULT_BASE_DELAY_MS     200
#define MAX_DELAY_MS              5000
#define DEFAULT_MULTIPART_BYTES   (16 * 1024 * 1024)
#define MIN_PART_BYTES            (5 * 1024 * 1024)
#define MAX_PARTS                 10000
#define MAX_COPY_BYTES            (G_GUINT64_CONSTANT (5) * 1024 * 1024 * 1024)
#define REQUEST_TIMEOUT_SECONDS   60
#define TOTAL_TIMEOUT_SECONDS     90
#define MIN_ATTEMPT_MS            1000
/* A request that sends a body gets more time, as for an uplink of 16 KiB/s. */
#define MIN_UPLOAD_BYTES_PER_S    (16 * 1024)

/* The most of an answer that is read into memory; object contents are never read whole. */
#define PG_S3_MAX_BODY_BYTES      (8 * 1024 * 1024)

struct _PgS3Client
{
  GObject        parent_instance;

  PgEndpoint    *endpoint;
  PgCredentials *credentials;
  SoupSession   *session;
  gint64         clock_offset;
  guint          attempts;
  guint          base_delay_ms;
  guint          request_seconds;
  guint          total_seconds;
  guint64        multipart_threshold;
  guint64        copy_threshold;
};

typedef struct
{
  char                 *method;
  char                 *bucket;
  char                 *key;
  char                 *service;
  GPtrArray            *query;
  GPtrArray            *headers;
  GBytes               *body;
  gboolean              idempotent;
  gsize                 max_body;
  gint64                started;
  GFileProgressCallback progress;
  gpointer              progress_data;
  goffset               progress_done;
  goffset               progress_total;

  guint                 attempt;
  gboolean              skew_retried;
  SoupMessage          *message;
  char                 *host;
} Call;

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
} Reply;

Call       *_pg_s3_call_new            (const char           *method,
                                        const char           *bucket,
                                        const char           *key,
                                        gboolean              idempotent);
void        _pg_s3_call_free           (Call                 *call);
void        _pg_s3_call_add_query      (Call                 *call,
                                        const char           *name,
                                        const char           *value);
void        _pg_s3_call_add_header     (Call                 *call,
                                        const char           *name,
                                        const char           *value);
void        _pg_s3_call_set_body       (Call                 *call,
                                        GBytes               *body,
                                        const char           *content_type);
void        _pg_s3_call_async          (PgS3Client           *self,
                                        Call                 *call,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
Reply      *_pg_s3_call_finish         (PgS3Client           *self,
                                        GAsyncResult         *result,
                                        GError              **error);
void        _pg_s3_call_boolean_async  (PgS3Client           *self,
                                        Call                 *call,
                                        gpointer              source_tag,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean    _pg_s3_boolean_finish      (PgS3Client           *self,
                                        GAsyncResult         *result,
                                        gpointer              source_tag,
                                        GError              **error);
void        _pg_s3_reply_free          (Reply                *reply);
PgXmlNode  *_pg_s3_reply_xml           (Reply                *reply,
                                        GError              **error);
void        _pg_s3_send_async          (SoupSession          *session,
                                        SoupMessage          *message,
                                        gsize                 max_body,
                                        gboolean              truncate,
                                        guint                 deadline_ms,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
GBytes     *_pg_s3_send_finish         (GAsyncResult         *result,
                                        GError              **error);
void        _pg_s3_parse_error         (const char           *data,
                                        gsize                 length,
                                        char                **code,
                                        char                **message);
const char *_pg_s3_listing_add_page    (PgS3Listing          *listing,
                                        PgXmlNode            *xml);
GUri       *_pg_s3_uri_new             (const char           *url,
                                        GError              **error);
void        _pg_s3_on_network_event    (SoupMessage          *message,
                                        GSocketClientEvent    event,
                                        GIOStream            *connection,
                                        gpointer              user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, _pg_s3_call_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, _pg_s3_reply_free)

G_END_DECLS
