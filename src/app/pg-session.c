/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-session"

#include "config.h"

#include <glib/gi18n.h>

#include "pg-error.h"
#include "pg-keyring.h"
#include "pg-session.h"

/* An account made ready to act: its secrets read from the keyring, its signer's principal from
 * the account or STS, and from them the core's account context (pg-account-context.c), through
 * which the link service acts. Built asynchronously: the keyring and STS are asked without
 * blocking the window. The sessions of links signed one by one are kept in the keyring here too
 * (pg_session_keep_link_credentials()). */

struct _PgSession
{
  GObject        parent_instance;

  PgAccount     *account;
  PgEndpoint    *endpoint;
  PgCredentials *manager;
  PgCredentials *signer;
  PgS3Client    *client;
  char          *signer_arn;
  PgAccountContext *context;
};

G_DEFINE_FINAL_TYPE (PgSession, pg_session, G_TYPE_OBJECT)

static void
pg_session_finalize (GObject *object)
{
  PgSession *self = PG_SESSION (object);

  g_clear_object (&self->account);
  g_clear_pointer (&self->endpoint, pg_endpoint_unref);
  g_clear_pointer (&self->manager, pg_credentials_unref);
  g_clear_pointer (&self->signer, pg_credentials_unref);
  g_clear_object (&self->client);
  g_free (self->signer_arn);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (pg_session_parent_class)->finalize (object);
}

static void
pg_session_class_init (PgSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_session_finalize;
}

static void
pg_session_init (PgSession *self)
{
}

static PgCredentials *
credentials_from_secret (const char  *key_id,
                         char        *secret,
                         const char  *token,
                         gint64       expires,
                         GError     **error)
{
  g_autoptr(GDateTime) expiration = expires > 0 ? g_date_time_new_from_unix_utc (expires) : NULL;
  PgCredentials *credentials;

  if (secret == NULL)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                   _("The secret key of %s is not in the keyring. Edit the account and enter "
                     "it again."), key_id);
      return NULL;
    }

  credentials = pg_credentials_new (key_id, secret, token, token ? expiration : NULL, error);
  pg_keyring_secret_free (secret);

  return credentials;
}

/* The session is complete: its account context is made. */
static void
return_session (GTask *task)
{
  PgSession *self = g_task_get_task_data (task);
  g_autoptr(PgS3Client) signer = pg_s3_client_new (self->endpoint, self->signer,
                                                   pg_s3_client_get_session (self->client));

  self->context = pg_account_context_new (pg_account_get_id (self->account),
                                          pg_account_get_bucket (self->account), self->client,
                                          signer, self->signer_arn);
  pg_account_context_set_signing_role (self->context,
                                       pg_account_get_signer_role_arn (self->account));
  pg_account_context_set_uses_sources (self->context,
                                       pg_account_get_ops_log_path (self->account),
                                       pg_account_get_uses_queue_url (self->account));
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

static void
identity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PgSession *self = g_task_get_task_data (task);

  /* Not every server has STS; revoking then asks for the ARN. */
  self->signer_arn = pg_s3_client_get_caller_identity_finish (PG_S3_CLIENT (source), result,
                                                              NULL);
  return_session (task);
}

static void
finish_setup (GTask *task)
{
  PgSession *self = g_task_get_task_data (task);
  SoupSession *soup_session = g_object_get_data (G_OBJECT (task), "soup-session");
  g_autoptr(PgS3Client) signer_client = NULL;

  self->client = pg_s3_client_new (self->endpoint, self->manager, soup_session);

  if (pg_account_get_signer_arn (self->account) != NULL)
    {
      self->signer_arn = g_strdup (pg_account_get_signer_arn (self->account));
      return_session (task);
      g_object_unref (task);
      return;
    }

  signer_client = pg_s3_client_new (self->endpoint, self->signer, soup_session);
  pg_s3_client_set_retries (signer_client, 1, 0);
  pg_s3_client_get_caller_identity_async (signer_client, g_task_get_cancellable (task),
                                          identity_cb, task);
}

static void
signer_secret_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = pg_keyring_lookup_finish (result, &error);
  PgSession *self;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_task_data (task);
  self->signer = credentials_from_secret (pg_account_get_signer_key_id (self->account), secret,
                                          NULL, 0, &error);
  if (self->signer == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  finish_setup (g_steal_pointer (&task));
}

static void
manager_token_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *token = pg_keyring_lookup_finish (result, &error);
  GCancellable *cancellable;
  PgSession *self;
  char *secret;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_task_data (task);
  cancellable = g_task_get_cancellable (task);
  secret = g_object_steal_data (G_OBJECT (task), "manager-secret");
  self->manager = credentials_from_secret (pg_account_get_manager_key_id (self->account), secret,
                                           token, pg_account_get_token_expires (self->account),
                                           &error);
  if (token != NULL)
    pg_keyring_secret_free (token);

  if (self->manager == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!pg_account_has_separate_signer (self->account))
    {
      self->signer = pg_credentials_ref (self->manager);
      finish_setup (g_steal_pointer (&task));
      return;
    }

  pg_keyring_lookup_async (pg_account_get_id (self->account), "signer", cancellable,
                           signer_secret_cb, g_steal_pointer (&task));
}

static void
manager_secret_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = pg_keyring_lookup_finish (result, &error);
  GCancellable *cancellable;
  PgSession *self;

  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_task_data (task);
  cancellable = g_task_get_cancellable (task);
  if (secret == NULL)
    {
      credentials_from_secret (pg_account_get_manager_key_id (self->account), NULL, NULL, 0,
                               &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Held only until the session token (if any) has been looked up. */
  g_object_set_data_full (G_OBJECT (task), "manager-secret", secret,
                          (GDestroyNotify) pg_keyring_secret_free);
  pg_keyring_lookup_async (pg_account_get_id (self->account), "manager-token", cancellable,
                           manager_token_cb, g_steal_pointer (&task));
}

void
pg_session_new_async (PgAccount           *account,
                      SoupSession         *soup_session,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  PgSession *self = g_object_new (PG_TYPE_SESSION, NULL);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, pg_session_new_async);
  g_task_set_task_data (task, self, g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "soup-session", g_object_ref (soup_session),
                          g_object_unref);
  self->account = g_object_ref (account);
  self->endpoint = pg_account_create_endpoint (account, &error);

  if (self->endpoint == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  pg_keyring_lookup_async (pg_account_get_id (account), "manager", cancellable,
                           manager_secret_cb, task);
}

PgSession *
pg_session_new_finish (GAsyncResult  *result,
                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

PgAccount *
pg_session_get_account (PgSession *self)
{
  return self->account;
}

/* Returns: (transfer none): the account context the link service acts through */
PgAccountContext *
pg_session_get_context (PgSession *self)
{
  return self->context;
}

static char *
link_role (PgLink *link)
{
  return g_strconcat ("link-", pg_link_get_id (link), NULL);
}

static void
link_kept_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pg_keyring_store_finish (result, &error))
    g_warning ("A link's signing session could not be kept in the keyring: %s", error->message);
}

/**
 * pg_session_keep_link_credentials:
 *
 * Keeps the credentials of @link's own session in the keyring, so that its URL can be made
 * again after a restart (Copy, QR code, e-mail) and its revocation proven.
 */
void
pg_session_keep_link_credentials (PgLink        *link,
                                  PgCredentials *credentials)
{
  g_autofree char *role = link_role (link);
  g_autofree char *label = NULL;
  char *secret;

  if (credentials == NULL || !(secret = pg_credentials_export (credentials)))
    return;

  label = g_strdup_printf (_("Presign Guard: signing session of a link to %s"),
                           pg_link_key_basename (pg_link_get_file_key (link)));
  pg_keyring_store_async (pg_link_get_account_id (link), role, label, secret, NULL,
                          link_kept_cb, NULL);
  pg_credentials_wipe_export (secret);
}

typedef struct
{
  PgLinkService *service;
  PgLink        *link;
} LinkLookup;

static void
link_found_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LinkLookup *lookup = user_data;
  char *secret = pg_keyring_lookup_finish (result, NULL);
  g_autoptr(PgCredentials) credentials = secret ? pg_credentials_import (secret, NULL) : NULL;

  /* Only the session the link is signed in. */
  if (credentials != NULL
      && g_strcmp0 (pg_credentials_get_access_key_id (credentials),
                    pg_link_get_access_key_id (lookup->link)) == 0)
    pg_link_service_set_link_credentials (lookup->service, pg_link_get_id (lookup->link),
                                          credentials);
  if (secret != NULL)
    pg_keyring_secret_free (secret);

  g_object_unref (lookup->service);
  g_object_unref (lookup->link);
  g_free (lookup);
}

/**
 * pg_session_load_link_credentials:
 *
 * Reads from the keyring the sessions of the account's links signed one by one that are not
 * known yet; forgets those of links that have ended.
 */
void
pg_session_load_link_credentials (PgSession     *self,
                                  PgLinkService *service)
{
  GListModel *links = pg_link_service_get_links (service);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);
      g_autofree char *role = NULL;
      LinkLookup *lookup;

      if (pg_link_get_session_name (link) == NULL
          || g_strcmp0 (pg_link_get_account_id (link), pg_account_get_id (self->account)) != 0
          || pg_link_service_get_link_credentials (service, link) != NULL)
        continue;

      role = link_role (link);
      if (pg_link_get_expires_at (link) < now)
        {
          pg_keyring_forget (pg_account_get_id (self->account), role);
          continue;
        }

      lookup = g_new0 (LinkLookup, 1);
      lookup->service = g_object_ref (service);
      lookup->link = g_object_ref (link);
      pg_keyring_lookup_async (pg_account_get_id (self->account), role, NULL, link_found_cb,
                               lookup);
    }
}

/* Forgets @link's session in the keyring: the link is gone. */
void
pg_session_forget_link_credentials (PgLink *link)
{
  g_autofree char *role = link_role (link);

  pg_keyring_forget (pg_link_get_account_id (link), role);
}
