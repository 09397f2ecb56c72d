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

/* Each call runs in a worker thread, with libsecret's blocking API. In a Flatpak, libsecret's
 * first call asks the Secret portal for the key of its file; with its asynchronous API, started
 * from a starting GTK application, that call never completed although the portal answered
 * (libsecret 0.20.5, in the Flatpak lane of tests/sandbox/): the app never got its account
 * saved or its keys back. The blocking API, which runs on a main context of its own, does not
 * have that problem, and the window never waits for it. */
typedef enum {
  KEYRING_STORE,
  KEYRING_LOOKUP,
  KEYRING_FORGET,
} KeyringOp;

typedef struct
{
  KeyringOp  op;
  char      *account_id;
  char      *role;
  char      *label;
  char      *secret;
} Call;

static void
call_free (Call *call)
{
  g_free (call->account_id);
  g_free (call->role);
  g_free (call->label);
  if (call->secret != NULL)
    secret_password_free (call->secret);
  g_free (call);
}

static void
run_call (GTask        *task,
          gpointer      source,
          gpointer      data,
          GCancellable *cancellable)
{
  Call *call = data;
  GError *error = NULL;
  char *secret;

  switch (call->op)
    {
    case KEYRING_STORE:
      if (secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, call->label,
                                      call->secret, cancellable, &error,
                                      "account", call->account_id,
                                      "role", call->role,
                                      NULL))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case KEYRING_LOOKUP:
      secret = secret_password_lookup_sync (get_schema (), cancellable, &error,
                                            "account", call->account_id,
                                            "role", call->role,
                                            NULL);
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, secret, (GDestroyNotify) secret_password_free);
      break;

    case KEYRING_FORGET:
    default:
      secret_password_clear_sync (get_schema (), NULL, NULL,
                                  "account", call->account_id,
                                  "role", call->role,
                                  NULL);
      g_task_return_boolean (task, TRUE);
      break;
    }
}

static void
start_call (KeyringOp            op,
            const char          *account_id,
            const char          *role,
            const char          *label,
            const char          *secret,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  call->op = op;
  call->account_id = g_strdup (account_id);
  call->role = g_strdup (role);
  call->label = g_strdup (label);
  call->secret = g_strdup (secret);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  /* A secret that was not stored is an error to show: never given up on silently. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_call);
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
  start_call (KEYRING_STORE, account_id, role, label, secret, pg_keyring_store_async,
              cancellable, callback, user_data);
}

gboolean
pg_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pg_keyring_store_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pg_keyring_lookup_async (const char          *account_id,
                         const char          *role,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  start_call (KEYRING_LOOKUP, account_id, role, NULL, NULL, pg_keyring_lookup_async,
              cancellable, callback, user_data);
}

/* Returns: (transfer full) (nullable): the secret; free it with pg_keyring_secret_free(). */
char *
pg_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pg_keyring_lookup_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Deletes a secret, when it is there; nobody waits for it. */
void
pg_keyring_forget (const char *account_id,
                   const char *role)
{
  start_call (KEYRING_FORGET, account_id, role, NULL, NULL, pg_keyring_forget, NULL, NULL,
              NULL);
}

/* Wipes the secret from memory before freeing it. */
void
pg_keyring_secret_free (char *secret)
{
  secret_password_free (secret);
}
