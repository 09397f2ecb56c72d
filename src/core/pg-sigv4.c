/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-sigv4"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg-crypto.h"
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

static inline gboolean
is_unreserved (guchar   c,
               gboolean keep_slash)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.' || c == '~'
         || (keep_slash && c == '/');
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
  gsize needed = 0;
  gsize start = out->len;
  char *dest;

  /* Two passes: measure, then write into the grown buffer. Signing spends most of its time
   * here and in allocation, so this avoids appending byte by byte. */
  for (const guchar *p = (const guchar *) str; *p; p++)
    needed += is_unreserved (*p, keep_slash) ? 1 : 3;

  g_string_set_size (out, start + needed);
  dest = out->str + start;

  for (const guchar *p = (const guchar *) str; *p; p++)
    {
      if (is_unreserved (*p, keep_slash))
        {
          *dest++ = *p;
        }
      else
        {
          *dest++ = '%';
          *dest++ = hex[*p >> 4];
          *dest++ = hex[*p & 0xf];
        }
    }
}

void
pg_sigv4_format_time (gint64 unix_time,
                      char   out[17])
{
  time_t t = (time_t) unix_time;
  struct tm tm;

  gmtime_r (&t, &tm);
  /* strftime, not GDateTime: it is called for every signature. */
  strftime (out, 17, "%Y%m%dT%H%M%SZ", &tm);
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

typedef struct
{
  const char *name;
  const char *value;
} View;

static int
compare_views (gconstpointer a,
               gconstpointer b)
{
  const View *va = a;
  const View *vb = b;
  int ret = strcmp (va->name, vb->name);

  return ret != 0 ? ret : strcmp (va->value, vb->value);
}

static char *
canonical_query (PgSigv4Request *self)
{
  g_autoptr(GString) scratch = g_string_sized_new (512);
  g_autofree gsize *offsets = g_new (gsize, 2 * self->query->len + 1);
  g_autofree View *views = g_new (View, self->query->len + 1);
  GString *out = g_string_sized_new (512);

  /* Encoded names and values go into one buffer, NUL-separated, to be sorted in place. */
  for (guint i = 0; i < self->query->len; i++)
    {
      const Param *param = &g_array_index (self->query, Param, i);

      offsets[2 * i] = scratch->len;
      pg_sigv4_uri_encode (scratch, param->name, FALSE);
      g_string_append_c (scratch, '\0');
      offsets[2 * i + 1] = scratch->len;
      pg_sigv4_uri_encode (scratch, param->value, FALSE);
      g_string_append_c (scratch, '\0');
    }

  for (guint i = 0; i < self->query->len; i++)
    {
      views[i].name = scratch->str + offsets[2 * i];
      views[i].value = scratch->str + offsets[2 * i + 1];
    }

  qsort (views, self->query->len, sizeof (View), compare_views);

  for (guint i = 0; i < self->query->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, '&');
      g_string_append (out, views[i].name);
      g_string_append_c (out, '=');
      g_string_append (out, views[i].value);
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
          g_string_append_c (canonical, ',');
          g_string_append (canonical, param->value);
          continue;
        }

      if (i > 0)
        {
          g_string_append_c (canonical, '\n');
          g_string_append_c (names, ';');
        }
      g_string_append (canonical, param->name);
      g_string_append_c (canonical, ':');
      g_string_append (canonical, param->value);
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

/* Builds the canonical request and the string to sign, then signs. */
static void
compute_signature (PgSigv4Request *self,
                   PgCredentials  *credentials,
                   const char     *amz_date,
                   const char     *scope,
                   const char     *region,
                   const char     *service)
{
  g_autoptr(GString) canonical = g_string_sized_new (512);
  g_autofree char *uri = canonical_uri (self);
  g_autofree char *query = canonical_query (self);
  g_autofree char *names = NULL;
  g_autofree char *date = g_strndup (amz_date, 8);
  GString *string_to_sign;
  guint8 digest[PG_SHA256_LENGTH];
  guint8 key[PG_SIGNING_KEY_LENGTH];
  char hex[2 * PG_SHA256_LENGTH + 1];

  g_string_append (canonical, self->method);
  g_string_append_c (canonical, '\n');
  g_string_append (canonical, uri);
  g_string_append_c (canonical, '\n');
  g_string_append (canonical, query);
  g_string_append_c (canonical, '\n');
  names = canonical_headers (self, canonical);
  g_string_append_c (canonical, '\n');
  g_string_append (canonical, names);
  g_string_append_c (canonical, '\n');
  g_string_append (canonical, self->payload_hash ? self->payload_hash : PG_SIGV4_EMPTY_SHA256);

  pg_sha256 (canonical->str, canonical->len, digest);
  pg_hex_encode (digest, sizeof digest, hex);

  string_to_sign = g_string_sized_new (128);
  g_string_append (string_to_sign, PG_SIGV4_ALGORITHM "\n");
  g_string_append (string_to_sign, amz_date);
  g_string_append_c (string_to_sign, '\n');
  g_string_append (string_to_sign, scope);
  g_string_append_c (string_to_sign, '\n');
  g_string_append (string_to_sign, hex);

  g_free (self->canonical_request);
  self->canonical_request = g_string_free (g_steal_pointer (&canonical), FALSE);
  g_free (self->string_to_sign);
  self->string_to_sign = g_string_free (string_to_sign, FALSE);

  pg_credentials_derive_signing_key (credentials, date, region, service, key);
  pg_hmac_sha256 (key, sizeof key, self->string_to_sign, strlen (self->string_to_sign), digest);
  explicit_bzero (key, sizeof key);
  pg_hex_encode (digest, sizeof digest, hex);

  g_free (self->signature);
  self->signature = g_strdup (hex);
}

static char *
make_scope (const char *amz_date,
            const char *region,
            const char *service)
{
  char date[9];

  memcpy (date, amz_date, 8);
  date[8] = '\0';

  return g_strconcat (date, "/", region, "/", service, "/aws4_request", NULL);
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
  scope = make_scope (amz_date, region, service);

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
  char expires_text[16];
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
  scope = make_scope (amz_date, region, service);
  credential = g_strconcat (pg_credentials_get_access_key_id (credentials), "/", scope, NULL);
  names = signed_header_names (self);
  g_snprintf (expires_text, sizeof expires_text, "%u", expires);

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
 * pg_sigv4_protect_dot_segments:
 * @target: (transfer full): a request target, "/path?query"
 *
 * Writes path segments that are exactly "." or ".." as "%2E" and "%2E%2E". Browsers, proxies and
 * HTTP libraries resolve such segments before sending ("/a/../b" becomes "/b"), but in S3 they
 * are part of the key; encoded, they reach the server as they are. The server decodes them
 * before it checks the signature, which is therefore made over the plain dots.
 *
 * Returns: (transfer full): the target to send.
 */
char *
pg_sigv4_protect_dot_segments (char *target)
{
  g_autofree char *owned G_GNUC_UNUSED = target;
  const char *query = strchr (target, '?');
  gsize path_length = query ? (gsize) (query - target) : strlen (target);
  g_autofree char *path = g_strndup (target, path_length);
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  GString *out = g_string_sized_new (strlen (target) + 8);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, '/');
      if (g_str_equal (segments[i], "."))
        g_string_append (out, "%2E");
      else if (g_str_equal (segments[i], ".."))
        g_string_append (out, "%2E%2E");
      else
        g_string_append (out, segments[i]);
    }
  if (query != NULL)
    g_string_append (out, query);

  return g_string_free (out, FALSE);
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
