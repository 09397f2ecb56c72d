/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "pg-credentials.h"
#include "pg-endpoint.h"

G_BEGIN_DECLS

#define PG_S3_ERROR (pg_s3_error_quark ())

/**
 * PgS3Error:
 *
 * What went wrong talking to S3. Every error carries a sentence for the user.
 */
typedef enum {
  PG_S3_ERROR_ACCESS_DENIED,
  PG_S3_ERROR_NO_SUCH_BUCKET,
  PG_S3_ERROR_NO_SUCH_KEY,
  PG_S3_ERROR_NO_SUCH_POLICY,
  PG_S3_ERROR_SIGNATURE_MISMATCH,
  PG_S3_ERROR_INVALID_ACCESS_KEY,
  PG_S3_ERROR_CLOCK_SKEWED,
  PG_S3_ERROR_EXPIRED_TOKEN,
  PG_S3_ERROR_MALFORMED_POLICY,
  PG_S3_ERROR_SLOW_DOWN,
  PG_S3_ERROR_PRECONDITION_FAILED,
  PG_S3_ERROR_CONFLICT,
  PG_S3_ERROR_NOT_SUPPORTED,
  PG_S3_ERROR_BUCKET_EXISTS,
  PG_S3_ERROR_NETWORK,
  PG_S3_ERROR_SERVER,
  PG_S3_ERROR_FAILED,
  PG_S3_ERROR_ENTITY_EXISTS,
  PG_S3_ERROR_NO_SUCH_ENTITY,
  PG_S3_ERROR_BUCKET_TAKEN,
} PgS3Error;

/**
 * PgS3BucketState:
 * @PG_S3_BUCKET_FAILED: it could not be made (the error says why)
 * @PG_S3_BUCKET_CREATED: it was made now
 * @PG_S3_BUCKET_EXISTED: it was there already, and the key may list it
 *
 * What pg_s3_client_ensure_bucket_async() found.
 */
typedef enum {
  PG_S3_BUCKET_FAILED,
  PG_S3_BUCKET_CREATED,
  PG_S3_BUCKET_EXISTED,
} PgS3BucketState;

/**
 * PgAssumedRole:
 * @credentials: the session's temporary credentials, with their expiry
 * @arn: the session's principal, as bucket policies name it
 *   (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)
 */
typedef struct
{
  PgCredentials *credentials;
  char          *arn;
} PgAssumedRole;

void pg_assumed_role_free (PgAssumedRole *self);

/**
 * PgQueueMessage:
 * @id: its message ID
 * @receipt_handle: what deletes it
 * @body: its text
 */
typedef struct
{
  char *id;
  char *receipt_handle;
  char *body;
} PgQueueMessage;

void pg_queue_message_free (PgQueueMessage *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgAssumedRole, pg_assumed_role_free)

typedef struct
{
  char      *key;
  guint64    size;
  GDateTime *last_modified;
  char      *etag;
  char      *content_type;
  char      *content_disposition;   /* nullable; read by HeadObject only */
} PgS3Object;

typedef struct
{
  GPtrArray *objects;   /* PgS3Object */
  GPtrArray *prefixes;  /* char *, "folders" when listing with a delimiter */
} PgS3Listing;

/**
 * PgS3PutFlags:
 * @PG_S3_PUT_IF_NONE_MATCH: create the object only where there is none (If-None-Match: *)
 * @PG_S3_PUT_NO_STORE: ask browsers and caches not to keep the object (Cache-Control: no-store)
 */
typedef enum {
  PG_S3_PUT_NONE = 0,
  PG_S3_PUT_IF_NONE_MATCH = 1 << 0,
  PG_S3_PUT_NO_STORE = 1 << 1,
} PgS3PutFlags;

#define PG_TYPE_S3_CLIENT (pg_s3_client_get_type ())

G_DECLARE_FINAL_TYPE (PgS3Client, pg_s3_client, PG, S3_CLIENT, GObject)

GQuark         pg_s3_error_quark                   (void);
void           pg_s3_object_free                   (PgS3Object           *object);
void           pg_s3_listing_free                  (PgS3Listing          *listing);

PgS3Client    *pg_s3_client_new                    (PgEndpoint           *endpoint,
                                                    PgCredentials        *credentials,
                                                    SoupSession          *session);
PgEndpoint    *pg_s3_client_get_endpoint           (PgS3Client           *self);
PgCredentials *pg_s3_client_get_credentials        (PgS3Client           *self);
SoupSession   *pg_s3_client_get_session            (PgS3Client           *self);
gint64         pg_s3_client_get_clock_offset       (PgS3Client           *self);
gint64         pg_s3_client_get_now                (PgS3Client           *self);
void           pg_s3_client_set_retries            (PgS3Client           *self,
                                                    guint                 attempts,
                                                    guint                 base_delay_ms);
void           pg_s3_client_set_timeouts           (PgS3Client           *self,
                                                    guint                 request_seconds,
                                                    guint                 total_seconds);
guint          pg_s3_client_get_request_timeout    (PgS3Client           *self);
void           pg_s3_client_set_multipart_threshold (PgS3Client          *self,
                                                    guint64               bytes);
void           pg_s3_client_set_copy_threshold     (PgS3Client           *self,
                                                    guint64               bytes);

void           pg_s3_client_list_objects_async     (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *prefix,
                                                    const char           *delimiter,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PgS3Listing   *pg_s3_client_list_objects_finish    (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_head_object_async      (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PgS3Object    *pg_s3_client_head_object_finish     (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_put_object_async       (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    GFile                *file,
                                                    const char           *content_type,
                                                    GFileProgressCallback progress,
                                                    gpointer              progress_data,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_object_finish      (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_download_async         (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    GFile                *destination,
                                                    GFileProgressCallback progress,
                                                    gpointer              progress_data,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_download_finish        (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_get_object_async       (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    gsize                 max_bytes,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GBytes        *pg_s3_client_get_object_finish      (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_put_bytes_async        (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    GBytes               *body,
                                                    const char           *content_type,
                                                    PgS3PutFlags          flags,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_bytes_finish       (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_copy_object_async      (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    const char           *new_key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_copy_object_finish     (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_copy_object_sized_async (PgS3Client          *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    const char           *new_key,
                                                    guint64               size,
                                                    const char           *content_type,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_copy_object_sized_finish (PgS3Client         *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_delete_object_async    (PgS3Client           *self,
                                                    const char           *bucket,
                                                    const char           *key,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_delete_object_finish   (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_create_bucket_async    (PgS3Client           *self,
                                                    const char           *bucket,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_create_bucket_finish   (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_ensure_bucket_async    (PgS3Client           *self,
                                                    const char           *bucket,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
PgS3BucketState pg_s3_client_ensure_bucket_finish  (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_get_bucket_policy_async (PgS3Client          *self,
                                                    const char           *bucket,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_get_bucket_policy_finish (PgS3Client         *self,
                                                    GAsyncResult         *result,
                                                    char                **policy,
                                                    GError              **error);
void           pg_s3_client_get_bucket_lifecycle_async (PgS3Client       *self,
                                                    const char           *bucket,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_get_bucket_lifecycle_finish (PgS3Client      *self,
                                                    GAsyncResult         *result,
                                                    char                **lifecycle,
                                                    GError              **error);
void           pg_s3_client_put_bucket_lifecycle_async (PgS3Client       *self,
                                                    const char           *bucket,
                                                    const char           *lifecycle,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_bucket_lifecycle_finish (PgS3Client      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_put_bucket_policy_async (PgS3Client          *self,
                                                    const char           *bucket,
                                                    const char           *policy,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_bucket_policy_finish (PgS3Client         *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_delete_bucket_policy_async (PgS3Client       *self,
                                                    const char           *bucket,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_delete_bucket_policy_finish (PgS3Client      *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_get_caller_identity_async (PgS3Client        *self,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void           pg_s3_client_assume_role_async      (PgS3Client           *self,
                                                    const char           *role_arn,
                                                    const char           *session_name,
                                                    guint                 seconds,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void           pg_s3_client_get_federation_token_async (PgS3Client       *self,
                                                    const char           *name,
                                                    const char           *policy,
                                                    guint                 seconds,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void           pg_s3_client_receive_messages_async (PgS3Client           *self,
                                                    const char           *queue_url,
                                                    guint                 wait_seconds,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
GPtrArray     *pg_s3_client_receive_messages_finish (PgS3Client          *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_delete_message_async   (PgS3Client           *self,
                                                    const char           *queue_url,
                                                    const char           *receipt_handle,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_delete_message_finish  (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
PgAssumedRole *pg_s3_client_assume_role_finish     (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_create_role_async      (PgS3Client           *self,
                                                    const char           *role_name,
                                                    const char           *trust_policy,
                                                    guint                 max_session_seconds,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void           pg_s3_client_get_role_async         (PgS3Client           *self,
                                                    const char           *role_name,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char          *pg_s3_client_role_finish            (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_put_role_policy_async  (PgS3Client           *self,
                                                    const char           *role_name,
                                                    const char           *policy_name,
                                                    const char           *policy,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_role_policy_finish (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_create_user_async      (PgS3Client           *self,
                                                    const char           *user_name,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
void           pg_s3_client_get_user_async         (PgS3Client           *self,
                                                    const char           *user_name,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
char          *pg_s3_client_user_finish            (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_put_user_policy_async  (PgS3Client           *self,
                                                    const char           *user_name,
                                                    const char           *policy_name,
                                                    const char           *policy,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_put_user_policy_finish (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_create_access_key_async (PgS3Client          *self,
                                                    const char           *user_name,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
gboolean       pg_s3_client_create_access_key_finish (PgS3Client         *self,
                                                    GAsyncResult         *result,
                                                    char                **access_key_id,
                                                    char                **secret,
                                                    GError              **error);
char          *pg_s3_client_get_caller_identity_finish (PgS3Client       *self,
                                                    GAsyncResult         *result,
                                                    GError              **error);
void           pg_s3_client_fetch_url_async        (PgS3Client           *self,
                                                    const char           *method,
                                                    const char           *url,
                                                    const char * const   *headers,
                                                    GBytes               *body,
                                                    GCancellable         *cancellable,
                                                    GAsyncReadyCallback   callback,
                                                    gpointer              user_data);
guint          pg_s3_client_fetch_url_finish       (PgS3Client           *self,
                                                    GAsyncResult         *result,
                                                    char                **code,
                                                    GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgS3Object, pg_s3_object_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgS3Listing, pg_s3_listing_free)

G_END_DECLS
