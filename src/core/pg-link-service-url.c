/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-service-private.h"
#include "pg-presigned-url.h"
#include "pg-upload-page.h"

/* Revoking what a pasted URL gives access to, when all there is is the URL (the command line's
 * revoke --url): the link's record in the bucket says whether it has a session of its own (then
 * that session alone is denied, through the revoker pg_account_context_revoker_for_record_async()
 * chooses); otherwise the URL's object is revoked for the signing key — for an upload page, the
 * page and every upload it carries (the page in the bucket says which keys). */

/* ---- Revoking from a URL ---------------------------------------------------------------- */

/* An upload page is small; anything much larger at its key is not one of ours. */
#define MAX_PAGE_BYTES (1024 * 1024)

typedef struct
{
  PgAccountContext *context;
  PgRevoker        *revoker;
  PgPresignedUrl   *link;
  char             *url;
  char             *bucket;
  char             *key;
  PgPolicyAction    action;
  gboolean          revoke;
  PgLinkRecord     *record;
} UrlJob;

static void
url_job_free (UrlJob *data)
{
  g_object_unref (data->context);
  g_clear_object (&data->revoker);
  pg_presigned_url_unref (data->link);
  g_free (data->url);
  g_free (data->bucket);
  g_free (data->key);
  pg_link_record_free (data->record);
  g_free (data);
}

static void
page_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  UrlJob *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result, &error);
  g_auto(GStrv) keys = NULL;
  g_autoptr(GArray) targets = NULL;
  PgPolicyTarget page_target = { data->key, PG_POLICY_ACTION_GET };

  if (page == NULL || !(keys = pg_upload_page_read_keys (page, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  targets = g_array_new (FALSE, FALSE, sizeof (PgPolicyTarget));
  g_array_append_val (targets, page_target);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      PgPolicyTarget upload = { keys[i], PG_POLICY_ACTION_PUT };

      g_array_append_val (targets, upload);
    }

  g_task_return_pointer (task,
                         pg_link_service_revoke_targets (self, data->revoker, data->bucket,
                                                         (PgPolicyTarget *) targets->data,
                                                         targets->len, data->revoke),
                         g_object_unref);
}

static void
session_revoker_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  UrlJob *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = NULL;
  PgPolicyTarget target = { data->record->key, PG_POLICY_ACTION_GET };

  revoker = pg_account_context_revoker_for_record_finish (PG_ACCOUNT_CONTEXT (source), result,
                                                          &error);
  if (revoker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task,
                         pg_link_service_revoke_targets (self, revoker, data->record->bucket,
                                                         &target, 1, data->revoke),
                         g_object_unref);
}

/* What the URL itself says, for a link revoked with its object: signed by the account's signing
 * key, for the account's server. */
static void
revoke_object (GTask *task)
{
  PgLinkService *self = g_task_get_source_object (task);
  UrlJob *data = g_task_get_task_data (task);
  PgS3Client *manager = pg_account_context_get_manager (data->context);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) ours = NULL;
  g_autofree char *our_url = NULL;
  const char *signer_key;
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = data->bucket,
    .key = data->key,
    .expires = 60,
  };

  if (!(data->revoker = pg_account_context_new_revoker (data->context, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  signer_key = pg_credentials_get_access_key_id (pg_revoker_get_signer (data->revoker));
  if (g_strcmp0 (pg_presigned_url_get_access_key_id (data->link), signer_key) != 0)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("This link was signed with the key %s, not with the signing "
                                 "key %s. Nothing was changed."),
                               pg_presigned_url_get_access_key_id (data->link), signer_key);
      return;
    }

  /* The same object on this server would be reached at the same host: otherwise the link is
   * for another server, and revoking here would prove nothing about it. */
  our_url = pg_presign_url (pg_s3_client_get_endpoint (manager),
                            pg_revoker_get_signer (data->revoker), &options, &error);
  if (our_url == NULL || !(ours = pg_presigned_url_parse (our_url, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_ascii_strcasecmp (pg_presigned_url_get_host (data->link),
                          pg_presigned_url_get_host (ours)) != 0
      || g_strcmp0 (pg_presigned_url_get_scheme (data->link),
                    pg_presigned_url_get_scheme (ours)) != 0)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("This link is for %s, not for the server given (%s). Nothing "
                                 "was changed."),
                               pg_presigned_url_get_host (data->link),
                               pg_presigned_url_get_host (ours));
      return;
    }

  if (pg_upload_page_is_page_key (data->key))
    {
      pg_s3_client_get_object_async (manager, data->bucket, data->key, MAX_PAGE_BYTES,
                                     g_task_get_cancellable (task), page_read_cb,
                                     g_object_ref (task));
      return;
    }

  {
    PgPolicyTarget target = { data->key, data->action };

    g_task_return_pointer (task,
                           pg_link_service_revoke_targets (self, data->revoker, data->bucket,
                                                           &target, 1, data->revoke),
                           g_object_unref);
  }
}

static void
record_found_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UrlJob *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *role_arn = pg_account_context_get_signing_role (data->context);

  if (!pg_link_record_lookup_finish (result, &data->record, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (data->record == NULL || data->record->precision != PG_LINK_PRECISION_SESSION)
    {
      revoke_object (task);
      return;
    }

  /* A role given (the command line's --role-arn) is the one the session is started in. */
  if (role_arn != NULL)
    {
      g_free (data->record->role_arn);
      data->record->role_arn = g_strdup (role_arn);
    }
  pg_account_context_revoker_for_record_async (data->context, data->record, NULL,
                                               g_task_get_cancellable (task),
                                               session_revoker_cb, g_object_ref (task));
}

/**
 * pg_link_service_revoke_url_async:
 * @url: a link as the partner received it
 * @action: what a plain link is for (a URL does not say whether it downloads or uploads)
 * @revoke: %TRUE to revoke, %FALSE to lift the revocation
 *
 * Revokes what @url gives access to, from the URL and its record: a link signed in a session
 * of its own, that session alone; an upload page, the page and every upload in it (read from
 * the page in the bucket); a private copy, the copy; any other link, its object for @action,
 * which closes the signer's other links to it too. A link revoked with its object must be signed
 * by the account's signing key, for the account's server.
 *
 * pg_link_service_revoke_url_finish() returns the job, queued; follow it as any other.
 */
void
pg_link_service_revoke_url_async (PgLinkService       *self,
                                  PgAccountContext    *context,
                                  const char          *url,
                                  PgPolicyAction       action,
                                  gboolean             revoke,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autoptr(GError) error = NULL;
  UrlJob *data;

  g_task_set_source_tag (task, pg_link_service_revoke_url_async);

  if (!(link = pg_presigned_url_parse (url, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (UrlJob, 1);
  data->context = g_object_ref (context);
  data->bucket = g_strdup (pg_presigned_url_get_bucket (link));
  data->key = g_strdup (pg_presigned_url_get_key (link));
  data->link = g_steal_pointer (&link);
  data->action = action;
  data->revoke = revoke;
  g_task_set_task_data (task, data, (GDestroyNotify) url_job_free);

  pg_link_record_lookup_async (pg_account_context_get_manager (context), url, cancellable,
                               record_found_cb, g_steal_pointer (&task));
}

/**
 * pg_link_service_revoke_url_finish:
 * @record: (out) (optional) (transfer full) (nullable): the link's record, when it has one
 *
 * Returns: (transfer full): the job, queued
 */
PgLinkJob *
pg_link_service_revoke_url_finish (PgLinkService  *self,
                                   GAsyncResult   *result,
                                   PgLinkRecord  **record,
                                   GError        **error)
{
  UrlJob *data = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (record != NULL)
    *record = data != NULL ? g_steal_pointer (&data->record) : NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}
