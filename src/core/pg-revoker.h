/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-policy.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

#define PG_TYPE_REVOKER (pg_revoker_get_type ())

G_DECLARE_FINAL_TYPE (PgRevoker, pg_revoker, PG, REVOKER, GObject)

/* Where the lease that keeps policy writers apart lives, in the bucket itself. */
#define PG_REVOKER_LEASE_KEY ".presign-guard/lock"

/**
 * PgRevokeStats:
 * @requests: HTTP requests sent (lease, policy reads and writes, probes)
 * @cycles: read-modify-write cycles (more than one after a concurrent change)
 * @probes: requests signed with the signer's key, before and after the change
 * @lease_waits: times the lease was found held by somebody else
 * @seconds: wall time of the whole operation
 */
typedef struct
{
  guint   requests;
  guint   cycles;
  guint   probes;
  guint   lease_waits;
  double  seconds;
} PgRevokeStats;

PgRevoker  *pg_revoker_new                 (PgS3Client           *manager,
                                            PgCredentials        *signer,
                                            const char           *signer_arn);
gboolean    pg_revoker_check               (PgRevoker            *self,
                                            GError              **error);
void        pg_revoker_set_verify_timeout  (PgRevoker            *self,
                                            guint                 seconds);
void        pg_revoker_set_settle_time     (PgRevoker            *self,
                                            guint                 milliseconds);
void        pg_revoker_set_lease_seconds   (PgRevoker            *self,
                                            guint                 seconds);
void        pg_revoker_set_wait_limit      (PgRevoker            *self,
                                            guint                 seconds);
PgS3Client *pg_revoker_get_manager         (PgRevoker            *self);
PgCredentials *pg_revoker_get_signer      (PgRevoker            *self);
const char *pg_revoker_get_signer_arn      (PgRevoker            *self);
const PgRevokeStats *pg_revoker_get_stats  (PgRevoker            *self);
const char *pg_revoker_get_notice          (PgRevoker            *self);

void        pg_revoker_revoke_async        (PgRevoker            *self,
                                            const char           *bucket,
                                            const char           *key,
                                            PgPolicyAction        action,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void        pg_revoker_revoke_targets_async   (PgRevoker            *self,
                                               const char           *bucket,
                                               const PgPolicyTarget *targets,
                                               guint                 n_targets,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
void        pg_revoker_unrevoke_targets_async (PgRevoker            *self,
                                               const char           *bucket,
                                               const PgPolicyTarget *targets,
                                               guint                 n_targets,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
void        pg_revoker_unrevoke_async      (PgRevoker            *self,
                                            const char           *bucket,
                                            const char           *key,
                                            PgPolicyAction        action,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void        pg_revoker_set_lockdown_async  (PgRevoker            *self,
                                            const char           *bucket,
                                            PgLockdownMode        mode,
                                            gboolean              enabled,
                                            const char * const   *exempt_arns,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
void        pg_revoker_prune_async         (PgRevoker            *self,
                                            const char           *bucket,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    pg_revoker_finish              (PgRevoker            *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
