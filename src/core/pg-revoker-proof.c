/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-revoker"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-endpoint.h"
#include "pg-error.h"
#include "pg-presign.h"
#include "pg-revoker-private.h"

/* The proof of a change to the bucket policy, with the signer's own key: a baseline request
 * before the change, then the same request until it meets what the change should do, a settle
 * time, one more read of the policy and one more try of the link. See pg-revoker.c for the whole
 * sequence. */

/* ---- Probes: requests signed like the link ------------------------------------------------ */

/* Downloads are tried with GET of the first byte, so that a refusal comes with S3's reason (an
 * answer to HEAD has no body). Uploads and lockdowns are tried with a PUT whose body does not
 * match its signed checksum: refused by the policy it is a 403, allowed it is a 400 "bad
 * digest", and nothing is ever stored. A lockdown is tried on a key that need not exist (some
 * servers answer 404 to a missing key before they look at the policy; a PUT is not affected). */
static gboolean
uses_get_probe (Job *job)
{
  return job->op != OP_LOCKDOWN && _pg_revoker_target (job)->action == PG_POLICY_ACTION_GET;
}

/* Probes the job's targets one after the other, from the first. */

void
_pg_revoker_probe (GTask               *task,
                   GAsyncReadyCallback  callback)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  Target *target = _pg_revoker_target (job);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PgPresignOptions options = {
    .bucket = job->bucket,
    .key = target->key ? target->key : job->probe_key,
    .expires = 60,
    .signing_time = pg_s3_client_get_now (self->manager),
  };

  if (uses_get_probe (job))
    {
      options.method = PG_METHOD_GET;
    }
  else
    {
      options.method = PG_METHOD_PUT;
      options.content_md5 = MD5_OF_NOTHING;
    }

  url = pg_presign_url (pg_s3_client_get_endpoint (self->manager), self->signer, &options,
                        &error);
  if (url == NULL)
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  self->stats.probes++;
  self->stats.requests++;
  if (uses_get_probe (job))
    {
      static const char *headers[] = { "Range", "bytes=0-0", NULL };

      pg_s3_client_fetch_url_async (self->manager, "GET", url, headers, NULL,
                                    g_task_get_cancellable (task), callback, task);
    }
  else
    {
      static const char *headers[] = { "Content-MD5", MD5_OF_NOTHING, NULL };
      static const char mismatch[] = PROBE_BODY_MISMATCH;
      g_autoptr(GBytes) body = g_bytes_new_static (mismatch, sizeof mismatch - 1);

      pg_s3_client_fetch_url_async (self->manager, "PUT", url, headers, body,
                                    g_task_get_cancellable (task), callback, task);
    }
}

ProbeOutcome
_pg_revoker_classify (guint       status,
                      const char *code)
{
  if (status < 300 || status == SOUP_STATUS_NOT_FOUND || status == 416
      || (status == SOUP_STATUS_BAD_REQUEST
          && (g_strcmp0 (code, "BadDigest") == 0 || g_strcmp0 (code, "InvalidDigest") == 0)))
    return PROBE_ALLOWED;

  if (status == SOUP_STATUS_FORBIDDEN && g_strcmp0 (code, "AccessDenied") == 0)
    return PROBE_DENIED;

  if (g_strcmp0 (code, "SignatureDoesNotMatch") == 0
      || g_strcmp0 (code, "InvalidAccessKeyId") == 0
      || g_strcmp0 (code, "InvalidToken") == 0 || g_strcmp0 (code, "ExpiredToken") == 0
      || g_strcmp0 (code, "TokenRefreshRequired") == 0
      || g_strcmp0 (code, "RequestTimeTooSkewed") == 0)
    return PROBE_BAD_KEY;

  return PROBE_OTHER;
}

/* Why a request signed with the signing key was not accepted, in words. */
GError *
_pg_revoker_signer_error (PgRevoker  *self,
                          Job        *job,
                          guint       status,
                          const char *code)
{
  const char *key_id = pg_credentials_get_access_key_id (self->signer);
  const char *outcome = job->written ? _("The change was saved, but it cannot be proven.")
                                     : _("Nothing was changed.");
  g_autofree char *reason = NULL;

  if (g_strcmp0 (code, "SignatureDoesNotMatch") == 0)
    reason = g_strdup_printf (_("A test link signed with the signing key %s was refused: its "
                                "secret key does not match. Check the signing key."), key_id);
  else if (g_strcmp0 (code, "InvalidAccessKeyId") == 0)
    reason = g_strdup_printf (_("The server does not know the signing key %s. Check the signing "
                                "key."), key_id);
  else if (g_strcmp0 (code, "RequestTimeTooSkewed") == 0)
    reason = g_strdup (_("A test link was refused because your computer’s clock is off. Set it "
                         "right and try again."));
  else if (code != NULL && (g_str_has_suffix (code, "Token")
                            || g_str_equal (code, "TokenRefreshRequired")))
    reason = g_strdup_printf (_("The temporary credentials of the signing key %s are not valid "
                                "any more (%s). Get new ones."), key_id, code);
  else if (status == SOUP_STATUS_FORBIDDEN)
    reason = g_strdup_printf (_("Links signed with the signing key %s are already refused here, "
                                "by something other than Presign Guard (another statement of "
                                "the bucket policy, or the key’s own permissions), so refusing "
                                "them cannot be proven."), key_id);
  else
    reason = g_strdup_printf (_("A test link signed with the signing key was answered with "
                                "%u %s."), status, code ? code : soup_status_get_phrase (status));

  return g_error_new (PG_ERROR, job->written ? PG_ERROR_NOT_VERIFIED : PG_ERROR_SIGNER_REFUSED,
                      "%s %s", reason, outcome);
}

/* ---- Proof, settle, re-check --------------------------------------------------------------- */

static void proof_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static gboolean
probe_again_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!_pg_revoker_job_end_if_cancelled (task))
    _pg_revoker_probe (task, proof_cb);

  return G_SOURCE_REMOVE;
}

static void
schedule_probe (GTask *task)
{
  Job *job = g_task_get_task_data (task);

  job->probe_delay = MIN (MAX_PROBE_DELAY_MS, MAX (FIRST_PROBE_DELAY_MS, job->probe_delay * 2));
  g_timeout_add (job->probe_delay, probe_again_cb, task);
}

static GError *
not_verified_error (PgRevoker *self,
                    Job       *job)
{
  if (job->expect == EXPECT_ALLOWED)
    return g_error_new (PG_ERROR, PG_ERROR_NOT_VERIFIED,
                        _("The change was saved, but after %u seconds the link is still "
                          "refused."), self->verify_seconds);

  return g_error_new (PG_ERROR, PG_ERROR_NOT_VERIFIED,
                      _("The change was saved, but after %u seconds a link signed with the "
                        "signing key still works. Check that the signer’s ARN (%s) names the "
                        "user or role whose key signs the links; otherwise this server may not "
                        "enforce bucket policies."),
                      self->verify_seconds, self->signer_arn);
}

static void recheck_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* ---- Taking back a refusal that does not hold ---------------------------------------------- */

/* A refusal that never showed names the wrong principal (a mistyped signer ARN) or meets a
 * server that does not enforce it: either way it must not stay in the bucket policy. It is taken
 * back exactly — the policy as it was before — unless somebody changed it meanwhile. */

static GError *
taken_back_error (PgRevoker *self)
{
  return g_error_new (PG_ERROR, PG_ERROR_TAKEN_BACK,
                      _("After %u seconds a link signed with the signing key still worked, so "
                        "the change was taken back: the bucket policy is as it was. Check that "
                        "the signer’s ARN (%s) names the user or role whose key signs the links; "
                        "otherwise this server may not enforce bucket policies."),
                      self->verify_seconds, self->signer_arn);
}

static void
taken_back_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!_pg_revoker_store_policy_finish (task, result, &error))
    {
      _pg_revoker_job_end (task, not_verified_error (self, job));
      return;
    }

  job->written = FALSE;
  _pg_revoker_job_end (task, taken_back_error (self));
}

static void
take_back_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  PgPolicy *before = g_object_get_data (G_OBJECT (task), "before");
  PgPolicy *wrote = g_object_get_data (G_OBJECT (task), "wrote");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) stored = NULL;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error)
      || !(stored = pg_policy_new (text, pg_endpoint_get_partition (
                                     pg_s3_client_get_endpoint (self->manager)), NULL))
      || wrote == NULL || !pg_policy_equal (stored, wrote))
    {
      /* Somebody else's change since ours: it is not ours to undo. */
      _pg_revoker_job_end (task, not_verified_error (self, job));
      return;
    }

  _pg_revoker_store_policy (task, before, taken_back_cb);
}

static void
take_back (GTask *task)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  self->stats.requests++;
  pg_s3_client_get_bucket_policy_async (self->manager, job->bucket,
                                        g_task_get_cancellable (task), take_back_read_cb, task);
}

/* Reads the policy again: is our change still there? @final: after the proof held, to confirm
 * it; otherwise while the proof does not hold yet, to see whether somebody undid our change. */
static void
check_policy (GTask    *task,
              gboolean  final)
{
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  job->final_check = final;
  self->stats.requests++;
  pg_s3_client_get_bucket_policy_async (self->manager, job->bucket,
                                        g_task_get_cancellable (task), recheck_cb, task);
}

static gboolean
settled_cb (gpointer user_data)
{
  GTask *task = user_data;

  if (!_pg_revoker_job_end_if_cancelled (task))
    check_policy (task, TRUE);

  return G_SOURCE_REMOVE;
}

static void
proof_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  guint status = pg_s3_client_fetch_url_finish (PG_S3_CLIENT (source), result, &code, &error);
  ProbeOutcome outcome = _pg_revoker_classify (status, code);
  gboolean met;

  if (status == 0)
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  if (outcome == PROBE_BAD_KEY)
    {
      _pg_revoker_job_end (task, _pg_revoker_signer_error (self, job, status, code));
      return;
    }

  met = job->expect == EXPECT_REFUSED ? outcome == PROBE_DENIED : outcome == PROBE_ALLOWED;

  /* Every target must meet the change: the next one is tried at once. */
  if (met && job->current + 1 < job->targets->len)
    {
      job->current++;
      _pg_revoker_probe (task, proof_cb);
      return;
    }

  if (met && !job->rechecked)
    {
      /* Proven once: let other writers' changes land, then look again. */
      g_timeout_add (self->settle_ms, settled_cb, task);
      return;
    }

  if (met)
    {
      _pg_revoker_job_end (task, NULL);
      return;
    }

  /* Some servers answer 404 for a missing key before they look at the policy: a link to a file
   * that is not there cannot be shown to be refused. AWS does refuse it. */
  if (job->expect == EXPECT_REFUSED && _pg_revoker_target (job)->missing
      && status == SOUP_STATUS_NOT_FOUND && !_pg_revoker_is_aws (self))
    {
      _pg_revoker_job_end (task,
                           g_error_new (PG_ERROR, PG_ERROR_NOT_VERIFIED,
                                        _("The file “%s” is not in the bucket, so this server "
                                          "cannot show that links to it are refused. The "
                                          "revocation was saved; it also holds if the file is "
                                          "put back."), _pg_revoker_target (job)->key));
      return;
    }

  if (_pg_revoker_seconds_since (job->proof_started) > self->verify_seconds)
    {
      if (job->expect == EXPECT_REFUSED && job->written
          && g_object_get_data (G_OBJECT (task), "before") != NULL)
        take_back (task);
      else
        _pg_revoker_job_end (task, not_verified_error (self, job));
      return;
    }

  /* Now and then, look whether our change is still in the policy at all. */
  if (job->written && ++job->unmet % 3 == 0)
    {
      check_policy (task, FALSE);
      return;
    }

  schedule_probe (task);
}

void
_pg_revoker_prove (GTask *task)
{
  Job *job = g_task_get_task_data (task);

  if (job->expect == EXPECT_NOTHING)
    {
      PgRevoker *self = g_task_get_source_object (task);

      if (job->rechecked)
        _pg_revoker_job_end (task, NULL);
      else
        g_timeout_add (self->settle_ms, settled_cb, task);
      return;
    }

  if (job->proof_started == 0)
    job->proof_started = g_get_monotonic_time ();
  job->current = 0;
  job->probe_delay = 0;
  job->unmet = 0;
  _pg_revoker_probe (task, proof_cb);
}

static void
recheck_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  PgRevoker *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) after = NULL;
  gboolean changed = FALSE;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error)
      || !(after = _pg_revoker_apply_to_stored (self, job, text, NULL, &changed, &error)))
    {
      _pg_revoker_job_end (task, g_steal_pointer (&error));
      return;
    }

  /* Our change is gone (or never arrived): somebody wrote meanwhile. Do it again. */
  if (changed)
    {
      g_debug ("bucket policy of %s changed under us; cycle %u", job->bucket, job->cycle);
      _pg_revoker_cycle_start (task);
      return;
    }

  /* Still there. While the proof does not hold yet, keep trying; once it held, one more try
   * of the link says whether it still does. */
  if (!job->final_check)
    {
      schedule_probe (task);
      return;
    }

  job->rechecked = TRUE;
  _pg_revoker_prove (task);
}
