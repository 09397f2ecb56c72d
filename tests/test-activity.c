/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-activity-store.h"
#include "pg-error.h"
#include "s3-fake.h"
#include "test-async.h"

/* A link's activity: what the ops log says of each request, kept once, bounded, read back from
 * the bucket with suspicion, written out for a terminal and a spreadsheet; and written into the
 * bucket by writers at once (the in-process S3 of s3-fake.c), none of them lost. */

/* Ceph RGW's ops log, as 16.2 writes it: a ranged download, a refusal after revocation. */
#define RANGED \
  "{\"bucket\":\"ops1\",\"time\":\"2026-12-07T14:02:05.000000Z\",\"remote_addr\":\"203.0.113.7\"," \
  "\"user\":\"owner\",\"operation\":\"get_obj\",\"uri\":\"GET /ops1/contract.pdf?X-Amz-Algorithm=" \
  "AWS4-HMAC-SHA256&X-Amz-Credential=PRESIGNKEY%2F20261207%2Fus-east-1%2Fs3%2Faws4_request" \
  "&X-Amz-Date=20261207T140000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" \
  "0123 HTTP/1.1\",\"http_status\":\"206\",\"error_code\":\"\",\"bytes_sent\":1024," \
  "\"bytes_received\":0,\"object_size\":4096,\"total_time\":3," \
  "\"user_agent\":\"Mozilla/5.0, \\\"quoted\\\"\\tand a tab\",\"referrer\":\"\"}"
#define REFUSED \
  "{\"bucket\":\"ops1\",\"time\":\"2026-12-07T15:00:00.000000Z\",\"remote_addr\":\"198.51.100.9\"," \
  "\"uri\":\"GET /ops1/contract.pdf?X-Amz-Credential=PRESIGNKEY%2Fx&X-Amz-Date=" \
  "20261207T140000Z&X-Amz-Signature=0123 HTTP/1.1\",\"http_status\":\"403\"," \
  "\"error_code\":\"AccessDenied\",\"bytes_sent\":243,\"user_agent\":\"curl/7.88.1\"}"

static PgActivityEvent *
event_of (const char *line,
          const char *id)
{
  g_autoptr(PgUseEvent) use = pg_use_event_from_ops_log (line, strlen (line), id);

  g_assert_nonnull (use);

  return pg_activity_event_new_for_use (use);
}

static PgActivityEvent *
event_at (const char     *id,
          gint64          time,
          PgActivityKind  kind)
{
  PgActivityEvent *event = g_new0 (PgActivityEvent, 1);

  event->id = g_strdup (id);
  event->time = time;
  event->kind = kind;
  event->status = kind == PG_ACTIVITY_REFUSED ? 403 : 200;

  return event;
}

/* What the ops log says becomes the event: kind, status, error, address, bytes, user agent. */
static void
test_from_ops_log (void)
{
  g_autoptr(PgActivityEvent) ranged = event_of (RANGED, "log:1");
  g_autoptr(PgActivityEvent) refused = event_of (REFUSED, "log:2");
  g_autofree char *tsv = pg_activity_event_format (ranged, PG_ACTIVITY_TSV);
  g_autofree char *csv = pg_activity_event_format (ranged, PG_ACTIVITY_CSV);
  g_autofree char *refused_tsv = pg_activity_event_format (refused, PG_ACTIVITY_TSV);

  g_assert_cmpint (ranged->kind, ==, PG_ACTIVITY_DOWNLOAD);
  g_assert_cmpuint (ranged->status, ==, 206);
  g_assert_null (ranged->error_code);
  g_assert_cmpstr (ranged->remote_addr, ==, "203.0.113.7");
  g_assert_cmpuint (ranged->bytes, ==, 1024);
  g_assert_cmpint (refused->kind, ==, PG_ACTIVITY_REFUSED);
  g_assert_cmpstr (refused->error_code, ==, "AccessDenied");
  /* The error document's bytes are no download. */
  g_assert_cmpuint (refused->bytes, ==, 0);

  /* One line each: a tab in the user agent is written out, not a column more; CSV quotes a
   * comma and doubles a quote. */
  g_assert_cmpstr (tsv, ==, "2026-12-07T14:02:05Z\tdownload\t206\t\t203.0.113.7\t1024\t"
                            "Mozilla/5.0, \"quoted\"\\x09and a tab");
  g_assert_cmpstr (csv, ==, "2026-12-07T14:02:05Z,download,206,,203.0.113.7,1024,"
                            "\"Mozilla/5.0, \"\"quoted\"\"\\x09and a tab\"");
  g_assert_cmpstr (refused_tsv, ==, "2026-12-07T15:00:00Z\trefused\t403\tAccessDenied\t"
                                    "198.51.100.9\t0\tcurl/7.88.1");
  g_assert_cmpstr (pg_activity_format_header (PG_ACTIVITY_CSV), ==,
                   "time,kind,status,error,address,bytes,user_agent");
}

/* Each request once (two watchers, a log read again), in time order, the last 1,000 kept and the
 * ones let go counted; two writers' versions merge into one. */
static void
test_bounded_and_once (void)
{
  g_autoptr(PgActivity) activity = pg_activity_new ();
  g_autoptr(PgActivity) other = pg_activity_new ();
  g_autoptr(PgActivityEvent) late = event_at ("b", 200, PG_ACTIVITY_DOWNLOAD);
  g_autoptr(PgActivityEvent) early = event_at ("a", 100, PG_ACTIVITY_REFUSED);
  g_autoptr(PgActivityEvent) again = event_at ("b", 200, PG_ACTIVITY_DOWNLOAD);

  g_assert_true (pg_activity_add (activity, late));
  g_assert_true (pg_activity_add (activity, early));
  g_assert_false (pg_activity_add (activity, again));
  g_assert_cmpuint (activity->events->len, ==, 2);
  g_assert_cmpstr (((PgActivityEvent *) g_ptr_array_index (activity->events, 0))->id, ==, "a");
  g_assert_cmpuint (pg_activity_count (activity, PG_ACTIVITY_DOWNLOAD), ==, 1);
  g_assert_cmpuint (pg_activity_count (activity, PG_ACTIVITY_REFUSED), ==, 1);

  for (guint i = 0; i < PG_ACTIVITY_MAX_EVENTS + 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("o%u", i);
      g_autoptr(PgActivityEvent) event = event_at (id, 1000 + i, PG_ACTIVITY_DOWNLOAD);

      pg_activity_add (other, event);
    }
  g_assert_cmpuint (other->events->len, ==, PG_ACTIVITY_MAX_EVENTS);
  g_assert_cmpuint (other->dropped, ==, 5);
  g_assert_cmpstr (((PgActivityEvent *) g_ptr_array_index (other->events, 0))->id, ==, "o5");

  /* Merged: the newest 1,000 of both; the two oldest of this one and the five of the other go.
   * The same merge again adds nothing. */
  g_assert_cmpuint (pg_activity_merge (activity, other), ==, PG_ACTIVITY_MAX_EVENTS);
  g_assert_cmpuint (activity->events->len, ==, PG_ACTIVITY_MAX_EVENTS);
  g_assert_cmpuint (activity->dropped, ==, 2 + 5);
  g_assert_cmpuint (pg_activity_merge (activity, other), ==, 0);
}

/* Kept in the bucket and read back the same; what is not an activity, or not whole, is not
 * believed. */
static void
test_read_back (void)
{
  g_autoptr(PgActivity) activity = pg_activity_new ();
  g_autoptr(PgActivityEvent) ranged = event_of (RANGED, "log:1");
  g_autoptr(PgActivityEvent) refused = event_of (REFUSED, "log:2");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(PgActivity) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = pg_activity_key ("8d1c0c6e-2b1f-4e4e-9a4c-5d2f0b1a7e3c");
  static const char *const damaged[] = {
    "", "[]", "{\"format\":\"presign-guard link 1\"}", "{\"format\":\"presign-guard activity 1\"",
  };

  pg_activity_add (activity, ranged);
  pg_activity_add (activity, refused);
  activity->dropped = 3;
  bytes = pg_activity_to_bytes (activity);
  /* Nothing in it opens the link again. */
  g_assert_null (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                               "X-Amz-Signature"));
  back = pg_activity_new_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->events->len, ==, 2);
  g_assert_cmpuint (back->dropped, ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *a = pg_activity_event_format (g_ptr_array_index (activity->events, i),
                                                     PG_ACTIVITY_CSV);
      g_autofree char *b = pg_activity_event_format (g_ptr_array_index (back->events, i),
                                                     PG_ACTIVITY_CSV);

      g_assert_cmpstr (a, ==, b);
    }

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autoptr(GBytes) text = g_bytes_new_static (damaged[i], strlen (damaged[i]));
      g_autoptr(PgActivity) none = pg_activity_new_from_bytes (text, &error);

      g_assert_null (none);
      g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
      g_clear_error (&error);
    }

  /* An event that is not whole (no id, a status of words, a time that is none, an unknown
   * kind) is left out and counted. */
  {
    static const char partly[] =
      "{\"format\":\"presign-guard activity 1\",\"dropped\":-4,\"events\":["
      "{\"id\":\"ok\",\"time\":\"2026-12-07T14:00:00Z\",\"kind\":\"upload\",\"status\":200,"
      "\"bytes\":0,\"from\":7},"
      "{\"time\":\"2026-12-07T14:00:00Z\",\"kind\":\"upload\",\"status\":200,\"bytes\":0},"
      "{\"id\":\"x\",\"time\":\"2026-12-07T14:00:00Z\",\"kind\":\"upload\",\"status\":\"200\","
      "\"bytes\":0},"
      "{\"id\":\"y\",\"time\":\"soon\",\"kind\":\"upload\",\"status\":200,\"bytes\":0},"
      "{\"id\":\"z\",\"time\":\"2026-12-07T14:00:00Z\",\"kind\":\"stolen\",\"status\":200,"
      "\"bytes\":0}, 5]}";
    g_autoptr(GBytes) text = g_bytes_new_static (partly, strlen (partly));
    g_autoptr(PgActivity) some = pg_activity_new_from_bytes (text, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (some->events->len, ==, 1);
    g_assert_null (((PgActivityEvent *) g_ptr_array_index (some->events, 0))->remote_addr);
    g_assert_cmpuint (some->dropped, ==, 5);
  }

  /* Where it is kept: under our folder, for a link id only. */
  g_assert_cmpstr (key, ==, ".presign-guard/activity/8d1c0c6e-2b1f-4e4e-9a4c-5d2f0b1a7e3c.json");
  g_assert_null (pg_activity_key ("../links/x"));
}

/* ---- The store ------------------------------------------------------------------------------ */

#define LINK "0123456789abcdef0123456789abcdef"

static PgS3Client *
fake_client (S3Fake *fake)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (fake->url, "us-east-1", TRUE, &error);
  g_autoptr(PgCredentials) manager = pg_credentials_new ("MANAGERKEY", "managersecret", NULL,
                                                         NULL, &error);
  PgS3Client *client;

  g_assert_no_error (error);
  client = pg_s3_client_new (endpoint, manager, NULL);
  pg_s3_client_set_retries (client, 1, 0);

  return client;
}

static PgActivityEvent *
numbered_event (const char *writer,
                guint       i)
{
  PgActivityEvent *event = g_new0 (PgActivityEvent, 1);

  event->id = g_strdup_printf ("%s:%u", writer, i);
  event->time = 1796000000 + i;
  event->kind = PG_ACTIVITY_DOWNLOAD;
  event->status = 200;
  event->remote_addr = g_strdup ("203.0.113.7");

  return event;
}

static PgActivity *
load (PgS3Client *client,
      const char *link)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PgActivity *activity;

  pg_activity_load_async (client, "bucket", link, NULL, test_store_result, &result);
  activity = pg_activity_load_finish (test_wait_for (&result), &error);
  g_assert_no_error (error);

  return activity;
}

static void
count_problem (PgActivityStore *store,
               const char      *message,
               guint           *problems)
{
  (*problems)++;
}

/* Two writers add to one link's activity at the same time, events of their own and events both
 * saw: every event is kept, once. (Without the lock, the second writer's read-add-write erases
 * the first one's.) */
static void
test_store_writers_at_once (void)
{
  S3Fake *fake = s3_fake_new ("bucket", "SIGNERKEY", "arn:aws:iam::1:user/signer");
  g_autoptr(PgS3Client) client = fake_client (fake);
  g_autoptr(PgActivityStore) first = pg_activity_store_new (client, "bucket");
  g_autoptr(PgActivityStore) second = pg_activity_store_new (client, "bucket");
  g_autoptr(PgActivity) activity = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(PgActivityEvent) mine = numbered_event ("first", i);
      g_autoptr(PgActivityEvent) theirs = numbered_event ("second", i);
      g_autoptr(PgActivityEvent) both = numbered_event ("both", i);

      pg_activity_store_add (first, LINK, mine);
      pg_activity_store_add (second, LINK, theirs);
      pg_activity_store_add (first, LINK, both);
      pg_activity_store_add (second, LINK, both);
      /* Their rounds overlap: each adds while the other writes. */
      for (guint j = 0; j < 3; j++)
        g_main_context_iteration (NULL, FALSE);
    }
  while (!pg_activity_store_is_settled (first) || !pg_activity_store_is_settled (second))
    g_main_context_iteration (NULL, TRUE);

  activity = load (client, LINK);
  g_assert_cmpuint (activity->events->len, ==, 120);
  for (guint i = 0; i < activity->events->len; i++)
    g_assert_true (g_hash_table_add (ids, ((PgActivityEvent *) activity->events->pdata[i])->id));
  g_assert_cmpuint (activity->dropped, ==, 0);
  /* The lock is given back. */
  g_assert_false (s3_fake_has_object (fake, PG_ACTIVITY_LOCK_KEY));

  g_clear_object (&first);
  g_clear_object (&second);
  g_clear_object (&client);
  s3_fake_free (fake);
}

/* A log that cannot be written (the server refuses) is said, and written once it can: nothing
 * is lost meanwhile, and the store is not settled (a watcher keeps its place in its sources). A
 * link never used has an empty log; a damaged one is an error to a reader. */
static void
test_store_retries (void)
{
  S3Fake *fake = s3_fake_new ("bucket", "SIGNERKEY", "arn:aws:iam::1:user/signer");
  g_autoptr(PgS3Client) client = fake_client (fake);
  g_autoptr(PgActivityStore) store = pg_activity_store_new (client, "bucket");
  g_autoptr(PgActivityEvent) event = numbered_event ("log", 1);
  g_autoptr(PgActivity) activity = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint problems = 0;

  activity = load (client, LINK);
  g_assert_cmpuint (activity->events->len, ==, 0);
  g_clear_pointer (&activity, pg_activity_free);

  g_signal_connect (store, "problem", G_CALLBACK (count_problem), &problems);
  fake->put_refused_prefix = PG_ACTIVITY_PREFIX;
  fake->put_refused_status = 503;
  pg_activity_store_add (store, LINK, event);
  while (problems == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (pg_activity_store_is_settled (store));
  g_assert_cmpuint (pg_activity_store_get_writes (store), ==, 0);

  fake->put_refused_prefix = NULL;
  while (!pg_activity_store_is_settled (store))
    g_main_context_iteration (NULL, TRUE);
  activity = load (client, LINK);
  g_assert_cmpuint (activity->events->len, ==, 1);
  g_assert_cmpuint (pg_activity_store_get_writes (store), ==, 1);

  /* The same event again: nothing new, nothing written. */
  pg_activity_store_add (store, LINK, event);
  while (!pg_activity_store_is_settled (store))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (pg_activity_store_get_writes (store), ==, 1);

  s3_fake_put_object (fake, PG_ACTIVITY_PREFIX LINK ".json", "{\"format\": \"something else\"}");
  pg_activity_load_async (client, "bucket", LINK, NULL, test_store_result, &result);
  g_assert_null (pg_activity_load_finish (test_wait_for (&result), &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);

  g_clear_object (&store);
  g_clear_object (&client);
  s3_fake_free (fake);
}

/* A lock a round could not give back (the server refused the delete) is still the store's own:
 * the next round goes on at once, it does not wait for it to expire. */
static void
test_store_lock_left_behind (void)
{
  S3Fake *fake = s3_fake_new ("bucket", "SIGNERKEY", "arn:aws:iam::1:user/signer");
  g_autoptr(PgS3Client) client = fake_client (fake);
  g_autoptr(PgActivityStore) store = pg_activity_store_new (client, "bucket");
  g_autoptr(PgActivityEvent) first = numbered_event ("log", 1);
  g_autoptr(PgActivityEvent) second = numbered_event ("log", 2);
  g_autoptr(PgActivity) activity = NULL;
  gint64 started;

  fake->delete_refused_prefix = PG_ACTIVITY_LOCK_KEY;
  pg_activity_store_add (store, LINK, first);
  while (!pg_activity_store_is_settled (store))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (s3_fake_has_object (fake, PG_ACTIVITY_LOCK_KEY));

  fake->delete_refused_prefix = NULL;
  started = g_get_monotonic_time ();
  pg_activity_store_add (store, LINK, second);
  while (!pg_activity_store_is_settled (store))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  activity = load (client, LINK);
  g_assert_cmpuint (activity->events->len, ==, 2);
  g_assert_false (s3_fake_has_object (fake, PG_ACTIVITY_LOCK_KEY));

  g_clear_object (&store);
  g_clear_object (&client);
  s3_fake_free (fake);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/activity/from-ops-log", test_from_ops_log);
  g_test_add_func ("/pg/activity/bounded-and-once", test_bounded_and_once);
  g_test_add_func ("/pg/activity/read-back", test_read_back);
  g_test_add_func ("/pg/activity/store-writers-at-once", test_store_writers_at_once);
  g_test_add_func ("/pg/activity/store-retries", test_store_retries);
  g_test_add_func ("/pg/activity/store-lock-left-behind", test_store_lock_left_behind);

  return g_test_run ();
}
