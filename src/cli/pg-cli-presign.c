/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-cli.h"
#include "pg-link-copy.h"
#include "pg-link-session.h"
#include "pg-presign.h"
#include "pg-sigv4.h"
#include "pg-watcher.h"

/* --per-link (signed in a session of its own) or --private-copy (to a copy of the file of its
 * own): either way recorded in the bucket, and revoked alone. @role_arn is %NULL for a copy. */
/* --arm: the record says the link closes itself after its first use, or after --uses whole
 * downloads (presign-guard-cli watch reads it; the file's size now tells a whole one). */
static gboolean
arm_record (PgS3Client    *manager,
            PgLinkRecord  *record,
            const char    *arm,
            gint64         grace,
            guint          uses,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (arm == NULL)
    return TRUE;

  record->arming = pg_link_arming_from_string (arm);
  record->grace = grace;
  record->uses = MAX (uses, 1);
  if (record->uses > 1)
    {
      g_autoptr(GAsyncResult) head = NULL;
      g_autoptr(PgS3Object) object = NULL;

      pg_s3_client_head_object_async (manager, record->bucket,
                                      record->copy_key ? record->copy_key : record->key, NULL,
                                      pg_cli_store_result, &head);
      if (!(object = pg_s3_client_head_object_finish (manager, pg_cli_wait (&head), error)))
        return FALSE;
      record->size = object->size;
    }
  pg_link_record_save_async (record, manager, NULL, pg_cli_store_result, &result);

  return pg_link_record_save_finish (pg_cli_wait (&result), error);
}

static int
presign_alone (PgCliEndpointOptions   *endpoint_options,
               const char             *role_arn,
               gboolean                private_copy,
               const char             *arm,
               gint64                  grace,
               guint                   uses,
               const PgPresignOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgS3Client) signer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autofree char *url = NULL;

  if (!pg_cli_clients_new (endpoint_options, &manager, &signer, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (private_copy)
    {
      pg_link_copy_sign_async (manager, signer, NULL, options, 0, NULL, pg_cli_store_result,
                               &result);
      url = pg_link_copy_sign_finish (pg_cli_wait (&result), &record, &error);
    }
  else
    {
      pg_link_session_sign_async (manager, signer, role_arn, NULL, options, NULL,
                                  pg_cli_store_result, &result);
      url = pg_link_session_sign_finish (pg_cli_wait (&result), &record, NULL, &error);
    }
  if (url == NULL || !arm_record (manager, record, arm, grace, uses, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  if (private_copy)
    pg_cli_note (_("Only this link can be revoked: it points at a private copy of the file (%s), "
                   "recorded as link %s. The bucket deletes copies after %d days."),
                 record->copy_key, record->id, PG_LINK_COPY_DAYS);
  else
    pg_cli_note (_("Only this link can be revoked: it is signed in a session of its own (%s), "
                   "recorded as link %s."), record->session_arn, record->id);
  printf ("%s\n", url);

  return PG_CLI_EXIT_OK;
}

/* A plain link, recorded (--record, or armed with --arm): its record is written (with the
 * managing key) before it is given. */
static int
presign_recorded (PgCliEndpointOptions   *endpoint_options,
               PgCredentials          *credentials,
               const char             *arm,
               gint64                  grace,
               guint                   uses,
               PgPresignOptions       *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager_credentials = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgLinkRecord) record = pg_link_record_new ();
  g_autofree char *url = NULL;

  if (!(manager_credentials = pg_cli_manager_credentials (&error))
      || !(manager = pg_cli_client_new (endpoint_options, manager_credentials, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  /* The record knows the link by its signing time: the URL's X-Amz-Date. */
  if (options->signing_time == 0)
    options->signing_time = g_get_real_time () / G_USEC_PER_SEC;
  if (!(url = pg_presign_url (pg_s3_client_get_endpoint (manager), credentials, options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  record->id = g_uuid_string_random ();
  record->bucket = g_strdup (options->bucket);
  record->key = g_strdup (options->key);
  record->action = g_strdup (options->method == PG_METHOD_PUT ? "put" : "get");
  record->precision = PG_LINK_PRECISION_OBJECT;
  record->access_key_id = g_strdup (pg_credentials_get_access_key_id (credentials));
  record->creator = g_strdup (record->access_key_id);
  record->created = options->signing_time;
  record->digest = pg_link_digest_of_url (url);
  record->expires = options->signing_time + options->expires;
  if (arm != NULL)
    {
      if (!arm_record (manager, record, arm, grace, uses, &error))
        return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
      if (uses > 1)
        pg_cli_note (_("Armed: the link closes itself after %u whole downloads, seen by "
                       "“presign-guard-cli watch” (recorded as link %s)."), uses, record->id);
      else
        pg_cli_note (_("Armed: the link closes itself after its first use, seen by "
                       "“presign-guard-cli watch” (recorded as link %s)."), record->id);
    }
  else
    {
      g_autoptr(GAsyncResult) result = NULL;

      pg_link_record_save_async (record, manager, NULL, pg_cli_store_result, &result);
      if (!pg_link_record_save_finish (pg_cli_wait (&result), &error))
        return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);
      pg_cli_note (_("Recorded as link %s: “revoke --url” finds it, “links” lists it."),
                   record->id);
    }
  printf ("%s\n", url);

  return PG_CLI_EXIT_OK;
}

/* presign-guard-cli presign --method GET|PUT|HEAD --bucket B --key K --expires SECONDS …
 * Prints the URL alone on standard output. */
int
pg_cli_presign (int    argc,
                char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgCredentials) credentials = NULL;
  g_auto(PgCliEndpointOptions) endpoint_options = { 0 };
  g_autofree char *method = NULL;
  g_autofree char *bucket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *time = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *filename = NULL;
  g_autofree char *url = NULL;
  gint64 expires = -1;
  gboolean if_none_match = FALSE;
  gboolean signer = FALSE;
  gboolean per_link = FALSE;
  gboolean private_copy = FALSE;
  gboolean recorded = FALSE;
  g_autofree char *role_arn = NULL;
  g_autofree char *arm = NULL;
  gint64 grace = -1;
  int uses = 0;
  PgPresignOptions options = { 0 };
  int exit_code;
  const GOptionEntry entries[] = {
    { "method", 0, 0, G_OPTION_ARG_STRING, &method,
      N_("GET to download, PUT to upload, HEAD to check"), "GET|PUT|HEAD" },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("Bucket"), N_("BUCKET") },
    { "key", 0, 0, G_OPTION_ARG_STRING, &key, N_("Object key"), N_("KEY") },
    { "expires", 0, 0, G_OPTION_ARG_INT64, &expires,
      N_("Lifetime in seconds, 1 to 604800"), N_("SECONDS") },
    { "time", 0, 0, G_OPTION_ARG_STRING, &time,
      N_("Signing time instead of now"), "YYYYMMDDTHHMMSSZ" },
    { "if-none-match", 0, 0, G_OPTION_ARG_NONE, &if_none_match,
      N_("Upload link that can create the object once and never overwrite it"), NULL },
    { "content-type", 0, 0, G_OPTION_ARG_STRING, &content_type,
      N_("Content type the uploader must send, or the download is served with"), N_("TYPE") },
    { "filename", 0, 0, G_OPTION_ARG_STRING, &filename,
      N_("File name the download is saved under"), N_("NAME") },
    { "signer", 0, 0, G_OPTION_ARG_NONE, &signer,
      N_("Sign with PG_SIGNER_ACCESS_KEY_ID and PG_SIGNER_SECRET_ACCESS_KEY"), NULL },
    { "per-link", 0, 0, G_OPTION_ARG_NONE, &per_link,
      N_("A download link that can be revoked alone: signed in a session of its own of the "
         "signing role (started with the signing key), recorded in the bucket; at most 12 "
         "hours (36 on AWS, in a federated session of the signing key)"), NULL },
    { "role-arn", 0, 0, G_OPTION_ARG_STRING, &role_arn,
      N_("With --per-link: the signing role (see “setup signer-role”)"), N_("ARN") },
    { "arm", 0, 0, G_OPTION_ARG_STRING, &arm,
      N_("Close the link after its first use: download (GET links) or upload (PUT links); "
         "recorded in the bucket for “presign-guard-cli watch”"), "download|upload" },
    { "grace", 0, 0, G_OPTION_ARG_INT64, &grace,
      N_("With --arm download: seconds between the first download and the closing (default "
         "120, so that a large or resumed download can finish)"), N_("SECONDS") },
    { "uses", 0, 0, G_OPTION_ARG_INT, &uses,
      N_("With --arm download: close after this many whole downloads (1 to 100; a download "
         "resumed or made in pieces counts once) instead of the first"), N_("N") },
    { "record", 0, 0, G_OPTION_ARG_NONE, &recorded,
      N_("Record the link in the bucket, as the app does (implied by --arm, --per-link and "
         "--private-copy): “revoke --url” finds it by its fingerprint"), NULL },
    { "private-copy", 0, 0, G_OPTION_ARG_NONE, &private_copy,
      N_("A download link that can be revoked alone, however long it lasts: to a copy of the "
         "file of its own (made on the server, deleted by the bucket after 8 days), recorded in "
         "the bucket"), NULL },
    { NULL }
  };

  if (!pg_cli_parse_command (&argc, &argv, NULL,
                             _("Prints a link (presigned URL) for one object. "
                               "Credentials come from AWS_ACCESS_KEY_ID, "
                               "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN."),
                             entries, &endpoint_options, 0, &exit_code))
    return exit_code;

  if (method == NULL || !pg_method_from_string (method, &options.method))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--method must be GET, PUT or HEAD."));

  if (bucket == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--bucket is required."));

  if (key == NULL)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--key is required."));

  if (expires < 1 || expires > PG_SIGV4_MAX_EXPIRES)
    return pg_cli_fail (PG_CLI_EXIT_USAGE,
                        _("--expires must be between 1 and %d seconds (7 days)."),
                        PG_SIGV4_MAX_EXPIRES);

  if (time != NULL && !pg_sigv4_parse_time (time, &options.signing_time))
    return pg_cli_fail (PG_CLI_EXIT_USAGE,
                        _("--time must look like 20260131T235959Z (UTC), not “%s”."), time);

  if (!(endpoint = pg_cli_endpoint_new (&endpoint_options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_USAGE, error);

  credentials = signer ? pg_cli_signer_credentials (&error) : pg_cli_manager_credentials (&error);
  if (credentials == NULL)
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  options.bucket = bucket;
  options.key = key;
  options.expires = (guint) expires;
  options.if_none_match = if_none_match;
  options.content_type = content_type;
  options.filename = filename;

  if (role_arn != NULL && !per_link)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--role-arn goes with --per-link."));
  if (per_link && private_copy)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("Choose --per-link or --private-copy."));
  if (per_link && expires > PG_LINK_FEDERATION_MAX_SECONDS)
    return pg_cli_fail (PG_CLI_EXIT_USAGE,
                        _("A link with a signing session of its own lasts at most 36 hours "
                          "(129,600 seconds; more than 12 hours only on AWS). For a longer link "
                          "that can be revoked alone, use --private-copy."));
  if (arm != NULL && !((g_str_equal (arm, "download") && options.method == PG_METHOD_GET)
                       || (g_str_equal (arm, "upload") && options.method == PG_METHOD_PUT)))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--arm is download for a GET link, upload for a PUT "
                                             "link."));
  if (grace != -1 && (arm == NULL || g_str_equal (arm, "upload")))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--grace goes with --arm download."));
  if (grace < -1 || grace > 86400)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--grace is 0 to 86400 seconds."));
  if (grace == -1)
    grace = arm != NULL && g_str_equal (arm, "download") ? PG_WATCHER_DEFAULT_GRACE : 0;
  if (uses != 0 && (arm == NULL || !g_str_equal (arm, "download")))
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--uses goes with --arm download."));
  if (uses < 0 || uses > PG_LINK_MAX_USES)
    return pg_cli_fail (PG_CLI_EXIT_USAGE, _("--uses is 1 to %d downloads."), PG_LINK_MAX_USES);

  /* A plain presigner otherwise: only our folder is out of reach. */
  if (options.method == PG_METHOD_PUT
      && !pg_link_check_upload_target (NULL, options.key, &error))
    return pg_cli_fail_error (PG_CLI_EXIT_USAGE, error);

  if (per_link || private_copy)
    return presign_alone (&endpoint_options, role_arn, private_copy, arm, grace, (guint) uses,
                          &options);
  if (arm != NULL || recorded)
    return presign_recorded (&endpoint_options, credentials, arm, grace, (guint) uses,
                             &options);

  if (!(url = pg_presign_url (endpoint, credentials, &options, &error)))
    return pg_cli_fail_error (PG_CLI_EXIT_FAILURE, error);

  printf ("%s\n", url);

  return PG_CLI_EXIT_OK;
}
