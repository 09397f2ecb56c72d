/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-activity-store.h"
#include "pg-link-service-private.h"
#include "pg-use-sources.h"

/* The app's own watcher, owned by the link service (not by a window: closing one never stops
 * it). While an account is watched (pg_link_service_watch()), the service looks every few
 * seconds at the records of its armed links (what any watcher saw: who used a link, that it
 * closed it) and at the always-on watcher's heartbeat. When no always-on watcher is alive, the
 * service closes the armed links itself: uploads by asking whether their files arrived,
 * downloads where the account names a source that reports them (the gateway's ops log, an SQS
 * queue). "watch-mode", "watch-seen-at" and "watch-problem" say how it stands; a link that closed
 * itself is announced with "link-closed-itself".
 *
 * Every link of the account, armed or not, is watched for its activity until a day after it
 * expires: each look lists the bucket's activities and reads those that changed into their
 * links ("activity"); what the own watcher records is added at once. A request seen since the
 * service began watching is announced with "link-activity". */

/* How often the records of armed links, and the always-on watcher's heartbeat, are read. */
#define LOOK_SECONDS 10
/* A heartbeat older than this is a watcher that stopped. */
#define BEAT_STALE_SECONDS 180
/* How often the own watcher asks whether armed uploads have arrived. */
#define POLL_SECONDS 10
/* How long after its expiry a link is still watched: a try of an expired link is still told. */
#define WATCH_AFTER_EXPIRY_SECONDS 86400

struct _PgLinkWatching
{
  PgAccountContext *context;
  GCancellable     *cancellable;
  guint             timer;
  gboolean          looking;
  gboolean          reading;    /* the activities */
  guint             armed;      /* armed links not closed, when the look began */
  GHashTable       *etags;      /* link id → ETag of its activity as last read */
  gint64            since;      /* when watching began (Unix time) */
  PgUseSources     *sources;    /* the own watcher, while no always-on one is alive */
  PgLinkWatchMode   mode;
  gint64            seen_at;
  char             *problem;    /* since the last look */
  char             *problem_shown;
};

static void
notify_watch (PgLinkService *self)
{
  g_object_notify_by_pspec (G_OBJECT (self),
                            _pg_link_service_properties [PG_LINK_SERVICE_PROP_WATCH_MODE]);
  g_object_notify_by_pspec (G_OBJECT (self),
                            _pg_link_service_properties [PG_LINK_SERVICE_PROP_WATCH_SEEN_AT]);
  g_object_notify_by_pspec (G_OBJECT (self),
                            _pg_link_service_properties [PG_LINK_SERVICE_PROP_WATCH_PROBLEM]);
}

/* The armed links of the account watched that are not closed yet. */
static guint
count_armed (PgLinkService *self)
{
  GListModel *links = pg_link_service_get_links (self);
  const char *account_id = pg_account_context_get_account_id (self->watching->context);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (pg_link_get_arming (link) != PG_LINK_ARMING_NONE && pg_link_get_closed_at (link) == 0
          && pg_link_get_expires_at (link) > now
          && g_strcmp0 (pg_link_get_account_id (link), account_id) == 0)
        n++;
    }

  return n;
}

/* The links of the account watched for their activity: until a day after they expire. */
static guint
count_watched (PgLinkService *self)
{
  GListModel *links = pg_link_service_get_links (self);
  const char *account_id = pg_account_context_get_account_id (self->watching->context);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (pg_link_get_expires_at (link) + WATCH_AFTER_EXPIRY_SECONDS > now
          && g_strcmp0 (pg_link_get_account_id (link), account_id) == 0)
        n++;
    }

  return n;
}

/* @activity onto its link; the requests the link did not have yet, and that came since the
 * service began watching, are announced. */
static void
apply_activity (PgLinkService    *self,
                PgLink           *link,
                const PgActivity *activity)
{
  const PgActivity *before = pg_link_get_activity (link);
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PgActivity) had = before != NULL ? pg_activity_copy (before) : NULL;

  for (guint i = 0; had != NULL && i < had->events->len; i++)
    g_hash_table_add (known, ((PgActivityEvent *) had->events->pdata[i])->id);
  if (!pg_link_set_activity (link, activity))
    return;

  for (guint i = 0; i < activity->events->len; i++)
    {
      PgActivityEvent *event = g_ptr_array_index (activity->events, i);

      if (!g_hash_table_contains (known, event->id) && event->time >= self->watching->since)
        g_signal_emit (self, _pg_link_service_signals [PG_LINK_SERVICE_LINK_ACTIVITY], 0, link,
                       event);
    }
}

/* A request the own watcher recorded: on its link at once, not at the next look. */
static void
watched_activity_cb (PgWatcher       *watcher,
                     PgLinkRecord    *record,
                     PgActivityEvent *event,
                     gpointer         user_data)
{
  PgLinkService *self = user_data;
  PgLink *link = pg_link_service_find (self, record->id);
  g_autoptr(PgActivity) activity = NULL;

  if (link == NULL)
    return;
  activity = pg_link_get_activity (link) != NULL ? pg_activity_copy (pg_link_get_activity (link))
                                                 : pg_activity_new ();
  if (pg_activity_add (activity, event))
    apply_activity (self, link, activity);
}

/* What a watcher wrote about a link (who used it, that it closed) onto the remembered link; a
 * link that closed itself just now is announced. Returns: whether the link changed */
static gboolean
apply_use (PgLinkService      *self,
           const PgLinkRecord *record)
{
  PgLink *link = pg_link_service_find (self, record->id);
  gboolean counted = FALSE;
  gboolean closed_now;

  /* A link of several downloads: how many so far. */
  if (link != NULL && record->uses > 1 && pg_link_get_downloads (link) != record->downloads)
    {
      pg_link_set_downloads (link, record->downloads);
      counted = TRUE;
    }
  if (link == NULL || record->used_at == 0
      || (pg_link_get_used_at (link) == record->used_at
          && pg_link_get_closed_at (link) == record->closed_at))
    return counted;

  closed_now = record->closed_at != 0 && pg_link_get_closed_at (link) == 0;
  pg_link_set_use (link, record->used_at, record->used_by, record->closed_at);
  if (closed_now)
    g_signal_emit (self, _pg_link_service_signals [PG_LINK_SERVICE_LINK_CLOSED_ITSELF], 0, link);

  return TRUE;
}

static void
watched_use_cb (PgWatcher    *watcher,
                PgLinkRecord *record,
                gpointer      event_or_notice,
                gpointer      user_data)
{
  PgLinkService *self = user_data;

  if (apply_use (self, record))
    pg_link_service_save (self);
}

/* Something the own watcher could not do (it tries again): shown after the next look. */
static void
sources_problem_cb (PgUseSources *sources,
                    const char   *message,
                    gpointer      user_data)
{
  PgLinkService *self = user_data;

  g_free (self->watching->problem);
  self->watching->problem = g_strdup (message);
}

static void
sources_stopped_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pg_use_sources_stop_finish (PG_USE_SOURCES (source), result, &error))
    g_warning ("%s", error->message);
}

/* The own watcher stops (a closing under way ends first, on its own). */
static void
stop_sources (PgLinkService *self)
{
  PgLinkWatching *watching = self->watching;

  if (watching->sources == NULL)
    return;

  g_signal_handlers_disconnect_by_data (pg_use_sources_get_watcher (watching->sources), self);
  g_signal_handlers_disconnect_by_data (watching->sources, self);
  pg_use_sources_stop_async (watching->sources, sources_stopped_cb, NULL);
  g_clear_object (&watching->sources);
}

static void
start_sources (PgLinkService *self)
{
  PgLinkWatching *watching = self->watching;
  PgAccountContext *context = watching->context;
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GError) error = NULL;

  if (watching->sources != NULL)
    return;

  watcher = pg_watcher_new (self, context);
  watching->sources = pg_use_sources_new (watcher);
  pg_use_sources_add_polling (watching->sources, POLL_SECONDS);
  if (pg_account_context_get_ops_log_path (context) != NULL)
    {
      /* Where the app read up to, kept: a use while it was closed is seen when it opens. */
      g_autofree char *name = g_strdup_printf ("ops-log-%s",
                                               pg_account_context_get_account_id (context));
      g_autofree char *dir = g_build_filename (g_get_user_state_dir (), "presign-guard", NULL);
      g_autofree char *state = g_build_filename (dir, name, NULL);

      g_mkdir_with_parents (dir, 0700);
      if (!pg_use_sources_add_ops_log (watching->sources,
                                       pg_account_context_get_ops_log_path (context), state, 1,
                                       &error))
        sources_problem_cb (watching->sources, error->message, self);
    }
  if (pg_account_context_get_queue_url (context) != NULL)
    pg_use_sources_add_queue (watching->sources, pg_account_context_get_queue_url (context));
  g_signal_connect (watcher, "link-used", G_CALLBACK (watched_use_cb), self);
  g_signal_connect (watcher, "link-closed", G_CALLBACK (watched_use_cb), self);
  g_signal_connect (watcher, "activity", G_CALLBACK (watched_activity_cb), self);
  g_signal_connect (watching->sources, "problem", G_CALLBACK (sources_problem_cb), self);
  pg_use_sources_start (watching->sources);
}

static void
heartbeat_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) beat = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                           &error);
  PgLinkService *self;
  PgLinkWatching *watching;
  gint64 at;
  gboolean alive;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  watching = self->watching;
  watching->looking = FALSE;
  at = beat != NULL ? pg_watcher_heartbeat_time (beat) : 0;
  alive = at != 0 && g_get_real_time () / G_USEC_PER_SEC - at < BEAT_STALE_SECONDS;

  /* An always-on watcher closes the links and writes their activity: the own one is not
   * needed. Without one, the own one runs for armed links, and for the activity of any where
   * the server reports downloads. */
  if (alive)
    stop_sources (self);
  else if (watching->armed > 0 || pg_account_context_reports_downloads (watching->context))
    start_sources (self);
  else
    stop_sources (self);

  /* Who closes armed links: nobody while there were none when the look began (a link that
   * closed during it is still said closed by whoever closed it, until the next look). What the
   * own watcher could not do meanwhile (it may run for the activity) is shown once there are. */
  if (watching->armed == 0)
    {
      watching->mode = PG_LINK_WATCH_NONE;
      watching->seen_at = 0;
      g_clear_pointer (&watching->problem_shown, g_free);
      notify_watch (self);
      return;
    }

  watching->mode = alive ? PG_LINK_WATCH_ALWAYS_ON : PG_LINK_WATCH_SELF;
  watching->seen_at = at;
  g_free (watching->problem_shown);
  watching->problem_shown = g_steal_pointer (&watching->problem);
  notify_watch (self);
}

static void
records_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = pg_link_record_list_finish (result, &error);
  PgLinkService *self;
  gboolean changed = FALSE;

  if (records == NULL)
    return;

  /* What the watchers saw: who used a link, and that it closed it. */
  self = user_data;
  for (guint i = 0; i < records->len; i++)
    changed |= apply_use (self, g_ptr_array_index (records, i));
  if (changed)
    pg_link_service_save (self);
}

/* A link's activity being read; holds nothing (the service cancels it when it stops
 * watching). */
typedef struct
{
  PgLinkService *service;
  char          *id;
} ActivityRead;

static void
activity_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ActivityRead *read = user_data;
  g_autofree char *id = read->id;
  PgLinkService *self = read->service;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgActivity) activity = pg_activity_load_finish (result, &error);
  PgLink *link;

  g_free (read);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not read (no network, not an activity): read again at the next look. */
  if (activity == NULL)
    g_hash_table_remove (self->watching->etags, id);
  else if ((link = pg_link_service_find (self, id)) != NULL)
    apply_activity (self, link, activity);
}

static void
activities_listed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source),
                                                                     result, &error);
  PgLinkService *self;
  PgLinkWatching *watching;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  watching = self->watching;
  watching->reading = FALSE;
  if (listing == NULL)
    return;

  /* A link of the account without an activity: nobody was seen using it yet. */
  {
    GListModel *links = pg_link_service_get_links (self);
    g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(PgActivity) none = pg_activity_new ();

    for (guint i = 0; i < listing->objects->len; i++)
      g_hash_table_add (listed, ((PgS3Object *) listing->objects->pdata[i])->key);
    for (guint i = 0; i < g_list_model_get_n_items (links); i++)
      {
        g_autoptr(PgLink) link = g_list_model_get_item (links, i);
        g_autofree char *key = pg_activity_key (pg_link_get_id (link));

        if (pg_link_get_activity (link) == NULL && key != NULL
            && !g_hash_table_contains (listed, key)
            && g_strcmp0 (pg_link_get_account_id (link),
                          pg_account_context_get_account_id (watching->context)) == 0)
          pg_link_set_activity (link, none);
      }
  }

  for (guint i = 0; i < listing->objects->len; i++)
    {
      PgS3Object *object = g_ptr_array_index (listing->objects, i);
      const char *name = object->key + strlen (PG_ACTIVITY_PREFIX);
      g_autofree char *id = g_str_has_suffix (name, ".json")
                            ? g_strndup (name, strlen (name) - strlen (".json")) : NULL;
      PgLink *link = id != NULL ? pg_link_service_find (self, id) : NULL;
      ActivityRead *read;

      /* Only the links of this account on this computer; only what changed. */
      if (link == NULL || object->etag == NULL
          || g_strcmp0 (pg_link_get_account_id (link),
                        pg_account_context_get_account_id (watching->context)) != 0
          || g_strcmp0 (g_hash_table_lookup (watching->etags, id), object->etag) == 0)
        continue;

      g_hash_table_replace (watching->etags, g_strdup (id), g_strdup (object->etag));
      read = g_new0 (ActivityRead, 1);
      read->service = self;
      read->id = g_strdup (id);
      pg_activity_load_async (pg_account_context_get_manager (watching->context),
                              pg_account_context_get_bucket (watching->context), id,
                              watching->cancellable, activity_read_cb, read);
    }
}

/* Reads what watchers wrote into the records of armed links and the activities of the links,
 * and whether an always-on watcher is alive; only while the account has links watched. */
static void
look (PgLinkService *self)
{
  PgLinkWatching *watching = self->watching;
  PgS3Client *manager;
  const char *bucket;

  if (watching == NULL || watching->looking)
    return;

  if (count_watched (self) == 0)
    {
      stop_sources (self);
      if (watching->mode != PG_LINK_WATCH_NONE)
        {
          watching->mode = PG_LINK_WATCH_NONE;
          g_clear_pointer (&watching->problem_shown, g_free);
          notify_watch (self);
        }
      return;
    }

  manager = pg_account_context_get_manager (watching->context);
  bucket = pg_account_context_get_bucket (watching->context);
  watching->looking = TRUE;
  watching->armed = count_armed (self);
  /* The callbacks hold nothing: the service cancels them when it stops watching. */
  pg_link_record_list_async (manager, bucket, watching->cancellable, records_cb, self);
  pg_s3_client_get_object_async (manager, bucket, PG_WATCHER_HEARTBEAT_KEY, 16 * 1024,
                                 watching->cancellable, heartbeat_cb, self);
  if (!watching->reading)
    {
      watching->reading = TRUE;
      pg_s3_client_list_objects_async (manager, bucket, PG_ACTIVITY_PREFIX, NULL,
                                       watching->cancellable, activities_listed_cb, self);
    }
}

static gboolean
look_cb (gpointer user_data)
{
  look (user_data);

  return G_SOURCE_CONTINUE;
}

/* A link was added or armed: looked at at once, not at the next regular look. */
void
_pg_link_service_watch_changed (PgLinkService *self)
{
  look (self);
}

/**
 * pg_link_service_watch:
 * @context: the account whose armed links are closed once used
 *
 * Watches the armed links of @context's account for as long as the service lives, or until
 * pg_link_service_stop_watching() or another call with another context: the app's own watcher,
 * which closes them while no always-on watcher is alive.
 */
void
pg_link_service_watch (PgLinkService    *self,
                       PgAccountContext *context)
{
  if (self->watching != NULL && self->watching->context == context)
    return;

  pg_link_service_stop_watching (self);
  self->watching = g_new0 (PgLinkWatching, 1);
  self->watching->context = g_object_ref (context);
  self->watching->cancellable = g_cancellable_new ();
  self->watching->etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->watching->since = g_get_real_time () / G_USEC_PER_SEC;
  self->watching->timer = g_timeout_add_seconds (LOOK_SECONDS, look_cb, self);
  look (self);
}

void
pg_link_service_stop_watching (PgLinkService *self)
{
  PgLinkWatching *watching = self->watching;

  if (watching == NULL)
    return;

  stop_sources (self);
  g_cancellable_cancel (watching->cancellable);
  g_clear_object (&watching->cancellable);
  g_clear_handle_id (&watching->timer, g_source_remove);
  g_clear_object (&watching->context);
  g_free (watching->problem);
  g_free (watching->problem_shown);
  g_hash_table_unref (watching->etags);
  g_clear_pointer (&self->watching, g_free);
  notify_watch (self);
}

void
_pg_link_service_watch_dispose (PgLinkService *self)
{
  pg_link_service_stop_watching (self);
}

PgLinkWatchMode
pg_link_service_get_watch_mode (PgLinkService *self)
{
  return self->watching != NULL ? self->watching->mode : PG_LINK_WATCH_NONE;
}

/* When an always-on watcher last said it is alive (Unix time), 0 if never */
gint64
pg_link_service_get_watch_seen_at (PgLinkService *self)
{
  return self->watching != NULL ? self->watching->seen_at : 0;
}

/* Returns: (nullable): what the own watcher could not do lately (it tries again) */
const char *
pg_link_service_get_watch_problem (PgLinkService *self)
{
  return self->watching != NULL ? self->watching->problem_shown : NULL;
}

void
_pg_link_service_watch_get_property (PgLinkService *self,
                                     guint          prop_id,
                                     GValue        *value)
{
  switch (prop_id)
    {
    case PG_LINK_SERVICE_PROP_WATCH_MODE:
      g_value_set_enum (value, pg_link_service_get_watch_mode (self));
      break;

    case PG_LINK_SERVICE_PROP_WATCH_SEEN_AT:
      g_value_set_int64 (value, pg_link_service_get_watch_seen_at (self));
      break;

    case PG_LINK_SERVICE_PROP_WATCH_PROBLEM:
      g_value_set_string (value, pg_link_service_get_watch_problem (self));
      break;

    default:
      g_assert_not_reached ();
    }
}
