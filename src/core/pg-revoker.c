/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-revoker"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-revoker-private.h"

/* Revocation as a read-modify-write of the bucket policy, kept apart from other writers and
 * proven with the signer's own key:
 *
 *   1. take the lease (pg-lease.c): one writer at a time for this bucket's policy
 *   2. read the policy; change only our statements (pg-policy-edit.c); an invalid or oversized
 *      change fails here and nothing is written
 *   3. baseline: a request signed exactly like the link (the signer, the action) must get past
 *      authorization *before* the change, or the proof below would prove nothing — a wrong
 *      secret or a signer refused for other reasons stops everything here, nothing written
 *   4. confirm the lease is still ours, then write the policy (or delete it when empty)
 *   5. proof: the same request must now be refused with S3's "AccessDenied" (a bad signature
 *      or an unknown key is a different code and never counts), or, when lifting a revocation,
 *      be let through; polled while the policy propagates
 *   6. after a short settle time, read the policy again: our change must still be there and the
 *      proof must still hold; otherwise somebody changed the policy meanwhile (by hand, outside
 *      the lease): go back to 2, a few times at most
 *   7. release the lease, whatever happened
 *
 * Where the managing key may not write the lease object, that is said once (see
 * pg_revoker_get_notice()) and the steps run without it: step 6 is then the only guard. */

G_DEFINE_FINAL_TYPE (PgRevoker, pg_revoker, G_TYPE_OBJECT)

static void
target_clear (Target *target)
{
  g_free (target->key);
}

static void
job_free (Job *job)
{
  g_free (job->bucket);
  g_array_unref (job->targets);
  g_strfreev (job->exempt);
  g_free (job->probe_key);
  g_clear_object (&job->lease);
  g_free (job);
}

static void
pg_revoker_finalize (GObject *object)
{
  PgRevoker *self = PG_REVOKER (object);

  g_clear_object (&self->manager);
  g_clear_pointer (&self->signer, pg_credentials_unref);
  g_free (self->signer_arn);
  g_free (self->notice);

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
  /* AWS spreads a new bucket policy over its servers within seconds; a gateway of its own (Ceph)
   * applies it at once. */
  self->settle_ms = pg_endpoint_is_aws (pg_s3_client_get_endpoint (manager)) ? AWS_SETTLE_MS
                                                                             : DEFAULT_SETTLE_MS;

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

/* The client that reads and writes the bucket policy. */
PgS3Client *
pg_revoker_get_manager (PgRevoker *self)
{
  return self->manager;
}

PgCredentials *
pg_revoker_get_signer (PgRevoker *self)
{
  return self->signer;
}

const char *
pg_revoker_get_signer_arn (PgRevoker *self)
{
  return self->signer_arn;
}

/* How long the proof may take before the change is reported as not verified. */
void
pg_revoker_set_verify_timeout (PgRevoker *self,
                               guint      seconds)
{
  self->verify_seconds = seconds;
}

/* How long to wait after the proof before reading the policy once more. */
void
pg_revoker_set_settle_time (PgRevoker *self,
                            guint      milliseconds)
{
  self->settle_ms = milliseconds;
}

/* The longest a change waits for another writer's lock (the command line's --timeout); 0 for
 * the lock's own bound. */
void
pg_revoker_set_wait_limit (PgRevoker *self,
                           guint      seconds)
{
  self->wait_limit = seconds;
}

/* How long a lease lasts; 0 (the default) for the proof's time limit plus a minute. Never more
 * than %PG_LEASE_MAX_SECONDS: other writers would not believe it. */
void
pg_revoker_set_lease_seconds (PgRevoker *self,
                              guint      seconds)
{
  self->lease_seconds = seconds;
}

/* Counters of the last operation, for the benchmark and the curious. */
const PgRevokeStats *
pg_revoker_get_stats (PgRevoker *self)
{
  return &self->stats;
}

/**
 * pg_revoker_get_notice:
 *
 * Returns: (nullable): something the user should know about how the last operation went
 *   although it succeeded, e.g. that it ran without the lease.
 */
const char *
pg_revoker_get_notice (PgRevoker *self)
{
  return self->notice;
}

static const char *
partition_of (PgRevoker *self)
{
  return pg_endpoint_get_partition (pg_s3_client_get_endpoint (self->manager));
}

gboolean
_pg_revoker_is_aws (PgRevoker *self)
{
  return pg_endpoint_is_aws (pg_s3_client_get_endpoint (self->manager));
}

double
_pg_revoker_seconds_since (gint64 started)
{
  return (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
}

/* ---- The end: the lease goes back whatever happened -------------------------------------- */

static void
released_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) release_error = NULL;
  GError *error = g_object_steal_data (G_OBJECT (task), "error");

  if (!pg_lease_release_finish (PG_LEASE (source), result, &release_error))
    g_debug ("lease not released (it will expire): %s", release_error->message);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Ends the operation with @error (taken), or with success when it is %NULL. */
void
_pg_revoker_job_end (GTask  *task,
                     GError *error)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  /* Whatever stopped us once the policy was written, the change may well be in place: never
   * report it as not made. */
  if (error != NULL && job->written && !g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
    {
      GError *saved = g_error_new (PG_ERROR, PG_ERROR_NOT_VERIFIED,
                                   _("The change was saved, but it could not be checked: %s"),
                                   error->message);

      g_error_free (error);
      error = saved;
    }

  self->stats.seconds = _pg_revoker_seconds_since (job->started);
  if (job->lease != NULL)
    {
      self->stats.requests += pg_lease_get_requests (job->lease) + pg_lease_is_held (job->lease);
      self->stats.lease_waits = pg_lease_get_waits (job->lease);
    }

  if (job->lease != NULL && pg_lease_is_held (job->lease))
    {
      if (error != NULL)
        g_object_set_data_full (G_OBJECT (task), "error", error, (GDestroyNotify) g_error_free);
      pg_lease_release_async (job->lease, released_cb, task);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

gboolean
_pg_revoker_job_end_if_cancelled (GTask *task)
{
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    return FALSE;

  _pg_revoker_job_end (task, error);

  return TRUE;
}

/* ---- Read-modify-write ------------------------------------------------------------------- */

static gboolean
apply (PgRevoker  *self,
       Job        *job,
       PgPolicy   *policy,
       GError    **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (pg_s3_client_get_now (self->manager));

  /* Our folder is the managing key's alone: the signer (or the signing role) it is kept from
   * writing there, from the first write of ours that names it. Never the manager itself, and
   * not a link's own session (it signs one link, and the role is kept out by its own
   * permissions). Best effort: the emergency stop must not fail for it. */
  if (!self->same_identity && !pg_policy_is_link_session (self->signer_arn)
      && (job->op == OP_REVOKE
          || (job->op == OP_LOCKDOWN && job->enabled && job->mode == PG_LOCKDOWN_SIGNER)))
    {
      g_autoptr(GError) guard_error = NULL;

      pg_policy_prune_expired (policy, job->bucket, now);
      if (!pg_policy_guard_folder (policy, job->bucket, self->signer_arn, &guard_error))
        g_debug ("our folder is not guarded: %s", guard_error->message);
    }

  switch (job->op)
    {
    case OP_REVOKE:
      for (guint i = 0; i < job->targets->len; i++)
        {
          Target *target = &g_array_index (job->targets, Target, i);

          if (!pg_policy_revoke (policy, job->bucket, target->key, target->action,
                                 self->signer_arn, self->same_identity, now, error))
            return FALSE;
        }
      return TRUE;
    case OP_UNREVOKE:
      for (guint i = 0; i < job->targets->len; i++)
        {
          Target *target = &g_array_index (job->targets, Target, i);

          pg_policy_unrevoke (policy, job->bucket, target->key, target->action,
                              self->signer_arn);
        }
      pg_policy_release_guard (policy, job->bucket);
      return TRUE;
    case OP_LOCKDOWN:
      if (!pg_policy_set_lockdown (policy, job->bucket, job->mode, job->enabled,
                                   self->signer_arn, (const char * const *) job->exempt, error))
        return FALSE;
      if (!job->enabled)
        pg_policy_release_guard (policy, job->bucket);
      return TRUE;
    case OP_PRUNE:
      pg_policy_prune (policy, job->bucket, now);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* The stored policy, and what our operation would make of it; @changed says whether they
 * differ. */
PgPolicy *
_pg_revoker_apply_to_stored (PgRevoker   *self,
                             Job         *job,
                             const char  *text,
                             PgPolicy   **before,
                             gboolean    *changed,
                             GError     **error)
{
  g_autoptr(PgPolicy) stored = pg_policy_new (text, partition_of (self), error);
  g_autoptr(PgPolicy) after = NULL;

  if (stored == NULL)
    return NULL;

  pg_policy_set_escape_wildcards (stored, _pg_revoker_is_aws (self));
  after = pg_policy_copy (stored);
  if (!apply (self, job, after, error))
    return NULL;

  *changed = !pg_policy_equal (after, stored);
  if (before != NULL)
    *before = g_steal_pointer (&stored);

  return g_steal_pointer (&after);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!_pg_revoker_store_policy_finish (task, result, &error))
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  job->written = TRUE;
  _pg_revoker_prove (task);
}

static void
write_policy (GTask    *task,
              PgPolicy *policy)
{
  /* What we wrote, to take it back exactly should its proof fail (pg-revoker-proof.c). */
  g_object_set_data_full (G_OBJECT (task), "wrote", pg_policy_copy (policy),
                          (GDestroyNotify) pg_policy_free);
  _pg_revoker_store_policy (task, policy, written_cb);
}

/* Stores @policy as the bucket's policy: deletes the policy when @policy is empty (S3 refuses
 * an empty one). One store at a time per job; finish with _pg_revoker_store_policy_finish(). */
void
_pg_revoker_store_policy (GTask               *task,
                          PgPolicy            *policy,
                          GAsyncReadyCallback  callback)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  self->stats.requests++;
  g_object_set_data (G_OBJECT (task), "deleting", GINT_TO_POINTER (pg_policy_is_empty (policy)));
  if (pg_policy_is_empty (policy))
    {
      pg_s3_client_delete_bucket_policy_async (self->manager, job->bucket, cancellable,
                                               callback, task);
    }
  else
    {
      g_autofree char *json = pg_policy_to_json (policy, FALSE);

      pg_s3_client_put_bucket_policy_async (self->manager, job->bucket, json, cancellable,
                                            callback, task);
    }
}

gboolean
_pg_revoker_store_policy_finish (GTask         *task,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  PgRevoker *self = g_task_get_source_object (task);

  if (g_object_get_data (G_OBJECT (task), "deleting"))
    return pg_s3_client_delete_bucket_policy_finish (self->manager, result, error);

  return pg_s3_client_put_bucket_policy_finish (self->manager, result, error);
}

static void lease_taken_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
confirmed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = g_object_steal_data (G_OBJECT (task), "policy");

  if (!pg_lease_confirm_finish (PG_LEASE (source), result, &error))
    {
      if (error != NULL)
        {
          _pg_revoker_job_end (task, g_steal_pointer (&error));
          return;
        }

      /* Taken over while we were too slow: we write nothing, and start again. */
      g_debug ("lease lost before writing; taking it again");
      pg_lease_acquire_async (PG_LEASE (source), g_task_get_cancellable (task), lease_taken_cb,
                              task);
      return;
    }

  write_policy (task, policy);
}

/* Writes @policy (taken), after making sure the lease is still ours. */
static void
write_under_lease (GTask    *task,
                   PgPolicy *policy)
{
  Job *job = g_task_get_task_data (task);

  if (job->lease == NULL || !pg_lease_is_held (job->lease))
    {
      write_policy (task, policy);
      pg_policy_free (policy);
      return;
    }

  g_object_set_data_full (G_OBJECT (task), "policy", policy, (GDestroyNotify) pg_policy_free);
  pg_lease_confirm_async (job->lease, g_task_get_cancellable (task), confirmed_cb, task);
}

/* Moves to the next target that needs a baseline; %FALSE when there is none. */
static gboolean
next_baseline (Job *job)
{
  while (++job->current < job->targets->len)
    {
      if (_pg_revoker_target (job)->baseline)
        return TRUE;
    }

  return FALSE;
}

static void
baseline_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  guint status = pg_s3_client_fetch_url_finish (PG_S3_CLIENT (source), result, &code, &error);

  if (status == 0)
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  /* Anything but "let through" before our change means the proof could not mean anything. */
  if (_pg_revoker_classify (status, code) != PROBE_ALLOWED)
    {
      _pg_revoker_job_end (task, _pg_revoker_signer_error (self, job, status, code));
      return;
    }

  _pg_revoker_target (job)->missing = status == SOUP_STATUS_NOT_FOUND;
  if (next_baseline (job))
    {
      _pg_revoker_probe (task, baseline_cb);
      return;
    }

  job->baseline_done = TRUE;
  write_under_lease (task, g_object_steal_data (G_OBJECT (task), "policy"));
}

/* Whether a statement of ours in @policy already refuses @target. */
static gboolean
refused_by_ours (PgRevoker *self,
                 Job       *job,
                 PgPolicy  *policy,
                 Target    *target)
{
  if (pg_policy_get_lockdown (policy, job->bucket, PG_LOCKDOWN_SIGNER)
      || (_pg_revoker_is_aws (self)
          && pg_policy_get_lockdown (policy, job->bucket, PG_LOCKDOWN_ANY)))
    return TRUE;

  return job->op == OP_REVOKE
         && pg_policy_is_revoked (policy, job->bucket, target->key, target->action,
                                  self->signer_arn);
}

/* Marks the targets that need a baseline before a refusal is written, and points at the first;
 * %FALSE when none does. */
static gboolean
plan_baseline (PgRevoker *self,
               Job       *job,
               PgPolicy  *before)
{
  gboolean any = FALSE;

  for (guint i = 0; i < job->targets->len; i++)
    {
      Target *target = &g_array_index (job->targets, Target, i);

      target->baseline = !refused_by_ours (self, job, before, target);
      any |= target->baseline;
    }

  job->current = 0;
  if (any && !g_array_index (job->targets, Target, 0).baseline)
    next_baseline (job);

  return any;
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) before = NULL;
  g_autoptr(PgPolicy) after = NULL;
  gboolean changed = FALSE;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error)
      || !(after = _pg_revoker_apply_to_stored (self, job, text, &before, &changed, &error)))
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  /* What the policy was before our change, to put back should the change not hold. */
  g_object_set_data_full (G_OBJECT (task), "before", pg_policy_copy (before),
                          (GDestroyNotify) pg_policy_free);

  /* Already as wanted (a second revoke, say): nothing to write, only the proof. */
  if (!changed)
    {
      _pg_revoker_prove (task);
      return;
    }

  /* A refusal we are about to write must be provable: the link must work before — unless a
   * statement of ours refuses it already (a lockdown), which then is what the proof sees. Once
   * is enough; a later cycle only redoes what somebody undid. */
  if (job->expect == EXPECT_REFUSED && !job->baseline_done && plan_baseline (self, job, before))
    {
      g_object_set_data_full (G_OBJECT (task), "policy", g_steal_pointer (&after),
                              (GDestroyNotify) pg_policy_free);
      _pg_revoker_probe (task, baseline_cb);
      return;
    }

  write_under_lease (task, g_steal_pointer (&after));
}

void
_pg_revoker_cycle_start (GTask *task)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  if (_pg_revoker_job_end_if_cancelled (task))
    return;

  if (++job->cycle > MAX_CYCLES)
    {
      _pg_revoker_job_end (task,
                           g_error_new_literal (PG_ERROR, PG_ERROR_CONFLICT,
                                                _("The bucket policy kept changing while it "
                                                  "was being updated. Somebody else may be "
                                                  "editing it; try again in a minute.")));
      return;
    }

  job->rechecked = FALSE;
  self->stats.cycles++;
  self->stats.requests++;
  pg_s3_client_get_bucket_policy_async (self->manager, job->bucket, g_task_get_cancellable (task),
                                        read_cb, task);
}

/* ---- The lease, then the cycles ---------------------------------------------------------- */

static void
lease_taken_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_lease_acquire_finish (PG_LEASE (source), result, &error))
    {
      /* Not allowed to write the lease: say so, and rely on the re-check alone. */
      if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED))
        {
          g_free (self->notice);
          self->notice = g_strdup_printf (_("The managing key may not write “%s” in the bucket "
                                            "“%s”, so changes by several people at once are not "
                                            "kept apart; each change is checked after it is "
                                            "made."), PG_REVOKER_LEASE_KEY, job->bucket);
          _pg_revoker_cycle_start (task);
          return;
        }

      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  /* A lockdown that took somebody else's lock over (or went on without it) says so. */
  if (pg_lease_get_takeover_notice (PG_LEASE (source)) != NULL)
    {
      g_free (self->notice);
      self->notice = g_strdup (pg_lease_get_takeover_notice (PG_LEASE (source)));
    }

  _pg_revoker_cycle_start (task);
}

static void
start (PgRevoker           *self,
       Job                 *job,
       const char          *purpose,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean names_signer = job->op == OP_REVOKE
                          || (job->op == OP_LOCKDOWN && job->enabled
                              && job->mode == PG_LOCKDOWN_SIGNER);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  memset (&self->stats, 0, sizeof self->stats);
  g_clear_pointer (&self->notice, g_free);
  job->started = g_get_monotonic_time ();

  /* Invalid input changes nothing: it is refused before anything is sent. */
  if (job->op != OP_PRUNE && !pg_revoker_check (self, &error))
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < job->targets->len; i++)
    {
      const char *key = g_array_index (job->targets, Target, i).key;

      if (!pg_policy_check_target (job->bucket, key,
                                   names_signer ? (self->signer_arn ? self->signer_arn : "")
                                                : NULL,
                                   &error))
        {
          _pg_revoker_job_end (task, g_steal_pointer (&error));
          return;
        }

      /* Where "*" and "?" in a policy's Resource cannot be escaped (AWS reads ${*} and ${?},
       * other servers do not), a key with them would be a pattern: its revocation would also
       * close links to other files. Refused rather than done too widely without a word. */
      if (job->op == OP_REVOKE && !_pg_revoker_is_aws (self) && strpbrk (key, "*?") != NULL)
        {
          _pg_revoker_job_end (task,
                               g_error_new (PG_ERROR, PG_ERROR_UNSUPPORTED,
                                            _("This server reads “*” and “?” in “%s” as "
                                              "wildcards: revoking it would also close links to "
                                              "other files whose names match. Nothing was "
                                              "changed. Share a copy under a name without “*” "
                                              "and “?” to be able to take its links back."),
                                            key));
          return;
        }
    }

  job->lease = pg_lease_new (self->manager, job->bucket, PG_REVOKER_LEASE_KEY, purpose,
                             self->lease_seconds ? self->lease_seconds
                                                 : self->verify_seconds + 60);
  /* The emergency stop waits for nobody for long: it takes a lock held past a short bound over,
   * and its proof and re-read still decide whether it worked. Lifting it waits like the rest. */
  if (job->op == OP_LOCKDOWN && job->enabled)
    pg_lease_set_takeover (job->lease, PG_LEASE_TAKEOVER_SECONDS);
  pg_lease_set_wait_limit (job->lease, self->wait_limit);
  pg_lease_acquire_async (job->lease, cancellable, lease_taken_cb, task);
}

static Job *
job_new (Op                    op,
         const char           *bucket,
         const PgPolicyTarget *targets,
         guint                 n_targets)
{
  Job *job = g_new0 (Job, 1);

  job->op = op;
  job->bucket = g_strdup (bucket);
  job->targets = g_array_sized_new (FALSE, TRUE, sizeof (Target), MAX (n_targets, 1));
  g_array_set_clear_func (job->targets, (GDestroyNotify) target_clear);
  for (guint i = 0; i < n_targets; i++)
    {
      Target target = { .key = g_strdup (targets[i].key), .action = targets[i].action };

      g_array_append_val (job->targets, target);
    }
  /* A lockdown is tried on a key of its own; see uses_get_probe(). */
  if (n_targets == 0)
    {
      Target target = { .key = NULL, .action = PG_POLICY_ACTION_PUT };

      g_array_append_val (job->targets, target);
    }
  /* Outside our folder, which the signer may not write to (a probe never stores anything). */
  job->probe_key = g_strdup_printf (".presign-guard-probe/%08x", g_random_int ());

  return job;
}

/**
 * pg_revoker_revoke_targets_async:
 * @targets: (array length=n_targets): objects and actions, at least one
 *
 * Makes every link of the signer for each target stop working, in one write of the policy, and
 * proves it. pg_revoker_finish() returns %TRUE only once a request signed by the signer is
 * refused by the policy for every target, and still is after the policy was read once more.
 */
void
pg_revoker_revoke_targets_async (PgRevoker            *self,
                                 const char           *bucket,
                                 const PgPolicyTarget *targets,
                                 guint                 n_targets,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  Job *job;

  g_return_if_fail (n_targets > 0);

  job = job_new (OP_REVOKE, bucket, targets, n_targets);
  job->expect = EXPECT_REFUSED;
  start (self, job, "revoke", pg_revoker_revoke_targets_async, cancellable, callback,
         user_data);
}

/**
 * pg_revoker_unrevoke_targets_async:
 *
 * Lifts the revocation of each target (the "Undo" of a revoke) in one write, and proves the
 * signer is allowed again on every one.
 */
void
pg_revoker_unrevoke_targets_async (PgRevoker            *self,
                                   const char           *bucket,
                                   const PgPolicyTarget *targets,
                                   guint                 n_targets,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  Job *job;

  g_return_if_fail (n_targets > 0);

  job = job_new (OP_UNREVOKE, bucket, targets, n_targets);
  job->expect = EXPECT_ALLOWED;
  start (self, job, "unrevoke", pg_revoker_unrevoke_targets_async, cancellable, callback,
         user_data);
}

/**
 * pg_revoker_revoke_async:
 *
 * Makes every link of the signer for @action on this one object stop working, and proves it;
 * see pg_revoker_revoke_targets_async().
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
  PgPolicyTarget target = { key, action };

  pg_revoker_revoke_targets_async (self, bucket, &target, 1, cancellable, callback, user_data);
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
  PgPolicyTarget target = { key, action };

  pg_revoker_unrevoke_targets_async (self, bucket, &target, 1, cancellable, callback, user_data);
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
  Job *job = job_new (OP_LOCKDOWN, bucket, NULL, 0);

  job->mode = mode;
  job->enabled = enabled;
  job->exempt = g_strdupv ((char **) exempt_arns);
  job->expect = enabled ? EXPECT_REFUSED : EXPECT_ALLOWED;

  if (mode == PG_LOCKDOWN_ANY && !_pg_revoker_is_aws (self))
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

  start (self, job, "lockdown", pg_revoker_set_lockdown_async, cancellable, callback, user_data);
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
  Job *job = job_new (OP_PRUNE, bucket, NULL, 0);

  job->expect = EXPECT_NOTHING;
  start (self, job, "prune", pg_revoker_prune_async, cancellable, callback, user_data);
}

gboolean
pg_revoker_finish (PgRevoker     *self,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
