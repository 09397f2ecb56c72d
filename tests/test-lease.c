/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-lease"

#include "config.h"

#include <string.h>

#include "pg-error.h"
#include "pg-lease.h"
#include "pg-revoker.h"
#include "s3-fake.h"
#include "test-async.h"

/* The lease nobody can hold hostage: locks planted by somebody else (with a real PUT of the
 * client, as the leaked signing key would send it) — a far-future expiry, 5 KiB of garbage, an
 * empty object, JSON of the wrong shape, a lock written again every 20 ms — against the
 * in-process S3 of s3-fake.c. Every wait must say who holds the lock and which object it is;
 * ordinary writers wait a bounded time, the lockdown takes the lock over and still proves its
 * result. The same against a real server is test-rgw-lock.py's. */

#define BUCKET     "demo"
#define LOCK       PG_REVOKER_LEASE_KEY
#define SIGNER_KEY "SIGNERKEY"
#define SIGNER_ARN "arn:aws:iam:::user/owner:presign"
/* Year 2100, and a time beyond every calendar. */
#define FAR_FUTURE   G_GINT64_CONSTANT (4102444800)
#define BEYOND_TIME  G_GINT64_CONSTANT (9000000000000000000)

typedef struct
{
  S3Fake     *fake;
  PgS3Client *client;     /* the manager's */
  PgS3Client *planter;    /* the signing key's, which should not but could write the lock */
  GPtrArray  *messages;   /* what the lease said while waiting */
  guint       handler;

  /* A lock written again and again, each time with other content. */
  guint       rewrite_source;
  gboolean    rewrite_busy;
  guint       rewrites;
} Fixture;

static void
capture_message (const char     *domain,
                 GLogLevelFlags  level,
                 const char     *message,
                 gpointer        user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->messages, g_strdup (message));
  g_test_message ("%s: %s", domain, message);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgCredentials) manager = pg_credentials_new ("MANAGERKEY", "managersecret", NULL, NULL,
                                                         &error);
  g_autoptr(PgCredentials) signer = pg_credentials_new (SIGNER_KEY, "signersecret", NULL, NULL,
                                                        &error);

  fixture->fake = s3_fake_new (BUCKET, SIGNER_KEY, SIGNER_ARN);
  endpoint = pg_endpoint_new (fixture->fake->url, "us-east-1", TRUE, &error);
  g_assert_no_error (error);
  fixture->client = pg_s3_client_new (endpoint, manager, NULL);
  pg_s3_client_set_retries (fixture->client, 1, 0);
  fixture->planter = pg_s3_client_new (endpoint, signer, NULL);
  pg_s3_client_set_retries (fixture->planter, 1, 0);
  fixture->messages = g_ptr_array_new_with_free_func (g_free);
  fixture->handler = g_log_set_handler ("pg-lease", G_LOG_LEVEL_MESSAGE, capture_message,
                                        fixture);
  s3_fake_put_object (fixture->fake, "report.pdf", "%PDF");
}

static void stop_rewriting (Fixture *fixture);

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  stop_rewriting (fixture);
  g_log_remove_handler ("pg-lease", fixture->handler);
  g_ptr_array_unref (fixture->messages);
  g_assert_finalize_object (fixture->planter);
  g_assert_finalize_object (fixture->client);
  s3_fake_free (fixture->fake);
}

/* Writes @body (@length bytes) as the lock with a plain PUT of the signing key, as anybody who
 * may write there could. */
static void
plant (Fixture    *fixture,
       const char *body,
       gsize       length)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, length);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pg_s3_client_put_bytes_async (fixture->planter, BUCKET, LOCK, bytes, "application/json",
                                PG_S3_PUT_NONE, NULL, test_store_result, &result);
  g_assert_true (pg_s3_client_put_bytes_finish (fixture->planter, test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_true (s3_fake_has_object (fixture->fake, LOCK));
}

static void
plant_json (Fixture    *fixture,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
plant_json (Fixture    *fixture,
            const char *format,
            ...)
{
  g_autofree char *body = NULL;
  va_list args;

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  plant (fixture, body, strlen (body));
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
acquire (PgLease  *lease,
         GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_lease_acquire_async (lease, NULL, test_store_result, &result);

  return pg_lease_acquire_finish (lease, test_wait_for (&result), error);
}

static void
release (PgLease *lease)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_lease_release_async (lease, test_store_result, &result);
  g_assert_true (pg_lease_release_finish (lease, test_wait_for (&result), NULL));
}

static double
seconds_since (gint64 started)
{
  return (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
}

/* Whether some message the lease said contains every one of the %NULL-terminated strings. */
static gboolean
said (Fixture    *fixture,
      const char *first,
      ...)
{
  for (guint i = 0; i < fixture->messages->len; i++)
    {
      const char *message = g_ptr_array_index (fixture->messages, i);
      gboolean all = TRUE;
      va_list args;

      va_start (args, first);
      for (const char *part = first; part != NULL; part = va_arg (args, const char *))
        all &= strstr (message, part) != NULL;
      va_end (args);
      if (all)
        return TRUE;
    }

  return FALSE;
}

/* A lease as a revoke takes it, believing nobody's lock for more than @max_seconds. */
static PgLease *
short_lease (Fixture *fixture,
             guint    max_seconds)
{
  PgLease *lease = pg_lease_new (fixture->client, BUCKET, LOCK, "revoke", 60);

  pg_lease_set_max_seconds (lease, max_seconds);

  return lease;
}

/* ---- Locks nobody can hold for longer than a lease lasts --------------------------------- */

/* An expiry in 2100 is believed only as long as any lease lasts, from when it was first seen. */
static void
test_far_future_capped (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = short_lease (fixture, 1);
  gint64 started = g_get_monotonic_time ();

  plant_json (fixture, "{\"owner\":\"hostage\",\"host\":\"leaked-pc\",\"purpose\":\"forever\","
              "\"expires\":%" G_GINT64_FORMAT "}", FAR_FUTURE);
  g_assert_true (acquire (lease, &error));
  g_assert_no_error (error);
  g_assert_true (pg_lease_is_held (lease));
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_cmpfloat (seconds_since (started), <, 5.0);
  g_assert_cmpuint (pg_lease_get_waits (lease), >, 0);

  /* The wait said which object, who, since and until when, and what the lock claims. */
  g_assert_true (said (fixture, LOCK, BUCKET, "leaked-pc (forever)", "since", "until",
                       "2100-01-01 00:00:00 UTC", NULL));
  g_assert_true (said (fixture, LOCK, "ran out", NULL));

  release (lease);
  g_assert_false (s3_fake_has_object (fixture->fake, LOCK));
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

/* Whatever the lock holds, it is read without a warning or a critical (fatal here), and the
 * wait says what it is. */
static void
test_unreadable_said (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *oversized = g_strnfill (5 * 1024, '#');
  const struct {
    const char *body;
    const char *said;
  } locks[] = {
    { "", "the lock is empty" },
    { oversized, "too large" },
    { "[1,2,3]", "not one of ours" },
    { "null", "not one of ours" },
    { "{\"expires\":1}", "not one of ours" },
    { "\xff\xfe{", "not one of ours" },
    { "{\"owner\":5,\"host\":\"h\"}", "not one of ours" },
    { "{\"owner\":\"a\",\"host\":\"h\",\"purpose\":\"p\",\"expires\":9000000000000000000,"
      "\"since\":-9000000000000000000}", "it claims 9000000000000000000" },
    { "{\"owner\":\"a\",\"host\":7,\"purpose\":[1],\"expires\":1e300}", "? (?)" },
    { "{\"owner\":\"a\",\"host\":\"\\u202e\\u0007\",\"purpose\":\"x\",\"expires\":\"soon\"}",
      "\\u202e\\x07 (x)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (locks); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(PgLease) lease = pg_lease_new (fixture->client, BUCKET, LOCK, "revoke", 60);
      g_autoptr(GAsyncResult) result = NULL;

      g_ptr_array_set_size (fixture->messages, 0);
      plant (fixture, locks[i].body, strlen (locks[i].body));
      pg_lease_acquire_async (lease, cancellable, test_store_result, &result);
      g_timeout_add (150, cancel_cb, cancellable);
      g_assert_false (pg_lease_acquire_finish (lease, test_wait_for (&result), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (pg_lease_is_held (lease));
      if (!said (fixture, LOCK, BUCKET, locks[i].said, "Waiting", NULL))
        g_error ("lock %u: nothing said about “%s”", i, locks[i].said);
    }
}

/* 5 KiB of garbage: more than a lease can be, never read whole, taken as expired after the cap. */
static void
test_oversized (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = short_lease (fixture, 1);
  g_autofree char *garbage = g_strnfill (5 * 1024, '#');
  gint64 started = g_get_monotonic_time ();

  plant (fixture, garbage, strlen (garbage));
  g_assert_true (acquire (lease, &error));
  g_assert_no_error (error);
  g_assert_true (pg_lease_is_held (lease));
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_true (said (fixture, LOCK, "too large", "ran out", NULL));
  release (lease);
}

/* An empty object: the same, not taken at once (it may be a lease being written). */
static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = short_lease (fixture, 1);
  gint64 started = g_get_monotonic_time ();

  plant (fixture, "", 0);
  g_assert_true (acquire (lease, &error));
  g_assert_no_error (error);
  g_assert_true (pg_lease_is_held (lease));
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_true (said (fixture, LOCK, "empty", "ran out", NULL));
  release (lease);
}

/* ---- Bounded waits, and what they say ---------------------------------------------------- */

/* A holder that looks alive and never lets go: the wait ends at the caller's limit (the command
 * line's --timeout), and the error names the lock and its holder. */
static void
test_gives_up_naming_lock (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = pg_lease_new (fixture->client, BUCKET, LOCK, "revoke", 60);
  gint64 started = g_get_monotonic_time ();

  plant_json (fixture, "{\"owner\":\"alive\",\"host\":\"office-pc\",\"purpose\":\"unrevoke\","
              "\"since\":%" G_GINT64_FORMAT ",\"expires\":%" G_GINT64_FORMAT "}",
              now_seconds () - 5, now_seconds () + 60);
  pg_lease_set_wait_limit (lease, 1);
  g_assert_false (acquire (lease, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_CONFLICT);
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_cmpfloat (seconds_since (started), <, 5.0);
  g_assert_nonnull (strstr (error->message, LOCK));
  g_assert_nonnull (strstr (error->message, "office-pc (unrevoke)"));
  g_assert_null (strstr (error->message, "Try again in a minute"));
  g_assert_false (pg_lease_is_held (lease));
  g_assert_true (s3_fake_has_object (fixture->fake, LOCK));

  /* The very first wait said so already, with the holder's own "since". */
  g_assert_cmpuint (fixture->messages->len, >=, 1);
  g_assert_true (said (fixture, LOCK, BUCKET, "office-pc (unrevoke)", "since", "until",
                       "Waiting", NULL));
}

/* A holder that died (its lease runs out later than our own could last): waited out, then taken
 * over — not given up on before it runs out. */
static void
test_dead_holder_waited_out (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = pg_lease_new (fixture->client, BUCKET, LOCK, "revoke", 1);
  gint64 started = g_get_monotonic_time ();

  plant_json (fixture, "{\"owner\":\"dead\",\"host\":\"crashed-pc\",\"purpose\":\"revoke\","
              "\"expires\":%" G_GINT64_FORMAT "}", now_seconds () + 3);
  g_assert_true (acquire (lease, &error));
  g_assert_no_error (error);
  g_assert_true (pg_lease_is_held (lease));
  g_assert_cmpfloat (seconds_since (started), >=, 2.0);
  g_assert_true (said (fixture, "crashed-pc (revoke)", "ran out", NULL));
  release (lease);
}

/* ---- A lock written again and again ------------------------------------------------------ */

static void
rewritten_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *fixture = user_data;

  pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, NULL);
  fixture->rewrite_busy = FALSE;
  fixture->rewrites++;
}

static gboolean
rewrite_cb (gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (fixture->rewrite_busy)
    return G_SOURCE_CONTINUE;

  body = g_strdup_printf ("{\"owner\":\"hostage-%u\",\"host\":\"leaked\",\"purpose\":\"hostage\","
                          "\"expires\":%" G_GINT64_FORMAT "}", fixture->rewrites, FAR_FUTURE);
  bytes = g_bytes_new (body, strlen (body));
  fixture->rewrite_busy = TRUE;
  pg_s3_client_put_bytes_async (fixture->planter, BUCKET, LOCK, bytes, "application/json",
                                PG_S3_PUT_NONE, NULL, rewritten_cb, fixture);

  return G_SOURCE_CONTINUE;
}

static void
start_rewriting (Fixture *fixture)
{
  rewrite_cb (fixture);
  while (fixture->rewrite_busy)
    g_main_context_iteration (NULL, TRUE);
  fixture->rewrite_source = g_timeout_add (20, rewrite_cb, fixture);
}

static void
stop_rewriting (Fixture *fixture)
{
  g_clear_handle_id (&fixture->rewrite_source, g_source_remove);
  while (fixture->rewrite_busy)
    g_main_context_iteration (NULL, TRUE);
}

/* A writer that is not the lockdown gives up, in bounded time, naming the lock. */
static void
test_rewritten_ordinary_gives_up (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = short_lease (fixture, 1);
  gint64 started = g_get_monotonic_time ();

  start_rewriting (fixture);
  g_assert_false (acquire (lease, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_CONFLICT);
  g_assert_cmpfloat (seconds_since (started), <, 6.0);
  g_assert_nonnull (strstr (error->message, LOCK));
  g_assert_nonnull (strstr (error->message, "leaked (hostage)"));
  g_assert_cmpuint (fixture->rewrites, >, 10);
}

/* The lockdown's lease takes the lock over after its bound, and when the lock is written again
 * each time, goes on without it and says so. */
static void
test_rewritten_takeover (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLease) lease = pg_lease_new (fixture->client, BUCKET, LOCK, "lockdown", 60);
  gint64 started = g_get_monotonic_time ();

  pg_lease_set_takeover (lease, 1);
  start_rewriting (fixture);
  g_assert_true (acquire (lease, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_cmpfloat (seconds_since (started), <, 5.0);
  g_assert_nonnull (pg_lease_get_takeover_notice (lease));
  g_assert_nonnull (strstr (pg_lease_get_takeover_notice (lease), LOCK));
  g_assert_nonnull (strstr (pg_lease_get_takeover_notice (lease), "leaked (hostage)"));
  g_assert_true (said (fixture, LOCK, "takes it over after 1 s", NULL));
  stop_rewriting (fixture);
  release (lease);
}

/* ---- Through the revoker: only the lockdown takes over ----------------------------------- */

static PgRevoker *
new_revoker (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) signer = pg_credentials_new (SIGNER_KEY, "signersecret", NULL, NULL,
                                                        &error);
  PgRevoker *revoker = pg_revoker_new (fixture->client, signer, SIGNER_ARN);

  pg_revoker_set_verify_timeout (revoker, 2);
  pg_revoker_set_settle_time (revoker, 10);

  return revoker;
}

static gboolean
lockdown (PgRevoker  *revoker,
          GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_revoker_set_lockdown_async (revoker, BUCKET, PG_LOCKDOWN_SIGNER, TRUE, NULL, NULL,
                                 test_store_result, &result);

  return pg_revoker_finish (revoker, test_wait_for (&result), error);
}

/* A far-future lock: a revoke gives up at the limit naming it, a lockdown takes it over at the
 * same limit, writes, proves, and gives the lock back. */
static void
test_lockdown_takes_over (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = new_revoker (fixture);
  g_autoptr(GAsyncResult) result = NULL;
  gint64 started;

  plant_json (fixture, "{\"owner\":\"hostage\",\"host\":\"leaked-pc\",\"purpose\":\"forever\","
              "\"expires\":%" G_GINT64_FORMAT "}", FAR_FUTURE);
  pg_revoker_set_wait_limit (revoker, 1);

  started = g_get_monotonic_time ();
  pg_revoker_revoke_async (revoker, BUCKET, "report.pdf", PG_POLICY_ACTION_GET, NULL,
                           test_store_result, &result);
  g_assert_false (pg_revoker_finish (revoker, test_wait_for (&result), &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, LOCK));
  g_assert_nonnull (strstr (error->message, "leaked-pc (forever)"));
  g_assert_cmpfloat (seconds_since (started), <, 5.0);
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
  g_assert_true (s3_fake_has_object (fixture->fake, LOCK));
  g_clear_error (&error);

  started = g_get_monotonic_time ();
  g_assert_true (lockdown (revoker, &error));
  g_assert_no_error (error);
  g_test_message ("lockdown on against a far-future lock: %.2f s", seconds_since (started));
  g_assert_cmpfloat (seconds_since (started), >=, 0.9);
  g_assert_cmpfloat (seconds_since (started), <, 6.0);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:PutObject", "anything"));
  g_assert_nonnull (pg_revoker_get_notice (revoker));
  g_assert_nonnull (strstr (pg_revoker_get_notice (revoker), LOCK));
  g_assert_nonnull (strstr (pg_revoker_get_notice (revoker), "leaked-pc (forever)"));
  /* Ours was given back; the hostage's is gone. */
  g_assert_false (s3_fake_has_object (fixture->fake, LOCK));
}

/* Without a limit of the caller, the lockdown (and only it) takes over after its own short
 * bound, which its first wait announces; lifting the lockdown waits like any other change. */
static void
test_lockdown_bound (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PgRevoker) revoker = new_revoker (fixture);
  g_autofree char *expected = g_strdup_printf ("the lockdown takes it over after %u s",
                                               PG_LEASE_TAKEOVER_SECONDS);

  plant_json (fixture, "{\"owner\":\"hostage\",\"host\":\"leaked-pc\",\"purpose\":\"forever\","
              "\"expires\":%" G_GINT64_FORMAT "}", FAR_FUTURE);
  for (guint enabled = 0; enabled < 2; enabled++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;

      g_ptr_array_set_size (fixture->messages, 0);
      pg_revoker_set_lockdown_async (revoker, BUCKET, PG_LOCKDOWN_SIGNER, enabled, NULL,
                                     cancellable, test_store_result, &result);
      g_timeout_add (300, cancel_cb, cancellable);
      g_assert_false (pg_revoker_finish (revoker, test_wait_for (&result), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpuint (fixture->messages->len, >=, 1);
      g_assert_true (said (fixture, LOCK, "leaked-pc (forever)", "Waiting", NULL));
      g_assert_true (said (fixture, expected, NULL) == (enabled == 1));
    }
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
}

/* A lock written again every 20 ms: the lockdown still gets written and proven, in bounded time. */
static void
test_lockdown_rewritten (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = new_revoker (fixture);
  gint64 started;

  pg_revoker_set_wait_limit (revoker, 1);
  start_rewriting (fixture);
  started = g_get_monotonic_time ();
  g_assert_true (lockdown (revoker, &error));
  g_assert_no_error (error);
  g_test_message ("lockdown on against a lock written every 20 ms: %.2f s",
                  seconds_since (started));
  g_assert_cmpfloat (seconds_since (started), <, 10.0);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_nonnull (pg_revoker_get_notice (revoker));
  g_assert_nonnull (strstr (pg_revoker_get_notice (revoker), LOCK));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/pg/lease/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("far-future-capped", test_far_future_capped);
  ADD ("unreadable-said", test_unreadable_said);
  ADD ("oversized", test_oversized);
  ADD ("empty", test_empty);
  ADD ("gives-up-naming-lock", test_gives_up_naming_lock);
  ADD ("dead-holder-waited-out", test_dead_holder_waited_out);
  ADD ("rewritten/ordinary-gives-up", test_rewritten_ordinary_gives_up);
  ADD ("rewritten/takeover", test_rewritten_takeover);
  ADD ("lockdown/takes-over", test_lockdown_takes_over);
  ADD ("lockdown/bound", test_lockdown_bound);
  ADD ("lockdown/rewritten", test_lockdown_rewritten);

  return g_test_run ();
}
