/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-s3-private.h"

/* How a request travels: its URL built as signed, and its answer read within a size and a
 * deadline, whatever the server on the other end does. */

/* ---- Reading an answer, bounded ----------------------------------------------------------- */

typedef struct
{
  GInputStream *stream;
  GByteArray   *body;
  gsize         max_body;
  gboolean      truncate;
  GCancellable *outer;
  GCancellable *own;
  gulong        outer_handler;
  guint         deadline;
  gboolean      timed_out;
} BodyRead;

static void
body_read_free (BodyRead *read)
{
  g_clear_handle_id (&read->deadline, g_source_remove);
  if (read->outer != NULL)
    g_cancellable_disconnect (read->outer, read->outer_handler);
  g_clear_object (&read->outer);
  g_clear_object (&read->own);
  g_clear_object (&read->stream);
  g_clear_pointer (&read->body, g_byte_array_unref);
  g_free (read);
}

/* The whole exchange — connecting, sending, every byte of the answer — must be over by the
 * deadline: a server that never answers, or trickles a byte now and then, is given up on. */
static gboolean
deadline_cb (gpointer user_data)
{
  BodyRead *read = user_data;

  read->deadline = 0;
  read->timed_out = TRUE;
  g_cancellable_cancel (read->own);

  return G_SOURCE_REMOVE;
}

static void
outer_cancelled_cb (GCancellable *outer,
                    GCancellable *own)
{
  g_cancellable_cancel (own);
}

/* Ends the read with @error (taken), said as a time-out when the deadline cut it. */
static void
body_read_fail (GTask  *task,
                GError *error)
{
  BodyRead *read = g_task_get_task_data (task);

  if (read->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "no complete answer before the deadline");
      return;
    }

  g_task_return_error (task, error);
}

static void body_read_more (GTask *task);

static void
body_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                               &error);
  BodyRead *read;
  gsize room;

  if (chunk == NULL)
    {
      body_read_fail (task, g_steal_pointer (&error));
      return;
    }

  read = g_task_get_task_data (task);
  if (g_bytes_get_size (chunk) == 0)
    {
      g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->body)),
                             (GDestroyNotify) g_bytes_unref);
      return;
    }

  room = read->max_body - read->body->len;
  g_byte_array_append (read->body, g_bytes_get_data (chunk, NULL),
                       MIN (g_bytes_get_size (chunk), room));

  /* An answer this large is not one we asked for: stop reading, and drop the connection. */
  if (g_bytes_get_size (chunk) > room)
    {
      g_autofree char *limit = g_format_size (read->max_body);

      if (read->truncate)
        g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&read->body)),
                               (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                                 _("The server’s answer is larger than %s, more than an answer "
                                   "to this request can be. It was not read."), limit);
      return;
    }

  body_read_more (g_steal_pointer (&task));
}

static void
body_read_more (GTask *task)
{
  BodyRead *read = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (read->stream, 64 * 1024, G_PRIORITY_DEFAULT, read->own,
                                   body_read_cb, task);
}

static void
body_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GInputStream *stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  BodyRead *read;

  if (stream == NULL)
    {
      body_read_fail (task, g_steal_pointer (&error));
      return;
    }

  read = g_task_get_task_data (task);
  read->stream = stream;
  body_read_more (g_steal_pointer (&task));
}

/**
 * _pg_s3_send_async:
 * @max_body: the most of the answer's body that is read
 * @truncate: whether a longer body is cut at @max_body (%TRUE) or an error (%FALSE)
 * @deadline_ms: the longest the whole exchange may take; then it fails with
 *   %G_IO_ERROR_TIMED_OUT
 *
 * Sends @message and reads its answer's body, never more than @max_body bytes of it and never
 * for longer than @deadline_ms: a broken or hostile server cannot make us hold more or wait
 * longer. The result is the body as #GBytes.
 */
void
_pg_s3_send_async (SoupSession         *session,
                   SoupMessage         *message,
                   gsize                max_body,
                   gboolean             truncate,
                   guint                deadline_ms,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (session, cancellable, callback, user_data);
  BodyRead *read = g_new0 (BodyRead, 1);

  g_task_set_source_tag (task, _pg_s3_send_async);
  read->body = g_byte_array_new ();
  read->max_body = MAX (max_body, 1);
  read->truncate = truncate;
  read->own = g_cancellable_new ();
  if (cancellable != NULL)
    {
      read->outer = g_object_ref (cancellable);
      read->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled_cb),
                                                   read->own, NULL);
    }
  read->deadline = g_timeout_add (MAX (deadline_ms, 1), deadline_cb, read);
  g_task_set_task_data (task, read, (GDestroyNotify) body_read_free);
  /* Ours, unless the request says otherwise (a link's check says so: see pg-activity.h). A
   * session's user agent would replace a request's, so sessions have none. */
  if (soup_message_headers_get_one (soup_message_get_request_headers (message),
                                    "User-Agent") == NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "User-Agent",
                                  "presign-guard/" PACKAGE_VERSION);
  soup_session_send_async (session, message, G_PRIORITY_DEFAULT, read->own, body_sent_cb, task);
}

GBytes *
_pg_s3_send_finish (GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * _pg_s3_uri_new:
 * @url: a complete URL, as signed
 *
 * The URL as libsoup wants it, built rather than parsed: parsing would resolve "." and ".."
 * segments (and normalise their encoded forms), but in S3 they are part of a key, and of what
 * was signed, and go to the server as they are.
 */
GUri *
_pg_s3_uri_new (const char  *url,
                GError     **error)
{
  const char *authority = strstr (url, "://");
  const char *target = authority ? authority + 3 + strcspn (authority + 3, "/?#") : NULL;
  const char *query;
  g_autofree char *base_url = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GUri) base = NULL;

  if (target == NULL || *target != '/')
    {
      g_set_error (error, G_URI_ERROR, G_URI_ERROR_FAILED, "not a request URL: %s", url);
      return NULL;
    }

  base_url = g_strndup (url, target - url);
  base = g_uri_parse (base_url, SOUP_HTTP_URI_FLAGS, error);
  if (base == NULL)
    return NULL;

  query = strchr (target, '?');
  path = g_strndup (target, query ? (gsize) (query - target) : strlen (target));

  return g_uri_build (SOUP_HTTP_URI_FLAGS, g_uri_get_scheme (base), NULL, g_uri_get_host (base),
                      g_uri_get_port (base), path, query ? query + 1 : NULL, NULL);
}
