/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-link-record.h"
#include "pg-revoker.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

#define PG_TYPE_ACCOUNT_CONTEXT (pg_account_context_get_type ())

G_DECLARE_FINAL_TYPE (PgAccountContext, pg_account_context, PG, ACCOUNT_CONTEXT, GObject)

PgAccountContext *pg_account_context_new                (const char         *account_id,
                                                         const char         *bucket,
                                                         PgS3Client         *manager,
                                                         PgS3Client         *signer,
                                                         const char         *signer_arn);
void              pg_account_context_set_signing_role   (PgAccountContext   *self,
                                                         const char         *role_arn);
void              pg_account_context_set_uses_sources   (PgAccountContext   *self,
                                                         const char         *ops_log_path,
                                                         const char         *queue_url);
void              pg_account_context_set_verify_timeout (PgAccountContext   *self,
                                                         int                 seconds);
void              pg_account_context_set_wait_limit     (PgAccountContext   *self,
                                                         guint               seconds);
const char       *pg_account_context_get_account_id     (PgAccountContext   *self);
const char       *pg_account_context_get_bucket         (PgAccountContext   *self);
PgS3Client       *pg_account_context_get_manager        (PgAccountContext   *self);
PgEndpoint       *pg_account_context_get_endpoint       (PgAccountContext   *self);
PgCredentials    *pg_account_context_get_signer         (PgAccountContext   *self);
PgS3Client       *pg_account_context_get_signer_client  (PgAccountContext   *self);
const char       *pg_account_context_get_signer_arn     (PgAccountContext   *self);
const char       *pg_account_context_get_signing_role   (PgAccountContext   *self);
const char       *pg_account_context_get_ops_log_path   (PgAccountContext   *self);
const char       *pg_account_context_get_queue_url      (PgAccountContext   *self);
gboolean          pg_account_context_reports_downloads  (PgAccountContext   *self);

PgRevoker        *pg_account_context_new_revoker        (PgAccountContext   *self,
                                                         GError            **error);
void              pg_account_context_revoker_for_record_async  (PgAccountContext    *self,
                                                                const PgLinkRecord  *record,
                                                                PgCredentials       *session,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
PgRevoker        *pg_account_context_revoker_for_record_finish (PgAccountContext    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
void              pg_account_context_role_revoker_async        (PgAccountContext    *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
PgRevoker        *pg_account_context_role_revoker_finish       (PgAccountContext    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
void              pg_account_context_create_signing_role_async  (PgAccountContext    *self,
                                                                const char          *role_name,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
char             *pg_account_context_create_signing_role_finish (PgAccountContext    *self,
                                                                GAsyncResult        *result,
                                                                GError             **error);
void              pg_account_context_create_signing_key_async  (PgAccountContext    *self,
                                                                const char          *user_name,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
gboolean          pg_account_context_create_signing_key_finish (PgAccountContext    *self,
                                                                GAsyncResult        *result,
                                                                char               **arn,
                                                                char               **access_key_id,
                                                                char               **secret,
                                                                GError             **error);

G_END_DECLS
