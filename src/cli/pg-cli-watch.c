/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-ops-log.h"
#include "pg-text.h"
#include "pg-watcher.h"

/* watch: the watcher of the core, headless, in the foreground until SIGTERM; one line per
 * event on standard output. */

#define RELOAD_SECONDS 30
#define BEAT_SECONDS   60

typedef struct
{
  PgWatcher    *watcher;
  PgOpsLog     *ops_log;
  PgS3Client   *manager;
  char         *queue_url;
  GPtrArray    *handled;   /* PgQueueMessage, deleted once what they held is written */
  GCancellable *cancellable;
  guint         busy;      /* reads, receives, deletions and heartbeats under way */
  GMainLoop    *loop;
  char         *source;
  gint64        started;
  guint         interval;
  guint         poll_interval;
  gboolean      reading;
  gboolean      loading;
} Watch;

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *line = NULL;
  g_autofree char *safe = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  safe = pg_text_sanitize (line);
  printf ("%s\n", safe);
  fflush (stdout);
}

static void
link_used_cb (PgWatcher    *watcher,
              PgLinkRecord *record,
              PgUseEvent   *event,
              Watch        *watch)
{
  g_autofree char *when = pg_cli_format_time (record->used_at);

  say ("used %s %s/%s by %s at %s", record->id, record->bucket, record->key,
       record->used_by ? record->used_by : "?", when);
}

static void
link_closed_cb (PgWatcher    *watcher,
                PgLinkRecord *record,
                const char   *notice,
                Watch        *watch)
{
  if (notice != NULL)
    pg_cli_note ("%s", notice);
  say ("closed %s %s/%s verified", record->id, record->bucket, record->key);
}

static void
close_failed_cb (PgWatcher    *watcher,
                 PgLinkRecord *record,
                 const char   *message,
                 Watch        *watch)
{
  say ("not closed %s %s/%s (tried again): %s", record->id, record->bucket, record->key,
       message);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = pg_ops_log_read_finish (watch->ops_log, result, &error);

  watch->reading = FALSE;
  watch->busy--;
  if (events == NULL)
    {
      say ("not read: %s", error->message);
      return;
    }

  pg_watcher_handle_events (watch->watcher, events);
}

static gboolean
tick_cb (gpointer user_data)
{
  Watch *watch = user_data;

  /* What was read is kept once the uses it held are written to their records. */
  if (!watch->reading && pg_watcher_is_settled (watch->watcher))
    pg_ops_log_commit (watch->ops_log);
  if (!watch->reading && !g_cancellable_is_cancelled (watch->cancellable))
    {
      watch->reading = TRUE;
      watch->busy++;
      pg_ops_log_read_async (watch->ops_log, NULL, read_cb, watch);
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
poll_cb (gpointer user_data)
{
  Watch *watch = user_data;

  pg_watcher_poll_uploads (watch->watcher);

  return G_SOURCE_CONTINUE;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;

  watch->loading = FALSE;
  watch->busy--;
  if (!pg_watcher_load_finish (watch->watcher, result, &error))
    say ("records not read: %s", error->message);
}

static gboolean
reload_cb (gpointer user_data)
{
  Watch *watch = user_data;

  if (!watch->loading)
    {
      watch->loading = TRUE;
      watch->busy++;
      pg_watcher_load_async (watch->watcher, NULL, loaded_cb, watch);
    }

  return G_SOURCE_CONTINUE;
}

static void
beat_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;

  watch->busy--;
  if (!pg_watcher_beat_finish (watch->watcher, result, &error))
    say ("heartbeat not written: %s", error->message);
}

static gboolean
beat_timeout_cb (gpointer user_data)
{
  Watch *watch = user_data;

  watch->busy++;
  pg_watcher_beat_async (watch->watcher, watch->source, watch->started, NULL, beat_cb, watch);

  return G_SOURCE_CONTINUE;
}

/* ---- SQS ---------------------------------------------------------------------------------- */

static void receive (Watch *watch);

static void
deleted_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;

  watch->busy--;
  /* Not deleted: it comes again, and is seen to be handled already. */
  if (!pg_s3_client_delete_message_finish (PG_S3_CLIENT (source), result, &error))
    say ("message not deleted: %s", error->message);
}

/* The messages whose uses are written into their records are done with. */
static void
delete_handled (Watch *watch)
{
  for (guint i = 0; i < watch->handled->len; i++)
    {
      PgQueueMessage *message = g_ptr_array_index (watch->handled, i);

      watch->busy++;
      pg_s3_client_delete_message_async (watch->manager, watch->queue_url,
                                         message->receipt_handle, NULL, deleted_cb, watch);
    }
  g_ptr_array_set_size (watch->handled, 0);
}

static gboolean
settle_cb (gpointer user_data)
{
  Watch *watch = user_data;

  /* Stopping: the messages are deleted once everything is settled, on the way out. */
  if (g_cancellable_is_cancelled (watch->cancellable))
    return G_SOURCE_REMOVE;
  if (!pg_watcher_is_settled (watch->watcher))
    return G_SOURCE_CONTINUE;

  delete_handled (watch);
  receive (watch);

  return G_SOURCE_REMOVE;
}

static gboolean
receive_again_cb (gpointer user_data)
{
  receive (user_data);

  return G_SOURCE_REMOVE;
}

static void
messages_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Watch *watch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = pg_s3_client_receive_messages_finish (PG_S3_CLIENT (source),
                                                                        result, &error);
  g_autoptr(GPtrArray) events = NULL;

  watch->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (messages == NULL)
    {
      say ("queue not read (tried again): %s", error->message);
      g_timeout_add_seconds (5, receive_again_cb, watch);
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
  pg_watcher_handle_events (watch->watcher, events);

  /* Deleted once the uses they held are in their records; then the next ones. */
  g_ptr_array_extend_and_steal (watch->handled, g_steal_pointer (&messages));
  g_timeout_add (100, settle_cb, watch);
}

static void
receive (Watch *watch)
{
  watch->busy++;
  pg_s3_client_receive_messages_async (watch->manager, watch->queue_url, 20, watch->cancellable,
                                       messages_cb, watch);
}

static gboolean
stop_cb (gpointer user_data)
{
  Watch *watch = user_data;

  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

/* presign-guard-cli watch --bucket B (--ops-log FILE [--state FILE] | --poll) … */
int
pg_cli_watch (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *ops_log = NULL;
  g_autofree char *state = NULL;
  g_autofree char *queue_url = NULL;
  g_autofree char *signer_arn = NULL;
  gboolean poll = FALSE;
  int interval = 1;
  int verify_timeout = -1;
  int poll_interval = 10;
  Watch watch = { 0 };
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "ops-log", 0, 0, G_OPTION_ARG_FILENAME, &ops_log,
      N_("Ceph RGW’s ops log file (rgw ops log file path): downloads and uploads are seen "
         "there within a second"), N_("FILE") },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state,
      N_("With --ops-log: where the place read up to is kept, so that a restart misses "
         "nothing"), N_("FILE") },
    { "sqs-queue", 0, 0, G_OPTION_ARG_STRING, &queue_url,
      N_("An SQS queue fed by EventBridge with CloudTrail’s data events and S3’s Object Created "
         "events (data/cloud/presign-guard-watch.yaml makes it): AWS"), N_("URL") },
    { "poll", 0, 0, G_OPTION_ARG_NONE, &poll,
      N_("Ask S3 whether the files of armed upload links have arrived (any server)"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval,
      N_("Seconds between reads of the ops log (default 1)"), N_("SECONDS") },
    { "poll-interval", 0, 0, G_OPTION_ARG_INT, &poll_interval,
      N_("With --poll: seconds between polls (default 10)"), N_("SECONDS") },
    { "verify-timeout", 0, 0, G_OPTION_ARG_INT, &verify_timeout,
      N_("How long a closing waits for its proof (default 30)"), N_("SECONDS") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Closes the links armed “close after first use” once they are "
                               "used, until stopped (SIGTERM): one line per event."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));
  if (ops_log == NULL && queue_url == NULL && !poll)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Say what to watch: --ops-log FILE, --sqs-queue URL, "
                                             "--poll, or some of them."));
  if (state != NULL && ops_log == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--state goes with --ops-log."));
  if (interval < 1 || poll_interval < 1)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Intervals are at least 1 second."));

  if (!pg_cli_clients_new (&endpoint_options, &manager, &signer, &error)
      || !(signer_arn = pg_cli_signer_arn (signer, endpoint_options.signer_arn, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  watcher = pg_watcher_new (service, manager, signer, bucket, signer_arn);
  pg_watcher_set_verify_timeout (watcher, verify_timeout);

  /* The armed links first: a request is matched to them as soon as it is read. */
  pg_watcher_load_async (watcher, NULL, pg_cli_store_result, &result);
  if (!pg_watcher_load_finish (watcher, pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  watch.watcher = watcher;
  watch.loop = loop = g_main_loop_new (NULL, FALSE);
  watch.started = pg_s3_client_get_now (manager);
  {
    g_autoptr(GString) source = g_string_new (NULL);

    if (ops_log != NULL)
      g_string_append_printf (source, "ops log %s", ops_log);
    if (queue_url != NULL)
      g_string_append_printf (source, "%sSQS %s", source->len ? ", " : "", queue_url);
    if (poll)
      g_string_append_printf (source, "%spolling", source->len ? ", " : "");
    watch.source = g_string_free (g_steal_pointer (&source), FALSE);
  }
  watch.manager = manager;
  watch.queue_url = queue_url;
  watch.handled = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_queue_message_free);
  watch.cancellable = g_cancellable_new ();
  g_signal_connect (watcher, "link-used", G_CALLBACK (link_used_cb), &watch);
  g_signal_connect (watcher, "link-closed", G_CALLBACK (link_closed_cb), &watch);
  g_signal_connect (watcher, "close-failed", G_CALLBACK (close_failed_cb), &watch);
  if (ops_log != NULL)
    {
      watch.ops_log = pg_ops_log_new (ops_log, state);
      g_timeout_add_seconds (interval, tick_cb, &watch);
      tick_cb (&watch);
    }
  if (queue_url != NULL)
    receive (&watch);
  if (poll)
    {
      g_timeout_add_seconds (poll_interval, poll_cb, &watch);
      poll_cb (&watch);
    }
  g_timeout_add_seconds (RELOAD_SECONDS, reload_cb, &watch);
  g_timeout_add_seconds (BEAT_SECONDS, beat_timeout_cb, &watch);
  beat_timeout_cb (&watch);
  g_unix_signal_add (SIGTERM, stop_cb, &watch);
  g_unix_signal_add (SIGINT, stop_cb, &watch);
  /* Said once every source has its starting place (the end of the ops log): a request made
   * after this line is seen. */
  say ("watching %s: %u armed links, %s", bucket, pg_watcher_get_n_armed (watcher),
       watch.source);

  g_main_loop_run (watch.loop);

  /* A closing under way ends, and what was seen is written, before the watcher goes: the next
   * one neither misses a use nor closes a link again. A queue being waited on is let go (its
   * messages come again). */
  g_cancellable_cancel (watch.cancellable);
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    while (!pg_watcher_is_settled (watch.watcher) && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    if (pg_watcher_is_settled (watch.watcher))
      delete_handled (&watch);
    while (watch.busy > 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  say ("stopped");
  g_clear_pointer (&watch.ops_log, pg_ops_log_free);
  g_ptr_array_unref (watch.handled);
  g_object_unref (watch.cancellable);
  g_free (watch.source);

  return PG_CLI_EXIT_OK;
}
