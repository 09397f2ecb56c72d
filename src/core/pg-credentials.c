/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-credentials"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-credentials.h"
#include "pg-crypto.h"
#include "pg-error.h"

/* A signing key depends on the day, the region and the service only, so the four HMAC rounds
 * that derive it are done once per scope. A handful of entries covers a session that talks to
 * S3 and STS in one or two regions around midnight. */
#define KEY_CACHE_SIZE 4

typedef struct
{
  char   *scope;
  guint8  key[PG_SIGNING_KEY_LENGTH];
} CachedKey;

struct _PgCredentials
{
  gatomicrefcount  ref_count;
  char            *access_key_id;
  char            *secret_access_key;
  char            *session_token;
  GDateTime       *expiration;

  GMutex           cache_lock;
  CachedKey        cache[KEY_CACHE_SIZE];
  guint            cache_next;
};

G_DEFINE_BOXED_TYPE (PgCredentials, pg_credentials, pg_credentials_ref, pg_credentials_unref)

static void
wipe_string (char *str)
{
  if (str != NULL)
    {
      explicit_bzero (str, strlen (str));
      g_free (str);
    }
}

static gboolean
is_token_text (const char *str)
{
  for (const char *p = str; *p; p++)
    {
      if (*p <= ' ' || *p >= 0x7f)
        return FALSE;
    }

  return TRUE;
}

/**
 * pg_credentials_new:
 * @access_key_id: the access key id, e.g. "AKIAIOSFODNN7EXAMPLE"
 * @secret_access_key: the secret that goes with it
 * @session_token: (nullable): the session token of temporary credentials
 * @expiration: (nullable): when temporary credentials stop working
 *
 * Makes an immutable credentials value. The secret is copied; the copy is wiped from memory
 * when the last reference goes away. The caller should wipe its own copy.
 *
 * Returns: (transfer full): the credentials, or %NULL with @error set when a value is empty or
 *   contains spaces or control characters (a sign of a bad paste).
 */
PgCredentials *
pg_credentials_new (const char  *access_key_id,
                    const char  *secret_access_key,
                    const char  *session_token,
                    GDateTime   *expiration,
                    GError     **error)
{
  PgCredentials *self;

  if (access_key_id == NULL || *access_key_id == '\0')
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The access key ID is empty."));
      return NULL;
    }

  if (!is_token_text (access_key_id))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The access key ID contains spaces or characters that cannot be "
                             "part of it. Check that it was copied completely."));
      return NULL;
    }

  if (secret_access_key == NULL || *secret_access_key == '\0')
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The secret access key is empty."));
      return NULL;
    }

  if (!is_token_text (secret_access_key))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The secret access key contains spaces or characters that cannot "
                             "be part of it. Check that it was copied completely."));
      return NULL;
    }

  if (session_token != NULL && *session_token == '\0')
    session_token = NULL;

  if (session_token != NULL && !is_token_text (session_token))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("The session token contains spaces or characters that cannot be "
                             "part of it. Check that it was copied completely."));
      return NULL;
    }

  self = g_new0 (PgCredentials, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->cache_lock);
  self->access_key_id = g_strdup (access_key_id);
  self->secret_access_key = g_strdup (secret_access_key);
  self->session_token = g_strdup (session_token);
  self->expiration = expiration ? g_date_time_ref (expiration) : NULL;

  return self;
}

/**
 * pg_credentials_new_from_environment:
 * @access_key_variable: e.g. "AWS_ACCESS_KEY_ID"
 * @secret_variable: e.g. "AWS_SECRET_ACCESS_KEY"
 * @session_token_variable: (nullable): e.g. "AWS_SESSION_TOKEN"
 *
 * Reads credentials from environment variables, as the AWS command line does.
 *
 * Returns: (transfer full): the credentials, or %NULL with @error naming the missing variable.
 */
PgCredentials *
pg_credentials_new_from_environment (const char  *access_key_variable,
                                     const char  *secret_variable,
                                     const char  *session_token_variable,
                                     GError     **error)
{
  const char *access_key_id = g_getenv (access_key_variable);
  const char *secret = g_getenv (secret_variable);
  const char *token = session_token_variable ? g_getenv (session_token_variable) : NULL;

  if (access_key_id == NULL || secret == NULL)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                   _("No credentials: set %s and %s."),
                   access_key_variable, secret_variable);
      return NULL;
    }

  return pg_credentials_new (access_key_id, secret, token, NULL, error);
}

PgCredentials *
pg_credentials_ref (PgCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
pg_credentials_unref (PgCredentials *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < KEY_CACHE_SIZE; i++)
    {
      explicit_bzero (self->cache[i].key, sizeof self->cache[i].key);
      g_free (self->cache[i].scope);
    }

  g_mutex_clear (&self->cache_lock);
  g_free (self->access_key_id);
  wipe_string (self->secret_access_key);
  wipe_string (self->session_token);
  g_clear_pointer (&self->expiration, g_date_time_unref);
  g_free (self);
}

const char *
pg_credentials_get_access_key_id (PgCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->access_key_id;
}

/* The session token is a bearer secret as well, but it has to travel in every request (and in
 * every link) signed with temporary credentials, so it is readable. */
const char *
pg_credentials_get_session_token (PgCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->session_token;
}

GDateTime *
pg_credentials_get_expiration (PgCredentials *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->expiration;
}

gboolean
pg_credentials_is_temporary (PgCredentials *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->session_token != NULL;
}

static void
hmac_sha256 (const guint8 *key,
             gsize         key_len,
             const char   *data,
             guint8        out[PG_SIGNING_KEY_LENGTH])
{
  pg_hmac_sha256 (key, key_len, data, strlen (data), out);
}

/**
 * pg_credentials_derive_signing_key:
 * @date: the day of the signature, "YYYYMMDD"
 * @region: e.g. "us-east-1"
 * @service: e.g. "s3"
 * @key: (out caller-allocates): where the 32-byte key goes; wipe it after use
 *
 * Derives the SigV4 signing key (kSigning) without ever handing the secret out.
 */
void
pg_credentials_derive_signing_key (PgCredentials *self,
                                   const char    *date,
                                   const char    *region,
                                   const char    *service,
                                   guint8         key[PG_SIGNING_KEY_LENGTH])
{
  g_autofree char *scope = NULL;
  g_autofree char *seed = NULL;
  guint8 k_date[PG_SIGNING_KEY_LENGTH];
  guint8 k_region[PG_SIGNING_KEY_LENGTH];
  guint8 k_service[PG_SIGNING_KEY_LENGTH];

  g_return_if_fail (self != NULL);

  scope = g_strjoin ("/", date, region, service, NULL);

  g_mutex_lock (&self->cache_lock);
  for (guint i = 0; i < KEY_CACHE_SIZE; i++)
    {
      if (g_strcmp0 (self->cache[i].scope, scope) == 0)
        {
          memcpy (key, self->cache[i].key, PG_SIGNING_KEY_LENGTH);
          g_mutex_unlock (&self->cache_lock);
          return;
        }
    }
  g_mutex_unlock (&self->cache_lock);

  seed = g_strconcat ("AWS4", self->secret_access_key, NULL);
  hmac_sha256 ((const guint8 *) seed, strlen (seed), date, k_date);
  explicit_bzero (seed, strlen (seed));
  hmac_sha256 (k_date, sizeof k_date, region, k_region);
  hmac_sha256 (k_region, sizeof k_region, service, k_service);
  hmac_sha256 (k_service, sizeof k_service, "aws4_request", key);
  explicit_bzero (k_date, sizeof k_date);
  explicit_bzero (k_region, sizeof k_region);
  explicit_bzero (k_service, sizeof k_service);

  g_mutex_lock (&self->cache_lock);
  {
    CachedKey *slot = &self->cache[self->cache_next];

    self->cache_next = (self->cache_next + 1) % KEY_CACHE_SIZE;
    g_free (slot->scope);
    slot->scope = g_steal_pointer (&scope);
    memcpy (slot->key, key, PG_SIGNING_KEY_LENGTH);
  }
  g_mutex_unlock (&self->cache_lock);
}

/**
 * pg_credentials_export:
 *
 * The temporary credentials as one line of text for a keyring (key id, secret, session token
 * and expiry, separated by spaces, which none of them contains); read back with
 * pg_credentials_import(). Only temporary credentials are exported.
 *
 * Returns: (nullable): the text, to be wiped with pg_credentials_wipe_export()
 */
char *
pg_credentials_export (PgCredentials *self)
{
  if (self->session_token == NULL || self->expiration == NULL)
    return NULL;

  return g_strdup_printf ("%s %s %s %" G_GINT64_FORMAT, self->access_key_id,
                          self->secret_access_key, self->session_token,
                          g_date_time_to_unix (self->expiration));
}

void
pg_credentials_wipe_export (char *text)
{
  wipe_string (text);
}

/* Returns: (transfer full) (nullable): credentials from pg_credentials_export()'s text */
PgCredentials *
pg_credentials_import (const char  *text,
                       GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, " ", 4);
  g_autoptr(GDateTime) expiration = NULL;
  PgCredentials *self = NULL;

  if (g_strv_length (parts) == 4)
    {
      expiration = g_date_time_new_from_unix_utc (g_ascii_strtoll (parts[3], NULL, 10));
      self = pg_credentials_new (parts[0], parts[1], parts[2], expiration, error);
    }
  else
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS,
                           _("These are not temporary credentials."));
    }

  for (guint i = 0; parts[i] != NULL; i++)
    explicit_bzero (parts[i], strlen (parts[i]));

  return self;
}
