/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <libsoup/soup.h>

#include "pg-account.h"
#include "pg-link-service.h"

G_BEGIN_DECLS

#define PG_TYPE_APPLICATION (pg_application_get_type ())

G_DECLARE_FINAL_TYPE (PgApplication, pg_application, PG, APPLICATION, AdwApplication)

PgApplication *pg_application_new                (void);
PgLinkService *pg_application_get_link_service   (PgApplication        *self);
SoupSession   *pg_application_get_soup_session   (PgApplication        *self);
PgAccount     *pg_application_get_account        (PgApplication        *self);
void           pg_application_save_account_async (PgApplication        *self,
                                                  PgAccount            *account,
                                                  const char           *manager_secret,
                                                  const char           *manager_token,
                                                  const char           *signer_secret,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       pg_application_save_account_finish (PgApplication       *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);
void           pg_application_notify             (PgApplication        *self,
                                                  const char           *id,
                                                  const char           *title,
                                                  const char           *body);

G_END_DECLS
