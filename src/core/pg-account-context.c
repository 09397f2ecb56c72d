/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-account-context"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-account-context.h"
#include "pg-error.h"
#include "pg-link-session.h"

/* Everything needed to act for one account, whoever acts: the managing key's client (lists,
 * policies, records), the signing key's client (signs links, starts the signing role's
 * sessions, proves revocations), who the signer is (its ARN), the signing role, the bucket, and
 * where the server reports the uses of links (the account's watcher sources). The app builds it
 * from the keyring (pg-session.c), the command line from its options; the link service and the
 * watcher act through it, so that nothing above the core needs to know how a link is revoked.
 *
 * Which revoker takes back a link is decided here, once, for every precision:
 * pg_account_context_revoker_for_record_async(). */

struct _PgAccountContext
{
  GObject     parent_instance;

  char       *account_id;
  char       *bucket;
  PgS3Client *manager;
  PgS3Client *signer;
  char       *signer_arn;
  char       *role_arn;
  char       *ops_log_path;
  char       *queue_url;
  int         verify_timeout;
  guint       wait_limit;
};

G_DEFINE_FINAL_TYPE (PgAccountContext, pg_account_context, G_TYPE_OBJECT)

static void
pg_account_context_finalize (GObject *object)
{
  PgAccountContext *self = PG_ACCOUNT_CONTEXT (object);

  g_free (self->account_id);
  g_free (self->bucket);
  g_clear_object (&self->manager);
  g_clear_object (&self->signer);
  g_free (self->signer_arn);
  g_free (self->role_arn);
  g_free (self->ops_log_path);
  g_free (self->queue_url);

  G_OBJECT_CLASS (pg_account_context_parent_class)->finalize (object);
}

static void
pg_account_context_class_init (PgAccountContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_account_context_finalize;
}

static void
pg_account_context_init (PgAccountContext *self)
{
  self->verify_timeout = -1;
}

/**
 * pg_account_context_new:
 * @account_id: (nullable): the account's id in the app; %NULL on the command line
 * @bucket: the bucket the account works with
 * @manager: a client with the managing key
 * @signer: a client with the signing key (the same key as @manager's for a one-key account)
 * @signer_arn: (nullable): the signer's principal, when known (the account says, or STS)
 */
PgAccountContext *
pg_account_context_new (const char *account_id,
                        const char *bucket,
                        PgS3Client *manager,
                        PgS3Client *signer,
                        const char *signer_arn)
{
  PgAccountContext *self = g_object_new (PG_TYPE_ACCOUNT_CONTEXT, NULL);

  self->account_id = g_strdup (account_id);
  self->bucket = g_strdup (bucket);
  self->manager = g_object_ref (manager);
  self->signer = g_object_ref (signer);
  self->signer_arn = g_strdup (signer_arn);

  return self;
}

/* @role_arn: (nullable): the role whose sessions sign links one by one */
void
pg_account_context_set_signing_role (PgAccountContext *self,
                                     const char       *role_arn)
{
  g_free (self->role_arn);
  self->role_arn = g_strdup (role_arn);
}

/**
 * pg_account_context_set_uses_sources:
 * @ops_log_path: (nullable): the gateway's ops log file (Ceph RGW, on the gateway's host)
 * @queue_url: (nullable): an SQS queue fed with the bucket's uses (AWS)
 *
 * Where the server reports downloads, for the app's own watcher.
 */
void
pg_account_context_set_uses_sources (PgAccountContext *self,
                                     const char       *ops_log_path,
                                     const char       *queue_url)
{
  g_free (self->ops_log_path);
  self->ops_log_path = g_strdup (ops_log_path);
  g_free (self->queue_url);
  self->queue_url = g_strdup (queue_url);
}

/* The longest each revoker made here waits for another writer's lock (the command line's
 * --timeout); 0 for the lock's own bound. */
void
pg_account_context_set_wait_limit (PgAccountContext *self,
                                   guint             seconds)
{
  self->wait_limit = seconds;
}

/* How long each revoker made here waits for its proof (the revoker's default when negative). */
void
pg_account_context_set_verify_timeout (PgAccountContext *self,
                                       int               seconds)
{
  self->verify_timeout = seconds;
}

const char *
pg_account_context_get_account_id (PgAccountContext *self)
{
  return self->account_id;
}

const char *
pg_account_context_get_bucket (PgAccountContext *self)
{
  return self->bucket;
}

/* Returns: (transfer none): the managing key's client */
PgS3Client *
pg_account_context_get_manager (PgAccountContext *self)
{
  return self->manager;
}

PgEndpoint *
pg_account_context_get_endpoint (PgAccountContext *self)
{
  return pg_s3_client_get_endpoint (self->manager);
}

/* Returns: (transfer none): the signing key */
PgCredentials *
pg_account_context_get_signer (PgAccountContext *self)
{
  return pg_s3_client_get_credentials (self->signer);
}

/* Returns: (transfer none): a client with the signing key (starts the role's sessions) */
PgS3Client *
pg_account_context_get_signer_client (PgAccountContext *self)
{
  return self->signer;
}

/* Returns: (nullable): the signer's principal, when the account or STS named it */
const char *
pg_account_context_get_signer_arn (PgAccountContext *self)
{
  return self->signer_arn;
}

const char *
pg_account_context_get_signing_role (PgAccountContext *self)
{
  return self->role_arn;
}

const char *
pg_account_context_get_ops_log_path (PgAccountContext *self)
{
  return self->ops_log_path;
}

const char *
pg_account_context_get_queue_url (PgAccountContext *self)
{
  return self->queue_url;
}

/* Whether the account names a source that reports downloads (an ops log or a queue). */
gboolean
pg_account_context_reports_downloads (PgAccountContext *self)
{
  return self->ops_log_path != NULL || self->queue_url != NULL;
}

/* ---- Revokers ----------------------------------------------------------------------------- */

/* Every revoker made here waits as the context says. */
static PgRevoker *
configure (PgAccountContext *self,
           PgRevoker        *revoker)
{
  if (self->verify_timeout >= 0)
    pg_revoker_set_verify_timeout (revoker, (guint) self->verify_timeout);
  pg_revoker_set_wait_limit (revoker, self->wait_limit);

  return revoker;
}

static PgRevoker *
revoker_new (PgAccountContext *self,
             PgCredentials    *credentials,
             const char       *principal)
{
  return configure (self, pg_revoker_new (self->manager, credentials, principal));
}

/**
 * pg_account_context_new_revoker:
 *
 * A new revoker of the signing key, for one operation (its counters are per operation): its
 * Deny names the signer, its proof is signed with the signing key.
 *
 * Returns: (transfer full): the revoker, or %NULL when the signer's principal is not known
 */
PgRevoker *
pg_account_context_new_revoker (PgAccountContext  *self,
                                GError           **error)
{
  if (self->signer_arn == NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_UNSUPPORTED,
                           _("This server cannot tell who the signing key belongs to. Enter "
                             "the signer’s ARN in the account settings."));
      return NULL;
    }

  return revoker_new (self, pg_account_context_get_signer (self), self->signer_arn);
}

static void
revoker_started_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgAccountContext *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  PgRevoker *revoker = g_task_get_source_tag (task) == pg_account_context_role_revoker_async
                       ? pg_link_session_role_revoker_finish (result, &error)
                       : pg_link_session_revoker_for_finish (result, &error);

  if (revoker == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, configure (self, revoker), g_object_unref);
}

/**
 * pg_account_context_revoker_for_record_async:
 * @record: (nullable): the link, as its record describes it; %NULL for the signing key's
 *   revoker (a file, a lockdown)
 * @session: (nullable): the credentials of the link's own session, when this computer has them
 *
 * Chooses the revoker that takes back exactly the link @record describes — the one place that
 * decides it, for the app, the command line and the watcher:
 *
 * - a link signed in a session of its own: a revoker that denies that session alone, its proof
 *   signed in it (with @session's credentials; without them a new session of the same name,
 *   which is the same principal, started with the signing key);
 * - a link to a private copy, and any other link: the signing key's revoker (for a copy, the
 *   caller revokes the copy's key, which no other link points at).
 *
 * pg_account_context_revoker_for_record_finish() gives it.
 */
void
pg_account_context_revoker_for_record_async (PgAccountContext    *self,
                                             const PgLinkRecord  *record,
                                             PgCredentials       *session,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean federated;
  const char *role_arn;

  g_task_set_source_tag (task, pg_account_context_revoker_for_record_async);

  if (record == NULL || record->precision != PG_LINK_PRECISION_SESSION
      || record->session_name == NULL)
    {
      PgRevoker *revoker = pg_account_context_new_revoker (self, &error);

      if (revoker == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, revoker, g_object_unref);
      return;
    }

  if (session != NULL)
    {
      g_task_return_pointer (task, revoker_new (self, session, record->session_arn),
                             g_object_unref);
      return;
    }

  /* A federated session has no role: its record says which principal it is. */
  federated = pg_link_session_is_federated (record->session_arn);
  role_arn = federated ? NULL : record->role_arn != NULL ? record->role_arn : self->role_arn;
  if (role_arn == NULL && !federated)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("The link’s record does not name its signing role. Give it."));
      return;
    }

  pg_link_session_revoker_for_async (self->manager, self->signer, role_arn, record->bucket,
                                     record->key, record->session_name, record->session_arn,
                                     cancellable, revoker_started_cb, g_steal_pointer (&task));
}

/* Returns: (transfer full): the revoker, or %NULL with @error set */
PgRevoker *
pg_account_context_revoker_for_record_finish (PgAccountContext  *self,
                                              GAsyncResult      *result,
                                              GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pg_account_context_role_revoker_async:
 *
 * A revoker that names the signing role itself (every session of it: every link signed one by
 * one), proven in a session of the role: what a lockdown adds to the signer's.
 */
void
pg_account_context_role_revoker_async (PgAccountContext    *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_account_context_role_revoker_async);
  if (self->role_arn == NULL)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("The account has no signing role."));
      g_object_unref (task);
      return;
    }

  pg_link_session_role_revoker_async (self->manager, self->signer, self->role_arn, cancellable,
                                      revoker_started_cb, task);
}

PgRevoker *
pg_account_context_role_revoker_finish (PgAccountContext  *self,
                                        GAsyncResult      *result,
                                        GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The signing role ------------------------------------------------------------------- */

static void
role_set_up_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *role_arn = pg_signer_role_setup_finish (result, &error);

  if (role_arn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, role_arn, g_free);
}

static void
set_up_role (GTask      *task,
             const char *signer_arn)
{
  PgAccountContext *self = g_task_get_source_object (task);

  pg_signer_role_setup_async (self->manager, g_task_get_task_data (task), signer_arn,
                              self->bucket, g_task_get_cancellable (task), role_set_up_cb, task);
}

static void
signer_known_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *signer_arn = pg_s3_client_get_caller_identity_finish (PG_S3_CLIENT (source),
                                                                         result, &error);

  if (signer_arn == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PG_ERROR, PG_ERROR_UNSUPPORTED,
                                 _("Cannot find out who the signing key belongs to (%s): give "
                                   "the signer’s ARN first."), error->message);
      g_object_unref (task);
      return;
    }

  set_up_role (task, signer_arn);
}

/**
 * pg_account_context_create_signing_role_async:
 * @role_name: the role's name in IAM, e.g. "presign-guard-links"
 *
 * Creates the signing role with the managing key (or finds it): trusted by the signer alone —
 * whose ARN is asked of STS with the signing key when the context does not know it — and
 * allowed to read and write this bucket's files, never the bookkeeping folder.
 * pg_account_context_create_signing_role_finish() gives the role's ARN; the context itself is
 * not changed.
 */
void
pg_account_context_create_signing_role_async (PgAccountContext    *self,
                                              const char          *role_name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_account_context_create_signing_role_async);
  g_task_set_task_data (task, g_strdup (role_name), g_free);

  if (self->signer_arn != NULL)
    set_up_role (task, self->signer_arn);
  else
    pg_s3_client_get_caller_identity_async (self->signer, cancellable, signer_known_cb, task);
}

/* Returns: the signing role's ARN, or %NULL with @error set */
char *
pg_account_context_create_signing_role_finish (PgAccountContext  *self,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pg_account_context_create_signing_key_async:
 * @user_name: the IAM user's name, e.g. "presign-signer"
 *
 * Makes the signing key with the managing key (AWS): an IAM user allowed to read and write this
 * bucket's files but never the bookkeeping folder, and a new access key of it (see
 * pg_signer_user_setup_async()). pg_account_context_create_signing_key_finish() gives it; the
 * context itself is not changed.
 */
static void
signing_key_made_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  /* The setup's own result, finished by pg_account_context_create_signing_key_finish(). */
  g_task_return_pointer (task, g_object_ref (result), g_object_unref);
}

void
pg_account_context_create_signing_key_async (PgAccountContext    *self,
                                             const char          *user_name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_account_context_create_signing_key_async);
  pg_signer_user_setup_async (self->manager, user_name, self->bucket, cancellable,
                              signing_key_made_cb, task);
}

/**
 * pg_account_context_create_signing_key_finish:
 * @arn: (out): the user's ARN, whom revocations name
 * @access_key_id: (out): the new key's ID
 * @secret: (out): its secret, shown this once; wipe it with pg_credentials_wipe_export()
 */
gboolean
pg_account_context_create_signing_key_finish (PgAccountContext  *self,
                                              GAsyncResult      *result,
                                              char             **arn,
                                              char             **access_key_id,
                                              char             **secret,
                                              GError           **error)
{
  g_autoptr(GAsyncResult) made = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pg_account_context_create_signing_key_async, FALSE);

  /* Cancelled, the context's own task says so. */
  if (!(made = g_task_propagate_pointer (G_TASK (result), error)))
    return FALSE;

  return pg_signer_user_setup_finish (made, arn, access_key_id, secret, error);
}
