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
/* A notification bigger than this is no notification of ours. */
#define MAX_NOTIFICATION_BYTES (1024 * 1024)

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
  if (self->listener != NULL)
    soup_server_disconnect (self->listener);
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

  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    refusal = SOUP_STATUS_METHOD_NOT_ALLOWED;
  else if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH
           || soup_message_headers_get_content_length (headers) > MAX_NOTIFICATION_BYTES)
    refusal = SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;

  /* Refused: whatever body follows is read and thrown away, never kept. */
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
  pg_watcher_handle_events (self->watcher, events);
  soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC, "", 0);
}

/**
 * pg_use_sources_add_listener:
 * @address: where to listen, "127.0.0.1:8090"
 *
 * Listens for S3's "Object Created" notifications, as Ceph RGW posts them to an HTTP endpoint
 * (a topic with `push-endpoint`, and the bucket's notification configuration). Uploads are
 * seen at once; anyone who can reach the address can post, so each is checked with S3.
 *
 * Returns: whether it listens
 */
gboolean
pg_use_sources_add_listener (PgUseSources     *self,
                       const char  *address,
                       GError     **error)
{
  g_autoptr(GSocketConnectable) parsed = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(SoupServer) listener = NULL;
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

  listener = soup_server_new ("server-header", "presign-guard", NULL);
  soup_server_add_early_handler (listener, NULL, notification_headers_cb, self, NULL);
  soup_server_add_handler (listener, NULL, notification_cb, self, NULL);
  if (!soup_server_listen (listener, socket_address, 0, error))
    return FALSE;

  self->listener = g_steal_pointer (&listener);
  what = g_strdup_printf ("notifications on %s", address);
  describe (self, what);

  return TRUE;
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

/* ---- The ops log -------------------------------------------------------------------------- */

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
  if (self->listener != NULL)
    soup_server_disconnect (self->listener);
  g_timeout_add_full (G_PRIORITY_DEFAULT, 50, stopping_cb, task, g_object_unref);
}

gboolean
pg_use_sources_stop_finish (PgUseSources       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
