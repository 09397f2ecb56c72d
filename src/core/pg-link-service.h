/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-link-job.h"
#include "pg-link-store.h"
#include "pg-revoker.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/**
 * PgLinkShareable:
 * @PG_LINK_SHAREABLE: a new link to the object would work
 * @PG_LINK_SHAREABLE_REVOKED: links to the object are revoked: a new one would be dead
 * @PG_LINK_SHAREABLE_LOCKED: every link of the bucket is blocked
 */
typedef enum {
  PG_LINK_SHAREABLE,
  PG_LINK_SHAREABLE_REVOKED,
  PG_LINK_SHAREABLE_LOCKED,
} PgLinkShareable;

/**
 * PgUploadPageRequest:
 * @bucket: where the page and the files go
 * @folder: the folder under which the files' own folder is made ("" for the top)
 * @n_files: how many files the partner may send (1 to %PG_UPLOAD_PAGE_MAX_FILES)
 * @expires: the lifetime of the page and its uploads, in seconds
 * @note: (nullable): a note from the sender, shown on the page
 */
typedef struct
{
  const char *bucket;
  const char *folder;
  guint       n_files;
  guint       expires;
  const char *note;
} PgUploadPageRequest;

#define PG_TYPE_LINK_SERVICE (pg_link_service_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkService, pg_link_service, PG, LINK_SERVICE, GObject)

PgLinkService *pg_link_service_new             (GFile                *file);
GListModel    *pg_link_service_get_links       (PgLinkService        *self);
gboolean       pg_link_service_get_busy        (PgLinkService        *self);
void           pg_link_service_load_async      (PgLinkService        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       pg_link_service_load_finish     (PgLinkService        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PgLink        *pg_link_service_find            (PgLinkService        *self,
                                                const char           *id);
GPtrArray     *pg_link_service_list_affected   (PgLinkService        *self,
                                                PgLink               *link,
                                                PgLinkJobKind         kind);
void           pg_link_service_create_session_link_async  (PgLinkService          *self,
                                                           const char             *account_id,
                                                           PgS3Client             *manager,
                                                           PgS3Client             *signer,
                                                           const char             *role_arn,
                                                           const PgPresignOptions *options,
                                                           GCancellable           *cancellable,
                                                           GAsyncReadyCallback     callback,
                                                           gpointer                user_data);
void           pg_link_service_create_copy_link_async  (PgLinkService          *self,
                                                        const char             *account_id,
                                                        PgS3Client             *manager,
                                                        PgS3Client             *signer,
                                                        const char             *signer_arn,
                                                        const PgPresignOptions *options,
                                                        guint64                 max_bytes,
                                                        GCancellable           *cancellable,
                                                        GAsyncReadyCallback     callback,
                                                        gpointer                user_data);
PgLink        *pg_link_service_create_link_alone_finish (PgLinkService         *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);
void           pg_link_service_set_link_credentials       (PgLinkService          *self,
                                                           const char             *link_id,
                                                           PgCredentials          *credentials);
PgCredentials *pg_link_service_get_link_credentials       (PgLinkService          *self,
                                                           PgLink                 *link);
PgLink        *pg_link_service_create_link     (PgLinkService        *self,
                                                const char           *account_id,
                                                PgEndpoint           *endpoint,
                                                PgCredentials        *signer,
                                                const char           *signer_arn,
                                                const PgPresignOptions *options,
                                                PgLinkShareable       shareable,
                                                GError              **error);
void           pg_link_service_create_upload_page_async  (PgLinkService             *self,
                                                          PgS3Client                *manager,
                                                          const char                *account_id,
                                                          PgCredentials             *signer,
                                                          const char                *signer_arn,
                                                          const PgUploadPageRequest *request,
                                                          GCancellable              *cancellable,
                                                          GAsyncReadyCallback        callback,
                                                          gpointer                   user_data);
PgLink        *pg_link_service_create_upload_page_finish (PgLinkService             *self,
                                                          GAsyncResult              *result,
                                                          GError                   **error);
void           pg_link_service_remove_async    (PgLinkService        *self,
                                                PgS3Client           *manager,
                                                PgLink               *link,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       pg_link_service_remove_finish   (PgLinkService        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void           pg_link_service_save            (PgLinkService        *self);

PgLinkJob     *pg_link_service_revoke          (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                PgLink               *link);
PgLinkJob     *pg_link_service_unrevoke        (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                PgLink               *link);
PgLinkJob     *pg_link_service_revoke_object   (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                const char           *bucket,
                                                const char           *key,
                                                PgPolicyAction        action,
                                                gboolean              revoke);
PgLinkJob     *pg_link_service_revoke_targets  (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                const char           *bucket,
                                                const PgPolicyTarget *targets,
                                                guint                 n_targets,
                                                gboolean              revoke);
void           pg_link_service_revoke_url_async  (PgLinkService        *self,
                                                  PgRevoker            *revoker,
                                                  const char           *url,
                                                  PgPolicyAction        action,
                                                  gboolean              revoke,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
PgLinkJob     *pg_link_service_revoke_url_finish (PgLinkService        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
PgLinkJob     *pg_link_service_set_lockdown    (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                const char           *bucket,
                                                PgLockdownMode        mode,
                                                gboolean              enabled,
                                                const char * const   *exempt_arns);
PgLinkJob     *pg_link_service_upload          (PgLinkService        *self,
                                                PgS3Client           *client,
                                                const char           *bucket,
                                                const char           *key,
                                                GFile                *file,
                                                gboolean              replace);
PgLinkJob     *pg_link_service_download        (PgLinkService        *self,
                                                PgS3Client           *client,
                                                const char           *bucket,
                                                const char           *key,
                                                GFile                *destination);
void           pg_link_service_cancel_uploads  (PgLinkService        *self);
void           pg_link_service_check_received_async  (PgLinkService       *self,
                                                      PgS3Client          *client,
                                                      const char          *bucket,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
int            pg_link_service_check_received_finish (PgLinkService       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void           pg_link_service_wait            (PgLinkService        *self,
                                                PgLinkJob            *job);

void           pg_link_service_check_shareable_async  (PgLinkService   *self,
                                                       PgS3Client      *client,
                                                       const char      *bucket,
                                                       const char      *key,
                                                       const char      *signer_arn,
                                                       GCancellable    *cancellable,
                                                       GAsyncReadyCallback callback,
                                                       gpointer         user_data);
PgLinkShareable pg_link_service_check_shareable_finish (PgLinkService  *self,
                                                       GAsyncResult    *result,
                                                       GError         **error);

G_END_DECLS
