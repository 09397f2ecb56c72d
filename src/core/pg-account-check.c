/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-account-check"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-account-check.h"
#include "pg-error.h"
#include "pg-link-session.h"
#include "pg-presign.h"
#include "pg-revoker-private.h"
#include "pg-text.h"

/* "Test Connection": what the app will do with an account, tried step by step, each outcome in
 * words. The same operation serves the account dialog and `presign-guard-cli check`.
 *
 *   1. the managing key lists the bucket;
 *   2. the managing key reads the bucket policy (a bucket without one is fine);
 *   3. a link signed with the signing key is sent, as a partner would send it, for a key that
 *      does not exist under .presign-guard/. S3 checks the signature before it looks for the
 *      file, so "no such key" means the signature was accepted and a wrong secret cannot pass:
 *      this is the revoker's baseline probe (pg-revoker-proof.c), and its answers are read by
 *      the same rules;
 *   4. whom a revocation will deny: STS GetCallerIdentity with the signing key; a server
 *      without STS (Ceph RGW answers 405) falls back to the ARN entered, any other error is
 *      reported as it is. Asked only of a signing key that step 3 proved;
 *   5. a test revocation for that ARN (the one entered, else STS's), made and proven by the
 *      revoker itself on a test file the managing key writes under .presign-guard/ (a file
 *      that exists: some servers answer 404 for a missing one before they read the policy):
 *      while it stands, a link signed with the signing key must be refused. An ARN that is not
 *      the signing key's cannot pass: its Deny does not apply, the proof times out, and the
 *      revoker takes the change back. Then the revocation is lifted;
 *   6. with a signing role: a session of it started with the signing key (its trust policy,
 *      the role's ARN), and a test revocation of that session alone on the same file, proven
 *      with a link signed in the session (the role may read the bucket; a link signed one by
 *      one can be revoked alone), then lifted. Then the test file is deleted;
 *   7. the clock, from the Date of the server's answers.
 *
 * Only the test file and the test revocation are written, and both are taken away again. */

/* How long a test revocation waits for a lock somebody else holds: a test does not queue
 * behind a stuck lock for long, it says so instead. */
#define TEST_WAIT_LIMIT_SECONDS 30

typedef struct
{
  PgS3Client    *manager;
  PgCredentials *signer;
  char          *bucket;
  char          *signer_arn;
  char          *role_arn;
  char          *probe_key;
  char          *test_key;     /* the test revocation's file */
  guint          verify_seconds;
  PgRevoker     *revoker;      /* the test revocation's */
  PgRevoker     *role_revoker; /* the same, for one session of the signing role */
  GPtrArray     *results;
  gboolean       answered;     /* the server answered at least once: its clock is known */
  gboolean       signer_denied; /* the test link was refused for a policy, not its signature */
  gboolean       manager_failed; /* the managing key failed a step: it cannot revoke either */
} Check;

static void
check_free (Check *check)
{
  g_clear_object (&check->manager);
  g_clear_pointer (&check->signer, pg_credentials_unref);
  g_free (check->bucket);
  g_free (check->signer_arn);
  g_free (check->role_arn);
  g_free (check->probe_key);
  g_free (check->test_key);
  g_clear_object (&check->revoker);
  g_clear_object (&check->role_revoker);
  g_clear_pointer (&check->results, g_ptr_array_unref);
  g_free (check);
}

void
pg_account_check_result_free (PgAccountCheckResult *result)
{
  if (result == NULL)
    return;

  g_free (result->text);
  g_clear_error (&result->error);
  g_free (result);
}

/* Short names for scripts and logs: "list", "policy", "signer", "identity", "revocation",
 * "role", "clock". */
const char *
pg_account_check_step_to_string (PgAccountCheckStep step)
{
  switch (step)
    {
    case PG_ACCOUNT_CHECK_LIST:
      return "list";
    case PG_ACCOUNT_CHECK_POLICY:
      return "policy";
    case PG_ACCOUNT_CHECK_SIGNER:
      return "signer";
    case PG_ACCOUNT_CHECK_IDENTITY:
      return "identity";
    case PG_ACCOUNT_CHECK_REVOCATION:
      return "revocation";
    case PG_ACCOUNT_CHECK_ROLE:
      return "role";
    case PG_ACCOUNT_CHECK_CLOCK:
      return "clock";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* "ok", "warning" or "failed". */
const char *
pg_account_check_state_to_string (PgAccountCheckState state)
{
  switch (state)
    {
    case PG_ACCOUNT_CHECK_OK:
      return "ok";
    case PG_ACCOUNT_CHECK_WARNING:
      return "warning";
    case PG_ACCOUNT_CHECK_FAILED:
      return "failed";
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Takes @text and @error. */
static void
add_result (Check               *check,
            PgAccountCheckStep   step,
            PgAccountCheckState  state,
            char                *text,
            GError              *error)
{
  PgAccountCheckResult *result = g_new0 (PgAccountCheckResult, 1);

  result->step = step;
  result->state = state;
  result->text = text;
  result->error = error;
  g_ptr_array_add (check->results, result);
}

/* The same, stealing *@error: the text may be made of it, in the same call. */
static void
add_result_stealing (Check               *check,
                     PgAccountCheckStep   step,
                     PgAccountCheckState  state,
                     char                *text,
                     GError             **error)
{
  add_result (check, step, state, text, g_steal_pointer (error));
}

static gboolean
is_network_error (const GError *error)
{
  return g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NETWORK);
}

/* ---- 5. The clock, and the end ------------------------------------------------------------ */

static void
finish (GTask *task)
{
  Check *check = g_task_get_task_data (task);

  /* Without a single answer from the server there is nothing to compare the clock with. */
  if (check->answered)
    {
      gint64 offset = pg_s3_client_get_clock_offset (check->manager);

      if (ABS (offset) >= 60)
        {
          int minutes = (int) MIN (ABS (offset) / 60, G_MAXINT);

          add_result (check, PG_ACCOUNT_CHECK_CLOCK, PG_ACCOUNT_CHECK_WARNING,
                      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "Your computer’s clock is off by %d "
                                                    "minute; links are signed with the "
                                                    "server’s time.",
                                                    "Your computer’s clock is off by %d "
                                                    "minutes; links are signed with the "
                                                    "server’s time.", minutes),
                                       minutes),
                      NULL);
        }
      else
        {
          add_result (check, PG_ACCOUNT_CHECK_CLOCK, PG_ACCOUNT_CHECK_OK,
                      g_strdup (_("The computer’s clock is right.")), NULL);
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&check->results),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

/* ---- The test file -------------------------------------------------------------------------- */

static void test_role (GTask *task);

static void
test_file_removed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Not worth a line of its own: a test file left behind harms nothing. */
  if (!pg_s3_client_delete_object_finish (PG_S3_CLIENT (source), result, &error))
    g_debug ("The test file was not deleted: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  finish (g_steal_pointer (&task));
}

/* Deletes the test file, even when the check was cancelled meanwhile, then finishes. */
static void
remove_test_file (GTask *task)
{
  Check *check = g_task_get_task_data (task);

  pg_s3_client_delete_object_async (check->manager, check->bucket, check->test_key, NULL,
                                    test_file_removed_cb, task);
}

/* Revokes the test file with @revoker, set up as a test's (its time to hold, a short wait for a
 * lock somebody else holds). Takes @task. */
static void
revoke_test_file (GTask               *task,
                  PgRevoker           *revoker,
                  GAsyncReadyCallback  callback)
{
  Check *check = g_task_get_task_data (task);

  if (check->verify_seconds > 0)
    pg_revoker_set_verify_timeout (revoker, check->verify_seconds);
  pg_revoker_set_wait_limit (revoker, TEST_WAIT_LIMIT_SECONDS);
  pg_revoker_revoke_async (revoker, check->bucket, check->test_key, PG_POLICY_ACTION_GET,
                           g_task_get_cancellable (task), callback, task);
}

/* Lifts the test revocation of @revoker. Takes @task. */
static void
lift_test_revocation (GTask               *task,
                      PgRevoker           *revoker,
                      GAsyncReadyCallback  callback)
{
  Check *check = g_task_get_task_data (task);

  pg_revoker_unrevoke_async (revoker, check->bucket, check->test_key, PG_POLICY_ACTION_GET,
                             g_task_get_cancellable (task), callback, task);
}

/* ---- 6. A session of the signing role ----------------------------------------------------- */

static void
role_lifted_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean lifted = pg_revoker_finish (PG_REVOKER (source), result, &error);
  Check *check = g_task_get_task_data (task);
  g_autofree char *role = pg_text_sanitize (check->role_arn);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      remove_test_file (g_steal_pointer (&task));
      return;
    }

  if (lifted)
    add_result (check, PG_ACCOUNT_CHECK_ROLE, PG_ACCOUNT_CHECK_OK,
                g_strdup_printf (_("Links signed one by one work: the signing key started a "
                                   "session of the signing role %s, and a test revocation of "
                                   "that session alone stopped a link signed in it. The test "
                                   "revocation has been lifted."), role),
                NULL);
  else
    add_result_stealing (check, PG_ACCOUNT_CHECK_ROLE, PG_ACCOUNT_CHECK_WARNING,
                         g_strdup_printf (_("Links signed one by one work with the signing role "
                                            "%s, but lifting the test revocation failed (%s); "
                                            "it names only a test session."), role,
                                          error->message),
                         &error);

  remove_test_file (g_steal_pointer (&task));
}

static void
role_revoked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Check *check = g_task_get_task_data (task);
  g_autofree char *role = NULL;

  if (pg_revoker_finish (PG_REVOKER (source), result, &error))
    {
      lift_test_revocation (g_steal_pointer (&task), check->role_revoker, role_lifted_cb);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      remove_test_file (g_steal_pointer (&task));
      return;
    }

  role = pg_text_sanitize (check->role_arn);
  /* Refused before any change: the role may not read this bucket (made for another one?). */
  if (g_error_matches (error, PG_ERROR, PG_ERROR_SIGNER_REFUSED))
    add_result_stealing (check, PG_ACCOUNT_CHECK_ROLE, PG_ACCOUNT_CHECK_FAILED,
                         g_strdup_printf (_("A session of the signing role %s may not read the "
                                            "files of “%s”, so links signed one by one would not "
                                            "work: the role’s permissions name the bucket it "
                                            "was made for. Make a role for this bucket "
                                            "(Create)."), role, check->bucket),
                         &error);
  else
    add_result_stealing (check, PG_ACCOUNT_CHECK_ROLE, PG_ACCOUNT_CHECK_FAILED,
                         g_strdup_printf (_("A test revocation of one session of the signing "
                                            "role %s did not hold, so links signed one by one "
                                            "cannot be revoked: %s"), role, error->message),
                         &error);
  remove_test_file (g_steal_pointer (&task));
}

static void
role_session_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Check *check = g_task_get_task_data (task);
  g_autofree char *role = NULL;

  check->role_revoker = pg_link_session_revoker_for_finish (result, &error);
  if (check->role_revoker != NULL)
    {
      revoke_test_file (g_steal_pointer (&task), check->role_revoker, role_revoked_cb);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      remove_test_file (g_steal_pointer (&task));
      return;
    }

  role = pg_text_sanitize (check->role_arn);
  add_result_stealing (check, PG_ACCOUNT_CHECK_ROLE, PG_ACCOUNT_CHECK_FAILED,
                       g_strdup_printf (_("The signing key cannot start a session of the "
                                          "signing role %s, so links cannot be signed one by "
                                          "one: %s Check the role’s ARN, and that its trust "
                                          "policy names the signing key."),
                                        role, error->message),
                       &error);
  remove_test_file (g_steal_pointer (&task));
}

/* With a signing role: one session of it, revoked alone, as a link signed one by one is. */
static void
test_role (GTask *task)
{
  Check *check = g_task_get_task_data (task);
  g_autoptr(PgS3Client) signer = NULL;
  g_autofree char *id = NULL;
  g_autofree char *session_name = NULL;

  if (check->role_arn == NULL)
    {
      remove_test_file (task);
      return;
    }

  id = g_uuid_string_random ();
  session_name = pg_link_session_name (id, FALSE);
  signer = pg_s3_client_new (pg_s3_client_get_endpoint (check->manager), check->signer,
                             pg_s3_client_get_session (check->manager));
  pg_s3_client_set_retries (signer, 1, 0);
  pg_s3_client_set_timeouts (signer, pg_s3_client_get_request_timeout (check->manager),
                             pg_s3_client_get_request_timeout (check->manager));
  pg_link_session_revoker_for_async (check->manager, signer, check->role_arn, check->bucket,
                                     check->test_key, session_name, NULL,
                                     g_task_get_cancellable (task), role_session_cb, task);
}

/* ---- 5. A test revocation of the signer ---------------------------------------------------- */

static void
lifted_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  gboolean lifted = pg_revoker_finish (PG_REVOKER (source), result, &error);
  Check *check = g_task_get_task_data (task);
  g_autofree char *arn = NULL;
  const char *key_id;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      remove_test_file (g_steal_pointer (&task));
      return;
    }

  arn = pg_text_sanitize (pg_revoker_get_signer_arn (check->revoker));
  key_id = pg_credentials_get_access_key_id (check->signer);
  if (lifted)
    add_result (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_OK,
                g_strdup_printf (_("Revoking works for %s: while a test revocation stood, the "
                                   "server refused a link signed with the signing key %s. The "
                                   "test revocation has been lifted."), arn, key_id),
                NULL);
  else
    add_result_stealing (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_WARNING,
                         g_strdup_printf (_("Revoking works for %s: while a test revocation "
                                            "stood, the server refused a link signed with the "
                                            "signing key %s. Lifting the test revocation "
                                            "failed (%s); it names only a test file, which is "
                                            "deleted now."), arn, key_id, error->message),
                         &error);

  test_role (g_steal_pointer (&task));
}

static void
revoked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = NULL;
  Check *check;

  check = g_task_get_task_data (task);
  if (pg_revoker_finish (PG_REVOKER (source), result, &error))
    {
      lift_test_revocation (g_steal_pointer (&task), check->revoker, lifted_cb);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      remove_test_file (g_steal_pointer (&task));
      return;
    }

  arn = pg_text_sanitize (pg_revoker_get_signer_arn (check->revoker));
  if (g_error_matches (error, PG_ERROR, PG_ERROR_TAKEN_BACK))
    {
      gboolean aws = pg_endpoint_is_aws (pg_s3_client_get_endpoint (check->manager));

      add_result_stealing (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_FAILED,
                           g_strdup_printf (_("%s is not whom the signing key %s belongs to: a "
                                              "test revocation for it did not stop a link "
                                              "signed with that key, so it was taken back. %s"),
                                            arn, pg_credentials_get_access_key_id (check->signer),
                                            pg_policy_signer_arn_hint (aws)),
                           &error);
    }
  else
    {
      add_result_stealing (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_FAILED,
                           g_strdup_printf (_("A test revocation for %s could not be made, so "
                                              "links cannot be revoked yet: %s"),
                                            arn, error->message),
                           &error);
    }

  test_role (g_steal_pointer (&task));
}

static void
test_file_written_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  Check *check;

  if (pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      check = g_task_get_task_data (task);
      revoke_test_file (g_steal_pointer (&task), check->revoker, revoked_cb);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  check = g_task_get_task_data (task);
  add_result_stealing (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_FAILED,
                       g_strdup_printf (_("The managing key %s cannot write in the bucket’s "
                                          "folder %s, so links cannot be recorded or revoked: "
                                          "%s"),
                                        pg_credentials_get_access_key_id (
                                          pg_s3_client_get_credentials (check->manager)),
                                        PG_POLICY_FOLDER, error->message),
                       &error);
  finish (g_steal_pointer (&task));
}

/* Revokes a test file for @arn, as a revocation of a link would; lifts it once proven. */
static void
test_revocation (GTask      *task,
                 const char *arn)
{
  Check *check = g_task_get_task_data (task);
  g_autofree char *id = g_uuid_string_random ();
  static const char text[] = "A test file of Presign Guard's Test Connection, deleted at once.\n";
  g_autoptr(GBytes) body = g_bytes_new_static (text, sizeof text - 1);

  /* Said already, and it would only fail the same way again. */
  if (check->manager_failed)
    {
      finish (task);
      return;
    }

  /* A revocation is proven by a link that worked before and is refused after. */
  if (check->signer_denied)
    {
      add_result (check, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_WARNING,
                  g_strdup (_("Revoking could not be tested: the server refuses the signing key "
                              "the test file already. Each revocation of a link is still proven "
                              "on that link.")),
                  g_error_new_literal (PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED,
                                       "AccessDenied"));
      finish (task);
      return;
    }

  check->revoker = pg_revoker_new (check->manager, check->signer, arn);

  check->test_key = g_strconcat (PG_POLICY_FOLDER "check-", id, NULL);
  pg_s3_client_put_bytes_async (check->manager, check->bucket, check->test_key, body,
                                "text/plain; charset=utf-8", PG_S3_PUT_NO_STORE,
                                g_task_get_cancellable (task), test_file_written_cb, task);
}

/* ---- 4. Whom a revocation denies ------------------------------------------------------------ */

static void
identity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = pg_s3_client_get_caller_identity_finish (PG_S3_CLIENT (source), result,
                                                                  &error);
  Check *check;

  if (g_task_return_error_if_cancelled (task))
    return;

  check = g_task_get_task_data (task);
  if (arn != NULL)
    {
      g_autofree char *safe = pg_text_sanitize (arn);

      if (check->signer_arn != NULL && !g_str_equal (check->signer_arn, arn))
        {
          g_autofree char *entered = pg_text_sanitize (check->signer_arn);

          add_result (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_WARNING,
                      g_strdup_printf (_("The server says links are signed by %s, but the "
                                         "signer ARN entered is %s, and that is whom revoking a "
                                         "link will deny. Check the signer ARN."),
                                       safe, entered),
                      NULL);
        }
      else
        add_result (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_OK,
                    g_strdup_printf (_("Links are signed by %s."), safe), NULL);

      /* The ARN entered is the one revocations will name: that is the one to prove. */
      test_revocation (g_steal_pointer (&task), check->signer_arn ? check->signer_arn : arn);
      return;
    }
  else if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED))
    {
      /* No STS here (Ceph RGW): the ARN has to be entered. The signing key itself was proven
       * by the test link before. */
      if (check->signer_arn != NULL)
        {
          add_result_stealing (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_OK,
                               g_strdup (_("This server cannot tell who signs links; the "
                                           "signer ARN you entered is tried next.")),
                               &error);
          test_revocation (g_steal_pointer (&task), check->signer_arn);
          return;
        }
      else
        add_result_stealing (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_FAILED,
                             g_strdup (_("This server cannot tell who signs links, so links "
                                         "cannot be revoked yet. Enter the signer ARN.")),
                             &error);
    }
  else
    {
      /* Anything else is a real answer about the key or the network: say it as it is. */
      add_result_stealing (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_FAILED,
                           g_strdup_printf (_("Cannot find out who signs links: %s"),
                                            error->message),
                           &error);
    }

  finish (g_steal_pointer (&task));
}

static void
ask_identity (GTask *task)
{
  Check *check = g_task_get_task_data (task);
  g_autoptr(PgRevoker) revoker = pg_revoker_new (check->manager, check->signer,
                                                 check->signer_arn ? check->signer_arn : "");
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(GError) error = NULL;

  /* One key for both roles: the revoker's own rule says whether revoking can work at all. */
  if (!pg_revoker_check (revoker, &error))
    {
      add_result_stealing (check, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_WARNING,
                           g_strdup (error->message), &error);
      finish (task);
      return;
    }

  client = pg_s3_client_new (pg_s3_client_get_endpoint (check->manager), check->signer,
                             pg_s3_client_get_session (check->manager));
  pg_s3_client_set_retries (client, 1, 0);
  pg_s3_client_set_timeouts (client, pg_s3_client_get_request_timeout (check->manager),
                             pg_s3_client_get_request_timeout (check->manager));
  pg_s3_client_get_caller_identity_async (client, g_task_get_cancellable (task), identity_cb,
                                          task);
}

/* ---- 3. A link signed with the signing key ------------------------------------------------ */

/* What the answer to the test link says about the signing key. Returns whether the key is
 * proven: the server accepted its signature. */
static gboolean
judge_probe (Check      *check,
             guint       status,
             const char *code)
{
  const char *key_id = pg_credentials_get_access_key_id (check->signer);
  const char *reason = code ? code : soup_status_get_phrase (status);

  switch (_pg_revoker_classify (status, code))
    {
    case PROBE_ALLOWED:
      /* 404 also comes for a missing bucket, which a server may say before it has looked at
       * the signature. */
      if (g_strcmp0 (code, "NoSuchBucket") == 0)
        {
          add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                      g_strdup_printf (_("A test link signed with the signing key %s could not "
                                         "be tried: the bucket “%s” does not exist."),
                                       key_id, check->bucket),
                      g_error_new (PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_BUCKET, "%s", code));
          return FALSE;
        }
      add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK,
                  g_strdup_printf (_("The server accepted a test link signed with the signing "
                                     "key %s: its secret key is right."), key_id),
                  NULL);
      return TRUE;

    case PROBE_DENIED:
      /* The signature passed; what refused is a policy or the key's permissions. On AWS a key
       * that may not list the bucket gets AccessDenied rather than NoSuchKey. */
      check->signer_denied = TRUE;
      add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_WARNING,
                  g_strdup_printf (_("The signing key %s is right (the server accepted its "
                                     "signature), but it was refused a test file. On Amazon S3 "
                                     "that is normal for a key that may not list the bucket. "
                                     "Otherwise links it signs will not work: check that it may "
                                     "read files in the bucket and that the bucket’s links are "
                                     "not blocked."), key_id),
                  g_error_new (PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED, "%s", reason));
      return TRUE;

    case PROBE_BAD_KEY:
      if (g_strcmp0 (code, "SignatureDoesNotMatch") == 0)
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The signing secret access key is wrong: the server "
                                       "refused a test link signed with the key %s. Check that "
                                       "it was copied completely."), key_id),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_SIGNATURE_MISMATCH, "%s", code));
      else if (g_strcmp0 (code, "InvalidAccessKeyId") == 0)
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The server does not know the signing access key ID %s. "
                                       "It may have been deleted or mistyped."), key_id),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_INVALID_ACCESS_KEY, "%s", code));
      else if (g_strcmp0 (code, "RequestTimeTooSkewed") == 0)
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The server refused a test link signed with the signing "
                                       "key %s because your computer’s clock is off. Set it "
                                       "right and try again."), key_id),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_CLOCK_SKEWED, "%s", code));
      else if (g_strcmp0 (code, "InvalidToken") == 0)
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The session token of the signing key %s is not valid. "
                                       "Get new temporary credentials and try again."), key_id),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_EXPIRED_TOKEN, "%s", code));
      else
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The temporary credentials of the signing key %s have "
                                       "expired (%s). Get new ones and try again."),
                                     key_id, code),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_EXPIRED_TOKEN, "%s", code));
      return FALSE;

    case PROBE_OTHER:
    default:
      if (status >= 500)
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The server had a problem with a test link signed with "
                                       "the signing key %s (%u %s). Try again later."),
                                     key_id, status, reason),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_SERVER, "%u %s", status, reason));
      else
        add_result (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                    g_strdup_printf (_("The server refused a test link signed with the signing "
                                       "key %s: %u %s."), key_id, status, reason),
                    g_error_new (PG_S3_ERROR, PG_S3_ERROR_FAILED, "%u %s", status, reason));
      return FALSE;
    }
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  guint status = pg_s3_client_fetch_url_finish (PG_S3_CLIENT (source), result, &code, &error);
  Check *check;

  if (g_task_return_error_if_cancelled (task))
    return;

  check = g_task_get_task_data (task);
  if (status == 0)
    {
      add_result_stealing (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                           g_strdup_printf (_("A test link signed with the signing key %s "
                                              "could not be sent: %s"),
                                            pg_credentials_get_access_key_id (check->signer),
                                            error->message),
                           &error);
      finish (g_steal_pointer (&task));
      return;
    }

  check->answered = TRUE;
  if (judge_probe (check, status, code))
    ask_identity (g_steal_pointer (&task));
  else
    finish (g_steal_pointer (&task));
}

static void
send_probe (GTask *task)
{
  Check *check = g_task_get_task_data (task);
  static const char *headers[] = { "Range", "bytes=0-0", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *id = g_uuid_string_random ();
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = check->bucket,
    .expires = 60,
    /* In the server's time, as measured by the manager's requests before. */
    .signing_time = pg_s3_client_get_now (check->manager),
  };

  check->probe_key = g_strconcat (".presign-guard/probe-", id, NULL);
  options.key = check->probe_key;
  url = pg_presign_url (pg_s3_client_get_endpoint (check->manager), check->signer, &options,
                        &error);
  if (url == NULL)
    {
      add_result_stealing (check, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_FAILED,
                           g_strdup (error->message), &error);
      finish (task);
      return;
    }

  /* A GET of the first byte, not a HEAD: an answer to HEAD has no body, and S3's reason is in
   * the body. */
  pg_s3_client_fetch_url_async (check->manager, "GET", url, headers, NULL,
                                g_task_get_cancellable (task), probe_cb, task);
}

/* ---- 1 and 2. The managing key ------------------------------------------------------------ */

static void
policy_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;
  gboolean ok = pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &policy,
                                                       &error);
  Check *check;
  gboolean unreachable;

  if (g_task_return_error_if_cancelled (task))
    return;

  check = g_task_get_task_data (task);

  /* A bucket without a policy is where every account starts. */
  if (ok || g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_POLICY))
    {
      check->answered = TRUE;
      add_result (check, PG_ACCOUNT_CHECK_POLICY, PG_ACCOUNT_CHECK_OK,
                  g_strdup (_("The managing key can read the bucket policy.")), NULL);
      send_probe (g_steal_pointer (&task));
      return;
    }

  unreachable = is_network_error (error);
  check->manager_failed = TRUE;
  add_result_stealing (check, PG_ACCOUNT_CHECK_POLICY, PG_ACCOUNT_CHECK_FAILED,
                       g_strdup_printf (_("The managing key %s cannot read the bucket policy, "
                                          "so links cannot be revoked: %s"),
                                        pg_credentials_get_access_key_id (
                                          pg_s3_client_get_credentials (check->manager)),
                                        error->message),
                       &error);

  if (unreachable)
    {
      finish (g_steal_pointer (&task));
      return;
    }

  check->answered = TRUE;
  send_probe (g_steal_pointer (&task));
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source),
                                                                     result, &error);
  GCancellable *cancellable;
  Check *check;
  gboolean unreachable;
  gboolean denied;

  if (g_task_return_error_if_cancelled (task))
    return;

  check = g_task_get_task_data (task);
  cancellable = g_task_get_cancellable (task);
  if (listing != NULL)
    {
      check->answered = TRUE;
      add_result (check, PG_ACCOUNT_CHECK_LIST, PG_ACCOUNT_CHECK_OK,
                  g_strdup (_("The bucket can be listed.")), NULL);
      pg_s3_client_get_bucket_policy_async (check->manager, check->bucket, cancellable,
                                            policy_cb, g_steal_pointer (&task));
      return;
    }

  unreachable = is_network_error (error);
  denied = g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED);
  /* A key that may only not list may still revoke (the policy step tells); any other failure
   * (a wrong secret, a missing bucket) would fail the test revocation the same way. */
  check->manager_failed = !denied;
  add_result_stealing (check, PG_ACCOUNT_CHECK_LIST, PG_ACCOUNT_CHECK_FAILED,
                       g_strdup_printf (_("The managing key %s cannot list the bucket “%s”: "
                                          "%s"),
                                        pg_credentials_get_access_key_id (
                                          pg_s3_client_get_credentials (check->manager)),
                                        check->bucket, error->message),
                       &error);

  /* Nothing more can be learnt from a server out of reach. */
  if (unreachable)
    {
      finish (g_steal_pointer (&task));
      return;
    }

  /* A key that may not list may still read the policy; a wrong secret, an unknown key or a
   * missing bucket would only fail the same way again. The signing key is tried either way. */
  check->answered = TRUE;
  if (denied)
    pg_s3_client_get_bucket_policy_async (check->manager, check->bucket, cancellable,
                                          policy_cb, g_steal_pointer (&task));
  else
    send_probe (g_steal_pointer (&task));
}

/**
 * pg_account_check_async:
 * @manager: a client with the managing key, at the account's endpoint
 * @signer: (nullable): the signing key, or %NULL when the managing key signs links too
 * @bucket: the account's bucket
 * @signer_arn: (nullable): the signer's ARN as entered, for servers without STS
 * @role_arn: (nullable): the signing role, for links signed one by one
 * @verify_seconds: how long the test revocation may take to hold, 0 for the revoker's default
 *
 * Tests an account as the app will use it (see the top of this file) and reports every step in
 * words. Only a test revocation is written, and lifted again. The failures of the server and of the keys are
 * results, not errors: pg_account_check_finish() fails only when cancelled.
 */
void
pg_account_check_async (PgS3Client          *manager,
                        PgCredentials       *signer,
                        const char          *bucket,
                        const char          *signer_arn,
                        const char          *role_arn,
                        guint                verify_seconds,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  Check *check;

  g_return_if_fail (PG_IS_S3_CLIENT (manager));
  g_return_if_fail (bucket != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pg_account_check_async);

  check = g_new0 (Check, 1);
  check->manager = g_object_ref (manager);
  check->signer = pg_credentials_ref (signer ? signer : pg_s3_client_get_credentials (manager));
  check->bucket = g_strdup (bucket);
  check->signer_arn = signer_arn && *signer_arn ? g_strdup (signer_arn) : NULL;
  check->role_arn = role_arn && *role_arn ? g_strdup (role_arn) : NULL;
  check->verify_seconds = verify_seconds;
  check->results = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_account_check_result_free);
  g_task_set_task_data (task, check, (GDestroyNotify) check_free);

  /* One level under .presign-guard/: small, and what the app lists first anyway. */
  pg_s3_client_list_objects_async (manager, bucket, ".presign-guard/", "/", cancellable,
                                   listed_cb, task);
}

/**
 * pg_account_check_finish:
 *
 * Returns: (transfer full) (element-type PgAccountCheckResult): the steps taken, in order, or
 *   %NULL with @error set when the test was cancelled.
 */
GPtrArray *
pg_account_check_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pg_account_check_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The result of @step, or %NULL when it was not taken. */
const PgAccountCheckResult *
pg_account_check_find (GPtrArray          *results,
                       PgAccountCheckStep  step)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      const PgAccountCheckResult *result = g_ptr_array_index (results, i);

      if (result->step == step)
        return result;
    }

  return NULL;
}

/* Whether no step failed (warnings pass). */
gboolean
pg_account_check_passed (GPtrArray *results)
{
  for (guint i = 0; results != NULL && i < results->len; i++)
    {
      const PgAccountCheckResult *result = g_ptr_array_index (results, i);

      if (result->state == PG_ACCOUNT_CHECK_FAILED)
        return FALSE;
    }

  return results != NULL;
}
