/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-service-private.h"
#include "pg-presigned-url.h"
#include "pg-upload-page.h"

/* The link service's upload pages (see pg-link-service.c for the service itself): making one
 * (the page is written into the bucket, then the link remembered), removing a link (its page
 * leaves the bucket first), and revoking what a URL gives access to when all there is is the
 * URL (an upload page says which keys it uploads to). */

/* ---- Making and removing ---------------------------------------------------------------- */

static void
page_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  PgLink *link = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The page is in the bucket: the link is remembered even if the caller has gone away
   * meanwhile, so that it can be revoked and removed like any other. */
  pg_link_store_add (_pg_link_service_get_store (self), link);
  pg_link_service_save (self);
  g_task_return_pointer (task, g_object_ref (link), g_object_unref);
}

/**
 * pg_link_service_create_upload_page_async:
 * @manager: writes the page into the bucket; its endpoint and clock are the link's
 * @signer: signs the page's download and its uploads
 * @signer_arn: (nullable): the signer's principal, when known
 *
 * Makes an upload page link: @request->n_files strict single-use uploads into a new folder
 * under @request->folder, and the page that carries them, written into the bucket under
 * %PG_UPLOAD_PAGE_PREFIX. The link is remembered once the page is there. Everything the page is
 * made of is checked before anything is sent.
 */
void
pg_link_service_create_upload_page_async (PgLinkService             *self,
                                          PgS3Client                *manager,
                                          const char                *account_id,
                                          PgCredentials             *signer,
                                          const char                *signer_arn,
                                          const PgUploadPageRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PgEndpoint *endpoint = pg_s3_client_get_endpoint (manager);
  gint64 now = pg_s3_client_get_now (manager);
  g_autoptr(GDateTime) now_utc = g_date_time_new_from_unix_utc (now);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) urls = NULL;
  g_autofree char *page_url = NULL;
  g_autoptr(GBytes) page = NULL;
  g_autoptr(PgLink) link = NULL;
  PgUploadPageContent content = { 0, };
  PgPresignOptions options = {
    .method = PG_METHOD_PUT,
    .bucket = request->bucket,
    .expires = request->expires,
    .signing_time = now,
    .if_none_match = TRUE,
  };

  g_task_set_source_tag (task, pg_link_service_create_upload_page_async);

  if (request->n_files < 1 || request->n_files > PG_UPLOAD_PAGE_MAX_FILES)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("An upload page takes 1 to %d files."),
                               PG_UPLOAD_PAGE_MAX_FILES);
      return;
    }

  keys = pg_link_make_upload_page_keys (request->folder, request->n_files, now_utc);
  options.key = keys[0];
  link = pg_link_new_upload_page (account_id, &options, pg_credentials_get_access_key_id (signer),
                                  (const char * const *) keys);
  pg_link_set_signer_arn (link, signer_arn);

  /* Signing checks the bucket, the keys and the lifetime; rendering checks the rest. */
  urls = pg_link_derive_upload_urls (link, endpoint, signer, &error);
  if (urls != NULL)
    page_url = pg_link_derive_url (link, endpoint, signer, &error);
  if (page_url != NULL)
    {
      content.folder = request->folder;
      content.note = request->note;
      content.expires_at = pg_link_get_expires_at (link);
      content.upload_keys = (const char * const *) keys;
      content.upload_urls = (const char * const *) urls;
      page = pg_upload_page_render (&content, &error);
    }
  if (page == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_s3_client_put_bytes_async (manager, request->bucket, pg_link_get_page_key (link), page,
                                PG_UPLOAD_PAGE_CONTENT_TYPE, PG_S3_PUT_NO_STORE, cancellable,
                                page_written_cb, g_object_ref (task));
  g_task_set_task_data (task, g_steal_pointer (&link), g_object_unref);
}

/* Returns: (transfer full): the new link, remembered */
PgLink *
pg_link_service_create_upload_page_finish (PgLinkService  *self,
                                           GAsyncResult   *result,
                                           GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
page_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (pg_link_store_remove (_pg_link_service_get_store (self), g_task_get_task_data (task)))
    pg_link_service_save (self);
  g_task_return_boolean (task, TRUE);
}

static void
record_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!pg_link_copy_remove_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (pg_link_store_remove (_pg_link_service_get_store (self), g_task_get_task_data (task)))
    pg_link_service_save (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * pg_link_service_remove_async:
 * @manager: deletes what the link left in the bucket
 *
 * Forgets @link. An upload page link's page is deleted from the bucket first, and so are a
 * link's private copy (the link stops working) and its record; when that fails, the link is
 * kept and the error says why. Files that partners uploaded stay.
 */
void
pg_link_service_remove_async (PgLinkService       *self,
                              PgS3Client          *manager,
                              PgLink              *link,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_service_remove_async);
  g_task_set_task_data (task, g_object_ref (link), g_object_unref);

  if (pg_link_get_page_key (link) != NULL)
    {
      pg_s3_client_delete_object_async (manager, pg_link_get_bucket (link),
                                        pg_link_get_page_key (link), cancellable,
                                        page_deleted_cb, g_steal_pointer (&task));
      return;
    }

  if (pg_link_is_revoked_alone (link))
    {
      pg_link_copy_remove_async (manager, pg_link_get_bucket (link), pg_link_get_id (link),
                                 pg_link_get_copy_of (link) ? pg_link_get_key (link) : NULL,
                                 cancellable, record_deleted_cb, g_steal_pointer (&task));
      return;
    }

  /* A plain link's record only says it existed: it goes when it can, the link in any case. */
  pg_link_copy_remove_async (manager, pg_link_get_bucket (link), pg_link_get_id (link), NULL,
                             NULL, NULL, NULL);

  if (pg_link_store_remove (_pg_link_service_get_store (self), link))
    pg_link_service_save (self);
  g_task_return_boolean (task, TRUE);
}

gboolean
pg_link_service_remove_finish (PgLinkService  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Revoking from a URL ---------------------------------------------------------------- */

/* An upload page is small; anything much larger at its key is not one of ours. */
#define MAX_PAGE_BYTES (1024 * 1024)

typedef struct
{
  PgRevoker      *revoker;
  char           *bucket;
  char           *key;
  PgPolicyAction  action;
  gboolean        revoke;
} UrlJob;

static void
url_job_free (UrlJob *data)
{
  g_object_unref (data->revoker);
  g_free (data->bucket);
  g_free (data->key);
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

/**
 * pg_link_service_revoke_url_async:
 * @url: a link as the partner received it
 * @action: what a plain link is for (a URL does not say whether it downloads or uploads)
 * @revoke: %TRUE to revoke, %FALSE to lift the revocation
 *
 * Revokes what @url gives access to, from the URL alone: for an upload page, the page and every
 * upload in it (read from the page in the bucket); for any other link, its object for @action,
 * which closes the signer's other links to it too. The URL must be signed by the revoker's
 * signer, for the revoker's server.
 *
 * pg_link_service_revoke_url_finish() returns the job, queued; follow it as any other.
 */
void
pg_link_service_revoke_url_async (PgLinkService       *self,
                                  PgRevoker           *revoker,
                                  const char          *url,
                                  PgPolicyAction       action,
                                  gboolean             revoke,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(PgPresignedUrl) link = NULL;
  g_autoptr(PgPresignedUrl) ours = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *our_url = NULL;
  PgS3Client *manager = pg_revoker_get_manager (revoker);
  const char *signer_key = pg_credentials_get_access_key_id (pg_revoker_get_signer (revoker));
  UrlJob *data;

  g_task_set_source_tag (task, pg_link_service_revoke_url_async);

  if (!(link = pg_presigned_url_parse (url, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_strcmp0 (pg_presigned_url_get_access_key_id (link), signer_key) != 0)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("This link was signed with the key %s, not with the signing "
                                 "key %s. Nothing was changed."),
                               pg_presigned_url_get_access_key_id (link), signer_key);
      return;
    }

  /* The same object on this server would be reached at the same host: otherwise the link is
   * for another server, and revoking here would prove nothing about it. */
  {
    PgPresignOptions options = {
      .method = PG_METHOD_GET,
      .bucket = pg_presigned_url_get_bucket (link),
      .key = pg_presigned_url_get_key (link),
      .expires = 60,
    };

    our_url = pg_presign_url (pg_s3_client_get_endpoint (manager), pg_revoker_get_signer (revoker),
                              &options, &error);
    if (our_url == NULL || !(ours = pg_presigned_url_parse (our_url, &error)))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
    if (g_ascii_strcasecmp (pg_presigned_url_get_host (link),
                            pg_presigned_url_get_host (ours)) != 0
        || g_strcmp0 (pg_presigned_url_get_scheme (link), pg_presigned_url_get_scheme (ours)) != 0)
      {
        g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                                 _("This link is for %s, not for the server given (%s). Nothing "
                                   "was changed."),
                                 pg_presigned_url_get_host (link),
                                 pg_presigned_url_get_host (ours));
        return;
      }
  }

  data = g_new0 (UrlJob, 1);
  data->revoker = g_object_ref (revoker);
  data->bucket = g_strdup (pg_presigned_url_get_bucket (link));
  data->key = g_strdup (pg_presigned_url_get_key (link));
  data->action = action;
  data->revoke = revoke;
  g_task_set_task_data (task, data, (GDestroyNotify) url_job_free);

  if (pg_upload_page_is_page_key (data->key))
    {
      pg_s3_client_get_object_async (manager, data->bucket, data->key, MAX_PAGE_BYTES,
                                     cancellable, page_read_cb, g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task,
                         pg_link_service_revoke_object (self, revoker, data->bucket, data->key,
                                                        action, revoke),
                         g_object_unref);
}

/* Returns: (transfer full): the job, queued */
PgLinkJob *
pg_link_service_revoke_url_finish (PgLinkService  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
