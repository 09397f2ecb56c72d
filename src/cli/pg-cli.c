/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "pg-cli.h"
#include "pg-error.h"
#include "pg-policy.h"
#include "pg-text.h"

int
pg_cli_fail (int         exit_code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  g_autofree char *safe = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, always: scripts read the first line of stderr. Parts of it may come from a
   * server: nothing in it may act on the terminal. */
  g_strdelimit (message, "\n", ' ');
  safe = pg_text_sanitize (message);
  fprintf (stderr, "presign-guard-cli: %s\n", safe);

  return exit_code;
}

/* Something to know although the command went well: one line on standard error. */
void
pg_cli_note (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  g_autofree char *safe = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_strdelimit (message, "\n", ' ');
  safe = pg_text_sanitize (message);
  fprintf (stderr, "presign-guard-cli: %s %s\n", _("note:"), safe);
}

/* Prints @text, which may come from a server or a link, line by line with every control
 * character escaped. */
void
pg_cli_print_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *safe = pg_text_sanitize (lines[i]);

      if (lines[i + 1] != NULL || *safe != '\0')
        printf ("%s\n", safe);
    }
}

int
pg_cli_fail_error (int           exit_code,
                   const GError *error)
{
  return pg_cli_fail (exit_code, "%s", error->message);
}

/**
 * pg_cli_parse_command:
 * @parameter: (nullable): what follows the options in --help, e.g. "FILE"
 * @summary: what the command does, for --help
 * @entries: (nullable): the command's own options
 * @endpoint: (nullable): where to put the shared endpoint options, for commands that talk to a
 *   bucket
 * @n_args: how many arguments must follow the options, or -1 when the command checks itself
 * @exit_code: (out): set when this returns %FALSE
 *
 * Parses a command's options; a wrong option or a wrong number of arguments is a usage error.
 */
gboolean
pg_cli_parse_command (int                   *argc,
                      char                ***argv,
                      const char            *parameter,
                      const char            *summary,
                      const GOptionEntry    *entries,
                      PgCliEndpointOptions  *endpoint,
                      int                    n_args,
                      int                   *exit_code)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameter);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (endpoint != NULL)
    pg_cli_add_endpoint_options (context, endpoint);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = pg_cli_fail (PG_CLI_EXIT_USAGE, "%s", error->message);
      return FALSE;
    }

  if (n_args >= 0 && *argc - 1 > n_args)
    {
      *exit_code = pg_cli_fail (PG_CLI_EXIT_USAGE, _("Unexpected argument “%s”."),
                                (*argv)[n_args + 1]);
      return FALSE;
    }

  if (n_args >= 0 && *argc - 1 < n_args)
    {
      *exit_code = pg_cli_fail (PG_CLI_EXIT_USAGE, _("%s is missing; see “--help”."),
                                parameter);
      return FALSE;
    }

  return TRUE;
}

void
pg_cli_add_endpoint_options (GOptionContext       *context,
                             PgCliEndpointOptions *options)
{
  const GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &options->endpoint,
      N_("S3-compatible server instead of Amazon S3"), N_("URL") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &options->region,
      N_("Region (default: AWS_REGION, AWS_DEFAULT_REGION or us-east-1)"), N_("REGION") },
    { "path-style", 0, 0, G_OPTION_ARG_NONE, &options->path_style,
      N_("Put the bucket in the path, not the host name"), NULL },
    { "signer-arn", 0, 0, G_OPTION_ARG_STRING, &options->signer_arn,
      N_("ARN of the signing key’s user, where the server cannot tell"), N_("ARN") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options->timeout,
      N_("Give up on a server that has not answered after this long, retries included "
         "(default 90)"), N_("SECONDS") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

PgEndpoint *
pg_cli_endpoint_new (PgCliEndpointOptions  *options,
                     GError               **error)
{
  const char *region = options->region;

  if (region == NULL)
    region = g_getenv ("AWS_REGION");
  if (region == NULL)
    region = g_getenv ("AWS_DEFAULT_REGION");
  if (region == NULL)
    region = "us-east-1";

  return pg_endpoint_new (options->endpoint, region, options->path_style, error);
}

void
pg_cli_endpoint_options_clear (PgCliEndpointOptions *options)
{
  g_clear_pointer (&options->endpoint, g_free);
  g_clear_pointer (&options->region, g_free);
  g_clear_pointer (&options->signer_arn, g_free);
}

/* ISO 8601 in UTC, the form scripts parse most easily. */
char *
pg_cli_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

/* Runs the main context until an asynchronous call has stored its result in @slot. */
GAsyncResult *
pg_cli_wait (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

void
pg_cli_store_result (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* The managing key: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
PgCredentials *
pg_cli_manager_credentials (GError **error)
{
  return pg_credentials_new_from_environment ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                              "AWS_SESSION_TOKEN", error);
}

/* The signing key: PG_SIGNER_ACCESS_KEY_ID and PG_SIGNER_SECRET_ACCESS_KEY when set, else the
 * managing key. */
PgCredentials *
pg_cli_signer_credentials (GError **error)
{
  if (g_getenv ("PG_SIGNER_ACCESS_KEY_ID") != NULL)
    return pg_credentials_new_from_environment ("PG_SIGNER_ACCESS_KEY_ID",
                                                "PG_SIGNER_SECRET_ACCESS_KEY",
                                                "PG_SIGNER_SESSION_TOKEN", error);

  return pg_cli_manager_credentials (error);
}

PgS3Client *
pg_cli_client_new (PgCliEndpointOptions  *options,
                   PgCredentials         *credentials,
                   GError               **error)
{
  g_autoptr(PgEndpoint) endpoint = pg_cli_endpoint_new (options, error);
  PgS3Client *client;

  if (endpoint == NULL)
    return NULL;

  if (options->timeout < 0 || options->timeout > 86400)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("--timeout must be between 1 and 86400 seconds."));
      return NULL;
    }

  client = pg_s3_client_new (endpoint, credentials, NULL);
  if (options->timeout > 0)
    pg_s3_client_set_timeouts (client, MIN (options->timeout, 60), options->timeout);

  return client;
}

/* A client with the managing key, from the environment (AWS_ACCESS_KEY_ID…). */
PgS3Client *
pg_cli_manager_client (PgCliEndpointOptions  *options,
                       GError               **error)
{
  g_autoptr(PgCredentials) credentials = pg_cli_manager_credentials (error);

  return credentials ? pg_cli_client_new (options, credentials, error) : NULL;
}

/**
 * pg_cli_clients_new:
 * @manager: (out): a client with the managing key
 * @signer: (out): a client with the signing key (the managing key's when none is set)
 *
 * The two clients of the environment's keys, sharing one HTTP session.
 */
gboolean
pg_cli_clients_new (PgCliEndpointOptions  *options,
                    PgS3Client           **manager,
                    PgS3Client           **signer,
                    GError               **error)
{
  g_autoptr(PgCredentials) manager_credentials = NULL;
  g_autoptr(PgCredentials) signer_credentials = NULL;

  if (!(manager_credentials = pg_cli_manager_credentials (error))
      || !(signer_credentials = pg_cli_signer_credentials (error))
      || !(*manager = pg_cli_client_new (options, manager_credentials, error)))
    return FALSE;

  *signer = pg_s3_client_new (pg_s3_client_get_endpoint (*manager), signer_credentials,
                              pg_s3_client_get_session (*manager));
  if (options->timeout > 0)
    pg_s3_client_set_timeouts (*signer, MIN (options->timeout, 60), options->timeout);

  return TRUE;
}

/**
 * pg_cli_signer_arn:
 * @given: (nullable): the signer's ARN from the command line
 *
 * Returns: the signer's principal: @given, else asked of STS with @signer's key.
 */
char *
pg_cli_signer_arn (PgS3Client  *signer,
                   const char  *given,
                   GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  char *arn;

  if (given != NULL)
    return g_strdup (given);

  pg_s3_client_get_caller_identity_async (signer, NULL, pg_cli_store_result, &result);
  arn = pg_s3_client_get_caller_identity_finish (signer, pg_cli_wait (&result), &local_error);
  if (arn == NULL)
    {
      g_autofree char *reason = g_strdup (local_error->message);
      gsize length = strlen (reason);

      /* The reason is a sentence of its own; "(… .)." would read twice. */
      if (length > 0 && reason[length - 1] == '.')
        reason[length - 1] = '\0';
      /* Out of reach is not a wrong configuration: it may pass. */
      g_set_error (error, PG_ERROR,
                   g_error_matches (local_error, PG_S3_ERROR, PG_S3_ERROR_NETWORK)
                   ? PG_ERROR_FAILED : PG_ERROR_UNSUPPORTED,
                   _("Cannot find out who the signing key belongs to (%s). Give it with "
                     "--signer-arn. %s"), reason,
                   pg_policy_signer_arn_hint (pg_endpoint_is_aws (pg_s3_client_get_endpoint (
                                                signer))));
    }

  return arn;
}

/**
 * pg_cli_context_new:
 * @bucket: (nullable): the bucket the command works with
 * @role_arn: (nullable): the signing role (--role-arn)
 * @need_signer_arn: whether the signer's principal must be known (given, else asked of STS);
 *   otherwise it is asked of STS and left unknown when STS cannot tell
 *
 * The account the command acts for: the environment's keys, the endpoint options, the signer.
 */
PgAccountContext *
pg_cli_context_new (PgCliEndpointOptions  *options,
                    const char            *bucket,
                    const char            *role_arn,
                    gboolean               need_signer_arn,
                    GError               **error)
{
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *arn = NULL;
  PgAccountContext *context;

  if (!pg_cli_clients_new (options, &manager, &signer, error))
    return NULL;
  arn = pg_cli_signer_arn (signer, options->signer_arn, need_signer_arn ? error : &local_error);
  if (arn == NULL && need_signer_arn)
    return NULL;

  context = pg_account_context_new (NULL, bucket, manager, signer, arn);
  pg_account_context_set_signing_role (context, role_arn);
  /* Bounds waiting for the bucket's lock too: a script waits no longer than it said. */
  if (options->timeout > 0)
    pg_account_context_set_wait_limit (context, options->timeout);

  return context;
}

/**
 * pg_cli_revoker_new:
 * @signer_arn: (nullable): the signer's ARN; asked of STS when %NULL
 *
 * A revoker for the manager and signer keys of the environment.
 */
PgRevoker *
pg_cli_revoker_new (PgCliEndpointOptions  *options,
                    const char            *signer_arn,
                    GError               **error)
{
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autofree char *arn = NULL;
  PgRevoker *revoker;

  if (!pg_cli_clients_new (options, &manager, &signer, error)
      || !(arn = pg_cli_signer_arn (signer, signer_arn, error)))
    return NULL;

  revoker = pg_revoker_new (manager, pg_s3_client_get_credentials (signer), arn);
  if (options->timeout > 0)
    pg_revoker_set_wait_limit (revoker, options->timeout);

  return revoker;
}
