/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-activity.h"
#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-service-private.h"
#include "pg-link-session.h"
#include "pg-presigned-url.h"
#include "pg-upload-page.h"

/* Revoking what a pasted URL gives access to, when all there is is the URL (the command line's
 * revoke --url). What is denied comes from the URL itself — its bucket, its key, its access key
 * and whether it carries a session token — never from a record alone: records live in the
 * bucket, and a record that was edited must not steer a revocation to another file or another
 * link. A link with a session token was signed in a session of its own: only its record knows
 * the session's principal, so the record is used when it agrees with the URL in every point
 * (pg_link_service_record_disagrees()) and refused, named, when it does not. Any other link is
 * revoked with its object for the signing key — for an upload page, the page and every upload it
 * carries (the page in the bucket says which keys). pg_link_service_try_url_async() then tries
 * the pasted link itself, so that "verified" means that link now fails. */

/* ---- Revoking from a URL ---------------------------------------------------------------- */

/* An upload page is small; anything much larger at its key is not one of ours. */

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
  char             *disagreement;
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
  g_free (data->disagreement);
  g_free (data);
}

/**
 * pg_link_service_record_disagrees:
 * @record: the record found for @link
 * @link: the link as pasted
 *
 * Checks a link's record against the link itself: the same bucket, the same access key, the
 * same object (or private copy), a session of its own exactly when the link carries a session
 * token, a session named after the record, as links are made, and the link's own fingerprint.
 *
 * Returns: (transfer full) (nullable): what differs, in words; %NULL when the record agrees
 */
char *
pg_link_service_record_disagrees (const PgLinkRecord *record,
                                  PgPresignedUrl     *link)
{
  const char *key = pg_presigned_url_get_key (link);
  gboolean session = pg_presigned_url_has_session_token (link);
  g_autofree char *session_name = NULL;

  if (!pg_link_id_is_valid (record->id))
    return g_strdup (_("its id is not one of ours"));
  if (g_strcmp0 (record->bucket, pg_presigned_url_get_bucket (link)) != 0)
    return g_strdup_printf (_("it names the bucket “%s”, the link “%s”"),
                            record->bucket ? record->bucket : "",
                            pg_presigned_url_get_bucket (link));
  if (g_strcmp0 (record->access_key_id, pg_presigned_url_get_access_key_id (link)) != 0)
    return g_strdup_printf (_("it names the key %s, the link is signed with %s"),
                            record->access_key_id ? record->access_key_id : "",
                            pg_presigned_url_get_access_key_id (link));
  if (session != (record->precision == PG_LINK_PRECISION_SESSION))
    return g_strdup (session ? _("the link has a session of its own, the record says it has not")
                             : _("the record says the link has a session of its own, the link "
                                 "has none"));
  if (record->precision == PG_LINK_PRECISION_COPY
      ? g_strcmp0 (record->copy_key, key) != 0 || !pg_link_copy_is_copy_key (key, record->id)
      : g_strcmp0 (record->key, key) != 0 || pg_link_copy_is_copy_key (key, NULL))
    return g_strdup_printf (_("it names the file “%s”, the link “%s”"),
                            record->precision == PG_LINK_PRECISION_COPY && record->copy_key
                            ? record->copy_key : record->key ? record->key : "", key);
  if (session)
    {
      session_name = pg_link_session_name (record->id, record->session_arn != NULL
                                                      && strstr (record->session_arn,
                                                                 ":federated-user/") != NULL);
      if (g_strcmp0 (record->session_name, session_name) != 0 || record->session_arn == NULL
          || !g_str_has_suffix (record->session_arn, session_name)
          || record->session_arn[strlen (record->session_arn) - strlen (session_name) - 1] != '/')
        return g_strdup_printf (_("its session “%s” is not the link’s own (%s)"),
                                record->session_arn ? record->session_arn : "", session_name);
    }

  /* Whatever else it copies, a record written for another link carries that link's
   * fingerprint (one without any is a record from before fingerprints). */
  if (record->digest != NULL
      && g_strcmp0 (record->digest, pg_presigned_url_get_digest (link)) != 0)
    return g_strdup (_("it was written for another link: its fingerprint differs"));

  return NULL;
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
      pg_s3_client_get_object_async (manager, data->bucket, data->key, PG_UPLOAD_PAGE_MAX_BYTES,
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
  g_autofree char *differs = NULL;

  if (!pg_link_record_lookup_finish (result, &data->record, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A record that does not describe the pasted link is named, and not used. */
  if (data->record != NULL && (differs = pg_link_service_record_disagrees (data->record,
                                                                          data->link)))
    {
      data->disagreement = g_strdup_printf (_("The record of link “%s” in the bucket does not "
                                              "describe this link (%s), so it is not used."),
                                            data->record->id, differs);
      g_clear_pointer (&data->record, pg_link_record_free);
    }

  if (!pg_presigned_url_has_session_token (data->link))
    {
      revoke_object (task);
      return;
    }

  /* Signed in a session of its own: only the record knows the session's principal. */
  if (data->record == NULL)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT, "%s%s%s",
                               data->disagreement ? data->disagreement : "",
                               data->disagreement ? " " : "",
                               _("This link was signed in a session of its own, and no record "
                                 "in the bucket describes that session. Nothing was changed."));
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
 * Revokes what @url gives access to, from the URL itself: a link signed in a session of its
 * own, that session alone (named by the link's record, used only when it agrees with the URL);
 * an upload page, the page and every upload in it (read from the page in the bucket); a private
 * copy, the copy; any other link, its object for @action, which closes the signer's other links
 * to it too. A link revoked with its object must be signed by the account's signing key, for
 * the account's server.
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
 * @record: (out) (optional) (transfer full) (nullable): the link's record, when it has one that
 *   agrees with the link
 * @disagreement: (out) (optional) (transfer full) (nullable): why the record found for the link
 *   was not used, in words; %NULL when there was none or it agreed
 *
 * Returns: (transfer full): the job, queued
 */
PgLinkJob *
pg_link_service_revoke_url_finish (PgLinkService  *self,
                                   GAsyncResult   *result,
                                   PgLinkRecord  **record,
                                   char          **disagreement,
                                   GError        **error)
{
  UrlJob *data = g_task_get_task_data (G_TASK (result));

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (record != NULL)
    *record = data != NULL ? g_steal_pointer (&data->record) : NULL;
  if (disagreement != NULL)
    *disagreement = data != NULL ? g_steal_pointer (&data->disagreement) : NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Trying the pasted link --------------------------------------------------------------- */

#define TRY_URL_TIMES 5

typedef struct
{
  PgS3Client *manager;
  char       *url;
  char       *etag;
  guint       tries;
} UrlTry;

static void
url_try_free (UrlTry *attempt)
{
  g_object_unref (attempt->manager);
  g_free (attempt->url);
  g_free (attempt->etag);
  g_free (attempt);
}

static void try_once (GTask *task);

static gboolean
try_again_cb (gpointer user_data)
{
  try_once (user_data);

  return G_SOURCE_REMOVE;
}

static void
tried_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  UrlTry *attempt = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  guint status = pg_s3_client_fetch_url_finish (PG_S3_CLIENT (source), result, &code, &error);

  if (status == 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (status == 403 && g_strcmp0 (code, "AccessDenied") == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* 304 (the file is there, not sent), 404 (it is gone) or a success: the link itself is still
   * accepted. A change of policy can take a moment to reach every server: a few tries. */
  if (status < 400 || status == 404 || status == 412)
    {
      if (++attempt->tries < TRY_URL_TIMES)
        {
          g_timeout_add_seconds (1, try_again_cb, task);
          return;
        }
      g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      return;
    }

  g_task_return_new_error (task, PG_ERROR, PG_ERROR_FAILED,
                           _("The link itself could not be tried: the server answered %u %s."),
                           status, code ? code : "");
  g_object_unref (task);
}

static void
try_once (GTask *task)
{
  UrlTry *attempt = g_task_get_task_data (task);
  /* Said to be ours: the link's activity shows it as our check, not as a partner's try. */
  const char *headers[] = { "User-Agent", PG_ACTIVITY_CHECK_AGENT, "If-None-Match", attempt->etag,
                            NULL };

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  pg_s3_client_fetch_url_async (attempt->manager, "GET", attempt->url, headers, NULL,
                                g_task_get_cancellable (task), tried_cb, task);
}

static void
etag_known_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  UrlTry *attempt = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  &error);

  if (object == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  attempt->etag = object != NULL && object->etag != NULL
                  ? g_strdup_printf ("\"%s\"", object->etag) : NULL;
  try_once (task);
}

/**
 * pg_link_service_try_url_async:
 * @url: a download link, as its partner received it
 *
 * Tries the link itself, without downloading anything: a GET that asks for the file only if it
 * changed since the version the bucket holds now (If-None-Match with its ETag), so that a working
 * link is answered "not modified" and no use of the file is logged. A link that works is tried
 * again for a few seconds, while a new policy reaches every server.
 * pg_link_service_try_url_finish() says whether the server refuses it.
 */
void
pg_link_service_try_url_async (PgLinkService       *self,
                               PgAccountContext    *context,
                               const char          *url,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(PgPresignedUrl) link = NULL;
  GError *error = NULL;
  UrlTry *attempt;

  g_task_set_source_tag (task, pg_link_service_try_url_async);
  if (!(link = pg_presigned_url_parse (url, &error)))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  attempt = g_new0 (UrlTry, 1);
  attempt->manager = g_object_ref (pg_account_context_get_manager (context));
  attempt->url = g_strdup (url);
  g_task_set_task_data (task, attempt, (GDestroyNotify) url_try_free);
  pg_s3_client_head_object_async (attempt->manager, pg_presigned_url_get_bucket (link),
                                  pg_presigned_url_get_key (link), cancellable, etag_known_cb,
                                  task);
}

/* Returns: %TRUE when the server refuses the link (AccessDenied), %FALSE when it still accepts
 * it, or %FALSE with @error set when it could not be tried */
gboolean
pg_link_service_try_url_finish (PgLinkService  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
