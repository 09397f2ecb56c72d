/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-presigned-url.h"
#include "pg-received.h"
#include "pg-text.h"

/* received and get: what partners sent, under the names their files had. */

/* Saves @key as @destination (whole, or not at all). */
static gboolean
save (PgS3Client  *client,
      const char  *bucket,
      const char  *key,
      GFile       *destination,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_s3_client_download_async (client, bucket, key, destination, NULL, NULL, NULL,
                               pg_cli_store_result, &result);
  return pg_s3_client_download_finish (client, pg_cli_wait (&result), error);
}

/* presign-guard-cli received --url URL [--save DIR]: "name<TAB>size<TAB>time<TAB>key" per file
 * that arrived (and where it was saved). */
int
pg_cli_received (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autoptr(GFile) folder = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *url = NULL;
  g_autofree char *save_dir = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("The upload link or upload page’s link"),
      N_("URL") },
    { "save", 0, 0, G_OPTION_ARG_FILENAME, &save_dir,
      N_("Save each file in this folder under the partner’s name (never overwriting)"),
      N_("DIR") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Lists what partners sent through an upload link or page: the "
                               "name their file had, its size, when it arrived and its key."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (url == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--url is required."));
  if (!(link = pg_presigned_url_parse (url, &error)))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("This is not a link Presign Guard can read: %s"),
                        error->message);
  if (save_dir != NULL)
    {
      folder = g_file_new_for_commandline_arg (save_dir);
      if (g_file_query_file_type (folder, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
        return pg_cli_fail (PG_CLI_EXIT_USAGE, _("“%s” is not a folder."), save_dir);
    }

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_received_list_for_url_async (client, url, NULL, pg_cli_store_result, &result);
  if (!(files = pg_received_list_for_url_finish (pg_cli_wait (&result), &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  for (guint i = 0; i < files->len; i++)
    {
      PgReceivedFile *file = g_ptr_array_index (files, i);
      g_autofree char *time = pg_cli_format_time (file->time);
      g_autofree char *key = pg_text_sanitize (file->key);
      g_autoptr(GFile) destination = NULL;
      g_autofree char *path = NULL;

      if (folder != NULL)
        {
          destination = pg_received_free_destination (folder, file->name, NULL);
          if (!save (client, pg_presigned_url_get_bucket (link), file->key, destination, &error))
            return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
          path = g_file_get_path (destination);
        }

      printf ("%s\t%" G_GUINT64_FORMAT "\t%s\t%s%s%s\n", file->name, file->size, time, key,
              path ? "\t" : "", path ? path : "");
      fflush (stdout);
    }
  if (files->len == 0)
    pg_cli_note (_("Nothing has arrived yet."));

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli get --bucket B --key K [--output PATH]: the file, under the name it was
 * sent with when no path is given; never over an existing file. */
int
pg_cli_get (int    argc,
            char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgS3Object) object = NULL;
  g_autoptr(GFile) destination = NULL;
  g_autoptr(GFile) here = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *output = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to save it (default: its name, in the current folder)"), N_("PATH") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Downloads a file of a bucket: under the name it was sent with, "
                               "or its key’s last part, never over an existing file."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL || key == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket and --key are required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (output != NULL)
    {
      destination = g_file_new_for_commandline_arg (output);
      if (g_file_query_exists (destination, NULL))
        return pg_cli_fail (PG_CLI_EXIT_FAILURE,
                            _("“%s” exists already: nothing was written. Choose another path."),
                            output);
    }
  else
    {
      pg_s3_client_head_object_async (client, bucket, key, NULL, pg_cli_store_result, &result);
      if (!(object = pg_s3_client_head_object_finish (client, pg_cli_wait (&result), &error)))
        return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
      name = pg_received_name_from_disposition (object->content_disposition, key);
      here = g_file_new_for_path (".");
      destination = pg_received_free_destination (here, name, NULL);
    }

  if (!save (client, bucket, key, destination, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  path = g_file_get_path (destination);
  printf ("%s\n", path);

  return PG_CLI_EXIT_OK;
}
