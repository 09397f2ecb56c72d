/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-activity-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-activity-store.h"
#include "pg-error.h"
#include "pg-lease.h"
#include "pg-link-record.h"

/* Where a bucket's activities are kept, and how they are added to.
 *
 * Each link's activity is one object of our folder (pg_activity_key()), written by whichever
 * watcher saw its requests: the app's, an always-on one, both at once. S3 cannot replace an
 * object only if it is unchanged, so two writers would each read the log, add their events and
 * write it back, and the second would erase the first one's. Writers therefore take turns: one
 * round holds the bucket's activity lock (a lease, PG_ACTIVITY_LOCK_KEY, the same kind as the
 * policy's), reads each link's log, adds what it has, and writes only the logs that gained
 * something. A request both writers saw is kept once: events are known by their source's id.
 *
 * Events that come during a round wait for the next one; a round that fails (no network, a
 * server error, the lock held too long) puts its events back and is tried again later, so a
 * watcher keeps its place in its sources only once what it saw is written (see
 * pg_activity_store_is_settled()). */

#define LEASE_SECONDS       30
#define FIRST_RETRY_SECONDS 2
#define MAX_RETRY_SECONDS   60

struct _PgActivityStore
{
  GObject       parent_instance;

  PgS3Client   *manager;
  char         *bucket;
  GCancellable *cancellable;

  GHashTable   *waiting;     /* link id → PgActivity: events for the next round */
  GHashTable   *writing;     /* link id → PgActivity: those of the round under way */
  GPtrArray    *ids;         /* the round's links, in the order they are written */
  guint         next;        /* the round's link being written */
  PgActivity   *merged;      /* its log as it will be written */
  PgLease      *lease;       /* the lock, one owner for every round: a lock a round could not
                              * give back (no network) is still ours to the next */
  gboolean      busy;        /* a round is under way */
  guint         retry_timer;
  guint         retry_seconds;
  guint         writes;
};

G_DEFINE_FINAL_TYPE (PgActivityStore, pg_activity_store, G_TYPE_OBJECT)

enum {
  PROBLEM,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
pg_activity_store_dispose (GObject *object)
{
  PgActivityStore *self = PG_ACTIVITY_STORE (object);

  g_clear_handle_id (&self->retry_timer, g_source_remove);
  g_clear_object (&self->lease);

  G_OBJECT_CLASS (pg_activity_store_parent_class)->dispose (object);
}

static void
pg_activity_store_finalize (GObject *object)
{
  PgActivityStore *self = PG_ACTIVITY_STORE (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);
  g_free (self->bucket);
  g_hash_table_unref (self->waiting);
  g_hash_table_unref (self->writing);
  g_clear_pointer (&self->ids, g_ptr_array_unref);
  g_clear_pointer (&self->merged, pg_activity_free);

  G_OBJECT_CLASS (pg_activity_store_parent_class)->finalize (object);
}

static void
pg_activity_store_class_init (PgActivityStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pg_activity_store_dispose;
  object_class->finalize = pg_activity_store_finalize;

  /* (const char *message): what went wrong, in words; tried again */
  signals [PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static GHashTable *
activities_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) pg_activity_free);
}

static void
pg_activity_store_init (PgActivityStore *self)
{
  self->waiting = activities_new ();
  self->writing = activities_new ();
}

/**
 * pg_activity_store_new:
 * @manager: the managing key's client: the only one that writes our folder
 * @bucket: the bucket whose links' activities are written
 *
 * Returns: (transfer full): a writer of the bucket's activities
 */
PgActivityStore *
pg_activity_store_new (PgS3Client *manager,
                       const char *bucket)
{
  PgActivityStore *self = g_object_new (PG_TYPE_ACTIVITY_STORE, NULL);

  self->manager = g_object_ref (manager);
  self->bucket = g_strdup (bucket);
  self->cancellable = g_cancellable_new ();
  self->lease = pg_lease_new (manager, bucket, PG_ACTIVITY_LOCK_KEY, "activity", LEASE_SECONDS);

  return self;
}

/* Adds @events to the link @id's events in @activities. */
static void
keep_events (GHashTable       *activities,
             const char       *id,
             const PgActivity *events)
{
  PgActivity *kept = g_hash_table_lookup (activities, id);

  if (kept == NULL)
    g_hash_table_replace (activities, g_strdup (id), pg_activity_copy (events));
  else
    pg_activity_merge (kept, events);
}

/* ---- A round ------------------------------------------------------------------------------ */

static void start_round (PgActivityStore *self);
static void write_next (PgActivityStore *self);

static gboolean
retry_cb (gpointer user_data)
{
  PgActivityStore *self = user_data;

  self->retry_timer = 0;
  start_round (self);

  return G_SOURCE_REMOVE;
}

static void
released_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgActivityStore) self = user_data;

  /* Not deleted (no network): it expires by itself. */
  pg_lease_release_finish (PG_LEASE (source), result, NULL);
  self->busy = FALSE;
  if (self->retry_timer == 0)
    start_round (self);
}

static void
end_round (PgActivityStore *self)
{
  g_clear_pointer (&self->ids, g_ptr_array_unref);
  g_clear_pointer (&self->merged, pg_activity_free);
  self->next = 0;
  pg_lease_release_async (self->lease, released_cb, g_object_ref (self));
}

/* What the round had not written waits for the next one, tried a little later each time. */
static void
round_failed (PgActivityStore *self,
              const GError    *error)
{
  GHashTableIter iter;
  const char *id;
  PgActivity *events;

  g_hash_table_iter_init (&iter, self->writing);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, (gpointer *) &events))
    keep_events (self->waiting, id, events);
  g_hash_table_remove_all (self->writing);

  if (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autofree char *message = g_strdup_printf (_("What was done with links was not written "
                                                    "into their activity (tried again): %s"),
                                                  error->message);

      g_signal_emit (self, signals [PROBLEM], 0, message);
      self->retry_seconds = CLAMP (self->retry_seconds * 2, FIRST_RETRY_SECONDS,
                                   MAX_RETRY_SECONDS);
      self->retry_timer = g_timeout_add_seconds (self->retry_seconds, retry_cb, self);
    }
  end_round (self);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PgActivityStore) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      round_failed (self, error);
      return;
    }

  self->writes++;
  g_hash_table_remove (self->writing, g_ptr_array_index (self->ids, self->next));
  self->next++;
  write_next (self);
}

static void
confirmed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PgActivityStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *key = NULL;

  /* Held too long (a stalled round): another writer may have written since; nothing is. */
  if (!pg_lease_confirm_finish (PG_LEASE (source), result, &error))
    {
      round_failed (self, error);
      return;
    }

  key = pg_activity_key (g_ptr_array_index (self->ids, self->next));
  body = pg_activity_to_bytes (self->merged);
  pg_s3_client_put_bytes_async (self->manager, self->bucket, key, body, "application/json",
                                PG_S3_PUT_NO_STORE, self->cancellable, written_cb,
                                g_object_ref (self));
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PgActivityStore) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  const char *id = g_ptr_array_index (self->ids, self->next);
  g_autoptr(PgActivity) stored = NULL;

  if (bytes == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      round_failed (self, error);
      return;
    }

  /* A log that is no log (damaged, or not ours) is started anew: events are never made up. */
  if (bytes == NULL || !(stored = pg_activity_new_from_bytes (bytes, NULL)))
    stored = pg_activity_new ();

  /* Nothing new for this log (another writer saw the same requests): not written again. */
  if (pg_activity_merge (stored, g_hash_table_lookup (self->writing, id)) == 0)
    {
      g_hash_table_remove (self->writing, id);
      self->next++;
      write_next (self);
      return;
    }

  g_clear_pointer (&self->merged, pg_activity_free);
  self->merged = g_steal_pointer (&stored);
  pg_lease_confirm_async (self->lease, self->cancellable, confirmed_cb, g_object_ref (self));
}

static void
write_next (PgActivityStore *self)
{
  g_autofree char *key = NULL;

  if (self->next >= self->ids->len)
    {
      self->retry_seconds = 0;
      end_round (self);
      return;
    }

  key = pg_activity_key (g_ptr_array_index (self->ids, self->next));
  pg_s3_client_get_object_async (self->manager, self->bucket, key, PG_ACTIVITY_MAX_SIZE,
                                 self->cancellable, read_cb, g_object_ref (self));
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgActivityStore) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_lease_acquire_finish (PG_LEASE (source), result, &error))
    round_failed (self, error);
  else
    write_next (self);
}

/* Writes what waits, unless a round is under way (it starts the next one when it ends) or one
 * waits to be tried again. */
static void
start_round (PgActivityStore *self)
{
  GHashTable *swap;
  GHashTableIter iter;
  const char *id;

  if (self->busy || self->retry_timer != 0 || g_hash_table_size (self->waiting) == 0
      || g_cancellable_is_cancelled (self->cancellable))
    return;

  self->busy = TRUE;

  swap = self->writing;
  self->writing = self->waiting;
  self->waiting = swap;
  self->ids = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, self->writing);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_ptr_array_add (self->ids, g_strdup (id));
  self->next = 0;
  pg_lease_acquire_async (self->lease, self->cancellable, acquired_cb, g_object_ref (self));
}

/**
 * pg_activity_store_add:
 * @link_id: the link the request was made with (see pg_link_id_is_valid())
 * @event: the request
 *
 * Adds @event to the link's activity in the bucket: at once, or after the round under way.
 */
void
pg_activity_store_add (PgActivityStore       *self,
                       const char            *link_id,
                       const PgActivityEvent *event)
{
  PgActivity *events;

  g_return_if_fail (PG_IS_ACTIVITY_STORE (self));
  g_return_if_fail (pg_link_id_is_valid (link_id));

  events = g_hash_table_lookup (self->waiting, link_id);
  if (events == NULL)
    {
      events = pg_activity_new ();
      g_hash_table_replace (self->waiting, g_strdup (link_id), events);
    }
  pg_activity_add (events, event);
  start_round (self);
}

/* Whether every event added is written (none waits, no round is under way). */
gboolean
pg_activity_store_is_settled (PgActivityStore *self)
{
  return !self->busy && g_hash_table_size (self->waiting) == 0
         && g_hash_table_size (self->writing) == 0;
}

/* How many times a link's activity was written: a request many writers saw is written once. */
guint
pg_activity_store_get_writes (PgActivityStore *self)
{
  return self->writes;
}

/**
 * pg_activity_store_cancel:
 *
 * Stops writing: what was not written yet is let go (a watcher that stops waits until the store
 * is settled first).
 */
void
pg_activity_store_cancel (PgActivityStore *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_timer, g_source_remove);
}

/* ---- Reading ------------------------------------------------------------------------------ */

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  PgActivity *activity;

  if (bytes == NULL && g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    activity = pg_activity_new ();
  else if (bytes == NULL || !(activity = pg_activity_new_from_bytes (bytes, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, activity, (GDestroyNotify) pg_activity_free);
}

/**
 * pg_activity_load_async:
 * @manager: a client with the managing key (nobody else may read our folder)
 * @link_id: the link's id
 *
 * Reads the link's activity from the bucket as it is now: empty while nobody saw it used.
 */
void
pg_activity_load_async (PgS3Client          *manager,
                        const char          *bucket,
                        const char          *link_id,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *key = pg_activity_key (link_id);

  g_task_set_source_tag (task, pg_activity_load_async);
  if (key == NULL)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a link’s id."), link_id);
      g_object_unref (task);
      return;
    }

  pg_s3_client_get_object_async (manager, bucket, key, PG_ACTIVITY_MAX_SIZE, cancellable,
                                 loaded_cb, task);
}

/**
 * pg_activity_load_finish:
 *
 * Returns: (transfer full) (nullable): the link's activity, or %NULL with @error set
 */
PgActivity *
pg_activity_load_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
