/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-s3-private.h"
#include "pg-sigv4.h"

/* ---- PutObject and CopyObject, in one piece or in parts -------------------------------- */

typedef struct
{
  char                 *bucket;
  char                 *key;
  char                 *content_type;
  GFile                *file;
  GInputStream         *stream;
  char                 *copy_source;   /* x-amz-copy-source, when copying on the server */
  GFileProgressCallback progress;
  gpointer              progress_data;
  goffset               size;
  gsize                 part_size;
  guint                 part_number;
  goffset               done;
  char                 *upload_id;
  GPtrArray            *etags;
  guint8               *buffer;
  GError               *pending_error;
} Upload;

static void
upload_free (Upload *upload)
{
  g_free (upload->bucket);
  g_free (upload->key);
  g_free (upload->content_type);
  g_clear_object (&upload->file);
  g_clear_object (&upload->stream);
  g_free (upload->copy_source);
  g_free (upload->upload_id);
  g_ptr_array_unref (upload->etags);
  g_free (upload->buffer);
  g_clear_error (&upload->pending_error);
  g_free (upload);
}

static void upload_next_part (GTask *task);

static void
upload_report (Upload  *upload,
               goffset  done)
{
  if (upload->progress != NULL)
    upload->progress (done, upload->size, upload->progress_data);
}

static void
upload_abort_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Reply *reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, NULL);
  Upload *upload = g_task_get_task_data (task);

  /* Whether the abort went through or not, the upload failed for its own reason. */
  g_clear_pointer (&reply, _pg_s3_reply_free);
  g_task_return_error (task, g_steal_pointer (&upload->pending_error));
}

/* A failed multipart upload is aborted so no invisible parts are left to pay for. The abort is
 * not tied to the cancellable: it must run even after the user cancelled. */
static void
upload_fail (GTask  *task,
             GError *error)
{
  PgS3Client *self = g_task_get_source_object (task);
  Upload *upload = g_task_get_task_data (task);
  Call *call;

  if (upload->upload_id == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  upload->pending_error = error;
  call = _pg_s3_call_new ("DELETE", upload->bucket, upload->key, TRUE);
  _pg_s3_call_add_query (call, "uploadId", upload->upload_id);
  _pg_s3_call_async (self, call, NULL, upload_abort_cb, task);
}

static void
upload_single_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  Upload *upload;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  upload = g_task_get_task_data (task);
  upload_report (upload, upload->size);
  g_task_return_boolean (task, TRUE);
}

static void
upload_complete_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  Upload *upload;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  /* CompleteMultipartUpload may answer 200 with an error document in the body. */
  if (reply != NULL && (xml = _pg_s3_reply_xml (reply, NULL)) && g_str_equal (xml->name, "Error"))
    error = g_error_new (PG_S3_ERROR, PG_S3_ERROR_SERVER, _("The server could not assemble the "
                                                           "upload: %s"),
                         pg_xml_child_text (xml, "Message"));

  if (error != NULL)
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  upload = g_task_get_task_data (task);
  upload_report (upload, upload->size);
  g_task_return_boolean (task, TRUE);
}

static void
upload_complete (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  GString *xml = g_string_new ("<CompleteMultipartUpload>");
  g_autoptr(GBytes) body = NULL;
  Call *call;

  for (guint i = 0; i < upload->etags->len; i++)
    {
      g_autofree char *etag = pg_xml_escape (g_ptr_array_index (upload->etags, i));

      g_string_append_printf (xml, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>",
                              i + 1, etag);
    }
  g_string_append (xml, "</CompleteMultipartUpload>");
  body = g_string_free_to_bytes (xml);

  call = _pg_s3_call_new ("POST", upload->bucket, upload->key, TRUE);
  _pg_s3_call_add_query (call, "uploadId", upload->upload_id);
  _pg_s3_call_set_body (call, body, "application/xml");
  _pg_s3_call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task),
                     upload_complete_cb, task);
}

static void
upload_part_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  Upload *upload;
  const char *etag;

  if (reply == NULL)
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  upload = g_task_get_task_data (task);
  etag = soup_message_headers_get_one (reply->headers, "ETag");
  if (etag == NULL)
    {
      upload_fail (g_steal_pointer (&task),
                   g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_FAILED,
                                        _("The server did not confirm a part of the upload.")));
      return;
    }

  g_ptr_array_add (upload->etags, g_strdup (etag));
  upload_next_part (g_steal_pointer (&task));
}

static void
upload_part_progress (goffset  current,
                      goffset  total,
                      gpointer user_data)
{
  Upload *upload = user_data;

  upload_report (upload, upload->done - total + current);
}

static void
upload_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) part = NULL;
  PgS3Client *self;
  Upload *upload;
  gsize read = 0;
  Call *call;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &read, &error))
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  upload = g_task_get_task_data (task);

  /* The file got shorter while it was being read: stop rather than send empty parts. */
  if (read == 0 && upload->done < upload->size)
    {
      upload_fail (g_steal_pointer (&task),
                   g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                _("The file “%s” changed while it was being uploaded."),
                                g_file_peek_path (upload->file)));
      return;
    }

  part = g_bytes_new (upload->buffer, read);
  upload->done += read;

  if (upload->upload_id == NULL)
    {
      /* The whole file fits in one request. */
      call = _pg_s3_call_new ("PUT", upload->bucket, upload->key, TRUE);
      _pg_s3_call_set_body (call, part, upload->content_type);
      call->progress = upload->progress;
      call->progress_data = upload->progress_data;
      call->progress_total = upload->size;
      _pg_s3_call_async (self, call, cancellable, upload_single_cb,
                         g_steal_pointer (&task));
      return;
    }

  {
    g_autofree char *number = g_strdup_printf ("%u", upload->part_number);

    call = _pg_s3_call_new ("PUT", upload->bucket, upload->key, TRUE);
    _pg_s3_call_add_query (call, "partNumber", number);
    _pg_s3_call_add_query (call, "uploadId", upload->upload_id);
    _pg_s3_call_set_body (call, part, NULL);
    call->progress = upload_part_progress;
    call->progress_data = upload;
    call->progress_total = read;
    _pg_s3_call_async (self, call, cancellable, upload_part_cb,
                       g_steal_pointer (&task));
  }
}

static void
copy_part_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  Upload *upload = g_task_get_task_data (task);
  const char *etag = NULL;

  /* UploadPartCopy says the part's ETag in its answer's body (or an error, even with 200). */
  if (reply != NULL && (xml = _pg_s3_reply_xml (reply, &error)) != NULL)
    etag = pg_xml_child_text (xml, "ETag");
  if (error == NULL && (etag == NULL || !g_str_equal (xml->name, "CopyPartResult")))
    error = g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_FAILED,
                                 _("The server did not confirm a part of the copy."));
  if (error != NULL)
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  g_ptr_array_add (upload->etags, g_strdup (etag));
  upload_report (upload, upload->done);
  upload_next_part (g_steal_pointer (&task));
}

/* One part of a copy: a range of the source, copied by the server. */
static void
copy_next_part (GTask *task,
                gsize  length)
{
  Upload *upload = g_task_get_task_data (task);
  g_autofree char *number = g_strdup_printf ("%u", upload->part_number);
  g_autofree char *range = g_strdup_printf ("bytes=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT,
                                            (gint64) upload->done,
                                            (gint64) (upload->done + length - 1));
  Call *call = _pg_s3_call_new ("PUT", upload->bucket, upload->key, TRUE);

  _pg_s3_call_add_query (call, "partNumber", number);
  _pg_s3_call_add_query (call, "uploadId", upload->upload_id);
  _pg_s3_call_add_header (call, "x-amz-copy-source", upload->copy_source);
  _pg_s3_call_add_header (call, "x-amz-copy-source-range", range);
  upload->done += length;
  _pg_s3_call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task),
                     copy_part_cb, task);
}

static void
upload_next_part (GTask *task)
{
  Upload *upload = g_task_get_task_data (task);
  gsize length = MIN ((goffset) upload->part_size, upload->size - upload->done);

  if (upload->upload_id != NULL && upload->done >= upload->size)
    {
      upload_complete (task);
      return;
    }

  upload->part_number++;
  if (upload->copy_source != NULL)
    {
      copy_next_part (task, length);
      return;
    }
  g_input_stream_read_all_async (upload->stream, upload->buffer, length, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task), upload_read_cb, task);
}

static void
upload_initiated_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  Upload *upload;
  const char *id;

  if (reply == NULL || !(xml = _pg_s3_reply_xml (reply, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  upload = g_task_get_task_data (task);
  id = pg_xml_child_text (xml, "UploadId");
  if (id == NULL || *id == '\0')
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                               _("The server did not start the upload."));
      return;
    }

  upload->upload_id = g_strdup (id);
  upload_next_part (g_steal_pointer (&task));
}

/* Starts a multipart upload in parts of at least @part_size (at most 10,000 parts: very large
 * objects get larger parts). Returns: the size of a part */
static gsize
upload_start_multipart (GTask   *task,
                        guint64  part_size)
{
  Upload *upload = g_task_get_task_data (task);
  Call *call = _pg_s3_call_new ("POST", upload->bucket, upload->key, FALSE);

  upload->part_size = MAX (part_size, (guint64) (upload->size + MAX_PARTS - 1) / MAX_PARTS);
  _pg_s3_call_add_query (call, "uploads", "");
  if (upload->content_type != NULL)
    _pg_s3_call_add_header (call, "Content-Type", upload->content_type);
  _pg_s3_call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task),
                     upload_initiated_cb, task);

  return upload->part_size;
}

static void
upload_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (source), result, &error);
  g_autoptr(GFileInfo) info = NULL;
  PgS3Client *self;
  Upload *upload;

  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, &error);

  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  upload = g_task_get_task_data (task);
  upload->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  upload->size = g_file_info_get_size (info);
  upload_report (upload, 0);

  if ((guint64) upload->size <= self->multipart_threshold)
    {
      upload->part_size = upload->size;
      upload->buffer = g_malloc (MAX (upload->size, 1));
      upload_next_part (g_steal_pointer (&task));
      return;
    }

  upload->buffer = g_malloc (upload_start_multipart (g_steal_pointer (&task),
                                                     self->multipart_threshold));
}

/**
 * pg_s3_client_put_object_async:
 * @file: what to upload; read in pieces, never whole into memory when large
 * @content_type: (nullable): the type the object is stored with
 * @progress: (nullable): called with bytes sent so far, in the main context
 *
 * Uploads a file as @key. Files above the multipart threshold go up in parts; a failed or
 * cancelled multipart upload is aborted on the server.
 */
void
pg_s3_client_put_object_async (PgS3Client            *self,
                               const char            *bucket,
                               const char            *key,
                               GFile                 *file,
                               const char            *content_type,
                               GFileProgressCallback  progress,
                               gpointer               progress_data,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Upload *upload = g_new0 (Upload, 1);

  g_task_set_source_tag (task, pg_s3_client_put_object_async);
  upload->bucket = g_strdup (bucket);
  upload->key = g_strdup (key);
  upload->content_type = g_strdup (content_type);
  upload->file = g_object_ref (file);
  upload->progress = progress;
  upload->progress_data = progress_data;
  upload->etags = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);

  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, upload_opened_cb, task);
}

gboolean
pg_s3_client_put_object_finish (PgS3Client    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_object_async, error);
}

/**
 * pg_s3_client_copy_object_sized_async:
 * @size: the size of @key, as HeadObject gave it
 * @content_type: (nullable): its content type, which the copy keeps
 *
 * Copies @key to @new_key in the same bucket, on the server: in one CopyObject up to the copy
 * threshold (5 GiB, what S3 copies in one request), else in parts (UploadPartCopy), a failed
 * or cancelled copy aborted on the server. Nothing passes through this machine.
 */
void
pg_s3_client_copy_object_sized_async (PgS3Client          *self,
                                      const char          *bucket,
                                      const char          *key,
                                      const char          *new_key,
                                      guint64              size,
                                      const char          *content_type,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Upload *upload = g_new0 (Upload, 1);
  GString *source = g_string_new ("/");

  g_task_set_source_tag (task, pg_s3_client_copy_object_sized_async);
  pg_sigv4_uri_encode (source, bucket, FALSE);
  g_string_append_c (source, '/');
  pg_sigv4_uri_encode (source, key, TRUE);
  upload->copy_source = g_string_free (source, FALSE);
  upload->bucket = g_strdup (bucket);
  upload->key = g_strdup (new_key);
  upload->content_type = g_strdup (content_type);
  upload->size = size;
  upload->etags = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, upload, (GDestroyNotify) upload_free);

  /* Ceph RGW 16.2 aborts (the whole gateway stops) on an UploadPartCopy whose source is named
   * with some "%" sequences, such as "a +%.bin": not sent to a server other than AWS. */
  if (size > self->copy_threshold && strchr (key, '%') != NULL
      && !pg_endpoint_is_aws (self->endpoint))
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED,
                               _("“%s” is too large to copy in one piece, and copying it in parts "
                                 "is not safe on this server because its name contains “%%”. "
                                 "Rename the file, or share it with a plain link."), key);
      g_object_unref (task);
      return;
    }
  if (size > self->copy_threshold)
    {
      upload_start_multipart (task, self->copy_threshold);
      return;
    }

  {
    Call *call = _pg_s3_call_new ("PUT", bucket, new_key, TRUE);

    /* CopyObject, too, may answer 200 with an error document: read as a completion is. */
    _pg_s3_call_add_header (call, "x-amz-copy-source", upload->copy_source);
    _pg_s3_call_async (self, call, cancellable, upload_complete_cb, task);
  }
}

gboolean
pg_s3_client_copy_object_sized_finish (PgS3Client    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_copy_object_sized_async, error);
}
