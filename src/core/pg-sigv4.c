/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-sigv4"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "pg-error.h"
#include "pg-sigv4.h"

/* AWS Signature Version 4, as described in "Signing AWS API requests" and "Authenticating
 * Requests: Using Query Parameters" of the S3 API reference. The request keeps its query
 * parameters and headers in insertion order; the canonical forms sort copies. */

typedef struct
{
  char *name;
  char *value;
} Param;

struct _PgSigv4Request
{
  char         *method;
  char         *path;
  PgSigv4Flags  flags;
  GArray       *query;
  GArray       *headers;
  char         *payload_hash;

  char         *canonical_request;
  char         *string_to_sign;
  char         *signature;
};

static void
param_clear (gpointer data)
{
  Param *param = data;

  g_free (param->name);
  g_free (param->value);
}

static void
param_append (GArray     *array,
              const char *name,
              const char *value)
{
  Param param = { g_strdup (name), g_strdup (value ? value : "") };

  g_array_append_val (array, param);
}

/**
 * pg_sigv4_request_new:
 * @method: the HTTP method, e.g. "GET"
 * @host: the value of the Host header ("example.com" or "127.0.0.1:7480")
 * @path: the path; decoded unless @flags has %PG_SIGV4_ENCODED_PATH
 * @flags: which canonicalisation rules apply
 *
 * Returns: (transfer full): a request to add query parameters and headers to, then sign.
 */
PgSigv4Request *
pg_sigv4_request_new (const char   *method,
                      const char   *host,
                      const char   *path,
                      PgSigv4Flags  flags)
{
  PgSigv4Request *self;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  self = g_new0 (PgSigv4Request, 1);
  self->method = g_ascii_strup (method, -1);
  self->path = g_strdup (path && *path ? path : "/");
  self->flags = flags;
  self->query = g_array_new (FALSE, FALSE, sizeof (Param));
  g_array_set_clear_func (self->query, param_clear);
  self->headers = g_array_new (FALSE, FALSE, sizeof (Param));
  g_array_set_clear_func (self->headers, param_clear);
  param_append (self->headers, "Host", host);

  return self;
}

void
pg_sigv4_request_free (PgSigv4Request *self)
{
  if (self == NULL)
    return;

  g_free (self->method);
  g_free (self->path);
  g_array_unref (self->query);
  g_array_unref (self->headers);
  g_free (self->payload_hash);
  g_free (self->canonical_request);
  g_free (self->string_to_sign);
  g_free (self->signature);
  g_free (self);
}

/* Query parameters are given decoded; they are encoded for the canonical request and the URL. */
void
pg_sigv4_request_add_query (PgSigv4Request *self,
                            const char     *name,
                            const char     *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  param_append (self->query, name, value);
}

void
pg_sigv4_request_add_header (PgSigv4Request *self,
                             const char     *name,
                             const char     *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  param_append (self->headers, name, value);
}

/* The hex SHA-256 of the body, or %PG_SIGV4_UNSIGNED_PAYLOAD. Without either, the body is taken
 * to be empty. */
void
pg_sigv4_request_set_payload_hash (PgSigv4Request *self,
                                   const char     *hex_sha256)
{
  g_return_if_fail (self != NULL);

  g_free (self->payload_hash);
  self->payload_hash = g_strdup (hex_sha256);
}

void
pg_sigv4_request_set_payload (PgSigv4Request *self,
                              const void     *data,
                              gsize           length)
{
  g_return_if_fail (self != NULL);

  g_free (self->payload_hash);
  self->payload_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

const char *
pg_sigv4_request_get_method (PgSigv4Request *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->method;
}

const char *
pg_sigv4_request_get_header (PgSigv4Request *self,
                             const char     *name)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->headers->len; i++)
    {
      const Param *param = &g_array_index (self->headers, Param, i);

      if (g_ascii_strcasecmp (param->name, name) == 0)
        return param->value;
    }

  return NULL;
}

guint
pg_sigv4_request_get_n_headers (PgSigv4Request *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->headers->len;
}

void
pg_sigv4_request_get_nth_header (PgSigv4Request  *self,
                                 guint            n,
                                 const char     **name,
                                 const char     **value)
{
  const Param *param;

  g_return_if_fail (self != NULL);
  g_return_if_fail (n < self->headers->len);

  param = &g_array_index (self->headers, Param, n);
  *name = param->name;
  *value = param->value;
}

const char *
pg_sigv4_request_get_canonical_request (PgSigv4Request *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->canonical_request;
}

const char *
pg_sigv4_request_get_string_to_sign (PgSigv4Request *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->string_to_sign;
}

const char *
pg_sigv4_request_get_signature (PgSigv4Request *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->signature;
}

/**
 * pg_sigv4_uri_encode:
 * @out: where the encoded text is appended
 * @str: UTF-8 (or any bytes)
 * @keep_slash: whether "/" stays as it is (paths) or becomes "%2F" (query values)
 *
 * Percent-encodes every byte except the RFC 3986 unreserved characters, with upper-case hex,
 * as SigV4 requires ("+" and "%" are encoded, a space is "%20").
 */
void
pg_sigv4_uri_encode (GString    *out,
                     const char *str,
                     gboolean    keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) str; *p; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~'
          || (keep_slash && *p == '/'))
        {
          g_string_append_c (out, *p);
        }
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
}

void
pg_sigv4_format_time (gint64 unix_time,
                      char   out[17])
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);
  g_autofree char *text = NULL;

  g_return_if_fail (dt != NULL);

  text = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
  g_strlcpy (out, text, 17);
}

/**
 * pg_sigv4_parse_time:
 * @text: "YYYYMMDDTHHMMSSZ", as in `X-Amz-Date`
 * @unix_time: (out): seconds since the epoch
 *
 * Returns: %FALSE when @text is not exactly of that form or not a real date and time.
 */
gboolean
pg_sigv4_parse_time (const char *text,
                     gint64     *unix_time)
{
  g_autoptr(GDateTime) dt = NULL;
  int f[6];
  static const int widths[6] = { 4, 2, 2, 2, 2, 2 };
  const char *p = text;

  if (text == NULL || strlen (text) != 16 || text[8] != 'T' || text[15] != 'Z')
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    {
      f[i] = 0;
      if (i == 3)
        p++;
      for (int w = 0; w < widths[i]; w++, p++)
        {
          if (!g_ascii_isdigit (*p))
            return FALSE;
          f[i] = f[i] * 10 + (*p - '0');
        }
    }

  if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59)
    return FALSE;

  dt = g_date_time_new_utc (f[0], f[1], f[2], f[3], f[4], f[5]);
  if (dt == NULL || g_date_time_get_day_of_month (dt) != f[2])
    return FALSE;

  *unix_time = g_date_time_to_unix (dt);

  return TRUE;
}

/* RFC 3986 §5.2.4 dot-segment removal, plus collapsing of empty segments, as every AWS service
 * except S3 does before signing. A trailing slash (or trailing dot segment) is kept. */
static char *
normalize_path (const char *path)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  GString *out = g_string_new ("/");
  guint n = g_strv_length (segments);
  gboolean trailing = FALSE;

  for (guint i = 0; i < n; i++)
    {
      const char *seg = segments[i];
      gboolean last = i + 1 == n;

      if (*seg == '\0' || strcmp (seg, ".") == 0)
        {
          trailing = last && i > 0;
          continue;
        }

      if (strcmp (seg, "..") == 0)
        {
          if (stack->len > 0)
            g_ptr_array_remove_index (stack, stack->len - 1);
          trailing = last;
          continue;
        }

      g_ptr_array_add (stack, (gpointer) seg);
      trailing = FALSE;
    }

  for (guint i = 0; i < stack->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '/');
      g_string_append (out, g_ptr_array_index (stack, i));
    }

  if (trailing && stack->len > 0)
    g_string_append_c (out, '/');

  return g_string_free (out, FALSE);
}

static int
compare_params (gconstpointer a,
                gconstpointer b)
{
  const Param *pa = a;
  const Param *pb = b;
  int ret = strcmp (pa->name, pb->name);

  return ret != 0 ? ret : strcmp (pa->value, pb->value);
}

static char *
canonical_query (PgSigv4Request *self)
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (Param));
  GString *out = g_string_new (NULL);

  g_array_set_clear_func (sorted, param_clear);

  for (guint i = 0; i < self->query->len; i++)
    {
      const Param *param = &g_array_index (self->query, Param, i);
      GString *name = g_string_new (NULL);
      GString *value = g_string_new (NULL);
      Param encoded;

      pg_sigv4_uri_encode (name, param->name, FALSE);
      pg_sigv4_uri_encode (value, param->value, FALSE);
      encoded.name = g_string_free (name, FALSE);
      encoded.value = g_string_free (value, FALSE);
      g_array_append_val (sorted, encoded);
    }

  g_array_sort (sorted, compare_params);

  for (guint i = 0; i < sorted->len; i++)
    {
      const Param *param = &g_array_index (sorted, Param, i);

      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append_printf (out, "%s=%s", param->name, param->value);
    }

  return g_string_free (out, FALSE);
}

/* Header values lose leading and trailing blanks, and inner runs of blanks (including folded
 * continuation lines) become one space. */
static char *
canonical_header_value (const char *value)
{
  GString *out = g_string_new (NULL);
  gboolean blank = FALSE;

  for (const char *p = value; *p; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        {
          blank = out->len > 0;
          continue;
        }

      if (blank)
        g_string_append_c (out, ' ');
      blank = FALSE;
      g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

static int
compare_param_names (gconstpointer a,
                     gconstpointer b)
{
  return strcmp (((const Param *) a)->name, ((const Param *) b)->name);
}

/* Fills @canonical with "name:value\n" lines (duplicates joined with commas, in the order they
 * were added) and returns the "name;name" list of signed headers. */
static char *
canonical_headers (PgSigv4Request *self,
                   GString        *canonical)
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (Param));
  GString *names = g_string_new (NULL);

  g_array_set_clear_func (sorted, param_clear);

  for (guint i = 0; i < self->headers->len; i++)
    {
      const Param *param = &g_array_index (self->headers, Param, i);
      Param lower;

      if (g_ascii_strcasecmp (param->name, "Authorization") == 0)
        continue;

      lower.name = g_ascii_strdown (param->name, -1);
      lower.value = canonical_header_value (param->value);
      g_array_append_val (sorted, lower);
    }

  /* A stable sort keeps repeated headers in their original order. */
  g_array_sort (sorted, compare_param_names);

  for (guint i = 0; i < sorted->len; i++)
    {
      const Param *param = &g_array_index (sorted, Param, i);

      if (i > 0 && strcmp (param->name, g_array_index (sorted, Param, i - 1).name) == 0)
        {
          g_string_append_printf (canonical, ",%s", param->value);
          continue;
        }

      if (i > 0)
        {
          g_string_append_c (canonical, '\n');
          g_string_append_c (names, ';');
        }
      g_string_append_printf (canonical, "%s:%s", param->name, param->value);
      g_string_append (names, param->name);
    }
  g_string_append_c (canonical, '\n');

  return g_string_free (names, FALSE);
}

static char *
signed_header_names (PgSigv4Request *self)
{
  g_autoptr(GString) scratch = g_string_new (NULL);

  return canonical_headers (self, scratch);
}

static char *
canonical_uri (PgSigv4Request *self)
{
  g_autofree char *normalized = NULL;
  const char *path = self->path;
  GString *out = g_string_new (NULL);

  if (self->flags & PG_SIGV4_NORMALIZE_PATH)
    path = normalized = normalize_path (path);

  pg_sigv4_uri_encode (out, path, TRUE);

  return g_string_free (out, FALSE);
}

static void
hex_encode (const guint8 *data,
            gsize         len,
            char         *out)
{
  static const char hex[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = hex[data[i] >> 4];
      out[2 * i + 1] = hex[data[i] & 0xf];
    }
  out[2 * len] = '\0';
}

/* Builds the canonical request and the string to sign, then signs. */
static void
compute_signature (PgSigv4Request *self,
                   PgCredentials  *credentials,
                   const char     *amz_date,
                   const char     *scope,
                   const char     *region,
                   const char     *service)
{
  g_autoptr(GString) canonical = g_string_new (NULL);
  g_autofree char *uri = canonical_uri (self);
  g_autofree char *query = canonical_query (self);
  g_autofree char *names = NULL;
  g_autofree char *canonical_hash = NULL;
  g_autofree char *date = g_strndup (amz_date, 8);
  guint8 key[PG_SIGNING_KEY_LENGTH];
  guint8 mac[32];
  unsigned int mac_len = sizeof mac;
  char signature[65];

  g_string_append_printf (canonical, "%s\n%s\n%s\n", self->method, uri, query);
  names = canonical_headers (self, canonical);
  g_string_append_printf (canonical, "\n%s\n%s", names,
                          self->payload_hash ? self->payload_hash : PG_SIGV4_EMPTY_SHA256);

  canonical_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical->str,
                                                  canonical->len);

  g_free (self->canonical_request);
  self->canonical_request = g_strdup (canonical->str);
  g_free (self->string_to_sign);
  self->string_to_sign = g_strdup_printf (PG_SIGV4_ALGORITHM "\n%s\n%s\n%s",
                                          amz_date, scope, canonical_hash);

  pg_credentials_derive_signing_key (credentials, date, region, service, key);
  HMAC (EVP_sha256 (), key, sizeof key, (const guint8 *) self->string_to_sign,
        strlen (self->string_to_sign), mac, &mac_len);
  explicit_bzero (key, sizeof key);
  hex_encode (mac, mac_len, signature);

  g_free (self->signature);
  self->signature = g_strdup (signature);
}

static gboolean
check_scope (const char  *region,
             const char  *service,
             GError     **error)
{
  if (region == NULL || *region == '\0' || strchr (region, '/') != NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The region is missing or malformed."));
      return FALSE;
    }

  if (service == NULL || *service == '\0' || strchr (service, '/') != NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The service name is missing or malformed."));
      return FALSE;
    }

  return TRUE;
}

/**
 * pg_sigv4_request_sign:
 *
 * Signs with an `Authorization` header: adds `X-Amz-Date`, `x-amz-content-sha256` (with
 * %PG_SIGV4_CONTENT_SHA256_HEADER), `X-Amz-Security-Token` for temporary credentials and
 * `Authorization`. Every header present is signed.
 */
gboolean
pg_sigv4_request_sign (PgSigv4Request  *self,
                       PgCredentials   *credentials,
                       const char      *region,
                       const char      *service,
                       gint64           unix_time,
                       GError         **error)
{
  g_autofree char *scope = NULL;
  g_autofree char *names = NULL;
  g_autofree char *authorization = NULL;
  const char *token;
  char amz_date[17];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (credentials != NULL, FALSE);

  if (!check_scope (region, service, error))
    return FALSE;

  token = pg_credentials_get_session_token (credentials);
  pg_sigv4_format_time (unix_time, amz_date);
  scope = g_strdup_printf ("%.8s/%s/%s/aws4_request", amz_date, region, service);

  param_append (self->headers, "X-Amz-Date", amz_date);
  if (self->flags & PG_SIGV4_CONTENT_SHA256_HEADER)
    param_append (self->headers, "x-amz-content-sha256",
                  self->payload_hash ? self->payload_hash : PG_SIGV4_EMPTY_SHA256);
  if (token != NULL && !(self->flags & PG_SIGV4_OMIT_SESSION_TOKEN))
    param_append (self->headers, "X-Amz-Security-Token", token);

  compute_signature (self, credentials, amz_date, scope, region, service);
  names = signed_header_names (self);

  authorization = g_strdup_printf (PG_SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, "
                                   "Signature=%s",
                                   pg_credentials_get_access_key_id (credentials), scope,
                                   names, self->signature);
  param_append (self->headers, "Authorization", authorization);

  if (token != NULL && (self->flags & PG_SIGV4_OMIT_SESSION_TOKEN))
    param_append (self->headers, "X-Amz-Security-Token", token);

  return TRUE;
}

/**
 * pg_sigv4_request_presign:
 * @expires: lifetime in seconds, 1 to %PG_SIGV4_MAX_EXPIRES
 *
 * Signs with query parameters (a presigned URL). Every header present is signed and must be
 * sent by whoever uses the URL.
 */
gboolean
pg_sigv4_request_presign (PgSigv4Request  *self,
                          PgCredentials   *credentials,
                          const char      *region,
                          const char      *service,
                          gint64           unix_time,
                          guint            expires,
                          GError         **error)
{
  g_autofree char *scope = NULL;
  g_autofree char *credential = NULL;
  g_autofree char *names = NULL;
  g_autofree char *expires_text = NULL;
  const char *token;
  char amz_date[17];

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (credentials != NULL, FALSE);

  if (!check_scope (region, service, error))
    return FALSE;

  if (expires < 1 || expires > PG_SIGV4_MAX_EXPIRES)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("A link can be valid for 1 second to 7 days (%u seconds), not %u seconds."),
                   PG_SIGV4_MAX_EXPIRES, expires);
      return FALSE;
    }

  token = pg_credentials_get_session_token (credentials);
  pg_sigv4_format_time (unix_time, amz_date);
  scope = g_strdup_printf ("%.8s/%s/%s/aws4_request", amz_date, region, service);
  credential = g_strdup_printf ("%s/%s", pg_credentials_get_access_key_id (credentials), scope);
  names = signed_header_names (self);
  expires_text = g_strdup_printf ("%u", expires);

  param_append (self->query, "X-Amz-Algorithm", PG_SIGV4_ALGORITHM);
  param_append (self->query, "X-Amz-Credential", credential);
  param_append (self->query, "X-Amz-Date", amz_date);
  param_append (self->query, "X-Amz-Expires", expires_text);
  param_append (self->query, "X-Amz-SignedHeaders", names);
  if (token != NULL && !(self->flags & PG_SIGV4_OMIT_SESSION_TOKEN))
    param_append (self->query, "X-Amz-Security-Token", token);

  compute_signature (self, credentials, amz_date, scope, region, service);
  param_append (self->query, "X-Amz-Signature", self->signature);

  if (token != NULL && (self->flags & PG_SIGV4_OMIT_SESSION_TOKEN))
    param_append (self->query, "X-Amz-Security-Token", token);

  return TRUE;
}

/**
 * pg_sigv4_request_get_path_and_query:
 *
 * Returns: (transfer full): the request target as sent on the wire, "/path?name=value&…", with
 *   the path encoded once (or as given with %PG_SIGV4_ENCODED_PATH) and the query parameters in
 *   the order they were added.
 */
char *
pg_sigv4_request_get_path_and_query (PgSigv4Request *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  if (self->flags & PG_SIGV4_ENCODED_PATH)
    g_string_append (out, self->path);
  else
    pg_sigv4_uri_encode (out, self->path, TRUE);

  for (guint i = 0; i < self->query->len; i++)
    {
      const Param *param = &g_array_index (self->query, Param, i);

      g_string_append_c (out, i == 0 ? '?' : '&');
      pg_sigv4_uri_encode (out, param->name, FALSE);
      g_string_append_c (out, '=');
      pg_sigv4_uri_encode (out, param->value, FALSE);
    }

  return g_string_free (out, FALSE);
}
