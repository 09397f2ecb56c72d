/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-s3-private.h"

/* ---- GetObject into a file, in pieces ----------------------------------------------------
 *
 * An object of any size is read in ranges of a few MiB, each a bounded answer like every other
 * of the client, all of the same version (If-Match with the ETag the first HEAD saw), written to
 * a new file that takes the destination's place only once the last byte is in: a download that
 * fails or is cancelled leaves no half file and keeps whatever was there. */

#define PIECE_SIZE (4 * 1024 * 1024)

typedef struct
{
  char                 *bucket;
  char                 *key;
  GFile                *destination;
  GFileProgressCallback progress;
  gpointer              progress_data;
  char                 *etag;
  guint64               size;
  guint64               done;
  GOutputStream        *output;
  GBytes               *piece;
  GError               *pending_error;
} Download;

static void
download_free (Download *download)
{
  g_free (download->bucket);
  g_free (download->key);
  g_clear_object (&download->destination);
  g_free (download->etag);
  g_clear_object (&download->output);
  g_clear_pointer (&download->piece, g_bytes_unref);
  g_clear_error (&download->pending_error);
  g_free (download);
}

static void download_next_piece (GTask *task);

static void
abandoned_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Download *download = g_task_get_task_data (task);

  /* Closing with a cancelled cancellable drops the new file; that "error" is the point. */
  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL);
  g_task_return_error (task, g_steal_pointer (&download->pending_error));
}

static void
download_fail (GTask  *task,
               GError *error)
{
  Download *download = g_task_get_task_data (task);
  g_autoptr(GCancellable) abandon = g_cancellable_new ();

  download->pending_error = error;
  if (download->output == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&download->pending_error));
      g_object_unref (task);
      return;
    }

  g_cancellable_cancel (abandon);
  g_output_stream_close_async (download->output, G_PRIORITY_DEFAULT, abandon, abandoned_cb, task);
}

static void
closed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Download *download = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      download_fail (task, error);
      return;
    }

  download->done += g_bytes_get_size (download->piece);
  g_clear_pointer (&download->piece, g_bytes_unref);
  if (download->progress != NULL)
    download->progress (download->done, download->size, download->progress_data);
  download_next_piece (task);
}

static void
write_all (GTask *task)
{
  Download *download = g_task_get_task_data (task);

  g_output_stream_write_all_async (download->output, g_bytes_get_data (download->piece, NULL),
                                   g_bytes_get_size (download->piece), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), written_cb, task);
}

static void
piece_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Download *download = g_task_get_task_data (task);
  GError *error = NULL;
  Reply *reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  guint64 expected = MIN ((guint64) PIECE_SIZE, download->size - download->done);

  if (reply == NULL)
    {
      download_fail (task, error);
      return;
    }

  /* A server that ignores the range, or sends more or less, is not believed. */
  if (g_bytes_get_size (reply->body) != expected)
    {
      _pg_s3_reply_free (reply);
      download_fail (task, g_error_new (PG_S3_ERROR, PG_S3_ERROR_SERVER,
                                        _("The server sent a part of “%s” of the wrong size."),
                                        download->key));
      return;
    }

  download->piece = g_bytes_ref (reply->body);
  _pg_s3_reply_free (reply);
  write_all (task);
}

static void
download_next_piece (GTask *task)
{
  PgS3Client *self = g_task_get_source_object (task);
  Download *download = g_task_get_task_data (task);
  g_autofree char *range = NULL;
  guint64 last;
  Call *call;

  if (download->done >= download->size)
    {
      g_output_stream_close_async (download->output, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), closed_cb, task);
      return;
    }

  last = MIN (download->done + PIECE_SIZE, download->size) - 1;
  range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, download->done, last);
  call = _pg_s3_call_new ("GET", download->bucket, download->key, TRUE);
  call->max_body = PIECE_SIZE;
  _pg_s3_call_add_header (call, "Range", range);
  if (download->etag != NULL)
    _pg_s3_call_add_header (call, "If-Match", download->etag);
  _pg_s3_call_async (self, call, g_task_get_cancellable (task), piece_cb, task);
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Download *download = g_task_get_task_data (task);
  GError *error = NULL;
  GFileOutputStream *output = g_file_replace_finish (G_FILE (source), result, &error);

  if (output == NULL)
    {
      download_fail (task, error);
      return;
    }

  download->output = G_OUTPUT_STREAM (output);
  if (download->progress != NULL)
    download->progress (0, download->size, download->progress_data);
  download_next_piece (task);
}

static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Download *download = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  &error);

  if (object == NULL)
    {
      download_fail (task, error);
      return;
    }

  download->size = object->size;
  download->etag = g_strdup (object->etag);
  g_file_replace_async (download->destination, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                        G_PRIORITY_DEFAULT, g_task_get_cancellable (task), opened_cb, task);
}

/**
 * pg_s3_client_download_async:
 * @destination: the file to write; replaced only once the whole object is in
 * @progress: (nullable): called with the bytes written so far and the object's size
 *
 * Reads an object of any size into @destination (GetObject in ranges of one version).
 */
void
pg_s3_client_download_async (PgS3Client           *self,
                             const char           *bucket,
                             const char           *key,
                             GFile                *destination,
                             GFileProgressCallback progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Download *download = g_new0 (Download, 1);

  g_task_set_source_tag (task, pg_s3_client_download_async);
  download->bucket = g_strdup (bucket);
  download->key = g_strdup (key);
  download->destination = g_object_ref (destination);
  download->progress = progress;
  download->progress_data = progress_data;
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);
  pg_s3_client_head_object_async (self, bucket, key, cancellable, looked_up_cb, task);
}

gboolean
pg_s3_client_download_finish (PgS3Client    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
