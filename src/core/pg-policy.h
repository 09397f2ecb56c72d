/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PG_TYPE_POLICY (pg_policy_get_type ())

/* S3 refuses bucket policies larger than 20 KB. */
#define PG_POLICY_MAX_BYTES 20480

/* A dated statement may go once every link signed before it has expired: 7 days, plus one for
 * clock skew. */
#define PG_POLICY_PRUNE_DAYS 8

#define PG_POLICY_SID_PREFIX "PresignGuard"

/* Our folder in the bucket, which only the managing key writes. */
#define PG_POLICY_FOLDER ".presign-guard/"

/* Every statement we write lists this object too (see pg-policy.c): our marker. */
#define PG_POLICY_MARKER_KEY PG_POLICY_FOLDER "ours"

/* Revocations leave this much of PG_POLICY_MAX_BYTES free, so that the lockdown (the signer
 * and the signing role) always fits. */
#define PG_POLICY_LOCKDOWN_ROOM 1024

/* How long after its revocation a link signed in a session of its own may still be presented:
 * a role's session lasts 12 hours, an AWS federated session 36, plus an hour for clock skew. */
#define PG_POLICY_SESSION_HOURS 13
#define PG_POLICY_FEDERATED_HOURS 37

typedef enum {
  PG_POLICY_ACTION_GET,
  PG_POLICY_ACTION_PUT,
} PgPolicyAction;

/**
 * PgPolicyTarget:
 * @key: an object key
 * @action: what is refused or allowed on it
 *
 * One thing a revocation takes back: downloads or uploads of one object.
 */
typedef struct
{
  const char     *key;
  PgPolicyAction  action;
} PgPolicyTarget;

typedef enum {
  PG_LOCKDOWN_SIGNER,
  PG_LOCKDOWN_ANY,
} PgLockdownMode;

typedef struct _PgPolicy PgPolicy;

GType       pg_policy_get_type          (void) G_GNUC_CONST;
PgPolicy   *pg_policy_new               (const char           *json,
                                         const char           *partition,
                                         GError              **error);
PgPolicy   *pg_policy_copy              (PgPolicy             *self);
void        pg_policy_free              (PgPolicy             *self);
char       *pg_policy_to_json           (PgPolicy             *self,
                                         gboolean              pretty);
gboolean    pg_policy_is_empty          (PgPolicy             *self);
gboolean    pg_policy_equal             (PgPolicy             *self,
                                         PgPolicy             *other);
gboolean    pg_policy_check_size        (PgPolicy             *self,
                                         GError              **error);
gboolean    pg_policy_revoke            (PgPolicy             *self,
                                         const char           *bucket,
                                         const char           *key,
                                         PgPolicyAction        action,
                                         const char           *signer_arn,
                                         gboolean              same_identity,
                                         GDateTime            *now,
                                         GError              **error);
gboolean    pg_policy_unrevoke          (PgPolicy             *self,
                                         const char           *bucket,
                                         const char           *key,
                                         PgPolicyAction        action,
                                         const char           *signer_arn);
gboolean    pg_policy_is_revoked        (PgPolicy             *self,
                                         const char           *bucket,
                                         const char           *key,
                                         PgPolicyAction        action,
                                         const char           *signer_arn);
gboolean    pg_policy_set_lockdown      (PgPolicy             *self,
                                         const char           *bucket,
                                         PgLockdownMode        mode,
                                         gboolean              enabled,
                                         const char           *signer_arn,
                                         const char * const   *exempt_arns,
                                         GError              **error);
gboolean    pg_policy_get_lockdown      (PgPolicy             *self,
                                         const char           *bucket,
                                         PgLockdownMode        mode);
guint       pg_policy_prune             (PgPolicy             *self,
                                         const char           *bucket,
                                         GDateTime            *now);
guint       pg_policy_prune_expired     (PgPolicy             *self,
                                         const char           *bucket,
                                         GDateTime            *now);
gboolean    pg_policy_is_link_session   (const char           *principal_arn);
gboolean    pg_policy_guard_folder      (PgPolicy             *self,
                                         const char           *bucket,
                                         const char           *principal_arn,
                                         GError              **error);
gboolean    pg_policy_get_guard         (PgPolicy             *self,
                                         const char           *bucket,
                                         const char           *principal_arn);
gboolean    pg_policy_release_guard     (PgPolicy             *self,
                                         const char           *bucket);
void        pg_policy_set_escape_wildcards (PgPolicy          *self,
                                         gboolean              escape);
char       *pg_policy_object_arn        (const char           *partition,
                                         const char           *bucket,
                                         const char           *key,
                                         gboolean              escape_wildcards);
guint       pg_policy_count_ours        (PgPolicy             *self,
                                         const char           *bucket);
gboolean    pg_policy_arn_is_valid      (const char           *arn);
const char *pg_policy_signer_arn_hint   (gboolean              aws);
gboolean    pg_policy_check_target      (const char           *bucket,
                                         const char           *key,
                                         const char           *signer_arn,
                                         GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgPolicy, pg_policy_free)

G_END_DECLS
