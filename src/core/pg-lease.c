/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-lease"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "pg-error.h"
#include "pg-lease.h"
#include "pg-text.h"

/* A lease: one writer at a time for a bucket's policy, across processes and workstations.
 *
 * S3 has no compare-and-swap for bucket policies, but it does have conditional creation: a PUT
 * with `If-None-Match: *` succeeds for the first creator of a key and fails with 412 for every
 * other (409 on AWS when two arrive at the same moment). The lease is such an object, a few
 * bytes of JSON naming its holder, what it is doing, since and until when (in the server's
 * time):
 *
 *   { "owner": "<uuid>", "host": "office-pc", "purpose": "revoke", "since": 1794999910,
 *     "expires": 1795000000 }
 *
 * Acquire: create it. Found held: wait with exponential backoff and jitter, saying who holds it
 * (a message at least every few seconds), then give up with a sentence naming the lock object and
 * its holder. Release: delete it.
 *
 * A holder that died leaves its lease behind. The rule: a lease past its expiry may be taken over
 * (deleted, then created anew). Its lifetime is the longest a change can take (the caller's
 * proof time plus a minute), so only a dead or stalled holder is taken over. A holder confirms it
 * still holds its lease right before it writes the policy, so a stalled holder that lost its
 * lease writes nothing. What remains is two waiters taking over the same expired lease in the
 * same instant (both delete, both create, the second deleting the first one's new lease): a
 * window of milliseconds after a crash, not a race of everyday use. The writer's final re-read
 * of the policy is what catches that, and changes made by hand, which no lease can keep out.
 *
 * The lock is anybody's text, and nobody may hold it hostage with it:
 *   - an expiry further ahead than PG_LEASE_MAX_SECONDS (the longest lease this code takes) is
 *     believed only that long, counted from when that very content was first seen; an empty,
 *     oversized or unreadable lock likewise;
 *   - a waiter waits as long as its own lease could last, longer only for a lock that looks
 *     honest (one whose holder may have died), never longer than the wait limit of the client
 *     (the command line's --timeout);
 *   - a lockdown, the emergency stop, takes over whatever lock still stands after
 *     PG_LEASE_TAKEOVER_SECONDS of waiting; and when the lock is rewritten under it faster than
 *     it can hold it, goes on without it — its proof and the re-read of the policy still
 *     decide whether it worked. */

#define FIRST_WAIT_MS        50
#define MAX_WAIT_MS          1000
#define MAX_LEASE_BYTES      4096
#define MAX_SHOWN_CHARS      64
#define WAIT_MARGIN_SECONDS  10
#define EXPIRY_GRACE_SECONDS 2
#define MESSAGE_EVERY_USEC   (5 * G_USEC_PER_SEC)
#define MAX_TAKEOVERS        2

struct _PgLease
{
  GObject     parent_instance;

  PgS3Client *client;
  char       *bucket;
  char       *key;
  char       *owner;
  char       *purpose;
  guint       seconds;
  guint       max_seconds;
  guint       takeover_seconds;
  guint       wait_limit;
  gint64      first_wait;        /* monotonic: when this lease was first asked for */
  guint       takeovers;
  char       *takeover_notice;
  gboolean    held;
  guint       requests;
  guint       waits;
};

G_DEFINE_FINAL_TYPE (PgLease, pg_lease, G_TYPE_OBJECT)

static void
pg_lease_finalize (GObject *object)
{
  PgLease *self = PG_LEASE (object);

  g_clear_object (&self->client);
  g_free (self->bucket);
  g_free (self->key);
  g_free (self->owner);
  g_free (self->purpose);
  g_free (self->takeover_notice);

  G_OBJECT_CLASS (pg_lease_parent_class)->finalize (object);
}

static void
pg_lease_class_init (PgLeaseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_lease_finalize;
}

static void
pg_lease_init (PgLease *self)
{
  self->owner = g_uuid_string_random ();
  self->max_seconds = PG_LEASE_MAX_SECONDS;
}

/**
 * pg_lease_new:
 * @key: the lease object, e.g. ".presign-guard/lock"
 * @purpose: what the holder does, shown to those who wait ("revoke", "lockdown", …)
 * @seconds: how long the lease lasts: longer than the holder can ever need, and at most
 *   %PG_LEASE_MAX_SECONDS (others believe no more)
 */
PgLease *
pg_lease_new (PgS3Client *client,
              const char *bucket,
              const char *key,
              const char *purpose,
              guint       seconds)
{
  PgLease *self = g_object_new (PG_TYPE_LEASE, NULL);

  self->client = g_object_ref (client);
  self->bucket = g_strdup (bucket);
  self->key = g_strdup (key);
  self->purpose = g_strdup (purpose);
  self->seconds = CLAMP (seconds, 1, PG_LEASE_MAX_SECONDS);

  return self;
}

/* The longest a lock of somebody else is believed (%PG_LEASE_MAX_SECONDS unless a test says
 * otherwise); our own lease never lasts longer. */
void
pg_lease_set_max_seconds (PgLease *self,
                          guint    seconds)
{
  g_return_if_fail (PG_IS_LEASE (self));

  self->max_seconds = MAX (seconds, 1);
  self->seconds = MIN (self->seconds, self->max_seconds);
}

/**
 * pg_lease_set_takeover:
 * @seconds: after how long of waiting a lock still held by somebody else is taken over; 0
 *   (the default) for never
 *
 * For the lockdown alone: whoever holds the lock, the emergency stop does not wait long for
 * them. Taken over, the other holder's confirmation fails and it writes nothing.
 */
void
pg_lease_set_takeover (PgLease *self,
                       guint    seconds)
{
  g_return_if_fail (PG_IS_LEASE (self));

  self->takeover_seconds = seconds;
}

/**
 * pg_lease_set_wait_limit:
 * @seconds: the longest this lease waits for another holder, 0 for no limit of the caller's
 *   (the lease's own bound still holds)
 *
 * The command line's --timeout: a script waits no longer than it said, for the server or for
 * the lock. A lockdown takes the lock over when the limit comes first.
 */
void
pg_lease_set_wait_limit (PgLease *self,
                         guint    seconds)
{
  g_return_if_fail (PG_IS_LEASE (self));

  self->wait_limit = seconds;
}

gboolean
pg_lease_is_held (PgLease *self)
{
  return self->held;
}

/* Requests sent so far, for the caller's counters. */
guint
pg_lease_get_requests (PgLease *self)
{
  return self->requests;
}

/* How often the lease was found held by somebody else. */
guint
pg_lease_get_waits (PgLease *self)
{
  return self->waits;
}

/* What a lockdown did to somebody else's lock (taken over, or gone on without it), in a
 * sentence for the user; %NULL when it did not have to. */
const char *
pg_lease_get_takeover_notice (PgLease *self)
{
  return self->takeover_notice;
}

static GBytes *
lease_document (PgLease *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gint64 now = pg_s3_client_get_now (self->client);
  char host[256] = "";
  gsize length;
  char *data;

  gethostname (host, sizeof host - 1);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "owner");
  json_builder_add_string_value (builder, self->owner);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, g_utf8_validate (host, -1, NULL) ? host : "?");
  json_builder_set_member_name (builder, "purpose");
  json_builder_add_string_value (builder, self->purpose);
  json_builder_set_member_name (builder, "since");
  json_builder_add_int_value (builder, now);
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, now + self->seconds);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);

  return g_bytes_new_take (data, length);
}

/* ---- What a lock says -------------------------------------------------------------------- */

typedef enum {
  LOCK_READABLE,   /* JSON with an owner: somebody's lease */
  LOCK_EMPTY,
  LOCK_GARBAGE,    /* not a lease of ours: no JSON object, no owner */
  LOCK_OVERSIZED,  /* larger than a lease can be, or otherwise unreadable: not read */
} LockKind;

typedef struct
{
  LockKind  kind;
  char     *owner;
  char     *host;
  char     *purpose;
  gboolean  has_expires;
  gint64    expires;
  gboolean  has_since;
  gint64    since;
} Holder;

static void
holder_clear (Holder *holder)
{
  g_clear_pointer (&holder->owner, g_free);
  g_clear_pointer (&holder->host, g_free);
  g_clear_pointer (&holder->purpose, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Holder, holder_clear)

/* Members are read only when they have the type we write: anything else counts as absent. */
static char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return g_strdup (json_node_get_string (node));
}

static gboolean
int_member (JsonObject *object,
            const char *name,
            gint64     *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *value = json_node_get_int (node);

  return TRUE;
}

/* Reads a lock's content, whatever it is, without a warning: anybody could have written it. */
static void
parse_holder (GBytes *bytes,
              Holder *holder)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  gsize length = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;

  holder->kind = LOCK_GARBAGE;
  if (data == NULL || length == 0)
    {
      holder->kind = LOCK_EMPTY;
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  object = json_node_get_object (root);
  holder->owner = string_member (object, "owner");
  if (holder->owner == NULL)
    return;

  holder->kind = LOCK_READABLE;
  holder->host = string_member (object, "host");
  holder->purpose = string_member (object, "purpose");
  holder->has_expires = int_member (object, "expires", &holder->expires);
  holder->has_since = int_member (object, "since", &holder->since);
}

/* Somebody's text, made safe and short for a sentence. */
static char *
shown (const char *text)
{
  g_autofree char *safe = pg_text_sanitize (text ? text : "?");

  if (g_utf8_strlen (safe, -1) <= MAX_SHOWN_CHARS)
    return g_steal_pointer (&safe);

  {
    g_autofree char *cut = g_utf8_substring (safe, 0, MAX_SHOWN_CHARS);

    return g_strconcat (cut, "…", NULL);
  }
}

/* A server time, in UTC; a time beyond the calendar as the number it is. */
static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_time > -62135596800 && unix_time < 253402300800)
    dt = g_date_time_new_from_unix_utc (unix_time);

  return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S UTC")
            : g_strdup_printf ("%" G_GINT64_FORMAT, unix_time);
}

/* ---- Acquire ----------------------------------------------------------------------------- */

typedef struct
{
  gint64    started;        /* monotonic */
  guint     limit;          /* the client's wait limit, in seconds; 0 for none */
  guint     delay;
  gint64    last_message;   /* monotonic; 0 before the first */
  /* The lock as last seen, and since when (server time) that very content stands. */
  gboolean  seen_any;
  LockKind  seen_kind;
  GBytes   *seen;
  gint64    first_seen;
} Acquire;

static void
acquire_free (Acquire *acquire)
{
  g_clear_pointer (&acquire->seen, g_bytes_unref);
  g_free (acquire);
}

/* Somebody else's lock as a waiter tells it: who, since and until when (the latter capped). */
typedef struct
{
  char     *who;
  char     *since;
  char     *until;
  gint64    expires;     /* when it is taken as expired, in server time */
  gboolean  honest;      /* it claims no more than any lease lasts: its holder may just have died */
} View;

static void
view_clear (View *view)
{
  g_clear_pointer (&view->who, g_free);
  g_clear_pointer (&view->since, g_free);
  g_clear_pointer (&view->until, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (View, view_clear)

static void
view_init (View         *view,
           PgLease      *self,
           Acquire      *acquire,
           const Holder *holder)
{
  gint64 cap = acquire->first_seen + self->max_seconds;
  gint64 since = acquire->first_seen;

  /* A lock has stood at least since we first saw it; what it claims before that is believed. */
  if (holder->has_since && holder->since > 0 && holder->since < since)
    since = holder->since;

  view->honest = holder->kind == LOCK_READABLE && holder->has_expires && holder->expires <= cap;
  view->expires = view->honest ? holder->expires : cap;
  view->since = format_time (since);

  switch (holder->kind)
    {
    case LOCK_READABLE:
      {
        g_autofree char *host = shown (holder->host);
        g_autofree char *purpose = shown (holder->purpose);

        view->who = g_strdup_printf ("%s (%s)", host, purpose);
      }
      break;
    case LOCK_EMPTY:
      view->who = g_strdup (_("nobody known (the lock is empty)"));
      break;
    case LOCK_GARBAGE:
      view->who = g_strdup (_("nobody known (the lock is not one of ours)"));
      break;
    case LOCK_OVERSIZED:
    default:
      view->who = g_strdup (_("nobody known (the lock is too large to be one of ours, or cannot "
                              "be read)"));
      break;
    }

  if (holder->kind == LOCK_READABLE && holder->has_expires && !view->honest)
    {
      g_autofree char *until = format_time (view->expires);
      g_autofree char *claimed = format_time (holder->expires);

      view->until = g_strdup_printf (_("%s (it claims %s, longer than any lock lasts)"), until,
                                     claimed);
    }
  else
    {
      view->until = format_time (view->expires);
    }
}

static gboolean
same_bytes (GBytes *a,
            GBytes *b)
{
  if (a == NULL || b == NULL)
    return a == b;

  return g_bytes_equal (a, b);
}

static void try_create (GTask *task);

static gboolean
try_again_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    try_create (g_steal_pointer (&task));

  return G_SOURCE_REMOVE;
}

static void
taken_over_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Gone already is as good as deleted. */
  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error)
      && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  try_create (g_steal_pointer (&task));
}

/* The lockdown has waited long enough: deletes whatever lock stands and creates its own. When
 * that keeps failing (somebody rewrites the lock as fast as it is taken), the lease is given up
 * and the lockdown goes on without it. */
static void
take_over (GTask      *task_owned,
           const View *view,
           guint       waited)
{
  g_autoptr(GTask) task = task_owned;
  PgLease *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (++self->takeovers > MAX_TAKEOVERS)
    {
      g_free (self->takeover_notice);
      self->takeover_notice = g_strdup_printf (_("The lock “%s” in the bucket “%s” was written "
                                                 "again by somebody else (%s) each time it was "
                                                 "taken over; the lockdown goes on without it, "
                                                 "and is checked afterwards."),
                                               self->key, self->bucket, view->who);
      g_message ("%s", self->takeover_notice);
      self->held = FALSE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Said once; the attempts after it only when debugging. */
  if (self->takeover_notice == NULL)
    {
      self->takeover_notice = g_strdup_printf (_("The lock “%s” in the bucket “%s”, held by %s "
                                                 "since %s, until %s, was taken over after %u s "
                                                 "of waiting: a lockdown does not wait longer."),
                                               self->key, self->bucket, view->who, view->since,
                                               view->until, waited);
      g_message ("%s", self->takeover_notice);
    }
  else
    {
      g_debug ("lock %s of %s written again by %s: taking it over again (attempt %u)",
               self->key, self->bucket, view->who, self->takeovers);
    }
  self->requests++;
  pg_s3_client_delete_object_async (self->client, self->bucket, self->key, cancellable,
                                    taken_over_cb, g_steal_pointer (&task));
}

static void
inspected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  g_auto(Holder) holder = { 0 };
  g_auto(View) view = { 0 };
  PgLease *self;
  Acquire *acquire;
  gint64 now;
  gint64 monotonic;
  gint64 deadline;
  guint takeover_after;
  guint waited;

  if (bytes == NULL)
    {
      /* Released between our attempt and our look: try again at once. */
      if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
        {
          try_create (g_steal_pointer (&task));
          return;
        }

      /* Larger than a lease can be (or refused by our own reader for another reason): it
       * exists, and says nothing. */
      if (!g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_FAILED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      holder.kind = LOCK_OVERSIZED;
    }
  else
    {
      parse_holder (bytes, &holder);
    }

  self = g_task_get_source_object (task);
  acquire = g_task_get_task_data (task);
  now = pg_s3_client_get_now (self->client);
  monotonic = g_get_monotonic_time ();

  /* Our own, from an attempt whose answer was lost and then retried. */
  if (holder.kind == LOCK_READABLE && g_strcmp0 (holder.owner, self->owner) == 0)
    {
      self->held = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The same content keeps the time it was first seen; anything else is a new lock. */
  if (!acquire->seen_any || holder.kind != acquire->seen_kind
      || !same_bytes (bytes, acquire->seen))
    {
      g_clear_pointer (&acquire->seen, g_bytes_unref);
      acquire->seen = bytes ? g_bytes_ref (bytes) : NULL;
      acquire->seen_kind = holder.kind;
      acquire->seen_any = TRUE;
      acquire->first_seen = now;
    }

  view_init (&view, self, acquire, &holder);

  if (now > view.expires)
    {
      g_autofree char *expired = format_time (view.expires);
      GCancellable *cancellable = g_task_get_cancellable (task);

      g_message (_("The lock “%s” in the bucket “%s”, held by %s since %s, ran out at %s; "
                   "taking it over."), self->key, self->bucket, view.who, view.since, expired);
      self->requests++;
      pg_s3_client_delete_object_async (self->client, self->bucket, self->key, cancellable,
                                        taken_over_cb, g_steal_pointer (&task));
      return;
    }

  /* The lockdown does not wait long, whoever holds the lock (measured from its first attempt,
   * should it have to take the lease again). */
  takeover_after = self->takeover_seconds;
  if (acquire->limit > 0)
    takeover_after = MIN (takeover_after, acquire->limit);
  waited = (guint) ((monotonic - self->first_wait) / G_USEC_PER_SEC);
  if (self->takeover_seconds > 0
      && monotonic - self->first_wait >= (gint64) takeover_after * G_USEC_PER_SEC)
    {
      take_over (g_steal_pointer (&task), &view, waited);
      return;
    }

  /* Others wait as long as a lease of their own could last; for a lock that may be a dead
   * holder's, until it runs out; never longer than the caller's limit. */
  deadline = acquire->started
             + (gint64) (self->seconds + MIN (self->seconds, WAIT_MARGIN_SECONDS)) * G_USEC_PER_SEC;
  if (view.honest)
    deadline = MAX (deadline,
                    MIN (monotonic + (view.expires - now + EXPIRY_GRACE_SECONDS) * G_USEC_PER_SEC,
                         acquire->started
                         + (gint64) (self->max_seconds + WAIT_MARGIN_SECONDS) * G_USEC_PER_SEC));
  if (acquire->limit > 0)
    deadline = MIN (deadline, acquire->started + (gint64) acquire->limit * G_USEC_PER_SEC);

  if (self->takeover_seconds == 0 && monotonic > deadline)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_CONFLICT,
                               _("The lock “%s” in the bucket “%s” is still held by %s since %s, "
                                 "until %s. Gave up waiting for it after %u s. If nobody else "
                                 "is changing this bucket’s links, the lock is left over and "
                                 "can be deleted."),
                               self->key, self->bucket, view.who, view.since, view.until,
                               (guint) ((monotonic - acquire->started) / G_USEC_PER_SEC));
      return;
    }

  /* Every wait says so, though not more often than every few seconds. */
  if (acquire->last_message == 0 || monotonic - acquire->last_message >= MESSAGE_EVERY_USEC)
    {
      acquire->last_message = monotonic;
      if (self->takeover_seconds > 0)
        g_message (_("The lock “%s” in the bucket “%s” is held by %s since %s, until %s. "
                     "Waiting for it: %u s so far; the lockdown takes it over after %u s."),
                   self->key, self->bucket, view.who, view.since, view.until, waited,
                   takeover_after);
      else
        g_message (_("The lock “%s” in the bucket “%s” is held by %s since %s, until %s. "
                     "Waiting for it: %u s so far, %u s at most."),
                   self->key, self->bucket, view.who, view.since, view.until,
                   (guint) ((monotonic - acquire->started) / G_USEC_PER_SEC),
                   (guint) ((deadline - acquire->started) / G_USEC_PER_SEC));
    }

  /* Wait a little longer each time, a random part of it so that waiters do not all come back
   * at the same moment. */
  self->waits++;
  acquire->delay = MIN (MAX_WAIT_MS, MAX (FIRST_WAIT_MS, acquire->delay * 2));
  g_timeout_add (acquire->delay / 2 + g_random_int_range (0, acquire->delay / 2 + 1),
                 try_again_cb, g_steal_pointer (&task));
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  PgLease *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      self->held = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* 412: somebody holds it (409 is AWS's answer to two creators at the same moment). */
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_PRECONDITION_FAILED)
      || g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_CONFLICT))
    {
      self->requests++;
      pg_s3_client_get_object_async (self->client, self->bucket, self->key, MAX_LEASE_BYTES,
                                     cancellable, inspected_cb, g_steal_pointer (&task));
      return;
    }

  g_task_return_error (task, g_steal_pointer (&error));
}

static void
try_create (GTask *task)
{
  PgLease *self = g_task_get_source_object (task);
  g_autoptr(GBytes) document = lease_document (self);

  self->requests++;
  pg_s3_client_put_bytes_async (self->client, self->bucket, self->key, document,
                                "application/json", PG_S3_PUT_IF_NONE_MATCH,
                                g_task_get_cancellable (task),
                                created_cb, task);
}

/**
 * pg_lease_acquire_async:
 *
 * Takes the lease, waiting for another holder to release it (or for its lease to expire), and
 * saying so with g_message() every few seconds: who holds it, since and until when.
 * Fails with %PG_ERROR_CONFLICT, naming the lock and its holder, after waiting longer than a
 * lease lasts (or than its wait limit, see pg_lease_set_wait_limit()), and with the S3
 * error (such as %PG_S3_ERROR_ACCESS_DENIED) when the lease object cannot be written at all.
 *
 * With a takeover time (pg_lease_set_takeover()) it never gives up: it takes the lock over,
 * and may even succeed without holding it (pg_lease_is_held() then says %FALSE and
 * pg_lease_get_takeover_notice() why).
 */
void
pg_lease_acquire_async (PgLease             *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Acquire *acquire = g_new0 (Acquire, 1);

  g_task_set_source_tag (task, pg_lease_acquire_async);
  acquire->started = g_get_monotonic_time ();
  acquire->limit = self->wait_limit;
  if (self->first_wait == 0)
    self->first_wait = acquire->started;
  g_task_set_task_data (task, acquire, (GDestroyNotify) acquire_free);
  try_create (task);
}

gboolean
pg_lease_acquire_finish (PgLease       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Confirm ----------------------------------------------------------------------------- */

static void
confirmed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  g_auto(Holder) holder = { 0 };
  PgLease *self = g_task_get_source_object (task);

  /* Gone, or replaced by something too large to be ours: not ours any more. */
  if (bytes == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY)
      && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_FAILED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (bytes != NULL)
    parse_holder (bytes, &holder);
  self->held = holder.kind == LOCK_READABLE && g_strcmp0 (holder.owner, self->owner) == 0;
  g_task_return_boolean (task, self->held);
}

/**
 * pg_lease_confirm_async:
 *
 * Reads the lease back: the result is %TRUE when it is still ours, %FALSE when it was taken
 * over (then it is no longer held).
 */
void
pg_lease_confirm_async (PgLease             *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_lease_confirm_async);
  self->requests++;
  pg_s3_client_get_object_async (self->client, self->bucket, self->key, MAX_LEASE_BYTES,
                                 cancellable, confirmed_cb, task);
}

gboolean
pg_lease_confirm_finish (PgLease       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Release ----------------------------------------------------------------------------- */

static void
released_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error)
      && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pg_lease_release_async:
 *
 * Gives the lease back. Not cancellable: a lease must not outlive its holder's work. When it
 * cannot be deleted (no network), it expires by itself, and is still ours to this lease's next
 * acquire. The wait of a next acquire is counted from that one.
 */
void
pg_lease_release_async (PgLease             *self,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, pg_lease_release_async);
  self->first_wait = 0;
  self->takeovers = 0;
  if (!self->held)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  self->held = FALSE;
  self->requests++;
  pg_s3_client_delete_object_async (self->client, self->bucket, self->key, NULL, released_cb,
                                    task);
}

gboolean
pg_lease_release_finish (PgLease       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
