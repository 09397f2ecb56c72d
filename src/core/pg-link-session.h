/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-record.h"
#include "pg-presign.h"
#include "pg-revoker.h"

G_BEGIN_DECLS

/* How long a link's own signing session lasts: STS's shortest, and Ceph's and an IAM role's
 * longest (AWS: the role's MaxSessionDuration, set so by pg_signer_role_documents()). */
#define PG_LINK_SESSION_MIN_SECONDS 900
#define PG_LINK_SESSION_MAX_SECONDS 43200
/* A federated session of an IAM user's key (GetFederationToken, AWS) lasts up to 36 hours. */
#define PG_LINK_FEDERATION_MAX_SECONDS 129600

void          pg_link_session_sign_async      (PgS3Client              *manager,
                                               PgS3Client              *signer,
                                               const char              *role_arn,
                                               const char              *link_id,
                                               const PgPresignOptions  *options,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
char         *pg_link_session_sign_finish     (GAsyncResult            *result,
                                               PgLinkRecord           **record,
                                               PgAssumedRole          **session,
                                               GError                 **error);
gboolean      pg_link_session_is_federated    (const char              *session_arn);
void          pg_link_session_revoker_for_async   (PgS3Client          *manager,
                                                   PgS3Client          *signer,
                                                   const char          *role_arn,
                                                   const char          *bucket,
                                                   const char          *key,
                                                   const char          *session_name,
                                                   const char          *session_arn,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PgRevoker    *pg_link_session_revoker_for_finish  (GAsyncResult        *result,
                                                   GError             **error);
void          pg_link_session_role_revoker_async  (PgS3Client          *manager,
                                                   PgS3Client          *signer,
                                                   const char          *role_arn,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PgRevoker    *pg_link_session_role_revoker_finish (GAsyncResult        *result,
                                                   GError             **error);
char         *pg_link_session_name           (const char              *link_id,
                                               gboolean                 federated);
char         *pg_signer_role_trust_policy     (const char              *signer_arn);
char         *pg_signer_role_permissions      (const char              *partition,
                                               const char              *bucket);
char         *pg_signer_user_permissions      (const char              *partition,
                                               const char              *bucket);
void          pg_signer_user_setup_async      (PgS3Client              *manager,
                                               const char              *user_name,
                                               const char              *bucket,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
gboolean      pg_signer_user_setup_finish     (GAsyncResult            *result,
                                               char                   **arn,
                                               char                   **access_key_id,
                                               char                   **secret,
                                               GError                 **error);
void          pg_signer_role_setup_async      (PgS3Client              *manager,
                                               const char              *role_name,
                                               const char              *signer_arn,
                                               const char              *bucket,
                                               GCancellable            *cancellable,
                                               GAsyncReadyCallback      callback,
                                               gpointer                 user_data);
char         *pg_signer_role_setup_finish     (GAsyncResult            *result,
                                               GError                 **error);

G_END_DECLS
