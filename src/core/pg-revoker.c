/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-revoker"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-presign.h"
#include "pg-revoker.h"

/* Revocation as a read-modify-write of the bucket policy, followed by a proof.
 *
 *   1. read the policy (GetBucketPolicy)
 *   2. change only our statements (pg-policy.c); nothing is written when that fails
 *   3. write it (PutBucketPolicy, or DeleteBucketPolicy when nothing is left)
 *   4. read it back: if it differs, somebody changed it meanwhile (or the change has not
 *      propagated yet): go back to 1, a few times at most
 *   5. prove it with the signer's own key: a presigned request must now be refused (403), or,
 *      after lifting a revocation, no longer be refused; retried while the policy propagates.
 *
 * S3 offers no compare-and-swap for bucket policies; the read-back is what catches a concurrent
 * writer, who (running Presign Guard too) redoes its own cycle in turn. */

#define MAX_CYCLES             5
#define DEFAULT_VERIFY_SECONDS 30
#define FIRST_PROBE_DELAY_MS   100
#define MAX_PROBE_DELAY_MS     2000

struct _PgRevoker
{
  GObject        parent_instance;

  PgS3Client    *manager;
  PgCredentials *signer;
  char          *signer_arn;
  gboolean       same_identity;
  guint          verify_seconds;
  PgRevokeStats  stats;
};

G_DEFINE_FINAL_TYPE (PgRevoker, pg_revoker, G_TYPE_OBJECT)

typedef enum {
  OP_REVOKE,
  OP_UNREVOKE,
  OP_LOCKDOWN,
  OP_PRUNE,
} Op;

typedef enum {
  EXPECT_NOTHING,
  EXPECT_REFUSED,
  EXPECT_ALLOWED,
} Expectation;

typedef struct
{
  Op              op;
  char           *bucket;
  char           *key;
  PgPolicyAction  action;
  PgLockdownMode  mode;
  gboolean        enabled;
  GStrv           exempt;

  PgPolicy       *written;
  guint           cycle;
  Expectation     expect;
  gint64          started;
  guint           probe_delay;
} Job;

static void
job_free (Job *job)
{
  g_free (job->bucket);
  g_free (job->key);
  g_strfreev (job->exempt);
  g_clear_pointer (&job->written, pg_policy_free);
  g_free (job);
}

static void
pg_revoker_finalize (GObject *object)
{
  PgRevoker *self = PG_REVOKER (object);

  g_clear_object (&self->manager);
  g_clear_pointer (&self->signer, pg_credentials_unref);
  g_free (self->signer_arn);

  G_OBJECT_CLASS (pg_revoker_parent_class)->finalize (object);
}

static void
pg_revoker_class_init (PgRevokerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_revoker_finalize;
}

static void
pg_revoker_init (PgRevoker *self)
{
  self->verify_seconds = DEFAULT_VERIFY_SECONDS;
}

/**
 * pg_revoker_new:
 * @manager: the client that reads and writes the bucket policy
 * @signer: the credentials links are signed with (may be the manager's own)
 * @signer_arn: the signer's principal ARN, as bucket policies name it
 */
PgRevoker *
pg_revoker_new (PgS3Client    *manager,
                PgCredentials *signer,
                const char    *signer_arn)
{
  PgRevoker *self = g_object_new (PG_TYPE_REVOKER, NULL);

  self->manager = g_object_ref (manager);
  self->signer = pg_credentials_ref (signer);
  self->signer_arn = g_strdup (signer_arn);
  self->same_identity = g_str_equal (pg_credentials_get_access_key_id (signer),
                                     pg_credentials_get_access_key_id (
                                       pg_s3_client_get_credentials (manager)));

  return self;
}

/**
 * pg_revoker_check:
 *
 * Whether this setup can revoke at all. With one key for managing and signing, only AWS can
 * tell a presigned request from the manager's own, so elsewhere a separate signer is needed.
 */
gboolean
pg_revoker_check (PgRevoker  *self,
                  GError    **error)
{
  if (self->same_identity && !pg_endpoint_is_aws (pg_s3_client_get_endpoint (self->manager)))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_UNSUPPORTED,
                           _("Revoking links on this server needs a separate signing key: "
                             "links signed with the managing key cannot be told apart from "
                             "its own requests here."));
      return FALSE;
    }

  return TRUE;
}

void
pg_revoker_set_verify_timeout (PgRevoker *self,
                               guint      seconds)
{
  self->verify_seconds = seconds;
}

/* Counters of the last operation, for the benchmark and the curious. */
const PgRevokeStats *
pg_revoker_get_stats (PgRevoker *self)
{
  return &self->stats;
}

static void cycle_start (GTask *task);

static const char *
partition_of (PgRevoker *self)
{
  return pg_endpoint_get_partition (pg_s3_client_get_endpoint (self->manager));
}

/* ---- Proof ----------------------------------------------------------------------------- */

static gboolean
uses_head_probe (Job *job)
{
  return job->op != OP_LOCKDOWN && job->action == PG_POLICY_ACTION_GET;
}

static char *
probe_url (PgRevoker  *self,
           Job        *job,
           GError    **error)
{
  g_autofree char *probe_key = NULL;
  PgPresignOptions options = {
    .bucket = job->bucket,
    .expires = 60,
    .signing_time = pg_s3_client_get_now (self->manager),
  };

  /* A lockdown covers every object: any key will do, even one that does not exist. */
  if (job->key == NULL)
    probe_key = g_strdup_printf (".presign-guard/probe-%08x", g_random_int ());
  options.key = job->key ? job->key : probe_key;

  /* A download is proven with HEAD. An upload, and a lockdown (tried on a key that need not
   * exist, where some servers answer 404 to a HEAD before looking at the policy), is proven with
   * a PUT whose body does not match its signed checksum: refused by the policy it is a 403,
   * allowed it is a 400 "bad digest", and nothing is ever stored. */
  if (uses_head_probe (job))
    {
      options.method = PG_METHOD_HEAD;
    }
  else
    {
      options.method = PG_METHOD_PUT;
      options.content_md5 = "1B2M2Y8AsgTpgAmY7PhCfg=="; /* MD5 of the empty string */
    }

  return pg_presign_url (pg_s3_client_get_endpoint (self->manager), self->signer, &options,
                         error);
}

static void probe (GTask *task);

static gboolean
probe_again_cb (gpointer user_data)
{
  g_autoptr(GTask) task = user_data;

  if (!g_task_return_error_if_cancelled (task))
    probe (g_steal_pointer (&task));

  return G_SOURCE_REMOVE;
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint status = pg_s3_client_fetch_url_finish (PG_S3_CLIENT (source), result, &error);
  PgRevoker *self;
  Job *job;
  gboolean refused;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  job = g_task_get_task_data (task);
  refused = status == SOUP_STATUS_FORBIDDEN;

  if (refused == (job->expect == EXPECT_REFUSED))
    {
      self->stats.seconds = (g_get_monotonic_time () - job->started) / (double) G_USEC_PER_SEC;
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_get_monotonic_time () - job->started > (gint64) self->verify_seconds * G_USEC_PER_SEC)
    {
      self->stats.seconds = (g_get_monotonic_time () - job->started) / (double) G_USEC_PER_SEC;
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_NOT_VERIFIED,
                               job->expect == EXPECT_REFUSED
                               ? _("The change was saved, but after %u seconds the link still "
                                   "works. The server may not enforce bucket policies for this "
                                   "key.")
                               : _("The change was saved, but after %u seconds the link is "
                                   "still refused."),
                               self->verify_seconds);
      return;
    }

  job->probe_delay = MIN (MAX_PROBE_DELAY_MS, MAX (FIRST_PROBE_DELAY_MS, job->probe_delay * 2));
  g_timeout_add (job->probe_delay, probe_again_cb, g_steal_pointer (&task));
}

static void
probe (GTask *task)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = probe_url (self, job, &error);
  g_autoptr(GBytes) body = NULL;

  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  if (!uses_head_probe (job))
    {
      static const char mismatch[] = "presign-guard probe";
      static const char *headers[] = { "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==", NULL };

      body = g_bytes_new_static (mismatch, sizeof mismatch - 1);
      self->stats.probes++;
      self->stats.requests++;
      pg_s3_client_fetch_url_async (self->manager, "PUT", url, headers, body,
                                    g_task_get_cancellable (task), probe_cb, task);
      return;
    }

  self->stats.probes++;
  self->stats.requests++;
  pg_s3_client_fetch_url_async (self->manager, "HEAD", url, NULL, NULL,
                                g_task_get_cancellable (task), probe_cb, task);
}

/* ---- Read-modify-write ------------------------------------------------------------------ */

static void
readback_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) stored = NULL;
  PgRevoker *self;
  Job *job;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  job = g_task_get_task_data (task);
  stored = pg_policy_new (text, partition_of (self),
                          NULL);

  if (stored == NULL || !pg_policy_equal (stored, job->written))
    {
      g_debug ("bucket policy of %s changed under us; cycle %u", job->bucket, job->cycle);
      cycle_start (g_steal_pointer (&task));
      return;
    }

  if (job->expect == EXPECT_NOTHING)
    {
      self->stats.seconds = (g_get_monotonic_time () - job->started) / (double) G_USEC_PER_SEC;
      g_task_return_boolean (task, TRUE);
      return;
    }

  probe (g_steal_pointer (&task));
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  PgRevoker *self;
  Job *job;

  job = g_task_get_task_data (task);
  if (pg_policy_is_empty (job->written))
    pg_s3_client_delete_bucket_policy_finish (PG_S3_CLIENT (source), result, &error);
  else
    pg_s3_client_put_bucket_policy_finish (PG_S3_CLIENT (source), result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  self->stats.requests++;
  pg_s3_client_get_bucket_policy_async (self->manager, job->bucket, cancellable,
                                        readback_cb, g_steal_pointer (&task));
}

static gboolean
apply (PgRevoker  *self,
       Job        *job,
       PgPolicy   *policy,
       GError    **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (pg_s3_client_get_now (self->manager));

  switch (job->op)
    {
    case OP_REVOKE:
      return pg_policy_revoke (policy, job->bucket, job->key, job->action, self->signer_arn,
                               self->same_identity, now, error);
    case OP_UNREVOKE:
      pg_policy_unrevoke (policy, job->bucket, job->key, job->action);
      return TRUE;
    case OP_LOCKDOWN:
      return pg_policy_set_lockdown (policy, job->bucket, job->mode, job->enabled,
                                     self->signer_arn, (const char * const *) job->exempt, error);
    case OP_PRUNE:
      pg_policy_prune (policy, job->bucket, now);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) before = NULL;
  g_autoptr(PgPolicy) policy = NULL;
  PgRevoker *self;
  Job *job;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  job = g_task_get_task_data (task);

  before = pg_policy_new (text, partition_of (self),
                          &error);
  if (before == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_policy_set_escape_wildcards (before,
                                  pg_endpoint_is_aws (pg_s3_client_get_endpoint (self->manager)));
  policy = pg_policy_copy (before);
  if (!apply (self, job, policy, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Already as wanted (a second revoke, say): nothing to write, only the proof. */
  if (pg_policy_equal (policy, before))
    {
      if (job->expect == EXPECT_NOTHING)
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      probe (g_steal_pointer (&task));
      return;
    }

  g_clear_pointer (&job->written, pg_policy_free);
  job->written = g_steal_pointer (&policy);
  self->stats.requests++;

  if (pg_policy_is_empty (job->written))
    {
      pg_s3_client_delete_bucket_policy_async (self->manager, job->bucket,
                                               cancellable, written_cb,
                                               g_steal_pointer (&task));
    }
  else
    {
      g_autofree char *json = pg_policy_to_json (job->written, FALSE);

      pg_s3_client_put_bucket_policy_async (self->manager, job->bucket, json,
                                            cancellable, written_cb,
                                            g_steal_pointer (&task));
    }
}

static void
cycle_start (GTask *task)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  if (++job->cycle > MAX_CYCLES)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_CONFLICT,
                               _("The bucket policy kept changing while it was being updated. "
                                 "Somebody else may be editing it; try again in a minute."));
      g_object_unref (task);
      return;
    }

  self->stats.cycles++;
  self->stats.requests++;
  pg_s3_client_get_bucket_policy_async (self->manager, job->bucket, g_task_get_cancellable (task),
                                        read_cb, task);
}

static void
start (PgRevoker           *self,
       Job                 *job,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  memset (&self->stats, 0, sizeof self->stats);
  job->started = g_get_monotonic_time ();

  if (job->op != OP_PRUNE && !pg_revoker_check (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  cycle_start (task);
}

static Job *
job_new (Op          op,
         const char *bucket,
         const char *key)
{
  Job *job = g_new0 (Job, 1);

  job->op = op;
  job->bucket = g_strdup (bucket);
  job->key = g_strdup (key);

  return job;
}

/**
 * pg_revoker_revoke_async:
 *
 * Makes every link of the signer for @action on this one object stop working, and proves it.
 * pg_revoker_finish() returns %TRUE only once a request signed by the signer is refused.
 */
void
pg_revoker_revoke_async (PgRevoker           *self,
                         const char          *bucket,
                         const char          *key,
                         PgPolicyAction       action,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  Job *job = job_new (OP_REVOKE, bucket, key);

  job->action = action;
  job->expect = EXPECT_REFUSED;
  start (self, job, pg_revoker_revoke_async, cancellable, callback, user_data);
}

/**
 * pg_revoker_unrevoke_async:
 *
 * Lifts a revocation (the "Undo" of a revoke), and proves the signer is allowed again.
 */
void
pg_revoker_unrevoke_async (PgRevoker           *self,
                           const char          *bucket,
                           const char          *key,
                           PgPolicyAction       action,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Job *job = job_new (OP_UNREVOKE, bucket, key);

  job->action = action;
  job->expect = EXPECT_ALLOWED;
  start (self, job, pg_revoker_unrevoke_async, cancellable, callback, user_data);
}

/**
 * pg_revoker_set_lockdown_async:
 *
 * Blocks (or unblocks) every link of the bucket, and proves it on an arbitrary key. The "any"
 * mode relies on `s3:authType`, which only AWS evaluates; elsewhere it is refused.
 */
void
pg_revoker_set_lockdown_async (PgRevoker           *self,
                               const char          *bucket,
                               PgLockdownMode       mode,
                               gboolean             enabled,
                               const char * const  *exempt_arns,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Job *job = job_new (OP_LOCKDOWN, bucket, NULL);

  job->mode = mode;
  job->enabled = enabled;
  job->exempt = g_strdupv ((char **) exempt_arns);
  job->expect = enabled ? EXPECT_REFUSED : EXPECT_ALLOWED;

  if (mode == PG_LOCKDOWN_ANY && !pg_endpoint_is_aws (pg_s3_client_get_endpoint (self->manager)))
    {
      GTask *task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, pg_revoker_set_lockdown_async);
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_UNSUPPORTED,
                               _("Blocking every presigned link regardless of who signed it "
                                 "works on Amazon S3 only. Use the signer mode on this "
                                 "server."));
      g_object_unref (task);
      job_free (job);
      return;
    }

  start (self, job, pg_revoker_set_lockdown_async, cancellable, callback, user_data);
}

/**
 * pg_revoker_prune_async:
 *
 * Drops our revocation statements that are older than every link they could concern.
 */
void
pg_revoker_prune_async (PgRevoker           *self,
                        const char          *bucket,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  start (self, job_new (OP_PRUNE, bucket, NULL), pg_revoker_prune_async, cancellable, callback,
         user_data);
}

gboolean
pg_revoker_finish (PgRevoker     *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
