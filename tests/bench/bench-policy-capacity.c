/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-policy-capacity"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "pg-policy.h"

/* How many revocations fit into one bucket policy before revoking is refused (the room for the
 * lockdown kept free), and whether the lockdown of the signer and the signing role still fits
 * then: revoked files (keys like "incoming/2026-11-28/report-00001.pdf") and revoked links
 * signed in sessions of their own. The policy code is the one the revoker runs; the same
 * documents are put to a Ceph gateway by tests/test-rgw-trust.py. */

#define BUCKET "presign-guard-demo"
#define SIGNER "arn:aws:iam::123456789012:user/presign-signer"
#define ROLE "arn:aws:iam::123456789012:role/presign-guard-links"

static gsize
size_of (PgPolicy *policy)
{
  g_autofree char *json = pg_policy_to_json (policy, FALSE);

  return json ? strlen (json) : 0;
}

static void
report (const char *what,
        PgPolicy   *policy,
        guint       n)
{
  g_autoptr(GError) error = NULL;
  gsize full = size_of (policy);
  gboolean locked;

  locked = pg_policy_set_lockdown (policy, BUCKET, PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL, &error)
           && pg_policy_set_lockdown (policy, BUCKET, PG_LOCKDOWN_SIGNER, TRUE, ROLE, NULL,
                                      &error);
  printf ("%-26s %5u fit, %6zu bytes, %5.1f bytes each; lockdown on then: %s (%zu bytes)\n",
          what, n, full, (double) full / n, locked ? "fits" : error->message, size_of (policy));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(PgPolicy) files = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(PgPolicy) short_files = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(PgPolicy) sessions = pg_policy_new (NULL, NULL, NULL);
  guint n;

  pg_policy_guard_folder (files, BUCKET, SIGNER, NULL);
  for (n = 0;; n++)
    {
      g_autofree char *key = g_strdup_printf ("incoming/2026-11-28/report-%05u.pdf", n);

      if (!pg_policy_revoke (files, BUCKET, key, PG_POLICY_ACTION_GET, SIGNER, FALSE, now, NULL))
        break;
    }
  report ("files (36-character keys)", files, n);

  pg_policy_guard_folder (short_files, BUCKET, SIGNER, NULL);
  for (n = 0;; n++)
    {
      g_autofree char *key = g_strdup_printf ("f%04u", n);

      if (!pg_policy_revoke (short_files, BUCKET, key, PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                             NULL))
        break;
    }
  report ("files (5-character keys)", short_files, n);

  pg_policy_guard_folder (sessions, BUCKET, SIGNER, NULL);
  for (n = 0;; n++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *arn = g_strconcat ("arn:aws:sts::123456789012:assumed-role/"
                                          "presign-guard-links/pg-", id, NULL);

      if (!pg_policy_revoke (sessions, BUCKET, "any", PG_POLICY_ACTION_GET, arn, FALSE, now,
                             NULL))
        break;
    }
  report ("session links", sessions, n);

  return 0;
}
