/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-per-link"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pg-link-service.h"
#include "pg-link-session.h"

/* Links signed one by one against plain links, on the local gateway with STS
 * (PG_TEST_STS_ENDPOINT, see tests/with-s3-server.sh --sts), in the same run:
 *
 *   making a link: AssumeRole + sign + the record written, against signing alone;
 *   revoking from the URL to "verified": the record found, a session of the same name, the
 *   session denied and proven, against the object revoked for the signer.
 *
 * Medians of ROUNDS each, printed as times and ratios. A benchmark reports; it fails only when
 * a measurement could not be made. */

#define ROUNDS 7

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

G_GNUC_NORETURN static void
fail (const GError *error)
{
  g_printerr ("bench-per-link: %s — no measurement\n", error ? error->message : "failed");
  exit (1);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *values)
{
  qsort (values, ROUNDS, sizeof (double), compare_doubles);

  return values[ROUNDS / 2];
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Revokes with @revoker through a link service job and waits for the proof. */
static void
revoke_verified (PgRevoker  *revoker,
                 const char *bucket,
                 const char *key)
{
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  PgPolicyTarget target = { key, PG_POLICY_ACTION_GET };
  g_autoptr(PgLinkJob) job = pg_link_service_revoke_targets (service, revoker, bucket, &target, 1,
                                                             TRUE);

  pg_link_service_wait (service, job);
  if (pg_link_job_get_error (job) != NULL)
    fail (pg_link_job_get_error (job));
}

/* Revokes from the URL as the partner received it, through a link service job, and waits for
 * the proof: the record found, a session of the same name started, that session denied. */
static void
revoke_url_verified (PgAccountContext *context,
                     const char       *url)
{
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgLinkJob) job = NULL;
  g_autoptr(GError) error = NULL;

  pg_link_service_revoke_url_async (service, context, url, PG_POLICY_ACTION_GET, TRUE, NULL,
                                    store_result, &found);
  job = pg_link_service_revoke_url_finish (service, wait_for (&found), &record, NULL, &error);
  if (job == NULL)
    fail (error);
  /* Only a link with a session of its own is measured, not its object revoked. */
  if (record == NULL || record->precision != PG_LINK_PRECISION_SESSION)
    fail (NULL);

  pg_link_service_wait (service, job);
  if (pg_link_job_get_error (job) != NULL)
    fail (pg_link_job_get_error (job));
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  const char *url = g_getenv ("PG_TEST_STS_ENDPOINT");
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgCredentials) owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, NULL);
  g_autoptr(PgCredentials) presign = pg_credentials_new ("PRESIGNKEY", "PRESIGNSECRET", NULL, NULL,
                                                         NULL);
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *bucket = g_strdup_printf ("bench-per-link-%08x", g_random_int ());
  g_autofree char *role = NULL;
  static const char body[] = "benchmark";
  double plain[ROUNDS], per_link[ROUNDS], plain_revoke[ROUNDS], link_revoke[ROUNDS];

  if (url == NULL)
    {
      g_printerr ("bench-per-link: set PG_TEST_STS_ENDPOINT (tests/with-s3-server.sh --sts)\n");
      return 2;
    }
  endpoint = pg_endpoint_new (url, "us-east-1", TRUE, &error);
  if (endpoint == NULL)
    fail (error);
  manager = pg_s3_client_new (endpoint, owner, NULL);
  signer = pg_s3_client_new (endpoint, presign, pg_s3_client_get_session (manager));

  pg_s3_client_create_bucket_async (manager, bucket, NULL, store_result, &result);
  if (!pg_s3_client_create_bucket_finish (manager, wait_for (&result), &error))
    fail (error);
  g_clear_object (&result);
  pg_signer_role_setup_async (manager, "bench-links", "arn:aws:iam:::user/owner:presign", bucket,
                              NULL, store_result, &result);
  if (!(role = pg_signer_role_setup_finish (wait_for (&result), &error)))
    fail (error);
  g_clear_object (&result);
  context = pg_account_context_new (NULL, bucket, manager, signer,
                                    "arn:aws:iam:::user/owner:presign");

  for (guint i = 0; i < ROUNDS; i++)
    {
      g_autofree char *key = g_strdup_printf ("file-%u.txt", i);
      g_autoptr(GBytes) content = g_bytes_new_static (body, sizeof body - 1);
      g_autoptr(GAsyncResult) put = NULL;
      g_autoptr(GAsyncResult) made = NULL;
      g_autoptr(PgRevoker) signer_revoker = NULL;
      g_autofree char *plain_url = NULL;
      g_autofree char *link_url = NULL;
      PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = bucket, .key = key,
                                   .expires = 3600 };
      gint64 start;

      pg_s3_client_put_bytes_async (manager, bucket, key, content, "text/plain", PG_S3_PUT_NONE,
                                    NULL, store_result, &put);
      if (!pg_s3_client_put_bytes_finish (manager, wait_for (&put), &error))
        fail (error);

      start = g_get_monotonic_time ();
      plain_url = pg_presign_url (endpoint, presign, &options, &error);
      plain[i] = ms_since (start);
      if (plain_url == NULL)
        fail (error);

      start = g_get_monotonic_time ();
      pg_link_session_sign_async (manager, signer, role, NULL, &options, NULL, store_result,
                                  &made);
      link_url = pg_link_session_sign_finish (wait_for (&made), NULL, NULL, &error);
      per_link[i] = ms_since (start);
      if (link_url == NULL)
        fail (error);

      start = g_get_monotonic_time ();
      revoke_url_verified (context, link_url);
      link_revoke[i] = ms_since (start);

      signer_revoker = pg_revoker_new (manager, presign, "arn:aws:iam:::user/owner:presign");
      start = g_get_monotonic_time ();
      revoke_verified (signer_revoker, bucket, key);
      plain_revoke[i] = ms_since (start);
    }

  printf ("per-link links against plain links, %d rounds, medians\n", ROUNDS);
  printf ("  make a link        plain %8.3f ms   per link %8.1f ms   %8.0f×  (AssumeRole + "
          "sign + record)\n", median (plain), median (per_link),
          median (per_link) / MAX (median (plain), 0.001));
  printf ("  revoke, verified   object %7.1f ms   per link %8.1f ms   %8.2f×  (record found, "
          "session started, denied, proven)\n", median (plain_revoke), median (link_revoke),
          median (link_revoke) / median (plain_revoke));

  return 0;
}
