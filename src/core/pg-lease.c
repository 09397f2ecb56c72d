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
 * bytes of JSON naming its holder, what it is doing and until when (in the server's time):
 *
 *   { "owner": "<uuid>", "host": "office-pc", "purpose": "revoke", "expires": 1795000000 }
 *
 * Acquire: create it. Found held: wait with exponential backoff and jitter, up to a little more
 * than one lease's lifetime (ten seconds more, fewer for short leases), then give up with a
 * sentence naming the holder. Release: delete it.
 *
 * A holder that died leaves its lease behind. The rule: a lease past its expiry may be taken over
 * (deleted, then created anew). Its lifetime is the longest a change can take (the caller's
 * proof time plus a minute), so only a dead or stalled holder is taken over. A holder confirms it
 * still holds its lease right before it writes the policy, so a stalled holder that lost its
 * lease writes nothing. What remains is two waiters taking over the same expired lease in the
 * same instant (both delete, both create, the second deleting the first one's new lease): a
 * window of milliseconds after a crash, not a race of everyday use. The writer's final re-read
 * of the policy is what catches that, and changes made by hand, which no lease can keep out. */

#define FIRST_WAIT_MS 50
#define MAX_WAIT_MS   1000
#define MAX_LEASE_BYTES 4096

struct _PgLease
{
  GObject     parent_instance;

  PgS3Client *client;
  char       *bucket;
  char       *key;
  char       *owner;
  char       *purpose;
  guint       seconds;
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
}

/**
 * pg_lease_new:
 * @key: the lease object, e.g. ".presign-guard/lock"
 * @purpose: what the holder does, shown to those who wait ("revoke", "lockdown", …)
 * @seconds: how long the lease lasts: longer than the holder can ever need
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
  self->seconds = MAX (seconds, 1);

  return self;
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

static GBytes *
lease_document (PgLease *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
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
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, pg_s3_client_get_now (self->client) + self->seconds);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);

  return g_bytes_new_take (data, length);
}

/* What a lease object says; an object that cannot be read counts as expired. */
typedef struct
{
  char   *owner;
  char   *host;
  char   *purpose;
  gint64  expires;
} Holder;

static void
holder_clear (Holder *holder)
{
  g_clear_pointer (&holder->owner, g_free);
  g_clear_pointer (&holder->host, g_free);
  g_clear_pointer (&holder->purpose, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Holder, holder_clear)

static void
parse_holder (GBytes *bytes,
              Holder *holder)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (!json_parser_load_from_data (parser, data, length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  object = json_node_get_object (json_parser_get_root (parser));
  holder->owner = g_strdup (json_object_get_string_member_with_default (object, "owner", NULL));
  holder->host = g_strdup (json_object_get_string_member_with_default (object, "host", NULL));
  holder->purpose = g_strdup (json_object_get_string_member_with_default (object, "purpose",
                                                                          NULL));
  holder->expires = json_object_get_int_member_with_default (object, "expires", 0);
}

/* ---- Acquire ----------------------------------------------------------------------------- */

typedef struct
{
  gint64 started;
  guint  delay;
  char  *last_holder;
} Acquire;

static void
acquire_free (Acquire *acquire)
{
  g_free (acquire->last_holder);
  g_free (acquire);
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

static void
inspected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_auto(Holder) holder = { 0 };
  PgLease *self;
  Acquire *acquire;
  gint64 now;

  self = g_task_get_source_object (task);
  acquire = g_task_get_task_data (task);

  if (bytes == NULL)
    {
      /* Released between our attempt and our look: try again at once. */
      if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
        try_create (g_steal_pointer (&task));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  parse_holder (bytes, &holder);
  now = pg_s3_client_get_now (self->client);

  /* Our own, from an attempt whose answer was lost and then retried. */
  if (g_strcmp0 (holder.owner, self->owner) == 0)
    {
      self->held = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (holder.owner == NULL || now > holder.expires)
    {
      g_debug ("lease of %s held by %s expired %" G_GINT64_FORMAT " s ago; taking it over",
               self->bucket, holder.owner ? holder.owner : "nobody", now - holder.expires);
      self->requests++;
      pg_s3_client_delete_object_async (self->client, self->bucket, self->key, cancellable,
                                        taken_over_cb, g_steal_pointer (&task));
      return;
    }

  /* The lease is anybody's text: shown escaped. */
  g_free (acquire->last_holder);
  {
    g_autofree char *host = pg_text_sanitize (holder.host ? holder.host : "?");
    g_autofree char *purpose = pg_text_sanitize (holder.purpose ? holder.purpose : "?");

    acquire->last_holder = g_strdup_printf ("%s, %s", host, purpose);
  }

  /* Somebody else holds it: wait a little longer each time, a random part of it so that
   * waiters do not all come back at the same moment. */
  if (g_get_monotonic_time () - acquire->started
      > ((gint64) self->seconds + MIN (self->seconds, 10)) * G_USEC_PER_SEC)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_CONFLICT,
                               _("Somebody else (%s) has been changing the bucket policy of "
                                 "“%s” for too long. Try again in a minute."),
                               acquire->last_holder, self->bucket);
      return;
    }

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
 * Takes the lease, waiting for another holder to release it (or for its lease to expire).
 * Fails with %PG_ERROR_CONFLICT after waiting longer than a lease lasts, and with the S3 error
 * (such as %PG_S3_ERROR_ACCESS_DENIED) when the lease object cannot be written at all.
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

  if (bytes == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (bytes != NULL)
    parse_holder (bytes, &holder);
  self->held = g_strcmp0 (holder.owner, self->owner) == 0;
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
 * cannot be deleted (no network), it expires by itself.
 */
void
pg_lease_release_async (PgLease             *self,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, pg_lease_release_async);
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
