/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-revoker"

#include "config.h"

#include <string.h>

#include "pg-error.h"
#include "pg-revoker.h"
#include "s3-fake.h"
#include "test-async.h"

/* The revoker's paths that a healthy server never takes — a writer that wins the race, a lease
 * held by someone else or by nobody alive, a signer whose key is wrong, a policy changed by hand
 * after our write — against an in-process S3 (s3-fake.c) that can be made to do all of that.
 * The same operations against a real server are test-rgw-revoke.py's. */

#define BUCKET     "demo"
#define SIGNER_KEY "SIGNERKEY"
#define SIGNER_ARN "arn:aws:iam:::user/owner:presign"

typedef struct
{
  S3Fake     *fake;
  PgS3Client *client;
  PgRevoker  *revoker;
} Fixture;

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
  fixture->revoker = pg_revoker_new (fixture->client, signer, data ? data : SIGNER_ARN);
  pg_revoker_set_verify_timeout (fixture->revoker, 2);
  pg_revoker_set_settle_time (fixture->revoker, 10);
  s3_fake_put_object (fixture->fake, "report.pdf", "%PDF");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->revoker);
  g_assert_finalize_object (fixture->client);
  s3_fake_free (fixture->fake);
}

static gboolean
wait_and_finish (PgRevoker     *revoker,
                 GAsyncResult **slot,
                 GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  result = g_steal_pointer (slot);

  return pg_revoker_finish (revoker, result, error);
}

static gboolean
do_revoke (Fixture     *fixture,
        const char  *key,
        GError     **error)
{
  GAsyncResult *result = NULL;

  pg_revoker_revoke_async (fixture->revoker, BUCKET, key, PG_POLICY_ACTION_GET, NULL,
                           test_store_result, &result);

  return wait_and_finish (fixture->revoker, &result, error);
}

static void
test_revoke_verified (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const PgRevokeStats *stats;

  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "other.pdf"));

  /* One write; the lease was taken and given back. */
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 1);
  g_assert_cmpuint (fixture->fake->lock_creates, ==, 1);
  g_assert_cmpuint (fixture->fake->lock_deletes, ==, 1);
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));

  /* Baseline, proof, proof after the re-read: three requests signed by the signer. */
  stats = pg_revoker_get_stats (fixture->revoker);
  g_assert_cmpuint (stats->probes, ==, 3);
  g_assert_cmpuint (fixture->fake->presigned, ==, 3);
  g_assert_cmpuint (stats->cycles, ==, 1);
  g_assert_cmpuint (stats->requests, ==, fixture->fake->requests);
  g_assert_null (pg_revoker_get_notice (fixture->revoker));

  /* A second revoke writes nothing and still proves. */
  g_assert_true (do_revoke (fixture, "report.pdf", &error));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 1);
}

/* Somebody else's write lands right after ours and drops our statement (a writer outside the
 * lease, by hand): the re-read sees it and the revocation is written again. */
static void
restore_previous_once (S3Fake *fake,
                       guint   writes,
                       gpointer user_data)
{
  if (writes == 1)
    {
      g_free (fake->policy);
      fake->policy = g_strdup (user_data);
    }
}

static void
test_lost_race_redone (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char foreign[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Theirs\",\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":\"arn:aws:iam:::user/alice\"},\"Action\":\"s3:GetObject\","
    "\"Resource\":\"arn:aws:s3:::demo/shared/*\"}]}";
  g_autoptr(GError) error = NULL;

  s3_fake_set_policy (fixture->fake, foreign);
  fixture->fake->policy_hook = restore_previous_once;
  fixture->fake->policy_hook_data = (gpointer) foreign;

  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_cmpuint (pg_revoker_get_stats (fixture->revoker)->cycles, ==, 2);
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 2);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_nonnull (strstr (fixture->fake->policy, "\"Theirs\""));
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

/* A writer that wins every time: no "verified", a sentence, and the lease given back. */
static void
undo_every_write (S3Fake *fake,
                  guint   writes,
                  gpointer user_data)
{
  g_clear_pointer (&fake->policy, g_free);
}

static void
test_endless_conflict (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake->policy_hook = undo_every_write;
  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  /* Written (and undone) five times: it may hold or not; never "verified", never "not made". */
  g_assert_error (error, PG_ERROR, PG_ERROR_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "kept changing"));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 5);
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

/* A wrong secret: the baseline is refused with SignatureDoesNotMatch before anything is
 * written — never "verified" because some 403 came back. */
static void
test_wrong_secret (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  fixture->fake->presign_error = "SignatureDoesNotMatch";
  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_SIGNER_REFUSED);
  g_assert_nonnull (strstr (error->message, "secret key does not match"));
  g_assert_nonnull (strstr (error->message, "Nothing was changed"));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));

  /* The same for a lockdown, and for an upload link's probe. */
  g_clear_error (&error);
  pg_revoker_set_lockdown_async (fixture->revoker, BUCKET, PG_LOCKDOWN_SIGNER, TRUE, NULL, NULL,
                                 test_store_result, &result);
  g_assert_false (wait_and_finish (fixture->revoker, &result, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_SIGNER_REFUSED);
  g_clear_error (&error);
  fixture->fake->presign_error = "InvalidAccessKeyId";
  pg_revoker_revoke_async (fixture->revoker, BUCKET, "in/x", PG_POLICY_ACTION_PUT, NULL,
                           test_store_result, &result);
  g_assert_false (wait_and_finish (fixture->revoker, &result, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_SIGNER_REFUSED);
  g_assert_nonnull (strstr (error->message, SIGNER_KEY));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
}

/* A signer already refused by somebody else's statement: a refusal after our change would prove
 * nothing, so nothing is changed. */
static void
test_refused_by_foreign (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  s3_fake_set_policy (fixture->fake,
                      "{\"Statement\":[{\"Sid\":\"NoSigner\",\"Effect\":\"Deny\","
                      "\"Principal\":{\"AWS\":\"" SIGNER_ARN "\"},\"Action\":\"s3:GetObject\","
                      "\"Resource\":\"arn:aws:s3:::demo/*\"}]}");
  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_SIGNER_REFUSED);
  g_assert_nonnull (strstr (error->message, "already refused"));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
}

/* A wrong signer ARN: the Deny names nobody who signs, the link keeps working, and after the
 * time limit the message says which ARN to check. */
static void
test_wrong_arn (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_TAKEN_BACK);
  g_assert_nonnull (strstr (error->message, "arn:aws:iam:::user/somebody-else"));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

static char *
lease_json (const char *owner,
            gint64      expires)
{
  return g_strdup_printf ("{\"owner\":\"%s\",\"host\":\"elsewhere\",\"purpose\":\"revoke\","
                          "\"expires\":%" G_GINT64_FORMAT "}", owner, expires);
}

/* A lease left by a holder that died is taken over at once. */
static void
test_stale_lease (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stale = lease_json ("dead", g_get_real_time () / G_USEC_PER_SEC - 5);

  s3_fake_put_object (fixture->fake, PG_REVOKER_LEASE_KEY, stale);
  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_cmpuint (fixture->fake->lock_deletes, ==, 2);
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

/* A lease held by somebody alive: wait; it is released meanwhile. */
static gboolean
release_lease_cb (gpointer user_data)
{
  S3Fake *fake = user_data;

  g_hash_table_remove (fake->objects, PG_REVOKER_LEASE_KEY);

  return G_SOURCE_REMOVE;
}

static void
test_held_lease_waits (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *held = lease_json ("alive", g_get_real_time () / G_USEC_PER_SEC + 60);
  gint64 started = g_get_monotonic_time ();

  s3_fake_put_object (fixture->fake, PG_REVOKER_LEASE_KEY, held);
  g_timeout_add (400, release_lease_cb, fixture->fake);
  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 400 * 1000);
  g_assert_cmpuint (pg_revoker_get_stats (fixture->revoker)->lease_waits, >, 0);
  /* Nothing was written while the other held it. */
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 1);
}

/* A holder that never lets go, without being dead: give up with its name. */
static void
test_held_lease_gives_up (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *held = lease_json ("alive", g_get_real_time () / G_USEC_PER_SEC + 3600);

  pg_revoker_set_lease_seconds (fixture->revoker, 1);
  s3_fake_put_object (fixture->fake, PG_REVOKER_LEASE_KEY, held);
  /* Waiting is bounded by about twice the lease's own lifetime. */
  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "elsewhere"));
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
  g_assert_true (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

/* Not allowed to write the lease: said once, and the change is still made and checked. */
static void
test_lease_not_writable (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake->lock_put_status = SOUP_STATUS_FORBIDDEN;
  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_nonnull (pg_revoker_get_notice (fixture->revoker));
  g_assert_nonnull (strstr (pg_revoker_get_notice (fixture->revoker), PG_REVOKER_LEASE_KEY));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
}

/* Our lease was taken over while we were slow: we notice before writing and take it again. */
static void
steal_lease_on_read (S3Fake *fake)
{
  g_autofree char *theirs = lease_json ("thief", g_get_real_time () / G_USEC_PER_SEC + 60);

  s3_fake_put_object (fake, PG_REVOKER_LEASE_KEY, theirs);
}

static gboolean
give_back_cb (gpointer user_data)
{
  release_lease_cb (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_lease_lost_before_write (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  pg_revoker_revoke_async (fixture->revoker, BUCKET, "report.pdf", PG_POLICY_ACTION_GET, NULL,
                           test_store_result, &result);
  /* Once our lease exists, replace it with somebody else's, who gives it back later. */
  while (!s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY))
    g_main_context_iteration (NULL, TRUE);
  steal_lease_on_read (fixture->fake);
  g_timeout_add (300, give_back_cb, fixture->fake);

  {
    gboolean ok = wait_and_finish (fixture->revoker, &result, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 1);
  g_assert_cmpuint (fixture->fake->lock_creates, ==, 2);
}

/* The server fails once our change is written: the change may be in place, so it is reported
 * as not verified — never as not made. */
static void
fail_reads_after_write (S3Fake *fake,
                        guint   writes,
                        gpointer user_data)
{
  fake->policy_read_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
}

static void
test_failure_after_write (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->fake->policy_hook = fail_reads_after_write;
  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "saved"));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_false (s3_fake_has_object (fixture->fake, PG_REVOKER_LEASE_KEY));
}

/* Cancelled while waiting for the lease: nothing written, nothing left behind. */
static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);

  return G_SOURCE_REMOVE;
}

static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *held = lease_json ("alive", g_get_real_time () / G_USEC_PER_SEC + 60);
  GAsyncResult *result = NULL;

  s3_fake_put_object (fixture->fake, PG_REVOKER_LEASE_KEY, held);
  pg_revoker_revoke_async (fixture->revoker, BUCKET, "report.pdf", PG_POLICY_ACTION_GET,
                           cancellable, test_store_result, &result);
  g_timeout_add (200, cancel_cb, cancellable);
  g_assert_false (wait_and_finish (fixture->revoker, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
}

/* Invalid input is refused before a single request. */
static void
test_invalid_input (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *long_key = g_strnfill (1025, 'k');
  const char *keys[] = { "", long_key };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (do_revoke (fixture, keys[i], &error));
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    }

  {
    g_autoptr(GError) error = NULL;
    GAsyncResult *result = NULL;

    pg_revoker_revoke_async (fixture->revoker, "No Bucket!", "k", PG_POLICY_ACTION_GET, NULL,
                             test_store_result, &result);
    g_assert_false (wait_and_finish (fixture->revoker, &result, &error));
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }

  g_assert_cmpuint (fixture->fake->requests, ==, 0);
}

static void
test_bad_arn (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (do_revoke (fixture, "report.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (fixture->fake->requests, ==, 0);
}

/* A server that answers 404 for a missing key before it looks at the policy (Ceph): say so
 * instead of waiting for a refusal that cannot come. */
static void
test_missing_key (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  fixture->fake->missing_key_404 = TRUE;
  g_assert_false (do_revoke (fixture, "not-there.pdf", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_NOT_VERIFIED);
  g_assert_nonnull (strstr (error->message, "not in the bucket"));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "not-there.pdf"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
}

/* Unrevoke, lockdown on and off: each proven the way it should be. */
static void
test_unrevoke_and_lockdown (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  g_assert_true (do_revoke (fixture, "report.pdf", &error));
  pg_revoker_unrevoke_async (fixture->revoker, BUCKET, "report.pdf", PG_POLICY_ACTION_GET, NULL,
                             test_store_result, &result);
  {
    gboolean ok = wait_and_finish (fixture->revoker, &result, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_null (fixture->fake->policy);

  pg_revoker_set_lockdown_async (fixture->revoker, BUCKET, PG_LOCKDOWN_SIGNER, TRUE, NULL, NULL,
                                 test_store_result, &result);
  {
    gboolean ok = wait_and_finish (fixture->revoker, &result, &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }
  g_assert_true (s3_fake_denies (fixture->fake, "s3:PutObject", "anything"));

  /* Under a lockdown, revoking one file needs no baseline: ours refuses already. */
  {
    gboolean ok = do_revoke (fixture, "report.pdf", &error);

    g_assert_no_error (error);
    g_assert_true (ok);
  }

  pg_revoker_set_lockdown_async (fixture->revoker, BUCKET, PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL,
                                 test_store_result, &result);
  g_assert_true (wait_and_finish (fixture->revoker, &result, &error));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:PutObject", "anything"));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  /* No probe object was ever stored. */
  g_assert_cmpuint (g_hash_table_size (fixture->fake->objects), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, arn) \
  g_test_add ("/pg/revoker/" path, Fixture, arn, fixture_set_up, func, fixture_tear_down)

  ADD ("verified", test_revoke_verified, NULL);
  ADD ("lost-race-redone", test_lost_race_redone, NULL);
  ADD ("endless-conflict", test_endless_conflict, NULL);
  ADD ("wrong-secret", test_wrong_secret, NULL);
  ADD ("refused-by-foreign", test_refused_by_foreign, NULL);
  ADD ("wrong-arn", test_wrong_arn, "arn:aws:iam:::user/somebody-else");
  ADD ("bad-arn", test_bad_arn, "AKIDNOTANARN");
  ADD ("stale-lease", test_stale_lease, NULL);
  ADD ("held-lease-waits", test_held_lease_waits, NULL);
  ADD ("held-lease-gives-up", test_held_lease_gives_up, NULL);
  ADD ("lease-not-writable", test_lease_not_writable, NULL);
  ADD ("lease-lost-before-write", test_lease_lost_before_write, NULL);
  ADD ("failure-after-write", test_failure_after_write, NULL);
  ADD ("cancel", test_cancel, NULL);
  ADD ("invalid-input", test_invalid_input, NULL);
  ADD ("missing-key", test_missing_key, NULL);
  ADD ("unrevoke-and-lockdown", test_unrevoke_and_lockdown, NULL);

  return g_test_run ();
}
