/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-account"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "pg-account.h"

/* An account: where the bucket is and which keys act on it. Stored in a key file, one group
 * per account; the secrets are not here but in the keyring, under the account's id. */

struct _PgAccount
{
  GObject   parent_instance;

  char     *id;
  char     *name;
  char     *endpoint_url;
  char     *region;
  gboolean  path_style;
  char     *bucket;
  char     *manager_key_id;
  char     *signer_key_id;
  char     *signer_arn;
  char     *signer_role_arn;
  gint64    token_expires;
  char     *ops_log_path;
  char     *uses_queue_url;
};

G_DEFINE_FINAL_TYPE (PgAccount, pg_account, G_TYPE_OBJECT)

static void
pg_account_finalize (GObject *object)
{
  PgAccount *self = PG_ACCOUNT (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->endpoint_url);
  g_free (self->region);
  g_free (self->bucket);
  g_free (self->manager_key_id);
  g_free (self->signer_key_id);
  g_free (self->signer_arn);
  g_free (self->signer_role_arn);
  g_free (self->ops_log_path);
  g_free (self->uses_queue_url);

  G_OBJECT_CLASS (pg_account_parent_class)->finalize (object);
}

static void
pg_account_class_init (PgAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_account_finalize;
}

static void
pg_account_init (PgAccount *self)
{
}

static char *
nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strstrip (g_strdup (text)) : NULL;
}

static PgAccount *
account_new (const char          *id,
             const PgAccountInfo *info)
{
  PgAccount *self = g_object_new (PG_TYPE_ACCOUNT, NULL);

  self->id = g_strdup (id);
  self->name = nonempty (info->name);
  self->endpoint_url = nonempty (info->endpoint_url);
  self->region = info->region && *info->region ? g_strdup (info->region) : g_strdup ("us-east-1");
  self->path_style = info->path_style;
  self->bucket = nonempty (info->bucket);
  self->manager_key_id = nonempty (info->manager_key_id);
  self->signer_key_id = nonempty (info->signer_key_id);
  self->signer_arn = nonempty (info->signer_arn);
  self->signer_role_arn = nonempty (info->signer_role_arn);
  self->token_expires = MAX (0, info->token_expires);
  self->ops_log_path = nonempty (info->ops_log_path);
  self->uses_queue_url = nonempty (info->uses_queue_url);

  /* The same key twice is one key. */
  if (g_strcmp0 (self->signer_key_id, self->manager_key_id) == 0)
    g_clear_pointer (&self->signer_key_id, g_free);

  return self;
}

PgAccount *
pg_account_new (const PgAccountInfo *info)
{
  g_autofree char *id = g_uuid_string_random ();

  return account_new (id, info);
}

/**
 * pg_account_new_edited:
 * @edited: the account as it was
 *
 * The account changed as @info says, still itself: its links and the secrets in the keyring
 * stay its own.
 */
PgAccount *
pg_account_new_edited (PgAccount           *edited,
                       const PgAccountInfo *info)
{
  return account_new (edited->id, info);
}

const char *
pg_account_get_id (PgAccount *self)
{
  return self->id;
}

const char *
pg_account_get_name (PgAccount *self)
{
  return self->name ? self->name : self->bucket;
}

const char *
pg_account_get_endpoint_url (PgAccount *self)
{
  return self->endpoint_url;
}

const char *
pg_account_get_region (PgAccount *self)
{
  return self->region;
}

gboolean
pg_account_get_path_style (PgAccount *self)
{
  return self->path_style;
}

const char *
pg_account_get_bucket (PgAccount *self)
{
  return self->bucket;
}

const char *
pg_account_get_manager_key_id (PgAccount *self)
{
  return self->manager_key_id;
}

/* The key links are signed with: the separate signer's, or the manager's. */
const char *
pg_account_get_signer_key_id (PgAccount *self)
{
  return self->signer_key_id ? self->signer_key_id : self->manager_key_id;
}

gboolean
pg_account_has_separate_signer (PgAccount *self)
{
  return self->signer_key_id != NULL;
}

const char *
pg_account_get_signer_arn (PgAccount *self)
{
  return self->signer_arn;
}

const char *
pg_account_get_signer_role_arn (PgAccount *self)
{
  return self->signer_role_arn;
}

/* The gateway's ops log, where the app sees the uses of armed links (Ceph, on its host). */
const char *
pg_account_get_ops_log_path (PgAccount *self)
{
  return self->ops_log_path;
}

/* An SQS queue fed with the bucket's uses (data/cloud/presign-guard-watch.yaml; AWS). */
const char *
pg_account_get_uses_queue_url (PgAccount *self)
{
  return self->uses_queue_url;
}

/* When the (temporary) managing keys stop working, or 0. */
gint64
pg_account_get_token_expires (PgAccount *self)
{
  return self->token_expires;
}

PgEndpoint *
pg_account_create_endpoint (PgAccount  *self,
                            GError    **error)
{
  return pg_endpoint_new (self->endpoint_url, self->region, self->path_style, error);
}

/**
 * pg_accounts_load:
 *
 * Returns: (transfer full): the accounts in @path (none when the file does not exist yet)
 */
GPtrArray *
pg_accounts_load (const char  *path,
                  GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GPtrArray) accounts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&accounts);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i]; i++)
    {
      g_autofree char *name = g_key_file_get_string (keyfile, groups[i], "name", NULL);
      g_autofree char *endpoint = g_key_file_get_string (keyfile, groups[i], "endpoint", NULL);
      g_autofree char *region = g_key_file_get_string (keyfile, groups[i], "region", NULL);
      g_autofree char *bucket = g_key_file_get_string (keyfile, groups[i], "bucket", NULL);
      g_autofree char *manager = g_key_file_get_string (keyfile, groups[i], "manager-key-id",
                                                        NULL);
      g_autofree char *signer = g_key_file_get_string (keyfile, groups[i], "signer-key-id", NULL);
      g_autofree char *arn = g_key_file_get_string (keyfile, groups[i], "signer-arn", NULL);
      g_autofree char *role = g_key_file_get_string (keyfile, groups[i], "signer-role-arn", NULL);
      g_autofree char *ops_log = g_key_file_get_string (keyfile, groups[i], "ops-log", NULL);
      g_autofree char *queue = g_key_file_get_string (keyfile, groups[i], "uses-queue-url", NULL);
      PgAccountInfo info = {
        name, endpoint, region,
        g_key_file_get_boolean (keyfile, groups[i], "path-style", NULL),
        bucket, manager, signer, arn,
        g_key_file_get_int64 (keyfile, groups[i], "token-expires", NULL),
        role, ops_log, queue,
      };

      if (bucket == NULL || manager == NULL)
        continue;

      g_ptr_array_add (accounts, account_new (groups[i], &info));
    }

  return g_steal_pointer (&accounts);
}

static void
set_optional (GKeyFile   *keyfile,
              const char *group,
              const char *key,
              const char *value)
{
  if (value != NULL)
    g_key_file_set_string (keyfile, group, key, value);
}

gboolean
pg_accounts_save (const char  *path,
                  GPtrArray   *accounts,
                  GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (path);

  for (guint i = 0; i < accounts->len; i++)
    {
      PgAccount *account = g_ptr_array_index (accounts, i);

      set_optional (keyfile, account->id, "name", account->name);
      set_optional (keyfile, account->id, "endpoint", account->endpoint_url);
      g_key_file_set_string (keyfile, account->id, "region", account->region);
      g_key_file_set_boolean (keyfile, account->id, "path-style", account->path_style);
      g_key_file_set_string (keyfile, account->id, "bucket", account->bucket);
      g_key_file_set_string (keyfile, account->id, "manager-key-id", account->manager_key_id);
      set_optional (keyfile, account->id, "signer-key-id", account->signer_key_id);
      set_optional (keyfile, account->id, "signer-arn", account->signer_arn);
      set_optional (keyfile, account->id, "signer-role-arn", account->signer_role_arn);
      set_optional (keyfile, account->id, "ops-log", account->ops_log_path);
      set_optional (keyfile, account->id, "uses-queue-url", account->uses_queue_url);
      if (account->token_expires > 0)
        g_key_file_set_int64 (keyfile, account->id, "token-expires", account->token_expires);
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }

  return g_key_file_save_to_file (keyfile, path, error);
}
