/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "pg-cli.h"
#include "pg-link-copy.h"
#include "pg-link-session.h"

/* links and setup: the links' records in a bucket, and the role their sessions are of. */

/* links --remove ID: the link's private copy (the link dies with it) and its record. */
static int
remove_record (PgS3Client *manager,
               const char *bucket,
               GPtrArray  *records,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PgLinkRecord *record = NULL;

  for (guint i = 0; i < records->len && record == NULL; i++)
    if (g_strcmp0 (((PgLinkRecord *) g_ptr_array_index (records, i))->id, id) == 0)
      record = g_ptr_array_index (records, i);
  if (record == NULL)
    return pg_cli_fail (PG_CLI_EXIT_FAILURE, _("No link %s is recorded in this bucket."), id);

  /* In the bucket given, whatever the record says; the core keeps to the link's own folder. */
  pg_link_copy_remove_async (manager, bucket, record->id, record->copy_key, record->digest, NULL,
                             pg_cli_store_result, &result);
  if (!pg_link_copy_remove_finish (pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (record->copy_key != NULL)
    pg_cli_note (_("The link’s private copy is deleted: the link no longer works."));
  printf ("removed %s\n", record->id);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli links --bucket B [--remove ID]: one line per link recorded in the
 * bucket. */
int
pg_cli_links (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *remove = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "remove", 0, 0, G_OPTION_ARG_STRING, &remove,
      N_("Remove a link’s record, and its private copy (the link stops working)"), N_("ID") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Lists the links recorded in a bucket: id, what it revokes, "
                               "action, file, until when, its session or copy, and whether it "
                               "closes after its first use."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (!(credentials = pg_cli_manager_credentials (&error))
      || !(manager = pg_cli_client_new (&endpoint_options, credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_link_record_list_async (manager, bucket, NULL, pg_cli_store_result, &result);
  if (!(records = pg_link_record_list_finish (pg_cli_wait (&result), &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (remove != NULL)
    return remove_record (manager, bucket, records, remove);

  for (guint i = 0; i < records->len; i++)
    {
      PgLinkRecord *record = g_ptr_array_index (records, i);
      g_autofree char *until = pg_cli_format_time (record->expires);

      g_autofree char *armed = NULL;

      /* Armed: for what, and what happened. */
      if (record->closed_at != 0)
        {
          g_autofree char *closed = pg_cli_format_time (record->closed_at);

          armed = g_strdup_printf ("closed %s after use by %s", closed,
                                   record->used_by ? record->used_by : "?");
        }
      else if (record->used_at != 0)
        armed = g_strdup_printf ("used by %s", record->used_by ? record->used_by : "?");
      else if (record->arming != PG_LINK_ARMING_NONE)
        armed = g_strdup_printf ("armed %s", pg_link_arming_to_string (record->arming));

      printf ("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", record->id,
              pg_link_precision_to_string (record->precision),
              record->action ? record->action : "?", record->key, until,
              record->session_arn ? record->session_arn
                                  : record->copy_key ? record->copy_key
                                                     : record->access_key_id,
              armed ? armed : "-");
    }

  return PG_CLI_EXIT_OK;
}

/* setup signer-user: the signing key made on AWS with the managing key. Prints the user's
 * ARN, then the key as the environment the CLI and the watcher read it from. */
static int
setup_signer_user (PgCliEndpointOptions *endpoint_options,
                   const char           *bucket,
                   const char           *user_name,
                   gboolean              print)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager_credentials = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *arn = NULL;
  g_autofree char *key_id = NULL;
  char *secret = NULL;

  if (!(manager_credentials = pg_cli_manager_credentials (&error))
      || !(manager = pg_cli_client_new (endpoint_options, manager_credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (print)
    {
      g_autofree char *permissions = pg_signer_user_permissions (
        pg_endpoint_get_partition (pg_s3_client_get_endpoint (manager)), bucket);

      printf ("# %s\n%s\n", _("Permissions (inline policy presign-guard-signer of the signing "
                               "user):"), permissions);
      return PG_CLI_EXIT_OK;
    }

  pg_signer_user_setup_async (manager, user_name, bucket, NULL, pg_cli_store_result, &result);
  if (!pg_signer_user_setup_finish (pg_cli_wait (&result), &arn, &key_id, &secret, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  /* Shown once, as AWS shows it once: the lines of an environment file. */
  printf ("%s\nPG_SIGNER_ACCESS_KEY_ID=%s\nPG_SIGNER_SECRET_ACCESS_KEY=%s\n", arn, key_id,
          secret);
  fflush (stdout);
  pg_credentials_wipe_export (secret);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli setup signer-role|signer-user --bucket B [--role-name N | --user-name N]
 * [--print] */
int
pg_cli_setup (int    argc,
              char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *user_name = NULL;
  g_autofree char *role_arn = NULL;
  gboolean print = FALSE;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "role-name", 0, 0, G_OPTION_ARG_STRING, &role_name,
      N_("The role’s name (default presign-guard-links)"), N_("NAME") },
    { "user-name", 0, 0, G_OPTION_ARG_STRING, &user_name,
      N_("With signer-user: the user’s name (default presign-signer)"), N_("NAME") },
    { "print", 0, 0, G_OPTION_ARG_NONE, &print,
      N_("Print the policies for an administrator instead of creating anything"), NULL },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, "signer-role|signer-user",
                             _("signer-role creates the signing role whose sessions sign links "
                               "that can be revoked one by one: trusted by the signing key "
                               "alone, allowed to read and write the bucket’s files. "
                               "signer-user makes the signing key on AWS: an IAM user allowed "
                               "to read and write the bucket’s files, and a new access key of "
                               "it, printed once."),
                             entries, &endpoint_options, 1, &exit_code))
    return exit_code;
  if (argc != 2 || (strcmp (argv[1], "signer-role") != 0
                    && strcmp (argv[1], "signer-user") != 0))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Say “setup signer-role” or “setup signer-user”."));
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));
  if (strcmp (argv[1], "signer-user") == 0)
    return setup_signer_user (&endpoint_options, bucket,
                              user_name ? user_name : "presign-signer", print);
  if (role_name == NULL)
    role_name = g_strdup ("presign-guard-links");

  if (!(context = pg_cli_context_new (&endpoint_options, bucket, NULL, TRUE, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (print)
    {
      g_autofree char *trust = pg_signer_role_trust_policy (
        pg_account_context_get_signer_arn (context));
      g_autofree char *permissions = pg_signer_role_permissions (
        pg_endpoint_get_partition (pg_account_context_get_endpoint (context)), bucket);

      printf ("# %s\n%s\n# %s\n%s\n", _("Trust policy (who may start sessions; maximum session "
                                        "43200 seconds):"), trust,
              _("Permissions (inline policy presign-guard-links):"), permissions);
      return PG_CLI_EXIT_OK;
    }

  pg_account_context_create_signing_role_async (context, role_name, NULL, pg_cli_store_result,
                                                &result);
  if (!(role_arn = pg_account_context_create_signing_role_finish (context, pg_cli_wait (&result),
                                                                  &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  printf ("%s\n", role_arn);

  return PG_CLI_EXIT_OK;
}
