/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-activity-store.h"
#include "pg-cli.h"
#include "pg-error.h"
#include "pg-presigned-url.h"

/* activity: what a link's activity in its bucket says, one line per request. */

/* The id of the link @url is, from its record in the bucket; a record that describes another
 * link is not used. */
static char *
link_of_url (PgS3Client  *manager,
             const char  *url,
             char       **bucket,
             GError     **error)
{
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *differs = NULL;

  if (!(link = pg_presigned_url_parse (url, error)))
    return NULL;

  pg_link_record_lookup_async (manager, url, NULL, pg_cli_store_result, &result);
  if (!pg_link_record_lookup_finish (pg_cli_wait (&result), &record, error))
    return NULL;
  if (record == NULL)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("No record in the bucket describes this link, so nothing is known of its "
                     "use. Links made with the app, or with presign --record, are recorded."));
      return NULL;
    }
  if ((differs = pg_link_service_record_disagrees (record, link)))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_CONFLICT,
                   _("The record of link “%s” in the bucket does not describe this link (%s), "
                     "so its activity is not shown."), record->id, differs);
      return NULL;
    }

  *bucket = g_strdup (pg_presigned_url_get_bucket (link));

  return g_strdup (record->id);
}

/* presign-guard-cli activity (--url URL | --bucket B --link ID) [--format tsv|csv|json] */
int
pg_cli_activity (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgActivity) activity = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *url = NULL;
  g_autofree char *bucket = NULL;
  g_autofree char *id = NULL;
  g_autofree char *format = NULL;
  g_autofree char *text = NULL;
  PgActivityFormat line_format = PG_ACTIVITY_TSV;
  int exit_code;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("The link, as the partner received it"),
      N_("URL") },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "link", 0, 0, G_OPTION_ARG_STRING, &id, N_("The link’s id (see links)"), N_("ID") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("tsv (the default: tab-separated), csv (with a header line) or json"),
      N_("FORMAT") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Prints what was done with a recorded link, as the watchers saw "
                               "it: one line per request, oldest first — time (UTC), kind "
                               "(download, upload, refused, other), HTTP status, S3’s error, "
                               "address, bytes, user agent."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if ((url == NULL) == (id == NULL) || (id != NULL && bucket == NULL)
      || (url != NULL && bucket != NULL))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Give either --url, or --bucket and --link."));
  if (format != NULL && g_str_equal (format, "csv"))
    line_format = PG_ACTIVITY_CSV;
  else if (format != NULL && !g_str_equal (format, "tsv") && !g_str_equal (format, "json"))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--format is tsv, csv or json, not “%s”."),
                        format);

  if (!(manager = pg_cli_manager_client (&endpoint_options, &error))
      || (url != NULL && !(id = link_of_url (manager, url, &bucket, &error))))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_activity_load_async (manager, bucket, id, NULL, pg_cli_store_result, &result);
  if (!(activity = pg_activity_load_finish (pg_cli_wait (&result), &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (format != NULL && g_str_equal (format, "json"))
    {
      g_autoptr(GBytes) json = pg_activity_to_bytes (activity);

      fwrite (g_bytes_get_data (json, NULL), 1, g_bytes_get_size (json), stdout);
      printf ("\n");
      return PG_CLI_EXIT_OK;
    }

  text = pg_activity_to_text (activity, line_format);
  fputs (text, stdout);
  if (activity->dropped > 0)
    {
      g_autofree char *dropped = pg_activity_describe_dropped (activity);

      pg_cli_note ("%s", dropped);
    }
  else if (activity->events->len == 0)
    pg_cli_note (_("No request made with this link was seen yet."));

  return PG_CLI_EXIT_OK;
}
