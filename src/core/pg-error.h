/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PG_ERROR (pg_error_quark ())

/**
 * PgError:
 * @PG_ERROR_INVALID_ARGUMENT: a value given by the user or caller is out of range or malformed
 * @PG_ERROR_INVALID_URL: a link could not be understood
 * @PG_ERROR_INVALID_CREDENTIALS: an access key or secret is empty or malformed
 * @PG_ERROR_POLICY_TOO_LARGE: a bucket policy would exceed what S3 accepts
 * @PG_ERROR_NOT_VERIFIED: a policy change was written but could not be proven to work
 * @PG_ERROR_CONFLICT: somebody else kept changing the bucket policy at the same time
 * @PG_ERROR_UNSUPPORTED: the server cannot do what this setup needs
 * @PG_ERROR_SIGNER_REFUSED: a request signed with the signing key was not accepted before any
 *   change, so no change could be proven (a wrong secret, an unknown key, a signer refused by
 *   something else)
 * @PG_ERROR_TAKEN_BACK: a policy change was written, did not hold within the time limit, and
 *   was taken back: the policy is as it was before
 * @PG_ERROR_FAILED: anything else
 *
 * Errors of the Presign Guard core. Messages are complete, translatable sentences meant to be
 * shown to the user as they are.
 */
typedef enum {
  PG_ERROR_INVALID_ARGUMENT,
  PG_ERROR_INVALID_URL,
  PG_ERROR_INVALID_CREDENTIALS,
  PG_ERROR_POLICY_TOO_LARGE,
  PG_ERROR_NOT_VERIFIED,
  PG_ERROR_CONFLICT,
  PG_ERROR_UNSUPPORTED,
  PG_ERROR_SIGNER_REFUSED,
  PG_ERROR_TAKEN_BACK,
  PG_ERROR_FAILED,
} PgError;

GQuark pg_error_quark (void);

G_END_DECLS
