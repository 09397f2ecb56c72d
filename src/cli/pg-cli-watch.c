/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-error.h"
#include "pg-text.h"
#include "pg-use-sources.h"

/* watch: the watcher of the core, headless, in the foreground until SIGTERM; one line per
 * event on standard output. */

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
              gpointer      user_data)
{
  g_autofree char *when = pg_cli_format_time (record->used_at);

  say ("used %s %s/%s by %s at %s", record->id, record->bucket, record->key,
       record->used_by ? record->used_by : "?", when);
}

static void
activity_cb (PgWatcher       *watcher,
             PgLinkRecord    *record,
             PgActivityEvent *event,
             gpointer         user_data)
{
  g_autofree char *when = pg_cli_format_time (event->time);

  say ("%s %s %s/%s by %s at %s (%u%s%s)", pg_activity_kind_to_string (event->kind), record->id,
       record->bucket, record->key, event->remote_addr ? event->remote_addr : "?", when,
       event->status, event->error_code ? " " : "", event->error_code ? event->error_code : "");
}

static void
link_closed_cb (PgWatcher    *watcher,
                PgLinkRecord *record,
                const char   *notice,
                gpointer      user_data)
{
  if (notice != NULL)
    pg_cli_note ("%s", notice);
  say ("closed %s %s/%s verified", record->id, record->bucket, record->key);
}

static void
close_failed_cb (PgWatcher    *watcher,
                 PgLinkRecord *record,
                 const char   *message,
                 gpointer      user_data)
{
  say ("not closed %s %s/%s (tried again): %s", record->id, record->bucket, record->key,
       message);
}

static void
problem_cb (PgUseSources    *watch,
            const char *message,
            gpointer    user_data)
{
  say ("%s", message);
}

static gboolean
stop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_REMOVE;
}

/* presign-guard-cli watch --bucket B (--ops-log FILE [--state FILE] | --sqs-queue URL |
 * --notifications ADDRESS:PORT | --poll) … */
int
pg_cli_watch (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(PgUseSources) watch = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *ops_log = NULL;
  g_autofree char *state = NULL;
  g_autofree char *queue_url = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *signer_arn = NULL;
  gboolean poll = FALSE;
  int interval = 1;
  int verify_timeout = -1;
  int poll_interval = 10;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "ops-log", 0, 0, G_OPTION_ARG_FILENAME, &ops_log,
      N_("Ceph RGW’s ops log file (rgw ops log file path): downloads and uploads are seen "
         "there within a second"), N_("FILE") },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &state,
      N_("With --ops-log: where the place read up to is kept, so that a restart misses "
         "nothing (without --ops-log it is not used)"), N_("FILE") },
    { "sqs-queue", 0, 0, G_OPTION_ARG_STRING, &queue_url,
      N_("An SQS queue fed by EventBridge with CloudTrail’s data events and S3’s Object Created "
         "events (data/cloud/presign-guard-watch.yaml makes it): AWS"), N_("URL") },
    { "notifications", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("Listen here for S3’s “Object Created” notifications (a Ceph RGW topic whose "
         "push-endpoint is http://ADDRESS/): uploads are seen at once"), N_("ADDRESS:PORT") },
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
  if (ops_log == NULL && queue_url == NULL && listen == NULL && !poll)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Say what to watch: --ops-log FILE, --sqs-queue URL, "
                                             "--notifications ADDRESS:PORT, --poll, or some of "
                                             "them."));
  /* --state without --ops-log keeps nothing: accepted, so that one systemd unit (which always
   * passes it) serves every source. */
  if (interval < 1 || poll_interval < 1)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Intervals are at least 1 second."));

  /* A configuration that cannot work exits with the usage status: the systemd unit does not
   * restart on it (RestartPreventExitStatus=2). A server out of reach may come back. */
  if (!pg_cli_clients_new (&endpoint_options, &manager, &signer, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_USAGE, error);
  if (!(signer_arn = pg_cli_signer_arn (signer, endpoint_options.signer_arn, &error)))
    return pg_cli_fail_error (g_error_matches (error, PG_ERROR, PG_ERROR_UNSUPPORTED)
                              ? PG_CLI_EXIT_USAGE : PG_CLI_EXIT_FAILURE, error);

  context = pg_account_context_new (NULL, bucket, manager, signer, signer_arn);
  watcher = pg_watcher_new (service, context);
  pg_watcher_set_verify_timeout (watcher, verify_timeout);

  /* The armed links first: a request is matched to them as soon as it is read. */
  pg_watcher_load_async (watcher, NULL, pg_cli_store_result, &result);
  if (!pg_watcher_load_finish (watcher, pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  watch = pg_use_sources_new (watcher);
  if (ops_log != NULL && !pg_use_sources_add_ops_log (watch, ops_log, state, (guint) interval, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  if (queue_url != NULL)
    pg_use_sources_add_queue (watch, queue_url);
  if (listen != NULL && !pg_use_sources_add_listener (watch, listen, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_USAGE, error);
  if (poll)
    pg_use_sources_add_polling (watch, (guint) poll_interval);
  pg_use_sources_set_heartbeat (watch, TRUE);
  g_signal_connect (watch, "problem", G_CALLBACK (problem_cb), NULL);
  g_signal_connect (watcher, "link-used", G_CALLBACK (link_used_cb), NULL);
  g_signal_connect (watcher, "activity", G_CALLBACK (activity_cb), NULL);
  g_signal_connect (watcher, "link-closed", G_CALLBACK (link_closed_cb), NULL);
  g_signal_connect (watcher, "close-failed", G_CALLBACK (close_failed_cb), NULL);
  pg_use_sources_start (watch);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, stop_cb, loop);
  g_unix_signal_add (SIGINT, stop_cb, loop);
  /* Said once every source has its starting place (the end of the ops log): a request made
   * after this line is seen. */
  say ("watching %s: %u armed links, %s", bucket, pg_watcher_get_n_armed (watcher),
       pg_use_sources_get_description (watch));
  g_main_loop_run (loop);

  /* A closing under way ends, and what was seen is written, before the watcher goes: the next
   * one neither misses a use nor closes a link again. */
  g_clear_object (&result);
  pg_use_sources_stop_async (watch, pg_cli_store_result, &result);
  if (!pg_use_sources_stop_finish (watch, pg_cli_wait (&result), &error))
    say ("%s", error->message);
  say ("stopped");

  return PG_CLI_EXIT_OK;
}
