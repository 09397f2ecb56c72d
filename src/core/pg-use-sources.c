/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-use-sources"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pg-ops-log.h"
#include "pg-use-sources.h"

/* A watcher at work: its sources read on their schedules (the ops log every second or so, the
 * queue by long polling, the armed uploads' files asked for), the armed links' records read
 * again now and then, and, for an always-on watcher, its heartbeat written. The command line's
 * watch and the app run the same one; what goes wrong on the way is said with "problem" and
 * tried again.
 *
 * Stopping lets a closing under way end and what was seen be written first (the ops log's place
 * kept, the queue's handled messages deleted): the next watcher neither misses a use nor closes
 * a link again. */

#define RELOAD_SECONDS       30
#define BEAT_SECONDS         60
#define QUEUE_WAIT_SECONDS   20
#define QUEUE_RETRY_SECONDS  5
#define STOP_SECONDS         60
/* How often the listener's connections are looked over (deadlines, closed ones let go). */
#define SWEEP_MILLISECONDS   500
/* Accepting again after the process ran out of file descriptors: a pause, not a busy loop. */
#define ACCEPT_PAUSE_MILLISECONDS 100
/* At most this many connections are accepted in one go, so that a flood of them does not keep
 * the main loop from the requests already read. */
#define ACCEPT_BATCH         64
/* At most this many files told of are remembered to limit their checks with S3; beyond it, the
 * one checked longest ago is forgotten first. */
#define MAX_CHECKS           4096

/* A connection to the listener, from its accept to its close: what it has sent so far decides
 * how long it may take, and which connection goes first when there are too many. */
typedef enum
{
  CONNECTION_WAITING,   /* nothing whole yet: the request's headers are awaited */
  CONNECTION_BODY,      /* the headers are read, the body is awaited */
  CONNECTION_READ,      /* read whole: being answered */
} ConnectionState;

typedef struct _Connection
{
  GIOStream         *stream;
  GSocket           *socket;
  SoupServerMessage *message;
  ConnectionState    state;
  gint64             since;   /* monotonic time of the accept, or of the headers */
  GList              link;    /* in PgUseSources.connections */
} Connection;

/* An arrival of a file lately checked with S3, by its bucket and key: another one waits. */
typedef struct
{
  char       *name;     /* "bucket/key" */
  gint64      due;      /* monotonic time from which it may be checked again */
  PgUseEvent *held;     /* (nullable): the latest arrival told meanwhile */
} Check;

struct _PgUseSources
{
  GObject       parent_instance;

  PgWatcher    *watcher;
  PgOpsLog     *ops_log;
  guint         ops_log_interval;
  char         *queue_url;
  guint         poll_interval;
  gboolean      heartbeat;
  SoupServer   *listener;  /* where S3 posts its notifications */
  GSocket      *listen_socket;
  GSource      *accept_source;
  guint         accept_pause;  /* source id: accepting again after running out of descriptors */
  guint         sweep;         /* source id: the connections' deadlines */
  GQueue        connections;   /* Connection, oldest first */
  Connection   *accepting;     /* the one being handed to the server */
  GHashTable   *checks;        /* "bucket/key" → Check: arrivals checked lately */
  guint         flush;         /* source id: arrivals held back, told once their time comes */
  gint64        descriptors_said; /* when running out of descriptors was last said */
  char         *description;
  gint64        started;

  GCancellable *cancellable;
  GPtrArray    *handled;   /* PgQueueMessage, deleted once what they held is written */
  GArray       *timers;    /* guint source ids */
  guint         busy;      /* reads, receives, deletions and heartbeats under way */
  gboolean      reading;
  gboolean      loading;
  gboolean      running;
  gboolean      farewell;  /* the heartbeat's last word is written */
  gboolean      place_unkept; /* the ops log's state file could not be written */
};

G_DEFINE_FINAL_TYPE (PgUseSources, pg_use_sources, G_TYPE_OBJECT)

static void stop_listening (PgUseSources *self,
                            gboolean      tell_held);
static void check_free     (Check        *check);

enum {
  PROBLEM,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
remove_timers (PgUseSources *self)
{
  for (guint i = 0; i < self->timers->len; i++)
    g_source_remove (g_array_index (self->timers, guint, i));
  g_array_set_size (self->timers, 0);
}

static void
pg_use_sources_dispose (GObject *object)
{
  PgUseSources *self = PG_USE_SOURCES (object);

  g_cancellable_cancel (self->cancellable);
  remove_timers (self);
  stop_listening (self, FALSE);
  g_clear_object (&self->listener);

  G_OBJECT_CLASS (pg_use_sources_parent_class)->dispose (object);
}

static void
pg_use_sources_finalize (GObject *object)
{
  PgUseSources *self = PG_USE_SOURCES (object);

  g_clear_object (&self->watcher);
  g_clear_pointer (&self->ops_log, pg_ops_log_free);
  g_free (self->queue_url);
  g_free (self->description);
  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->handled);
  g_array_unref (self->timers);
  g_hash_table_unref (self->checks);

  G_OBJECT_CLASS (pg_use_sources_parent_class)->finalize (object);
}

static void
pg_use_sources_class_init (PgUseSourcesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pg_use_sources_dispose;
  object_class->finalize = pg_use_sources_finalize;

  /**
   * PgUseSources::problem:
   * @message: what went wrong, in words (it is tried again)
   */
  signals [PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pg_use_sources_init (PgUseSources *self)
{
  self->cancellable = g_cancellable_new ();
  self->handled = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_queue_message_free);
  self->timers = g_array_new (FALSE, FALSE, sizeof (guint));
  self->description = g_strdup ("");
  g_queue_init (&self->connections);
  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) check_free);
}

/* What the watcher could not do is the watch's problem too. */
static void
watcher_problem_cb (PgWatcher  *watcher,
                    const char *message,
                    PgUseSources    *self)
{
  g_signal_emit (self, signals [PROBLEM], 0, message);
}

/**
 * pg_use_sources_new:
 * @watcher: its armed links read already (pg_watcher_load_async())
 */
PgUseSources *
pg_use_sources_new (PgWatcher *watcher)
{
  PgUseSources *self = g_object_new (PG_TYPE_USE_SOURCES, NULL);

  self->watcher = g_object_ref (watcher);
  g_signal_connect_object (watcher, "problem", G_CALLBACK (watcher_problem_cb), self, 0);

  return self;
}

static void
describe (PgUseSources    *self,
          const char *what)
{
  char *description = *self->description != '\0'
                      ? g_strdup_printf ("%s, %s", self->description, what)
                      : g_strdup (what);

  g_free (self->description);
  self->description = description;
}

/**
 * pg_use_sources_add_ops_log:
 * @path: Ceph RGW's ops log file (`rgw ops log file path`)
 * @state_path: (nullable): where the place read up to is kept between runs
 * @interval: seconds between reads
 *
 * The log's starting place is taken now: a request made after this call is seen. A log that
 * cannot be read now (a wrong path, no permission) is refused: watching it would see nothing.
 *
 * Returns: whether it is read
 */
gboolean
pg_use_sources_add_ops_log (PgUseSources     *self,
                      const char  *path,
                      const char  *state_path,
                      guint        interval,
                      GError     **error)
{
  g_autofree char *what = g_strdup_printf ("ops log %s", path);
  FILE *file;

  g_return_val_if_fail (self->ops_log == NULL && !self->running, FALSE);

  if (!(file = g_fopen (path, "rb")))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The ops log “%s” could not be read: %s"), path, g_strerror (saved));
      return FALSE;
    }
  fclose (file);

  self->ops_log = pg_ops_log_new (path, state_path);
  self->ops_log_interval = MAX (interval, 1);
  describe (self, what);

  return TRUE;
}

/**
 * pg_use_sources_add_queue:
 * @queue_url: an SQS queue fed by EventBridge (data/cloud/presign-guard-watch.yaml)
 */
void
pg_use_sources_add_queue (PgUseSources    *self,
                    const char *queue_url)
{
  g_autofree char *what = g_strdup_printf ("SQS %s", queue_url);

  g_return_if_fail (self->queue_url == NULL && !self->running);

  self->queue_url = g_strdup (queue_url);
  describe (self, what);
}

/* Asks every @interval seconds whether the files of armed upload links have arrived. */
void
pg_use_sources_add_polling (PgUseSources *self,
                      guint    interval)
{
  g_return_if_fail (self->poll_interval == 0 && !self->running);

  self->poll_interval = MAX (interval, 1);
  describe (self, "polling");
}

/* An always-on watcher says it is alive (PG_WATCHER_HEARTBEAT_KEY); the app's does not. */
void
pg_use_sources_set_heartbeat (PgUseSources  *self,
                        gboolean  heartbeat)
{
  self->heartbeat = heartbeat;
}

/* What the watch reads, in words ("ops log /var/log/ceph/ops.log, polling"). */
const char *
pg_use_sources_get_description (PgUseSources *self)
{
  return self->description;
}

PgWatcher *
pg_use_sources_get_watcher (PgUseSources *self)
{
  return self->watcher;
}

static void
problem (PgUseSources    *self,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static void
problem (PgUseSources    *self,
         const char *format,
         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_signal_emit (self, signals [PROBLEM], 0, message);
}

static void
every (PgUseSources     *self,
       guint        seconds,
       GSourceFunc  callback)
{
  guint source = g_timeout_add_seconds (seconds, callback, self);

  g_array_append_val (self->timers, source);
}

/* ---- The notifications listener ---------------------------------------------------------- */

/* Anyone who can reach the listener can connect to it, and it must stay open to S3 all the same.
 * So it accepts its connections itself (libsoup's own listener stops for good the first time
 * the process runs out of file descriptors) and hands each to the server for one request. It
 * keeps at most PG_LISTENER_MAX_CONNECTIONS: the oldest of those still sending their request
 * goes first, so a notification that has just arrived gets in. A connection that says nothing
 * for PG_LISTENER_IDLE_SECONDS is closed (the socket's own timeout), and one that takes longer
 * than PG_LISTENER_REQUEST_SECONDS for its headers, or again for its body, is dropped. What the
 * notifications tell is checked with S3 at most once every PG_LISTENER_CHECK_SECONDS for each
 * file, however many say it and however they say it. */

static void
connection_free (Connection *connection)
{
  if (connection->message != NULL)
    {
      g_signal_handlers_disconnect_by_data (connection->message, connection);
      g_object_unref (connection->message);
    }
  g_object_unref (connection->stream);
  g_free (connection);
}

static void
forget_connection (PgUseSources *self,
                   Connection   *connection)
{
  g_queue_unlink (&self->connections, &connection->link);
  connection_free (connection);
}

/* The server reads the end of the connection at once, and closes it: its descriptor is free
 * for the next one. */
static void
drop_connection (PgUseSources *self,
                 Connection   *connection)
{
  g_socket_shutdown (connection->socket, TRUE, TRUE, NULL);
  forget_connection (self, connection);
}

static void
forget_closed_connections (PgUseSources *self)
{
  GList *link = self->connections.head;

  while (link != NULL)
    {
      GList *next = link->next;

      if (g_io_stream_is_closed (((Connection *) link->data)->stream))
        forget_connection (self, link->data);
      link = next;
    }
}

/* Lets go of the oldest connection still waiting for its request; failing that, of the oldest
 * one still sending its body. One being answered is let finish.
 *
 * Returns: whether one was let go */
static gboolean
drop_oldest_connection (PgUseSources *self)
{
  for (ConnectionState state = CONNECTION_WAITING; state < CONNECTION_READ; state++)
    for (GList *link = self->connections.head; link != NULL; link = link->next)
      if (((Connection *) link->data)->state == state)
        {
          drop_connection (self, link->data);
          return TRUE;
        }

  return FALSE;
}

static void
connection_headers_cb (SoupServerMessage *message,
                       Connection        *connection)
{
  connection->state = CONNECTION_BODY;
  connection->since = g_get_monotonic_time ();
}

static void
connection_body_cb (SoupServerMessage *message,
                    Connection        *connection)
{
  connection->state = CONNECTION_READ;
}

/* A connection's request, as soon as it was accepted (within soup_server_accept_iostream()). */
static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *message,
                    PgUseSources      *self)
{
  Connection *connection = self->accepting;

  if (connection == NULL || connection->message != NULL)
    return;

  connection->message = g_object_ref (message);
  g_signal_connect (message, "got-headers", G_CALLBACK (connection_headers_cb), connection);
  g_signal_connect (message, "got-body", G_CALLBACK (connection_body_cb), connection);
}

static gboolean
sweep_cb (gpointer user_data)
{
  PgUseSources *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GList *link = self->connections.head;

  while (link != NULL)
    {
      Connection *connection = link->data;
      GList *next = link->next;

      if (g_io_stream_is_closed (connection->stream))
        forget_connection (self, connection);
      else if (connection->state != CONNECTION_READ
               && now - connection->since >= PG_LISTENER_REQUEST_SECONDS * G_USEC_PER_SEC)
        drop_connection (self, connection);
      link = next;
    }

  return G_SOURCE_CONTINUE;
}

static void
take_connection (PgUseSources *self,
                 GSocket      *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  Connection *connection;

  /* Gone already. */
  if (local == NULL || remote == NULL)
    return;

  if (self->connections.length >= PG_LISTENER_MAX_CONNECTIONS)
    {
      forget_closed_connections (self);
      if (self->connections.length >= PG_LISTENER_MAX_CONNECTIONS)
        drop_oldest_connection (self);
    }

  /* Nothing read or written for this long (a wait, not the whole request): closed. */
  g_socket_set_timeout (socket, PG_LISTENER_IDLE_SECONDS);
  connection = g_new0 (Connection, 1);
  connection->socket = socket;
  connection->stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  connection->state = CONNECTION_WAITING;
  connection->since = g_get_monotonic_time ();
  connection->link.data = connection;
  g_queue_push_tail_link (&self->connections, &connection->link);

  self->accepting = connection;
  soup_server_accept_iostream (self->listener, connection->stream, local, remote, NULL);
  self->accepting = NULL;
}

static void start_accepting (PgUseSources *self);

static gboolean
accept_again_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  self->accept_pause = 0;
  start_accepting (self);

  return G_SOURCE_REMOVE;
}

static gboolean
accept_cb (GSocket      *listen_socket,
           GIOCondition  condition,
           gpointer      user_data)
{
  PgUseSources *self = user_data;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listen_socket, NULL, &error);
      gint64 now = g_get_monotonic_time ();

      if (socket != NULL)
        {
          take_connection (self, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;

      /* Out of file descriptors, most likely: the connection waits in the kernel's queue while
       * room is made, and accepting goes on in a moment (not in a busy loop meanwhile). */
      forget_closed_connections (self);
      drop_oldest_connection (self);
      if (now - self->descriptors_said >= 60 * G_USEC_PER_SEC || self->descriptors_said == 0)
        {
          self->descriptors_said = now;
          problem (self, _("A connection to the notifications listener was not accepted (the "
                           "oldest waiting one is closed to make room): %s"), error->message);
        }
      g_clear_pointer (&self->accept_source, g_source_unref);
      self->accept_pause = g_timeout_add (ACCEPT_PAUSE_MILLISECONDS, accept_again_cb, self);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
start_accepting (PgUseSources *self)
{
  self->accept_source = g_socket_create_source (self->listen_socket, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, (GSourceFunc) G_CALLBACK (accept_cb), self, NULL);
  g_source_attach (self->accept_source, g_main_context_get_thread_default ());
}

static void
check_free (Check *check)
{
  g_free (check->name);
  g_clear_pointer (&check->held, pg_use_event_free);
  g_free (check);
}

/* The arrivals held back whose time has come are told to the watcher; checks that are over
 * are forgotten. Runs while any check is remembered. */
static gboolean
flush_cb (gpointer user_data)
{
  PgUseSources *self = user_data;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Check *check;

  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &check))
    {
      if (now < check->due)
        continue;
      if (check->held != NULL)
        {
          g_ptr_array_add (due, g_steal_pointer (&check->held));
          check->due = now + PG_LISTENER_CHECK_SECONDS * G_USEC_PER_SEC;
        }
      else
        g_hash_table_iter_remove (&iter);
    }
  if (due->len > 0)
    pg_watcher_handle_events (self->watcher, due);

  if (g_hash_table_size (self->checks) > 0)
    return G_SOURCE_CONTINUE;
  self->flush = 0;
  return G_SOURCE_REMOVE;
}

/* Too many files told of at once: the one checked longest ago is forgotten (an arrival it held
 * is told now). */
static void
forget_oldest_check (PgUseSources *self,
                     GPtrArray    *told)
{
  GHashTableIter iter;
  Check *check;
  Check *oldest = NULL;

  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &check))
    if (oldest == NULL || check->due < oldest->due)
      oldest = check;
  if (oldest->held != NULL)
    g_ptr_array_add (told, g_steal_pointer (&oldest->held));
  g_hash_table_remove (self->checks, oldest->name);
}

/* Arrivals told by notifications: each file is checked with S3 now if it was not lately, else
 * once its time comes (the latest arrival told meanwhile stands for them all). */
static void
tell_arrivals (PgUseSources *self,
               GPtrArray    *events)
{
  g_autoptr(GPtrArray) told = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < events->len; i++)
    {
      g_autoptr(PgUseEvent) event = g_steal_pointer (&events->pdata[i]);
      g_autofree char *name = g_strdup_printf ("%s/%s", event->bucket, event->key);
      Check *check = g_hash_table_lookup (self->checks, name);

      if (check == NULL)
        {
          if (g_hash_table_size (self->checks) >= MAX_CHECKS)
            forget_oldest_check (self, told);
          check = g_new0 (Check, 1);
          check->name = g_steal_pointer (&name);
          check->due = now + PG_LISTENER_CHECK_SECONDS * G_USEC_PER_SEC;
          g_hash_table_insert (self->checks, check->name, check);
          g_ptr_array_add (told, g_steal_pointer (&event));
        }
      else if (check->held == NULL && now >= check->due)
        {
          check->due = now + PG_LISTENER_CHECK_SECONDS * G_USEC_PER_SEC;
          g_ptr_array_add (told, g_steal_pointer (&event));
        }
      else
        {
          g_clear_pointer (&check->held, pg_use_event_free);
          check->held = g_steal_pointer (&event);
        }
    }

  if (self->flush == 0 && g_hash_table_size (self->checks) > 0)
    self->flush = g_timeout_add (250, flush_cb, self);
  pg_watcher_handle_events (self->watcher, told);
}

/* Before a notification's body is read: only a POST of a sensible size is. */
static void
notification_headers_cb (SoupServer        *server,
                         SoupServerMessage *message,
                         const char        *path,
                         GHashTable        *query,
                         gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  guint refusal = 0;

  /* One request per connection: S3 opens one for each notification. */
  soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                "Connection", "close");
  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    refusal = SOUP_STATUS_METHOD_NOT_ALLOWED;
  else if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH
           || soup_message_headers_get_content_length (headers) > PG_LISTENER_MAX_BODY)
    refusal = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;

  /* Refused: whatever body follows is read and thrown away (within the body's deadline), never
   * kept. */
  if (refusal != 0)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (message), FALSE);
      soup_server_message_set_status (message, refusal, NULL);
    }
}

static void
notification_cb (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  PgUseSources *self = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (
    soup_server_message_get_request_body (message));
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  g_autoptr(GPtrArray) events = pg_use_events_from_s3_notification (data, length);

  /* Each arrival is only a hint: the watcher asks S3 before it believes it. */
  tell_arrivals (self, events);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "", 0);
}

/**
 * pg_use_sources_add_listener:
 * @address: where to listen, "127.0.0.1:8090"
 *
 * Listens for S3's "Object Created" notifications, as Ceph RGW posts them to an HTTP endpoint
 * (a topic with `push-endpoint`, and the bucket's notification configuration). Uploads are
 * seen at once; anyone who can reach the address can post, so each is checked with S3 (at most
 * once every PG_LISTENER_CHECK_SECONDS for a file), and the listener's connections are bounded
 * in number and time (PG_LISTENER_MAX_CONNECTIONS and the other limits).
 *
 * Returns: whether it listens
 */
gboolean
pg_use_sources_add_listener (PgUseSources  *self,
                             const char    *address,
                             GError       **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(SoupServer) listener = NULL;
  g_autoptr(GSocket) listen_socket = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (self->listener == NULL && !self->running, FALSE);

  if (!(parsed = g_network_address_parse (address, 0, NULL))
      || g_network_address_get_port (G_NETWORK_ADDRESS (parsed)) == 0
      || !(socket_address = g_inet_socket_address_new_from_string (
             g_network_address_get_hostname (G_NETWORK_ADDRESS (parsed)),
             g_network_address_get_port (G_NETWORK_ADDRESS (parsed)))))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is no address to listen on: give an IP address and a port, such as "
                     "127.0.0.1:8090"), address);
      return FALSE;
    }

  if (!(listen_socket = g_socket_new (g_socket_address_get_family (socket_address),
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error)))
    return FALSE;
  g_socket_set_blocking (listen_socket, FALSE);
  g_socket_set_listen_backlog (listen_socket, PG_LISTENER_MAX_CONNECTIONS);
  if (!g_socket_bind (listen_socket, socket_address, TRUE, error)
      || !g_socket_listen (listen_socket, error))
    return FALSE;

  listener = soup_server_new ("server-header", "presign-guard", NULL);
  soup_server_add_early_handler (listener, NULL, notification_headers_cb, self, NULL);
  soup_server_add_handler (listener, NULL, notification_cb, self, NULL);
  g_signal_connect (listener, "request-started", G_CALLBACK (request_started_cb), self);

  self->listener = g_steal_pointer (&listener);
  self->listen_socket = g_steal_pointer (&listen_socket);
  start_accepting (self);
  self->sweep = g_timeout_add (SWEEP_MILLISECONDS, sweep_cb, self);
  what = g_strdup_printf ("notifications on %s", address);
  describe (self, what);

  return TRUE;
}

/* Stops listening and closes every connection. @tell_held: the arrivals held back are told to
 * the watcher now (stopping), or dropped (disposing). */
static void
stop_listening (PgUseSources *self,
                gboolean      tell_held)
{
  GList *link;

  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  g_clear_handle_id (&self->accept_pause, g_source_remove);
  g_clear_handle_id (&self->sweep, g_source_remove);
  g_clear_handle_id (&self->flush, g_source_remove);
  if (self->listen_socket != NULL)
    g_socket_close (self->listen_socket, NULL);
  g_clear_object (&self->listen_socket);
  if (self->listener != NULL)
    soup_server_disconnect (self->listener);
  while ((link = g_queue_pop_head_link (&self->connections)) != NULL)
    connection_free (link->data);

  if (tell_held)
    {
      g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
      GHashTableIter iter;
      Check *check;

      g_hash_table_iter_init (&iter, self->checks);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &check))
        if (check->held != NULL)
          g_ptr_array_add (held, g_steal_pointer (&check->held));
      if (held->len > 0)
        pg_watcher_handle_events (self->watcher, held);
    }
  g_hash_table_remove_all (self->checks);
}

/* ---- The ops log -------------------------------------------------------------------------- */

static gboolean read_ops_log_cb (gpointer user_data);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PgUseSources) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pg_ops_log_read_finish (self->ops_log, result, &error);

  self->reading = FALSE;
  self->busy--;
  if (events == NULL)
    problem (self, _("The ops log was not read: %s"), error->message);
  else
    pg_watcher_handle_events (self->watcher, events);

  /* More is waiting (a busy gateway, or a watcher that was stopped a while): read on at once,
   * not a read a second. */
  if (events != NULL && self->running && pg_ops_log_is_behind (self->ops_log))
    read_ops_log_cb (self);
}

/* What was read of the ops log is handled: a watcher started again goes on after it. */
static void
keep_place (PgUseSources *self)
{
  g_autoptr(GError) error = NULL;

  if (pg_ops_log_commit (self->ops_log, &error))
    self->place_unkept = FALSE;
  else if (!self->place_unkept)
    {
      /* Said once, not every second it is tried again. */
      self->place_unkept = TRUE;
      problem (self, _("The place read up to in the ops log could not be kept: %s"),
               error->message);
    }
}

static gboolean
read_ops_log_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  /* What was read is kept once the uses it held are written to their records. */
  if (!self->reading && pg_watcher_is_settled (self->watcher))
    keep_place (self);
  if (!self->reading)
    {
      self->reading = TRUE;
      self->busy++;
      pg_ops_log_read_async (self->ops_log, NULL, read_cb, g_object_ref (self));
    }

  return G_SOURCE_CONTINUE;
}

/* ---- Polling, records, heartbeat ---------------------------------------------------------- */

static gboolean
poll_cb (gpointer user_data)
{
  pg_watcher_poll_uploads (PG_USE_SOURCES (user_data)->watcher);

  return G_SOURCE_CONTINUE;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PgUseSources) self = user_data;
  g_autoptr(GError) error = NULL;

  self->loading = FALSE;
  self->busy--;
  if (!pg_watcher_load_finish (self->watcher, result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    problem (self, _("The links’ records were not read: %s"), error->message);
}

static gboolean
reload_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  if (!self->loading)
    {
      self->loading = TRUE;
      self->busy++;
      pg_watcher_load_async (self->watcher, self->cancellable, loaded_cb, g_object_ref (self));
    }

  return G_SOURCE_CONTINUE;
}

static void
beat_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PgUseSources) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  if (!pg_watcher_beat_finish (self->watcher, result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    problem (self, _("The heartbeat was not written: %s"), error->message);
}

static gboolean
beat_timeout_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  self->busy++;
  pg_watcher_beat_async (self->watcher, self->description, self->started, FALSE,
                         self->cancellable, beat_cb, g_object_ref (self));

  return G_SOURCE_CONTINUE;
}

/* ---- The queue ---------------------------------------------------------------------------- */

static void receive (PgUseSources *self);

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PgUseSources) self = user_data;
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* Not deleted: it comes again, and is seen to be handled already. */
  if (!pg_s3_client_delete_message_finish (PG_S3_CLIENT (source), result, &error))
    problem (self, _("A message was not deleted from the queue: %s"), error->message);
}

/* The messages whose uses are written into their records are done with. */
static void
delete_handled (PgUseSources *self)
{
  PgS3Client *manager = pg_watcher_get_manager (self->watcher);

  for (guint i = 0; i < self->handled->len; i++)
    {
      PgQueueMessage *message = g_ptr_array_index (self->handled, i);

      self->busy++;
      pg_s3_client_delete_message_async (manager, self->queue_url, message->receipt_handle, NULL,
                                         deleted_cb, g_object_ref (self));
    }
  g_ptr_array_set_size (self->handled, 0);
}

static gboolean
settle_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  /* Stopping: the messages are deleted once everything is settled, on the way out. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_REMOVE;
  if (!pg_watcher_is_settled (self->watcher))
    return G_SOURCE_CONTINUE;

  delete_handled (self);
  receive (self);

  return G_SOURCE_REMOVE;
}

static gboolean
receive_again_cb (gpointer user_data)
{
  PgUseSources *self = user_data;

  if (!g_cancellable_is_cancelled (self->cancellable))
    receive (self);

  return G_SOURCE_REMOVE;
}

static void
messages_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgUseSources) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = pg_s3_client_receive_messages_finish (PG_S3_CLIENT (source),
                                                                        result, &error);
  g_autoptr(GPtrArray) events = NULL;

  self->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (messages == NULL)
    {
      problem (self, _("The queue was not read (tried again): %s"), error->message);
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, QUEUE_RETRY_SECONDS, receive_again_cb,
                                  g_object_ref (self), g_object_unref);
      return;
    }

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  for (guint i = 0; i < messages->len; i++)
    {
      PgQueueMessage *message = g_ptr_array_index (messages, i);
      PgUseEvent *event = pg_use_event_from_eventbridge (message->body, message->id);

      if (event != NULL)
        g_ptr_array_add (events, event);
    }
  pg_watcher_handle_events (self->watcher, events);

  /* Deleted once the uses they held are in their records; then the next ones. */
  g_ptr_array_extend_and_steal (self->handled, g_steal_pointer (&messages));
  g_timeout_add_full (G_PRIORITY_DEFAULT, 100, settle_cb, g_object_ref (self), g_object_unref);
}

static void
receive (PgUseSources *self)
{
  self->busy++;
  pg_s3_client_receive_messages_async (pg_watcher_get_manager (self->watcher), self->queue_url,
                                       QUEUE_WAIT_SECONDS, self->cancellable, messages_cb,
                                       g_object_ref (self));
}

/* ---- Starting and stopping ---------------------------------------------------------------- */

/* Runs the sources added, on the thread-default main context, until stopped. */
void
pg_use_sources_start (PgUseSources *self)
{
  g_return_if_fail (!self->running);

  self->running = TRUE;
  self->started = pg_s3_client_get_now (pg_watcher_get_manager (self->watcher));
  if (self->ops_log != NULL)
    {
      every (self, self->ops_log_interval, read_ops_log_cb);
      read_ops_log_cb (self);
    }
  if (self->queue_url != NULL)
    receive (self);
  if (self->poll_interval > 0)
    {
      every (self, self->poll_interval, poll_cb);
      poll_cb (self);
    }
  /* The records now (again, for a watcher read before it started), then now and then. */
  every (self, RELOAD_SECONDS, reload_cb);
  reload_cb (self);
  if (self->heartbeat)
    {
      every (self, BEAT_SECONDS, beat_timeout_cb);
      beat_timeout_cb (self);
    }
}

static gboolean
stopping_cb (gpointer user_data)
{
  GTask *task = user_data;
  PgUseSources *self = g_task_get_source_object (task);
  gint64 *deadline = g_task_get_task_data (task);
  gboolean late = g_get_monotonic_time () >= *deadline;
  gboolean settled = pg_watcher_is_settled (self->watcher);

  /* First the closings and record writes under way; then what they make possible. */
  if (!settled && !late)
    return G_SOURCE_CONTINUE;
  if (settled)
    delete_handled (self);
  /* An always-on watcher's last word: readers know at once that nobody watches. */
  if (settled && self->heartbeat && !self->farewell)
    {
      self->farewell = TRUE;
      self->busy++;
      pg_watcher_beat_async (self->watcher, self->description, self->started, TRUE, NULL,
                             beat_cb, g_object_ref (self));
    }
  if (self->busy > 0 && !late)
    return G_SOURCE_CONTINUE;

  if (settled && self->busy == 0 && self->ops_log != NULL)
    keep_place (self);
  if (late)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             _("The watcher did not finish its work within %d s"), STOP_SECONDS);
  else
    g_task_return_boolean (task, TRUE);

  return G_SOURCE_REMOVE;
}

/**
 * pg_use_sources_stop_async:
 *
 * Stops reading the sources, lets a closing under way end and what was seen be written (for a
 * minute at most), then finishes. A queue being waited on is let go: its messages come again.
 */
void
pg_use_sources_stop_async (PgUseSources             *self,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  gint64 *deadline = g_new (gint64, 1);

  *deadline = g_get_monotonic_time () + STOP_SECONDS * G_USEC_PER_SEC;
  g_task_set_source_tag (task, pg_use_sources_stop_async);
  g_task_set_task_data (task, deadline, g_free);
  self->running = FALSE;
  g_cancellable_cancel (self->cancellable);
  remove_timers (self);
  stop_listening (self, TRUE);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, stopping_cb, task, g_object_unref);
}

gboolean
pg_use_sources_stop_finish (PgUseSources       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
