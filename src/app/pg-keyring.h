/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Secrets of an account in the desktop keyring (libsecret), under the account's id and a
 * role: "manager" or "signer". */

void     pg_keyring_store_async   (const char           *account_id,
                                   const char           *role,
                                   const char           *label,
                                   const char           *secret,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
gboolean pg_keyring_store_finish  (GAsyncResult         *result,
                                   GError              **error);
void     pg_keyring_lookup_async  (const char           *account_id,
                                   const char           *role,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
char    *pg_keyring_lookup_finish (GAsyncResult         *result,
                                   GError              **error);
void     pg_keyring_secret_free   (char                 *secret);
void     pg_keyring_forget        (const char           *account_id,
                                   const char           *role);


G_END_DECLS
