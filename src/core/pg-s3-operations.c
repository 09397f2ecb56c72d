/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-s3-private.h"
#include "pg-sigv4.h"

/* The S3 operations the project needs, each one request (or a few, for listings). */

/* A million files at most in one listing (S3 sends a thousand a page). */
#define MAX_LIST_PAGES 1000

/* ---- ListObjectsV2 --------------------------------------------------------------------- */

typedef struct
{
  char        *bucket;
  char        *prefix;
  char        *delimiter;
  PgS3Listing *listing;
  GHashTable  *tokens;
} ListState;

static void
list_state_free (ListState *state)
{
  g_free (state->bucket);
  g_free (state->prefix);
  g_free (state->delimiter);
  pg_s3_listing_free (state->listing);
  g_hash_table_unref (state->tokens);
  g_free (state);
}

static void list_page (GTask *task, const char *continuation);

static GDateTime *
parse_iso8601 (const char *text)
{
  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

/**
 * _pg_s3_listing_add_page:
 * @xml: a ListObjectsV2 result
 *
 * Adds the objects and folders of one page of a listing, whatever the page holds: elements
 * missing, repeated or in the wrong place are left out or read as empty.
 *
 * Returns: (nullable): the token for the next page, when the listing says it goes on.
 */
const char *
_pg_s3_listing_add_page (PgS3Listing *listing,
                         PgXmlNode   *xml)
{
  const char *next;

  for (guint i = 0; i < xml->children->len; i++)
    {
      PgXmlNode *child = g_ptr_array_index (xml->children, i);

      if (g_str_equal (child->name, "Contents"))
        {
          PgS3Object *object = g_new0 (PgS3Object, 1);
          const char *size = pg_xml_child_text (child, "Size");

          object->key = g_strdup (pg_xml_child_text (child, "Key"));
          object->size = size ? g_ascii_strtoull (size, NULL, 10) : 0;
          object->last_modified = parse_iso8601 (pg_xml_child_text (child, "LastModified"));
          object->etag = g_strdup (pg_xml_child_text (child, "ETag"));
          g_ptr_array_add (listing->objects, object);
        }
      else if (g_str_equal (child->name, "CommonPrefixes"))
        {
          g_ptr_array_add (listing->prefixes, g_strdup (pg_xml_child_text (child, "Prefix")));
        }
    }

  next = pg_xml_child_text (xml, "NextContinuationToken");
  if (g_strcmp0 (pg_xml_child_text (xml, "IsTruncated"), "true") != 0 || next == NULL
      || *next == '\0')
    return NULL;

  return next;
}

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  ListState *state;
  const char *next;

  if (reply == NULL || !(xml = _pg_s3_reply_xml (reply, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  state = g_task_get_task_data (task);
  next = _pg_s3_listing_add_page (state->listing, xml);
  if (next != NULL)
    {
      /* A server that sends the same page again, or pages without end, is not followed. */
      if (g_hash_table_contains (state->tokens, next))
        {
          g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_SERVER,
                                   _("The server sent the same part of the listing of “%s” "
                                     "twice. The listing was stopped."), state->bucket);
          return;
        }
      if (g_hash_table_size (state->tokens) + 1 >= MAX_LIST_PAGES)
        {
          g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                                   _("The listing of “%s” has more than %d pages of a thousand "
                                     "files each. Open a folder with fewer files."),
                                   state->bucket, MAX_LIST_PAGES);
          return;
        }
      g_hash_table_add (state->tokens, g_strdup (next));
      list_page (g_steal_pointer (&task), next);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&state->listing),
                         (GDestroyNotify) pg_s3_listing_free);
}

static void
list_page (GTask      *task,
           const char *continuation)
{
  ListState *state = g_task_get_task_data (task);
  Call *call = _pg_s3_call_new ("GET", state->bucket, NULL, TRUE);

  _pg_s3_call_add_query (call, "list-type", "2");
  if (state->prefix != NULL)
    _pg_s3_call_add_query (call, "prefix", state->prefix);
  if (state->delimiter != NULL)
    _pg_s3_call_add_query (call, "delimiter", state->delimiter);
  if (continuation != NULL)
    _pg_s3_call_add_query (call, "continuation-token", continuation);

  _pg_s3_call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task),
                     list_page_cb, task);
}

/**
 * pg_s3_client_list_objects_async:
 * @prefix: (nullable): only keys starting with this
 * @delimiter: (nullable): "/" to get one level ("folders" come back as prefixes)
 *
 * Lists a bucket (ListObjectsV2), following continuation tokens until the end.
 */
void
pg_s3_client_list_objects_async (PgS3Client          *self,
                                 const char          *bucket,
                                 const char          *prefix,
                                 const char          *delimiter,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ListState *state = g_new0 (ListState, 1);

  g_task_set_source_tag (task, pg_s3_client_list_objects_async);
  state->bucket = g_strdup (bucket);
  state->prefix = g_strdup (prefix);
  state->delimiter = g_strdup (delimiter);
  state->listing = g_new0 (PgS3Listing, 1);
  state->listing->objects = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_s3_object_free);
  state->listing->prefixes = g_ptr_array_new_with_free_func (g_free);
  state->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_task_set_task_data (task, state, (GDestroyNotify) list_state_free);

  list_page (task, NULL);
}

PgS3Listing *
pg_s3_client_list_objects_finish (PgS3Client    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- HeadObject ------------------------------------------------------------------------ */

static void
head_object_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  PgS3Object *object;
  const char *modified;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  object = g_new0 (PgS3Object, 1);
  object->key = g_strdup (g_task_get_task_data (task));
  object->size = soup_message_headers_get_content_length (reply->headers);
  object->etag = g_strdup (soup_message_headers_get_one (reply->headers, "ETag"));
  object->content_type = g_strdup (soup_message_headers_get_one (reply->headers, "Content-Type"));
  object->content_disposition = g_strdup (soup_message_headers_get_one (reply->headers,
                                                                        "Content-Disposition"));
  modified = soup_message_headers_get_one (reply->headers, "Last-Modified");
  object->last_modified = modified ? soup_date_time_new_from_http_string (modified) : NULL;

  g_task_return_pointer (task, object, (GDestroyNotify) pg_s3_object_free);
}

void
pg_s3_client_head_object_async (PgS3Client          *self,
                                const char          *bucket,
                                const char          *key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_s3_client_head_object_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  _pg_s3_call_async (self, _pg_s3_call_new ("HEAD", bucket, key, TRUE), cancellable,
                     head_object_cb, task);
}

PgS3Object *
pg_s3_client_head_object_finish (PgS3Client    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Small objects --------------------------------------------------------------------- */

static void
get_object_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_bytes_ref (reply->body), (GDestroyNotify) g_bytes_unref);
}

/**
 * pg_s3_client_get_object_async:
 * @max_bytes: the most that is read; a larger object is an error
 *
 * Reads a small object (GetObject) into memory, such as a record or a lock of this project.
 */
void
pg_s3_client_get_object_async (PgS3Client          *self,
                               const char          *bucket,
                               const char          *key,
                               gsize                max_bytes,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = _pg_s3_call_new ("GET", bucket, key, TRUE);

  g_task_set_source_tag (task, pg_s3_client_get_object_async);
  call->max_body = max_bytes;
  _pg_s3_call_async (self, call, cancellable, get_object_cb, task);
}

GBytes *
pg_s3_client_get_object_finish (PgS3Client    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pg_s3_client_put_bytes_async:
 * @content_type: (nullable): the type the object is stored with
 * @flags: with %PG_S3_PUT_IF_NONE_MATCH, S3 answers 412 ("precondition failed") to every
 *   writer but the first
 *
 * Writes a small object from memory (PutObject).
 */
void
pg_s3_client_put_bytes_async (PgS3Client          *self,
                              const char          *bucket,
                              const char          *key,
                              GBytes              *body,
                              const char          *content_type,
                              PgS3PutFlags         flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Call *call = _pg_s3_call_new ("PUT", bucket, key, TRUE);

  _pg_s3_call_set_body (call, body, content_type);
  if (flags & PG_S3_PUT_IF_NONE_MATCH)
    _pg_s3_call_add_header (call, "If-None-Match", "*");
  if (flags & PG_S3_PUT_NO_STORE)
    _pg_s3_call_add_header (call, "Cache-Control", "no-store");
  _pg_s3_call_boolean_async (self, call, pg_s3_client_put_bytes_async, cancellable, callback,
                             user_data);
}

gboolean
pg_s3_client_put_bytes_finish (PgS3Client    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_bytes_async, error);
}

/* ---- CopyObject, DeleteObject, CreateBucket -------------------------------------------- */

/**
 * pg_s3_client_copy_object_async:
 *
 * Copies @key to @new_key in the same bucket, on the server, in one CopyObject (objects of up
 * to 5 GiB; see pg_s3_client_copy_object_sized_async() for larger ones).
 */
void
pg_s3_client_copy_object_async (PgS3Client          *self,
                                const char          *bucket,
                                const char          *key,
                                const char          *new_key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  pg_s3_client_copy_object_sized_async (self, bucket, key, new_key, 0, NULL, cancellable,
                                        callback, user_data);
}

gboolean
pg_s3_client_copy_object_finish (PgS3Client    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return pg_s3_client_copy_object_sized_finish (self, result, error);
}

void
pg_s3_client_delete_object_async (PgS3Client          *self,
                                  const char          *bucket,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  _pg_s3_call_boolean_async (self, _pg_s3_call_new ("DELETE", bucket, key, TRUE),
                             pg_s3_client_delete_object_async, cancellable, callback, user_data);
}

gboolean
pg_s3_client_delete_object_finish (PgS3Client    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_delete_object_async, error);
}

void
pg_s3_client_create_bucket_async (PgS3Client          *self,
                                  const char          *bucket,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Call *call = _pg_s3_call_new ("PUT", bucket, NULL, FALSE);
  const char *region = pg_endpoint_get_region (self->endpoint);

  /* Outside us-east-1, AWS wants the region spelt out. */
  if (pg_endpoint_is_aws (self->endpoint) && !g_str_equal (region, "us-east-1"))
    {
      g_autofree char *xml = g_strdup_printf ("<CreateBucketConfiguration><LocationConstraint>%s"
                                              "</LocationConstraint></CreateBucketConfiguration>",
                                              region);
      g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&xml), strlen (xml));

      _pg_s3_call_set_body (call, body, "application/xml");
    }

  _pg_s3_call_boolean_async (self, call, pg_s3_client_create_bucket_async, cancellable, callback,
                             user_data);
}

gboolean
pg_s3_client_create_bucket_finish (PgS3Client    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_create_bucket_async, error);
}

/* ---- A bucket that should be there ------------------------------------------------------ */

/* Ceph, and AWS in us-east-1, answer a second creation of one's own bucket with 200 as if it
 * were made: so the bucket is looked at first (one short listing of our folder). */

static void
ensure_created_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (pg_s3_client_create_bucket_finish (PG_S3_CLIENT (source), result, &error))
    g_task_return_int (task, PG_S3_BUCKET_CREATED);
  else if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_BUCKET_EXISTS))
    g_task_return_int (task, PG_S3_BUCKET_EXISTED);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
ensure_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source),
                                                                     result, &error);

  if (listing != NULL)
    {
      g_task_return_int (task, PG_S3_BUCKET_EXISTED);
      return;
    }
  /* Out of reach, or cancelled: creating would only fail the same way. */
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NETWORK)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_s3_client_create_bucket_async (PG_S3_CLIENT (source), g_task_get_task_data (task),
                                    g_task_get_cancellable (task), ensure_created_cb,
                                    g_object_ref (task));
}

/**
 * pg_s3_client_ensure_bucket_async:
 *
 * Makes @bucket unless it is there already and the client's key may list it (its own). A
 * bucket name somebody else has taken fails with %PG_S3_ERROR_BUCKET_TAKEN.
 */
void
pg_s3_client_ensure_bucket_async (PgS3Client          *self,
                                  const char          *bucket,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_s3_client_ensure_bucket_async);
  g_task_set_task_data (task, g_strdup (bucket), g_free);
  pg_s3_client_list_objects_async (self, bucket, ".presign-guard/", "/", cancellable,
                                   ensure_listed_cb, task);
}

/* Returns: %PG_S3_BUCKET_CREATED or %PG_S3_BUCKET_EXISTED; %PG_S3_BUCKET_FAILED with @error. */
PgS3BucketState
pg_s3_client_ensure_bucket_finish (PgS3Client    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize state;

  g_return_val_if_fail (g_task_is_valid (result, self), PG_S3_BUCKET_FAILED);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pg_s3_client_ensure_bucket_async, PG_S3_BUCKET_FAILED);

  state = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return PG_S3_BUCKET_FAILED;
    }

  return (PgS3BucketState) state;
}

/* ---- Bucket policy --------------------------------------------------------------------- */

static void
get_policy_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  gsize length = 0;
  const char *data;

  if (reply == NULL)
    {
      /* No policy is not a failure: the bucket simply has none. */
      if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_POLICY))
        g_task_return_pointer (task, NULL, NULL);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = reply->body ? g_bytes_get_data (reply->body, &length) : NULL;
  g_task_return_pointer (task, length > 0 ? g_strndup (data, length) : NULL, g_free);
}

/* GET of a bucket's @subresource ("policy", "lifecycle"): its text, or none. */
static void
get_bucket_document (PgS3Client          *self,
                     const char          *bucket,
                     const char          *subresource,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = _pg_s3_call_new ("GET", bucket, NULL, TRUE);

  g_task_set_source_tag (task, source_tag);
  _pg_s3_call_add_query (call, subresource, "");
  _pg_s3_call_async (self, call, cancellable, get_policy_cb, task);
}

static gboolean
get_bucket_document_finish (PgS3Client    *self,
                            GAsyncResult  *result,
                            char         **document,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  char *text;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  text = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *document = text;

  return TRUE;
}

void
pg_s3_client_get_bucket_policy_async (PgS3Client          *self,
                                      const char          *bucket,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  get_bucket_document (self, bucket, "policy", pg_s3_client_get_bucket_policy_async,
                       cancellable, callback, user_data);
}

/**
 * pg_s3_client_get_bucket_policy_finish:
 * @policy: (out) (transfer full) (nullable): the policy document, %NULL when there is none
 *
 * Returns: %FALSE with @error set when the policy could not be read.
 */
gboolean
pg_s3_client_get_bucket_policy_finish (PgS3Client    *self,
                                       GAsyncResult  *result,
                                       char         **policy,
                                       GError       **error)
{
  return get_bucket_document_finish (self, result, policy, error);
}

/**
 * pg_s3_client_get_bucket_lifecycle_async:
 *
 * Reads the bucket's lifecycle rules (GetBucketLifecycleConfiguration), as the server wrote
 * them: pg_s3_client_get_bucket_lifecycle_finish() gives the XML, %NULL when there are none.
 */
void
pg_s3_client_get_bucket_lifecycle_async (PgS3Client          *self,
                                         const char          *bucket,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  get_bucket_document (self, bucket, "lifecycle", pg_s3_client_get_bucket_lifecycle_async,
                       cancellable, callback, user_data);
}

gboolean
pg_s3_client_get_bucket_lifecycle_finish (PgS3Client    *self,
                                          GAsyncResult  *result,
                                          char         **lifecycle,
                                          GError       **error)
{
  return get_bucket_document_finish (self, result, lifecycle, error);
}

/* PUT of a bucket's @subresource document; with its checksum where S3 wants one. */
static void
put_bucket_document (PgS3Client          *self,
                     const char          *bucket,
                     const char          *subresource,
                     const char          *document,
                     const char          *content_type,
                     gboolean             with_md5,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  Call *call = _pg_s3_call_new ("PUT", bucket, NULL, TRUE);
  g_autoptr(GBytes) body = g_bytes_new (document, strlen (document));

  if (with_md5)
    {
      g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
      guint8 digest[16];
      gsize digest_length = sizeof digest;
      g_autofree char *content_md5 = NULL;

      g_checksum_update (md5, (const guchar *) document, strlen (document));
      g_checksum_get_digest (md5, digest, &digest_length);
      content_md5 = g_base64_encode (digest, digest_length);
      _pg_s3_call_add_header (call, "Content-MD5", content_md5);
    }

  _pg_s3_call_add_query (call, subresource, "");
  _pg_s3_call_set_body (call, body, content_type);
  _pg_s3_call_boolean_async (self, call, source_tag, cancellable, callback, user_data);
}

/**
 * pg_s3_client_put_bucket_lifecycle_async:
 * @lifecycle: the whole LifecycleConfiguration document: it replaces every rule
 */
void
pg_s3_client_put_bucket_lifecycle_async (PgS3Client          *self,
                                         const char          *bucket,
                                         const char          *lifecycle,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  /* S3 takes lifecycle rules only with their checksum. */
  put_bucket_document (self, bucket, "lifecycle", lifecycle, "application/xml", TRUE,
                       pg_s3_client_put_bucket_lifecycle_async, cancellable, callback,
                       user_data);
}

gboolean
pg_s3_client_put_bucket_lifecycle_finish (PgS3Client    *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_bucket_lifecycle_async, error);
}

void
pg_s3_client_put_bucket_policy_async (PgS3Client          *self,
                                      const char          *bucket,
                                      const char          *policy,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  put_bucket_document (self, bucket, "policy", policy, "application/json", FALSE,
                       pg_s3_client_put_bucket_policy_async, cancellable, callback, user_data);
}

gboolean
pg_s3_client_put_bucket_policy_finish (PgS3Client    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_bucket_policy_async, error);
}

void
pg_s3_client_delete_bucket_policy_async (PgS3Client          *self,
                                         const char          *bucket,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  Call *call = _pg_s3_call_new ("DELETE", bucket, NULL, TRUE);

  _pg_s3_call_add_query (call, "policy", "");
  _pg_s3_call_boolean_async (self, call, pg_s3_client_delete_bucket_policy_async, cancellable,
                             callback, user_data);
}

gboolean
pg_s3_client_delete_bucket_policy_finish (PgS3Client    *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_delete_bucket_policy_async, error);
}

/* ---- Plain URLs ------------------------------------------------------------------------ */

/* A probe's answer is an empty body, a byte of an object, or an error document. */
#define FETCH_MAX_BODY_BYTES (64 * 1024)

typedef struct
{
  SoupMessage *message;
  char        *code;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->message);
  g_free (fetch->code);
  g_free (fetch);
}

static void
fetch_url_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = _pg_s3_send_finish (result, &error);
  Fetch *fetch;
  guint status;

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NETWORK,
                                 _("Cannot reach the server: %s"), error->message);
      return;
    }

  fetch = g_task_get_task_data (task);
  status = soup_message_get_status (fetch->message);

  /* S3 says why it refused in an error document: its code tells a policy's denial
   * ("AccessDenied") from a bad signature or an unknown key. */
  if (status >= 300)
    {
      g_autofree char *message = NULL;

      _pg_s3_parse_error (g_bytes_get_data (body, NULL), g_bytes_get_size (body), &fetch->code,
                          &message);
    }

  g_task_return_int (task, status);
}

/**
 * pg_s3_client_fetch_url_async:
 * @url: a complete URL, typically presigned
 * @headers: (nullable): alternating names and values, %NULL-terminated
 * @body: (nullable): the request body
 *
 * Sends one unsigned request, as a link's recipient would, and reports the HTTP status and,
 * for an error answer, S3's error code. At most a few kilobytes of the answer are read.
 */
void
pg_s3_client_fetch_url_async (PgS3Client          *self,
                              const char          *method,
                              const char          *url,
                              const char * const  *headers,
                              GBytes              *body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GUri) uri = _pg_s3_uri_new (url, NULL);
  SoupMessage *message = uri ? soup_message_new_from_uri (method, uri) : NULL;
  Fetch *fetch;

  g_task_set_source_tag (task, pg_s3_client_fetch_url_async);
  if (message == NULL)
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED, _("Not a valid URL: %s"),
                               url);
      g_object_unref (task);
      return;
    }

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (message), headers[i],
                                  headers[i + 1]);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (message, NULL, body);

  g_signal_connect (message, "network-event", G_CALLBACK (_pg_s3_on_network_event), NULL);
  fetch = g_new0 (Fetch, 1);
  fetch->message = message;
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  _pg_s3_send_async (self->session, message, FETCH_MAX_BODY_BYTES, TRUE,
                     self->request_seconds * 1000, cancellable, fetch_url_cb, task);
}

/**
 * pg_s3_client_fetch_url_finish:
 * @code: (out) (optional) (transfer full) (nullable): S3's error code, e.g. "AccessDenied",
 *   when the answer was an error document
 *
 * Returns: the HTTP status, or 0 with @error set when there was no answer.
 */
guint
pg_s3_client_fetch_url_finish (PgS3Client    *self,
                               GAsyncResult  *result,
                               char         **code,
                               GError       **error)
{
  gssize status;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  status = g_task_propagate_int (G_TASK (result), error);
  if (code != NULL)
    {
      Fetch *fetch = g_task_get_task_data (G_TASK (result));

      *code = status > 0 ? g_strdup (fetch->code) : NULL;
    }

  return status > 0 ? (guint) status : 0;
}
