/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-s3-client"

#include "config.h"

#include <libsoup/soup.h>
#include <string.h>

#include "pg-s3-client.h"
#include "test-async.h"

/* The S3 client against an in-process SoupServer that plays a misbehaving S3: retries, clock
 * skew, error answers, silence, cancellation, pagination and STS. (The real signature checks
 * are the integration tests' job, against Ceph RGW.) */

typedef enum {
  MODE_OK,
  MODE_FLAKY,
  MODE_BROKEN,
  MODE_SKEWED,
  MODE_ALWAYS_SKEWED,
  MODE_ERROR,
  MODE_SILENT,
  MODE_PAGES,
  MODE_STS,
} Mode;

typedef struct
{
  SoupServer *server;
  char       *url;
  Mode        mode;
  guint       requests;
  guint       status;
  const char *code;
  gint64      server_offset;
  GPtrArray  *paused;
  char       *last_query;
  char       *last_body;
  char       *last_authorization;
} Fixture;

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *body,
         gint64             server_offset)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC
                                                            + server_offset);
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);

  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Date", date);
  soup_server_message_set_status (message, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_COPY, body,
                                      strlen (body));
}

static char *
error_xml (const char *code)
{
  return g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                          "<Message>%s happened</Message></Error>", code, code);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  g_autofree char *xml = NULL;

  fixture->requests++;
  g_free (fixture->last_query);
  fixture->last_query = g_strdup (g_uri_get_query (soup_server_message_get_uri (message)));
  g_free (fixture->last_body);
  fixture->last_body = g_strndup (request_body->data, request_body->length);
  g_free (fixture->last_authorization);
  fixture->last_authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));

  switch (fixture->mode)
    {
    case MODE_OK:
      respond (message, 200, "{\"Statement\":[]}", 0);
      break;

    case MODE_FLAKY:
      if (fixture->requests <= 2)
        {
          xml = error_xml ("SlowDown");
          respond (message, 503, xml, 0);
        }
      else
        {
          respond (message, 200, "{\"Version\":\"2012-10-17\",\"Statement\":[]}", 0);
        }
      break;

    case MODE_BROKEN:
      xml = error_xml ("InternalError");
      respond (message, 500, xml, 0);
      break;

    case MODE_SKEWED:
    case MODE_ALWAYS_SKEWED:
      {
        const char *amz_date = soup_message_headers_get_one (headers, "X-Amz-Date");
        g_autoptr(GDateTime) signed_at = NULL;
        gint64 server_now = g_get_real_time () / G_USEC_PER_SEC + fixture->server_offset;
        g_autofree char *iso = NULL;

        g_assert_nonnull (amz_date);
        iso = g_strdup_printf ("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", amz_date, amz_date + 4,
                               amz_date + 6, amz_date + 9, amz_date + 11, amz_date + 13);
        signed_at = g_date_time_new_from_iso8601 (iso, NULL);
        if (fixture->mode == MODE_ALWAYS_SKEWED
            || ABS (g_date_time_to_unix (signed_at) - server_now) > 900)
          {
            xml = error_xml ("RequestTimeTooSkewed");
            respond (message, 403, xml, fixture->server_offset);
          }
        else
          {
            respond (message, 200, "{\"Statement\":[]}", fixture->server_offset);
          }
      }
      break;

    case MODE_ERROR:
      xml = fixture->code ? error_xml (fixture->code) : NULL;
      respond (message, fixture->status, xml, 0);
      break;

    case MODE_SILENT:
      soup_server_message_pause (message);
      g_ptr_array_add (fixture->paused, g_object_ref (message));
      break;

    case MODE_PAGES:
      if (g_hash_table_lookup (query, "continuation-token") == NULL)
        respond (message, 200,
                 "<ListBucketResult><IsTruncated>true</IsTruncated>"
                 "<NextContinuationToken>page+2/=</NextContinuationToken>"
                 "<Contents><Key>a &amp; b.txt</Key><Size>5</Size>"
                 "<LastModified>2026-11-28T10:00:00.000Z</LastModified><ETag>\"x\"</ETag></Contents>"
                 "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"
                 "</ListBucketResult>", 0);
      else
        {
          g_assert_cmpstr (g_hash_table_lookup (query, "continuation-token"), ==, "page+2/=");
          respond (message, 200,
                   "<ListBucketResult><IsTruncated>false</IsTruncated>"
                   "<Contents><Key>日本語.txt</Key><Size>12345678901</Size></Contents>"
                   "</ListBucketResult>", 0);
        }
      break;

    case MODE_STS:
      /* The example answer of the STS API reference. */
      respond (message, 200,
               "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
               "  <GetCallerIdentityResult>\n"
               "    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
               "    <UserId>AKIAI44QH8DHBEXAMPLE</UserId>\n"
               "    <Account>123456789012</Account>\n"
               "  </GetCallerIdentityResult>\n"
               "  <ResponseMetadata>\n"
               "    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>\n"
               "  </ResponseMetadata>\n"
               "</GetCallerIdentityResponse>", 0);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, server_cb, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  fixture->paused = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* Let paused messages go before the server does. */
  for (guint i = 0; i < fixture->paused->len; i++)
    {
      soup_server_message_set_status (g_ptr_array_index (fixture->paused, i), 500, NULL);
      soup_server_message_unpause (g_ptr_array_index (fixture->paused, i));
    }
  g_ptr_array_unref (fixture->paused);
  /* Let the server see the client's connections close, so it lets go of them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (fixture->server);
  g_assert_finalize_object (fixture->server);
  g_free (fixture->url);
  g_free (fixture->last_query);
  g_free (fixture->last_body);
  g_free (fixture->last_authorization);
}

static PgS3Client *
client_for (const char  *url,
            SoupSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (url, "us-east-1", TRUE, &error);
  g_autoptr(PgCredentials) credentials = pg_credentials_new ("AKIDEXAMPLE", "secret", NULL,
                                                             NULL, &error);
  PgS3Client *client;

  g_assert_no_error (error);
  client = pg_s3_client_new (endpoint, credentials, session);
  pg_s3_client_set_retries (client, 4, 1);

  return client;
}

static gboolean
get_policy (PgS3Client  *client,
            char       **policy,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_s3_client_get_bucket_policy_async (client, "demo", NULL, test_store_result, &result);

  return pg_s3_client_get_bucket_policy_finish (client, test_wait_for (&result), policy, error);
}

static void
test_retry_on_slow_down (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;

  fixture->mode = MODE_FLAKY;
  g_assert_true (get_policy (client, &policy, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (policy, ==, "{\"Version\":\"2012-10-17\",\"Statement\":[]}");
  g_assert_cmpuint (fixture->requests, ==, 3);
  g_assert_cmpstr (fixture->last_query, ==, "policy=");
}

static void
test_gives_up (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *policy = NULL;

  fixture->mode = MODE_BROKEN;
  g_assert_false (get_policy (client, &policy, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "500"));
  g_assert_cmpuint (fixture->requests, ==, 4);
  g_clear_error (&error);

  /* Creating a bucket is not repeated blindly. */
  fixture->requests = 0;
  pg_s3_client_create_bucket_async (client, "demo", NULL, test_store_result, &result);
  g_assert_false (pg_s3_client_create_bucket_finish (client, test_wait_for (&result), &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_SERVER);
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static void
test_clock_skew (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;

  /* The server is an hour ahead: the first request is refused, the second one, signed with
   * the measured offset, goes through. */
  fixture->mode = MODE_SKEWED;
  fixture->server_offset = 3600;
  g_assert_true (get_policy (client, &policy, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 2);
  g_assert_cmpint (ABS (pg_s3_client_get_clock_offset (client) - 3600), <=, 2);

  /* Later requests use the offset straight away. */
  fixture->requests = 0;
  g_clear_pointer (&policy, g_free);
  g_assert_true (get_policy (client, &policy, &error));
  g_assert_cmpuint (fixture->requests, ==, 1);

  /* A server that refuses anyway gets a sentence with the size of the difference. */
  fixture->mode = MODE_ALWAYS_SKEWED;
  fixture->server_offset = -7200;
  g_assert_false (get_policy (client, &policy, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_CLOCK_SKEWED);
  g_assert_nonnull (strstr (error->message, "120 minutes"));
}

static void
test_error_answers (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct {
    guint       status;
    const char *code;
    PgS3Error   error;
    const char *words;
  } cases[] = {
    { 403, "AccessDenied", PG_S3_ERROR_ACCESS_DENIED, "Access denied" },
    { 404, "NoSuchBucket", PG_S3_ERROR_NO_SUCH_BUCKET, "does not exist" },
    { 403, "SignatureDoesNotMatch", PG_S3_ERROR_SIGNATURE_MISMATCH, "secret key does not match" },
    { 403, "InvalidAccessKeyId", PG_S3_ERROR_INVALID_ACCESS_KEY, "AKIDEXAMPLE" },
    { 400, "ExpiredToken", PG_S3_ERROR_EXPIRED_TOKEN, "expired" },
    { 400, "MalformedPolicy", PG_S3_ERROR_MALFORMED_POLICY, "MalformedPolicy happened" },
    { 409, "BucketAlreadyOwnedByYou", PG_S3_ERROR_BUCKET_EXISTS, "already exists" },
    { 501, "NotImplemented", PG_S3_ERROR_NOT_SUPPORTED, "does not support" },
    { 400, "WeirdNewError", PG_S3_ERROR_FAILED, "WeirdNewError" },
  };
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);

  fixture->mode = MODE_ERROR;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *policy = NULL;

      fixture->status = cases[i].status;
      fixture->code = cases[i].code;
      g_assert_false (get_policy (client, &policy, &error));
      g_assert_error (error, PG_S3_ERROR, (gint) cases[i].error);
      g_assert_nonnull (strstr (error->message, cases[i].words));
    }

  /* No policy is not an error. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *policy = NULL;

    fixture->status = 404;
    fixture->code = "NoSuchBucketPolicy";
    g_assert_true (get_policy (client, &policy, &error));
    g_assert_no_error (error);
    g_assert_null (policy);
  }

  /* HEAD answers have no body: the status says it. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(PgS3Object) object = NULL;

    fixture->status = 404;
    fixture->code = NULL;
    pg_s3_client_head_object_async (client, "demo", "gone.txt", NULL, test_store_result, &result);
    object = pg_s3_client_head_object_finish (client, test_wait_for (&result), &error);
    g_assert_null (object);
    g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY);
    g_assert_nonnull (strstr (error->message, "gone.txt"));
  }
}

static void
test_unreachable (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *policy = NULL;
  gint64 started = g_get_monotonic_time ();

  /* A port that was free a moment ago and has nobody listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  address = g_inet_socket_address_new (loopback, 0);
  g_socket_bind (socket, address, FALSE, NULL);
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  client = client_for (url, NULL);
  g_assert_false (get_policy (client, &policy, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "Cannot reach"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
}

static void
test_silent_server_times_out (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(PgS3Client) client = client_for (fixture->url, session);
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;

  fixture->mode = MODE_SILENT;
  pg_s3_client_set_retries (client, 2, 1);
  g_assert_false (get_policy (client, &policy, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "did not answer in time"));
  g_assert_cmpuint (fixture->requests, ==, 2);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;

  fixture->mode = MODE_SILENT;
  pg_s3_client_get_bucket_policy_async (client, "demo", cancellable, test_store_result, &result);
  g_timeout_add (50, cancel_cb, cancellable);
  g_assert_false (pg_s3_client_get_bucket_policy_finish (client, test_wait_for (&result), &policy,
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_list_pages (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = NULL;
  PgS3Object *first;
  PgS3Object *second;

  fixture->mode = MODE_PAGES;
  pg_s3_client_list_objects_async (client, "demo", "", "/", NULL, test_store_result, &result);
  listing = pg_s3_client_list_objects_finish (client, test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 2);
  g_assert_cmpuint (listing->objects->len, ==, 2);
  g_assert_cmpuint (listing->prefixes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (listing->prefixes, 0), ==, "dir/");
  first = g_ptr_array_index (listing->objects, 0);
  second = g_ptr_array_index (listing->objects, 1);
  g_assert_cmpstr (first->key, ==, "a & b.txt");
  g_assert_cmpuint (first->size, ==, 5);
  g_assert_nonnull (first->last_modified);
  g_assert_cmpint (g_date_time_to_unix (first->last_modified), ==, 1795860000);
  g_assert_cmpstr (second->key, ==, "日本語.txt");
  g_assert_cmpuint (second->size, ==, G_GUINT64_CONSTANT (12345678901));
}

static void
test_caller_identity (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = NULL;

  fixture->mode = MODE_STS;
  pg_s3_client_get_caller_identity_async (client, NULL, test_store_result, &result);
  arn = pg_s3_client_get_caller_identity_finish (client, test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arn, ==, "arn:aws:iam::123456789012:user/Alice");
  g_assert_cmpstr (fixture->last_body, ==, "Action=GetCallerIdentity&Version=2011-06-15");
  g_assert_nonnull (strstr (fixture->last_authorization, "/us-east-1/sts/aws4_request"));
}

static void
record_progress (goffset  current,
                 goffset  total,
                 gpointer user_data)
{
  GArray *seen = user_data;

  g_assert_cmpint (total, ==, 300000);
  if (seen->len > 0)
    g_assert_cmpint (current, >=, g_array_index (seen, goffset, seen->len - 1));
  g_array_append_val (seen, current);
}

static void
test_upload_progress (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PgS3Client) client = client_for (fixture->url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (goffset));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileIOStream) stream = NULL;
  g_autofree char *content = g_malloc (300000);

  memset (content, 'x', 300000);
  file = g_file_new_tmp ("test-s3-client-XXXXXX", &stream, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)), content,
                             300000, NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);

  fixture->mode = MODE_OK;
  pg_s3_client_put_object_async (client, "demo", "big.bin", file, "application/octet-stream",
                                 record_progress, seen, NULL, test_store_result, &result);
  g_assert_true (pg_s3_client_put_object_finish (client, test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (fixture->last_body), ==, 300000);
  g_assert_cmpuint (seen->len, >=, 2);
  g_assert_cmpint (g_array_index (seen, goffset, 0), ==, 0);
  g_assert_cmpint (g_array_index (seen, goffset, seen->len - 1), ==, 300000);
  g_file_delete (file, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/pg/s3-client/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("retry-on-slow-down", test_retry_on_slow_down);
  ADD ("gives-up", test_gives_up);
  ADD ("clock-skew", test_clock_skew);
  ADD ("error-answers", test_error_answers);
  ADD ("silent-server-times-out", test_silent_server_times_out);
  ADD ("cancel", test_cancel);
  ADD ("list-pages", test_list_pages);
  ADD ("caller-identity", test_caller_identity);
  ADD ("upload-progress", test_upload_progress);
  g_test_add_func ("/pg/s3-client/unreachable", test_unreachable);

#undef ADD

  return g_test_run ();
}
