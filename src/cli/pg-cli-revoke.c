/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "pg-cli.h"
#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-policy.h"

/* revoke, unrevoke, lockdown and policy: the bucket policy commands. Each prints what it did
 * and, once a request signed by the signer shows the change, "verified" on its last line. */

static gboolean
parse_action (const char     *text,
              PgPolicyAction *action)
{
  if (text == NULL || g_ascii_strcasecmp (text, "get") == 0)
    *action = PG_POLICY_ACTION_GET;
  else if (g_ascii_strcasecmp (text, "put") == 0)
    *action = PG_POLICY_ACTION_PUT;
  else
    return FALSE;

  return TRUE;
}

/* Runs a job of the link service (the same the app uses) to its end and says how it went:
 * "verified" on the last line only when the change was proven — and, with @try_url, only when
 * that link itself is then refused. */
static int
run_job_then_try (PgLinkService    *service,
                  PgAccountContext *context,
                  PgLinkJob        *job_owned,
                  const char       *done,
                  const char       *try_url)
{
  g_autoptr(PgLinkJob) job = job_owned;
  g_autoptr(GError) try_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  const GError *error;

  pg_link_service_wait (service, job);
  error = pg_link_job_get_error (job);

  if (pg_link_job_get_notice (job) != NULL)
    pg_cli_note ("%s", pg_link_job_get_notice (job));

  if (error != NULL)
    {
      /* The policy may have been written: say so, but never claim the proof. */
      if (g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
        pg_cli_print_lines (done);
      return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
    }

  pg_cli_print_lines (done);
  if (try_url != NULL)
    {
      pg_link_service_try_url_async (service, context, try_url, NULL, pg_cli_store_result,
                                     &result);
      if (!pg_link_service_try_url_finish (service, pg_cli_wait (&result), &try_error))
        {
          if (try_error != NULL)
            return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, try_error);
          return pg_cli_fail (PG_CLI_EXIT_FAILURE,
                              _("The change was proven for the signer, but this link itself "
                                "still works: it is not the link the change was made for. Check "
                                "the link’s record (presign-guard-cli links)."));
        }
    }
  printf ("verified\n");

  return PG_CLI_EXIT_OK;
}

static int
run_job (PgLinkService *service,
         PgLinkJob     *job_owned,
         const char    *done)
{
  return run_job_then_try (service, NULL, job_owned, done, NULL);
}

/* What a job took back (or gave back), one line per object. */
static char *
describe_targets (PgLinkJob *job,
                  gboolean   revoke)
{
  GString *text = g_string_new (NULL);
  GArray *targets = pg_link_job_get_targets (job);

  for (guint i = 0; i < targets->len; i++)
    {
      PgPolicyTarget *target = &g_array_index (targets, PgPolicyTarget, i);

      g_string_append_printf (text, "%s%s %s/%s (%s)", i > 0 ? "\n" : "",
                              revoke ? "revoked" : "unrevoked", pg_link_job_get_bucket (job),
                              target->key, target->action == PG_POLICY_ACTION_GET ? "get" : "put");
    }

  return g_string_free (text, FALSE);
}

/* revoke --url: what the link's record and the URL say (the core chooses the revoker). */
static int
url_command (PgLinkService        *service,
             PgCliEndpointOptions *endpoint_options,
             PgAccountContext     *context,
             const char           *url,
             PgPolicyAction        action,
             gboolean              revoke)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autofree char *done = NULL;
  PgLinkJob *job;

  g_autofree char *disagreement = NULL;
  const char *try_url;

  pg_link_service_revoke_url_async (service, context, url, action, revoke, NULL,
                                    pg_cli_store_result, &result);
  job = pg_link_service_revoke_url_finish (service, pg_cli_wait (&result), &record,
                                           &disagreement, &error);
  if (disagreement != NULL)
    pg_cli_note ("%s", disagreement);
  if (job == NULL)
    {
      /* A link revoked with its file needs the signer's principal: say how to give it. */
      if (g_error_matches (error, PG_ERROR, PG_ERROR_UNSUPPORTED)
          && pg_account_context_get_signer_arn (context) == NULL)
        {
          g_clear_error (&error);
          g_free (pg_cli_signer_arn (pg_account_context_get_signer_client (context),
                                     endpoint_options->signer_arn, &error));
        }
      return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
    }

  /* A revoked download link is tried itself (an upload link cannot be tried without
   * uploading). */
  try_url = revoke && g_array_index (pg_link_job_get_targets (job), PgPolicyTarget, 0).action
                      == PG_POLICY_ACTION_GET ? url : NULL;

  if (record != NULL && record->precision == PG_LINK_PRECISION_SESSION)
    {
      pg_cli_note (revoke ? _("Only this link is revoked: it has a signing session of its own "
                              "(%s). Other links to the file keep working.")
                          : _("This link works again: its signing session (%s) is no longer "
                              "denied."), record->session_arn);
      done = g_strdup_printf ("%s %s/%s (get, link %s)", revoke ? "revoked" : "unrevoked",
                              record->bucket, record->key, record->id);
      return run_job_then_try (service, context, job, done, try_url);
    }

  /* A plain link is taken back with its object: say that other links to it go too. What the
   * link is comes from its URL, not from a record. */
  if (pg_link_copy_is_copy_key (g_array_index (pg_link_job_get_targets (job), PgPolicyTarget,
                                               0).key, NULL))
    pg_cli_note ("%s", revoke ? _("Only this link is revoked: it points at a private copy of "
                                  "the file. Other links to the file keep working.")
                              : _("This link works again: its private copy is no longer "
                                  "denied."));
  else if (pg_link_job_get_targets (job)->len == 1 && revoke)
    pg_cli_note ("%s", _("Every link of the signing key to this file is revoked with it."));
  else if (pg_link_job_get_targets (job)->len == 1)
    pg_cli_note ("%s", _("Every link of the signing key to this file works again with it."));

  done = describe_targets (job, revoke);

  return run_job_then_try (service, context, job, done, try_url);
}

static int
object_command (int         argc,
                char      **argv,
                gboolean    revoke)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *url = NULL;
  g_autofree char *action_text = NULL;
  g_autofree char *role_arn = NULL;
  g_autofree char *done = NULL;
  int verify_timeout = -1;
  PgPolicyAction action;
  PgLinkJob *job;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { "url", 0, 0, G_OPTION_ARG_STRING, &url,
      N_("A link instead of --bucket and --key; an upload page is taken back whole"), N_("URL") },
    { "action", 0, 0, G_OPTION_ARG_STRING, &action_text,
      N_("get for download links (default), put for upload links"), "get|put" },
    { "verify-timeout", 0, 0, G_OPTION_ARG_INT, &verify_timeout,
      N_("How long to wait for the proof (default 30)"), N_("SECONDS") },
    { "role-arn", 0, 0, G_OPTION_ARG_STRING, &role_arn,
      N_("With --url: the signing role, when not the one the link’s record names"), N_("ARN") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             revoke ? _("Makes every link of the signer to one file stop "
                                        "working, and proves it.")
                                    : _("Lets the signer’s links to one file work again."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;

  if (url != NULL && (bucket != NULL || key != NULL))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Give either --url or --bucket and --key."));
  if (url == NULL && (bucket == NULL || key == NULL))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket and --key (or --url) are required."));
  if (!parse_action (action_text, &action))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--action must be get or put."));
  if (role_arn != NULL && url == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--role-arn goes with --url."));

  /* A link with a session of its own needs no signer's principal: it is denied its session. */
  if (!(context = pg_cli_context_new (&endpoint_options, bucket, role_arn, url == NULL, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  pg_account_context_set_verify_timeout (context, verify_timeout);

  if (url != NULL)
    return url_command (service, &endpoint_options, context, url, action, revoke);

  job = pg_link_service_revoke_file (service, context, key, action, revoke);
  done = g_strdup_printf ("%s %s/%s (%s)", revoke ? "revoked" : "unrevoked", bucket, key,
                          action == PG_POLICY_ACTION_GET ? "get" : "put");

  return run_job (service, job, done);
}

int
pg_cli_revoke (int    argc,
               char **argv)
{
  return object_command (argc, argv, TRUE);
}

int
pg_cli_unrevoke (int    argc,
                 char **argv)
{
  return object_command (argc, argv, FALSE);
}

/* presign-guard-cli lockdown on|off --bucket B [--mode signer|any] [--exempt ARN]… */
int
pg_cli_lockdown (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *mode_text = NULL;
  g_auto(GStrv) exempt = NULL;
  g_autofree char *done = NULL;
  g_autofree char *role_arn = NULL;
  int verify_timeout = -1;
  PgLockdownMode mode;
  gboolean enabled;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode_text,
      N_("signer: block the signer’s links (default); any: block every presigned link (AWS "
         "only)"), "signer|any" },
    { "exempt", 0, 0, G_OPTION_ARG_STRING_ARRAY, &exempt,
      N_("With --mode any: a user or role whose own links keep working"), N_("ARN") },
    { "role-arn", 0, 0, G_OPTION_ARG_STRING, &role_arn,
      N_("With lockdown on: the signing role too, so that links signed one by one are blocked "
         "as well"), N_("ARN") },
    { "verify-timeout", 0, 0, G_OPTION_ARG_INT, &verify_timeout,
      N_("How long to wait for the proof (default 30)"), N_("SECONDS") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, "on|off",
                             _("Blocks, or unblocks, every link of a bucket."),
                             entries, &endpoint_options, 1, &exit_code))
    return exit_code;

  if (argc != 2 || (strcmp (argv[1], "on") != 0 && strcmp (argv[1], "off") != 0))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Say “lockdown on” or “lockdown off”."));
  enabled = strcmp (argv[1], "on") == 0;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));
  if (mode_text == NULL || strcmp (mode_text, "signer") == 0)
    mode = PG_LOCKDOWN_SIGNER;
  else if (strcmp (mode_text, "any") == 0)
    mode = PG_LOCKDOWN_ANY;
  else
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--mode must be signer or any."));
  if (exempt != NULL && mode != PG_LOCKDOWN_ANY)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--exempt goes with --mode any."));
  if (role_arn != NULL && (!enabled || mode != PG_LOCKDOWN_SIGNER))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--role-arn goes with lockdown on."));

  if (!(context = pg_cli_context_new (&endpoint_options, bucket, role_arn, TRUE, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  pg_account_context_set_verify_timeout (context, verify_timeout);

  /* With a signing role, the same statement names it too (every link signed one by one),
   * proven in a session of it: one job. */
  done = g_strdup_printf ("lockdown %s %s (%s)", enabled ? "on" : "off", bucket,
                          mode == PG_LOCKDOWN_SIGNER ? "signer" : "any");
  if (role_arn != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s\nlockdown on %s (signing role %s)", done,
                                               bucket, role_arn);

      g_free (done);
      done = g_steal_pointer (&both);
    }

  return run_job (service,
                  pg_link_service_set_lockdown (service, context, mode, enabled,
                                                (const char * const *) exempt),
                  done);
}

static int
policy_show (PgCliEndpointOptions *endpoint_options,
             const char           *bucket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgPolicy) policy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pretty = NULL;

  if (!(credentials = pg_cli_manager_credentials (&error))
      || !(client = pg_cli_client_new (endpoint_options, credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_s3_client_get_bucket_policy_async (client, bucket, NULL, pg_cli_store_result, &result);
  if (!pg_s3_client_get_bucket_policy_finish (client, pg_cli_wait (&result), &text, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (text == NULL)
    {
      printf ("%s\n", _("The bucket has no bucket policy."));
      return PG_CLI_EXIT_OK;
    }

  /* Shown pretty when it parses, as stored otherwise. */
  policy = pg_policy_new (text, NULL, NULL);
  pretty = policy ? pg_policy_to_json (policy, TRUE) : NULL;
  pg_cli_print_lines (pretty ? pretty : text);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli policy show|prune --bucket B */
int
pg_cli_policy (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, "show|prune",
                             _("Shows the bucket policy, or removes revocations "
                               "older than every link they could concern."),
                             entries, &endpoint_options, 1, &exit_code))
    return exit_code;

  if (argc != 2 || (strcmp (argv[1], "show") != 0 && strcmp (argv[1], "prune") != 0))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Say “policy show” or “policy prune”."));
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (strcmp (argv[1], "show") == 0)
    return policy_show (&endpoint_options, bucket);

  /* Pruning needs no signer: any ARN will do, it is never written. */
  if (!(revoker = pg_cli_revoker_new (&endpoint_options,
                                      endpoint_options.signer_arn ? endpoint_options.signer_arn
                                                                  : "arn:aws:iam:::user/none",
                                      &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_revoker_prune_async (revoker, bucket, NULL, pg_cli_store_result, &result);
  if (!pg_revoker_finish (revoker, pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  printf ("pruned %s\n", bucket);

  return PG_CLI_EXIT_OK;
}
