/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "pg-cli.h"
#include "pg-text.h"

/* ls, upload and mb: plain bucket work with the managing key. */

/* presign-guard-cli ls --bucket B [--prefix P]: "size<TAB>modified<TAB>key" per object. */
int
pg_cli_ls (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgS3Listing) listing = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *delimiter = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, N_("Only keys starting with this"),
      N_("PREFIX") },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter,
      N_("List one level: keys containing this after the prefix are grouped"), "/" },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Lists the files of a bucket."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_s3_client_list_objects_async (client, bucket, prefix, delimiter, NULL, pg_cli_store_result,
                                   &result);
  if (!(listing = pg_s3_client_list_objects_finish (client, pg_cli_wait (&result), &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  /* Keys are the server's text: escaped, a key can neither act on the terminal nor pass for
   * two lines. */
  for (guint i = 0; i < listing->prefixes->len; i++)
    {
      g_autofree char *folder = pg_text_sanitize (g_ptr_array_index (listing->prefixes, i));

      printf ("-\t-\t%s\n", folder);
    }

  for (guint i = 0; i < listing->objects->len; i++)
    {
      PgS3Object *object = g_ptr_array_index (listing->objects, i);
      g_autofree char *modified = object->last_modified
                                  ? pg_cli_format_time (g_date_time_to_unix (object->last_modified))
                                  : g_strdup ("-");
      g_autofree char *key = pg_text_sanitize (object->key);

      printf ("%" G_GUINT64_FORMAT "\t%s\t%s\n", object->size, modified, key);
    }

  return PG_CLI_EXIT_OK;
}

static void
print_progress (goffset  current,
                goffset  total,
                gpointer user_data)
{
  g_autofree char *done = g_format_size (current);
  g_autofree char *all = g_format_size (total);

  fprintf (stderr, "\r%3d%%  %s / %s ", total > 0 ? (int) (current * 100 / total) : 100, done,
           all);
}

/* presign-guard-cli upload FILE --bucket B --key K [--content-type T] */
int
pg_cli_upload (int    argc,
               char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) file = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *content_type = NULL;
  gint64 threshold = 0;
  gboolean terminal = isatty (STDERR_FILENO);
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &content_type, N_("Content type to store"),
      N_("TYPE") },
    { "multipart-threshold", 0, 0, G_OPTION_ARG_INT64, &threshold,
      N_("Upload in parts above this size (default 16 MiB, at least 5 MiB)"), N_("BYTES") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, _("FILE"),
                             _("Uploads a file (in parts when it is large)."),
                             entries, &endpoint_options, 1, &exit_code))
    return exit_code;
  if (bucket == NULL || key == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket and --key are required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (threshold > 0)
    pg_s3_client_set_multipart_threshold (client, threshold);

  file = g_file_new_for_commandline_arg (argv[1]);
  pg_s3_client_put_object_async (client, bucket, key, file, content_type,
                                 terminal ? print_progress : NULL, NULL, NULL,
                                 pg_cli_store_result, &result);
  if (!pg_s3_client_put_object_finish (client, pg_cli_wait (&result), &error))
    {
      if (terminal)
        fprintf (stderr, "\n");
      return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
    }

  if (terminal)
    fprintf (stderr, "\n");
  printf ("uploaded %s/%s\n", bucket, key);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli mb --bucket B: "created B", or "already exists B" for a bucket of the
 * managing key's own; a bucket of somebody else's fails. */
int
pg_cli_mb (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PgS3BucketState state;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Creates a bucket."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_s3_client_ensure_bucket_async (client, bucket, NULL, pg_cli_store_result, &result);
  state = pg_s3_client_ensure_bucket_finish (client, pg_cli_wait (&result), &error);
  if (state == PG_S3_BUCKET_FAILED)
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
  if (state == PG_S3_BUCKET_EXISTED)
    {
      printf ("already exists %s\n", bucket);
      return PG_CLI_EXIT_OK;
    }

  printf ("created %s\n", bucket);

  return PG_CLI_EXIT_OK;
}

static char *
identity_of (PgS3Client  *client,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_s3_client_get_caller_identity_async (client, NULL, pg_cli_store_result, &result);

  return pg_s3_client_get_caller_identity_finish (client, pg_cli_wait (&result), error);
}

/* presign-guard-cli identity: who the managing and the signing keys belong to (STS). */
int
pg_cli_identity (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(PgCredentials) signer_credentials = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *manager_arn = NULL;
  g_autofree char *signer_arn = NULL;
  int exit_code;

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Shows the ARNs of the managing and the signing keys, "
                               "as bucket policies name them."),
                             NULL, &endpoint_options, 0, &exit_code))
    return exit_code;

  if (!(manager = pg_cli_manager_client (&endpoint_options, &error))
      || !(signer_credentials = pg_cli_signer_credentials (&error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  signer = pg_s3_client_new (pg_s3_client_get_endpoint (manager), signer_credentials,
                             pg_s3_client_get_session (manager));

  if (!(manager_arn = identity_of (manager, &error))
      || !(signer_arn = identity_of (signer, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  {
    g_autofree char *text = g_strdup_printf ("manager: %s\nsigner: %s", manager_arn, signer_arn);

    pg_cli_print_lines (text);
  }

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli cp --bucket B --key K --to NEW: a server-side copy, e.g. to share a revoked
 * file again under a new key. */
int
pg_cli_cp (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *to = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("New object key"), N_("KEY") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Copies a file within its bucket, on the server."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL || key == NULL || to == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket, --key and --to are required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_s3_client_copy_object_async (client, bucket, key, to, NULL, pg_cli_store_result, &result);
  if (!pg_s3_client_copy_object_finish (client, pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  printf ("copied %s/%s to %s\n", bucket, key, to);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli rm --bucket B --key K */
int
pg_cli_rm (int    argc,
           char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Deletes a file."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;
  if (bucket == NULL || key == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket and --key are required."));

  if (!(client = pg_cli_manager_client (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  pg_s3_client_delete_object_async (client, bucket, key, NULL, pg_cli_store_result, &result);
  if (!pg_s3_client_delete_object_finish (client, pg_cli_wait (&result), &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  printf ("deleted %s/%s\n", bucket, key);

  return PG_CLI_EXIT_OK;
}
