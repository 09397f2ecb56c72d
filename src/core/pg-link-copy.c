/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-copy"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link.h"
#include "pg-link-copy.h"
#include "pg-link-session.h"
#include "pg-xml.h"

/* A private copy per link: the file is copied on the server to a key of the link's own, and the
 * link points at the copy. Revoking the link denies the copy alone, so every other link to the
 * file keeps working, however long the link lasts (a signing session lasts at most 12 hours).
 * Removing the link deletes its copy; a lifecycle rule of the bucket deletes copies left
 * behind. The copy costs storage for its lifetime, hence the size limit. */

/**
 * pg_link_precision_best:
 * @has_signing_role: whether the account names a signing role
 * @federation: whether the server gives federated sessions (AWS: up to 36 hours)
 * @lifetime: the link's lifetime, in seconds
 * @size: the file's size, -1 when not known yet
 * @copy_limit: the largest file copied for a link (the preferences), 0 for never
 *
 * The most precise way a download link can be revoked: in a session of its own when the
 * account has a signing role and the lifetime fits a session (12 hours; 36 on AWS), else through a
 * private copy when the file is small enough, else with its file.
 */
PgLinkPrecision
pg_link_precision_best (gboolean has_signing_role,
                        gboolean federation,
                        guint    lifetime,
                        gint64   size,
                        guint64  copy_limit)
{
  if (has_signing_role
      && lifetime <= (federation ? PG_LINK_FEDERATION_MAX_SECONDS : PG_LINK_SESSION_MAX_SECONDS))
    return PG_LINK_PRECISION_SESSION;
  if (copy_limit > 0 && (size < 0 || (guint64) size <= copy_limit))
    return PG_LINK_PRECISION_COPY;

  return PG_LINK_PRECISION_OBJECT;
}

/**
 * pg_link_copy_key:
 *
 * The key of a link's private copy of @key: ".presign-guard/copies/<link id>/<file name>", so
 * a download keeps the file's name.
 */
char *
pg_link_copy_key (const char *link_id,
                  const char *key)
{
  return g_strconcat (PG_LINK_COPY_PREFIX, link_id, "/", pg_link_key_basename (key), NULL);
}

/**
 * pg_link_copy_is_copy_key:
 * @link_id: (nullable): the link whose copy it must be, %NULL for any link's
 *
 * Whether @key is a private copy of ours: ".presign-guard/copies/<link id>/<file name>".
 */
gboolean
pg_link_copy_is_copy_key (const char *key,
                          const char *link_id)
{
  const char *rest;
  const char *slash;

  if (key == NULL || !g_str_has_prefix (key, PG_LINK_COPY_PREFIX))
    return FALSE;

  rest = key + strlen (PG_LINK_COPY_PREFIX);
  slash = strchr (rest, '/');
  if (slash == NULL || slash == rest || slash[1] == '\0' || strchr (slash + 1, '/') != NULL)
    return FALSE;

  return link_id == NULL || (strlen (link_id) == (gsize) (slash - rest)
                             && strncmp (rest, link_id, slash - rest) == 0);
}

/**
 * pg_link_copy_lifecycle:
 * @current: (nullable): the bucket's lifecycle rules as the server gave them, %NULL for none
 *
 * The bucket's lifecycle rules with ours added: copies under the prefix expire after
 * PG_LINK_COPY_DAYS days, and unfinished copies in parts are aborted after a day. Every rule
 * already there is kept as it was written (the text is not rewritten, only added to).
 *
 * Returns: the new document, or %NULL without an error when our rule is there already
 */
char *
pg_link_copy_lifecycle (const char  *current,
                        GError     **error)
{
  g_autoptr(PgXmlNode) xml = NULL;
  static const char rule[] =
    "<Rule><ID>" PG_LINK_COPY_RULE_ID "</ID>"
    "<Filter><Prefix>" PG_LINK_COPY_PREFIX "</Prefix></Filter>"
    "<Status>Enabled</Status>"
    "<Expiration><Days>" G_STRINGIFY (PG_LINK_COPY_DAYS) "</Days></Expiration>"
    "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
    "</AbortIncompleteMultipartUpload></Rule>";
  const char *end;

  if (current == NULL || *current == '\0')
    return g_strconcat ("<LifecycleConfiguration "
                        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
                        rule, "</LifecycleConfiguration>", NULL);

  xml = pg_xml_parse (current, strlen (current), NULL);
  end = g_strrstr (current, "</LifecycleConfiguration>");
  if (xml == NULL || !g_str_equal (xml->name, "LifecycleConfiguration") || end == NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                           _("The bucket’s lifecycle rules could not be read, so none was "
                             "added and nothing was copied."));
      return NULL;
    }

  for (guint i = 0; i < xml->children->len; i++)
    {
      PgXmlNode *child = g_ptr_array_index (xml->children, i);

      if (g_str_equal (child->name, "Rule")
          && g_strcmp0 (pg_xml_child_text (child, "ID"), PG_LINK_COPY_RULE_ID) == 0)
        return NULL;
    }

  return g_strdup_printf ("%.*s%s%s", (int) (end - current), current, rule, end);
}

/* ---- Signing ---------------------------------------------------------------------------- */

typedef struct
{
  PgS3Client       *manager;
  PgCredentials    *signer;
  char             *bucket;
  char             *key;
  char             *content_type;
  char             *filename;
  PgPresignOptions  options;
  guint64           max_bytes;
  PgS3Object       *original;
  PgLinkRecord     *record;
  char             *url;
  GError           *pending_error;
} Copying;

static void
copying_free (Copying *copying)
{
  g_object_unref (copying->manager);
  pg_credentials_unref (copying->signer);
  g_free (copying->bucket);
  g_free (copying->key);
  g_free (copying->content_type);
  g_free (copying->filename);
  g_clear_pointer (&copying->original, pg_s3_object_free);
  pg_link_record_free (copying->record);
  g_free (copying->url);
  g_clear_error (&copying->pending_error);
  g_free (copying);
}

static void
copy_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Copying *copying = g_task_get_task_data (task);

  /* Whether or not the copy went, the link failed for its own reason (and the lifecycle rule
   * deletes a copy left behind). */
  pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, NULL);
  g_task_return_error (task, g_steal_pointer (&copying->pending_error));
}

static void
record_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Copying *copying = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_link_record_save_finish (result, &error))
    {
      g_prefix_error (&error, "%s ", _("The link’s record could not be written to the bucket, so "
                                       "it could not be revoked alone: the link is not given."));
      copying->pending_error = g_steal_pointer (&error);
      pg_s3_client_delete_object_async (copying->manager, copying->bucket,
                                        copying->record->copy_key, NULL, copy_deleted_cb,
                                        g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_strdup (copying->url), g_free);
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Copying *copying = g_task_get_task_data (task);
  PgLinkRecord *record = copying->record;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!pg_s3_client_copy_object_sized_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, "%s ", _("The file could not be copied for the link."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (copying->options.signing_time == 0)
    copying->options.signing_time = pg_s3_client_get_now (copying->manager);
  copying->options.clock_offset = 0;
  copying->options.key = record->copy_key;
  copying->url = pg_presign_url (pg_s3_client_get_endpoint (copying->manager), copying->signer,
                                 &copying->options, &error);
  if (copying->url == NULL)
    {
      copying->pending_error = g_steal_pointer (&error);
      pg_s3_client_delete_object_async (copying->manager, copying->bucket, record->copy_key,
                                        NULL, copy_deleted_cb, g_steal_pointer (&task));
      return;
    }

  record->created = copying->options.signing_time;
  record->expires = copying->options.signing_time + copying->options.expires;
  record->digest = pg_link_digest_of_url (copying->url);
  cancellable = g_task_get_cancellable (task);
  pg_link_record_save_async (record, copying->manager, cancellable, record_saved_cb,
                             g_steal_pointer (&task));
}

static void
start_copy (GTask *task)
{
  Copying *copying = g_task_get_task_data (task);

  pg_s3_client_copy_object_sized_async (copying->manager, copying->bucket, copying->key,
                                        copying->record->copy_key, copying->original->size,
                                        copying->original->content_type,
                                        g_task_get_cancellable (task), copied_cb, task);
}

static void
lifecycle_set_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_put_bucket_lifecycle_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_prefix_error (&error, "%s ", _("The bucket’s rule that deletes old copies could not be "
                                       "set, so nothing was copied."));
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  start_copy (task);
}

static void
lifecycle_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  Copying *copying = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *current = NULL;
  g_autofree char *lifecycle = NULL;

  if (!pg_s3_client_get_bucket_lifecycle_finish (PG_S3_CLIENT (source), result, &current,
                                                 &error))
    {
      g_prefix_error (&error, "%s ", _("The bucket’s lifecycle rules could not be read, so "
                                       "nothing was copied."));
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  lifecycle = pg_link_copy_lifecycle (current, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (lifecycle == NULL)
    {
      start_copy (task);
      return;
    }

  pg_s3_client_put_bucket_lifecycle_async (copying->manager, copying->bucket, lifecycle,
                                           g_task_get_cancellable (task), lifecycle_set_cb,
                                           task);
}

static void
original_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Copying *copying = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  copying->original = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result, &error);
  if (copying->original == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (copying->max_bytes > 0 && copying->original->size > copying->max_bytes)
    {
      g_autofree char *size = g_format_size (copying->original->size);
      g_autofree char *limit = g_format_size (copying->max_bytes);

      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("“%s” is %s, more than the %s copied for a link. Make a plain "
                                 "link (revoking it closes every link to the file), or raise "
                                 "the limit in the preferences."),
                               copying->key, size, limit);
      g_object_unref (task);
      return;
    }

  pg_s3_client_get_bucket_lifecycle_async (copying->manager, copying->bucket,
                                           g_task_get_cancellable (task), lifecycle_read_cb,
                                           task);
}

/**
 * pg_link_copy_sign_async:
 * @manager: a client with the managing key: it copies, sets the lifecycle rule, writes the
 *   record
 * @signer: a client with the signing key, which signs the link
 * @link_id: (nullable): the link's id, when it has one already
 * @max_bytes: the largest file copied, 0 for any
 *
 * Makes a download link to a private copy of the file: the bucket's lifecycle rule for copies
 * set (once), the file copied on the server, the link signed for the copy and its record
 * written. pg_link_copy_sign_finish() gives the URL once the record is in the bucket; on any
 * failure the copy is deleted again.
 */
void
pg_link_copy_sign_async (PgS3Client             *manager,
                         PgS3Client             *signer,
                         const char             *link_id,
                         const PgPresignOptions *options,
                         guint64                 max_bytes,
                         GCancellable           *cancellable,
                         GAsyncReadyCallback     callback,
                         gpointer                user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Copying *copying;
  PgLinkRecord *record;

  g_task_set_source_tag (task, pg_link_copy_sign_async);

  if (options->method != PG_METHOD_GET)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("Only download links get a private copy: an upload link has a "
                                 "file name of its own, and revoking it never closes another."));
      g_object_unref (task);
      return;
    }

  copying = g_new0 (Copying, 1);
  copying->manager = g_object_ref (manager);
  copying->signer = pg_credentials_ref (pg_s3_client_get_credentials (signer));
  copying->max_bytes = max_bytes;
  copying->options = *options;
  copying->options.bucket = copying->bucket = g_strdup (options->bucket);
  copying->key = g_strdup (options->key);
  copying->options.content_type = copying->content_type = g_strdup (options->content_type);
  copying->options.filename = copying->filename = g_strdup (options->filename);
  copying->options.content_md5 = NULL;
  g_task_set_task_data (task, copying, (GDestroyNotify) copying_free);

  record = copying->record = pg_link_record_new ();
  record->id = link_id != NULL ? g_strdup (link_id) : g_uuid_string_random ();
  record->bucket = g_strdup (options->bucket);
  record->key = g_strdup (options->key);
  record->action = g_strdup ("get");
  record->precision = PG_LINK_PRECISION_COPY;
  record->copy_key = pg_link_copy_key (record->id, options->key);
  record->access_key_id = g_strdup (pg_credentials_get_access_key_id (copying->signer));
  record->creator = g_strdup (record->access_key_id);

  pg_s3_client_head_object_async (manager, options->bucket, options->key, cancellable,
                                  original_cb, task);
}

/**
 * pg_link_copy_sign_finish:
 * @record: (out) (optional) (transfer full): the link's record, with its copy's key
 *
 * Returns: the link's URL, to the copy, signed at the record's creation time
 */
char *
pg_link_copy_sign_finish (GAsyncResult  *result,
                          PgLinkRecord **record,
                          GError       **error)
{
  char *url = g_task_propagate_pointer (G_TASK (result), error);
  Copying *copying = g_task_get_task_data (G_TASK (result));

  if (record != NULL)
    *record = url != NULL ? g_steal_pointer (&copying->record) : NULL;

  return url;
}

/* ---- Removing --------------------------------------------------------------------------- */

typedef struct
{
  PgS3Client *manager;
  char       *bucket;
  char       *record_key;
  char       *index_key;   /* nullable */
} Removal;

static void
removal_free (Removal *removal)
{
  g_object_unref (removal->manager);
  g_free (removal->bucket);
  g_free (removal->record_key);
  g_free (removal->index_key);
  g_free (removal);
}

static gboolean
deleted (GObject       *source,
         GAsyncResult  *result,
         GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  /* Gone already is gone. */
  if (pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &local_error)
      || g_error_matches (local_error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static void
record_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!deleted (source, result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Then the index entry (when it has one), then the record, last: what is left after a failure
 * still names all there is to remove. */
static void
copy_removed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Removal *removal = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *index_key = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (result != NULL && !deleted (source, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((index_key = g_steal_pointer (&removal->index_key)) != NULL)
    pg_s3_client_delete_object_async (removal->manager, removal->bucket, index_key, cancellable,
                                      copy_removed_cb, g_steal_pointer (&task));
  else
    pg_s3_client_delete_object_async (removal->manager, removal->bucket, removal->record_key,
                                      cancellable, record_deleted_cb, g_steal_pointer (&task));
}

/**
 * pg_link_copy_remove_async:
 * @copy_key: (nullable): the link's private copy, when it has one
 * @digest: (nullable): the link's fingerprint, when it has one (its index entry)
 *
 * Deletes a removed link's private copy (its link stops working), its index entry and then its
 * record.
 */
void
pg_link_copy_remove_async (PgS3Client          *manager,
                           const char          *bucket,
                           const char          *link_id,
                           const char          *copy_key,
                           const char          *digest,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Removal *removal;

  g_task_set_source_tag (task, pg_link_copy_remove_async);

  /* Whatever a record says, only the link's own record and its own copy are deleted. */
  if (!pg_link_id_is_valid (link_id)
      || (copy_key != NULL && !pg_link_copy_is_copy_key (copy_key, link_id)))
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("The record of link “%s” names “%s”, outside the link’s own "
                                 "folder: nothing was deleted."),
                               link_id ? link_id : "", copy_key ? copy_key : "");
      g_object_unref (task);
      return;
    }

  removal = g_new0 (Removal, 1);
  removal->manager = g_object_ref (manager);
  removal->bucket = g_strdup (bucket);
  removal->record_key = pg_link_record_object_key (link_id);
  if (pg_link_digest_is_valid (digest))
    removal->index_key = pg_link_record_index_key (digest);
  g_task_set_task_data (task, removal, (GDestroyNotify) removal_free);

  if (copy_key == NULL)
    copy_removed_cb (NULL, NULL, task);
  else
    pg_s3_client_delete_object_async (manager, bucket, copy_key, cancellable, copy_removed_cb,
                                      task);
}

gboolean
pg_link_copy_remove_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
