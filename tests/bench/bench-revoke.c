/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-revoke"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "pg-revoker.h"

/* Revoke-and-verify against the local S3 server in PG_TEST_S3_ENDPOINT (see
 * tests/with-s3-server.sh): round trips and wall time per revocation — lease, policy read and
 * write, baseline and proof with the signer's key, settle time, re-read, release — and the
 * ratio to one plain HeadObject round trip measured in the same run. */

#define OBJECTS 20

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

static void
check (gboolean      ok,
       const GError *error)
{
  if (!ok)
    {
      g_printerr ("bench-revoke: %s\n", error ? error->message : "failed");
      exit (1);
    }
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  const char *url = g_getenv ("PG_TEST_S3_ENDPOINT");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgCredentials) owner = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  g_autofree char *bucket = g_strdup_printf ("bench-revoke-%08x", g_random_int ());
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  double wall[OBJECTS];
  double round_trip = G_MAXDOUBLE;
  guint requests = 0;
  guint probes = 0;
  guint settle_ms = 100;

  if (url == NULL)
    {
      g_printerr ("bench-revoke: set PG_TEST_S3_ENDPOINT (run through tests/with-s3-server.sh)\n");
      return 2;
    }

  endpoint = pg_endpoint_new (url, "us-east-1", TRUE, &error);
  owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, &error);
  signer = pg_credentials_new ("PRESIGNKEY", "PRESIGNSECRET", NULL, NULL, &error);
  check (error == NULL, error);
  client = pg_s3_client_new (endpoint, owner, NULL);
  revoker = pg_revoker_new (client, signer, "arn:aws:iam:::user/owner:presign");
  pg_revoker_set_settle_time (revoker, settle_ms);

  {
    g_autoptr(GAsyncResult) result = NULL;

    pg_s3_client_create_bucket_async (client, bucket, NULL, store_result, &result);
    check (pg_s3_client_create_bucket_finish (client, wait_for (&result), &error), error);
  }

  path = g_build_filename (g_get_tmp_dir (), "bench-revoke-object", NULL);
  g_file_set_contents (path, "benchmark", -1, NULL);
  file = g_file_new_for_path (path);
  for (guint i = 0; i < OBJECTS; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *key = g_strdup_printf ("objects/%02u.txt", i);

      pg_s3_client_put_object_async (client, bucket, key, file, NULL, NULL, NULL, NULL,
                                     store_result, &result);
      check (pg_s3_client_put_object_finish (client, wait_for (&result), &error), error);
    }
  g_unlink (path);

  /* The reference: the fastest of a few plain HeadObject round trips. */
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(PgS3Object) object = NULL;
      gint64 start = g_get_monotonic_time ();

      pg_s3_client_head_object_async (client, bucket, "objects/00.txt", NULL, store_result,
                                      &result);
      object = pg_s3_client_head_object_finish (client, wait_for (&result), &error);
      check (object != NULL, error);
      round_trip = MIN (round_trip, (g_get_monotonic_time () - start) / 1000.0);
    }

  for (guint i = 0; i < OBJECTS; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *key = g_strdup_printf ("objects/%02u.txt", i);
      const PgRevokeStats *stats;

      pg_revoker_revoke_async (revoker, bucket, key, PG_POLICY_ACTION_GET, NULL, store_result,
                               &result);
      check (pg_revoker_finish (revoker, wait_for (&result), &error), error);
      stats = pg_revoker_get_stats (revoker);
      wall[i] = stats->seconds * 1000;
      requests += stats->requests;
      probes += stats->probes;
    }

  qsort (wall, OBJECTS, sizeof wall[0], compare_doubles);
  printf ("revoke-and-verify on the local gateway, %d objects of one bucket:\n", OBJECTS);
  printf ("  requests per revocation: %.1f (of them signed by the signer: %.1f)\n",
          requests / (double) OBJECTS, probes / (double) OBJECTS);
  printf ("  wall time: median %.1f ms, max %.1f ms (of it a settle time of %u ms)\n",
          wall[OBJECTS / 2], wall[OBJECTS - 1], settle_ms);
  printf ("  reference, one HeadObject round trip: %.1f ms\n", round_trip);
  printf ("  ratio: median revocation = %.1f× one round trip\n", wall[OBJECTS / 2] / round_trip);

  return 0;
}
