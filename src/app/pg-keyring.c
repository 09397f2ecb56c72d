/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-keyring"

#include "config.h"

#include <libsecret/secret.h>

#include "pg-keyring.h"

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    APP_ID ".Secret", SECRET_SCHEMA_NONE,
    {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "role", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

void
pg_keyring_store_async (const char          *account_id,
                        const char          *role,
                        const char          *label,
                        const char          *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret, cancellable,
                         callback, user_data,
                         "account", account_id,
                         "role", role,
                         NULL);
}

gboolean
pg_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  return secret_password_store_finish (result, error);
}

void
pg_keyring_lookup_async (const char          *account_id,
                         const char          *role,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  secret_password_lookup (get_schema (), cancellable, callback, user_data,
                          "account", account_id,
                          "role", role,
                          NULL);
}

/* Returns: (transfer full) (nullable): the secret; free it with pg_keyring_secret_free(). */
char *
pg_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  return secret_password_lookup_finish (result, error);
}

/* Deletes a secret, when it is there; nobody waits for it. */
void
pg_keyring_forget (const char *account_id,
                   const char *role)
{
  secret_password_clear (get_schema (), NULL, NULL, NULL,
                         "account", account_id,
                         "role", role,
                         NULL);
}

/* Wipes the secret from memory before freeing it. */
void
pg_keyring_secret_free (char *secret)
{
  secret_password_free (secret);
}
