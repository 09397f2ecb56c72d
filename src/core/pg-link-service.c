/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-job-private.h"
#include "pg-link-copy.h"
#include "pg-link-session.h"
#include "pg-link-service-private.h"
#include "pg-received.h"

/* The life of links, in one place: the remembered links (the store) and everything that
 * changes them — making links of every kind and arming them (pg-link-service-create.c), the jobs
 * that change what links can do or that feed the bucket (pg-link-service-jobs.c), revoking from
 * a pasted URL (pg-link-service-url.c), and the app's own watcher that closes armed links
 * (pg-link-service-watch.c). The window, the dialogs, the command line and the always-on watcher
 * all act through it, with an account context (pg-account-context.c) that says who acts.
 *
 * Windows come and go; the work does not go with them. A view asks for a job and listens to the
 * service's signals and to its links' properties; a running job holds the service, never a
 * widget, so closing a window never leaves a callback touching a widget, and a policy write that
 * has begun is carried to its end (the application stays up while the service is busy). Policy
 * jobs run one at a time, in the order asked (a revoke, then its Undo); transfers run one at a
 * time beside them. Saves of the link list are coalesced and kept in order.
 *
 * A revocation closes every link that shares the revoked link's fate (same object, same action,
 * same signer; see pg_link_shares_fate()): all of them turn Revoked, and back on Undo. */

/* ---- The service ------------------------------------------------------------------------- */

G_DEFINE_FINAL_TYPE (PgLinkService, pg_link_service, G_TYPE_OBJECT)

GParamSpec *_pg_link_service_properties [PG_LINK_SERVICE_N_PROPS];
guint _pg_link_service_signals [PG_LINK_SERVICE_N_SIGNALS];

#define properties _pg_link_service_properties
#define signals _pg_link_service_signals

static void
pg_link_service_dispose (GObject *object)
{
  _pg_link_service_watch_dispose (PG_LINK_SERVICE (object));

  G_OBJECT_CLASS (pg_link_service_parent_class)->dispose (object);
}

static void
pg_link_service_finalize (GObject *object)
{
  PgLinkService *self = PG_LINK_SERVICE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->link_credentials, g_hash_table_unref);
  g_clear_pointer (&self->received_checks, g_hash_table_unref);
  g_clear_pointer (&self->records_again, g_hash_table_unref);

  G_OBJECT_CLASS (pg_link_service_parent_class)->finalize (object);
}

static void
pg_link_service_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PgLinkService *self = PG_LINK_SERVICE (object);

  switch (prop_id)
    {
    case PG_LINK_SERVICE_PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PG_LINK_SERVICE_PROP_WATCH_MODE:
    case PG_LINK_SERVICE_PROP_WATCH_SEEN_AT:
    case PG_LINK_SERVICE_PROP_WATCH_PROBLEM:
      _pg_link_service_watch_get_property (self, prop_id, value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pg_link_service_class_init (PgLinkServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pg_link_service_dispose;
  object_class->finalize = pg_link_service_finalize;
  object_class->get_property = pg_link_service_get_property;

  /* Whether work is under way that must not be cut short (a policy change, an upload, a save of
   * the list): the application stays up meanwhile. */
  properties [PG_LINK_SERVICE_PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Who closes the armed links of the account watched (pg_link_service_watch()). */
  properties [PG_LINK_SERVICE_PROP_WATCH_MODE] =
    g_param_spec_enum ("watch-mode", NULL, NULL, PG_TYPE_LINK_WATCH_MODE, PG_LINK_WATCH_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* When an always-on watcher's heartbeat was last written (Unix time), 0 if never. */
  properties [PG_LINK_SERVICE_PROP_WATCH_SEEN_AT] =
    g_param_spec_int64 ("watch-seen-at", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* What the app's own watcher could not do lately (it tries again), in words; %NULL if all
   * went well since the last look. */
  properties [PG_LINK_SERVICE_PROP_WATCH_PROBLEM] =
    g_param_spec_string ("watch-problem", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, PG_LINK_SERVICE_N_PROPS, properties);

  signals [PG_LINK_SERVICE_JOB_STARTED] =
    g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  signals [PG_LINK_SERVICE_JOB_PROGRESS] =
    g_signal_new ("job-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  signals [PG_LINK_SERVICE_JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  /* The list of links could not be written; the message says why. */
  signals [PG_LINK_SERVICE_SAVE_FAILED] =
    g_signal_new ("save-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* (PgLink *link, const char *message): something about a link went wrong after it was made
   * (its record could not be written, so it was disarmed); the message is for the user. */
  signals [PG_LINK_SERVICE_LINK_PROBLEM] =
    g_signal_new ("link-problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK, G_TYPE_STRING);
  /* (PgLink *link, PgCredentials *session): a link's own signing session became known here
   * (made with the link), or was forgotten (%NULL: the link was removed). The app keeps it in
   * the keyring, so that the link's URL can be made again after a restart. */
  signals [PG_LINK_SERVICE_SESSION_CHANGED] =
    g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, PG_TYPE_LINK, PG_TYPE_CREDENTIALS);
  /* (PgLink *link): an armed link was used and closed by a watcher, verified. */
  signals [PG_LINK_SERVICE_LINK_CLOSED_ITSELF] =
    g_signal_new ("link-closed-itself", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, PG_TYPE_LINK);
  /* (PgLink *link, guint n_new): files arrived through an upload link or page (the link's
   * "n-received" says how many in all; pg_link_get_received() which). */
  signals [PG_LINK_SERVICE_FILES_RECEIVED] =
    g_signal_new ("files-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, PG_TYPE_LINK, G_TYPE_UINT);
  /* (PgLink *link, PgActivityEvent *event): a request made with the link that a watcher saw
   * since the service began watching its account (the link's "activity" holds them all). */
  signals [PG_LINK_SERVICE_LINK_ACTIVITY] =
    g_signal_new ("link-activity", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 2, PG_TYPE_LINK, PG_TYPE_ACTIVITY_EVENT);
}

static void
pg_link_service_init (PgLinkService *self)
{
  self->received_checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->records_again = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->link_credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) pg_credentials_unref);
}

/**
 * pg_link_service_new:
 * @file: (nullable): where the links are remembered; %NULL for a list in memory only
 */
PgLinkService *
pg_link_service_new (GFile *file)
{
  PgLinkService *self = g_object_new (PG_TYPE_LINK_SERVICE, NULL);

  self->store = pg_link_store_new (file);

  return self;
}

/* The remembered links, newest first: a #GListModel of #PgLink. */
GListModel *
pg_link_service_get_links (PgLinkService *self)
{
  return G_LIST_MODEL (self->store);
}

gboolean
pg_link_service_get_busy (PgLinkService *self)
{
  return self->busy;
}

void
_pg_link_service_update_busy (PgLinkService *self)
{
  gboolean busy = self->policy_running != NULL || self->upload_running != NULL
                  || !g_queue_is_empty (&self->policy_jobs)
                  || !g_queue_is_empty (&self->upload_jobs) || self->saving
                  || self->records_writing > 0;

  if (busy == self->busy)
    return;

  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PG_LINK_SERVICE_PROP_BUSY]);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_link_store_load_finish (PG_LINK_STORE (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* Reads the remembered links (in a worker thread). A damaged list is set aside, never lost;
 * the error says where it went. */
void
pg_link_service_load_async (PgLinkService       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_service_load_async);
  pg_link_store_load_async (self->store, cancellable, load_cb, task);
}

gboolean
pg_link_service_load_finish (PgLinkService  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Returns: (transfer none) (nullable): the link with this id. */
PgLink *
pg_link_service_find (PgLinkService *self,
                      const char    *id)
{
  GListModel *links = G_LIST_MODEL (self->store);

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (g_strcmp0 (pg_link_get_id (link), id) == 0)
        return link;
    }

  return NULL;
}

/* ---- Saving ------------------------------------------------------------------------------ */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PgLinkService) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_link_store_save_finish (PG_LINK_STORE (source), result, &error))
    g_signal_emit (self, signals [PG_LINK_SERVICE_SAVE_FAILED], 0, error->message);

  self->saving = FALSE;
  if (self->save_again)
    {
      self->save_again = FALSE;
      pg_link_service_save (self);
    }
  _pg_link_service_update_busy (self);
}

/**
 * pg_link_service_save:
 *
 * Writes the list of links soon. Asked again while a save is under way, one more save follows
 * it with everything up to then; saves never overtake each other.
 */
void
pg_link_service_save (PgLinkService *self)
{
  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }

  self->saving = TRUE;
  _pg_link_service_update_busy (self);
  pg_link_store_save_async (self->store, NULL, saved_cb, g_object_ref (self));
}

/* Remembers @link (newest first) and saves the list soon; a watch looks at it at once. */
void
_pg_link_service_add (PgLinkService *self,
                      PgLink        *link)
{
  pg_link_store_add (self->store, link);
  pg_link_service_save (self);
  _pg_link_service_watch_changed (self);
}

/* ---- Links ------------------------------------------------------------------------------- */

static gboolean
affected_by (PgLinkJobKind kind,
             PgLinkState   state)
{
  switch (kind)
    {
    case PG_LINK_JOB_REVOKE:
      return state == PG_LINK_ACTIVE || state == PG_LINK_USED
             || state == PG_LINK_REVOKE_UNVERIFIED;
    case PG_LINK_JOB_UNREVOKE:
      return state == PG_LINK_REVOKED || state == PG_LINK_REVOKE_UNVERIFIED
             || state == PG_LINK_DEAD_ON_ARRIVAL;
    case PG_LINK_JOB_LOCKDOWN:
    case PG_LINK_JOB_UPLOAD:
    case PG_LINK_JOB_DOWNLOAD:
    default:
      return FALSE;
    }
}

static gboolean
matches_any (PgLink     *link,
             const char *bucket,
             GArray     *targets,
             const char *access_key_id,
             const char *signer_arn)
{
  for (guint i = 0; i < targets->len; i++)
    {
      PgPolicyTarget *target = &g_array_index (targets, PgPolicyTarget, i);

      if (pg_link_matches (link, bucket, target->key, target->action == PG_POLICY_ACTION_PUT,
                           access_key_id, signer_arn))
        return TRUE;
    }

  return FALSE;
}

/* The remembered links a revocation (or its lifting) of these targets for this signer
 * changes. */
GPtrArray *
_pg_link_service_collect_affected (PgLinkService *self,
                                   PgLink        *first,
                                   PgLinkJobKind  kind,
                                   const char    *bucket,
                                   GArray        *targets,
                                   const char    *access_key_id,
                                   const char    *signer_arn)
{
  GListModel *links = G_LIST_MODEL (self->store);
  GPtrArray *affected = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (first != NULL)
    g_ptr_array_add (affected, g_object_ref (first));

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (link != first && affected_by (kind, pg_link_get_state_at (link, now))
          && matches_any (link, bucket, targets, access_key_id, signer_arn))
        g_ptr_array_add (affected, g_steal_pointer (&link));
    }

  return affected;
}

/**
 * pg_link_service_list_affected:
 * @kind: %PG_LINK_JOB_REVOKE or %PG_LINK_JOB_UNREVOKE
 *
 * Returns: (transfer full): @link and every other remembered link that revoking it (or lifting
 *   its revocation) would change: the same object, the same action, the same signer.
 */
GPtrArray *
pg_link_service_list_affected (PgLinkService *self,
                               PgLink        *link,
                               PgLinkJobKind  kind)
{
  g_autoptr(GArray) targets = pg_link_get_targets (link);

  return _pg_link_service_collect_affected (self, link, kind, pg_link_get_bucket (link), targets,
                           pg_link_get_access_key_id (link), pg_link_get_signer_arn (link));
}

/**
 * pg_link_service_count_file_links:
 *
 * Returns: how many working download links of the account to @key a revocation of the file
 *   would close (links revoked alone are not among them)
 */
guint
pg_link_service_count_file_links (PgLinkService *self,
                                  const char    *account_id,
                                  const char    *bucket,
                                  const char    *key)
{
  GListModel *links = G_LIST_MODEL (self->store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (!pg_link_is_upload (link) && !pg_link_can_revoke_alone (link)
          && g_strcmp0 (pg_link_get_key (link), key) == 0
          && g_strcmp0 (pg_link_get_bucket (link), bucket) == 0
          && g_strcmp0 (pg_link_get_account_id (link), account_id) == 0
          && pg_link_is_usable (link, now))
        count++;
    }

  return count;
}

/* ---- Links with a session of their own ------------------------------------------------- */

/**
 * pg_link_service_set_link_credentials:
 * @credentials: (nullable): the credentials of the link's own session; %NULL to forget them
 *
 * Keeps the credentials a session link is signed with, so that its URL can be made again
 * (pg_link_derive_url()) and its revocation proven. The caller keeps them at rest (a keyring);
 * nothing is emitted.
 */
void
pg_link_service_set_link_credentials (PgLinkService *self,
                                      const char    *link_id,
                                      PgCredentials *credentials)
{
  if (credentials == NULL)
    g_hash_table_remove (self->link_credentials, link_id);
  else
    g_hash_table_replace (self->link_credentials, g_strdup (link_id),
                          pg_credentials_ref (credentials));
}

/* Returns: (nullable) (transfer none): the credentials of @link's own session, when known */
PgCredentials *
pg_link_service_get_link_credentials (PgLinkService *self,
                                      PgLink        *link)
{
  return g_hash_table_lookup (self->link_credentials, pg_link_get_id (link));
}

/* Returns: (transfer none) (nullable): the credentials @link is signed with: its own
 * session's when it has one (%NULL when they are not known here), else the signing key. */
PgCredentials *
pg_link_service_get_link_signer (PgLinkService    *self,
                                 PgAccountContext *context,
                                 PgLink           *link)
{
  if (pg_link_get_precision (link) == PG_LINK_PRECISION_SESSION)
    return pg_link_service_get_link_credentials (self, link);

  return pg_account_context_get_signer (context);
}

/**
 * pg_link_service_derive_url:
 *
 * @link's URL, made again (SigV4 is deterministic) with the key it was signed with; for an
 * upload page, the page. A link signed in a session whose keys are not on this computer cannot
 * be made again here: the error says so.
 */
char *
pg_link_service_derive_url (PgLinkService     *self,
                            PgAccountContext  *context,
                            PgLink            *link,
                            GError           **error)
{
  PgCredentials *signer = pg_link_service_get_link_signer (self, context, link);

  if (signer == NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The signing session of this link is not in the keyring of this "
                             "computer: its URL cannot be made again here."));
      return NULL;
    }

  return pg_link_derive_url (link, pg_account_context_get_endpoint (context), signer, error);
}

/* An upload page's own upload links, one per file, made again. */
GStrv
pg_link_service_derive_upload_urls (PgLinkService     *self,
                                    PgAccountContext  *context,
                                    PgLink            *link,
                                    GError           **error)
{
  return pg_link_derive_upload_urls (link, pg_account_context_get_endpoint (context),
                                     pg_account_context_get_signer (context), error);
}

/* ---- Before sharing ---------------------------------------------------------------------- */

static void
policy_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) policy = NULL;
  PgEndpoint *endpoint = pg_s3_client_get_endpoint (PG_S3_CLIENT (source));
  const char *key = g_task_get_task_data (task);
  const char *bucket = g_object_get_data (G_OBJECT (task), "bucket");

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error)
      || !(policy = pg_policy_new (text, pg_endpoint_get_partition (endpoint), &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_policy_set_escape_wildcards (policy, pg_endpoint_is_aws (endpoint));
  if (pg_policy_get_lockdown (policy, bucket, PG_LOCKDOWN_SIGNER))
    g_task_return_int (task, PG_LINK_SHAREABLE_LOCKED);
  else if (key != NULL && pg_policy_is_revoked (policy, bucket, key, PG_POLICY_ACTION_GET,
                                                g_object_get_data (G_OBJECT (task), "signer")))
    g_task_return_int (task, PG_LINK_SHAREABLE_REVOKED);
  else
    g_task_return_int (task, PG_LINK_SHAREABLE);
}

/**
 * pg_link_service_check_shareable_async:
 * @key: (nullable): the object a download link is about to be made for; %NULL to ask only
 *   whether the bucket is locked down
 *
 * A revocation of another principal than the account's signer does not concern the new link.
 * Reads the bucket policy: would a new link work? A link to a revoked object would be dead on
 * arrival, and lifting the revocation would revive the old links; a fresh copy is the way out.
 */
void
pg_link_service_check_shareable_async (PgLinkService       *self,
                                       PgAccountContext    *context,
                                       const char          *key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  const char *bucket = pg_account_context_get_bucket (context);

  g_task_set_source_tag (task, pg_link_service_check_shareable_async);
  g_object_set_data_full (G_OBJECT (task), "signer",
                          g_strdup (pg_account_context_get_signer_arn (context)), g_free);
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_object_set_data_full (G_OBJECT (task), "bucket", g_strdup (bucket), g_free);
  pg_s3_client_get_bucket_policy_async (pg_account_context_get_manager (context), bucket,
                                        cancellable, policy_read_cb, task);
}

PgLinkShareable
pg_link_service_check_shareable_finish (PgLinkService  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, self), PG_LINK_SHAREABLE);

  value = g_task_propagate_int (G_TASK (result), error);

  return value < 0 ? PG_LINK_SHAREABLE : (PgLinkShareable) value;
}

/* ---- A fresh copy ---------------------------------------------------------------------- */

static void
fresh_copied_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pg_s3_client_copy_object_finish (PG_S3_CLIENT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), g_free);
}

/**
 * pg_link_service_copy_fresh_async:
 * @key: a file whose links are revoked
 *
 * Copies @key, with the managing key, beside itself under a new name that says when
 * (pg_link_fresh_copy_key()): the copy can be shared while the revoked links to the original
 * stay dead. pg_link_service_copy_fresh_finish() gives the copy's key.
 */
void
pg_link_service_copy_fresh_async (PgLinkService       *self,
                                  PgAccountContext    *context,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  char *new_key = pg_link_fresh_copy_key (key, now);

  g_task_set_source_tag (task, pg_link_service_copy_fresh_async);
  g_task_set_task_data (task, new_key, g_free);
  pg_s3_client_copy_object_async (pg_account_context_get_manager (context),
                                  pg_account_context_get_bucket (context), key, new_key,
                                  cancellable, fresh_copied_cb, task);
}

/* Returns: the fresh copy's key, or %NULL with @error set */
char *
pg_link_service_copy_fresh_finish (PgLinkService  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pg_link_service_note_lockdown:
 * @locked: whether "Block every link" is on for @bucket
 *
 * Tells the links of @bucket whether they are blocked (their rows say so).
 */
void
pg_link_service_note_lockdown (PgLinkService *self,
                               const char    *bucket,
                               gboolean       locked)
{
  GListModel *links = G_LIST_MODEL (self->store);

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (g_strcmp0 (pg_link_get_bucket (link), bucket) == 0)
        pg_link_set_blocked (link, locked);
    }
}

/* ---- Files ------------------------------------------------------------------------------ */

static void
file_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pg_link_service_delete_file_async:
 * @key: a file of the account's bucket
 *
 * Deletes @key from the account's bucket (its links then find nothing). Presign Guard's own
 * folder is not deleted from here.
 */
void
pg_link_service_delete_file_async (PgLinkService       *self,
                                   PgAccountContext    *context,
                                   const char          *key,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_service_delete_file_async);
  if (key == NULL || *key == '\0' || g_str_has_prefix (key, PG_POLICY_FOLDER))
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("“%s” holds Presign Guard’s own records: it is not deleted from "
                                 "here."), key ? key : "");
      g_object_unref (task);
      return;
    }

  pg_s3_client_delete_object_async (pg_account_context_get_manager (context),
                                    pg_account_context_get_bucket (context), key, cancellable,
                                    file_deleted_cb, task);
}

gboolean
pg_link_service_delete_file_finish (PgLinkService  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- Files that arrived ------------------------------------------------------------------ */

/* Looked at for a while after the end, in case the last upload came just before it. */
#define RECEIVED_AFTER_END_SECONDS 3600

typedef struct
{
  PgS3Client *client;
  char       *bucket;
  GPtrArray  *waiting;   /* PgLink: upload links and pages that may receive more */
  guint       next;
  guint       received;
} ReceivedCheck;

static void
received_check_free (ReceivedCheck *check)
{
  g_object_unref (check->client);
  g_free (check->bucket);
  g_ptr_array_unref (check->waiting);
  g_free (check);
}

static void check_next_upload (GTask *task);

/* The look at @task's bucket is over: the next may begin. */
static void
received_check_end (GTask *task)
{
  PgLinkService *self = g_task_get_source_object (task);
  ReceivedCheck *check = g_task_get_task_data (task);

  g_hash_table_remove (self->received_checks, check->bucket);
}

static void
received_listed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ReceivedCheck *check = g_task_get_task_data (task);
  PgLinkService *self = g_task_get_source_object (task);
  PgLink *link = g_ptr_array_index (check->waiting, check->next);
  GError *error = NULL;
  g_autoptr(GPtrArray) files = pg_received_list_finish (result, &error);
  guint before = pg_link_get_n_received (link);

  if (files == NULL)
    {
      received_check_end (task);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (files->len > before)
    {
      pg_link_set_received (link, files);
      /* Only a link still as it was: one revoked meanwhile stays revoked. A page is Received
       * once every file it takes is in. */
      if (pg_link_get_state (link) == PG_LINK_ACTIVE
          && files->len >= pg_link_get_n_uploads (link))
        pg_link_set_state (link, PG_LINK_USED);
      check->received += files->len - before;
      pg_link_service_save (self);
      g_signal_emit (self, signals [PG_LINK_SERVICE_FILES_RECEIVED], 0, link,
                     files->len - before);
    }
  check->next++;
  check_next_upload (task);
}

static void
check_next_upload (GTask *task)
{
  ReceivedCheck *check = g_task_get_task_data (task);
  g_auto(GStrv) keys = NULL;

  if (check->next >= check->waiting->len)
    {
      received_check_end (task);
      g_task_return_int (task, check->received);
      g_object_unref (task);
      return;
    }

  keys = pg_link_dup_upload_keys (g_ptr_array_index (check->waiting, check->next));
  pg_received_list_async (check->client, check->bucket, (const char * const *) keys,
                          g_task_get_cancellable (task), received_listed_cb, task);
}

/**
 * pg_link_service_check_received_async:
 *
 * Looks which files of the bucket's upload links and pages have arrived (one HeadObject per
 * file still awaited, one after the other), with the names the partners' files had. An upload
 * link whose file is there turns %PG_LINK_USED ("Received"), and so does a page once every file
 * it takes is in; "files-received" tells of each arrival. Links that can still receive are
 * looked at, and a link closed after its upload once, for its file's name. While a look at the
 * same bucket is under way (a slow server, a second window) none begins: it returns 0 at once.
 */
void
pg_link_service_check_received_async (PgLinkService       *self,
                                      PgAccountContext    *context,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReceivedCheck *check = g_new0 (ReceivedCheck, 1);
  GListModel *links = G_LIST_MODEL (self->store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *bucket = pg_account_context_get_bucket (context);

  g_task_set_source_tag (task, pg_link_service_check_received_async);
  if (g_hash_table_contains (self->received_checks, bucket))
    {
      g_free (check);
      g_task_return_int (task, 0);
      g_object_unref (task);
      return;
    }
  g_hash_table_add (self->received_checks, g_strdup (bucket));
  check->client = g_object_ref (pg_account_context_get_manager (context));
  check->bucket = g_strdup (bucket);
  check->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);
      PgLinkState state = pg_link_get_state_at (link, now);

      if (!pg_link_is_upload (link) || g_strcmp0 (pg_link_get_bucket (link), bucket) != 0
          || pg_link_get_n_received (link) >= pg_link_get_n_uploads (link)
          || state == PG_LINK_DEAD_ON_ARRIVAL)
        continue;
      if (now < pg_link_get_expires_at (link) + RECEIVED_AFTER_END_SECONDS
          || (pg_link_get_closed_at (link) != 0 && pg_link_get_received (link) == NULL))
        g_ptr_array_add (check->waiting, g_steal_pointer (&link));
    }
  g_task_set_task_data (task, check, (GDestroyNotify) received_check_free);
  check_next_upload (task);
}

/**
 * pg_link_service_check_received_finish:
 *
 * Returns: how many upload links were found used, or -1 with @error set
 */
int
pg_link_service_check_received_finish (PgLinkService  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return (int) g_task_propagate_int (G_TASK (result), error);
}
