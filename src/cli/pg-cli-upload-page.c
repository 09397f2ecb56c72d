/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-sigv4.h"
#include "pg-upload-page.h"

/* presign-guard-cli upload-page --bucket B --folder F [--files N] [--expires S] [--note TEXT]
 * [--for TEXT]
 * Writes an upload page into the bucket (the same the app makes) and prints its URL on the last
 * line: what the partner opens in a browser. */
int
pg_cli_upload_page (int    argc,
                    char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  g_autoptr(PgLinkService) service = pg_link_service_new (NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLink) link = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *note = NULL;
  g_autofree char *label = NULL;
  g_autofree char *url = NULL;
  g_autofree char *until = NULL;
  gint64 expires = 86400;
  int files = 1;
  int exit_code;
  PgUploadPageRequest request = { 0 };
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "folder", 0, 0, G_OPTION_ARG_STRING, &folder,
      N_("Folder the partner’s files go to (a folder of their own is made in it)"),
      N_("FOLDER") },
    { "files", 0, 0, G_OPTION_ARG_INT, &files,
      N_("How many files the partner may send (default 1)"), "1-20" },
    { "expires", 0, 0, G_OPTION_ARG_INT64, &expires,
      N_("Lifetime in seconds, 1 to 604800 (default 86400, one day)"), N_("SECONDS") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note,
      N_("A note for the partner, shown on the page"), N_("TEXT") },
    { "for", 0, 0, G_OPTION_ARG_STRING, &label,
      N_("Whom the page is for, shown on it (“This page is for …”)"), N_("TEXT") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Makes a page in the bucket through which a partner sends files "
                               "with any web browser, and prints its link on the last line. "
                               "The page is signed with PG_SIGNER_ACCESS_KEY_ID and "
                               "PG_SIGNER_SECRET_ACCESS_KEY when set."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;

  if (bucket == NULL || folder == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket and --folder are required."));
  if (files < 1 || files > PG_UPLOAD_PAGE_MAX_FILES)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--files must be between 1 and %d."),
                        PG_UPLOAD_PAGE_MAX_FILES);
  if (expires < 1 || expires > PG_SIGV4_MAX_EXPIRES)
    return pg_cli_fail (PG_CLI_EXIT_USAGE,
                        _("--expires must be between 1 and %d seconds (7 days)."),
                        PG_SIGV4_MAX_EXPIRES);

  if (!pg_cli_clients_new (&endpoint_options, &manager, &signer, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  context = pg_account_context_new (NULL, bucket, manager, signer, endpoint_options.signer_arn);

  request.folder = folder;
  request.n_files = files;
  request.expires = expires;
  request.note = note;
  request.label = label;
  pg_link_service_create_upload_page_async (service, context, &request, NULL,
                                            pg_cli_store_result, &result);
  link = pg_link_service_create_upload_page_finish (service, pg_cli_wait (&result), &error);
  if (link == NULL)
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  /* Its record is in the bucket before the command ends. */
  while (pg_link_service_get_busy (service))
    g_main_context_iteration (NULL, TRUE);

  if (!(url = pg_link_service_derive_url (service, context, link, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  until = pg_cli_format_time (pg_link_get_expires_at (link));
  printf ("page: %s/%s\n", bucket, pg_link_get_page_key (link));
  for (guint i = 0; pg_link_get_upload_keys (link)[i] != NULL; i++)
    printf ("upload: %s/%s\n", bucket, pg_link_get_upload_keys (link)[i]);
  printf ("expires: %s\n", until);
  printf ("%s\n", url);

  return PG_CLI_EXIT_OK;
}
