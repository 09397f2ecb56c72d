/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

#include "pg-account.h"
#include "pg-link-service.h"
#include "pg-account-context.h"
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
PgAccountContext *pg_session_get_context   (PgSession            *self);
void           pg_session_keep_link_credentials (PgLink          *link,
                                                 PgCredentials   *credentials);
void           pg_session_load_link_credentials (PgSession       *self,
                                                 PgLinkService   *service);
void           pg_session_forget_link_credentials (PgLink        *link);

G_END_DECLS
