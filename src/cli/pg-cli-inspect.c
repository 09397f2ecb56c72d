/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-presigned-url.h"

/* presign-guard-cli inspect URL: prints "name: value" lines, one per fact. */
int
pg_cli_inspect (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autofree char *signed_at = NULL;
  g_autofree char *expires_at = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  int exit_code;

  if (!pg_cli_parse_command (&argc, &argv, _("URL"),
                             _("Shows the bucket, file, signer and lifetime a link "
                               "carries. Nothing is sent anywhere."),
                             NULL, NULL, 1, &exit_code))
    return exit_code;

  if (!(link = pg_presigned_url_parse (argv[1], &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  signed_at = pg_cli_format_time (pg_presigned_url_get_signed_at (link));
  expires_at = pg_cli_format_time (pg_presigned_url_get_expires_at (link));

  printf ("bucket: %s\n", pg_presigned_url_get_bucket (link));
  printf ("key: %s\n", pg_presigned_url_get_key (link));
  printf ("host: %s\n", pg_presigned_url_get_host (link));
  printf ("style: %s\n", pg_presigned_url_get_path_style (link) ? "path" : "virtual-hosted");
  printf ("region: %s\n", pg_presigned_url_get_region (link));
  printf ("service: %s\n", pg_presigned_url_get_service (link));
  printf ("access-key-id: %s\n", pg_presigned_url_get_access_key_id (link));
  printf ("signed-headers: %s\n", pg_presigned_url_get_signed_headers (link));
  printf ("session-token: %s\n", pg_presigned_url_has_session_token (link) ? "yes" : "no");
  printf ("signed-at: %s\n", signed_at);
  printf ("expires: %u\n", pg_presigned_url_get_expires (link));
  printf ("expires-at: %s\n", expires_at);
  printf ("seconds-left: %" G_GINT64_FORMAT "\n",
          pg_presigned_url_get_seconds_left (link, now));

  return PG_CLI_EXIT_OK;
}
