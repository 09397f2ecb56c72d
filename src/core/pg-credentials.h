/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PG_TYPE_CREDENTIALS (pg_credentials_get_type ())
#define PG_SIGNING_KEY_LENGTH 32

typedef struct _PgCredentials PgCredentials;

GType          pg_credentials_get_type             (void) G_GNUC_CONST;
PgCredentials *pg_credentials_new                  (const char     *access_key_id,
                                                    const char     *secret_access_key,
                                                    const char     *session_token,
                                                    GDateTime      *expiration,
                                                    GError        **error);
PgCredentials *pg_credentials_new_from_environment (const char     *access_key_variable,
                                                    const char     *secret_variable,
                                                    const char     *session_token_variable,
                                                    GError        **error);
PgCredentials *pg_credentials_ref                  (PgCredentials  *self);
void           pg_credentials_unref                (PgCredentials  *self);
const char    *pg_credentials_get_access_key_id    (PgCredentials  *self);
const char    *pg_credentials_get_session_token    (PgCredentials  *self);
GDateTime     *pg_credentials_get_expiration       (PgCredentials  *self);
char          *pg_credentials_export               (PgCredentials  *self);
void           pg_credentials_wipe_export          (char           *text);
PgCredentials *pg_credentials_import               (const char     *text,
                                                    GError        **error);
gboolean       pg_credentials_is_temporary         (PgCredentials  *self);
void           pg_credentials_derive_signing_key   (PgCredentials  *self,
                                                    const char     *date,
                                                    const char     *region,
                                                    const char     *service,
                                                    guint8          key[PG_SIGNING_KEY_LENGTH]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgCredentials, pg_credentials_unref)

G_END_DECLS
