/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-watcher"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-activity-store.h"
#include "pg-error.h"
#include "pg-watcher.h"

/* The watcher closes links armed "close after first use" once their use is seen: it reads the
 * armed links from their records in the bucket, matches the requests its sources report (the
 * ops log, polling, a queue) to them, waits the link's grace and revokes it through the link
 * service (the serialized writer, verified), as precisely as the link allows. The use and the
 * closing are written into the link's record as they happen, so a watcher that is restarted
 * goes on where the last one stopped: it never closes a link twice, and a use seen before the
 * restart still closes its link.
 *
 * A request is a link's use when it is presigned (not a console download signed in headers),
 * with the link's signing key and signing time (X-Amz-Date: never our proof's, which is signed
 * when it is made), to the link's object (its private copy for one), and S3 served it. For an
 * upload link, the news that its file arrived (S3's "Object Created", or polling) is its use.
 *
 * Every request made with any recorded link, armed or not, served or refused, goes into that
 * link's activity in the bucket (pg-activity-store.c): the request is the link's when its
 * signature's fingerprint is the link's (the ops log shows it), or, where the source shows no
 * signature (CloudTrail), when it was signed with the link's key at the link's time for the
 * link's object. */

/* Requests nobody armed yet are kept this long, for a link whose record comes later. */
#define KEEP_UNMATCHED_SECONDS (10 * 60)
#define MAX_UNMATCHED          10000
/* Event ids are remembered in two generations of this many: a source that repeats itself
 * (a queue's redelivery, a log read again) is recognised, and a busy gateway's requests do not
 * pile up in memory. */
#define SEEN_GENERATION        100000
/* A record may be written this long after its link was signed (the app writes it once the link
 * is made): a request signed since the last read began, less this, may be of a link not read. */
#define RECORD_LATENESS_SECONDS 60
/* A closing that failed is tried again after this long. */
#define RETRY_SECONDS          15
/* An upload whose polls fail (no network, a server error) is asked again later each time, up
 * to this long. */
#define MAX_POLL_BACKOFF_SECONDS (5 * 60)

struct _PgWatcher
{
  GObject        parent_instance;

  PgLinkService *service;
  PgAccountContext *context;
  PgS3Client    *manager;
  PgS3Client    *signer;
  char          *bucket;
  char          *signer_arn;
  GCancellable  *cancellable;

  GHashTable    *records;    /* id → PgLinkRecord, armed */
  GHashTable    *known;      /* id → PgLinkRecord, every link recorded */
  GHashTable    *by_digest;  /* fingerprint → PgLinkRecord of known */
  GHashTable    *by_signing; /* signing_of() → PgLinkRecord of known */
  PgActivityStore *activity;
  GHashTable    *timers;     /* id → GSource id of its closing */
  GHashTable    *closing;    /* id → PgLinkJob (or itself while a revoker is made) */
  GPtrArray     *unmatched;  /* PgUseEvent */
  GHashTable    *seen;       /* event ids handled lately */
  GHashTable    *seen_before; /* …and those of the generation before (memory stays bounded) */
  GHashTable    *backoff;    /* id → PollBackoff of an upload whose polls fail */
  guint          pending;    /* record writes and polls under way */
  int            verify_timeout;
  gboolean       reloading;  /* records read again for a request nobody armed yet */
  gboolean       reload_again;
  gint64         reloaded;   /* when last, monotonic */
  gint64         loaded_at;  /* when the last read of the records began, Unix time */
  guint          reload_timer;
};

G_DEFINE_FINAL_TYPE (PgWatcher, pg_watcher, G_TYPE_OBJECT)

enum {
  LINK_USED,
  LINK_CLOSED,
  CLOSE_FAILED,
  ACTIVITY,
  PROBLEM,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
remove_timer (gpointer data)
{
  g_source_remove (GPOINTER_TO_UINT (data));
}

/* A closing's job, or nothing while the link's session is started again. */
static void
clear_job (gpointer job)
{
  if (job != NULL)
    g_object_unref (job);
}

static void
pg_watcher_dispose (GObject *object)
{
  PgWatcher *self = PG_WATCHER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->timers, g_hash_table_unref);
  g_clear_handle_id (&self->reload_timer, g_source_remove);
  if (self->activity != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->activity, self);
      pg_activity_store_cancel (self->activity);
      g_clear_object (&self->activity);
    }
  if (self->service != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->service, self);
      g_object_remove_weak_pointer (G_OBJECT (self->service), (gpointer *) &self->service);
      self->service = NULL;
    }
  g_clear_object (&self->context);
  g_clear_object (&self->manager);
  g_clear_object (&self->signer);

  G_OBJECT_CLASS (pg_watcher_parent_class)->dispose (object);
}

static void
pg_watcher_finalize (GObject *object)
{
  PgWatcher *self = PG_WATCHER (object);

  g_clear_object (&self->cancellable);
  g_free (self->bucket);
  g_free (self->signer_arn);
  g_hash_table_unref (self->records);
  g_hash_table_unref (self->by_digest);
  g_hash_table_unref (self->by_signing);
  g_hash_table_unref (self->known);
  g_hash_table_unref (self->closing);
  g_ptr_array_unref (self->unmatched);
  g_hash_table_unref (self->seen);
  g_clear_pointer (&self->seen_before, g_hash_table_unref);
  g_hash_table_unref (self->backoff);

  G_OBJECT_CLASS (pg_watcher_parent_class)->finalize (object);
}

static void
pg_watcher_class_init (PgWatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pg_watcher_dispose;
  object_class->finalize = pg_watcher_finalize;

  /* The records and events are passed as they are (static scope): a handler reads them during
   * the emission and copies what it keeps. */
  /* (PgLinkRecord *record, PgUseEvent *event): the link's first use, seen */
  signals [LINK_USED] =
    g_signal_new ("link-used", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE,
                  PG_TYPE_USE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* (PgLinkRecord *record, const char *notice): closed, verified */
  signals [LINK_CLOSED] =
    g_signal_new ("link-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING);
  /* (PgLinkRecord *record, const char *message): not closed yet; tried again */
  signals [CLOSE_FAILED] =
    g_signal_new ("close-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING);
  /* (PgLinkRecord *record, PgActivityEvent *event): a request made with the link, added to its
   * activity */
  signals [ACTIVITY] =
    g_signal_new ("activity", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK_RECORD | G_SIGNAL_TYPE_STATIC_SCOPE,
                  PG_TYPE_ACTIVITY_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* (const char *message): what went wrong, in words; tried again */
  signals [PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pg_watcher_init (PgWatcher *self)
{
  self->cancellable = g_cancellable_new ();
  self->records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) pg_link_record_free);
  self->known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) pg_link_record_free);
  self->by_digest = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_signing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->timers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, remove_timer);
  self->closing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, clear_job);
  self->unmatched = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->backoff = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->verify_timeout = -1;
}

/* How long a closing waits for its proof (the revoker's default when negative). */
void
pg_watcher_set_verify_timeout (PgWatcher *self,
                               int        seconds)
{
  self->verify_timeout = seconds;
}

static void job_finished_cb (PgWatcher *self, PgLinkJob *job);

static void
activity_problem_cb (PgWatcher  *self,
                     const char *message)
{
  g_signal_emit (self, signals [PROBLEM], 0, message);
}

/**
 * pg_watcher_new:
 * @service: the link service whose serialized writer revokes
 * @context: the account watched: its bucket, its managing key (reads and writes the records,
 *   revokes) and its signing key (proves; starts a link's session again)
 */
PgWatcher *
pg_watcher_new (PgLinkService    *service,
                PgAccountContext *context)
{
  PgWatcher *self = g_object_new (PG_TYPE_WATCHER, NULL);

  /* Not held: the service may own the watcher (its own watcher, pg-link-service-watch.c). */
  self->service = service;
  g_object_add_weak_pointer (G_OBJECT (service), (gpointer *) &self->service);
  self->context = g_object_ref (context);
  self->manager = g_object_ref (pg_account_context_get_manager (context));
  self->signer = g_object_ref (pg_account_context_get_signer_client (context));
  self->bucket = g_strdup (pg_account_context_get_bucket (context));
  self->signer_arn = g_strdup (pg_account_context_get_signer_arn (context));
  self->activity = pg_activity_store_new (self->manager, self->bucket);
  g_signal_connect_swapped (self->activity, "problem", G_CALLBACK (activity_problem_cb), self);
  g_signal_connect_swapped (service, "job-finished", G_CALLBACK (job_finished_cb), self);

  return self;
}

/* ---- Records ------------------------------------------------------------------------------ */

static void write_record_try (PgWatcher *self, PgLinkRecord *record, guint tries);

/* Work on the link @id under way: it holds the watcher. */
typedef struct
{
  PgWatcher *watcher;
  char      *id;
  guint      tries;
} LinkWait;

static gboolean
write_again_cb (gpointer user_data)
{
  PgWatcher *self = PG_WATCHER (g_object_get_data (user_data, "watcher"));
  const char *id = g_object_get_data (user_data, "id");
  g_autofree char *timer_key = g_strconcat ("write:", id, NULL);
  g_autofree char *stolen_key = NULL;
  PgLinkRecord *record = g_hash_table_lookup (self->records, id);

  /* The timer is over: forgotten without removing its source, which ends by returning. */
  g_hash_table_steal_extended (self->timers, timer_key, (gpointer *) &stolen_key, NULL);
  self->pending--;
  if (record != NULL)
    write_record_try (self, record,
                      GPOINTER_TO_UINT (g_object_get_data (user_data, "tries")) + 1);

  return G_SOURCE_REMOVE;
}

static void
record_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LinkWait *wait = user_data;
  g_autoptr(PgWatcher) self = wait->watcher;
  g_autofree char *id = wait->id;
  guint tries = wait->tries;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *timer_key = NULL;
  GObject *data;

  g_free (wait);
  timer_key = g_strconcat ("write:", id, NULL);
  /* Written; or to be written by a try already waiting (it writes the record as it is then). */
  if (pg_link_record_save_finish (result, &error)
      || g_cancellable_is_cancelled (self->cancellable)
      || g_hash_table_contains (self->timers, timer_key))
    {
      self->pending--;
      return;
    }

  /* Not written (no network, a server error): written again a little later, the watcher not
   * settled meanwhile, so what it read is not kept as handled (a watcher started again would
   * see the use again). */
  message = g_strdup_printf (_("A link’s record was not written (tried again): %s"),
                             error->message);
  g_signal_emit (self, signals [PROBLEM], 0, message);
  data = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (data, "watcher", self);
  g_object_set_data_full (data, "id", g_strdup (id), g_free);
  g_object_set_data (data, "tries", GUINT_TO_POINTER (tries));
  g_hash_table_replace (self->timers, g_steal_pointer (&timer_key),
                        GUINT_TO_POINTER (g_timeout_add_seconds_full (
                          G_PRIORITY_DEFAULT, MIN (RETRY_SECONDS, 1u << MIN (tries, 4)),
                          write_again_cb, data, g_object_unref)));
}

static void
write_record_try (PgWatcher    *self,
                  PgLinkRecord *record,
                  guint         tries)
{
  LinkWait *wait = g_new0 (LinkWait, 1);

  wait->watcher = g_object_ref (self);
  wait->id = g_strdup (record->id);
  wait->tries = tries;
  self->pending++;
  pg_link_record_save_async (record, self->manager, self->cancellable, record_written_cb, wait);
}

/* Writes @record into the bucket, again and again until it is written. */
static void
write_record (PgWatcher    *self,
              PgLinkRecord *record)
{
  write_record_try (self, record, 0);
}

/* ---- Closing ------------------------------------------------------------------------------ */

static void schedule_close (PgWatcher *self, PgLinkRecord *record, gint64 delay);
static void poll_record (PgWatcher *self, PgLinkRecord *record);
static void reload (PgWatcher *self);

static void
close_with (PgWatcher    *self,
            PgLinkRecord *record,
            PgRevoker    *revoker)
{
  PgPolicyTarget target = {
    record->copy_key != NULL ? record->copy_key : record->key,
    record->arming == PG_LINK_ARMING_UPLOAD ? PG_POLICY_ACTION_PUT : PG_POLICY_ACTION_GET,
  };
  PgLinkJob *job;

  if (self->service == NULL)
    return;
  if (self->verify_timeout >= 0)
    pg_revoker_set_verify_timeout (revoker, self->verify_timeout);
  job = pg_link_service_revoke_targets (self->service, revoker, record->bucket, &target, 1,
                                        TRUE);

  g_hash_table_replace (self->closing, g_strdup (record->id), job);
}

static void
failed (PgWatcher    *self,
        PgLinkRecord *record,
        const char   *message)
{
  g_hash_table_remove (self->closing, record->id);
  g_signal_emit (self, signals [CLOSE_FAILED], 0, record, message);
  schedule_close (self, record, RETRY_SECONDS);
}

static void
revoker_chosen_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LinkWait *wait = user_data;
  g_autoptr(PgWatcher) self = wait->watcher;
  g_autofree char *id = wait->id;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  PgLinkRecord *record;

  revoker = pg_account_context_revoker_for_record_finish (PG_ACCOUNT_CONTEXT (source), result,
                                                          &error);
  g_free (wait);
  self->pending--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || !(record = g_hash_table_lookup (self->records, id)))
    return;

  if (revoker == NULL)
    failed (self, record, error->message);
  else
    close_with (self, record, revoker);
}

/* Revokes @record's link as precisely as it allows (its session, its copy, or its object),
 * with the revoker the account chooses for it: the same choice as the app's and the command
 * line's. */
static void
revoke_link (PgWatcher    *self,
             PgLinkRecord *record)
{
  LinkWait *wait = g_new0 (LinkWait, 1);

  wait->watcher = g_object_ref (self);
  wait->id = g_strdup (record->id);
  g_hash_table_replace (self->closing, g_strdup (record->id), NULL);
  self->pending++;
  pg_account_context_revoker_for_record_async (self->context, record, NULL, self->cancellable,
                                               revoker_chosen_cb, wait);
}

static void
record_checked_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  LinkWait *wait = user_data;
  g_autoptr(PgWatcher) self = wait->watcher;
  g_autofree char *id = wait->id;
  g_autoptr(PgLinkRecord) there = pg_link_record_load_finish (result, NULL);
  PgLinkRecord *record;

  g_free (wait);
  self->pending--;
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  g_hash_table_remove (self->closing, id);
  if (!(record = g_hash_table_lookup (self->records, id)))
    return;

  /* Closed meanwhile by another watcher (the app's and an always-on one may both watch for a
   * moment): not revoked again. Not read (no network): revoked all the same. */
  if (there != NULL && there->closed_at != 0)
    record->closed_at = there->closed_at;
  else
    revoke_link (self, record);
}

/* Closes @record's link, unless its record in the bucket says it is closed already. */
static void
close_link (PgWatcher    *self,
            PgLinkRecord *record)
{
  LinkWait *wait;

  if (g_hash_table_contains (self->closing, record->id) || record->closed_at != 0)
    return;

  wait = g_new0 (LinkWait, 1);
  wait->watcher = g_object_ref (self);
  wait->id = g_strdup (record->id);
  g_hash_table_replace (self->closing, g_strdup (record->id), NULL);
  self->pending++;
  pg_link_record_load_async (self->manager, record->bucket, record->id, self->cancellable,
                             record_checked_cb, wait);
}

static void
job_finished_cb (PgWatcher *self,
                 PgLinkJob *job)
{
  GHashTableIter iter;
  const char *id;
  gpointer value;
  PgLinkRecord *record;
  const GError *error = pg_link_job_get_error (job);

  g_hash_table_iter_init (&iter, self->closing);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, &value))
    {
      if (value == job)
        break;
      id = NULL;
    }
  if (id == NULL || !(record = g_hash_table_lookup (self->records, id)))
    return;

  /* Only a proven revocation closes the link; anything else is tried again. */
  if (error != NULL)
    {
      failed (self, record, error->message);
      return;
    }

  g_hash_table_remove (self->closing, record->id);
  record->closed_at = pg_s3_client_get_now (self->manager);
  write_record (self, record);
  g_signal_emit (self, signals [LINK_CLOSED], 0, record, pg_link_job_get_notice (job));
}

static gboolean
close_due_cb (gpointer user_data)
{
  PgWatcher *self = PG_WATCHER (g_object_get_data (user_data, "watcher"));
  const char *id = g_object_get_data (user_data, "id");
  PgLinkRecord *record = g_hash_table_lookup (self->records, id);
  g_autofree char *timer_key = NULL;

  /* The timer is over: forgotten without removing its source, which ends by returning. */
  g_hash_table_steal_extended (self->timers, id, (gpointer *) &timer_key, NULL);
  if (record != NULL)
    close_link (self, record);

  return G_SOURCE_REMOVE;
}

static void
schedule_close (PgWatcher    *self,
                PgLinkRecord *record,
                gint64        delay)
{
  GObject *data;
  guint source;

  if (g_hash_table_contains (self->timers, record->id) || record->closed_at != 0)
    return;

  /* What the timer needs, without holding the watcher (its dispose removes the timer). */
  data = g_object_new (G_TYPE_OBJECT, NULL);
  g_object_set_data (data, "watcher", self);
  g_object_set_data_full (data, "id", g_strdup (record->id), g_free);
  source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) CLAMP (delay, 0, G_MAXINT / 1000) * 1000,
                               close_due_cb, data, g_object_unref);
  g_hash_table_replace (self->timers, g_strdup (record->id), GUINT_TO_POINTER (source));
}

/* ---- Uses --------------------------------------------------------------------------------- */

static gboolean
is_use_of (PgUseEvent   *event,
           PgLinkRecord *record)
{
  gboolean upload = record->arming == PG_LINK_ARMING_UPLOAD;

  /* The news that an upload arrived names no link: the file is the link's. */
  if (event->object_created)
    return upload && g_strcmp0 (event->bucket, record->bucket) == 0
           && g_strcmp0 (event->key, record->key) == 0;

  /* Where the source shows the signature, only this very link's requests are its uses: a
   * forged log line, or another link of the signer to the file, closes nothing. */
  if (event->digest != NULL && record->digest != NULL
      && !g_str_equal (event->digest, record->digest))
    return FALSE;

  return event->presigned && event->status >= 200 && event->status < 300
         && g_strcmp0 (event->bucket, record->bucket) == 0
         && g_strcmp0 (event->method, upload ? "PUT" : "GET") == 0
         && g_strcmp0 (event->access_key_id, record->access_key_id) == 0
         && event->signed_at == record->created
         && g_strcmp0 (event->key, record->copy_key ? record->copy_key : record->key) == 0;
}

static void
mark_used (PgWatcher    *self,
           PgLinkRecord *record,
           PgUseEvent   *event)
{
  gboolean upload = record->arming == PG_LINK_ARMING_UPLOAD;

  record->used_at = event->time != 0 ? event->time : pg_s3_client_get_now (self->manager);
  g_free (record->used_by);
  record->used_by = g_strdup (event->remote_addr);
  write_record (self, record);
  g_signal_emit (self, signals [LINK_USED], 0, record, event);

  schedule_close (self, record,
                  upload ? 0 : record->used_at + record->grace
                               - pg_s3_client_get_now (self->manager));
}

/* What a source that shows no signature tells a link's requests by: the key it was signed
 * with, when, and for which object. */
static char *
signing_of (const char *access_key_id,
            gint64      signed_at,
            const char *key)
{
  return g_strdup_printf ("%s\n%" G_GINT64_FORMAT "\n%s", access_key_id ? access_key_id : "",
                          signed_at, key ? key : "");
}

/* The recorded link @event was made with, if any. */
static PgLinkRecord *
owner_of (PgWatcher  *self,
          PgUseEvent *event)
{
  PgLinkRecord *record = NULL;

  if (!event->presigned || event->object_created || event->hint)
    return NULL;

  if (event->digest != NULL)
    record = g_hash_table_lookup (self->by_digest, event->digest);
  if (record == NULL)
    {
      g_autofree char *signing = signing_of (event->access_key_id, event->signed_at,
                                             event->key);

      record = g_hash_table_lookup (self->by_signing, signing);
      /* The source shows another signature than the link's: not this link. */
      if (record != NULL && record->digest != NULL && event->digest != NULL)
        record = NULL;
    }

  if (record == NULL || g_strcmp0 (event->bucket, record->bucket) != 0
      || g_strcmp0 (event->key, record->copy_key ? record->copy_key : record->key) != 0)
    return NULL;

  return record;
}

/* Adds @event to the activity of the link it was made with, once. */
static void
record_activity (PgWatcher  *self,
                 PgUseEvent *event)
{
  PgLinkRecord *record = event->recorded ? NULL : owner_of (self, event);
  g_autoptr(PgActivityEvent) activity = NULL;

  if (record == NULL)
    return;

  event->recorded = TRUE;
  activity = pg_activity_event_new_for_use (event);
  pg_activity_store_add (self->activity, record->id, activity);
  g_signal_emit (self, signals [ACTIVITY], 0, record, activity);
}

/* Counts @event, a download of @record's link, towards the link's limit of whole downloads: the
 * bytes sent over the file's size, so that a download resumed or made in pieces counts once
 * (where the source says no bytes, a full answer counts whole); written into the record.
 * Returns: whether the link is used up (always, for a link of one use) */
static gboolean
used_up (PgWatcher    *self,
         PgLinkRecord *record,
         PgUseEvent   *event)
{
  if (record->arming != PG_LINK_ARMING_DOWNLOAD || record->uses <= 1)
    return TRUE;

  if (record->size > 0)
    {
      record->served += event->bytes_sent > 0 ? event->bytes_sent
                                              : event->status == 200 ? record->size : 0;
      record->downloads = (guint) MIN (record->served / record->size, G_MAXUINT);
    }
  else if (event->status == 200)
    {
      record->downloads++;
    }
  write_record (self, record);

  return record->downloads >= record->uses;
}

/* Returns: whether @event was the first use of an armed link */
static gboolean
match (PgWatcher  *self,
       PgUseEvent *event)
{
  GHashTableIter iter;
  PgLinkRecord *record;

  g_hash_table_iter_init (&iter, self->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    {
      if (record->used_at == 0 && is_use_of (event, record))
        {
          /* News that proves nothing: S3 is asked whether the file is there. */
          if (event->hint)
            poll_record (self, record);
          else if (used_up (self, record, event))
            mark_used (self, record, event);
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * pg_watcher_handle_events:
 * @events: (element-type PgUseEvent): requests a source saw
 *
 * Adds the requests made with recorded links to their activities, and matches them to the
 * armed links: the first use of each is written into its record and its closing is scheduled.
 * A request seen before (by its id) is ignored; one that matches no recorded link yet is kept a
 * while, for a link whose record arrives later.
 */
void
pg_watcher_handle_events (PgWatcher *self,
                          GPtrArray *events)
{
  gint64 now = pg_s3_client_get_now (self->manager);

  for (guint i = 0; i < events->len; i++)
    {
      PgUseEvent *event = g_ptr_array_index (events, i);
      gint64 when;

      if (event->id == NULL
          || (self->seen_before != NULL && g_hash_table_contains (self->seen_before, event->id))
          || !g_hash_table_add (self->seen, g_strdup (event->id)))
        continue;
      if (g_hash_table_size (self->seen) >= SEEN_GENERATION)
        {
          g_clear_pointer (&self->seen_before, g_hash_table_unref);
          self->seen_before = g_steal_pointer (&self->seen);
          self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        }
      if ((!event->presigned && !event->object_created)
          || g_strcmp0 (event->bucket, self->bucket) != 0)
        continue;

      /* Made with a link recorded, armed or not; the first use of an armed one closes it. One
       * that is no armed link's use is kept a while all the same: its link may be armed since
       * the records were read. */
      record_activity (self, event);
      if (match (self, event) || self->unmatched->len >= MAX_UNMATCHED)
        continue;

      /* Perhaps a link armed since the records were read: read them again now, but only for a
       * request signed (a file arrived) since then; any other was of a link already read. */
      when = event->signed_at != 0 ? event->signed_at : event->time;
      g_ptr_array_add (self->unmatched, g_steal_pointer (&events->pdata[i]));
      if (when == 0 || when >= self->loaded_at - RECORD_LATENESS_SECONDS)
        reload (self);
    }

  /* Requests too old to be kept. */
  for (guint i = self->unmatched->len; i > 0; i--)
    {
      PgUseEvent *event = g_ptr_array_index (self->unmatched, i - 1);

      if (event->time != 0 && event->time < now - KEEP_UNMATCHED_SECONDS)
        g_ptr_array_remove_index (self->unmatched, i - 1);
    }
}

static void
rematch (PgWatcher *self)
{
  for (guint i = self->unmatched->len; i > 0; i--)
    {
      PgUseEvent *event = g_ptr_array_index (self->unmatched, i - 1);

      record_activity (self, event);
      if (match (self, event))
        g_ptr_array_remove_index (self->unmatched, i - 1);
    }
}

/* ---- Loading ------------------------------------------------------------------------------ */

/* Every link recorded in the bucket, for its activity: as @records say now. */
static void
know (PgWatcher *self,
      GPtrArray *records)
{
  g_hash_table_remove_all (self->by_digest);
  g_hash_table_remove_all (self->by_signing);
  g_hash_table_remove_all (self->known);
  for (guint i = 0; i < records->len; i++)
    {
      PgLinkRecord *record = pg_link_record_copy (g_ptr_array_index (records, i));

      if (!pg_link_id_is_valid (record->id) || g_strcmp0 (record->bucket, self->bucket) != 0)
        {
          pg_link_record_free (record);
          continue;
        }
      g_hash_table_replace (self->known, g_strdup (record->id), record);
      if (record->digest != NULL)
        g_hash_table_replace (self->by_digest, record->digest, record);
      g_hash_table_replace (self->by_signing,
                            signing_of (record->access_key_id, record->created,
                                        record->copy_key ? record->copy_key : record->key),
                            record);
    }
}

static void
records_listed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgWatcher *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = pg_link_record_list_finish (result, &error);
  gint64 now;

  if (records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  know (self, records);
  now = pg_s3_client_get_now (self->manager);
  for (guint i = 0; i < records->len; i++)
    {
      PgLinkRecord *record = g_ptr_array_index (records, i);
      PgLinkRecord *known = g_hash_table_lookup (self->records, record->id);

      /* Not armed, done, or expired unused: nothing to watch. */
      if (record->arming == PG_LINK_ARMING_NONE || record->closed_at != 0
          || (record->used_at == 0 && record->expires < now))
        continue;
      /* What this watcher saw and has not written yet counts. */
      if (known != NULL && known->used_at != 0)
        continue;
      if (known != NULL && known->served > record->served)
        {
          record->served = known->served;
          record->downloads = known->downloads;
        }

      g_ptr_array_index (records, i) = NULL;
      g_hash_table_replace (self->records, g_strdup (record->id), record);
      /* Used before a restart, not closed yet: closed when its grace is over. */
      if (record->used_at != 0)
        schedule_close (self, record, record->used_at + record->grace - now);
    }

  rematch (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * pg_watcher_load_async:
 *
 * Reads the armed links from the bucket's link records (again: links armed since are added).
 * A link whose use was seen before, and which was not closed yet, is closed once its grace is
 * over.
 */
void
pg_watcher_load_async (PgWatcher           *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_watcher_load_async);
  self->loaded_at = pg_s3_client_get_now (self->manager);
  pg_link_record_list_async (self->manager, self->bucket, cancellable, records_listed_cb, task);
}

gboolean
pg_watcher_load_finish (PgWatcher     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
reloaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgWatcher) self = user_data;
  g_autoptr(GError) error = NULL;

  self->pending--;
  self->reloading = FALSE;
  if (!pg_watcher_load_finish (self, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("The links’ records were not read: %s"),
                                                      error->message);

          g_signal_emit (self, signals [PROBLEM], 0, message);
        }
      return;
    }

  /* A request came meanwhile: its link may have been armed after this read began. */
  if (self->reload_again)
    {
      self->reload_again = FALSE;
      reload (self);
    }
}

static gboolean
reload_due_cb (gpointer user_data)
{
  PgWatcher *self = user_data;

  self->reload_timer = 0;
  reload (self);

  return G_SOURCE_REMOVE;
}

/* Reads the records again: at once, or as soon as the last read is a second old (never a
 * request left waiting for the regular reread). */
static void
reload (PgWatcher *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->reloading)
    {
      self->reload_again = TRUE;
      return;
    }
  if (now - self->reloaded < G_USEC_PER_SEC)
    {
      if (self->reload_timer == 0)
        self->reload_timer = g_timeout_add ((guint) ((self->reloaded + G_USEC_PER_SEC - now)
                                                     / 1000) + 1,
                                            reload_due_cb, self);
      return;
    }

  self->reloading = TRUE;
  self->reloaded = now;
  self->pending++;
  pg_watcher_load_async (self, self->cancellable, reloaded_cb, g_object_ref (self));
}

/* ---- Uploads, by polling ------------------------------------------------------------------ */

typedef struct
{
  gint64 seconds;  /* how long the last wait was */
  gint64 next;     /* monotonic time of the next poll */
} PollBackoff;

static void
head_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  LinkWait *poll = user_data;
  g_autoptr(PgWatcher) self = poll->watcher;
  g_autofree char *id = poll->id;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  &error);
  PgLinkRecord *record;

  g_free (poll);
  self->pending--;
  /* Not there yet is an answer; anything else waits longer each time before it is asked. */
  if (object == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      PollBackoff *backoff = g_hash_table_lookup (self->backoff, id);

      if (backoff == NULL)
        {
          backoff = g_new0 (PollBackoff, 1);
          g_hash_table_replace (self->backoff, g_strdup (id), backoff);
        }
      backoff->seconds = CLAMP (backoff->seconds * 2, 10, MAX_POLL_BACKOFF_SECONDS);
      backoff->next = g_get_monotonic_time () + backoff->seconds * G_USEC_PER_SEC;
    }
  else
    {
      g_hash_table_remove (self->backoff, id);
    }
  record = g_hash_table_lookup (self->records, id);
  if (object != NULL && record != NULL && record->used_at == 0)
    {
      g_autoptr(PgUseEvent) event = pg_use_event_new ();

      event->time = object->last_modified ? g_date_time_to_unix (object->last_modified) : 0;
      mark_used (self, record, event);
    }
}

/* Asks S3 whether @record's file has arrived. */
static void
poll_record (PgWatcher    *self,
             PgLinkRecord *record)
{
  LinkWait *poll = g_new0 (LinkWait, 1);

  poll->watcher = g_object_ref (self);
  poll->id = g_strdup (record->id);
  self->pending++;
  pg_s3_client_head_object_async (self->manager, record->bucket, record->key, self->cancellable,
                                  head_cb, poll);
}

/**
 * pg_watcher_poll_uploads:
 *
 * Asks S3 whether the files of armed upload links have arrived (HeadObject): works with any
 * server. An arrived file marks its link received, and the link is closed. A link whose last
 * poll failed (not "no such key": no network, a server error) is skipped until its backoff is
 * over (doubled each time, 5 minutes at most).
 */
void
pg_watcher_poll_uploads (PgWatcher *self)
{
  GHashTableIter iter;
  PgLinkRecord *record;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, self->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    {
      PollBackoff *backoff = g_hash_table_lookup (self->backoff, record->id);

      if (record->arming == PG_LINK_ARMING_UPLOAD && record->used_at == 0
          && (backoff == NULL || now >= backoff->next))
        poll_record (self, record);
    }
}

/* How many links are armed and not closed yet. */
guint
pg_watcher_get_n_armed (PgWatcher *self)
{
  GHashTableIter iter;
  PgLinkRecord *record;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->records);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &record))
    n += record->closed_at == 0;

  return n;
}

PgS3Client *
pg_watcher_get_manager (PgWatcher *self)
{
  return self->manager;
}

/* Whether every record write, poll, session start, closing and activity write under way is
 * done (a link waiting for its grace is not under way). */
gboolean
pg_watcher_is_settled (PgWatcher *self)
{
  return self->pending == 0 && g_hash_table_size (self->closing) == 0
         && pg_activity_store_is_settled (self->activity);
}

/* ---- Heartbeat ---------------------------------------------------------------------------- */

/**
 * pg_watcher_beat_async:
 * @source: what the watcher reads, in words ("ops log /var/log/ceph/ops.log")
 * @started: when it started (Unix time)
 * @stopped: the last word of a watcher that stops: nobody watches any more
 *
 * Writes the watcher's heartbeat into the bucket (PG_WATCHER_HEARTBEAT_KEY): who watches, with
 * what, since when, how many links are armed, and when it last said so. Whoever reads it knows
 * whether an always-on watcher is alive.
 */
void
pg_watcher_beat_async (PgWatcher           *self,
                       const char          *source,
                       gint64               started,
                       gboolean             stopped,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc (started);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (pg_s3_client_get_now (self->manager));
  g_autofree char *since_text = g_date_time_format_iso8601 (since);
  g_autofree char *now_text = g_date_time_format_iso8601 (now);
  g_autoptr(GBytes) body = NULL;
  char *json;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "presign-guard watcher 1");
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, g_get_host_name ());
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_set_member_name (builder, "started");
  json_builder_add_string_value (builder, since_text);
  json_builder_set_member_name (builder, "beat");
  json_builder_add_string_value (builder, now_text);
  json_builder_set_member_name (builder, "armed");
  json_builder_add_int_value (builder, pg_watcher_get_n_armed (self));
  json_builder_set_member_name (builder, "stopped");
  json_builder_add_boolean_value (builder, stopped);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  body = g_bytes_new_take (json, strlen (json));

  pg_s3_client_put_bytes_async (self->manager, self->bucket, PG_WATCHER_HEARTBEAT_KEY, body,
                                "application/json", PG_S3_PUT_NO_STORE, cancellable, callback,
                                user_data);
}

gboolean
pg_watcher_beat_finish (PgWatcher     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  return pg_s3_client_put_bytes_finish (self->manager, result, error);
}

/**
 * pg_watcher_heartbeat_time:
 * @heartbeat: the heartbeat object's contents (PG_WATCHER_HEARTBEAT_KEY)
 *
 * Returns: when the watcher last said it is alive (Unix time), 0 when the text is no heartbeat
 *   or the watcher said it stopped
 */
gint64
pg_watcher_heartbeat_time (GBytes *heartbeat)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) beat = NULL;
  JsonObject *object = pg_json_document (parser, heartbeat, "presign-guard watcher 1");

  if (object == NULL || json_object_get_boolean_member_with_default (object, "stopped", FALSE))
    return 0;
  beat = g_date_time_new_from_iso8601 (json_object_get_string_member_with_default (object,
                                                                                  "beat", ""),
                                       NULL);

  return beat != NULL ? g_date_time_to_unix (beat) : 0;
}

/* Whether nothing is under way: no closing, no record or activity being written, no poll. */
gboolean
pg_watcher_is_idle (PgWatcher *self)
{
  return self->pending == 0 && g_hash_table_size (self->closing) == 0
         && g_hash_table_size (self->timers) == 0 && pg_activity_store_is_settled (self->activity);
}
