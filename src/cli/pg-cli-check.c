/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-account-check.h"
#include "pg-cli.h"
#include "pg-text.h"

/* presign-guard-cli check --bucket B: the app's Test Connection, from the keys of the
 * environment. One line a step, "STATE STEP SENTENCE" (states: ok, warning, failed; steps:
 * list, policy, signer, identity, revocation, role, clock); exit status 1 when a step failed, with its sentence
 * on standard error. */
int
pg_cli_check (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager_credentials = NULL;
  g_autoptr(PgCredentials) signer_credentials = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *role_arn = NULL;
  const PgAccountCheckResult *failed = NULL;
  int verify_timeout = 0;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "role-arn", 0, 0, G_OPTION_ARG_STRING, &role_arn,
      N_("The signing role, for links signed one by one: a session of it is started and "
         "revoked alone"), N_("ARN") },
    { "verify-timeout", 0, 0, G_OPTION_ARG_INT, &verify_timeout,
      N_("Seconds the test revocation may take to hold (default 30)"), N_("SECONDS") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Tests the keys on a bucket as the app would: the managing key "
                               "lists the bucket and reads its policy, a link signed with the "
                               "signing key is sent, whom revoking would deny is found out and "
                               "proven by a test revocation of a file that does not exist "
                               "(lifted again), and the clock is compared with the server’s."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (!(manager_credentials = pg_cli_manager_credentials (&error))
      || !(signer_credentials = pg_cli_signer_credentials (&error))
      || !(manager = pg_cli_client_new (&endpoint_options, manager_credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_account_check_async (manager, signer_credentials, bucket, endpoint_options.signer_arn,
                          role_arn, (guint) MAX (verify_timeout, 0), NULL,
                          pg_cli_store_result, &result);
  if (!(results = pg_account_check_finish (pg_cli_wait (&result), &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  for (guint i = 0; i < results->len; i++)
    {
      const PgAccountCheckResult *step = g_ptr_array_index (results, i);
      g_autofree char *text = pg_text_sanitize (step->text);

      printf ("%-7s %-8s %s\n", pg_account_check_state_to_string (step->state),
              pg_account_check_step_to_string (step->step), text);
      if (step->state == PG_ACCOUNT_CHECK_FAILED && failed == NULL)
        failed = step;
    }
  fflush (stdout);

  if (failed != NULL)
    return pg_cli_fail (PG_CLI_EXIT_FAILURE, "%s", failed->text);

  return PG_CLI_EXIT_OK;
}
