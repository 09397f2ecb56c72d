/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "pg-s3-client.h"
#include "pg-sigv4.h"
#include "pg-xml.h"

/* An asynchronous S3 client on libsoup 3. Every request is signed (SigV4, header form) right
 * before it is sent, with the clock offset last measured from a response's Date header, so a
 * retry or a request after a "clock skewed" answer carries a fresh, correct signature.
 *
 * Requests that can safely be repeated are retried on 5xx answers, "SlowDown", time-outs and
 * broken connections, with exponential backoff and jitter, a few times at most. */

#define DEFAULT_ATTEMPTS          4
#define DEFAULT_BASE_DELAY_MS     200
#define MAX_DELAY_MS              5000
#define DEFAULT_MULTIPART_BYTES   (16 * 1024 * 1024)
#define MIN_PART_BYTES            (5 * 1024 * 1024)
#define MAX_PARTS                 10000
#define REQUEST_TIMEOUT_SECONDS   60

struct _PgS3Client
{
  GObject        parent_instance;

  PgEndpoint    *endpoint;
  PgCredentials *credentials;
  SoupSession   *session;
  gint64         clock_offset;
  guint          attempts;
  guint          base_delay_ms;
  guint64        multipart_threshold;
};

G_DEFINE_FINAL_TYPE (PgS3Client, pg_s3_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (pg-s3-error-quark, pg_s3_error)

/* ---- Values ---------------------------------------------------------------------------- */

void
pg_s3_object_free (PgS3Object *object)
{
  if (object == NULL)
    return;

  g_free (object->key);
  g_clear_pointer (&object->last_modified, g_date_time_unref);
  g_free (object->etag);
  g_free (object->content_type);
  g_free (object);
}

void
pg_s3_listing_free (PgS3Listing *listing)
{
  if (listing == NULL)
    return;

  g_ptr_array_unref (listing->objects);
  g_ptr_array_unref (listing->prefixes);
  g_free (listing);
}

/* ---- Client ---------------------------------------------------------------------------- */

static void
pg_s3_client_finalize (GObject *object)
{
  PgS3Client *self = PG_S3_CLIENT (object);

  g_clear_pointer (&self->endpoint, pg_endpoint_unref);
  g_clear_pointer (&self->credentials, pg_credentials_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (pg_s3_client_parent_class)->finalize (object);
}

static void
pg_s3_client_class_init (PgS3ClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_s3_client_finalize;
}

static void
pg_s3_client_init (PgS3Client *self)
{
  self->attempts = DEFAULT_ATTEMPTS;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->multipart_threshold = DEFAULT_MULTIPART_BYTES;
}

/**
 * pg_s3_client_new:
 * @session: (nullable): the application's session, or %NULL for a new one
 *
 * Returns: (transfer full): a client that acts as @credentials against @endpoint.
 */
PgS3Client *
pg_s3_client_new (PgEndpoint    *endpoint,
                  PgCredentials *credentials,
                  SoupSession   *session)
{
  PgS3Client *self;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  self = g_object_new (PG_TYPE_S3_CLIENT, NULL);
  self->endpoint = pg_endpoint_ref (endpoint);
  self->credentials = pg_credentials_ref (credentials);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                   "idle-timeout", REQUEST_TIMEOUT_SECONDS,
                                                   "user-agent", "presign-guard/" PACKAGE_VERSION,
                                                   NULL);

  return self;
}

PgEndpoint *
pg_s3_client_get_endpoint (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->endpoint;
}

PgCredentials *
pg_s3_client_get_credentials (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->credentials;
}

SoupSession *
pg_s3_client_get_session (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->session;
}

/* Seconds the server's clock is ahead of ours, as last measured. */
gint64
pg_s3_client_get_clock_offset (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), 0);

  return self->clock_offset;
}

/* The server's idea of now, in seconds since the epoch. */
gint64
pg_s3_client_get_now (PgS3Client *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

void
pg_s3_client_set_retries (PgS3Client *self,
                          guint       attempts,
                          guint       base_delay_ms)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->attempts = MAX (1, attempts);
  self->base_delay_ms = base_delay_ms;
}

/* Files larger than this go up in parts (at least 5 MiB each, as S3 requires). */
void
pg_s3_client_set_multipart_threshold (PgS3Client *self,
                                      guint64     bytes)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->multipart_threshold = MAX (bytes, MIN_PART_BYTES);
}

/* ---- One request ----------------------------------------------------------------------- */

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

static void
call_free (Call *call)
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

static void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Call *
call_new (const char *method,
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

static void
call_add_query (Call       *call,
                const char *name,
                const char *value)
{
  g_ptr_array_add (call->query, g_strdup (name));
  g_ptr_array_add (call->query, g_strdup (value ? value : ""));
}

static void
call_add_header (Call       *call,
                 const char *name,
                 const char *value)
{
  g_ptr_array_add (call->headers, g_strdup (name));
  g_ptr_array_add (call->headers, g_strdup (value));
}

static void
call_set_body (Call       *call,
               GBytes     *body,
               const char *content_type)
{
  g_clear_pointer (&call->body, g_bytes_unref);
  call->body = g_bytes_ref (body);
  if (content_type != NULL)
    call_add_header (call, "Content-Type", content_type);
}

static const char *
describe_key (Call *call)
{
  return call->key ? call->key : "";
}

/* Turns an S3 error answer into a sentence a person can act on. */
static GError *
error_from_reply (PgS3Client *self,
                  Call       *call,
                  Reply      *reply)
{
  g_autoptr(PgXmlNode) xml = NULL;
  const char *code = NULL;
  const char *message = NULL;
  gsize length = 0;
  const char *data = reply->body ? g_bytes_get_data (reply->body, &length) : NULL;

  if (length > 0)
    xml = pg_xml_parse (data, length, NULL);
  if (xml != NULL)
    {
      code = pg_xml_child_text (xml, "Code");
      message = pg_xml_child_text (xml, "Message");
      /* STS wraps its error one level deeper. */
      if (code == NULL && pg_xml_child (xml, "Error") != NULL)
        {
          code = pg_xml_child_text (pg_xml_child (xml, "Error"), "Code");
          message = pg_xml_child_text (pg_xml_child (xml, "Error"), "Message");
        }
    }

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
  if (g_str_equal (code, "NoSuchKey"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY,
                        _("The file “%s” is not in the bucket “%s”."), describe_key (call),
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
  if (g_str_equal (code, "MalformedPolicy") || g_str_equal (code, "InvalidPolicyDocument"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_MALFORMED_POLICY,
                        _("The server refused the bucket policy: %s"),
                        message && *message ? message : code);
  if (g_str_equal (code, "SlowDown") || reply->status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    return g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_SLOW_DOWN,
                                _("The server is busy. Try again in a moment."));
  if (g_str_equal (code, "PreconditionFailed"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_PRECONDITION_FAILED,
                        _("The file “%s” already exists."), describe_key (call));
  if (g_str_equal (code, "BucketAlreadyExists") || g_str_equal (code, "BucketAlreadyOwnedByYou"))
    return g_error_new (PG_S3_ERROR, PG_S3_ERROR_BUCKET_EXISTS,
                        _("The bucket “%s” already exists."), call->bucket ? call->bucket : "");
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

/* Exponential backoff with jitter: base × 2^(attempt-1), plus up to half of that again. */
static void
call_schedule_retry (GTask *task)
{
  PgS3Client *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  guint delay = MIN (MAX_DELAY_MS, self->base_delay_ms << MIN (call->attempt - 1, 10));

  delay += g_random_int_range (0, delay / 2 + 1);
  g_timeout_add (delay, call_retry_cb, task);
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

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

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
      if (call->idempotent && call->attempt < self->attempts && is_retryable_network_error (error))
        {
          g_debug ("%s %s: %s; retrying", call->method, call->host, error->message);
          call_schedule_retry (g_steal_pointer (&task));
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
      g_task_return_pointer (task, g_steal_pointer (&reply), (GDestroyNotify) reply_free);
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

  if (call->idempotent && call->attempt < self->attempts
      && (is_retryable_status (reply->status)
          || g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_SLOW_DOWN)))
    {
      g_debug ("%s %s: status %u; retrying", call->method, call->host, reply->status);
      call_schedule_retry (g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

/* Requests with a body are written in two pieces, headers then body; with Nagle's algorithm
 * the body waits for the server's delayed acknowledgement of the headers (40 ms on Linux). */
static void
on_network_event (SoupMessage        *message,
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
  g_autofree char *payload_hash = NULL;

  call->attempt++;

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

  if (!pg_sigv4_request_sign (request, self->credentials, pg_endpoint_get_region (self->endpoint),
                              call->service, pg_s3_client_get_now (self), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  target = pg_sigv4_request_get_path_and_query (request);
  url = g_strconcat (location.scheme, "://", location.host, target, NULL);
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  g_clear_object (&call->message);
  call->message = soup_message_new_from_uri (call->method, uri);
  g_signal_connect (call->message, "network-event", G_CALLBACK (on_network_event), NULL);

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

  soup_session_send_and_read_async (self->session, call->message, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), call_sent_cb, task);
}

/* Sends @call (taking it); the result is a Reply with a 2xx status, or an error. */
static void
call_async (PgS3Client          *self,
            Call                *call,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, call_async);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  call_send (task);
}

static Reply *
call_finish (PgS3Client    *self,
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
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
call_boolean_async (PgS3Client          *self,
                    Call                *call,
                    gpointer             source_tag,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  call_async (self, call, cancellable, call_done_boolean_cb, task);
}

static gboolean
boolean_finish (PgS3Client    *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static PgXmlNode *
reply_xml (Reply   *reply,
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

/* ---- ListObjectsV2 --------------------------------------------------------------------- */

typedef struct
{
  char        *bucket;
  char        *prefix;
  char        *delimiter;
  PgS3Listing *listing;
} ListState;

static void
list_state_free (ListState *state)
{
  g_free (state->bucket);
  g_free (state->prefix);
  g_free (state->delimiter);
  pg_s3_listing_free (state->listing);
  g_free (state);
}

static void list_page (GTask *task, const char *continuation);

static GDateTime *
parse_iso8601 (const char *text)
{
  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  ListState *state;
  const char *next;

  if (reply == NULL || !(xml = reply_xml (reply, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  state = g_task_get_task_data (task);

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
          g_ptr_array_add (state->listing->objects, object);
        }
      else if (g_str_equal (child->name, "CommonPrefixes"))
        {
          g_ptr_array_add (state->listing->prefixes,
                           g_strdup (pg_xml_child_text (child, "Prefix")));
        }
    }

  next = pg_xml_child_text (xml, "NextContinuationToken");
  if (g_strcmp0 (pg_xml_child_text (xml, "IsTruncated"), "true") == 0 && next && *next)
    {
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
  Call *call = call_new ("GET", state->bucket, NULL, TRUE);

  call_add_query (call, "list-type", "2");
  if (state->prefix != NULL)
    call_add_query (call, "prefix", state->prefix);
  if (state->delimiter != NULL)
    call_add_query (call, "delimiter", state->delimiter);
  if (continuation != NULL)
    call_add_query (call, "continuation-token", continuation);

  call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task), list_page_cb,
              task);
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
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
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
  call_async (self, call_new ("HEAD", bucket, key, TRUE), cancellable, head_object_cb, task);
}

PgS3Object *
pg_s3_client_head_object_finish (PgS3Client    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- PutObject, in one piece or in parts ------------------------------------------------ */

typedef struct
{
  char                 *bucket;
  char                 *key;
  char                 *content_type;
  GFile                *file;
  GInputStream         *stream;
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
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, NULL);
  Upload *upload = g_task_get_task_data (task);

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
  call = call_new ("DELETE", upload->bucket, upload->key, TRUE);
  call_add_query (call, "uploadId", upload->upload_id);
  call_async (self, call, NULL, upload_abort_cb, task);
}

static void
upload_single_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
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
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  Upload *upload;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      upload_fail (g_steal_pointer (&task), g_steal_pointer (&error));
      return;
    }

  /* CompleteMultipartUpload may answer 200 with an error document in the body. */
  if (reply != NULL && (xml = reply_xml (reply, NULL)) && g_str_equal (xml->name, "Error"))
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

  call = call_new ("POST", upload->bucket, upload->key, TRUE);
  call_add_query (call, "uploadId", upload->upload_id);
  call_set_body (call, body, "application/xml");
  call_async (g_task_get_source_object (task), call, g_task_get_cancellable (task),
              upload_complete_cb, task);
}

static void
upload_part_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
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
      call = call_new ("PUT", upload->bucket, upload->key, TRUE);
      call_set_body (call, part, upload->content_type);
      call->progress = upload->progress;
      call->progress_data = upload->progress_data;
      call->progress_total = upload->size;
      call_async (self, call, cancellable, upload_single_cb,
                  g_steal_pointer (&task));
      return;
    }

  {
    g_autofree char *number = g_strdup_printf ("%u", upload->part_number);

    call = call_new ("PUT", upload->bucket, upload->key, TRUE);
    call_add_query (call, "partNumber", number);
    call_add_query (call, "uploadId", upload->upload_id);
    call_set_body (call, part, NULL);
    call->progress = upload_part_progress;
    call->progress_data = upload;
    call->progress_total = read;
    call_async (self, call, cancellable, upload_part_cb,
                g_steal_pointer (&task));
  }
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
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  Upload *upload;
  const char *id;

  if (reply == NULL || !(xml = reply_xml (reply, &error)))
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

static void
upload_opened_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
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

  /* At most 10,000 parts: very large files get larger parts. */
  upload->part_size = MAX (self->multipart_threshold,
                           (guint64) (upload->size + MAX_PARTS - 1) / MAX_PARTS);
  upload->buffer = g_malloc (upload->part_size);

  {
    Call *call = call_new ("POST", upload->bucket, upload->key, FALSE);

    call_add_query (call, "uploads", "");
    if (upload->content_type != NULL)
      call_add_header (call, "Content-Type", upload->content_type);
    call_async (self, call, cancellable, upload_initiated_cb,
                g_steal_pointer (&task));
  }
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
  return boolean_finish (self, result, pg_s3_client_put_object_async, error);
}

/* ---- CopyObject, DeleteObject, CreateBucket -------------------------------------------- */

/**
 * pg_s3_client_copy_object_async:
 *
 * Copies @key to @new_key in the same bucket, on the server (CopyObject).
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
  Call *call = call_new ("PUT", bucket, new_key, TRUE);
  GString *source = g_string_new ("/");
  g_autofree char *source_text = NULL;

  pg_sigv4_uri_encode (source, bucket, FALSE);
  g_string_append_c (source, '/');
  pg_sigv4_uri_encode (source, key, TRUE);
  source_text = g_string_free (source, FALSE);
  call_add_header (call, "x-amz-copy-source", source_text);
  call_boolean_async (self, call, pg_s3_client_copy_object_async, cancellable, callback,
                      user_data);
}

gboolean
pg_s3_client_copy_object_finish (PgS3Client    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return boolean_finish (self, result, pg_s3_client_copy_object_async, error);
}

void
pg_s3_client_delete_object_async (PgS3Client          *self,
                                  const char          *bucket,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  call_boolean_async (self, call_new ("DELETE", bucket, key, TRUE),
                      pg_s3_client_delete_object_async, cancellable, callback, user_data);
}

gboolean
pg_s3_client_delete_object_finish (PgS3Client    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return boolean_finish (self, result, pg_s3_client_delete_object_async, error);
}

void
pg_s3_client_create_bucket_async (PgS3Client          *self,
                                  const char          *bucket,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Call *call = call_new ("PUT", bucket, NULL, FALSE);
  const char *region = pg_endpoint_get_region (self->endpoint);

  /* Outside us-east-1, AWS wants the region spelt out. */
  if (pg_endpoint_is_aws (self->endpoint) && !g_str_equal (region, "us-east-1"))
    {
      g_autofree char *xml = g_strdup_printf ("<CreateBucketConfiguration><LocationConstraint>%s"
                                              "</LocationConstraint></CreateBucketConfiguration>",
                                              region);
      g_autoptr(GBytes) body = g_bytes_new_take (g_steal_pointer (&xml), strlen (xml));

      call_set_body (call, body, "application/xml");
    }

  call_boolean_async (self, call, pg_s3_client_create_bucket_async, cancellable, callback,
                      user_data);
}

gboolean
pg_s3_client_create_bucket_finish (PgS3Client    *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return boolean_finish (self, result, pg_s3_client_create_bucket_async, error);
}

/* ---- Bucket policy --------------------------------------------------------------------- */

static void
get_policy_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
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

void
pg_s3_client_get_bucket_policy_async (PgS3Client          *self,
                                      const char          *bucket,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = call_new ("GET", bucket, NULL, TRUE);

  g_task_set_source_tag (task, pg_s3_client_get_bucket_policy_async);
  call_add_query (call, "policy", "");
  call_async (self, call, cancellable, get_policy_cb, task);
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
  g_autoptr(GError) local_error = NULL;
  char *text;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  text = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  *policy = text;

  return TRUE;
}

void
pg_s3_client_put_bucket_policy_async (PgS3Client          *self,
                                      const char          *bucket,
                                      const char          *policy,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  Call *call = call_new ("PUT", bucket, NULL, TRUE);
  g_autoptr(GBytes) body = g_bytes_new (policy, strlen (policy));

  call_add_query (call, "policy", "");
  call_set_body (call, body, "application/json");
  call_boolean_async (self, call, pg_s3_client_put_bucket_policy_async, cancellable, callback,
                      user_data);
}

gboolean
pg_s3_client_put_bucket_policy_finish (PgS3Client    *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  return boolean_finish (self, result, pg_s3_client_put_bucket_policy_async, error);
}

void
pg_s3_client_delete_bucket_policy_async (PgS3Client          *self,
                                         const char          *bucket,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  Call *call = call_new ("DELETE", bucket, NULL, TRUE);

  call_add_query (call, "policy", "");
  call_boolean_async (self, call, pg_s3_client_delete_bucket_policy_async, cancellable, callback,
                      user_data);
}

gboolean
pg_s3_client_delete_bucket_policy_finish (PgS3Client    *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return boolean_finish (self, result, pg_s3_client_delete_bucket_policy_async, error);
}

/* ---- STS GetCallerIdentity ------------------------------------------------------------- */

static void
caller_identity_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  const char *arn;

  if (reply == NULL || !(xml = reply_xml (reply, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  arn = pg_xml_child_text (pg_xml_child (xml, "GetCallerIdentityResult"), "Arn");
  if (arn == NULL || !g_str_has_prefix (arn, "arn:"))
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED,
                               _("This server cannot tell who the key belongs to."));
      return;
    }

  g_task_return_pointer (task, g_strdup (arn), g_free);
}

/**
 * pg_s3_client_get_caller_identity_async:
 *
 * Asks STS whose key this client uses (GetCallerIdentity); the answer is the principal's ARN,
 * which bucket policies name.
 */
void
pg_s3_client_get_caller_identity_async (PgS3Client          *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = call_new ("POST", NULL, NULL, TRUE);
  static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15";
  g_autoptr(GBytes) body = g_bytes_new_static (form, sizeof form - 1);

  g_task_set_source_tag (task, pg_s3_client_get_caller_identity_async);
  g_free (call->service);
  call->service = g_strdup ("sts");
  call_set_body (call, body, "application/x-www-form-urlencoded; charset=utf-8");
  call_async (self, call, cancellable, caller_identity_cb, task);
}

char *
pg_s3_client_get_caller_identity_finish (PgS3Client    *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Plain URLs ------------------------------------------------------------------------ */

static void
fetch_url_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);
  SoupMessage *message;

  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NETWORK,
                                 _("Cannot reach the server: %s"), error->message);
      return;
    }

  message = g_task_get_task_data (task);
  g_task_return_int (task, soup_message_get_status (message));
}

/**
 * pg_s3_client_fetch_url_async:
 * @url: a complete URL, typically presigned
 * @headers: (nullable): alternating names and values, %NULL-terminated
 * @body: (nullable): the request body
 *
 * Sends one unsigned request, as a link's recipient would, and reports the HTTP status.
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
  SoupMessage *message = soup_message_new (method, url);

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

  g_signal_connect (message, "network-event", G_CALLBACK (on_network_event), NULL);
  g_task_set_task_data (task, message, g_object_unref);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, cancellable,
                                    fetch_url_cb, task);
}

guint
pg_s3_client_fetch_url_finish (PgS3Client    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  return (guint) g_task_propagate_int (G_TASK (result), error);
}
