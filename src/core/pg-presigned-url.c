/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-presigned-url"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-endpoint.h"
#include "pg-error.h"
#include "pg-presigned-url.h"
#include "pg-sigv4.h"

struct _PgPresignedUrl
{
  gatomicrefcount  ref_count;
  char            *scheme;
  char            *host;
  char            *bucket;
  char            *key;
  gboolean         path_style;
  char            *access_key_id;
  char            *region;
  char            *service;
  char            *signed_headers;
  gboolean         has_session_token;
  gint64           signed_at;
  guint            expires;
  char            *digest;
};

G_DEFINE_BOXED_TYPE (PgPresignedUrl, pg_presigned_url, pg_presigned_url_ref,
                     pg_presigned_url_unref)

PgPresignedUrl *
pg_presigned_url_ref (PgPresignedUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
pg_presigned_url_unref (PgPresignedUrl *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->scheme);
  g_free (self->host);
  g_free (self->bucket);
  g_free (self->key);
  g_free (self->access_key_id);
  g_free (self->region);
  g_free (self->service);
  g_free (self->signed_headers);
  g_free (self->digest);
  g_free (self);
}

static gpointer
fail (GError     **error,
      const char  *reason)
{
  g_set_error (error, PG_ERROR, PG_ERROR_INVALID_URL, _("This is not a valid link: %s"), reason);
  return NULL;
}

/* Splits an Amazon S3 host name into bucket and region. Recognised forms:
 *   s3.amazonaws.com, s3.REGION.amazonaws.com, s3-REGION.amazonaws.com,
 *   s3.dualstack.REGION.amazonaws.com (and .amazonaws.com.cn), each optionally prefixed with
 *   "BUCKET." for virtual-hosted style. Returns FALSE for any other host. */
static gboolean
split_aws_host (const char  *host,
                char       **bucket)
{
  static const char *suffixes[] = { ".amazonaws.com", ".amazonaws.com.cn" };
  g_autofree char *rest = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      if (g_str_has_suffix (host, suffixes[i]))
        rest = g_strndup (host, strlen (host) - strlen (suffixes[i]));
    }

  if (rest == NULL)
    return FALSE;

  /* The service label is the right-most label that is "s3" or starts with "s3-"; only region
   * labels follow it, while a bucket name may contain "s3" labels of its own. */
  for (gsize i = strlen (rest); i-- > 0;)
    {
      const char *label = rest + i;

      if (i > 0 && rest[i - 1] != '.')
        continue;

      if (g_str_has_prefix (label, "s3.") || g_str_has_prefix (label, "s3-")
          || strcmp (label, "s3") == 0)
        {
          *bucket = i == 0 ? NULL : g_strndup (rest, i - 1);
          return TRUE;
        }
    }

  return FALSE;
}

static char *
percent_decode (const char *text)
{
  return g_uri_unescape_string (text, NULL);
}

/* The path of @url exactly as written: GUri resolves "." and ".." segments, S3 does not. */
static char *
raw_path_of (const char *url)
{
  const char *authority = strstr (url, "://");
  const char *path;

  if (authority == NULL)
    return NULL;

  path = authority + 3 + strcspn (authority + 3, "/?#");
  if (*path != '/')
    return g_strdup ("/");

  return g_strndup (path, strcspn (path, "?#"));
}

/* Whether the key has a "." or ".." segment: a program that resolves those before sending the
 * link (most do) would ask for another key. */
static gboolean
has_dot_segments (const char *key)
{
  g_auto(GStrv) segments = g_strsplit (key, "/", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      if (g_str_equal (segments[i], ".") || g_str_equal (segments[i], ".."))
        return TRUE;
    }

  return FALSE;
}

/**
 * pg_presigned_url_parse:
 * @url: a presigned S3 URL, as a partner would receive it
 *
 * Reads what a link says about itself: bucket, key, signer, when it was signed and until when
 * it is valid. Nothing is verified (that needs the secret). Virtual-hosted Amazon S3 host names
 * give the bucket; on any other host the first path segment is the bucket, unless the path has
 * just one segment (then the first label of the host name is taken for the bucket).
 *
 * Returns: (transfer full): the parts, or %NULL with @error saying what is wrong.
 */
PgPresignedUrl *
pg_presigned_url_parse (const char  *url,
                        GError     **error)
{
  g_autoptr(PgPresignedUrl) self = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *path = NULL;
  g_autofree char *raw_path = NULL;
  g_autofree char *host_bucket = NULL;
  g_auto(GStrv) credential = NULL;
  const char *query;
  const char *value;
  const char *key_start;
  char *end = NULL;
  guint64 expires;
  int port;

  if (url == NULL || *url == '\0')
    return fail (error, _("it is empty."));

  if (!g_utf8_validate (url, -1, NULL))
    return fail (error, _("it contains bytes that are not text."));

  /* Pasted links often come with blanks or line breaks around them. */
  {
    g_autofree char *trimmed = g_strstrip (g_strdup (url));

    uri = g_uri_parse (trimmed, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
    raw_path = raw_path_of (trimmed);
  }

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    return fail (error, _("it does not start with “https://” and a server name."));

  query = g_uri_get_query (uri);
  if (query == NULL)
    return fail (error, _("it carries no signature."));

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_auto(GStrv) pairs = g_strsplit (query, "&", -1);

    for (guint i = 0; pairs[i]; i++)
      {
        const char *eq = strchr (pairs[i], '=');
        g_autofree char *raw_name = eq ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);
        char *name = percent_decode (raw_name);
        char *decoded = percent_decode (eq ? eq + 1 : "");

        if (name == NULL || decoded == NULL)
          {
            g_free (name);
            g_free (decoded);
            return fail (error, _("its parameters are damaged."));
          }

        g_hash_table_replace (params, name, decoded);
      }
  }

  self = g_new0 (PgPresignedUrl, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->scheme = g_strdup (g_uri_get_scheme (uri));
  port = g_uri_get_port (uri);
  self->host = port > 0 ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), port)
                        : g_ascii_strdown (g_uri_get_host (uri), -1);

  value = g_hash_table_lookup (params, "X-Amz-Algorithm");
  if (g_strcmp0 (value, PG_SIGV4_ALGORITHM) != 0)
    return fail (error, _("it is not signed with AWS Signature Version 4."));

  value = g_hash_table_lookup (params, "X-Amz-Credential");
  credential = value ? g_strsplit (value, "/", -1) : NULL;
  if (credential == NULL || g_strv_length (credential) != 5 || *credential[0] == '\0'
      || strlen (credential[1]) != 8 || *credential[2] == '\0' || *credential[3] == '\0'
      || strcmp (credential[4], "aws4_request") != 0)
    return fail (error, _("the signer's credential is missing or damaged."));

  self->access_key_id = g_strdup (credential[0]);
  self->region = g_strdup (credential[2]);
  self->service = g_strdup (credential[3]);

  value = g_hash_table_lookup (params, "X-Amz-Date");
  if (!pg_sigv4_parse_time (value, &self->signed_at) || strncmp (value, credential[1], 8) != 0)
    return fail (error, _("its signing date is missing or damaged."));

  value = g_hash_table_lookup (params, "X-Amz-Expires");
  if (value == NULL || !g_ascii_isdigit (*value)
      || (expires = g_ascii_strtoull (value, &end, 10), *end != '\0')
      || expires < 1 || expires > PG_SIGV4_MAX_EXPIRES)
    return fail (error, _("its lifetime is missing or out of range."));
  self->expires = (guint) expires;

  value = g_hash_table_lookup (params, "X-Amz-SignedHeaders");
  if (value == NULL || *value == '\0')
    return fail (error, _("it does not say which headers are signed."));
  self->signed_headers = g_strdup (value);

  value = g_hash_table_lookup (params, "X-Amz-Signature");
  if (value == NULL || strlen (value) != 64 || strspn (value, "0123456789abcdef") != 64)
    return fail (error, _("its signature is missing or damaged."));
  self->digest = pg_link_digest_of_signature (value);

  self->has_session_token = g_hash_table_contains (params, "X-Amz-Security-Token");

  /* The key is the path after the bucket, decoded once: S3 never normalises it, so neither do
   * we ("a/../b" is a key of its own, not "b"). */
  path = raw_path ? g_uri_unescape_string (raw_path, NULL) : NULL;
  if (path == NULL || *path != '/' || !g_utf8_validate (path, -1, NULL))
    return fail (error, _("its path is damaged."));

  if (split_aws_host (self->host, &host_bucket) && host_bucket != NULL)
    {
      self->bucket = g_steal_pointer (&host_bucket);
      key_start = path + 1;
    }
  else
    {
      const char *slash = strchr (path + 1, '/');
      const char *dot = strchr (g_uri_get_host (uri), '.');

      /* Another server: path style, unless the path holds only one segment and the host name
       * can start with a bucket label ("bucket.s3.example.com/key"). */
      if (slash == NULL && dot != NULL && !g_hostname_is_ip_address (g_uri_get_host (uri)))
        {
          self->bucket = g_strndup (g_uri_get_host (uri), dot - g_uri_get_host (uri));
          key_start = path + 1;
        }
      else if (slash != NULL)
        {
          self->path_style = TRUE;
          self->bucket = g_strndup (path + 1, slash - path - 1);
          key_start = slash + 1;
        }
      else
        return fail (error, _("it names no file."));
    }

  if (!pg_bucket_name_is_valid (self->bucket))
    return fail (error, _("its bucket name is not valid."));

  if (*key_start == '\0')
    return fail (error, _("it names no file."));
  self->key = g_strdup (key_start);

  return g_steal_pointer (&self);
}

const char *
pg_presigned_url_get_scheme (PgPresignedUrl *self)
{
  return self->scheme;
}

const char *
pg_presigned_url_get_host (PgPresignedUrl *self)
{
  return self->host;
}

const char *
pg_presigned_url_get_bucket (PgPresignedUrl *self)
{
  return self->bucket;
}

/* Whether the key has "." or ".." segments, which programs other than S3 tend to resolve. */
gboolean
pg_presigned_url_has_dot_segments (PgPresignedUrl *self)
{
  return has_dot_segments (self->key);
}

const char *
pg_presigned_url_get_key (PgPresignedUrl *self)
{
  return self->key;
}

gboolean
pg_presigned_url_get_path_style (PgPresignedUrl *self)
{
  return self->path_style;
}

const char *
pg_presigned_url_get_access_key_id (PgPresignedUrl *self)
{
  return self->access_key_id;
}

const char *
pg_presigned_url_get_region (PgPresignedUrl *self)
{
  return self->region;
}

const char *
pg_presigned_url_get_service (PgPresignedUrl *self)
{
  return self->service;
}

const char *
pg_presigned_url_get_signed_headers (PgPresignedUrl *self)
{
  return self->signed_headers;
}

gboolean
pg_presigned_url_has_session_token (PgPresignedUrl *self)
{
  return self->has_session_token;
}

gint64
pg_presigned_url_get_signed_at (PgPresignedUrl *self)
{
  return self->signed_at;
}

guint
pg_presigned_url_get_expires (PgPresignedUrl *self)
{
  return self->expires;
}

gint64
pg_presigned_url_get_expires_at (PgPresignedUrl *self)
{
  return self->signed_at + self->expires;
}

/* Seconds until S3 refuses to start a request with this link (0 once expired). */
gint64
pg_presigned_url_get_seconds_left (PgPresignedUrl *self,
                                   gint64          now)
{
  return MAX (0, pg_presigned_url_get_expires_at (self) - now);
}

/**
 * pg_link_digest_of_signature:
 * @signature: a presigned URL's X-Amz-Signature (64 hex digits)
 *
 * A link's fingerprint: the first 128 bits of SHA-256 over its signature, in hex. It tells one
 * link from every other and names its index entry, yet gives nothing that could make or use
 * the link, so it may be kept at rest and written in records.
 *
 * Returns: (transfer full) (nullable): %NULL when @signature is not one
 */
char *
pg_link_digest_of_signature (const char *signature)
{
  g_autofree char *sha256 = NULL;

  if (signature == NULL || strlen (signature) != 64
      || strspn (signature, "0123456789abcdef") != 64)
    return NULL;

  sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, signature, 64);
  return g_strndup (sha256, PG_LINK_DIGEST_LENGTH);
}

/**
 * pg_link_digest_is_valid:
 *
 * Whether @digest can be a link's fingerprint: what names an index entry, so nothing that could
 * reach outside it.
 */
gboolean
pg_link_digest_is_valid (const char *digest)
{
  return digest != NULL && strlen (digest) == PG_LINK_DIGEST_LENGTH
         && strspn (digest, "0123456789abcdef") == PG_LINK_DIGEST_LENGTH;
}

/* The fingerprint of the link (see pg_link_digest_of_signature()). */
const char *
pg_presigned_url_get_digest (PgPresignedUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->digest;
}

/* The fingerprint of a link we made (see pg_link_digest_of_signature()); %NULL for no link. */
char *
pg_link_digest_of_url (const char *url)
{
  g_autoptr(PgPresignedUrl) link = url ? pg_presigned_url_parse (url, NULL) : NULL;

  return link ? g_strdup (link->digest) : NULL;
}
