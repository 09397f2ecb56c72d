/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-job-private.h"
#include "pg-link-copy.h"
#include "pg-link-session.h"
#include "pg-link-service-private.h"

/* The life of links, in one place: the remembered links (the store), the jobs that change what
 * links can do (revoke, unrevoke, lockdown) or that feed the bucket (uploads), and the state
 * every link shows.
 *
 * Windows come and go; the work does not go with them. A window asks for a job and listens to
 * the service's signals ("job-started", "job-progress", "job-finished"); a running job holds the
 * service, not the window, so closing a window never leaves a callback touching a widget, and a
 * policy write that has begun is carried to its end (the application stays up while the service
 * is busy). Policy jobs run one at a time, in the order asked (a revoke, then its Undo); uploads
 * run one at a time beside them. Saves of the link list are coalesced and kept in order.
 *
 * A revocation closes every link that shares the revoked link's fate (same object, same action,
 * same signer; see pg_link_shares_fate()): all of them turn Revoked, and back on Undo. Upload
 * pages, link removal and revocation from a URL are in pg-link-service-pages.c. */

/* ---- The service ------------------------------------------------------------------------- */

struct _PgLinkService
{
  GObject       parent_instance;

  PgLinkStore  *store;
  GQueue        policy_jobs;
  PgLinkJob    *policy_running;
  GQueue        upload_jobs;
  PgLinkJob    *upload_running;
  gboolean      saving;
  gboolean      save_again;
  gboolean      busy;

  /* Link id → the credentials of its own signing session, while known here. */
  GHashTable   *link_credentials;
};

G_DEFINE_FINAL_TYPE (PgLinkService, pg_link_service, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  JOB_STARTED,
  JOB_PROGRESS,
  JOB_FINISHED,
  SAVE_FAILED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
pg_link_service_finalize (GObject *object)
{
  PgLinkService *self = PG_LINK_SERVICE (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->link_credentials, g_hash_table_unref);

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
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pg_link_service_class_init (PgLinkServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pg_link_service_finalize;
  object_class->get_property = pg_link_service_get_property;

  /* Whether work is under way that must not be cut short (a policy change, an upload, a save of
   * the list): the application stays up meanwhile. */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals [JOB_STARTED] =
    g_signal_new ("job-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  signals [JOB_PROGRESS] =
    g_signal_new ("job-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  signals [JOB_FINISHED] =
    g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK_JOB);
  /* The list of links could not be written; the message says why. */
  signals [SAVE_FAILED] =
    g_signal_new ("save-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pg_link_service_init (PgLinkService *self)
{
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

PgLinkStore *
_pg_link_service_get_store (PgLinkService *self)
{
  return self->store;
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

static void
update_busy (PgLinkService *self)
{
  gboolean busy = self->policy_running != NULL || self->upload_running != NULL
                  || !g_queue_is_empty (&self->policy_jobs)
                  || !g_queue_is_empty (&self->upload_jobs) || self->saving;

  if (busy == self->busy)
    return;

  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
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
    g_signal_emit (self, signals [SAVE_FAILED], 0, error->message);

  self->saving = FALSE;
  if (self->save_again)
    {
      self->save_again = FALSE;
      pg_link_service_save (self);
    }
  update_busy (self);
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
  update_busy (self);
  pg_link_store_save_async (self->store, NULL, saved_cb, g_object_ref (self));
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
static GPtrArray *
collect_affected (PgLinkService *self,
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

  return collect_affected (self, link, kind, pg_link_get_bucket (link), targets,
                           pg_link_get_access_key_id (link), pg_link_get_signer_arn (link));
}

/**
 * pg_link_service_create_link:
 * @signer_arn: (nullable): the signer's principal, when known
 * @options: what to sign; its signing time is the link's
 * @shareable: what a check of the object found; a link to a revoked object is remembered as
 *   dead on arrival
 *
 * Signs a new link (which checks everything it is made of), remembers it and saves the list.
 *
 * Returns: (transfer none): the new link, or %NULL with @error set.
 */
PgLink *
pg_link_service_create_link (PgLinkService           *self,
                             const char              *account_id,
                             PgEndpoint              *endpoint,
                             PgCredentials           *signer,
                             const char              *signer_arn,
                             const PgPresignOptions  *options,
                             PgLinkShareable          shareable,
                             GError                 **error)
{
  g_autofree char *url = pg_presign_url (endpoint, signer, options, error);
  g_autoptr(PgLink) link = NULL;

  if (url == NULL)
    return NULL;

  link = pg_link_new (account_id, options, pg_credentials_get_access_key_id (signer));
  pg_link_set_signer_arn (link, signer_arn);
  if (shareable != PG_LINK_SHAREABLE)
    pg_link_set_state (link, PG_LINK_DEAD_ON_ARRIVAL);

  pg_link_store_add (self->store, link);
  pg_link_service_save (self);

  return link;
}

/* ---- Links with a session of their own ------------------------------------------------- */

/**
 * pg_link_service_set_link_credentials:
 * @credentials: (nullable): the credentials of the link's own session; %NULL to forget them
 *
 * Keeps the credentials a session link is signed with, so that its URL can be made again
 * (pg_link_derive_url()) and its revocation proven. The caller keeps them at rest (a keyring).
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

typedef struct
{
  char             *account_id;
  char             *id;
  char             *bucket;
  char             *key;
  char             *filename;
  char             *content_type;
  char             *signer_arn;
  PgPresignOptions  options;
} SessionLink;

static void
session_link_free (SessionLink *data)
{
  g_free (data->account_id);
  g_free (data->id);
  g_free (data->bucket);
  g_free (data->key);
  g_free (data->filename);
  g_free (data->content_type);
  g_free (data->signer_arn);
  g_free (data);
}

/* The link of a task of ours made, remembered and saved. */
static void
remember_new_link (GTask  *task,
                   PgLink *link)
{
  PgLinkService *self = g_task_get_source_object (task);

  pg_link_store_add (self->store, link);
  pg_link_service_save (self);
  g_task_return_pointer (task, g_object_ref (link), g_object_unref);
}

static SessionLink *
session_link_new (const char             *account_id,
                  const PgPresignOptions *options)
{
  SessionLink *data = g_new0 (SessionLink, 1);

  data->account_id = g_strdup (account_id);
  data->id = g_uuid_string_random ();
  data->options = *options;
  data->options.bucket = data->bucket = g_strdup (options->bucket);
  data->options.key = data->key = g_strdup (options->key);
  data->options.filename = data->filename = g_strdup (options->filename);
  data->options.content_type = data->content_type = g_strdup (options->content_type);
  data->options.content_md5 = NULL;

  return data;
}

static void
session_link_signed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgLinkService *self = g_task_get_source_object (task);
  SessionLink *data = g_task_get_task_data (task);
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
  link = pg_link_new_for_session (data->account_id, data->id, &data->options, record->role_arn,
                                  record->session_name, session);
  pg_link_service_set_link_credentials (self, data->id, session->credentials);
  remember_new_link (task, link);
}

/**
 * pg_link_service_create_session_link_async:
 * @manager: a client with the managing key (writes the link's record)
 * @signer: a client with the signer's own key (starts the link's session)
 * @role_arn: the signing role
 *
 * Signs a download link in a session of its own (pg_link_session_sign_async()), remembers it
 * and its session's credentials, and saves the list. Revoking it closes it alone.
 */
void
pg_link_service_create_session_link_async (PgLinkService          *self,
                                           const char             *account_id,
                                           PgS3Client             *manager,
                                           PgS3Client             *signer,
                                           const char             *role_arn,
                                           const PgPresignOptions *options,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SessionLink *data = session_link_new (account_id, options);

  g_task_set_source_tag (task, pg_link_service_create_session_link_async);
  g_task_set_task_data (task, data, (GDestroyNotify) session_link_free);

  pg_link_session_sign_async (manager, signer, role_arn, data->id, &data->options, cancellable,
                              session_link_signed_cb, task);
}


static void
copy_link_signed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SessionLink *data = g_task_get_task_data (task);
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
  link = pg_link_new_for_copy (data->account_id, data->id, &data->options,
                               record->access_key_id, record->key);
  pg_link_set_signer_arn (link, data->signer_arn);
  remember_new_link (task, link);
}

/**
 * pg_link_service_create_copy_link_async:
 * @manager: a client with the managing key (copies the file, writes the link's record)
 * @signer: a client with the signing key
 * @signer_arn: (nullable): the signer's principal, which revoking the copy denies
 * @max_bytes: the largest file copied, 0 for any
 *
 * Makes a download link to a private copy of the file (pg_link_copy_sign_async()), remembers
 * it and saves the list. Revoking it closes it alone; removing it deletes the copy.
 */
void
pg_link_service_create_copy_link_async (PgLinkService          *self,
                                        const char             *account_id,
                                        PgS3Client             *manager,
                                        PgS3Client             *signer,
                                        const char             *signer_arn,
                                        const PgPresignOptions *options,
                                        guint64                 max_bytes,
                                        GCancellable           *cancellable,
                                        GAsyncReadyCallback     callback,
                                        gpointer                user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SessionLink *data = session_link_new (account_id, options);

  g_task_set_source_tag (task, pg_link_service_create_copy_link_async);
  data->signer_arn = g_strdup (signer_arn);
  g_task_set_task_data (task, data, (GDestroyNotify) session_link_free);

  pg_link_copy_sign_async (manager, signer, data->id, &data->options, max_bytes, cancellable,
                           copy_link_signed_cb, task);
}

/**
 * pg_link_service_create_link_alone_finish:
 *
 * Ends pg_link_service_create_session_link_async() or
 * pg_link_service_create_copy_link_async().
 *
 * Returns: (transfer full): the new link, remembered
 */
PgLink *
pg_link_service_create_link_alone_finish (PgLinkService  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Running jobs ------------------------------------------------------------------------ */

static void run_next_policy_job (PgLinkService *self);
static void run_next_upload (PgLinkService *self);

static void
set_states (PgLinkJob   *job,
            PgLinkState  state)
{
  for (guint i = 0; i < job->affected->len; i++)
    pg_link_set_state (g_ptr_array_index (job->affected, i), state);
}

static void
restore_states (PgLinkJob *job)
{
  for (guint i = 0; i < job->affected->len; i++)
    pg_link_set_state (g_ptr_array_index (job->affected, i),
                       g_array_index (job->previous, PgLinkState, i));
}

/* Ends @job with @error (taken; %NULL for success): says so, and lets the next one run. */
static void
job_done (PgLinkJob *job,
          GError    *error)
{
  g_autoptr(PgLinkService) self = g_steal_pointer (&job->service);
  g_autoptr(PgLinkJob) hold G_GNUC_UNUSED = g_object_ref (job);

  job->error = error;
  job->done = TRUE;
  if (job->revoker != NULL && pg_revoker_get_notice (job->revoker) != NULL)
    job->notice = g_strdup (pg_revoker_get_notice (job->revoker));
  g_clear_object (&job->revoker);
  g_clear_object (&job->client);

  if (job->affected->len > 0)
    pg_link_service_save (self);

  if (job == self->policy_running)
    g_clear_object (&self->policy_running);
  if (job == self->upload_running)
    g_clear_object (&self->upload_running);

  g_signal_emit (self, signals [JOB_FINISHED], 0, job);

  run_next_policy_job (self);
  run_next_upload (self);
  update_busy (self);
}

static void
policy_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PgLinkJob *job = user_data;
  GError *error = NULL;
  gboolean ok = pg_revoker_finish (PG_REVOKER (source), result, &error);

  switch (job->kind)
    {
    case PG_LINK_JOB_REVOKE:
      if (ok)
        set_states (job, PG_LINK_REVOKED);
      else if (g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
        set_states (job, PG_LINK_REVOKE_UNVERIFIED);
      else
        restore_states (job);
      break;

    case PG_LINK_JOB_UNREVOKE:
      /* Lifted in the policy, even when the proof is late: the links are not revoked. */
      if (ok || g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
        set_states (job, PG_LINK_ACTIVE);
      break;

    case PG_LINK_JOB_LOCKDOWN:
    case PG_LINK_JOB_UPLOAD:
    case PG_LINK_JOB_DOWNLOAD:
    default:
      break;
    }

  job_done (job, error);
}

/* Which remembered links the job changes, and what they were before. */
static void
find_affected (PgLinkService *self,
               PgLinkJob     *job)
{
  g_ptr_array_unref (job->affected);
  job->affected = collect_affected (self, job->link, job->kind, job->bucket, job->targets,
                                    pg_credentials_get_access_key_id (
                                      pg_revoker_get_signer (job->revoker)),
                                    pg_revoker_get_signer_arn (job->revoker));

  g_array_set_size (job->previous, 0);
  for (guint i = 0; i < job->affected->len; i++)
    {
      PgLinkState state = pg_link_get_state (g_ptr_array_index (job->affected, i));

      g_array_append_val (job->previous, state);
    }
}

static void
run_next_policy_job (PgLinkService *self)
{
  PgLinkJob *job;

  if (self->policy_running != NULL || g_queue_is_empty (&self->policy_jobs))
    return;

  job = self->policy_running = g_queue_pop_head (&self->policy_jobs);
  job->service = g_object_ref (self);
  g_signal_emit (self, signals [JOB_STARTED], 0, job);

  switch (job->kind)
    {
    case PG_LINK_JOB_REVOKE:
      pg_revoker_revoke_targets_async (job->revoker, job->bucket,
                                       (PgPolicyTarget *) job->targets->data, job->targets->len,
                                       job->cancellable, policy_done_cb, job);
      break;

    case PG_LINK_JOB_UNREVOKE:
      find_affected (self, job);
      pg_revoker_unrevoke_targets_async (job->revoker, job->bucket,
                                         (PgPolicyTarget *) job->targets->data,
                                         job->targets->len, job->cancellable, policy_done_cb,
                                         job);
      break;

    case PG_LINK_JOB_LOCKDOWN:
      pg_revoker_set_lockdown_async (job->revoker, job->bucket, job->mode, job->enabled,
                                     (const char * const *) job->exempt, job->cancellable,
                                     policy_done_cb, job);
      break;

    case PG_LINK_JOB_UPLOAD:
    case PG_LINK_JOB_DOWNLOAD:
    default:
      g_assert_not_reached ();
    }
}

/* Queues @job (taken); returns a reference for the caller. */
static PgLinkJob *
queue_policy_job (PgLinkService *self,
                  PgLinkJob     *job)
{
  g_queue_push_tail (&self->policy_jobs, job);
  update_busy (self);
  run_next_policy_job (self);

  return g_object_ref (job);
}

static PgLinkJob *
object_job (PgLinkService        *self,
            PgRevoker            *revoker,
            PgLinkJobKind         kind,
            PgLink               *link,
            const char           *bucket,
            const PgPolicyTarget *targets,
            guint                 n_targets)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = kind;
  job->link = link ? g_object_ref (link) : NULL;
  job->revoker = g_object_ref (revoker);
  job->bucket = g_strdup (bucket);
  job->key = g_strdup (targets[0].key);
  job->action = targets[0].action;
  job->target_keys = g_new0 (char *, n_targets + 1);
  job->targets = g_array_sized_new (FALSE, FALSE, sizeof (PgPolicyTarget), n_targets);
  for (guint i = 0; i < n_targets; i++)
    {
      PgPolicyTarget target = { job->target_keys[i] = g_strdup (targets[i].key),
                                targets[i].action };

      g_array_append_val (job->targets, target);
    }

  /* Seen at once, long before the proof is in. What an Undo brings back is known only when
   * it runs, after the revocations queued before it. */
  if (kind == PG_LINK_JOB_REVOKE)
    {
      find_affected (self, job);
      set_states (job, PG_LINK_REVOKING);
    }

  return queue_policy_job (self, job);
}

/**
 * pg_link_service_revoke:
 * @revoker: acts for the account the link belongs to
 *
 * Revokes @link and, with it, every link that shares its fate; all of them show "Revoking…"
 * at once, then Revoked (proven), Revoked — not verified, or their earlier state when nothing
 * was changed. Finished, the job is announced with "job-finished".
 *
 * Returns: (transfer full): the job, to follow it (it is the one "job-finished" carries).
 */
PgLinkJob *
pg_link_service_revoke (PgLinkService *self,
                        PgRevoker     *revoker,
                        PgLink        *link)
{
  g_autoptr(GArray) targets = pg_link_get_targets (link);

  return object_job (self, revoker, PG_LINK_JOB_REVOKE, link, pg_link_get_bucket (link),
                     (PgPolicyTarget *) targets->data, targets->len);
}

/**
 * pg_link_service_unrevoke:
 *
 * Lifts the revocation of @link's object (the Undo of a revoke): it and every revoked link
 * that shares its fate work again.
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_unrevoke (PgLinkService *self,
                          PgRevoker     *revoker,
                          PgLink        *link)
{
  g_autoptr(GArray) targets = pg_link_get_targets (link);

  return object_job (self, revoker, PG_LINK_JOB_UNREVOKE, link, pg_link_get_bucket (link),
                     (PgPolicyTarget *) targets->data, targets->len);
}

/**
 * pg_link_service_revoke_object:
 * @revoke: %TRUE to revoke, %FALSE to lift a revocation
 *
 * Revokes (or lifts the revocation of) one object for the revoker's signer, as the command
 * line does; remembered links of it change state as with pg_link_service_revoke().
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_revoke_object (PgLinkService  *self,
                               PgRevoker      *revoker,
                               const char     *bucket,
                               const char     *key,
                               PgPolicyAction  action,
                               gboolean        revoke)
{
  PgPolicyTarget target = { key, action };

  return pg_link_service_revoke_targets (self, revoker, bucket, &target, 1, revoke);
}

/**
 * pg_link_service_revoke_targets:
 * @targets: (array length=n_targets): at least one
 *
 * Like pg_link_service_revoke_object(), for several objects in one change of the policy: how
 * an upload page found by its URL alone is revoked whole (its page and every upload key).
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_revoke_targets (PgLinkService        *self,
                                PgRevoker            *revoker,
                                const char           *bucket,
                                const PgPolicyTarget *targets,
                                guint                 n_targets,
                                gboolean              revoke)
{
  g_return_val_if_fail (n_targets > 0, NULL);

  return object_job (self, revoker, revoke ? PG_LINK_JOB_REVOKE : PG_LINK_JOB_UNREVOKE, NULL,
                     bucket, targets, n_targets);
}

/**
 * pg_link_service_set_lockdown:
 *
 * Blocks (or unblocks) every link of @bucket; see pg_revoker_set_lockdown_async().
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_set_lockdown (PgLinkService      *self,
                              PgRevoker          *revoker,
                              const char         *bucket,
                              PgLockdownMode      mode,
                              gboolean            enabled,
                              const char * const *exempt_arns)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_LOCKDOWN;
  job->revoker = g_object_ref (revoker);
  job->bucket = g_strdup (bucket);
  job->mode = mode;
  job->enabled = enabled;
  job->exempt = g_strdupv ((char **) exempt_arns);

  return queue_policy_job (self, job);
}

/* ---- Uploads ----------------------------------------------------------------------------- */

static void
transfer_progress_cb (goffset  current,
                    goffset  total,
                    gpointer user_data)
{
  PgLinkJob *job = user_data;

  job->fraction = total > 0 ? (double) current / (double) total : 1.0;
  if (job->service != NULL)
    g_signal_emit (job->service, signals [JOB_PROGRESS], 0, job);
}

/* An upload or a download has ended. */
static void
transferred_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PgLinkJob *job = user_data;
  GError *error = NULL;
  gboolean ok = job->kind == PG_LINK_JOB_DOWNLOAD
                ? pg_s3_client_download_finish (PG_S3_CLIENT (source), result, &error)
                : pg_s3_client_put_object_finish (PG_S3_CLIENT (source), result, &error);

  if (ok)
    job->fraction = 1.0;
  job_done (job, error);
}

static void
put_upload (PgLinkJob *job)
{
  pg_s3_client_put_object_async (job->client, job->bucket, job->key, job->file, NULL,
                                 transfer_progress_cb, job, job->cancellable, transferred_cb, job);
}

/* Nothing is replaced unasked: a key that is taken ends the job with G_IO_ERROR_EXISTS, and
 * whoever asked decides (the window asks the user). */
static void
upload_looked_up_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PgLinkJob *job = user_data;
  GError *error = NULL;
  PgS3Object *existing = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result, &error);

  if (existing != NULL)
    {
      pg_s3_object_free (existing);
      job_done (job, g_error_new (G_IO_ERROR, G_IO_ERROR_EXISTS,
                                  _("“%s” is already in the bucket."), job->key));
    }
  else if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_clear_error (&error);
      put_upload (job);
    }
  else
    {
      job_done (job, error);
    }
}

static void
run_next_upload (PgLinkService *self)
{
  PgLinkJob *job;

  if (self->upload_running != NULL || g_queue_is_empty (&self->upload_jobs))
    return;

  job = self->upload_running = g_queue_pop_head (&self->upload_jobs);
  job->service = g_object_ref (self);
  g_signal_emit (self, signals [JOB_STARTED], 0, job);
  if (job->kind == PG_LINK_JOB_DOWNLOAD)
    pg_s3_client_download_async (job->client, job->bucket, job->key, job->file,
                                 transfer_progress_cb, job, job->cancellable, transferred_cb, job);
  else if (job->replace)
    put_upload (job);
  else
    pg_s3_client_head_object_async (job->client, job->bucket, job->key, job->cancellable,
                                    upload_looked_up_cb, job);
}

/**
 * pg_link_service_upload:
 *
 * @replace: whether an object already stored as @key may be replaced; if not, such a key ends
 *   the job with %G_IO_ERROR_EXISTS and nothing is sent
 *
 * Uploads @file as @key, after the uploads asked for before it.
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_upload (PgLinkService *self,
                        PgS3Client    *client,
                        const char    *bucket,
                        const char    *key,
                        GFile         *file,
                        gboolean       replace)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_UPLOAD;
  job->client = g_object_ref (client);
  job->bucket = g_strdup (bucket);
  job->key = g_strdup (key);
  job->file = g_object_ref (file);
  job->replace = replace;
  g_queue_push_tail (&self->upload_jobs, job);
  update_busy (self);
  run_next_upload (self);

  return g_object_ref (job);
}

/**
 * pg_link_service_download:
 * @destination: where the file goes; replaced only once the whole file is in
 *
 * Saves @key on this computer, in the queue of transfers (after the uploads and downloads asked
 * for before it), with progress; cancelled with them.
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_download (PgLinkService *self,
                          PgS3Client    *client,
                          const char    *bucket,
                          const char    *key,
                          GFile         *destination)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_DOWNLOAD;
  job->client = g_object_ref (client);
  job->bucket = g_strdup (bucket);
  job->key = g_strdup (key);
  job->file = g_object_ref (destination);
  g_queue_push_tail (&self->upload_jobs, job);
  update_busy (self);
  run_next_upload (self);

  return g_object_ref (job);
}

/* Stops the transfer under way (a multipart upload is aborted on the server, a download leaves
 * no half file) and drops the ones waiting. Each ends with "job-finished" and a cancelled error. */
void
pg_link_service_cancel_uploads (PgLinkService *self)
{
  GQueue waiting = self->upload_jobs;
  PgLinkJob *job;

  /* Taken off the queue first: ending one must not start the next. */
  g_queue_init (&self->upload_jobs);
  if (self->upload_running != NULL)
    g_cancellable_cancel (self->upload_running->cancellable);

  while ((job = g_queue_pop_head (&waiting)))
    {
      job->service = g_object_ref (self);
      job_done (job, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                          job->kind == PG_LINK_JOB_DOWNLOAD
                                          ? _("The download was cancelled.")
                                          : _("The upload was cancelled.")));
      g_object_unref (job);
    }
}

/* Runs the main context until @job is finished: for the command line and tests. */
void
pg_link_service_wait (PgLinkService *self,
                      PgLinkJob     *job)
{
  while (!pg_link_job_is_done (job))
    g_main_context_iteration (NULL, TRUE);
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
 * @key: (nullable): the object a download link is about to be made for
 * @signer_arn: (nullable): who signs it (a revocation of another principal does not concern
 *   it), %NULL for anybody
 *
 * Reads the bucket policy: would a new link work? A link to a revoked object would be dead on
 * arrival, and lifting the revocation would revive the old links; a fresh copy is the way out.
 */
void
pg_link_service_check_shareable_async (PgLinkService       *self,
                                       PgS3Client          *client,
                                       const char          *bucket,
                                       const char          *key,
                                       const char          *signer_arn,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_service_check_shareable_async);
  g_object_set_data_full (G_OBJECT (task), "signer", g_strdup (signer_arn), g_free);
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_object_set_data_full (G_OBJECT (task), "bucket", g_strdup (bucket), g_free);
  pg_s3_client_get_bucket_policy_async (client, bucket, cancellable, policy_read_cb, task);
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

/* ---- Files that arrived ------------------------------------------------------------------ */

typedef struct
{
  PgS3Client *client;
  char       *bucket;
  GPtrArray  *waiting;   /* PgLink: upload links not known to be used */
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

static void
upload_looked_at_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ReceivedCheck *check = g_task_get_task_data (task);
  PgLinkService *self = g_task_get_source_object (task);
  PgLink *link = g_ptr_array_index (check->waiting, check->next);
  GError *error = NULL;
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  &error);

  if (object == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_error (&error);

  /* Only a link still as it was: one revoked meanwhile stays revoked. */
  if (object != NULL && pg_link_get_state (link) == PG_LINK_ACTIVE)
    {
      pg_link_set_state (link, PG_LINK_USED);
      check->received++;
      pg_link_service_save (self);
    }
  check->next++;
  check_next_upload (task);
}

static void
check_next_upload (GTask *task)
{
  ReceivedCheck *check = g_task_get_task_data (task);

  if (check->next >= check->waiting->len)
    {
      g_task_return_int (task, check->received);
      g_object_unref (task);
      return;
    }

  pg_s3_client_head_object_async (check->client, check->bucket,
                                  pg_link_get_key (g_ptr_array_index (check->waiting, check->next)),
                                  g_task_get_cancellable (task), upload_looked_at_cb, task);
}

/**
 * pg_link_service_check_received_async:
 *
 * Looks whether the files of the bucket's working upload links have arrived (one HeadObject
 * each, one after the other); an upload link whose file is there turns %PG_LINK_USED ("Received").
 * An upload page has several files and stays as it is.
 */
void
pg_link_service_check_received_async (PgLinkService       *self,
                                      PgS3Client          *client,
                                      const char          *bucket,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReceivedCheck *check = g_new0 (ReceivedCheck, 1);
  GListModel *links = G_LIST_MODEL (self->store);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_task_set_source_tag (task, pg_link_service_check_received_async);
  check->client = g_object_ref (client);
  check->bucket = g_strdup (bucket);
  check->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (pg_link_is_upload (link) && pg_link_get_page_key (link) == NULL
          && g_strcmp0 (pg_link_get_bucket (link), bucket) == 0
          && pg_link_get_state_at (link, now) == PG_LINK_ACTIVE)
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
