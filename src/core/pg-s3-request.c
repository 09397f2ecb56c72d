/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "pg-s3-private.h"
#include "pg-sigv4.h"
#include "pg-text.h"

/* One request to S3: signed (SigV4, header form) right before it is sent with the clock offset
 * last measured, retried when that is safe, and its error answer turned into a sentence. */

/* ---- One request ----------------------------------------------------------------------- */

void
_pg_s3_call_free (Call *call)
{
  g_free (call->method);
  g_free (call->bucket);
  g_free (call->key);
  g_free (call->service);
  g_ptr_array_unref (call->query);
  g_ptr_array_unref (call->headers);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_clear_object (&call->message);
  g_free (call->host);
  g_free (call);
}

void
_pg_s3_reply_free (Reply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply);
}

Call *
_pg_s3_call_new (const char *method,
                 const char *bucket,
                 const char *key,
                 gboolean    idempotent)
{
  Call *call = g_new0 (Call, 1);

  call->method = g_strdup (method);
  call->bucket = g_strdup (bucket);
  call->key = g_strdup (key);
  call->service = g_strdup ("s3");
  call->query = g_ptr_array_new_with_free_func (g_free);
  call->headers = g_ptr_array_new_with_free_func (g_free);
  call->idempotent = idempotent;

  return call;
}

void
_pg_s3_call_add_query (Call       *call,
                       const char *name,
                       const char *value)
{
  g_ptr_array_add (call->query, g_strdup (name));
  g_ptr_array_add (call->query, g_strdup (value ? value : ""));
}

void
_pg_s3_call_add_header (Call       *call,
                        const char *name,
                        const char *value)
{
  g_ptr_array_add (call->headers, g_strdup (name));
  g_ptr_array_add (call->headers, g_strdup (value));
}

void
_pg_s3_call_set_body (Call       *call,
                      GBytes     *body,
                      const char *content_type)
{
  g_clear_pointer (&call->body, g_bytes_unref);
  call->body = g_bytes_ref (body);
  if (content_type != NULL)
    _pg_s3_call_add_header (call, "Content-Type", content_type);
}

/* The key, as it may appear in a sentence. */
static char *
describe_key (Call *call)
{
  return pg_text_sanitize (call->key);
}

/**
 * _pg_s3_parse_error:
 * @data: (nullable): an error answer's body
 * @code: (out) (transfer full) (nullable): S3's error code, e.g. "AccessDenied"
 * @message: (out) (transfer full) (nullable): its message
 *
 * Reads an S3 (or STS) error document. The server's words end up in front of the user: they
 * come back with every control character escaped, fit for a terminal or a label.
 */
void
_pg_s3_parse_error (const char  *data,
                    gsize        length,
                    char       **code,
                    char       **message)
{
  g_autoptr(PgXmlNode) xml = data && length > 0 ? pg_xml_parse (data, length, NULL) : NULL;
  PgXmlNode *error = xml;

  *code = NULL;
  *message = NULL;
  if (xml == NULL)
    return;

  /* STS wraps its error one level deeper. */
  if (pg_xml_child (xml, "Code") == NULL && pg_xml_child (xml, "Error") != NULL)
    error = pg_xml_child (xml, "Error");

  if (pg_xml_child (error, "Code") != NULL)
    *code = pg_text_sanitize (pg_xml_child_text (error, "Code"));
  if (pg_xml_child (error, "Message") != NULL)
    *message = pg_text_sanitize (pg_xml_child_text (error, "Message"));
}

/* Turns an S3 error answer into a sentence a person can act on. */
static GError *
error_from_reply (PgS3Client *self,
                  Call       *call,
                  Reply      *reply)
{
  g_autofree char *safe_code = NULL;
  g_autofree char *safe_message = NULL;
  g_autofree char *key = describe_key (call);
  const char *code;
  const char *message;
  gsize length = 0;
  const char *data = reply->body ? g_bytes_get_data (reply->body, &length) : NULL;

  _pg_s3_parse_error (data, length, &safe_code, &safe_message);
  code = safe_code;
  message = safe_message;

  /* Answers to HEAD have no body: the status has to do. */
  if (code == NULL)
    {
      switch (reply->status)
        {
        case SOUP_STATUS_FORBIDDEN:
          code = "AccessDenied";
          break;
        case SOUP_STATUS_NOT_FOUND:
          code = call->key ? "NoSuchKey" : "NoSuchBucket";
          break;
        case SOUP_STATUS_PRECONDITION_FAILED:
          code = "PreconditionFailed";
          break;
        case SOUP_STATUS_SERVICE_UNAVAILABLE:
          code = "SlowDown";
          break;
        default:
          code = "";
        }
    }

  if (g_str_equal (code, "AccessDenied") || g_str_equal (code, "AllAccessDisabled"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED,
                        _("Access denied: the key %s may not do this in the bucket “%s”."),
                        pg_credentials_get_access_key_id (self->credentials),
                        call->bucket ? call->bucket : "");
  if (g_str_equal (code, "NoSuchBucket"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_BUCKET,
                        _("The bucket “%s” does not exist. Check its name and region."),
                        call->bucket ? call->bucket : "");
  if (g_str_equal (code, "NoSuchBucketPolicy"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_POLICY,
                        _("The bucket “%s” has no bucket policy."), call->bucket);
  if (g_str_equal (code, "NoSuchLifecycleConfiguration"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_POLICY,
                        _("The bucket “%s” has no lifecycle rules."), call->bucket);
  if (g_str_equal (code, "NoSuchKey"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY,
                        _("The file “%s” is not in the bucket “%s”."), key,
                        call->bucket ? call->bucket : "");
  if (g_str_equal (code, "SignatureDoesNotMatch"))
    return g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_SIGNATURE_MISMATCH,
                                _("The secret key does not match the access key ID. Check that "
                                  "it was copied completely."));
  if (g_str_equal (code, "InvalidAccessKeyId") || g_str_equal (code, "InvalidClientTokenId"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_INVALID_ACCESS_KEY,
                        _("The server does not know the access key ID %s. It may have been "
                          "deleted or mistyped."),
                        pg_credentials_get_access_key_id (self->credentials));
  if (g_str_equal (code, "RequestTimeTooSkewed"))
    {
      int minutes = (int) MAX (1, MIN (ABS (self->clock_offset) / 60, G_MAXINT));

      return g_error_new (PG_S3_ERROR, PG_S3_ERROR_CLOCK_SKEWED,
                          g_dngettext (GETTEXT_PACKAGE,
                                       "Your computer’s clock is off by %d minute. Set it right "
                                       "and try again.",
                                       "Your computer’s clock is off by %d minutes. Set it right "
                                       "and try again.", minutes),
                          minutes);
    }
  if (g_str_equal (code, "ExpiredToken") || g_str_equal (code, "TokenRefreshRequired"))
    return g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_EXPIRED_TOKEN,
                                _("The temporary credentials have expired. Get new ones and try "
                                  "again."));
  if (g_str_equal (code, "InvalidToken"))
    return g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_EXPIRED_TOKEN,
                                _("The session token is not valid. Get new temporary credentials "
                                  "and try again."));
  if (g_str_equal (code, "EntityAlreadyExists"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_ENTITY_EXISTS, _("It already exists: %s"),
                        message && *message ? message : code);
  if (g_str_equal (code, "NoSuchEntity"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_ENTITY, _("It does not exist: %s"),
                        message && *message ? message : code);
  if (g_str_equal (code, "MalformedPolicy") || g_str_equal (code, "InvalidPolicyDocument"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_MALFORMED_POLICY,
                        _("The server refused the bucket policy: %s"),
                        message && *message ? message : code);
  if (g_str_equal (code, "SlowDown") || reply->status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    return g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_SLOW_DOWN,
                                _("The server is busy. Try again in a moment."));
  if (g_str_equal (code, "PreconditionFailed"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_PRECONDITION_FAILED,
                        _("The file “%s” already exists."), key);
  if (g_str_equal (code, "BucketAlreadyOwnedByYou"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_BUCKET_EXISTS,
                        _("The bucket “%s” already exists, and it is yours."),
                        call->bucket ? call->bucket : "");
  if (g_str_equal (code, "BucketAlreadyExists"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_BUCKET_TAKEN,
                        _("The bucket name “%s” is taken by somebody else: bucket names are "
                          "shared by everyone on the server. Choose another name."),
                        call->bucket ? call->bucket : "");
  if (g_str_equal (code, "ConditionalRequestConflict") || g_str_equal (code, "OperationAborted")
      || reply->status == 409)
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_CONFLICT,
                        _("Another request changed “%s” at the same moment. Try again."),
                        key);
  if (g_str_equal (code, "NotImplemented") || g_str_equal (code, "InvalidAction")
      || reply->status == SOUP_STATUS_NOT_IMPLEMENTED || reply->status == 405)
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED,
                        _("This server does not support that request (%s)."),
                        *code ? code : soup_status_get_phrase (reply->status));
  if (reply->status >= 500)
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_SERVER,
                        _("The server had a problem (%u %s). Try again later."),
                        reply->status, *code ? code : soup_status_get_phrase (reply->status));

  return g_error_new (PG_S3_ERROR, PG_S3_ERROR_FAILED, _("The server refused the request: %s%s%s"),
                      *code ? code : soup_status_get_phrase (reply->status),
                      message && *message ? " — " : "", message ? message : "");
}

static gboolean
is_retryable_status (guint status)
{
  return status >= 500 || status == 429;
}

static gboolean
is_retryable_network_error (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
         || g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_PARSING);
}

static void call_send (GTask *task);

static gboolean
call_retry_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  call_send (g_steal_pointer (&task));

  return G_SOURCE_REMOVE;
}

/* Milliseconds left of the call's whole budget, retries included. */
static gint64
budget_left_ms (PgS3Client *self,
                Call       *call)
{
  gint64 spent = (g_get_monotonic_time () - call->started) / 1000;

  return (gint64) self->total_seconds * 1000 - spent;
}

/* Exponential backoff with jitter: base × 2^(attempt-1), plus up to half of that again; only
 * when a retry still fits into the call's budget. */
static gboolean
call_schedule_retry (GTask *task)
{
  PgS3Client *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  guint delay = MIN (MAX_DELAY_MS, self->base_delay_ms << MIN (call->attempt - 1, 10));

  delay += g_random_int_range (0, delay / 2 + 1);
  if (call->attempt >= self->attempts || budget_left_ms (self, call) < delay + MIN_ATTEMPT_MS)
    return FALSE;

  g_timeout_add (delay, call_retry_cb, task);

  return TRUE;
}

static void
update_clock_offset (PgS3Client         *self,
                     SoupMessageHeaders *headers)
{
  const char *date = soup_message_headers_get_one (headers, "Date");
  g_autoptr(GDateTime) server = date ? soup_date_time_new_from_http_string (date) : NULL;
  gint64 offset;

  if (server == NULL)
    return;

  /* The header has whole seconds; a difference of a second or two is just that. */
  offset = g_date_time_to_unix (server) - g_get_real_time () / G_USEC_PER_SEC;
  self->clock_offset = ABS (offset) <= 2 ? 0 : offset;
}

static void
on_wrote_body_data (SoupMessage *message,
                    guint        chunk,
                    gpointer     user_data)
{
  Call *call = user_data;

  call->progress_done += chunk;
  if (call->progress != NULL)
    call->progress (MIN (call->progress_done, call->progress_total), call->progress_total,
                    call->progress_data);
}

/* ---- Sending a call ----------------------------------------------------------------------- */

static void
call_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(Reply) reply = NULL;
  PgS3Client *self;
  Call *call;

  body = _pg_s3_send_finish (result, &error);

  /* Cancelled: return before touching anything else. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  call = g_task_get_task_data (task);

  if (error != NULL)
    {
      /* Our own verdict on the answer (too large): final, and already in words. */
      if (error->domain == PG_S3_ERROR)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      if (call->idempotent && is_retryable_network_error (error)
          && call_schedule_retry (task))
        {
          g_debug ("%s %s: %s; retrying", call->method, call->host, error->message);
          g_steal_pointer (&task);
          return;
        }

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NETWORK,
                                 _("The server at %s did not answer in time. Check the network "
                                   "connection and try again."), call->host);
      else
        g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NETWORK,
                                 _("Cannot reach the server at %s: %s"), call->host,
                                 error->message);
      return;
    }

  reply = g_new0 (Reply, 1);
  reply->status = soup_message_get_status (call->message);
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (call->message));
  reply->body = g_steal_pointer (&body);
  update_clock_offset (self, reply->headers);

  if (reply->status < 300)
    {
      g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) _pg_s3_reply_free);
      return;
    }

  error = error_from_reply (self, call, reply);

  /* The server said our clock is off and told us its time: sign again, once. */
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_CLOCK_SKEWED) && !call->skew_retried)
    {
      call->skew_retried = TRUE;
      call->attempt--;
      call_send (g_steal_pointer (&task));
      return;
    }

  if (call->idempotent
      && (is_retryable_status (reply->status)
          || g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_SLOW_DOWN))
      && call_schedule_retry (task))
    {
      g_debug ("%s %s: status %u; retrying", call->method, call->host, reply->status);
      g_steal_pointer (&task);
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

/* Requests with a body are written in two pieces, headers then body; with Nagle's algorithm
 * the body waits for the server's delayed acknowledgement of the headers (40 ms on Linux). */
void
_pg_s3_on_network_event (SoupMessage        *message,
                         GSocketClientEvent  event,
                         GIOStream          *connection,
                         gpointer            user_data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;

  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
}

static void
call_send (GTask *task)
{
  PgS3Client *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_auto(PgLocation) location = { 0 };
  g_autoptr(PgSigv4Request) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GUri) uri = NULL;
  gint64 deadline_ms;

  call->attempt++;
  if (call->started == 0)
    call->started = g_get_monotonic_time ();

  if (g_str_equal (call->service, "s3"))
    {
      if (!pg_endpoint_locate (self->endpoint, call->bucket, call->key, &location, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          g_object_unref (task);
          return;
        }
    }
  else
    {
      pg_endpoint_locate_service (self->endpoint, call->service, &location);
    }

  g_free (call->host);
  call->host = g_strdup (location.host);

  request = pg_sigv4_request_new (call->method, location.host, location.path,
                                  PG_SIGV4_CONTENT_SHA256_HEADER);
  for (guint i = 0; i < call->query->len; i += 2)
    pg_sigv4_request_add_query (request, call->query->pdata[i], call->query->pdata[i + 1]);
  for (guint i = 0; i < call->headers->len; i += 2)
    pg_sigv4_request_add_header (request, call->headers->pdata[i], call->headers->pdata[i + 1]);
  if (call->body != NULL)
    {
      gsize length;
      gconstpointer data = g_bytes_get_data (call->body, &length);

      pg_sigv4_request_set_payload (request, data, length);
    }

  if (!pg_sigv4_request_sign (request, self->credentials,
                              pg_endpoint_service_region (self->endpoint, call->service),
                              call->service, pg_s3_client_get_now (self), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  target = pg_sigv4_request_get_path_and_query (request);
  url = g_strconcat (location.scheme, "://", location.host, target, NULL);
  uri = _pg_s3_uri_new (url, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  g_clear_object (&call->message);
  call->message = soup_message_new_from_uri (call->method, uri);
  g_signal_connect (call->message, "network-event", G_CALLBACK (_pg_s3_on_network_event), NULL);

  for (guint i = 0; i < pg_sigv4_request_get_n_headers (request); i++)
    {
      const char *name;
      const char *value;

      pg_sigv4_request_get_nth_header (request, i, &name, &value);
      if (g_ascii_strcasecmp (name, "Host") != 0)
        soup_message_headers_replace (soup_message_get_request_headers (call->message), name,
                                      value);
    }

  if (call->body != NULL)
    {
      soup_message_set_request_body_from_bytes (call->message, NULL, call->body);
      if (call->progress != NULL)
        {
          call->progress_done = 0;
          g_signal_connect (call->message, "wrote-body-data", G_CALLBACK (on_wrote_body_data),
                            call);
        }
    }

  deadline_ms = CLAMP (budget_left_ms (self, call), MIN_ATTEMPT_MS,
                       (gint64) self->request_seconds * 1000);
  if (call->body != NULL)
    deadline_ms += (gint64) g_bytes_get_size (call->body) * 1000 / MIN_UPLOAD_BYTES_PER_S;
  _pg_s3_send_async (self->session, call->message,
                     call->max_body ? call->max_body : PG_S3_MAX_BODY_BYTES, FALSE,
                     (guint) MIN (deadline_ms, G_MAXUINT), g_task_get_cancellable (task),
                     call_sent_cb, task);
}

/* Sends @call (taking it); the result is a Reply with a 2xx status, or an error. */
void
_pg_s3_call_async (PgS3Client          *self,
                   Call                *call,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _pg_s3_call_async);
  g_task_set_task_data (task, call, (GDestroyNotify) _pg_s3_call_free);
  call_send (task);
}

Reply *
_pg_s3_call_finish (PgS3Client    *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Most operations only need to know that the request succeeded. */
static void
call_done_boolean_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
_pg_s3_call_boolean_async (PgS3Client          *self,
                           Call                *call,
                           gpointer             source_tag,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  _pg_s3_call_async (self, call, cancellable, call_done_boolean_cb, task);
}

gboolean
_pg_s3_boolean_finish (PgS3Client    *self,
                       GAsyncResult  *result,
                       gpointer       source_tag,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

PgXmlNode *
_pg_s3_reply_xml (Reply   *reply,
                  GError **error)
{
  gsize length = 0;
  const char *data = reply->body ? g_bytes_get_data (reply->body, &length) : NULL;
  PgXmlNode *xml = data ? pg_xml_parse (data, length, NULL) : NULL;

  if (xml == NULL)
    g_set_error_literal (error, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                         _("The server’s answer could not be understood."));

  return xml;
}
