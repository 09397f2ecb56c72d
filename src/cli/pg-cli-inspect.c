/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-link-record.h"
#include "pg-presigned-url.h"
#include "pg-text.h"

static void
field (const char *name,
       const char *value)
{
  g_autofree char *safe = pg_text_sanitize (value);

  printf ("%s: %s\n", name, safe);
}

/* --look-up: what the link's record in its bucket says (with the managing key). */
static int
look_up (PgCliEndpointOptions *endpoint_options,
         const char           *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLinkRecord) record = NULL;

  if (!(credentials = pg_cli_manager_credentials (&error))
      || !(manager = pg_cli_client_new (endpoint_options, credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_link_record_lookup_async (manager, url, NULL, pg_cli_store_result, &result);
  if (!pg_link_record_lookup_finish (pg_cli_wait (&result), &record, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (record == NULL)
    {
      field ("record", "none (a plain link: revoked with its file)");
      return PG_CLI_EXIT_OK;
    }

  field ("record", record->id);
  field ("precision", pg_link_precision_to_string (record->precision));
  if (record->session_arn != NULL)
    field ("session", record->session_arn);
  if (record->role_arn != NULL)
    field ("role", record->role_arn);
  if (record->copy_key != NULL)
    {
      field ("copy-of", record->key);
      field ("copy", record->copy_key);
    }
  if (record->creator != NULL)
    field ("creator", record->creator);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli inspect URL [--look-up]: prints "name: value" lines, one per fact. */
int
pg_cli_inspect (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autofree char *signed_at = NULL;
  g_autofree char *expires_at = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  gboolean lookup = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int exit_code;
  const GOptionEntry entries[] = {
    { "look-up", 0, 0, G_OPTION_ARG_NONE, &lookup,
      N_("Also read the link’s record in its bucket (with the managing key): whether it is "
         "revoked alone, its session or private copy"), NULL },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, _("URL"),
                             _("Shows the bucket, file, signer and lifetime a link "
                               "carries. Nothing is sent anywhere unless --look-up is given."),
                             entries, &endpoint_options, 1, &exit_code))
    return exit_code;

  if (!(link = pg_presigned_url_parse (argv[1], &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  signed_at = pg_cli_format_time (pg_presigned_url_get_signed_at (link));
  expires_at = pg_cli_format_time (pg_presigned_url_get_expires_at (link));

  /* A link is anybody's text: its key is shown exactly as S3 sees it, escaped. */
  field ("bucket", pg_presigned_url_get_bucket (link));
  field ("key", pg_presigned_url_get_key (link));
  field ("dot-segments", pg_presigned_url_has_dot_segments (link) ? "yes" : "no");
  field ("host", pg_presigned_url_get_host (link));
  field ("style", pg_presigned_url_get_path_style (link) ? "path" : "virtual-hosted");
  field ("region", pg_presigned_url_get_region (link));
  field ("service", pg_presigned_url_get_service (link));
  field ("access-key-id", pg_presigned_url_get_access_key_id (link));
  field ("signed-headers", pg_presigned_url_get_signed_headers (link));
  field ("session-token", pg_presigned_url_has_session_token (link) ? "yes" : "no");
  field ("signed-at", signed_at);
  printf ("expires: %u\n", pg_presigned_url_get_expires (link));
  field ("expires-at", expires_at);
  printf ("seconds-left: %" G_GINT64_FORMAT "\n",
          pg_presigned_url_get_seconds_left (link, now));

  if (lookup)
    return look_up (&endpoint_options, argv[1]);

  return PG_CLI_EXIT_OK;
}
