/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link-copy.h"
#include "pg-link-job-private.h"
#include "pg-link-service-private.h"
#include "pg-upload-page.h"

/* The link service's jobs: revoking and restoring links (and every link that shares their
 * fate), locking a bucket down, transfers, and removing a link. Policy jobs run one at a time in
 * the order asked; transfers one at a time beside them. Each is announced with "job-started",
 * "job-progress" and "job-finished", carrying the job.
 *
 * A job asked with an account context chooses its revoker when it runs (a link's own session
 * may have to be started again first), through pg_account_context_revoker_for_record_async():
 * the same choice as the watcher's and the command line's. */

#define signals _pg_link_service_signals

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

/* Ends @job with @error (taken; %NULL for success): emits "job-finished", and lets the next one
 * run. */
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
  g_clear_object (&job->role_revoker);
  g_clear_object (&job->client);

  if (job->affected->len > 0)
    pg_link_service_save (self);

  if (job == self->policy_running)
    g_clear_object (&self->policy_running);
  if (job == self->upload_running)
    g_clear_object (&self->upload_running);

  g_signal_emit (self, signals [PG_LINK_SERVICE_JOB_FINISHED], 0, job);

  run_next_policy_job (self);
  run_next_upload (self);
  _pg_link_service_update_busy (self);
}

/* A policy job's revoker could not be had: nothing was changed. */
static void
policy_failed (PgLinkJob *job,
               GError    *error)
{
  if (job->kind == PG_LINK_JOB_REVOKE)
    restore_states (job);
  job_done (job, error);
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
      /* The signer is blocked: the signing role's sessions (links signed one by one) next, in
       * the same statement, proven in a session of the role. */
      if (ok && job->role_revoker != NULL && PG_REVOKER (source) != job->role_revoker)
        {
          pg_revoker_set_lockdown_async (job->role_revoker, job->bucket, job->mode, TRUE, NULL,
                                         job->cancellable, policy_done_cb, job);
          return;
        }
      break;

    case PG_LINK_JOB_UPLOAD:
    case PG_LINK_JOB_DOWNLOAD:
    default:
      break;
    }

  job_done (job, error);
}

/* Which remembered links the job changes, and what they were before: a link's job concerns the
 * links that share its fate; any other the links of its targets for the revoker's signer. */
static void
find_affected (PgLinkService *self,
               PgLinkJob     *job)
{
  g_ptr_array_unref (job->affected);
  if (job->link != NULL)
    job->affected = _pg_link_service_collect_affected (self, job->link, job->kind, job->bucket,
                                                       job->targets,
                                                       pg_link_get_access_key_id (job->link),
                                                       pg_link_get_signer_arn (job->link));
  else if (job->revoker != NULL)
    job->affected = _pg_link_service_collect_affected (
                      self, NULL, job->kind, job->bucket, job->targets,
                      pg_credentials_get_access_key_id (pg_revoker_get_signer (job->revoker)),
                      pg_revoker_get_signer_arn (job->revoker));
  else
    job->affected = _pg_link_service_collect_affected (
                      self, NULL, job->kind, job->bucket, job->targets,
                      pg_credentials_get_access_key_id (pg_account_context_get_signer (
                                                          job->context)),
                      pg_account_context_get_signer_arn (job->context));

  g_array_set_size (job->previous, 0);
  for (guint i = 0; i < job->affected->len; i++)
    {
      PgLinkState state = pg_link_get_state (g_ptr_array_index (job->affected, i));

      g_array_append_val (job->previous, state);
    }
}

/* Runs @job, its revoker in hand. */
static void
run_policy_job (PgLinkService *self,
                PgLinkJob     *job)
{
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

static void
revoker_chosen_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PgLinkJob *job = user_data;
  GError *error = NULL;

  job->revoker = pg_account_context_revoker_for_record_finish (PG_ACCOUNT_CONTEXT (source),
                                                               result, &error);
  if (job->revoker == NULL)
    policy_failed (job, error);
  else
    run_policy_job (job->service, job);
}

static void
role_revoker_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PgLinkJob *job = user_data;
  GError *error = NULL;

  /* Nothing blocked rather than half: without the role's session, the signer is not either. */
  job->role_revoker = pg_account_context_role_revoker_finish (PG_ACCOUNT_CONTEXT (source),
                                                              result, &error);
  if (job->role_revoker == NULL)
    {
      policy_failed (job, error);
      return;
    }

  pg_account_context_revoker_for_record_async (job->context, NULL, NULL, job->cancellable,
                                               revoker_chosen_cb, job);
}

static void
run_next_policy_job (PgLinkService *self)
{
  PgLinkJob *job;

  if (self->policy_running != NULL || g_queue_is_empty (&self->policy_jobs))
    return;

  job = self->policy_running = g_queue_pop_head (&self->policy_jobs);
  job->service = g_object_ref (self);
  g_signal_emit (self, signals [PG_LINK_SERVICE_JOB_STARTED], 0, job);

  if (job->revoker != NULL)
    run_policy_job (self, job);
  else if (job->kind == PG_LINK_JOB_LOCKDOWN && job->enabled && job->mode == PG_LOCKDOWN_SIGNER
           && pg_account_context_get_signing_role (job->context) != NULL)
    pg_account_context_role_revoker_async (job->context, job->cancellable, role_revoker_cb, job);
  else
    pg_account_context_revoker_for_record_async (job->context, job->record, job->session,
                                                 job->cancellable, revoker_chosen_cb, job);
}

/* Queues @job (taken); returns a reference for the caller. */
static PgLinkJob *
queue_policy_job (PgLinkService *self,
                  PgLinkJob     *job)
{
  g_queue_push_tail (&self->policy_jobs, job);
  _pg_link_service_update_busy (self);
  run_next_policy_job (self);

  return g_object_ref (job);
}

/* A job that revokes (or restores) @targets, with @revoker or, when %NULL, the one @context
 * chooses as it runs. */
static PgLinkJob *
object_job (PgLinkService        *self,
            PgRevoker            *revoker,
            PgAccountContext     *context,
            PgLinkJobKind         kind,
            PgLink               *link,
            const char           *bucket,
            const PgPolicyTarget *targets,
            guint                 n_targets)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = kind;
  job->link = link ? g_object_ref (link) : NULL;
  job->revoker = revoker ? g_object_ref (revoker) : NULL;
  job->context = context ? g_object_ref (context) : NULL;
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
  if (link != NULL)
    {
      PgCredentials *session = pg_link_service_get_link_credentials (self, link);

      job->record = pg_link_record_new_for_link (link);
      job->session = session ? pg_credentials_ref (session) : NULL;
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

static PgLinkJob *
link_job (PgLinkService    *self,
          PgAccountContext *context,
          PgLinkJobKind     kind,
          PgLink           *link)
{
  g_autoptr(GArray) targets = pg_link_get_targets (link);

  return object_job (self, NULL, context, kind, link, pg_link_get_bucket (link),
                     (PgPolicyTarget *) targets->data, targets->len);
}

/**
 * pg_link_service_revoke_link:
 * @context: the account the link belongs to
 *
 * Revokes @link as exactly as it allows (its own session, its private copy, its page and
 * uploads, or its file) and, with it, every link that shares its fate; all of them show
 * "Revoking…" at once, then Revoked (proven), Revoked — not verified, or their earlier state
 * when nothing was changed. The revoker is chosen as the job runs
 * (pg_account_context_revoker_for_record_async()): a link whose session's keys are not on this
 * computer is revoked through a new session of the same name.
 *
 * Returns: (transfer full): the job, to follow it (it is the one "job-finished" carries).
 */
PgLinkJob *
pg_link_service_revoke_link (PgLinkService    *self,
                             PgAccountContext *context,
                             PgLink           *link)
{
  return link_job (self, context, PG_LINK_JOB_REVOKE, link);
}

/**
 * pg_link_service_unrevoke_link:
 *
 * Lifts the revocation of @link (the Undo of a revoke, or Restore): it and every revoked link
 * that shares its fate work again.
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_unrevoke_link (PgLinkService    *self,
                               PgAccountContext *context,
                               PgLink           *link)
{
  return link_job (self, context, PG_LINK_JOB_UNREVOKE, link);
}

/**
 * pg_link_service_revoke_file:
 * @key: a file of the account's bucket
 * @revoke: %TRUE to revoke, %FALSE to lift a revocation
 *
 * Revokes (or lifts the revocation of) one file for the account's signing key: every link of
 * the signer to it; remembered links of it change state as with pg_link_service_revoke_link().
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_revoke_file (PgLinkService    *self,
                             PgAccountContext *context,
                             const char       *key,
                             PgPolicyAction    action,
                             gboolean          revoke)
{
  PgPolicyTarget target = { key, action };

  return object_job (self, NULL, context, revoke ? PG_LINK_JOB_REVOKE : PG_LINK_JOB_UNREVOKE,
                     NULL, pg_account_context_get_bucket (context), &target, 1);
}

/**
 * pg_link_service_revoke_targets:
 * @revoker: the revoker chosen already (by the command line for a pasted link, by the watcher)
 * @targets: (array length=n_targets): at least one
 *
 * Revokes (or lifts the revocation of) several objects in one change of the policy: how an
 * upload page is revoked whole (its page and every upload key).
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

  return object_job (self, revoker, NULL, revoke ? PG_LINK_JOB_REVOKE : PG_LINK_JOB_UNREVOKE,
                     NULL, bucket, targets, n_targets);
}

/**
 * pg_link_service_set_lockdown:
 * @mode: whom to block: the signer (and the account's signing role), or, on AWS, any presigned
 *   request
 * @exempt_arns: (nullable): with %PG_LOCKDOWN_ANY, principals whose own links keep working
 *
 * Blocks (or unblocks) every link of the account's bucket, in one job: with a signing role,
 * blocking names the role too (every link signed one by one), proven in a session of it; when
 * the role's session cannot be started, nothing is blocked. See
 * pg_revoker_set_lockdown_async().
 *
 * Returns: (transfer full): the job.
 */
PgLinkJob *
pg_link_service_set_lockdown (PgLinkService      *self,
                              PgAccountContext   *context,
                              PgLockdownMode      mode,
                              gboolean            enabled,
                              const char * const *exempt_arns)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_LOCKDOWN;
  job->context = g_object_ref (context);
  job->bucket = g_strdup (pg_account_context_get_bucket (context));
  job->mode = mode;
  job->enabled = enabled;
  job->exempt = g_strdupv ((char **) exempt_arns);

  return queue_policy_job (self, job);
}

/* ---- Removing ---------------------------------------------------------------------------- */

static void
link_gone (PgLinkService *self,
           PgLink        *link)
{
  /* A link's own session is of no use any more, here or in the keyring. */
  if (pg_link_service_get_link_credentials (self, link) != NULL
      || pg_link_get_precision (link) == PG_LINK_PRECISION_SESSION)
    {
      pg_link_service_set_link_credentials (self, pg_link_get_id (link), NULL);
      g_signal_emit (self, signals [PG_LINK_SERVICE_SESSION_CHANGED], 0, link, NULL);
    }
  if (pg_link_store_remove (self->store, link))
    pg_link_service_save (self);
}

static void record_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
plain_record_removed_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(PgLinkService) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_link_copy_remove_finish (result, &error))
    g_debug ("A removed link’s record stays in the bucket: %s", error->message);
  self->records_writing--;
  _pg_link_service_update_busy (self);
}

static void
page_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  PgLink *link = g_task_get_task_data (task);
  GCancellable *cancellable;

  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Then its index entry and record. */
  cancellable = g_task_get_cancellable (task);
  pg_link_copy_remove_async (PG_S3_CLIENT (source), pg_link_get_bucket (link),
                             pg_link_get_id (link), NULL, pg_link_get_digest (link), cancellable,
                             record_deleted_cb, g_steal_pointer (&task));
}

static void
record_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_link_copy_remove_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  link_gone (g_task_get_source_object (task), g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
}

/**
 * pg_link_service_remove_async:
 *
 * Forgets @link. An upload page link's page is deleted from the bucket first, and so are a
 * link's private copy (the link stops working) and its record; when that fails, the link is
 * kept and the error says why. Files that partners uploaded stay. A link's own session is
 * forgotten ("session-changed" with %NULL).
 */
void
pg_link_service_remove_async (PgLinkService       *self,
                              PgAccountContext    *context,
                              PgLink              *link,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  PgS3Client *manager = pg_account_context_get_manager (context);
  const char *bucket = pg_account_context_get_bucket (context);
  g_autofree char *page_key = pg_upload_page_key (pg_link_get_id (link));

  g_task_set_source_tag (task, pg_link_service_remove_async);
  g_task_set_task_data (task, g_object_ref (link), g_object_unref);

  /* Deletes stay in the account's bucket and in the link's own place in our folder, whatever
   * the link (or the record it was read from) names. */
  if (g_strcmp0 (pg_link_get_bucket (link), bucket) != 0
      || (pg_link_get_page_key (link) != NULL
          && g_strcmp0 (pg_link_get_page_key (link), page_key) != 0))
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("Link “%s” names a page or bucket that is not its own: nothing "
                                 "was deleted."), pg_link_get_id (link));
      return;
    }

  if (pg_link_get_page_key (link) != NULL)
    {
      pg_s3_client_delete_object_async (manager, bucket, page_key, cancellable, page_deleted_cb,
                                        g_steal_pointer (&task));
      return;
    }

  if (pg_link_can_revoke_alone (link))
    {
      pg_link_copy_remove_async (manager, bucket, pg_link_get_id (link),
                                 pg_link_get_copy_of (link) ? pg_link_get_key (link) : NULL,
                                 pg_link_get_digest (link), cancellable, record_deleted_cb, g_steal_pointer (&task));
      return;
    }

  /* A plain link's record only says it existed: it goes when it can, the link in any case
   * (the service is busy until then). */
  self->records_writing++;
  _pg_link_service_update_busy (self);
  pg_link_copy_remove_async (manager, bucket, pg_link_get_id (link), NULL,
                             pg_link_get_digest (link), NULL, plain_record_removed_cb,
                             g_object_ref (self));
  link_gone (self, link);
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

/* ---- Transfers --------------------------------------------------------------------------- */

static void
transfer_progress_cb (goffset  current,
                    goffset  total,
                    gpointer user_data)
{
  PgLinkJob *job = user_data;

  job->fraction = total > 0 ? (double) current / (double) total : 1.0;
  if (job->service != NULL)
    g_signal_emit (job->service, signals [PG_LINK_SERVICE_JOB_PROGRESS], 0, job);
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
  g_signal_emit (self, signals [PG_LINK_SERVICE_JOB_STARTED], 0, job);
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
pg_link_service_upload (PgLinkService    *self,
                        PgAccountContext *context,
                        const char       *key,
                        GFile            *file,
                        gboolean          replace)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_UPLOAD;
  job->client = g_object_ref (pg_account_context_get_manager (context));
  job->bucket = g_strdup (pg_account_context_get_bucket (context));
  job->key = g_strdup (key);
  job->file = g_object_ref (file);
  job->replace = replace;
  g_queue_push_tail (&self->upload_jobs, job);
  _pg_link_service_update_busy (self);
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
pg_link_service_download (PgLinkService    *self,
                          PgAccountContext *context,
                          const char       *key,
                          GFile            *destination)
{
  PgLinkJob *job = g_object_new (PG_TYPE_LINK_JOB, NULL);

  job->kind = PG_LINK_JOB_DOWNLOAD;
  job->client = g_object_ref (pg_account_context_get_manager (context));
  job->bucket = g_strdup (pg_account_context_get_bucket (context));
  job->key = g_strdup (key);
  job->file = g_object_ref (destination);
  g_queue_push_tail (&self->upload_jobs, job);
  _pg_link_service_update_busy (self);
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

