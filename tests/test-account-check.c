/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-account-check"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/wait.h>

#include "pg-account-check.h"
#include "pg-error.h"
#include "pg-policy.h"
#include "test-async.h"

/* "Test Connection" (pg-account-check.c), two ways:
 *
 *   /pg/account-check/fake/…  an in-process server that plays S3 and STS, for the answers a
 *                             local gateway never gives: STS present or absent, STS failing
 *                             in other ways, a clock two hours off, no server at all, a bucket
 *                             policy that may not be written. It keeps objects (the lock) and
 *                             the bucket policy, and refuses a presigned GET of a key the
 *                             policy names together with the signing key's true ARN;
 *   /pg/account-check/rgw/…   the real Ceph RADOS Gateway of PG_TEST_S3_ENDPOINT, where the
 *                             signatures are really checked: right keys, a wrong signing
 *                             secret, an unknown signing key, a wrong managing secret, a
 *                             missing bucket. Skipped without PG_TEST_S3_ENDPOINT, unless
 *                             PG_TEST_REQUIRE_S3 is set (the integration suite sets it). */

#define SIGNER_ARN "arn:aws:iam:::user/owner:presign"
/* One letter off: how an ARN is mistyped. */
#define MISTYPED_ARN "arn:aws:iam:::user/owner:presgn"
/* Seconds a test revocation may take to hold, here. */
#define VERIFY_SECONDS 3

/* ---- Helpers ------------------------------------------------------------------------------ */

static PgCredentials *
credentials (const char *key_id,
             const char *secret)
{
  g_autoptr(GError) error = NULL;
  PgCredentials *credentials = pg_credentials_new (key_id, secret, NULL, NULL, &error);

  g_assert_no_error (error);

  return credentials;
}

static PgS3Client *
client_new (const char *url,
            const char *key_id,
            const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (url, "us-east-1", TRUE, &error);
  g_autoptr(PgCredentials) manager = credentials (key_id, secret);
  PgS3Client *client;

  g_assert_no_error (error);
  client = pg_s3_client_new (endpoint, manager, NULL);
  pg_s3_client_set_retries (client, 1, 0);
  pg_s3_client_set_timeouts (client, 10, 10);

  return client;
}

/* Runs the check to its end and logs what it said. */
static GPtrArray *
run_check (PgS3Client    *manager,
           PgCredentials *signer,
           const char    *bucket,
           const char    *signer_arn)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *results;

  pg_account_check_async (manager, signer, bucket, signer_arn, NULL, VERIFY_SECONDS, NULL,
                          test_store_result, &result);
  results = pg_account_check_finish (test_wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (results);

  for (guint i = 0; i < results->len; i++)
    {
      PgAccountCheckResult *step = g_ptr_array_index (results, i);

      g_test_message ("%-8s %-8s %s", pg_account_check_state_to_string (step->state),
                      pg_account_check_step_to_string (step->step), step->text);
      g_assert_nonnull (step->text);
      g_assert_cmpstr (step->text, !=, "");
      /* A warning or a failure says why; a success has nothing behind it to hide. */
      if (step->state == PG_ACCOUNT_CHECK_FAILED)
        g_assert_nonnull (step->error);
    }

  return results;
}

static const PgAccountCheckResult *
step_of (GPtrArray          *results,
         PgAccountCheckStep  step)
{
  const PgAccountCheckResult *result = pg_account_check_find (results, step);

  if (result == NULL)
    g_error ("step %s was not taken", pg_account_check_step_to_string (step));

  return result;
}

static void
assert_state (GPtrArray           *results,
              PgAccountCheckStep   step,
              PgAccountCheckState  state)
{
  const PgAccountCheckResult *result = step_of (results, step);

  if (result->state != state)
    g_error ("step %s: %s, expected %s (%s)", pg_account_check_step_to_string (step),
             pg_account_check_state_to_string (result->state),
             pg_account_check_state_to_string (state), result->text);
}

/* Steps come in their order, each at most once. */
static void
assert_ordered (GPtrArray *results)
{
  for (guint i = 1; i < results->len; i++)
    {
      PgAccountCheckResult *before = g_ptr_array_index (results, i - 1);
      PgAccountCheckResult *after = g_ptr_array_index (results, i);

      g_assert_cmpint (before->step, <, after->step);
    }
}

static void
assert_all_ok (GPtrArray *results)
{
  g_assert_cmpuint (results->len, ==, 6);
  assert_ordered (results);
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (((PgAccountCheckResult *) g_ptr_array_index (results, i))->state, ==,
                     PG_ACCOUNT_CHECK_OK);
  g_assert_true (pg_account_check_passed (results));
}

/* Nothing about the signing key may read as fine. */
static void
assert_signer_not_ok (GPtrArray *results)
{
  const PgAccountCheckResult *signer = pg_account_check_find (results, PG_ACCOUNT_CHECK_SIGNER);
  const PgAccountCheckResult *identity = pg_account_check_find (results,
                                                                PG_ACCOUNT_CHECK_IDENTITY);

  g_assert_nonnull (signer);
  g_assert_cmpint (signer->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_true (identity == NULL || identity->state != PG_ACCOUNT_CHECK_OK);
  g_assert_false (pg_account_check_passed (results));
}

/* ---- An in-process S3 and STS ---------------------------------------------------------------- */

typedef struct
{
  SoupServer *server;
  char       *url;

  /* How it answers. */
  guint       probe_status;    /* a presigned request (default 404 NoSuchKey) */
  const char *probe_code;
  guint       list_status;     /* listing (default 200) */
  const char *list_code;
  guint       sts_status;      /* STS GetCallerIdentity (default 200 with sts_arn) */
  const char *sts_code;
  const char *sts_arn;
  gint64      clock_offset;    /* seconds the server's Date is ahead */
  guint       policy_put_status; /* PutBucketPolicy (default 204) */

  /* What it keeps: objects by path, the bucket policy. */
  GHashTable *objects;
  char       *policy;

  /* What it saw. */
  guint       probes;
  guint       sts_requests;
  guint       policy_writes;
  char       *probe_path;
  char       *probe_credential;
} Fake;

static void
respond (Fake              *fake,
         SoupServerMessage *message,
         guint              status,
         const char        *body)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (g_get_real_time () / G_USEC_PER_SEC
                                                            + fake->clock_offset);
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);

  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Date", date);
  soup_server_message_set_status (message, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_COPY, body,
                                      strlen (body));
}

static void
respond_error (Fake              *fake,
               SoupServerMessage *message,
               guint              status,
               const char        *code)
{
  g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                          "<Error><Code>%s</Code><Message>%s happened</Message>"
                                          "</Error>", code, code);

  respond (fake, message, status, xml);
}

static void
fake_cb (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fake *fake = user_data;
  const char *method = soup_server_message_get_method (message);

  if (g_str_equal (method, "POST") && g_str_equal (path, "/"))
    {
      fake->sts_requests++;
      if (fake->sts_status == 0)
        {
          g_autofree char *xml = g_strdup_printf ("<GetCallerIdentityResponse><GetCallerIdentity"
                                                  "Result><Arn>%s</Arn></GetCallerIdentity"
                                                  "Result></GetCallerIdentityResponse>",
                                                  fake->sts_arn);

          respond (fake, message, SOUP_STATUS_OK, xml);
        }
      else
        {
          g_autofree char *xml = g_strdup_printf ("<ErrorResponse><Error><Code>%s</Code>"
                                                  "<Message>%s happened</Message></Error>"
                                                  "</ErrorResponse>",
                                                  fake->sts_code, fake->sts_code);

          respond (fake, message, fake->sts_status, xml);
        }
      return;
    }

  if (query != NULL && g_hash_table_contains (query, "X-Amz-Credential"))
    {
      g_autofree char *principal = g_strdup_printf ("\"%s\"", fake->sts_arn);

      fake->probes++;
      g_free (fake->probe_path);
      fake->probe_path = g_strdup (path);
      g_free (fake->probe_credential);
      fake->probe_credential = g_strdup (g_hash_table_lookup (query, "X-Amz-Credential"));
      /* Enough of a policy engine for one Deny: the key and the key's true ARN named. */
      if (fake->probe_status == SOUP_STATUS_NOT_FOUND && fake->policy != NULL
          && strstr (fake->policy, path + 1) != NULL && strstr (fake->policy, principal) != NULL)
        respond_error (fake, message, SOUP_STATUS_FORBIDDEN, "AccessDenied");
      else if (fake->probe_status == SOUP_STATUS_NOT_FOUND
               && g_hash_table_contains (fake->objects, path))
        respond (fake, message, SOUP_STATUS_OK, g_hash_table_lookup (fake->objects, path));
      else
        respond_error (fake, message, fake->probe_status, fake->probe_code);
      return;
    }

  if (query != NULL && g_hash_table_contains (query, "policy"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (message);

      if (g_str_equal (method, "PUT") && fake->policy_put_status != 0)
        respond_error (fake, message, fake->policy_put_status, "AccessDenied");
      else if (g_str_equal (method, "PUT"))
        {
          fake->policy_writes++;
          g_free (fake->policy);
          fake->policy = g_strndup (body->data, body->length);
          respond (fake, message, SOUP_STATUS_NO_CONTENT, NULL);
        }
      else if (g_str_equal (method, "DELETE"))
        {
          fake->policy_writes++;
          g_clear_pointer (&fake->policy, g_free);
          respond (fake, message, SOUP_STATUS_NO_CONTENT, NULL);
        }
      else if (fake->policy != NULL)
        respond (fake, message, SOUP_STATUS_OK, fake->policy);
      else
        respond_error (fake, message, SOUP_STATUS_NOT_FOUND, "NoSuchBucketPolicy");
      return;
    }

  if (query != NULL && g_hash_table_contains (query, "list-type"))
    {
      if (fake->list_status != 0)
        respond_error (fake, message, fake->list_status, fake->list_code);
      else
        respond (fake, message, SOUP_STATUS_OK,
                 "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
      return;
    }

  /* Objects: the revoker's lock, the test revocation's file. */
  if (g_str_equal (method, "PUT"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (message);
      const char *if_none_match = soup_message_headers_get_one (
        soup_server_message_get_request_headers (message), "If-None-Match");

      if (if_none_match != NULL && g_hash_table_contains (fake->objects, path))
        {
          respond_error (fake, message, SOUP_STATUS_PRECONDITION_FAILED, "PreconditionFailed");
          return;
        }
      g_hash_table_replace (fake->objects, g_strdup (path), g_strndup (body->data, body->length));
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "ETag",
                                    "\"0123456789abcdef0123456789abcdef\"");
      respond (fake, message, SOUP_STATUS_OK, NULL);
      return;
    }
  if (g_str_equal (method, "DELETE"))
    {
      g_hash_table_remove (fake->objects, path);
      respond (fake, message, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }
  if (g_str_equal (method, "GET") && g_hash_table_contains (fake->objects, path))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "ETag",
                                    "\"0123456789abcdef0123456789abcdef\"");
      respond (fake, message, SOUP_STATUS_OK, g_hash_table_lookup (fake->objects, path));
      return;
    }

  respond_error (fake, message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
}

static void
fake_set_up (Fake          *fake,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->probe_status = SOUP_STATUS_NOT_FOUND;
  fake->probe_code = "NoSuchKey";
  fake->sts_arn = SIGNER_ARN;
  fake->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, fake_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fake_tear_down (Fake          *fake,
                gconstpointer  data)
{
  /* Let the server see the clients' connections close, so it lets go of them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_free (fake->probe_path);
  g_free (fake->probe_credential);
  g_free (fake->policy);
  g_hash_table_unref (fake->objects);
}

/* A run against the fake with a separate signing key. */
static GPtrArray *
fake_check (Fake       *fake,
            const char *signer_arn)
{
  g_autoptr(PgS3Client) manager = client_new (fake->url, "MANAGERKEY", "managersecret");
  g_autoptr(PgCredentials) signer = credentials ("SIGNERKEY", "signersecret");
  GPtrArray *results = run_check (manager, signer, "demo", signer_arn);

  g_assert_finalize_object (g_steal_pointer (&manager));

  return results;
}

static void
test_fake_all_ok_with_sts (Fake          *fake,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) results = fake_check (fake, NULL);
  g_autofree char *expected = g_strdup_printf (_("Links are signed by %s."), SIGNER_ARN);

  assert_all_ok (results);
  g_assert_cmpstr (step_of (results, PG_ACCOUNT_CHECK_IDENTITY)->text, ==, expected);

  /* The test links were signed by the signing key: the first for a key under .presign-guard/
   * that nobody made, then the revoker's before and after its test revocation, for the test
   * file the managing key wrote there. */
  g_assert_cmpuint (fake->probes, >=, 3);
  g_assert_true (g_str_has_prefix (fake->probe_credential, "SIGNERKEY/"));
  g_assert_true (g_str_has_prefix (fake->probe_path, "/demo/.presign-guard/check-"));
  g_assert_cmpuint (fake->sts_requests, ==, 1);
  /* The test revocation was made and lifted: no policy is left, no lock either. */
  g_assert_cmpuint (fake->policy_writes, ==, 2);
  g_assert_null (fake->policy);
  g_assert_cmpuint (g_hash_table_size (fake->objects), ==, 0);
}

/* No STS (Ceph answers 405): the ARN entered is used, and says so. */
static void
test_fake_no_sts_uses_arn (Fake          *fake,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *identity;

  fake->sts_status = 405;
  fake->sts_code = "MethodNotAllowed";
  results = fake_check (fake, SIGNER_ARN);

  assert_all_ok (results);
  identity = step_of (results, PG_ACCOUNT_CHECK_IDENTITY);
  g_assert_cmpstr (identity->text, ==, _("This server cannot tell who signs links; the signer "
                                         "ARN you entered is tried next."));
  g_assert_error (identity->error, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (step_of (results, PG_ACCOUNT_CHECK_REVOCATION)->text,
                            "Revoking works for " SIGNER_ARN));
}

/* The mistyped ARN on a server without STS: it used to get a tick. Now the test
 * revocation does not hold, is taken back, and the failure shows what the ARN looks like on
 * this kind of server. */
static void
test_fake_no_sts_wrong_arn (Fake          *fake,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *revocation;

  fake->sts_status = 405;
  fake->sts_code = "MethodNotAllowed";
  results = fake_check (fake, MISTYPED_ARN);

  assert_ordered (results);
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  revocation = step_of (results, PG_ACCOUNT_CHECK_REVOCATION);
  g_assert_cmpint (revocation->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (revocation->error, PG_ERROR, PG_ERROR_TAKEN_BACK);
  g_assert_true (g_str_has_prefix (revocation->text, MISTYPED_ARN " is not whom the signing "
                                                     "key SIGNERKEY belongs to"));
  g_assert_nonnull (strstr (revocation->text, pg_policy_signer_arn_hint (FALSE)));
  g_assert_null (strstr (revocation->text, ".)."));
  g_assert_false (pg_account_check_passed (results));
  /* Taken back: the bucket is as it was. */
  g_assert_null (fake->policy);
  g_assert_cmpuint (g_hash_table_size (fake->objects), ==, 0);
}

/* A managing key that may read but not write the policy cannot revoke: said so. */
static void
test_fake_policy_not_writable (Fake          *fake,
                               gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *revocation;

  fake->policy_put_status = SOUP_STATUS_FORBIDDEN;
  results = fake_check (fake, NULL);

  assert_state (results, PG_ACCOUNT_CHECK_POLICY, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_OK);
  revocation = step_of (results, PG_ACCOUNT_CHECK_REVOCATION);
  g_assert_cmpint (revocation->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (revocation->error, PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED);
  g_assert_true (g_str_has_prefix (revocation->text, "A test revocation for " SIGNER_ARN
                                                     " could not be made"));
  g_assert_false (pg_account_check_passed (results));
  g_assert_null (fake->policy);
}

/* No STS and no ARN entered: revoking cannot work yet. */
static void
test_fake_no_sts_no_arn (Fake          *fake,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;

  fake->sts_status = SOUP_STATUS_NOT_IMPLEMENTED;
  fake->sts_code = "NotImplemented";
  results = fake_check (fake, NULL);

  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_FAILED);
  g_assert_cmpstr (step_of (results, PG_ACCOUNT_CHECK_IDENTITY)->text, ==,
                   _("This server cannot tell who signs links, so links cannot be revoked yet. "
                     "Enter the signer ARN."));
}

/* Any other STS error is a failure with its own words, even with an ARN entered to fall back
 * on. */
static void
test_fake_sts_other_error (Fake          *fake,
                           gconstpointer  data)
{
  static const struct
  {
    guint        status;
    const char  *code;
    int          error;
    const char  *words;
  } cases[] = {
    { 403, "InvalidClientTokenId", PG_S3_ERROR_INVALID_ACCESS_KEY, "SIGNERKEY" },
    { 500, "InternalError", PG_S3_ERROR_SERVER, "InternalError" },
    { 400, "ValidationError", PG_S3_ERROR_FAILED, "ValidationError happened" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) results = NULL;
      const PgAccountCheckResult *identity;

      fake->sts_status = cases[i].status;
      fake->sts_code = cases[i].code;
      results = fake_check (fake, SIGNER_ARN);

      identity = step_of (results, PG_ACCOUNT_CHECK_IDENTITY);
      g_assert_cmpint (identity->state, ==, PG_ACCOUNT_CHECK_FAILED);
      g_assert_error (identity->error, PG_S3_ERROR, cases[i].error);
      g_assert_true (g_str_has_prefix (identity->text, "Cannot find out who signs links: "));
      g_assert_nonnull (strstr (identity->text, cases[i].words));
      g_assert_false (pg_account_check_passed (results));
    }
}

/* STS names somebody other than the ARN entered: revoking would deny the wrong principal. */
static void
test_fake_arn_mismatch (Fake          *fake,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *identity;

  fake->sts_arn = "arn:aws:iam::123456789012:user/presign-signer";
  results = fake_check (fake, "arn:aws:iam::123456789012:user/somebody-else");

  identity = step_of (results, PG_ACCOUNT_CHECK_IDENTITY);
  g_assert_cmpint (identity->state, ==, PG_ACCOUNT_CHECK_WARNING);
  g_assert_nonnull (strstr (identity->text, "user/presign-signer"));
  g_assert_nonnull (strstr (identity->text, "user/somebody-else"));
  /* The ARN entered is whom revocations name, and it does not hold; the example is for the
   * kind of server this is (not Amazon S3). */
  assert_state (results, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_FAILED);
  g_assert_nonnull (strstr (step_of (results, PG_ACCOUNT_CHECK_REVOCATION)->text,
                            pg_policy_signer_arn_hint (FALSE)));
}

/* Every way a test link can be refused for its key, and what each one says; STS is not asked
 * about a key that does not work. */
static void
test_fake_signer_refused (Fake          *fake,
                          gconstpointer  data)
{
  static const struct
  {
    guint        status;
    const char  *code;
    int          error;
    const char  *words;
  } cases[] = {
    { 403, "SignatureDoesNotMatch", PG_S3_ERROR_SIGNATURE_MISMATCH,
      "The signing secret access key is wrong" },
    { 403, "InvalidAccessKeyId", PG_S3_ERROR_INVALID_ACCESS_KEY,
      "The server does not know the signing access key ID SIGNERKEY." },
    { 400, "ExpiredToken", PG_S3_ERROR_EXPIRED_TOKEN, "have expired (ExpiredToken)" },
    { 403, "InvalidToken", PG_S3_ERROR_EXPIRED_TOKEN, "session token" },
    { 403, "RequestTimeTooSkewed", PG_S3_ERROR_CLOCK_SKEWED, "clock is off" },
    { 400, "AuthorizationQueryParametersError", PG_S3_ERROR_FAILED,
      "AuthorizationQueryParametersError" },
    { 503, "ServiceUnavailable", PG_S3_ERROR_SERVER, "had a problem" },
    { 404, "NoSuchBucket", PG_S3_ERROR_NO_SUCH_BUCKET, "does not exist" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) results = NULL;
      const PgAccountCheckResult *signer;

      fake->probe_status = cases[i].status;
      fake->probe_code = cases[i].code;
      fake->sts_requests = 0;
      results = fake_check (fake, SIGNER_ARN);

      assert_ordered (results);
      assert_signer_not_ok (results);
      signer = step_of (results, PG_ACCOUNT_CHECK_SIGNER);
      g_assert_error (signer->error, PG_S3_ERROR, cases[i].error);
      if (strstr (signer->text, cases[i].words) == NULL)
        g_error ("“%s” does not say “%s”", signer->text, cases[i].words);
      g_assert_null (pg_account_check_find (results, PG_ACCOUNT_CHECK_IDENTITY));
      g_assert_cmpuint (fake->sts_requests, ==, 0);
      /* The managing key's steps and the clock are still reported. */
      assert_state (results, PG_ACCOUNT_CHECK_LIST, PG_ACCOUNT_CHECK_OK);
      assert_state (results, PG_ACCOUNT_CHECK_CLOCK, PG_ACCOUNT_CHECK_OK);
    }
}

/* AccessDenied: the signature was accepted, but links may not work: a warning, not a tick. */
static void
test_fake_signer_denied (Fake          *fake,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;

  fake->probe_status = SOUP_STATUS_FORBIDDEN;
  fake->probe_code = "AccessDenied";
  results = fake_check (fake, NULL);

  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_WARNING);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_ACCESS_DENIED);
  assert_state (results, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_OK);
  /* A test file the key is refused already cannot show a revocation: said, not ticked. */
  assert_state (results, PG_ACCOUNT_CHECK_REVOCATION, PG_ACCOUNT_CHECK_WARNING);
  g_assert_cmpuint (fake->policy_writes, ==, 0);
  g_assert_true (pg_account_check_passed (results));
}

static void
test_fake_clock_off (Fake          *fake,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *clock;

  fake->clock_offset = 2 * 60 * 60;
  results = fake_check (fake, NULL);

  clock = step_of (results, PG_ACCOUNT_CHECK_CLOCK);
  g_assert_cmpint (clock->state, ==, PG_ACCOUNT_CHECK_WARNING);
  g_assert_nonnull (strstr (clock->text, "off by 120 minutes"));
  /* The test link was signed in the server's time. */
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
}

/* A managing key that may not list: said, and the policy is still tried. */
static void
test_fake_list_denied (Fake          *fake,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *list;

  fake->list_status = SOUP_STATUS_FORBIDDEN;
  fake->list_code = "AccessDenied";
  results = fake_check (fake, SIGNER_ARN);

  list = step_of (results, PG_ACCOUNT_CHECK_LIST);
  g_assert_cmpint (list->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (list->error, PG_S3_ERROR, PG_S3_ERROR_ACCESS_DENIED);
  g_assert_true (g_str_has_prefix (list->text, "The managing key MANAGERKEY cannot list the "
                                               "bucket “demo”: "));
  assert_state (results, PG_ACCOUNT_CHECK_POLICY, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
}

/* No server: one line that says so, nothing after it. */
static void
test_fake_unreachable (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(PgS3Client) manager = NULL;
  g_autoptr(PgCredentials) signer = credentials ("SIGNERKEY", "signersecret");
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and that nobody listens on. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  manager = client_new (url, "MANAGERKEY", "managersecret");
  results = run_check (manager, signer, "demo", SIGNER_ARN);

  g_assert_cmpuint (results->len, ==, 1);
  assert_state (results, PG_ACCOUNT_CHECK_LIST, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_LIST)->error, PG_S3_ERROR,
                  PG_S3_ERROR_NETWORK);
  g_assert_false (pg_account_check_passed (results));
}

static void
test_fake_cancelled (Fake          *fake,
                     gconstpointer  data)
{
  g_autoptr(PgS3Client) manager = client_new (fake->url, "MANAGERKEY", "managersecret");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autoptr(GError) error = NULL;

  pg_account_check_async (manager, NULL, "demo", NULL, NULL, 0, cancellable,
                          test_store_result, &result);
  g_cancellable_cancel (cancellable);
  results = pg_account_check_finish (test_wait_for (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);
  g_clear_object (&result);
  g_assert_finalize_object (g_steal_pointer (&manager));
}

/* ---- Against the real gateway ------------------------------------------------------------ */

static const char *
gateway (void)
{
  const char *endpoint = g_getenv ("PG_TEST_S3_ENDPOINT");

  if (endpoint == NULL || *endpoint == '\0')
    {
      if (g_getenv ("PG_TEST_REQUIRE_S3") != NULL)
        g_error ("PG_TEST_S3_ENDPOINT is not set");
      g_test_skip ("PG_TEST_S3_ENDPOINT is not set");
      return NULL;
    }

  return endpoint;
}

/* A fresh bucket of the owner's for each run. */
static const char *
gateway_bucket (void)
{
  static char *bucket;

  if (bucket == NULL)
    {
      g_autoptr(PgS3Client) owner = client_new (gateway (), "OWNERKEY", "OWNERSECRET");
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;

      bucket = g_strdup_printf ("check-%08x", g_random_int ());
      pg_s3_client_create_bucket_async (owner, bucket, NULL, test_store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      pg_s3_client_create_bucket_finish (owner, result, &error);
      g_assert_no_error (error);
    }

  return bucket;
}

static GPtrArray *
gateway_check (const char *manager_key,
               const char *manager_secret,
               const char *signer_key,
               const char *signer_secret,
               const char *bucket,
               const char *signer_arn)
{
  g_autoptr(PgS3Client) manager = client_new (gateway (), manager_key, manager_secret);
  g_autoptr(PgCredentials) signer = signer_key ? credentials (signer_key, signer_secret) : NULL;
  GPtrArray *results = run_check (manager, signer, bucket, signer_arn);

  g_assert_finalize_object (g_steal_pointer (&manager));

  return results;
}

static void
test_rgw_all_ok (void)
{
  g_autoptr(GPtrArray) results = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "PRESIGNSECRET",
                           gateway_bucket (), SIGNER_ARN);
  assert_all_ok (results);
  /* Ceph has no STS: the ARN entered stands, after the key was proven, and a test revocation
   * for it held on the real gateway. */
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_IDENTITY)->error, PG_S3_ERROR,
                  PG_S3_ERROR_NOT_SUPPORTED);
}

/* The case on the real gateway: a signer ARN one letter off fails, with Ceph's form. */
static void
test_rgw_mistyped_arn (void)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *revocation;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "PRESIGNSECRET",
                           gateway_bucket (), MISTYPED_ARN);
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  revocation = step_of (results, PG_ACCOUNT_CHECK_REVOCATION);
  g_assert_cmpint (revocation->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (revocation->error, PG_ERROR, PG_ERROR_TAKEN_BACK);
  g_assert_nonnull (strstr (revocation->text, "arn:aws:iam:::user/OWNER:SUBUSER"));
  g_assert_false (pg_account_check_passed (results));
}

/* The bug of the issue: on a server without STS a wrong signing secret read as ✓. */
static void
test_rgw_wrong_signer_secret (void)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *expected = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "PRESIGNSECRET-WRONG",
                           gateway_bucket (), SIGNER_ARN);
  assert_signer_not_ok (results);
  expected = g_strdup_printf (_("The signing secret access key is wrong: the server refused a "
                                "test link signed with the key %s. Check that it was copied "
                                "completely."), "PRESIGNKEY");
  g_assert_cmpstr (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->text, ==, expected);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_SIGNATURE_MISMATCH);
  /* The managing key is fine, and that is said too. */
  assert_state (results, PG_ACCOUNT_CHECK_LIST, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_POLICY, PG_ACCOUNT_CHECK_OK);
}

static void
test_rgw_unknown_signer_key (void)
{
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *expected = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "NOSUCHSIGNERKEY", "PRESIGNSECRET",
                           gateway_bucket (), SIGNER_ARN);
  assert_signer_not_ok (results);
  expected = g_strdup_printf (_("The server does not know the signing access key ID %s. It may "
                                "have been deleted or mistyped."), "NOSUCHSIGNERKEY");
  g_assert_cmpstr (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->text, ==, expected);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_INVALID_ACCESS_KEY);
}

static void
test_rgw_wrong_manager_secret (void)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *list;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET-WRONG", "PRESIGNKEY", "PRESIGNSECRET",
                           gateway_bucket (), SIGNER_ARN);
  list = step_of (results, PG_ACCOUNT_CHECK_LIST);
  g_assert_cmpint (list->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (list->error, PG_S3_ERROR, PG_S3_ERROR_SIGNATURE_MISMATCH);
  g_assert_true (g_str_has_prefix (list->text, "The managing key OWNERKEY cannot list the "
                                               "bucket"));
  g_assert_nonnull (strstr (list->text, _("The secret key does not match the access key ID.")));
  /* The same wrong secret would fail the policy the same way: not said twice. The signing key
   * is its own matter, and works. */
  g_assert_null (pg_account_check_find (results, PG_ACCOUNT_CHECK_POLICY));
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  g_assert_null (pg_account_check_find (results, PG_ACCOUNT_CHECK_REVOCATION));
  g_assert_false (pg_account_check_passed (results));
}

static void
test_rgw_missing_bucket (void)
{
  g_autoptr(GPtrArray) results = NULL;
  const PgAccountCheckResult *list;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "PRESIGNSECRET",
                           "no-such-bucket-here", SIGNER_ARN);
  list = step_of (results, PG_ACCOUNT_CHECK_LIST);
  g_assert_cmpint (list->state, ==, PG_ACCOUNT_CHECK_FAILED);
  g_assert_error (list->error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_BUCKET);
  g_assert_nonnull (strstr (list->text, "“no-such-bucket-here” does not exist"));
  assert_signer_not_ok (results);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_NO_SUCH_BUCKET);
}

/* A wrong secret is caught even where the bucket is missing too. */
static void
test_rgw_missing_bucket_wrong_secret (void)
{
  g_autoptr(GPtrArray) results = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "WRONG",
                           "no-such-bucket-here", SIGNER_ARN);
  assert_signer_not_ok (results);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_SIGNATURE_MISMATCH);
}

/* Somebody else's key as the signer: genuine, but refused the bucket — a warning. */
static void
test_rgw_foreign_signer (void)
{
  g_autoptr(GPtrArray) results = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "ALICEKEY", "ALICESECRET",
                           gateway_bucket (), "arn:aws:iam:::user/alice");
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_WARNING);
  g_assert_error (step_of (results, PG_ACCOUNT_CHECK_SIGNER)->error, PG_S3_ERROR,
                  PG_S3_ERROR_ACCESS_DENIED);
}

/* One key for both roles on a server that cannot tell links from the manager's requests. */
static void
test_rgw_one_key (void)
{
  g_autoptr(GPtrArray) results = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", NULL, NULL, gateway_bucket (), NULL);
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_WARNING);
  g_assert_nonnull (strstr (step_of (results, PG_ACCOUNT_CHECK_IDENTITY)->text,
                            "needs a separate signing key"));
}

/* No STS and no ARN: the key works, but revoking cannot. */
static void
test_rgw_no_arn (void)
{
  g_autoptr(GPtrArray) results = NULL;

  if (gateway () == NULL)
    return;

  results = gateway_check ("OWNERKEY", "OWNERSECRET", "PRESIGNKEY", "PRESIGNSECRET",
                           gateway_bucket (), NULL);
  assert_state (results, PG_ACCOUNT_CHECK_SIGNER, PG_ACCOUNT_CHECK_OK);
  assert_state (results, PG_ACCOUNT_CHECK_IDENTITY, PG_ACCOUNT_CHECK_FAILED);
}

/* ---- presign-guard-cli check ----------------------------------------------------------------- */

/* Runs `presign-guard-cli check` with the keys in its environment; returns its exit status. */
static int
run_cli_check (const char  *bucket,
               const char  *signer_secret,
               char       **out,
               char       **err)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  int status = 0;
  const char *argv[] = {
    g_getenv ("PG_CLI"), "check", "--endpoint", gateway (), "--path-style", "--bucket", bucket,
    "--signer-arn", SIGNER_ARN, NULL
  };

  env = g_environ_setenv (env, "AWS_ACCESS_KEY_ID", "OWNERKEY", TRUE);
  env = g_environ_setenv (env, "AWS_SECRET_ACCESS_KEY", "OWNERSECRET", TRUE);
  env = g_environ_setenv (env, "PG_SIGNER_ACCESS_KEY_ID", "PRESIGNKEY", TRUE);
  env = g_environ_setenv (env, "PG_SIGNER_SECRET_ACCESS_KEY", signer_secret, TRUE);
  g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  g_test_message ("presign-guard-cli check:\n%s%s", *out, *err);

  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_rgw_cli (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *wrong_out = NULL;
  g_autofree char *wrong_err = NULL;

  if (gateway () == NULL)
    return;
  if (g_getenv ("PG_CLI") == NULL)
    {
      g_test_skip ("PG_CLI is not set");
      return;
    }

  /* The same steps, one line each, exit status 0. */
  g_assert_cmpint (run_cli_check (gateway_bucket (), "PRESIGNSECRET", &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ok      list     "));
  g_assert_nonnull (strstr (out, "\nok      signer   "));
  g_assert_nonnull (strstr (out, "\nok      identity "));
  g_assert_nonnull (strstr (out, "\nok      revocation Revoking works for " SIGNER_ARN));
  g_assert_nonnull (strstr (out, "\nok      clock    "));
  g_assert_cmpstr (err, ==, "");

  /* A wrong signing secret: the step says so, the command fails with the same sentence. */
  g_assert_cmpint (run_cli_check (gateway_bucket (), "WRONG", &wrong_out, &wrong_err), ==, 1);
  g_assert_nonnull (strstr (wrong_out, "\nfailed  signer   The signing secret access key is "
                                       "wrong"));
  g_assert_null (strstr (wrong_out, "ok      signer"));
  g_assert_null (strstr (wrong_out, "identity"));
  g_assert_true (g_str_has_prefix (wrong_err, "presign-guard-cli: The signing secret access key "
                                              "is wrong"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_FAKE(path, func) \
  g_test_add ("/pg/account-check/fake/" path, Fake, NULL, fake_set_up, func, fake_tear_down)

  ADD_FAKE ("all-ok-with-sts", test_fake_all_ok_with_sts);
  ADD_FAKE ("no-sts-uses-arn", test_fake_no_sts_uses_arn);
  ADD_FAKE ("no-sts-wrong-arn", test_fake_no_sts_wrong_arn);
  ADD_FAKE ("policy-not-writable", test_fake_policy_not_writable);
  ADD_FAKE ("no-sts-no-arn", test_fake_no_sts_no_arn);
  ADD_FAKE ("sts-other-error", test_fake_sts_other_error);
  ADD_FAKE ("arn-mismatch", test_fake_arn_mismatch);
  ADD_FAKE ("signer-refused", test_fake_signer_refused);
  ADD_FAKE ("signer-denied", test_fake_signer_denied);
  ADD_FAKE ("clock-off", test_fake_clock_off);
  ADD_FAKE ("list-denied", test_fake_list_denied);
  ADD_FAKE ("cancelled", test_fake_cancelled);
  g_test_add_func ("/pg/account-check/fake/unreachable", test_fake_unreachable);

  g_test_add_func ("/pg/account-check/rgw/all-ok", test_rgw_all_ok);
  g_test_add_func ("/pg/account-check/rgw/mistyped-arn", test_rgw_mistyped_arn);
  g_test_add_func ("/pg/account-check/rgw/wrong-signer-secret", test_rgw_wrong_signer_secret);
  g_test_add_func ("/pg/account-check/rgw/unknown-signer-key", test_rgw_unknown_signer_key);
  g_test_add_func ("/pg/account-check/rgw/wrong-manager-secret", test_rgw_wrong_manager_secret);
  g_test_add_func ("/pg/account-check/rgw/missing-bucket", test_rgw_missing_bucket);
  g_test_add_func ("/pg/account-check/rgw/missing-bucket-wrong-secret",
                   test_rgw_missing_bucket_wrong_secret);
  g_test_add_func ("/pg/account-check/rgw/foreign-signer", test_rgw_foreign_signer);
  g_test_add_func ("/pg/account-check/rgw/one-key", test_rgw_one_key);
  g_test_add_func ("/pg/account-check/rgw/no-arn", test_rgw_no_arn);
  g_test_add_func ("/pg/account-check/rgw/cli", test_rgw_cli);

  return g_test_run ();
}
