/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-record.h"
#include "pg-link-service-private.h"
#include "pg-link-session.h"
#include "pg-upload-page.h"

/* Making links, of every kind, and arming them: the link service's part that writes what other
 * computers, the command line and watchers read of a link — its record in the bucket
 * (.presign-guard/links/<id>.json). A link is remembered as soon as it works; its record
 * follows. A record that cannot be written leaves the link working but unknown elsewhere: the
 * service says so ("link-problem"), and an armed link is disarmed, for no watcher would know to
 * close it and the list must not promise a closing nobody performs. */

/* ---- Records ------------------------------------------------------------------------------ */

typedef struct
{
  PgLinkService    *service;
  PgAccountContext *context;
  PgLink           *link;
} RecordWrite;

static void
record_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RecordWrite *write = user_data;
  g_autoptr(PgLinkService) self = write->service;
  g_autoptr(PgAccountContext) context = write->context;
  g_autoptr(PgLink) link = write->link;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean again;

  g_free (write);
  self->records_writing--;
  again = GPOINTER_TO_INT (g_hash_table_lookup (self->records_again, pg_link_get_id (link)));
  g_hash_table_remove (self->records_again, pg_link_get_id (link));
  /* Changed meanwhile (armed, then disarmed): the record is written as the link is now. */
  if (again)
    {
      _pg_link_service_write_record (self, context, link);
      return;
    }
  _pg_link_service_update_busy (self);
  if (pg_link_record_save_finish (result, &error))
    return;

  if (pg_link_get_arming (link) == PG_LINK_ARMING_NONE)
    {
      message = g_strdup (_("The link works, but its record could not be written to the "
                            "bucket, so other computers do not see it."));
    }
  else
    {
      pg_link_set_arming (link, PG_LINK_ARMING_NONE, 0);
      pg_link_service_save (self);
      message = g_strdup_printf (_("The link to “%s” works, but its record could not be "
                                   "written to the bucket (%s). Choose “Closes after first "
                                   "use” again in its details."),
                                 pg_link_get_file_key (link), error->message);
    }
  g_signal_emit (self, _pg_link_service_signals [PG_LINK_SERVICE_LINK_PROBLEM], 0, link,
                 message);
}

/* Writes @link's record, as the link is now, into its bucket with the managing key: one write
 * of a link's record at a time, so that the last state is the one that stays. */
void
_pg_link_service_write_record (PgLinkService    *self,
                               PgAccountContext *context,
                               PgLink           *link)
{
  g_autoptr(PgLinkRecord) record = NULL;
  RecordWrite *write;

  if (g_hash_table_contains (self->records_again, pg_link_get_id (link)))
    {
      g_hash_table_replace (self->records_again, g_strdup (pg_link_get_id (link)),
                            GINT_TO_POINTER (TRUE));
      return;
    }

  g_hash_table_replace (self->records_again, g_strdup (pg_link_get_id (link)),
                        GINT_TO_POINTER (FALSE));
  record = pg_link_record_new_for_link (link);
  write = g_new0 (RecordWrite, 1);
  write->service = g_object_ref (self);
  write->context = g_object_ref (context);
  write->link = g_object_ref (link);
  self->records_writing++;
  _pg_link_service_update_busy (self);
  pg_link_record_save_async (record, pg_account_context_get_manager (context), NULL,
                             record_written_cb, write);
}

/**
 * pg_link_service_arm:
 * @arming: whether the link closes itself after its first use (%PG_LINK_ARMING_NONE disarms)
 * @grace: for a download link, the seconds between its first use and its closing
 *
 * Arms (or disarms) @link: the link and its record in the bucket say so, for every watcher.
 * A record that cannot be written disarms it again ("link-problem" says so).
 */
void
pg_link_service_arm (PgLinkService    *self,
                     PgAccountContext *context,
                     PgLink           *link,
                     PgLinkArming      arming,
                     gint64            grace)
{
  if (arming != PG_LINK_ARMING_NONE)
    arming = pg_link_is_upload (link) ? PG_LINK_ARMING_UPLOAD : PG_LINK_ARMING_DOWNLOAD;
  pg_link_set_arming (link, arming, arming == PG_LINK_ARMING_DOWNLOAD ? MAX (grace, 0) : 0);
  pg_link_service_save (self);
  _pg_link_service_write_record (self, context, link);
  /* Watched at once, not at the next regular look. */
  _pg_link_service_watch_changed (self);
}

/* ---- Links ------------------------------------------------------------------------------- */

typedef struct
{
  PgAccountContext *context;
  char             *id;
  char             *bucket;
  char             *key;
  char             *filename;
  char             *content_type;
  PgPresignOptions  options;
  PgLinkArming      arming;
  gint64            grace;
  guint             uses;
  guint64           size;
  char             *label;
} Creation;

static void
creation_free (Creation *data)
{
  g_object_unref (data->context);
  g_free (data->id);
  g_free (data->bucket);
  g_free (data->key);
  g_free (data->filename);
  g_free (data->content_type);
  g_free (data->label);
  g_free (data);
}

static Creation *
creation_new (PgAccountContext    *context,
              const PgLinkRequest *request)
{
  Creation *data = g_new0 (Creation, 1);
  const PgPresignOptions *options = request->options;

  data->context = g_object_ref (context);
  data->id = g_uuid_string_random ();
  data->options = *options;
  data->options.bucket = data->bucket = g_strdup (options->bucket);
  data->options.key = data->key = g_strdup (options->key);
  data->options.filename = data->filename = g_strdup (options->filename);
  /* An upload is stored as data unless a type was asked for: never shown as a page. */
  data->options.content_type = data->content_type
    = g_strdup (options->content_type == NULL && options->method == PG_METHOD_PUT
                ? PG_UPLOAD_CONTENT_TYPE : options->content_type);
  data->options.content_md5 = NULL;
  data->arming = request->arming;
  data->grace = request->grace;
  data->uses = request->uses;
  data->size = request->size;
  data->label = g_strdup (request->label);

  return data;
}

/* The link made by a task of ours: remembered, armed as asked, recorded, returned. Links signed
 * in a session or pointing at a copy were recorded already with it: written again only when
 * armed. */
static void
remember (GTask    *task,
          PgLink   *link,
          gboolean  recorded)
{
  PgLinkService *self = g_task_get_source_object (task);
  Creation *data = g_task_get_task_data (task);

  pg_link_set_label (link, data->label);
  if (data->arming != PG_LINK_ARMING_NONE)
    pg_link_set_arming (link, pg_link_is_upload (link) ? PG_LINK_ARMING_UPLOAD
                                                       : PG_LINK_ARMING_DOWNLOAD,
                        pg_link_is_upload (link) ? 0 : MAX (data->grace, 0));
  if (data->arming != PG_LINK_ARMING_NONE && !pg_link_is_upload (link))
    pg_link_set_uses (link, data->uses, data->size);
  _pg_link_service_add (self, link);
  if (!recorded || data->arming != PG_LINK_ARMING_NONE)
    _pg_link_service_write_record (self, data->context, link);
  g_task_return_pointer (task, g_object_ref (link), g_object_unref);
}

static void
session_link_signed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  Creation *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(PgAssumedRole) session = NULL;
  g_autofree char *url = pg_link_session_sign_finish (result, &record, &session, &error);
  g_autoptr(PgLink) link = NULL;

  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->options.signing_time = record->created;
  data->options.clock_offset = 0;
  link = pg_link_new_for_session (pg_account_context_get_account_id (data->context), data->id,
                                  &data->options, record->role_arn, record->session_name,
                                  session);
  pg_link_set_digest (link, record->digest);
  pg_link_service_set_link_credentials (self, data->id, session->credentials);
  g_signal_emit (self, _pg_link_service_signals [PG_LINK_SERVICE_SESSION_CHANGED], 0, link,
                 session->credentials);
  remember (task, link, TRUE);
}

static void
copy_link_signed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Creation *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLinkRecord) record = NULL;
  g_autofree char *url = pg_link_copy_sign_finish (result, &record, &error);
  g_autoptr(PgLink) link = NULL;

  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->options.signing_time = record->created;
  data->options.clock_offset = 0;
  data->options.key = record->copy_key;
  link = pg_link_new_for_copy (pg_account_context_get_account_id (data->context), data->id,
                               &data->options, record->access_key_id, record->key);
  pg_link_set_signer_arn (link, pg_account_context_get_signer_arn (data->context));
  pg_link_set_digest (link, record->digest);
  remember (task, link, TRUE);
}

/**
 * pg_link_service_create_async:
 * @context: the account the link is made for
 * @request: what link: its options, how exactly it can be revoked, whether it is armed
 *
 * Makes a link and remembers it; its record is written into the bucket, armed as asked (a
 * record that cannot be written: see "link-problem").
 *
 * - %PG_LINK_PRECISION_OBJECT: signed with the signing key, at once (signing checks
 *   everything the link is made of); a link to a revoked file is remembered dead on arrival.
 * - %PG_LINK_PRECISION_SESSION: a download link signed in a session of its own of the account's
 *   signing role (pg_link_session_sign_async()); its session's credentials are kept and
 *   announced ("session-changed"). Revoking it closes it alone.
 * - %PG_LINK_PRECISION_COPY: a download link to a private copy of the file
 *   (pg_link_copy_sign_async()). Revoking it closes it alone; removing it deletes the copy.
 *
 * @cancellable only tells that the caller has gone away: a link the server has started to make
 * (a session, a copy) is still made and remembered, and the task reports the cancellation.
 */
void
pg_link_service_create_async (PgLinkService       *self,
                              PgAccountContext    *context,
                              const PgLinkRequest *request,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Creation *data = creation_new (context, request);
  PgS3Client *manager = pg_account_context_get_manager (context);
  PgS3Client *signer = pg_account_context_get_signer_client (context);
  PgLinkPrecision precision = request->options->method == PG_METHOD_PUT
                              ? PG_LINK_PRECISION_OBJECT : request->precision;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *digest = NULL;
  g_autoptr(PgLink) link = NULL;

  g_task_set_source_tag (task, pg_link_service_create_async);
  g_task_set_task_data (task, data, (GDestroyNotify) creation_free);

  if (request->options->method == PG_METHOD_PUT
      && !pg_link_check_upload_target (pg_account_context_get_endpoint (context), request->options->key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  switch (precision)
    {
    case PG_LINK_PRECISION_SESSION:
      pg_link_session_sign_async (manager, signer, pg_account_context_get_signing_role (context),
                                  data->id, &data->options, NULL, session_link_signed_cb,
                                  g_steal_pointer (&task));
      return;

    case PG_LINK_PRECISION_COPY:
      pg_link_copy_sign_async (manager, signer, data->id, &data->options, request->copy_limit,
                               NULL, copy_link_signed_cb, g_steal_pointer (&task));
      return;

    case PG_LINK_PRECISION_OBJECT:
    default:
      break;
    }

  url = pg_presign_url (pg_account_context_get_endpoint (context),
                        pg_account_context_get_signer (context), &data->options, &error);
  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  link = pg_link_new (pg_account_context_get_account_id (context), &data->options,
                      pg_credentials_get_access_key_id (pg_account_context_get_signer (context)));
  pg_link_set_signer_arn (link, pg_account_context_get_signer_arn (context));
  digest = pg_link_digest_of_url (url);
  pg_link_set_digest (link, digest);
  if (request->shareable != PG_LINK_SHAREABLE)
    pg_link_set_state (link, PG_LINK_DEAD_ON_ARRIVAL);
  remember (task, link, FALSE);
}

/* Returns: (transfer full): the new link, remembered */
PgLink *
pg_link_service_create_finish (PgLinkService  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Upload pages ------------------------------------------------------------------------ */

static void
page_written_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  PgLink *link = g_task_get_task_data (task);
  PgAccountContext *context = g_object_get_data (G_OBJECT (task), "context");
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The page is in the bucket: the link is remembered even if the caller has gone away
   * meanwhile, so that it can be revoked and removed like any other. */
  _pg_link_service_add (self, link);
  _pg_link_service_write_record (self, context, link);
  g_task_return_pointer (task, g_object_ref (link), g_object_unref);
}

/**
 * pg_link_service_create_upload_page_async:
 *
 * Makes an upload page link in the account's bucket: @request->n_files strict single-use
 * uploads into a new folder under @request->folder, and the page that carries them, written
 * into the bucket (with the managing key) under %PG_UPLOAD_PAGE_PREFIX and signed with the
 * signing key. The link is remembered once the page is there, and recorded. Everything the page
 * is made of is checked before anything is sent.
 */
void
pg_link_service_create_upload_page_async (PgLinkService             *self,
                                          PgAccountContext          *context,
                                          const PgUploadPageRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PgS3Client *manager = pg_account_context_get_manager (context);
  PgEndpoint *endpoint = pg_account_context_get_endpoint (context);
  PgCredentials *signer = pg_account_context_get_signer (context);
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
    .bucket = pg_account_context_get_bucket (context),
    .expires = request->expires,
    .signing_time = now,
    .if_none_match = TRUE,
    .content_type = PG_UPLOAD_CONTENT_TYPE,
  };

  g_task_set_source_tag (task, pg_link_service_create_upload_page_async);
  g_object_set_data_full (G_OBJECT (task), "context", g_object_ref (context), g_object_unref);

  if (request->n_files < 1 || request->n_files > PG_UPLOAD_PAGE_MAX_FILES)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("An upload page takes 1 to %d files."),
                               PG_UPLOAD_PAGE_MAX_FILES);
      return;
    }

  if (!pg_link_check_upload_target (pg_account_context_get_endpoint (context), request->folder, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  keys = pg_link_make_upload_page_keys (request->folder, request->n_files, now_utc);
  options.key = keys[0];
  link = pg_link_new_upload_page (pg_account_context_get_account_id (context), &options,
                                  pg_credentials_get_access_key_id (signer),
                                  (const char * const *) keys);
  pg_link_set_signer_arn (link, pg_account_context_get_signer_arn (context));

  /* Signing checks the bucket, the keys and the lifetime; rendering checks the rest. */
  urls = pg_link_derive_upload_urls (link, endpoint, signer, &error);
  if (urls != NULL)
    page_url = pg_link_derive_url (link, endpoint, signer, &error);
  if (page_url != NULL)
    {
      g_autofree char *digest = pg_link_digest_of_url (page_url);

      pg_link_set_digest (link, digest);
      pg_link_set_label (link, request->label);
      content.folder = request->folder;
      content.note = request->note;
      content.label = pg_link_get_label (link);
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

  pg_s3_client_put_bytes_async (manager, options.bucket, pg_link_get_page_key (link), page,
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
