/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-link-service"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-service.h"
#include "pg-received.h"
#include "pg-upload-page.h"
#include "pg-watcher.h"
#include "s3-fake.h"
#include "test-async.h"

/* The link service without any GTK: links, their states through revocations and Undo, jobs that
 * outlive whoever asked for them, uploads, saves, and the naming rules of links — against the
 * in-process S3 of s3-fake.c. */

#define BUCKET     "demo"
#define SIGNER_KEY "SIGNERKEY"
#define SIGNER_ARN "arn:aws:iam:::user/owner:presign"

typedef struct
{
  S3Fake        *fake;
  PgEndpoint    *endpoint;
  PgCredentials *signer;
  PgS3Client    *client;
  PgAccountContext *context;
  PgLinkService *service;
  GFile         *file;
  GPtrArray     *finished;
} Fixture;

static void
on_job_finished (PgLinkService *service,
                 PgLinkJob     *job,
                 Fixture       *fixture)
{
  g_assert_true (pg_link_job_is_done (job));
  g_ptr_array_add (fixture->finished, g_object_ref (job));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager = pg_credentials_new ("MANAGERKEY", "managersecret", NULL, NULL,
                                                         &error);
  g_autofree char *dir = g_dir_make_tmp ("test-link-service-XXXXXX", &error);

  g_assert_no_error (error);
  fixture->fake = s3_fake_new (BUCKET, SIGNER_KEY, SIGNER_ARN);
  s3_fake_put_object (fixture->fake, "report.pdf", "%PDF");
  s3_fake_put_object (fixture->fake, "other.pdf", "%PDF");
  fixture->endpoint = pg_endpoint_new (fixture->fake->url, "us-east-1", TRUE, &error);
  g_assert_no_error (error);
  fixture->signer = pg_credentials_new (SIGNER_KEY, "signersecret", NULL, NULL, &error);
  fixture->client = pg_s3_client_new (fixture->endpoint, manager, NULL);
  pg_s3_client_set_retries (fixture->client, 1, 0);
  {
    g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);

    pg_s3_client_set_retries (signer, 1, 0);
    fixture->context = pg_account_context_new ("account", BUCKET, fixture->client, signer,
                                               SIGNER_ARN);
    pg_account_context_set_verify_timeout (fixture->context, 1);
  }
  fixture->file = g_file_new_build_filename (dir, "links.json", NULL);
  fixture->service = pg_link_service_new (fixture->file);
  fixture->finished = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->service, "job-finished", G_CALLBACK (on_job_finished), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_get_parent (fixture->file);

  g_ptr_array_unref (fixture->finished);
  g_assert_false (pg_link_service_get_busy (fixture->service));
  g_assert_finalize_object (fixture->service);
  g_assert_finalize_object (fixture->context);
  g_assert_finalize_object (fixture->client);
  pg_credentials_unref (fixture->signer);
  pg_endpoint_unref (fixture->endpoint);
  s3_fake_free (fixture->fake);
  g_file_delete (fixture->file, NULL, NULL);
  g_file_delete (dir, NULL, NULL);
  g_object_unref (fixture->file);
}

static void
wait_idle (PgLinkService *service);

/* Makes a link through the service, as the app does (its record is written meanwhile). */
static PgLink *
create_link (Fixture                *fixture,
             PgAccountContext       *context,
             const PgPresignOptions *options,
             PgLinkShareable         shareable,
             GError                **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLink) link = NULL;
  PgLinkRequest request = { .options = options, .shareable = shareable };

  pg_link_service_create_async (fixture->service, context, &request, NULL, test_store_result,
                                &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  link = pg_link_service_create_finish (fixture->service, result, error);

  /* The service keeps it: returned as (transfer none), like the list's own. */
  return link;
}

static PgLink *
make_link (Fixture    *fixture,
           const char *key,
           PgMethod    method,
           gint64      signed_at)
{
  g_autoptr(GError) error = NULL;
  PgPresignOptions options = {
    .method = method, .bucket = BUCKET, .key = key, .expires = 3600,
    .signing_time = signed_at ? signed_at : g_get_real_time () / G_USEC_PER_SEC,
  };
  PgLink *link = create_link (fixture, fixture->context, &options, PG_LINK_SHAREABLE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (link);

  return link;
}

static void
wait_idle (PgLinkService *service)
{
  while (pg_link_service_get_busy (service))
    g_main_context_iteration (NULL, TRUE);
}

/* Signing checks the link before it is remembered. */
static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_key = g_strnfill (1025, 'k');
  PgPresignOptions bad = { .method = PG_METHOD_GET, .bucket = BUCKET, .key = long_key,
                           .expires = 60 };
  PgLink *link = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);

  g_assert_cmpstr (pg_link_get_signer_arn (link), ==, SIGNER_ARN);
  g_assert_true (pg_link_service_find (fixture->service, pg_link_get_id (link)) == link);
  g_assert_null (create_link (fixture, fixture->context, &bad, PG_LINK_SHAREABLE, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_list_model_get_n_items (pg_link_service_get_links (fixture->service)), ==, 1);

  /* A link to a revoked file is remembered as dead from the start. */
  {
    PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = BUCKET, .key = "report.pdf",
                                 .expires = 60 };
    PgLink *dead = create_link (fixture, fixture->context, &options, PG_LINK_SHAREABLE_REVOKED,
                                NULL);

    g_assert_cmpint (pg_link_get_state (dead), ==, PG_LINK_DEAD_ON_ARRIVAL);
  }
  wait_idle (fixture->service);
}

/* The links as another start of the program would read them. */
static PgLinkService *
load_again (Fixture *fixture)
{
  PgLinkService *again = pg_link_service_new (fixture->file);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pg_link_service_load_async (again, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (pg_link_service_load_finish (again, result, &error));
  g_assert_no_error (error);

  return again;
}

/* Saves asked for in a burst are coalesced, in order: the file ends with everything. */
static void
test_saves_coalesced (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PgLinkService) again = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = g_strdup_printf ("file-%u.pdf", i);

      make_link (fixture, key, PG_METHOD_GET, 0);
    }
  g_assert_true (pg_link_service_get_busy (fixture->service));
  wait_idle (fixture->service);

  again = load_again (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (pg_link_service_get_links (again)), ==, 20);
}

/* Which links a revocation closes: the same object, the same action, the same signer. */
static void
test_affected (Fixture       *fixture,
               gconstpointer  data)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  PgLink *first = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  PgLink *sibling = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  PgLink *expired = make_link (fixture, "report.pdf", PG_METHOD_GET, now - 7200);
  PgLink *upload = make_link (fixture, "report.pdf", PG_METHOD_PUT, 0);
  PgLink *other_file = make_link (fixture, "other.pdf", PG_METHOD_GET, 0);
  PgLink *other_signer;
  g_autoptr(GPtrArray) affected = NULL;

  {
    g_autoptr(PgCredentials) someone = pg_credentials_new ("OTHERKEY", "x", NULL, NULL, NULL);
    g_autoptr(PgS3Client) client = pg_s3_client_new (fixture->endpoint, someone, NULL);
    g_autoptr(PgAccountContext) context = pg_account_context_new ("account", BUCKET,
                                                                  fixture->client, client,
                                                                  "arn:aws:iam:::user/someone");
    PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = BUCKET, .key = "report.pdf",
                                 .expires = 600 };

    other_signer = create_link (fixture, context, &options, PG_LINK_SHAREABLE, NULL);
  }

  affected = pg_link_service_list_affected (fixture->service, first, PG_LINK_JOB_REVOKE);
  g_assert_cmpuint (affected->len, ==, 2);
  g_assert_true (g_ptr_array_index (affected, 0) == first);
  g_assert_true (g_ptr_array_index (affected, 1) == sibling);
  g_assert_true (pg_link_shares_fate (first, sibling));
  g_assert_true (pg_link_shares_fate (first, expired));
  g_assert_false (pg_link_shares_fate (first, upload));
  g_assert_false (pg_link_shares_fate (first, other_file));
  g_assert_false (pg_link_shares_fate (first, other_signer));
  wait_idle (fixture->service);
}

static gboolean
all_in_state (GPtrArray   *links,
              PgLinkState  state)
{
  for (guint i = 0; i < links->len; i++)
    {
      if (pg_link_get_state (g_ptr_array_index (links, i)) != state)
        return FALSE;
    }

  return TRUE;
}

/* Revoke a link: it and its sibling turn Revoking at once, then Revoked; Undo brings both back.
 * The jobs run in the order asked, each announced once. */
static void
test_revoke_and_undo (Fixture       *fixture,
                      gconstpointer  data)
{
  PgLink *first = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  PgLink *sibling = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  PgLink *bystander = make_link (fixture, "other.pdf", PG_METHOD_GET, 0);
  PgLinkJob *job = pg_link_service_revoke_link (fixture->service, fixture->context, first);
  PgLinkJob *undo_job = pg_link_service_unrevoke_link (fixture->service, fixture->context, first);

  g_assert_cmpuint (pg_link_job_get_affected (job)->len, ==, 2);
  g_assert_true (all_in_state (pg_link_job_get_affected (job), PG_LINK_REVOKING));
  g_assert_cmpint (pg_link_get_state (bystander), ==, PG_LINK_ACTIVE);
  g_assert_true (pg_link_service_get_busy (fixture->service));

  pg_link_service_wait (fixture->service, job);
  g_assert_null (pg_link_job_get_error (job));
  g_assert_cmpint (pg_link_get_state (first), ==, PG_LINK_REVOKED);
  g_assert_cmpint (pg_link_get_state (sibling), ==, PG_LINK_REVOKED);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_false (pg_link_job_is_done (undo_job));

  pg_link_service_wait (fixture->service, undo_job);
  g_assert_null (pg_link_job_get_error (undo_job));
  g_assert_cmpuint (pg_link_job_get_affected (undo_job)->len, ==, 2);
  g_assert_cmpint (pg_link_get_state (first), ==, PG_LINK_ACTIVE);
  g_assert_cmpint (pg_link_get_state (sibling), ==, PG_LINK_ACTIVE);
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));

  g_assert_cmpuint (fixture->finished->len, ==, 2);
  g_assert_true (g_ptr_array_index (fixture->finished, 0) == job);
  g_assert_true (g_ptr_array_index (fixture->finished, 1) == undo_job);
  g_object_unref (job);
  g_object_unref (undo_job);
  wait_idle (fixture->service);

  /* What the rows show is what was saved. */
  {
    g_autoptr(PgLinkService) again = load_again (fixture);

    g_assert_cmpint (pg_link_get_state (pg_link_service_find (again, pg_link_get_id (first))),
                     ==, PG_LINK_ACTIVE);
  }
}

/* A failed revocation gives the links their earlier states back; an unproven one says so. */
static void
test_failures_shown (Fixture       *fixture,
                     gconstpointer  data)
{
  PgLink *link = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  PgLink *missing = make_link (fixture, "missing.pdf", PG_METHOD_GET, 0);
  PgLinkJob *job;

  fixture->fake->presign_error = "SignatureDoesNotMatch";
  job = pg_link_service_revoke_link (fixture->service, fixture->context, link);
  pg_link_service_wait (fixture->service, job);
  g_assert_true (g_error_matches (pg_link_job_get_error (job), PG_ERROR,
                                  PG_ERROR_SIGNER_REFUSED));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);
  g_object_unref (job);

  fixture->fake->presign_error = NULL;
  fixture->fake->missing_key_404 = TRUE;
  job = pg_link_service_revoke_link (fixture->service, fixture->context, missing);
  pg_link_service_wait (fixture->service, job);
  g_assert_true (g_error_matches (pg_link_job_get_error (job), PG_ERROR, PG_ERROR_NOT_VERIFIED));
  g_assert_cmpint (pg_link_get_state (missing), ==, PG_LINK_REVOKE_UNVERIFIED);
  g_object_unref (job);
  wait_idle (fixture->service);
}

/* Whoever asked goes away mid-job (a window closed): the job still finishes and is proven, and
 * nothing is delivered to the gone listener. */
static void
on_job_finished_listener (GObject   *listener,
                          PgLinkJob *job)
{
  g_assert_true (G_IS_OBJECT (listener));
  g_object_set_data (listener, "called", GINT_TO_POINTER (TRUE));
}

static void
test_listener_gone (Fixture       *fixture,
                    gconstpointer  data)
{
  PgLink *link = make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  GObject *listener = g_object_new (G_TYPE_OBJECT, NULL);
  PgLinkJob *job;

  g_signal_connect_object (fixture->service, "job-finished",
                           G_CALLBACK (on_job_finished_listener), listener, G_CONNECT_SWAPPED);
  job = pg_link_service_revoke_link (fixture->service, fixture->context, link);
  g_assert_finalize_object (listener);

  pg_link_service_wait (fixture->service, job);
  g_assert_null (pg_link_job_get_error (job));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_object_unref (job);
  wait_idle (fixture->service);
}

/* Lockdown jobs go through the same queue. */
static void
test_lockdown (Fixture       *fixture,
               gconstpointer  data)
{
  PgLinkJob *job = pg_link_service_set_lockdown (fixture->service, fixture->context, PG_LOCKDOWN_SIGNER, TRUE, NULL);

  pg_link_service_wait (fixture->service, job);
  g_assert_null (pg_link_job_get_error (job));
  g_assert_true (pg_link_job_get_enabled (job));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "anything"));
  g_object_unref (job);

  job = pg_link_service_set_lockdown (fixture->service, fixture->context, PG_LOCKDOWN_SIGNER, FALSE,
                                      NULL);
  pg_link_service_wait (fixture->service, job);
  g_assert_null (pg_link_job_get_error (job));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "anything"));
  g_object_unref (job);
}

/* Would a new link work? Revoked files and blocked buckets say no. */
static PgLinkShareable
shareable (Fixture    *fixture,
           const char *key)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PgLinkShareable answer;

  pg_link_service_check_shareable_async (fixture->service, fixture->context, key, NULL,
                                         test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = pg_link_service_check_shareable_finish (fixture->service, result, &error);
  g_assert_no_error (error);

  return answer;
}

static void
test_shareable (Fixture       *fixture,
                gconstpointer  data)
{
  PgLinkJob *job;

  g_assert_cmpint (shareable (fixture, "report.pdf"), ==, PG_LINK_SHAREABLE);
  job = pg_link_service_revoke_file (fixture->service, fixture->context, "report.pdf",
                                       PG_POLICY_ACTION_GET, TRUE);
  pg_link_service_wait (fixture->service, job);
  g_object_unref (job);
  g_assert_cmpint (shareable (fixture, "report.pdf"), ==, PG_LINK_SHAREABLE_REVOKED);
  g_assert_cmpint (shareable (fixture, "other.pdf"), ==, PG_LINK_SHAREABLE);
  job = pg_link_service_set_lockdown (fixture->service, fixture->context, PG_LOCKDOWN_SIGNER,
                                      TRUE, NULL);
  pg_link_service_wait (fixture->service, job);
  g_object_unref (job);
  g_assert_cmpint (shareable (fixture, "other.pdf"), ==, PG_LINK_SHAREABLE_LOCKED);
  wait_idle (fixture->service);
}

/* Uploads: one at a time, with progress; cancelling stops the one under way and drops the rest. */
static GFile *
temp_upload (const char *name,
             gsize       size)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), name, NULL);
  g_autofree char *contents = g_strnfill (size, 'x');

  g_assert_true (g_file_set_contents (path, contents, size, NULL));

  return g_file_new_for_path (path);
}

/* Progress only ever grows, job by job; @last is the latest seen of any. */
static void
on_progress (PgLinkService *service,
             PgLinkJob     *job,
             double        *last)
{
  int permille = (int) (pg_link_job_get_fraction (job) * 1000);

  g_assert_cmpint (permille, >=, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (job), "seen")));
  g_object_set_data (G_OBJECT (job), "seen", GINT_TO_POINTER (permille));
  *last = pg_link_job_get_fraction (job);
}

static void
test_uploads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GFile) small = temp_upload ("test-link-service-a.bin", 1000);
  g_autoptr(GFile) second = temp_upload ("test-link-service-b.bin", 2000);
  PgLinkJob *first;
  PgLinkJob *queued;
  double last = 0;

  g_signal_connect (fixture->service, "job-progress", G_CALLBACK (on_progress), &last);
  first = pg_link_service_upload (fixture->service, fixture->context, "in/a.bin", small,
                                  FALSE);
  queued = pg_link_service_upload (fixture->service, fixture->context, "in/b.bin", second,
                                   FALSE);
  pg_link_service_wait (fixture->service, first);
  g_assert_null (pg_link_job_get_error (first));
  g_assert_cmpfloat (pg_link_job_get_fraction (first), ==, 1.0);
  g_assert_cmpfloat (last, >, 0.0);
  g_assert_true (s3_fake_has_object (fixture->fake, "in/a.bin"));
  pg_link_service_wait (fixture->service, queued);
  g_assert_true (s3_fake_has_object (fixture->fake, "in/b.bin"));
  g_clear_object (&first);
  g_clear_object (&queued);

  /* A taken name is not replaced unasked: the job says so and sends nothing. */
  first = pg_link_service_upload (fixture->service, fixture->context, "in/a.bin", second,
                                  FALSE);
  pg_link_service_wait (fixture->service, first);
  g_assert_error (pg_link_job_get_error (first), G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_cmpuint (g_bytes_get_size (g_hash_table_lookup (fixture->fake->objects, "in/a.bin")),
                    ==, 1000);
  g_clear_object (&first);
  first = pg_link_service_upload (fixture->service, fixture->context, "in/a.bin", second,
                                  TRUE);
  pg_link_service_wait (fixture->service, first);
  g_assert_null (pg_link_job_get_error (first));
  g_assert_cmpuint (g_bytes_get_size (g_hash_table_lookup (fixture->fake->objects, "in/a.bin")),
                    ==, 2000);
  g_clear_object (&first);

  /* Cancelled: the one running and the one waiting both end cancelled. */
  first = pg_link_service_upload (fixture->service, fixture->context, "in/c.bin", small,
                                  TRUE);
  queued = pg_link_service_upload (fixture->service, fixture->context, "in/d.bin", second,
                                   TRUE);
  pg_link_service_cancel_uploads (fixture->service);
  pg_link_service_wait (fixture->service, first);
  pg_link_service_wait (fixture->service, queued);
  g_assert_true (g_error_matches (pg_link_job_get_error (first), G_IO_ERROR,
                                  G_IO_ERROR_CANCELLED));
  g_assert_true (g_error_matches (pg_link_job_get_error (queued), G_IO_ERROR,
                                  G_IO_ERROR_CANCELLED));
  g_assert_false (s3_fake_has_object (fixture->fake, "in/d.bin"));
  g_object_unref (first);
  g_object_unref (queued);
  g_file_delete (small, NULL, NULL);
  g_file_delete (second, NULL, NULL);
  wait_idle (fixture->service);
}

/* ---- The naming rules of links ----------------------------------------------------------- */

static void
test_upload_key_pattern (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 10, 42, 0);
  g_autofree char *standard = pg_link_make_upload_key ("incoming", NULL, "a b.pdf", now);
  g_autofree char *custom = pg_link_make_upload_key ("in/", "{name}/{date}", "x", now);
  g_autofree char *again = pg_link_make_upload_key ("incoming", NULL, "a b.pdf", now);

  /* incoming/20261128-104200-xxxxxx/a b.pdf */
  g_assert_true (g_str_has_prefix (standard, "incoming/20261128-104200-"));
  g_assert_true (g_str_has_suffix (standard, "/a b.pdf"));
  g_assert_cmpuint (strlen (standard), ==, strlen ("incoming/20261128-104200-123456/a b.pdf"));
  /* A pattern without {id} still gets one: no two links may share a key. */
  g_assert_true (g_str_has_prefix (custom, "in/x-"));
  g_assert_true (g_str_has_suffix (custom, "/20261128"));
  g_assert_cmpstr (standard, !=, again);
}

static void
test_fresh_copy_key (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 14, 2, 0);
  g_autofree char *plain = pg_link_fresh_copy_key ("a/report.pdf", now);
  g_autofree char *no_dot = pg_link_fresh_copy_key ("README", now);
  g_autofree char *hidden = pg_link_fresh_copy_key ("dir/.profile", now);

  g_assert_cmpstr (plain, ==, "a/report (20261128-140200).pdf");
  g_assert_cmpstr (no_dot, ==, "README (20261128-140200)");
  g_assert_cmpstr (hidden, ==, "dir/.profile (20261128-140200)");
}

static void
test_partner_instructions (void)
{
  PgPresignOptions options = { .method = PG_METHOD_PUT, .bucket = BUCKET, .key = "in/x",
                               .expires = 60, .if_none_match = TRUE };
  g_autoptr(PgLink) link = pg_link_new ("account", &options, SIGNER_KEY);
  g_autofree char *text = pg_link_partner_instructions (link, "http://h/in/x?X-Amz-Signature=0");

  g_assert_nonnull (strstr (text, "Invoke-WebRequest -Uri \"http://h/in/x?X-Amz-Signature=0\""));
  g_assert_nonnull (strstr (text, "-H \"If-None-Match: *\""));
  /* The partner's file name travels with the file. */
  g_assert_nonnull (strstr (text, "filename*=UTF-8''\" + [uri]::EscapeDataString($file.Name)"));
  g_assert_nonnull (strstr (text, "-H \"Content-Disposition: attachment; filename=\\\"${file##*/}\\\"\""));
}

static PgLink *
make_page (Fixture    *fixture,
           guint       n_files,
           GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  PgUploadPageRequest request = {
    .folder = "incoming/acme", .n_files = n_files, .expires = 3600,
    .note = "Thanks",
  };

  pg_link_service_create_upload_page_async (fixture->service, fixture->context, &request, NULL,
                                            test_store_result, &result);

  return pg_link_service_create_upload_page_finish (fixture->service, test_wait_for (&result), error);
}

/* An upload page link: the page in the bucket, remembered with its keys, one revocation for the
 * page and every upload (and for a plain link to one of its keys), the page deleted on
 * removal. */
static void
test_upload_page (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) page = make_page (fixture, 3, &error);
  g_autoptr(PgLinkJob) job = NULL;
  g_autoptr(GPtrArray) affected = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLinkService) reloaded = NULL;
  const char * const *keys;
  PgLink *plain;
  PgLink *again;

  g_assert_no_error (error);
  keys = pg_link_get_upload_keys (page);
  g_assert_cmpuint (g_strv_length ((char **) keys), ==, 3);
  g_assert_true (pg_upload_page_is_page_key (pg_link_get_page_key (page)));
  g_assert_true (s3_fake_has_object (fixture->fake, pg_link_get_page_key (page)));
  g_assert_true (pg_link_service_find (fixture->service, pg_link_get_id (page)) == page);

  /* Remembered whole. */
  wait_idle (fixture->service);
  reloaded = load_again (fixture);
  again = pg_link_service_find (reloaded, pg_link_get_id (page));
  g_assert_nonnull (again);
  g_assert_cmpstr (pg_link_get_page_key (again), ==, pg_link_get_page_key (page));
  g_assert_cmpstrv (pg_link_get_upload_keys (again), keys);

  /* A plain upload link to one of the page's keys shares its fate; a download of another file
   * does not. */
  plain = make_link (fixture, keys[1], PG_METHOD_PUT, 0);
  make_link (fixture, "report.pdf", PG_METHOD_GET, 0);
  affected = pg_link_service_list_affected (fixture->service, page, PG_LINK_JOB_REVOKE);
  g_assert_cmpuint (affected->len, ==, 2);
  g_assert_true (g_ptr_array_find (affected, plain, NULL));

  job = pg_link_service_revoke_link (fixture->service, fixture->context, page);
  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  g_assert_cmpuint (pg_link_job_get_targets (job)->len, ==, 4);
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 1);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", pg_link_get_page_key (page)));
  for (guint i = 0; keys[i] != NULL; i++)
    g_assert_true (s3_fake_denies (fixture->fake, "s3:PutObject", keys[i]));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_cmpint (pg_link_get_state (page), ==, PG_LINK_REVOKED);
  g_assert_cmpint (pg_link_get_state (plain), ==, PG_LINK_REVOKED);

  /* Removed: the page leaves the bucket, the link the list. */
  g_clear_object (&result);
  pg_link_service_remove_async (fixture->service, fixture->context, page, NULL, test_store_result,
                                &result);
  g_assert_true (pg_link_service_remove_finish (fixture->service, test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_assert_false (s3_fake_has_object (fixture->fake, pg_link_get_page_key (page)));
  g_assert_null (pg_link_service_find (fixture->service, pg_link_get_id (page)));
  wait_idle (fixture->service);
}

/* Revoked from its URL alone, as on another computer: the page says which keys it uploads to.
 * A link signed by another key, or for another server, changes nothing. */
static void
test_revoke_page_url (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) page = make_page (fixture, 2, &error);
  g_autoptr(PgLinkJob) job = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgCredentials) stranger = pg_credentials_new ("STRANGERKEY", "secret", NULL, NULL,
                                                          NULL);
  g_autoptr(PgEndpoint) elsewhere = pg_endpoint_new ("http://127.0.0.2:9", "us-east-1", TRUE,
                                                     NULL);
  g_autofree char *url = pg_link_derive_url (page, fixture->endpoint, fixture->signer, &error);
  const char *bad_urls[3] = { NULL, NULL, "http://127.0.0.1/not-a-link" };
  g_autofree char *stranger_url = NULL;
  g_autofree char *elsewhere_url = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_GET, .bucket = BUCKET, .key = pg_link_get_page_key (page),
    .expires = 60,
  };

  g_assert_no_error (error);
  bad_urls[0] = stranger_url = pg_presign_url (fixture->endpoint, stranger, &options, NULL);
  bad_urls[1] = elsewhere_url = pg_presign_url (elsewhere, fixture->signer, &options, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autoptr(GAsyncResult) bad = NULL;
      g_autoptr(GError) local = NULL;
      g_autoptr(PgLinkJob) none = NULL;

      pg_link_service_revoke_url_async (fixture->service, fixture->context, bad_urls[i],
                                        PG_POLICY_ACTION_GET, TRUE, NULL, test_store_result, &bad);
      none = pg_link_service_revoke_url_finish (fixture->service, test_wait_for (&bad), NULL, NULL,
                                                &local);
      g_assert_null (none);
      g_assert_nonnull (local);
    }
  g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);

  pg_link_service_revoke_url_async (fixture->service, fixture->context, url, PG_POLICY_ACTION_GET, TRUE,
                                    NULL, test_store_result, &result);
  job = pg_link_service_revoke_url_finish (fixture->service, test_wait_for (&result), NULL, NULL,
                                           &error);
  g_assert_no_error (error);
  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  g_assert_cmpuint (pg_link_job_get_targets (job)->len, ==, 3);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", pg_link_get_page_key (page)));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:PutObject",
                                 pg_link_get_upload_keys (page)[1]));
  /* The remembered link turned Revoked with it. */
  g_assert_cmpint (pg_link_get_state (page), ==, PG_LINK_REVOKED);
  wait_idle (fixture->service);
}

/* Nothing is written for a page that cannot be made. */
static void
test_upload_page_refused (Fixture       *fixture,
                          gconstpointer  data)
{
  for (guint n = 0; n <= PG_UPLOAD_PAGE_MAX_FILES + 1; n += PG_UPLOAD_PAGE_MAX_FILES + 1)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgLink) page = make_page (fixture, n, &error);

      g_assert_null (page);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    }
  g_assert_cmpuint (fixture->fake->requests, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (pg_link_service_get_links (fixture->service)), ==,
                    0);
}

/* Upload links whose file is in the bucket turn Received (and are saved so); the others stay as
 * they are: still waiting, revoked, or a download link to a file that exists anyway. */
static void
count_arrivals (PgLinkService *service,
                PgLink        *link,
                guint          n_new,
                guint         *arrivals)
{
  *arrivals += n_new;
}

static int
check_received (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  int found;

  pg_link_service_check_received_async (fixture->service, fixture->context, NULL,
                                        test_store_result, &result);
  found = pg_link_service_check_received_finish (fixture->service, test_wait_for (&result),
                                                 &error);
  g_assert_no_error (error);

  return found;
}

/* Files that arrived, found without a refresh: an upload link turns Received with its file; a
 * revoked one keeps its state but its file is known; a page counts its files, under the names
 * the partner's files had, and turns Received once every file is in. */
static void
test_received (Fixture       *fixture,
               gconstpointer  data)
{
  PgLink *arrived = make_link (fixture, "in/arrived.pdf", PG_METHOD_PUT, 0);
  PgLink *waiting = make_link (fixture, "in/waiting.pdf", PG_METHOD_PUT, 0);
  PgLink *revoked = make_link (fixture, "in/revoked.pdf", PG_METHOD_PUT, 0);
  PgLink *download = make_link (fixture, "in/arrived.pdf", PG_METHOD_GET, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) page = make_page (fixture, 3, &error);
  const char * const *keys = pg_link_get_upload_keys (page);
  g_autoptr(PgLinkService) again = NULL;
  PgReceivedFile *file;
  guint arrivals = 0;

  g_assert_no_error (error);
  g_signal_connect (fixture->service, "files-received", G_CALLBACK (count_arrivals), &arrivals);
  s3_fake_put_object (fixture->fake, "in/arrived.pdf", "a contract");
  s3_fake_put_object (fixture->fake, "in/revoked.pdf", "too late");
  s3_fake_put_sent_file (fixture->fake, keys[0], "%PDF",
                         "attachment; filename*=UTF-8''Signed%20contract%20ACME.pdf");
  s3_fake_put_sent_file (fixture->fake, keys[2], "xlsx",
                         "attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%2012%E6%9C%88.xlsx");
  pg_link_set_state (revoked, PG_LINK_REVOKED);

  g_assert_cmpint (check_received (fixture), ==, 4);
  g_assert_cmpuint (arrivals, ==, 4);
  g_assert_cmpint (pg_link_get_state (arrived), ==, PG_LINK_USED);
  g_assert_cmpuint (pg_link_get_n_received (arrived), ==, 1);
  g_assert_cmpint (pg_link_get_state (waiting), ==, PG_LINK_ACTIVE);
  g_assert_cmpint (pg_link_get_state (revoked), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (pg_link_get_n_received (revoked), ==, 1);
  g_assert_cmpint (pg_link_get_state (download), ==, PG_LINK_ACTIVE);
  g_assert_cmpint (pg_link_get_state (page), ==, PG_LINK_ACTIVE);
  g_assert_cmpuint (pg_link_get_n_received (page), ==, 2);
  file = g_ptr_array_index (pg_link_get_received (page), 0);
  g_assert_cmpstr (file->key, ==, keys[0]);
  g_assert_cmpstr (file->name, ==, "Signed contract ACME.pdf");
  file = g_ptr_array_index (pg_link_get_received (page), 1);
  g_assert_cmpstr (file->name, ==, "請求書 12月.xlsx");
  file = g_ptr_array_index (pg_link_get_received (arrived), 0);
  g_assert_cmpstr (file->name, ==, "arrived.pdf");

  /* The notification's words: by whom when the link says whom it is for. */
  {
    g_autofree char *bare = pg_link_describe_arrival (arrived, 1);
    g_autofree char *from = NULL;

    pg_link_set_label (page, "  ACME, Kenji Sato ");
    from = pg_link_describe_arrival (page, 2);
    g_assert_cmpstr (bare, ==, "“arrived.pdf” arrived through its upload link");
    g_assert_cmpstr (from, ==, "ACME, Kenji Sato sent 2 files");
  }

  /* Nothing new: nothing said. The last file: the page is Received. */
  g_assert_cmpint (check_received (fixture), ==, 0);
  g_assert_cmpuint (arrivals, ==, 4);
  s3_fake_put_sent_file (fixture->fake, keys[1], "x", "attachment; filename=\"../../.bashrc\"");
  g_assert_cmpint (check_received (fixture), ==, 1);
  g_assert_cmpint (pg_link_get_state (page), ==, PG_LINK_USED);
  file = g_ptr_array_index (pg_link_get_received (page), 1);
  g_assert_cmpstr (file->name, ==, "bashrc");
  g_signal_handlers_disconnect_by_data (fixture->service, &arrivals);

  /* Two looks at once (a slow server, a second window): the second asks nothing and finds
   * nothing; once the first is over, the next look asks again (one file is still awaited). */
  {
    g_autoptr(GAsyncResult) first = NULL;
    g_autoptr(GAsyncResult) second = NULL;
    guint heads = fixture->fake->heads;

    pg_link_service_check_received_async (fixture->service, fixture->context, NULL,
                                          test_store_result, &first);
    pg_link_service_check_received_async (fixture->service, fixture->context, NULL,
                                          test_store_result, &second);
    g_assert_cmpint (pg_link_service_check_received_finish (fixture->service,
                                                            test_wait_for (&second), NULL), ==, 0);
    g_assert_cmpint (pg_link_service_check_received_finish (fixture->service,
                                                            test_wait_for (&first), NULL), ==, 0);
    g_assert_cmpuint (fixture->fake->heads - heads, ==, 1);
    g_assert_cmpint (check_received (fixture), ==, 0);
    g_assert_cmpuint (fixture->fake->heads - heads, ==, 2);
  }

  /* Remembered, names and all. */
  wait_idle (fixture->service);
  again = load_again (fixture);
  g_assert_cmpint (pg_link_get_state (pg_link_service_find (again, pg_link_get_id (arrived))), ==,
                   PG_LINK_USED);
  file = g_ptr_array_index (pg_link_get_received (pg_link_service_find (again,
                                                                        pg_link_get_id (page))),
                            2);
  g_assert_cmpstr (file->name, ==, "請求書 12月.xlsx");
}

static void
collect_message (GPtrArray  *messages,
                 const char *message)
{
  g_ptr_array_add (messages, g_strdup (message));
}

/* An armed link's record, as another workstation would have written it. */
static void
put_armed_record (Fixture    *fixture,
                  const char *id,
                  const char *key,
                  const char *armed,
                  gint64      grace,
                  gint64      now)
{
  g_autoptr(PgLinkRecord) record = pg_link_record_new ();
  g_autofree char *json = NULL;
  g_autofree char *record_key = pg_link_record_object_key (id);

  record->id = g_strdup (id);
  record->bucket = g_strdup (BUCKET);
  record->key = g_strdup (key);
  record->action = g_strdup (g_str_equal (armed, "upload") ? "s3:PutObject" : "s3:GetObject");
  record->precision = PG_LINK_PRECISION_OBJECT;
  record->access_key_id = g_strdup (SIGNER_KEY);
  record->created = now;
  record->expires = now + 3600;
  record->arming = pg_link_arming_from_string (armed);
  record->grace = grace;
  json = pg_link_record_to_json (record);
  s3_fake_put_object (fixture->fake, record_key, json);
}

/* Whether the record of the link @id in the bucket carries the fingerprint @digest. */
static gboolean
record_has_digest (Fixture    *fixture,
                   const char *id,
                   const char *digest)
{
  g_autofree char *record_key = pg_link_record_object_key (id);
  GBytes *stored = g_hash_table_lookup (fixture->fake->objects, record_key);
  g_autoptr(PgLinkRecord) record = stored ? pg_link_record_parse (stored, NULL) : NULL;

  return record != NULL && g_strcmp0 (record->digest, digest) == 0;
}

/* Whether the record of the link @id in the bucket holds its use. */
static gboolean
record_used (Fixture    *fixture,
             const char *id)
{
  g_autofree char *record_key = pg_link_record_object_key (id);
  GBytes *stored = g_hash_table_lookup (fixture->fake->objects, record_key);
  g_autoptr(PgLinkRecord) record = NULL;

  g_assert_nonnull (stored);
  record = pg_link_record_parse (stored, NULL);
  g_assert_nonnull (record);

  return record->used_at != 0;
}

/* A watcher of the bucket, its armed links read. */
static PgWatcher *
load_watcher (Fixture    *fixture,
              PgS3Client *signer)
{
  g_autoptr(PgAccountContext) context = pg_account_context_new ("account", BUCKET,
                                                                fixture->client, signer,
                                                                SIGNER_ARN);
  g_autoptr(PgWatcher) watcher = pg_watcher_new (fixture->service, context);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pg_watcher_load_async (watcher, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (pg_watcher_load_finish (watcher, result, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&watcher);
}

/* A presigned GET of @key signed at @signed_at by the signer, as a source saw it. */
static GPtrArray *
download_of (const char *key,
             gint64      signed_at,
             const char *event_id)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  PgUseEvent *event = pg_use_event_new ();

  event->id = g_strdup (event_id);
  event->bucket = g_strdup (BUCKET);
  event->key = g_strdup (key);
  event->method = g_strdup ("GET");
  event->access_key_id = g_strdup (SIGNER_KEY);
  event->presigned = TRUE;
  event->status = 200;
  event->signed_at = event->time = signed_at;
  g_ptr_array_add (events, event);

  return events;
}

/* The watcher's polling of armed uploads: a poll that fails (a server error) waits before it is
 * asked again, not every round; a notification (a hint) asks at once all the same, and an
 * arrived file marks its link used. */
static void
test_watcher_poll_backoff (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GPtrArray) hint = NULL;
  g_autoptr(GPtrArray) used = g_ptr_array_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint heads;

  put_armed_record (fixture, "polled", "in/polled.pdf", "upload", 0, now);
  watcher = load_watcher (fixture, signer);
  g_signal_connect_swapped (watcher, "link-used", G_CALLBACK (g_ptr_array_add), used);
  g_assert_cmpuint (pg_watcher_get_n_armed (watcher), ==, 1);

  /* Requests nobody armed: the records are read again for one signed lately (its link may be
   * new), not for one signed an hour ago (its link would have been read already). */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *event_id = g_strdup_printf ("request %u", i);
      g_autoptr(GPtrArray) requests = download_of ("report.pdf", i == 0 ? now - 3600 : now,
                                                   event_id);
      guint lists = fixture->fake->lists;

      pg_watcher_handle_events (watcher, requests);
      while (!pg_watcher_is_settled (watcher))
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (fixture->fake->lists, ==, lists + i);
    }

  /* Not there yet: asked every round. */
  for (guint round = 0; round < 2; round++)
    {
      heads = fixture->fake->heads;
      pg_watcher_poll_uploads (watcher);
      while (!pg_watcher_is_settled (watcher))
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (fixture->fake->heads, ==, heads + 1);
    }

  /* A server error: the next round does not ask. */
  fixture->fake->head_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  pg_watcher_poll_uploads (watcher);
  while (!pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  heads = fixture->fake->heads;
  pg_watcher_poll_uploads (watcher);
  while (!pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->fake->heads, ==, heads);

  /* Told that the file arrived (a notification): asked at once, and believed once it is there. */
  fixture->fake->head_status = 0;
  s3_fake_put_object (fixture->fake, "in/polled.pdf", "a contract");
  {
    static const char notification[] =
      "{\"Records\":[{\"eventName\":\"ObjectCreated:Put\",\"eventSource\":\"ceph:s3\","
      "\"s3\":{\"bucket\":{\"name\":\"" BUCKET "\"},\"object\":{\"key\":\"in/polled.pdf\"}}}]}";

    hint = pg_use_events_from_s3_notification (notification, strlen (notification));
  }
  pg_watcher_handle_events (watcher, hint);
  while (used->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->fake->heads, ==, heads + 1);

  /* …and closed, the upload denied to the signer. */
  while (!pg_watcher_is_idle (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:PutObject", "in/polled.pdf"));
  g_assert_cmpuint (pg_watcher_get_n_armed (watcher), ==, 0);

  g_signal_handlers_disconnect_by_data (watcher, used);
  g_clear_object (&watcher);
  wait_idle (fixture->service);
}

/* Whether one of @messages holds @words. */
static gboolean
said (GPtrArray  *messages,
      const char *words)
{
  for (guint i = 0; i < messages->len; i++)
    if (strstr (g_ptr_array_index (messages, i), words) != NULL)
      return TRUE;

  return FALSE;
}

/* A use whose record cannot be written (a server error) is written again until it is; the
 * watcher says so and is not settled meanwhile (a watch keeps no place in its sources past
 * it). A watcher dropped while it waits to write again goes quietly. */
static void
test_watcher_record_retried (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 waited;

  put_armed_record (fixture, "first", "first.pdf", "download", 3600, now);
  put_armed_record (fixture, "second", "second.pdf", "download", 3600, now - 1);
  watcher = load_watcher (fixture, signer);
  g_signal_connect_swapped (watcher, "problem", G_CALLBACK (collect_message), problems);

  fixture->fake->lock_put_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  first = download_of ("first.pdf", now, "first use");
  pg_watcher_handle_events (watcher, first);
  /* (Its activity cannot be written either: said too.) */
  while (!said (problems, "record was not written"))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (said (problems, "not written into their activity"));
  g_assert_false (pg_watcher_is_settled (watcher));
  g_assert_false (record_used (fixture, "first"));

  /* The server is back: written at the next try. */
  fixture->fake->lock_put_status = 0;
  waited = g_get_monotonic_time ();
  while (!pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - waited, <, 10 * G_USEC_PER_SEC);
  g_assert_true (record_used (fixture, "first"));

  /* Dropped while it waits to try again. */
  fixture->fake->lock_put_status = SOUP_STATUS_INTERNAL_SERVER_ERROR;
  g_ptr_array_set_size (problems, 0);
  second = download_of ("second.pdf", now - 1, "second use");
  pg_watcher_handle_events (watcher, second);
  while (problems->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (watcher, problems);
  g_clear_object (&watcher);
  fixture->fake->lock_put_status = 0;
  wait_idle (fixture->service);
  /* Its activity's writes, cancelled, end (and let go of the client) as they come back. */
  for (gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);
}

/* Two watchers of one bucket (the app's and an always-on one, for a moment): a link the other
 * closed while this one waited out its grace is not revoked again (its record is read first);
 * one nobody closed is. */
static void
test_watcher_closed_elsewhere (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GPtrArray) uses = NULL;
  g_autoptr(GPtrArray) more = NULL;
  g_autoptr(PgLinkRecord) there = NULL;
  g_autofree char *record_key = pg_link_record_object_key ("elsewhere");
  g_autofree char *json = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  put_armed_record (fixture, "elsewhere", "elsewhere.pdf", "download", 1, now);
  put_armed_record (fixture, "here", "here.pdf", "download", 1, now - 1);
  watcher = load_watcher (fixture, signer);
  uses = download_of ("elsewhere.pdf", now, "use of elsewhere");
  more = download_of ("here.pdf", now - 1, "use of here");
  g_ptr_array_extend_and_steal (uses, g_steal_pointer (&more));
  pg_watcher_handle_events (watcher, uses);
  while (!pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (record_used (fixture, "elsewhere"));

  /* The other watcher closes the first link meanwhile. */
  there = pg_link_record_parse (g_hash_table_lookup (fixture->fake->objects, record_key), NULL);
  there->closed_at = now;
  json = pg_link_record_to_json (there);
  s3_fake_put_object (fixture->fake, record_key, json);

  while (pg_watcher_get_n_armed (watcher) > 0 || !pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "elsewhere.pdf"));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "here.pdf"));

  g_clear_object (&watcher);
  wait_idle (fixture->service);
}

/* An ops-log line of the armed link's request, as Ceph writes it, with @signature in its
 * query string (the link's own, or a forger's). */
static char *
ops_log_line (PgLink     *link,
              const char *url,
              const char *signature)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *query = g_strdup (g_uri_get_query (uri));
  char *at = strstr (query, "X-Amz-Signature=");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);

  g_assert_nonnull (at);
  if (signature != NULL)
    memcpy (at + strlen ("X-Amz-Signature="), signature, 64);

  return g_strdup_printf ("{\"bucket\":\"%s\",\"time\":\"%s\",\"remote_addr\":\"198.51.100.9\","
                          "\"uri\":\"GET %s?%s HTTP/1.1\",\"http_status\":\"200\"}",
                          BUCKET, time, g_uri_get_path (uri), query);
}

/* A request is the use of an armed link only when it carries that link's own signature (its
 * fingerprint, in the record): a forged log line — right file, key and time, another
 * signature — closes nothing, the link's own request closes it. */
static void
test_watcher_forged_line (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);
  g_autoptr(PgWatcher) watcher = NULL;
  g_autoptr(GPtrArray) forged = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  g_autoptr(GPtrArray) real = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  g_autoptr(GError) error = NULL;
  PgLink *link = make_link (fixture, "armed.pdf", PG_METHOD_GET, 0);
  g_autofree char *url = pg_link_derive_url (link, fixture->endpoint, fixture->signer, &error);
  g_autofree char *forged_line = NULL;
  g_autofree char *real_line = NULL;
  PgUseEvent *event;

  g_assert_no_error (error);
  g_assert_true (pg_link_digest_is_valid (pg_link_get_digest (link)));
  pg_link_service_arm (fixture->service, fixture->context, link, PG_LINK_ARMING_DOWNLOAD, 0);
  wait_idle (fixture->service);
  g_assert_true (record_has_digest (fixture, pg_link_get_id (link), pg_link_get_digest (link)));
  watcher = load_watcher (fixture, signer);
  g_assert_cmpuint (pg_watcher_get_n_armed (watcher), ==, 1);

  forged_line = ops_log_line (link, url, "0123456789abcdef0123456789abcdef"
                                         "0123456789abcdef0123456789abcdef");
  event = pg_use_event_from_ops_log (forged_line, strlen (forged_line), "forged");
  g_assert_nonnull (event);
  g_ptr_array_add (forged, event);
  pg_watcher_handle_events (watcher, forged);
  while (!pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (record_used (fixture, pg_link_get_id (link)));
  g_assert_cmpuint (pg_watcher_get_n_armed (watcher), ==, 1);

  real_line = ops_log_line (link, url, NULL);
  event = pg_use_event_from_ops_log (real_line, strlen (real_line), "real");
  g_assert_cmpstr (event->digest, ==, pg_link_get_digest (link));
  g_ptr_array_add (real, event);
  pg_watcher_handle_events (watcher, real);
  while (pg_watcher_get_n_armed (watcher) > 0 || !pg_watcher_is_settled (watcher))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (record_used (fixture, pg_link_get_id (link)));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "armed.pdf"));

  g_clear_object (&watcher);
  wait_idle (fixture->service);
}

/* revoke --url finds a link's record through the index by its fingerprint: no listing of the
 * records, however many there are; a record the index names that was written for another link
 * is named and not used; removing the link removes its index entry. */
static void
test_record_index (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLinkJob) job = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autofree char *disagreement = NULL;
  PgLink *link = make_link (fixture, "indexed.pdf", PG_METHOD_GET, 0);
  PgLink *other = make_link (fixture, "indexed.pdf", PG_METHOD_GET,
                             g_get_real_time () / G_USEC_PER_SEC - 60);
  g_autofree char *url = pg_link_derive_url (link, fixture->endpoint, fixture->signer, &error);
  g_autofree char *index_key = pg_link_record_index_key (pg_link_get_digest (link));
  g_autofree char *record_key = pg_link_record_object_key (pg_link_get_id (link));
  g_autofree char *other_key = pg_link_record_object_key (pg_link_get_id (other));
  guint lists;

  g_assert_no_error (error);
  wait_idle (fixture->service);
  g_assert_true (s3_fake_has_object (fixture->fake, index_key));
  g_assert_true (s3_fake_has_object (fixture->fake, record_key));

  lists = fixture->fake->lists;
  pg_link_record_lookup_async (fixture->client, url, NULL, test_store_result, &result);
  g_assert_true (pg_link_record_lookup_finish (test_wait_for (&result), &record, &error));
  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_assert_cmpstr (record->id, ==, pg_link_get_id (link));
  g_assert_cmpuint (fixture->fake->lists, ==, lists);

  /* The entry made to name the other link's record (same file, key and signer): named. */
  s3_fake_put_object (fixture->fake, index_key, pg_link_get_id (other));
  g_hash_table_remove (fixture->fake->objects, record_key);
  g_clear_object (&result);
  pg_link_service_revoke_url_async (fixture->service, fixture->context, url,
                                    PG_POLICY_ACTION_GET, TRUE, NULL, test_store_result, &result);
  job = pg_link_service_revoke_url_finish (fixture->service, test_wait_for (&result), NULL,
                                           &disagreement, &error);
  g_assert_no_error (error);
  g_assert_nonnull (disagreement);
  g_assert_nonnull (strstr (disagreement, "fingerprint"));
  g_assert_nonnull (strstr (disagreement, pg_link_get_id (other)));
  pg_link_service_wait (fixture->service, job);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "indexed.pdf"));
  g_assert_true (s3_fake_has_object (fixture->fake, other_key));

  /* Removed: its index entry goes with it. */
  s3_fake_put_object (fixture->fake, index_key, pg_link_get_id (link));
  g_clear_object (&result);
  pg_link_service_remove_async (fixture->service, fixture->context, link, NULL,
                                test_store_result, &result);
  g_assert_true (pg_link_service_remove_finish (fixture->service, test_wait_for (&result),
                                                &error));
  g_assert_no_error (error);
  /* A plain link's record goes after the link: the service is busy until it is gone. */
  wait_idle (fixture->service);
  g_assert_false (s3_fake_has_object (fixture->fake, index_key));
  g_assert_false (s3_fake_has_object (fixture->fake, record_key));
}

/* Upload links and pages sign the type their files are stored as: data, never a page; a type
 * that a browser would show as a page is refused. */
static void
test_upload_content_type (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_PUT, .bucket = BUCKET, .key = "in/page.html", .expires = 3600,
    .signing_time = g_get_real_time () / G_USEC_PER_SEC,
  };
  PgLink *link = create_link (fixture, fixture->context, &options, PG_LINK_SHAREABLE, &error);
  g_autoptr(PgLink) page = make_page (fixture, 1, &error);
  g_autofree char *url = NULL;
  g_autofree char *instructions = NULL;
  PgLink *refused;

  g_assert_no_error (error);
  g_assert_cmpstr (pg_link_get_content_type (link), ==, PG_UPLOAD_CONTENT_TYPE);
  g_assert_cmpstr (pg_link_get_content_type (page), ==, PG_UPLOAD_CONTENT_TYPE);
  url = pg_link_derive_url (link, fixture->endpoint, fixture->signer, &error);
  g_assert_nonnull (strstr (url, "X-Amz-SignedHeaders=content-type%3Bhost"));
  instructions = pg_link_partner_instructions (link, url);
  g_assert_nonnull (strstr (instructions, "-ContentType \"application/octet-stream\""));
  g_assert_nonnull (strstr (instructions, "-H \"Content-Type: application/octet-stream\""));

  for (guint i = 0; i < 3; i++)
    {
      const char *active[] = { "text/html", "image/svg+xml", "Application/XHTML+XML; x=1" };

      options.content_type = active[i];
      refused = create_link (fixture, fixture->context, &options, PG_LINK_SHAREABLE, &error);
      g_assert_null (refused);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_assert_false (pg_content_type_is_active ("application/pdf"));
  wait_idle (fixture->service);
}

/* ---- Which revoker takes a link back, for every precision --------------------------------- */

#define ROLE_ARN "arn:aws:iam:::role/presign-guard-links"

/* The fixture's account, with a signing role: links can be signed one by one. */
static PgAccountContext *
context_with_role (Fixture *fixture)
{
  g_autoptr(PgS3Client) signer = pg_s3_client_new (fixture->endpoint, fixture->signer, NULL);
  PgAccountContext *context = pg_account_context_new ("account", BUCKET, fixture->client, signer,
                                                      SIGNER_ARN);

  pg_s3_client_set_retries (signer, 1, 0);
  pg_account_context_set_signing_role (context, ROLE_ARN);
  pg_account_context_set_verify_timeout (context, 1);

  return context;
}

/* A download link of @key made with @precision and @arming through @service. */
static PgLink *
make_precise_link (PgLinkService     *service,
                   PgAccountContext  *context,
                   const char        *key,
                   PgLinkPrecision    precision,
                   PgLinkArming       arming,
                   gint64             grace)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) link = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_GET, .bucket = BUCKET, .key = key, .expires = 3600,
    .signing_time = g_get_real_time () / G_USEC_PER_SEC,
  };
  PgLinkRequest request = {
    .options = &options, .precision = precision, .arming = arming, .grace = grace,
    .shareable = PG_LINK_SHAREABLE,
  };

  pg_link_service_create_async (service, context, &request, NULL, test_store_result, &result);
  link = pg_link_service_create_finish (service, test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (link);
  g_assert_cmpint (pg_link_get_precision (link), ==, precision);

  /* The service keeps it. */
  return link;
}

/* The revoker @context chooses for @record (and @session), as a job would. */
static PgRevoker *
choose_revoker (PgAccountContext   *context,
                const PgLinkRecord *record,
                PgCredentials      *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PgRevoker *revoker;

  pg_account_context_revoker_for_record_async (context, record, session, NULL, test_store_result,
                                               &result);
  revoker = pg_account_context_revoker_for_record_finish (context, test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (revoker);

  return revoker;
}

/* Revokes @link through the service and waits for the proof. */
static void
revoke_and_wait (Fixture          *fixture,
                 PgAccountContext *context,
                 PgLink           *link)
{
  g_autoptr(PgLinkJob) job = pg_link_service_revoke_link (fixture->service, context, link);

  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
}

/* No record (a file, a lockdown), and a plain link's record, even in an account with a signing
 * role: the signing key's revoker, whose Deny names the signer; no session is started. */
static void
test_revoker_signer (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(PgAccountContext) context = context_with_role (fixture);
  g_autoptr(PgRevoker) revoker = choose_revoker (context, NULL, NULL);
  g_autoptr(PgLinkJob) job = NULL;
  PgLink *link;

  g_assert_cmpstr (pg_revoker_get_signer_arn (revoker), ==, SIGNER_ARN);
  g_assert_cmpstr (pg_credentials_get_access_key_id (pg_revoker_get_signer (revoker)), ==,
                   SIGNER_KEY);

  job = pg_link_service_revoke_file (fixture->service, context, "other.pdf",
                                     PG_POLICY_ACTION_GET, TRUE);
  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "other.pdf"));

  link = make_precise_link (fixture->service, context, "report.pdf", PG_LINK_PRECISION_OBJECT,
                            PG_LINK_ARMING_NONE, 0);
  revoke_and_wait (fixture, context, link);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_cmpstr (fixture->fake->last_presigned_key_id, ==, SIGNER_KEY);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 0);
  wait_idle (fixture->service);
}

/* A link signed in a session of its own whose credentials this computer has: revoked in that
 * session — its Deny names the session alone (the signer's other links to the file keep
 * working), its proof is signed with the session's key, and no session is started again. */
static void
test_revoker_session_known (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PgAccountContext) context = context_with_role (fixture);
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  S3FakeSession *session;
  PgCredentials *credentials;
  PgLink *link;

  link = make_precise_link (fixture->service, context, "report.pdf", PG_LINK_PRECISION_SESSION,
                            PG_LINK_ARMING_NONE, 0);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 1);
  session = g_ptr_array_index (fixture->fake->sessions, 0);
  g_assert_cmpstr (pg_link_get_session_name (link), ==, session->name);
  g_assert_cmpstr (pg_link_get_signer_arn (link), ==, session->arn);
  credentials = pg_link_service_get_link_credentials (fixture->service, link);
  g_assert_nonnull (credentials);

  record = pg_link_record_new_for_link (link);
  revoker = choose_revoker (context, record, credentials);
  g_assert_cmpstr (pg_revoker_get_signer_arn (revoker), ==, session->arn);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 1);

  revoke_and_wait (fixture, context, link);
  g_assert_true (s3_fake_denies_principal (fixture->fake, session->arn, "s3:GetObject",
                                           "report.pdf"));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_false (s3_fake_denies_principal (fixture->fake, ROLE_ARN, "s3:GetObject",
                                            "report.pdf"));
  g_assert_cmpstr (fixture->fake->last_presigned_key_id, ==, session->access_key_id);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 1);
  wait_idle (fixture->service);
}

/* A link signed in a session of its own whose credentials are not on this computer: a new
 * session of the same name is started, the same principal, and revokes it alone. */
static void
test_revoker_session_elsewhere (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PgAccountContext) context = context_with_role (fixture);
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  g_autofree char *session_name = NULL;
  g_autofree char *session_arn = NULL;
  S3FakeSession *again;
  PgLink *link;

  link = make_precise_link (fixture->service, context, "report.pdf", PG_LINK_PRECISION_SESSION,
                            PG_LINK_ARMING_NONE, 0);
  session_name = g_strdup (pg_link_get_session_name (link));
  session_arn = g_strdup (pg_link_get_signer_arn (link));
  pg_link_service_set_link_credentials (fixture->service, pg_link_get_id (link), NULL);
  g_assert_null (pg_link_service_get_link_credentials (fixture->service, link));

  /* Chosen alone: a session of the same name, the same principal. */
  record = pg_link_record_new_for_link (link);
  revoker = choose_revoker (context, record, NULL);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 2);
  again = g_ptr_array_index (fixture->fake->sessions, 1);
  g_assert_cmpstr (again->name, ==, session_name);
  g_assert_cmpstr (again->role_arn, ==, ROLE_ARN);
  g_assert_cmpstr (pg_revoker_get_signer_arn (revoker), ==, session_arn);
  g_assert_cmpstr (pg_credentials_get_access_key_id (pg_revoker_get_signer (revoker)), ==,
                   again->access_key_id);

  /* A role that starts another principal would deny somebody else: refused, nothing done. */
  {
    g_autoptr(PgLinkRecord) elsewhere = pg_link_record_new_for_link (link);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PgRevoker) none = NULL;

    g_free (elsewhere->role_arn);
    elsewhere->role_arn = g_strdup ("arn:aws:iam:::role/another");
    pg_account_context_revoker_for_record_async (context, elsewhere, NULL, NULL, test_store_result,
                                                 &result);
    none = pg_account_context_revoker_for_record_finish (context, test_wait_for (&result), &error);
    g_assert_null (none);
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    g_assert_cmpuint (fixture->fake->sessions->len, ==, 3);
    g_assert_cmpuint (fixture->fake->policy_writes, ==, 0);
  }

  /* Through the service: one more session, and the Deny names it alone. */
  revoke_and_wait (fixture, context, link);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 4);
  again = g_ptr_array_index (fixture->fake->sessions, 3);
  g_assert_cmpstr (again->name, ==, session_name);
  g_assert_cmpstr (fixture->fake->last_presigned_key_id, ==, again->access_key_id);
  g_assert_true (s3_fake_denies_principal (fixture->fake, session_arn, "s3:GetObject",
                                           "report.pdf"));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  wait_idle (fixture->service);
}

/* A link to a private copy: the signing key's revoker, on the copy's key alone; the file
 * itself stays shared. */
static void
test_revoker_copy (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PgAccountContext) context = context_with_role (fixture);
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  PgLink *link;

  link = make_precise_link (fixture->service, context, "report.pdf", PG_LINK_PRECISION_COPY,
                            PG_LINK_ARMING_NONE, 0);
  g_assert_cmpstr (pg_link_get_copy_of (link), ==, "report.pdf");
  g_assert_true (g_str_has_prefix (pg_link_get_key (link), PG_LINK_COPY_PREFIX));
  g_assert_true (s3_fake_has_object (fixture->fake, pg_link_get_key (link)));

  record = pg_link_record_new_for_link (link);
  revoker = choose_revoker (context, record, NULL);
  g_assert_cmpstr (pg_revoker_get_signer_arn (revoker), ==, SIGNER_ARN);

  revoke_and_wait (fixture, context, link);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", pg_link_get_key (link)));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));
  g_assert_cmpstr (fixture->fake->last_presigned_key_id, ==, SIGNER_KEY);
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 0);
  wait_idle (fixture->service);
}

/* ---- Records that cannot be written ------------------------------------------------------- */

static void
collect_problem (PgLinkService *service,
                 PgLink        *link,
                 const char    *message,
                 GPtrArray     *problems)
{
  g_assert_nonnull (message);
  g_ptr_array_add (problems, g_object_ref (link));
  g_ptr_array_add (problems, g_strdup (message));
}

/* An armed link whose record the bucket refuses: it still works, but no watcher would know to
 * close it, so it is disarmed — and remembered so — and the service says why. */
static void
test_record_refused_disarms (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();
  g_autoptr(PgLinkService) again = NULL;
  g_autofree char *record_key = NULL;
  PgLink *link;

  fixture->fake->put_refused_prefix = PG_LINK_RECORD_PREFIX;
  fixture->fake->put_refused_status = SOUP_STATUS_FORBIDDEN;
  g_signal_connect (fixture->service, "link-problem", G_CALLBACK (collect_problem), problems);

  link = make_precise_link (fixture->service, fixture->context, "report.pdf",
                            PG_LINK_PRECISION_OBJECT, PG_LINK_ARMING_DOWNLOAD, 60);
  g_assert_cmpint (pg_link_get_arming (link), ==, PG_LINK_ARMING_DOWNLOAD);
  wait_idle (fixture->service);

  g_assert_cmpuint (fixture->fake->put_refusals, >=, 1);
  record_key = pg_link_record_object_key (pg_link_get_id (link));
  g_assert_false (s3_fake_has_object (fixture->fake, record_key));
  g_assert_cmpint (pg_link_get_arming (link), ==, PG_LINK_ARMING_NONE);
  g_assert_cmpuint (problems->len, ==, 2);
  g_assert_true (g_ptr_array_index (problems, 0) == link);
  g_assert_nonnull (strstr (g_ptr_array_index (problems, 1), "report.pdf"));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);

  again = load_again (fixture);
  g_assert_cmpint (pg_link_get_arming (pg_link_service_find (again, pg_link_get_id (link))), ==,
                   PG_LINK_ARMING_NONE);

  g_signal_handlers_disconnect_by_data (fixture->service, problems);
  g_object_unref (g_ptr_array_index (problems, 0));
  g_free (g_ptr_array_index (problems, 1));
}

/* ---- Lockdown with a signing role --------------------------------------------------------- */

static void
count_started (PgLinkService *service,
               PgLinkJob     *job,
               guint         *started)
{
  (*started)++;
}

/* One job blocks the signer and the signing role (every link signed one by one) in one
 * statement, proven in a session of the role; unblocking lifts both. */
static void
test_lockdown_with_role (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PgAccountContext) context = context_with_role (fixture);
  g_autoptr(PgLinkJob) job = NULL;
  S3FakeSession *session;
  guint started = 0;

  g_signal_connect (fixture->service, "job-started", G_CALLBACK (count_started), &started);
  job = pg_link_service_set_lockdown (fixture->service, context, PG_LOCKDOWN_SIGNER, TRUE, NULL);
  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  wait_idle (fixture->service);

  g_assert_cmpuint (started, ==, 1);
  g_assert_cmpuint (fixture->finished->len, ==, 1);
  g_assert_true (g_ptr_array_index (fixture->finished, 0) == job);
  for (guint i = 0; i < 2; i++)
    {
      const char *action = i == 0 ? "s3:GetObject" : "s3:PutObject";

      g_assert_true (s3_fake_denies (fixture->fake, action, "anything"));
      g_assert_true (s3_fake_denies_principal (fixture->fake, ROLE_ARN, action, "anything"));
    }
  g_assert_cmpuint (s3_fake_count_denials (fixture->fake, "s3:GetObject", "anything"), ==, 1);
  /* Proven in a session of the role. */
  g_assert_cmpuint (fixture->fake->sessions->len, ==, 1);
  session = g_ptr_array_index (fixture->fake->sessions, 0);
  g_assert_cmpstr (session->role_arn, ==, ROLE_ARN);
  g_assert_cmpstr (fixture->fake->last_presigned_key_id, ==, session->access_key_id);

  g_clear_object (&job);
  job = pg_link_service_set_lockdown (fixture->service, context, PG_LOCKDOWN_SIGNER, FALSE, NULL);
  pg_link_service_wait (fixture->service, job);
  g_assert_no_error (pg_link_job_get_error (job));
  g_assert_false (s3_fake_denies (fixture->fake, "s3:GetObject", "anything"));
  g_assert_false (s3_fake_denies_principal (fixture->fake, ROLE_ARN, "s3:GetObject", "anything"));
  g_signal_handlers_disconnect_by_data (fixture->service, &started);
  wait_idle (fixture->service);
}

/* ---- Watching without a window ------------------------------------------------------------ */

static gboolean
watching_itself (PgLinkService *service)
{
  return pg_link_service_get_watch_mode (service) == PG_LINK_WATCH_SELF;
}

static void
on_closed_itself (PgLinkService *service,
                  PgLink        *link,
                  GPtrArray     *closed)
{
  g_ptr_array_add (closed, link);
}

/* Runs the main context until @done holds, for @seconds at most. */
static gboolean
iterate_until (gboolean (*done) (gpointer),
               gpointer   data,
               guint      seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10000);
    }

  return done (data);
}

static gboolean
array_not_empty (gpointer array)
{
  return ((GPtrArray *) array)->len > 0;
}

static gboolean
pointer_cleared (gpointer slot)
{
  return *(gpointer *) slot == NULL;
}

/* The gateway's ops log as Ceph writes it: a presigned GET of @url, answered 200. */
static void
append_ops_log (const char *path,
                const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *time = g_date_time_format_iso8601 (now);
  g_autofree char *line = NULL;
  FILE *log;

  g_assert_nonnull (uri);
  line = g_strdup_printf ("{\"bucket\":\"" BUCKET "\",\"time\":\"%s\","
                          "\"remote_addr\":\"203.0.113.7\",\"operation\":\"get_obj\","
                          "\"uri\":\"GET %s?%s HTTP/1.1\",\"http_status\":\"200\","
                          "\"access_key_id\":\"" SIGNER_KEY "\"}\n",
                          time, g_uri_get_path (uri), g_uri_get_query (uri));
  log = g_fopen (path, "ab");
  g_assert_nonnull (log);
  g_assert_cmpint (fputs (line, log), >=, 0);
  g_assert_cmpint (fclose (log), ==, 0);
}

/* The service watches an account by itself (no window, no always-on watcher): a download seen
 * in the ops log closes its armed link, verified, and the service says so; stopping lets go of
 * everything it held. */
static void
test_watch_closes_itself (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_get_parent (fixture->file);
  g_autofree char *dir_path = g_file_get_path (dir);
  g_autofree char *log_path = g_build_filename (dir_path, "ops.log", NULL);
  g_autoptr(GPtrArray) closed = g_ptr_array_new ();
  g_autoptr(PgLinkRecord) record = NULL;
  g_autofree char *record_key = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  PgAccountContext *context = context_with_role (fixture);
  PgLink *link;

  g_assert_true (g_file_set_contents (log_path, "", 0, NULL));
  pg_account_context_set_uses_sources (context, log_path, NULL);
  link = make_precise_link (fixture->service, context, "report.pdf", PG_LINK_PRECISION_OBJECT,
                            PG_LINK_ARMING_DOWNLOAD, 0);
  wait_idle (fixture->service);
  g_signal_connect (fixture->service, "link-closed-itself", G_CALLBACK (on_closed_itself),
                    closed);

  pg_link_service_watch (fixture->service, context);
  g_assert_true (iterate_until ((gboolean (*) (gpointer)) watching_itself, fixture->service,
                                30));
  g_assert_null (pg_link_service_get_watch_problem (fixture->service));

  url = pg_link_service_derive_url (fixture->service, context, link, &error);
  g_assert_no_error (error);
  append_ops_log (log_path, url);
  if (!iterate_until (array_not_empty, closed, 30))
    g_error ("not closed: %s", pg_link_service_get_watch_problem (fixture->service)
                               ? pg_link_service_get_watch_problem (fixture->service) : "");

  g_assert_cmpuint (closed->len, ==, 1);
  g_assert_true (g_ptr_array_index (closed, 0) == link);
  g_assert_cmpint (pg_link_get_closed_at (link), >, 0);
  g_assert_cmpint (pg_link_get_used_at (link), >, 0);
  g_assert_cmpstr (pg_link_get_used_by (link), ==, "203.0.113.7");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_true (s3_fake_denies (fixture->fake, "s3:GetObject", "report.pdf"));

  /* Stopped: the watcher's last work (the closing written into the record) is done, then
   * nothing of the account is held. */
  pg_link_service_stop_watching (fixture->service);
  g_assert_cmpint (pg_link_service_get_watch_mode (fixture->service), ==, PG_LINK_WATCH_NONE);
  g_signal_handlers_disconnect_by_data (fixture->service, closed);
  g_object_add_weak_pointer (G_OBJECT (context), (gpointer *) &context);
  g_object_unref (context);
  g_assert_true (iterate_until (pointer_cleared, &context, 30));
  wait_idle (fixture->service);
  record_key = pg_link_record_object_key (pg_link_get_id (link));
  record = pg_link_record_parse (g_hash_table_lookup (fixture->fake->objects, record_key), NULL);
  g_assert_nonnull (record);
  g_assert_cmpint (record->used_at, ==, pg_link_get_used_at (link));
  g_assert_cmpint (record->closed_at, >, 0);
  g_unlink (log_path);
}

/* ---- Nothing held after the jobs ---------------------------------------------------------- */

/* A service of its own and an account with a signing role, through links of every kind, a
 * revocation in a new session, a lockdown in one job and its lifting: once the last job is
 * done and the caller lets go, both are finalized. */
static void
test_no_references_left (Fixture       *fixture,
                         gconstpointer  data)
{
  PgAccountContext *context = context_with_role (fixture);
  PgLinkService *service = pg_link_service_new (NULL);
  PgLink *session_link;
  PgLink *copy_link;
  PgLinkJob *jobs[4];

  session_link = make_precise_link (service, context, "report.pdf", PG_LINK_PRECISION_SESSION,
                                    PG_LINK_ARMING_NONE, 0);
  copy_link = make_precise_link (service, context, "other.pdf", PG_LINK_PRECISION_COPY,
                                 PG_LINK_ARMING_DOWNLOAD, 0);
  make_precise_link (service, context, "report.pdf", PG_LINK_PRECISION_OBJECT,
                     PG_LINK_ARMING_NONE, 0);

  pg_link_service_set_link_credentials (service, pg_link_get_id (session_link), NULL);
  jobs[0] = pg_link_service_revoke_link (service, context, session_link);
  jobs[1] = pg_link_service_revoke_link (service, context, copy_link);
  jobs[2] = pg_link_service_set_lockdown (service, context, PG_LOCKDOWN_SIGNER, TRUE, NULL);
  jobs[3] = pg_link_service_set_lockdown (service, context, PG_LOCKDOWN_SIGNER, FALSE, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      pg_link_service_wait (service, jobs[i]);
      g_assert_no_error (pg_link_job_get_error (jobs[i]));
      g_object_unref (jobs[i]);
    }
  g_assert_cmpint (pg_link_get_state (session_link), ==, PG_LINK_REVOKED);
  g_assert_cmpint (pg_link_get_state (copy_link), ==, PG_LINK_REVOKED);
  wait_idle (service);

  g_assert_finalize_object (service);
  g_assert_finalize_object (context);
}

int
main (int   argc,
      char *argv[])
{
  /* The service's own watcher keeps its place in the ops log under the user's state folder:
   * one of the test's own, not the user's. */
  g_autofree char *state_home = g_dir_make_tmp ("test-link-service-state-XXXXXX", NULL);
  g_autofree char *state_dir = g_build_filename (state_home, "presign-guard", NULL);
  g_autofree char *state_file = g_build_filename (state_dir, "ops-log-account", NULL);
  int ret;

  g_assert_nonnull (state_home);
  g_setenv ("XDG_STATE_HOME", state_home, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/pg/link-service/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("create", test_create);
  ADD ("saves-coalesced", test_saves_coalesced);
  ADD ("affected", test_affected);
  ADD ("revoke-and-undo", test_revoke_and_undo);
  ADD ("failures-shown", test_failures_shown);
  ADD ("listener-gone", test_listener_gone);
  ADD ("lockdown", test_lockdown);
  ADD ("shareable", test_shareable);
  ADD ("uploads", test_uploads);
  ADD ("upload-page", test_upload_page);
  ADD ("revoke-page-url", test_revoke_page_url);
  ADD ("upload-page-refused", test_upload_page_refused);
  ADD ("received", test_received);
  ADD ("watcher-poll-backoff", test_watcher_poll_backoff);
  ADD ("watcher-record-retried", test_watcher_record_retried);
  ADD ("watcher-closed-elsewhere", test_watcher_closed_elsewhere);
  ADD ("watcher-forged-line", test_watcher_forged_line);
  ADD ("record-index", test_record_index);
  ADD ("upload-content-type", test_upload_content_type);
  ADD ("revoker/signer", test_revoker_signer);
  ADD ("revoker/session-known", test_revoker_session_known);
  ADD ("revoker/session-elsewhere", test_revoker_session_elsewhere);
  ADD ("revoker/copy", test_revoker_copy);
  ADD ("record-refused-disarms", test_record_refused_disarms);
  ADD ("lockdown-with-role", test_lockdown_with_role);
  ADD ("watch-closes-itself", test_watch_closes_itself);
  ADD ("no-references-left", test_no_references_left);
  g_test_add_func ("/pg/link/upload-key-pattern", test_upload_key_pattern);
  g_test_add_func ("/pg/link/fresh-copy-key", test_fresh_copy_key);
  g_test_add_func ("/pg/link/partner-instructions", test_partner_instructions);

  ret = g_test_run ();

  g_unlink (state_file);
  g_rmdir (state_dir);
  g_rmdir (state_home);

  return ret;
}
