/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-watch-listener"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pg-link-service.h"
#include "pg-use-sources.h"
#include "pg-watcher.h"
#include "s3-fake.h"
#include "test-async.h"

/* The notifications listener of the watcher (watch --notifications) against whoever can reach
 * it: more idle connections than the process has file descriptors for, requests that never
 * end, a notification too big, a flood of notifications of a file that is not there. Each time
 * a real notification must still get in, and S3 be asked about a file a bounded number of
 * times. The watcher and the in-process S3 of s3-fake.c run in this thread's main loop; the
 * other side of the listener, plain blocking sockets, in a thread of its own. */

#define BUCKET      "notified"
#define SIGNER_KEY  "SIGNERKEY"
#define SIGNER_ARN  "arn:aws:iam:::user/owner:presign"
#define IDLE_CONNECTIONS 1100
/* However slow the machine (valgrind), no wait of this test is longer. */
#define DEADLINE_SECONDS 120

typedef struct
{
  S3Fake           *fake;
  PgEndpoint       *endpoint;
  PgS3Client       *client;
  PgAccountContext *context;
  PgLinkService    *service;
  PgWatcher        *watcher;
  PgUseSources     *sources;
  GFile            *file;
  guint16           port;
  GPtrArray        *used;     /* ids of the links whose use was seen */
} Fixture;

static void
link_used_cb (PgWatcher    *watcher,
              PgLinkRecord *record,
              PgUseEvent   *event,
              Fixture      *fixture)
{
  g_ptr_array_add (fixture->used, g_strdup (record->id));
}

/* An armed upload link's record, as the workstation that signed it wrote it. */
static void
put_armed_upload (Fixture    *fixture,
                  const char *id,
                  const char *key)
{
  g_autoptr(PgLinkRecord) record = pg_link_record_new ();
  g_autofree char *json = NULL;
  g_autofree char *record_key = pg_link_record_object_key (id);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  record->id = g_strdup (id);
  record->bucket = g_strdup (BUCKET);
  record->key = g_strdup (key);
  record->action = g_strdup ("s3:PutObject");
  record->precision = PG_LINK_PRECISION_OBJECT;
  record->access_key_id = g_strdup (SIGNER_KEY);
  record->created = now;
  record->expires = now + 3600;
  record->arming = PG_LINK_ARMING_UPLOAD;
  json = pg_link_record_to_json (record);
  s3_fake_put_object (fixture->fake, record_key, json);
}

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager = pg_credentials_new ("MANAGERKEY", "managersecret", NULL,
                                                         NULL, &error);
  g_autoptr(PgCredentials) signing = pg_credentials_new (SIGNER_KEY, "signersecret", NULL, NULL,
                                                         &error);
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-watch-listener-XXXXXX", &error);
  g_autofree char *address = NULL;

  g_assert_no_error (error);
  fixture->fake = s3_fake_new (BUCKET, SIGNER_KEY, SIGNER_ARN);
  put_armed_upload (fixture, "real", "in/real.pdf");
  put_armed_upload (fixture, "forged", "in/forged.pdf");
  fixture->endpoint = pg_endpoint_new (fixture->fake->url, "us-east-1", TRUE, &error);
  g_assert_no_error (error);
  fixture->client = pg_s3_client_new (fixture->endpoint, manager, NULL);
  pg_s3_client_set_retries (fixture->client, 1, 0);
  signer = pg_s3_client_new (fixture->endpoint, signing, NULL);
  pg_s3_client_set_retries (signer, 1, 0);
  fixture->context = pg_account_context_new ("account", BUCKET, fixture->client, signer,
                                             SIGNER_ARN);
  pg_account_context_set_verify_timeout (fixture->context, 1);
  fixture->file = g_file_new_build_filename (dir, "links.json", NULL);
  fixture->service = pg_link_service_new (fixture->file);
  fixture->used = g_ptr_array_new_with_free_func (g_free);

  fixture->watcher = pg_watcher_new (fixture->service, fixture->context);
  g_signal_connect (fixture->watcher, "link-used", G_CALLBACK (link_used_cb), fixture);
  pg_watcher_load_async (fixture->watcher, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (pg_watcher_load_finish (fixture->watcher, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pg_watcher_get_n_armed (fixture->watcher), ==, 2);

  fixture->sources = pg_use_sources_new (fixture->watcher);
  fixture->port = free_port ();
  address = g_strdup_printf ("127.0.0.1:%u", fixture->port);
  g_assert_true (pg_use_sources_add_listener (fixture->sources, address, &error));
  g_assert_no_error (error);
  pg_use_sources_start (fixture->sources);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_get_parent (fixture->file);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pg_use_sources_stop_async (fixture->sources, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (pg_use_sources_stop_finish (fixture->sources, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  while (!pg_watcher_is_idle (fixture->watcher) || pg_link_service_get_busy (fixture->service))
    g_main_context_iteration (NULL, TRUE);

  g_assert_finalize_object (fixture->sources);
  g_signal_handlers_disconnect_by_data (fixture->watcher, fixture);
  g_assert_finalize_object (fixture->watcher);
  g_assert_finalize_object (fixture->service);
  g_assert_finalize_object (fixture->context);
  g_assert_finalize_object (fixture->client);
  pg_endpoint_unref (fixture->endpoint);
  s3_fake_free (fixture->fake);
  g_ptr_array_unref (fixture->used);
  g_file_delete (fixture->file, NULL, NULL);
  g_file_delete (dir, NULL, NULL);
  g_object_unref (fixture->file);
}

/* ---- The other side: plain sockets, in a thread ------------------------------------------ */

typedef void (*ClientFunc) (Fixture *fixture, gpointer data);

typedef struct
{
  Fixture   *fixture;
  ClientFunc func;
  gpointer   data;
  gboolean   done;
} Client;

static gboolean
client_done_cb (gpointer user_data)
{
  ((Client *) user_data)->done = TRUE;

  return G_SOURCE_REMOVE;
}

static gpointer
client_thread (gpointer user_data)
{
  Client *client = user_data;

  client->func (client->fixture, client->data);
  g_main_context_invoke (NULL, client_done_cb, client);

  return NULL;
}

/* Runs @func in a thread while this one serves the listener and the S3, for a bounded time. */
static void
run_client (Fixture    *fixture,
            ClientFunc  func,
            gpointer    data)
{
  Client client = { fixture, func, data, FALSE };
  GThread *thread = g_thread_new ("client", client_thread, &client);
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;

  while (!client.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_thread_join (thread);
}

/* Iterates the main loop until @condition holds, for a bounded time. */
#define WAIT_UNTIL(condition) \
  G_STMT_START { \
    gint64 wait_deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC; \
    while (!(condition)) \
      { \
        g_assert_cmpint (g_get_monotonic_time (), <, wait_deadline); \
        g_main_context_iteration (NULL, FALSE); \
        g_usleep (1000); \
      } \
  } G_STMT_END

static int
connect_to (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port),
                                 .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  struct timeval timeout = { .tv_sec = 30 };
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &address, sizeof address), ==, 0);

  return fd;
}

static void
send_all (int         fd,
          const char *data,
          gsize       length)
{
  while (length > 0)
    {
      ssize_t sent = send (fd, data, length, MSG_NOSIGNAL);

      /* The other side may refuse the rest once it has answered. */
      if (sent <= 0)
        return;
      data += sent;
      length -= (gsize) sent;
    }
}

/* POSTs @body on a connection of its own; returns the answer's status (0: none). */
static guint
post (guint16     port,
      const char *body,
      gsize       length)
{
  g_autofree char *head = g_strdup_printf ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
                                           length);
  char answer[256] = { 0 };
  guint status = 0;
  int fd = connect_to (port);

  send_all (fd, head, strlen (head));
  send_all (fd, body, length);
  if (recv (fd, answer, sizeof answer - 1, 0) > 0)
    sscanf (answer, "HTTP/1.%*d %u", &status);
  close (fd);

  return status;
}

static char *
notification_of (const char *key,
                 const char *sequencer)
{
  return g_strdup_printf ("{\"Records\":[{\"eventVersion\":\"2.2\",\"eventSource\":\"ceph:s3\","
                          "\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\""
                          BUCKET "\"},\"object\":{\"key\":\"%s\",\"sequencer\":\"%s\"}}}]}",
                          key, sequencer);
}

/* Whether the other side has closed @fd (read to its end, or reset). */
static gboolean
closed_by_peer (int fd)
{
  struct pollfd poll_fd = { .fd = fd, .events = POLLIN };
  char byte;

  if (poll (&poll_fd, 1, 0) <= 0)
    return FALSE;

  return recv (fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

/* ---- More idle connections than descriptors --------------------------------------------- */

typedef struct
{
  int      fds[IDLE_CONNECTIONS];
  gint64   opened;      /* how long opening them all took */
  guint    closed;      /* how many the listener had closed by then */
  gboolean oldest_closed;
  gboolean newest_open;
  guint    status;      /* the real notification's answer */
} IdleFlood;

static void
idle_flood (Fixture *fixture,
            gpointer data)
{
  IdleFlood *flood = data;
  g_autofree char *real = notification_of ("in/real.pdf", "A1");
  gint64 started = g_get_monotonic_time ();

  for (guint i = 0; i < IDLE_CONNECTIONS; i++)
    flood->fds[i] = connect_to (fixture->port);
  /* Give the listener a moment to accept the last ones. */
  g_usleep (G_USEC_PER_SEC / 2);
  flood->opened = g_get_monotonic_time () - started;
  for (guint i = 0; i < IDLE_CONNECTIONS; i++)
    flood->closed += closed_by_peer (flood->fds[i]);
  flood->oldest_closed = closed_by_peer (flood->fds[0]) || flood->closed > 0;
  flood->newest_open = !closed_by_peer (flood->fds[IDLE_CONNECTIONS - 1]);

  /* A notification, while they are all still open. */
  flood->status = post (fixture->port, real, strlen (real));
}

/* Many more idle connections than the listener keeps, and than the process has descriptors
 * for: the oldest are closed, and a real notification gets in. (Without the bound, the
 * descriptors run out and nothing more is accepted.) */
static void
test_idle_flood (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree IdleFlood *flood = g_new0 (IdleFlood, 1);
  struct rlimit limit;
  rlim_t wanted = IDLE_CONNECTIONS + PG_LISTENER_MAX_CONNECTIONS + 200;

  /* Room for this side's connections and the listener's bound, not for the listener's side of
   * every connection. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted)
    {
      g_test_skip ("too few file descriptors allowed (RLIMIT_NOFILE)");
      return;
    }
  limit.rlim_cur = wanted;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);

  s3_fake_put_object (fixture->fake, "in/real.pdf", "%PDF uploaded");
  run_client (fixture, idle_flood, flood);

  g_assert_cmpuint (flood->status, ==, 200);
  WAIT_UNTIL (fixture->used->len > 0);
  g_assert_cmpstr (g_ptr_array_index (fixture->used, 0), ==, "real");

  /* The listener kept its bound: the oldest went first, the newest stayed. (Told apart from
   * the idle timeout only when opening them was quicker than it.) */
  g_test_message ("%u of %u idle connections closed, opened in %.1f s", flood->closed,
                  IDLE_CONNECTIONS, flood->opened / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (flood->closed, >=, IDLE_CONNECTIONS - PG_LISTENER_MAX_CONNECTIONS);
  g_assert_true (flood->oldest_closed);
  if (flood->opened < (PG_LISTENER_IDLE_SECONDS - 1) * G_USEC_PER_SEC)
    g_assert_true (flood->newest_open);

  for (guint i = 0; i < IDLE_CONNECTIONS; i++)
    close (flood->fds[i]);
}

/* ---- Forged notifications: S3 asked a bounded number of times ------------------------------ */

typedef struct
{
  guint too_big;     /* the answer to a notification too big */
  guint many;        /* … to one naming the file many times */
  guint flood;       /* how many of the flood were answered 200 */
  gint64 took;
} Forged;

static void
forged_flood (Fixture *fixture,
              gpointer data)
{
  Forged *forged = data;
  g_autofree char *huge = g_strnfill (1024 * 1024, ' ');
  g_autoptr(GString) many = g_string_new ("{\"Records\":[");
  g_autofree char *one = notification_of ("in/forged.pdf", "F0");
  gint64 started = g_get_monotonic_time ();

  /* A megabyte: refused from its headers. */
  forged->too_big = post (fixture->port, huge, 1024 * 1024);

  /* As many records of the same file, each of another sequencer, as fit. */
  for (guint i = 0; many->len < PG_LISTENER_MAX_BODY - 400; i++)
    g_string_append_printf (many, "%s{\"eventSource\":\"ceph:s3\",\"eventName\":"
                            "\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"" BUCKET "\"},"
                            "\"object\":{\"key\":\"in/forged.pdf\",\"sequencer\":\"%u\"}}}",
                            i == 0 ? "" : ",", i);
  g_string_append (many, "]}");
  forged->many = post (fixture->port, many->str, many->len);

  /* The same notification, over and over. */
  for (guint i = 0; i < 300; i++)
    forged->flood += post (fixture->port, one, strlen (one)) == 200;
  forged->took = g_get_monotonic_time () - started;
}

typedef struct
{
  guint status;
} Real;

static void
real_notification (Fixture *fixture,
                   gpointer data)
{
  g_autofree char *real = notification_of ("in/forged.pdf", "F1");

  ((Real *) data)->status = post (fixture->port, real, strlen (real));
}

/* A notification too big, one naming a file that is not there a thousand times, the same one
 * three hundred times: S3 is asked about the file once every PG_LISTENER_CHECK_SECONDS at most.
 * Once the file is really there, its notification is believed within that time. */
static void
test_forged_flood (Fixture       *fixture,
                   gconstpointer  data)
{
  Forged forged = { 0 };
  Real real = { 0 };
  guint heads = fixture->fake->heads;
  guint bound;
  gint64 started = g_get_monotonic_time ();

  run_client (fixture, forged_flood, &forged);
  /* Whatever was held back is asked about in its time. */
  WAIT_UNTIL (g_get_monotonic_time () - started
              >= forged.took + (PG_LISTENER_CHECK_SECONDS + 1) * G_USEC_PER_SEC);
  while (!pg_watcher_is_settled (fixture->watcher))
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (forged.too_big, ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
  g_assert_cmpuint (forged.many, ==, 200);
  g_assert_cmpuint (forged.flood, ==, 300);
  bound = (guint) ((g_get_monotonic_time () - started)
                   / (PG_LISTENER_CHECK_SECONDS * G_USEC_PER_SEC)) + 2;
  g_test_message ("%u requests to S3 for %u notifications in %.1f s", fixture->fake->heads - heads,
                  302, (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->fake->heads - heads, >=, 1);
  g_assert_cmpuint (fixture->fake->heads - heads, <=, bound);
  g_assert_cmpuint (fixture->used->len, ==, 0);

  /* Now it is there: told once more, believed. */
  s3_fake_put_object (fixture->fake, "in/forged.pdf", "%PDF at last");
  started = g_get_monotonic_time ();
  run_client (fixture, real_notification, &real);
  g_assert_cmpuint (real.status, ==, 200);
  WAIT_UNTIL (fixture->used->len > 0);
  g_assert_cmpstr (g_ptr_array_index (fixture->used, 0), ==, "forged");
  g_assert_cmpint (g_get_monotonic_time () - started, <=,
                   (PG_LISTENER_CHECK_SECONDS + 5) * G_USEC_PER_SEC);
}

/* ---- Requests that never end --------------------------------------------------------------- */

typedef struct
{
  gint64 idle;        /* when each was closed, from its connection (0: never) */
  gint64 headers;
  gint64 body;
} Slow;

static void
slow_requests (Fixture *fixture,
               gpointer data)
{
  Slow *slow = data;
  static const char head[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n";
  int idle = connect_to (fixture->port);
  int headers = connect_to (fixture->port);
  int body = connect_to (fixture->port);
  gint64 started = g_get_monotonic_time ();
  gint64 limit = started + (PG_LISTENER_REQUEST_SECONDS + 8) * G_USEC_PER_SEC;

  send_all (headers, "POST / HTTP/1.1\r\n", 17);
  send_all (body, head, strlen (head));
  /* A byte of each every second: never silent for long, never whole. */
  while (g_get_monotonic_time () < limit && (!slow->idle || !slow->headers || !slow->body))
    {
      gint64 now = g_get_monotonic_time ();

      if (!slow->idle && closed_by_peer (idle))
        slow->idle = now - started;
      if (!slow->headers && closed_by_peer (headers))
        slow->headers = now - started;
      if (!slow->body && closed_by_peer (body))
        slow->body = now - started;
      if ((now - started) % G_USEC_PER_SEC < 100000)
        {
          send_all (headers, "X", 1);
          send_all (body, "{", 1);
        }
      g_usleep (100000);
    }
  close (idle);
  close (headers);
  close (body);
}

/* A connection that says nothing is closed after PG_LISTENER_IDLE_SECONDS; one whose headers,
 * or body, trickle in without end after PG_LISTENER_REQUEST_SECONDS. */
static void
test_slow_requests (Fixture       *fixture,
                    gconstpointer  data)
{
  Slow slow = { 0 };

  run_client (fixture, slow_requests, &slow);
  g_test_message ("closed after %.1f s (idle), %.1f s (headers), %.1f s (body)",
                  slow.idle / (double) G_USEC_PER_SEC, slow.headers / (double) G_USEC_PER_SEC,
                  slow.body / (double) G_USEC_PER_SEC);
  g_assert_cmpint (slow.idle, >=, (PG_LISTENER_IDLE_SECONDS - 1) * G_USEC_PER_SEC);
  g_assert_cmpint (slow.idle, <=, (PG_LISTENER_IDLE_SECONDS + 3) * G_USEC_PER_SEC);
  g_assert_cmpint (slow.headers, >=, (PG_LISTENER_REQUEST_SECONDS - 1) * G_USEC_PER_SEC);
  g_assert_cmpint (slow.headers, <=, (PG_LISTENER_REQUEST_SECONDS + 3) * G_USEC_PER_SEC);
  g_assert_cmpint (slow.body, >=, (PG_LISTENER_REQUEST_SECONDS - 1) * G_USEC_PER_SEC);
  g_assert_cmpint (slow.body, <=, (PG_LISTENER_REQUEST_SECONDS + 3) * G_USEC_PER_SEC);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/pg/watch-listener/idle-flood", Fixture, NULL, fixture_set_up, test_idle_flood,
              fixture_tear_down);
  g_test_add ("/pg/watch-listener/forged-flood", Fixture, NULL, fixture_set_up,
              test_forged_flood, fixture_tear_down);
  g_test_add ("/pg/watch-listener/slow-requests", Fixture, NULL, fixture_set_up,
              test_slow_requests, fixture_tear_down);

  return g_test_run ();
}
