/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-s3-client.h"

G_BEGIN_DECLS

/**
 * PgAccountCheckStep:
 * @PG_ACCOUNT_CHECK_LIST: the managing key lists the bucket
 * @PG_ACCOUNT_CHECK_POLICY: the managing key reads the bucket policy (none at all is fine)
 * @PG_ACCOUNT_CHECK_SIGNER: a link signed with the signing key is sent, and the server's answer
 *   says whether it accepted the signature
 * @PG_ACCOUNT_CHECK_IDENTITY: whom a revocation names: STS, or the ARN entered where the server
 *   has no STS
 * @PG_ACCOUNT_CHECK_REVOCATION: a test revocation for that ARN, of a test file: a link signed
 *   with the signing key must be refused while it stands; then it is lifted
 * @PG_ACCOUNT_CHECK_ROLE: with a signing role, a session of it started with the signing key,
 *   and a test revocation of that session alone, proven with a link signed in it
 * @PG_ACCOUNT_CHECK_CLOCK: the computer's clock against the server's
 *
 * The steps of a connection test, in the order they are taken. A step that cannot tell anything
 * after an earlier one failed (the server is out of reach, the signing key does not work) is
 * left out of the results rather than reported twice.
 */
typedef enum {
  PG_ACCOUNT_CHECK_LIST,
  PG_ACCOUNT_CHECK_POLICY,
  PG_ACCOUNT_CHECK_SIGNER,
  PG_ACCOUNT_CHECK_IDENTITY,
  PG_ACCOUNT_CHECK_REVOCATION,
  PG_ACCOUNT_CHECK_ROLE,
  PG_ACCOUNT_CHECK_CLOCK,
} PgAccountCheckStep;

typedef enum {
  PG_ACCOUNT_CHECK_OK,
  PG_ACCOUNT_CHECK_WARNING,
  PG_ACCOUNT_CHECK_FAILED,
} PgAccountCheckState;

/**
 * PgAccountCheckResult:
 * @step: what was tried
 * @state: how it went
 * @text: one or two sentences for the user, translated
 * @error: (nullable): the error behind a failure or a warning (or behind a success that works
 *   around one: a server without STS), as the S3 client or the test link met it (%PG_S3_ERROR),
 *   for callers that act on it
 */
typedef struct
{
  PgAccountCheckStep   step;
  PgAccountCheckState  state;
  char                *text;
  GError              *error;
} PgAccountCheckResult;

void        pg_account_check_result_free      (PgAccountCheckResult  *result);
const char *pg_account_check_step_to_string   (PgAccountCheckStep     step);
const char *pg_account_check_state_to_string  (PgAccountCheckState    state);

void        pg_account_check_async            (PgS3Client            *manager,
                                               PgCredentials         *signer,
                                               const char            *bucket,
                                               const char            *signer_arn,
                                               const char            *role_arn,
                                               guint                  verify_seconds,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
GPtrArray  *pg_account_check_finish           (GAsyncResult          *result,
                                               GError               **error);
const PgAccountCheckResult *
            pg_account_check_find             (GPtrArray             *results,
                                               PgAccountCheckStep     step);
gboolean    pg_account_check_passed           (GPtrArray             *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgAccountCheckResult, pg_account_check_result_free)

G_END_DECLS
