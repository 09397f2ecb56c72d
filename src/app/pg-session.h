/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "pg-account.h"
#include "pg-link-service.h"
#include "pg-revoker.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

#define PG_TYPE_SESSION (pg_session_get_type ())

G_DECLARE_FINAL_TYPE (PgSession, pg_session, PG, SESSION, GObject)

void           pg_session_new_async        (PgAccount            *account,
                                            SoupSession          *soup_session,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
PgSession     *pg_session_new_finish       (GAsyncResult         *result,
                                            GError              **error);
PgAccount     *pg_session_get_account      (PgSession            *self);
PgEndpoint    *pg_session_get_endpoint     (PgSession            *self);
PgS3Client    *pg_session_get_client       (PgSession            *self);
PgCredentials *pg_session_get_signer       (PgSession            *self);
const char    *pg_session_get_signer_arn   (PgSession            *self);
PgS3Client    *pg_session_new_signer_client (PgSession           *self);
PgCredentials *pg_session_get_link_signer  (PgSession            *self,
                                            PgLinkService        *service,
                                            PgLink               *link);
PgRevoker     *pg_session_get_link_revoker (PgSession            *self,
                                            PgLinkService        *service,
                                            PgLink               *link,
                                            GError              **error);
void           pg_session_keep_link_credentials (PgSession       *self,
                                                 PgLinkService   *service,
                                                 PgLink          *link);
void           pg_session_load_link_credentials (PgSession       *self,
                                                 PgLinkService   *service);
void           pg_session_forget_link_credentials (PgSession     *self,
                                                   PgLinkService *service,
                                                   PgLink        *link);
PgRevoker     *pg_session_get_revoker      (PgSession            *self,
                                            GError              **error);

G_END_DECLS
