/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-endpoint"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-endpoint.h"
#include "pg-error.h"

#define MAX_KEY_BYTES 1024

struct _PgEndpoint
{
  gatomicrefcount  ref_count;
  char            *region;
  gboolean         path_style;

  /* Custom (S3-compatible) endpoints only; NULL for AWS. */
  char            *scheme;
  char            *authority;
  gboolean         host_is_address;
};

G_DEFINE_BOXED_TYPE (PgEndpoint, pg_endpoint, pg_endpoint_ref, pg_endpoint_unref)

static gboolean
region_is_valid (const char *region)
{
  if (region == NULL || *region == '\0' || strlen (region) > 32)
    return FALSE;

  for (const char *p = region; *p; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
        return FALSE;
    }

  return TRUE;
}

/* A host name (letters, digits, hyphens, dots, underscores) or an IP address; nothing encoded,
 * nothing that would end up elsewhere in a request. */
static gboolean
host_is_valid (const char *host)
{
  gsize len = strlen (host);

  if (len == 0 || len > 253)
    return FALSE;

  if (strchr (host, ':') != NULL)
    return g_hostname_is_ip_address (host);

  for (const char *p = host; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

/**
 * pg_endpoint_new:
 * @url: (nullable): %NULL for Amazon S3, or the base URL of an S3-compatible server such as
 *   "http://127.0.0.1:7480"
 * @region: the region that signatures are scoped to (S3-compatible servers usually accept
 *   "us-east-1")
 * @path_style: whether buckets go into the path ("/bucket/key") rather than the host name
 *
 * Returns: (transfer full): the endpoint, or %NULL with @error set.
 */
PgEndpoint *
pg_endpoint_new (const char  *url,
                 const char  *region,
                 gboolean     path_style,
                 GError     **error)
{
  g_autoptr(PgEndpoint) self = NULL;

  if (!region_is_valid (region))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a region name. Region names look like “eu-west-1”."),
                   region ? region : "");
      return NULL;
    }

  self = g_new0 (PgEndpoint, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->region = g_strdup (region);
  self->path_style = path_style;

  if (url != NULL)
    {
      g_autoptr(GUri) uri = NULL;
      const char *scheme;
      const char *host;
      const char *path;
      int port;

      /* Encoded, the host is seen as written: "h%2Fx" is not a host name. */
      uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
      scheme = uri ? g_uri_get_scheme (uri) : NULL;
      host = uri ? g_uri_get_host (uri) : NULL;
      path = uri ? g_uri_get_path (uri) : NULL;
      port = uri ? g_uri_get_port (uri) : -1;

      if (uri == NULL || scheme == NULL || host == NULL || !host_is_valid (host)
          || (port != -1 && (port < 1 || port > 65535))
          || strpbrk (url, " \t\r\n\f\v") != NULL
          || (g_ascii_strcasecmp (scheme, "http") != 0
              && g_ascii_strcasecmp (scheme, "https") != 0))
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a server address. Addresses look like "
                         "“https://s3.example.com” or “http://127.0.0.1:7480”."), url);
          return NULL;
        }

      if ((path != NULL && *path != '\0' && strcmp (path, "/") != 0)
          || g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL
          || g_uri_get_fragment (uri) != NULL)
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("The server address “%s” must not contain a path, a query or a user "
                         "name."), url);
          return NULL;
        }

      self->scheme = g_ascii_strdown (scheme, -1);
      self->host_is_address = g_hostname_is_ip_address (host);

      /* GUri strips the brackets of IPv6 literals. */
      {
        g_autofree char *bracketed = strchr (host, ':') ? g_strdup_printf ("[%s]", host)
                                                        : g_ascii_strdown (host, -1);

        if (port == -1 || (port == 80 && strcmp (self->scheme, "http") == 0)
            || (port == 443 && strcmp (self->scheme, "https") == 0))
          self->authority = g_steal_pointer (&bracketed);
        else
          self->authority = g_strdup_printf ("%s:%d", bracketed, port);
      }
    }

  return g_steal_pointer (&self);
}

PgEndpoint *
pg_endpoint_ref (PgEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
pg_endpoint_unref (PgEndpoint *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->region);
  g_free (self->scheme);
  g_free (self->authority);
  g_free (self);
}

gboolean
pg_endpoint_is_aws (PgEndpoint *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->authority == NULL;
}

const char *
pg_endpoint_get_region (PgEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->region;
}

/**
 * pg_bucket_name_is_valid:
 *
 * Whether @bucket can name a bucket at all: 3 to 255 characters of letters, digits, dots,
 * hyphens and underscores. (Older buckets in us-east-1 may use upper case and underscores,
 * so this is looser than the rules for new buckets.)
 */
gboolean
pg_bucket_name_is_valid (const char *bucket)
{
  gsize len;

  if (bucket == NULL)
    return FALSE;

  len = strlen (bucket);
  if (len < 3 || len > 255)
    return FALSE;

  for (const char *p = bucket; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-' && *p != '_')
        return FALSE;
    }

  return TRUE;
}

/**
 * pg_bucket_name_is_dns_safe:
 *
 * Whether @bucket can be a host name label of its own ("virtual-hosted style"): 3 to 63 lower
 * case letters, digits and hyphens, starting and ending with a letter or digit. Names with dots
 * are left out: over HTTPS they would not match the server's wildcard certificate, so AWS SDKs
 * address them in the path.
 */
gboolean
pg_bucket_name_is_dns_safe (const char *bucket)
{
  gsize len = bucket ? strlen (bucket) : 0;

  if (len < 3 || len > 63)
    return FALSE;

  if (!g_ascii_isalnum (bucket[0]) || !g_ascii_isalnum (bucket[len - 1]))
    return FALSE;

  for (const char *p = bucket; *p; p++)
    {
      if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
        return FALSE;
    }

  return TRUE;
}

/**
 * pg_object_key_is_valid:
 *
 * Object keys are 1 to 1,024 bytes of UTF-8. Anything else (including "/" inside) is allowed.
 */
gboolean
pg_object_key_is_valid (const char  *key,
                        GError     **error)
{
  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The file name (object key) is empty."));
      return FALSE;
    }

  if (!g_utf8_validate (key, -1, NULL))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The file name (object key) is not valid UTF-8 text."));
      return FALSE;
    }

  if (strlen (key) > MAX_KEY_BYTES)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("The file name (object key) is %zu bytes long; S3 allows at most %d."),
                   strlen (key), MAX_KEY_BYTES);
      return FALSE;
    }

  return TRUE;
}

/**
 * pg_endpoint_locate:
 * @bucket: the bucket
 * @key: (nullable): an object key, or %NULL for the bucket itself
 * @location: (out caller-allocates): filled in; free with pg_location_clear()
 *
 * Works out scheme, host and path for a request. Virtual-hosted style is used unless the
 * endpoint asks for path style, the bucket name cannot be a host name label, or a custom
 * endpoint is an IP address — the same choices the AWS SDKs make.
 */
gboolean
pg_endpoint_locate (PgEndpoint  *self,
                    const char  *bucket,
                    const char  *key,
                    PgLocation  *location,
                    GError     **error)
{
  g_autofree char *service_host = NULL;
  gboolean virtual_host;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (location != NULL, FALSE);

  memset (location, 0, sizeof *location);

  if (!pg_bucket_name_is_valid (bucket))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a bucket name. Bucket names have 3 to 63 letters, digits, "
                     "dots or hyphens."), bucket ? bucket : "");
      return FALSE;
    }

  if (key != NULL && !pg_object_key_is_valid (key, error))
    return FALSE;

  virtual_host = !self->path_style && pg_bucket_name_is_dns_safe (bucket)
                 && !self->host_is_address;

  if (self->authority != NULL)
    {
      location->scheme = g_strdup (self->scheme);
      service_host = g_strdup (self->authority);
    }
  else
    {
      const char *suffix = g_str_has_prefix (self->region, "cn-") ? "amazonaws.com.cn"
                                                                  : "amazonaws.com";

      location->scheme = g_strdup ("https");
      /* The SDKs keep using the global name for us-east-1, and so do we. */
      if (strcmp (self->region, "us-east-1") == 0)
        service_host = g_strconcat ("s3.", suffix, NULL);
      else
        service_host = g_strconcat ("s3.", self->region, ".", suffix, NULL);
    }

  if (virtual_host)
    {
      location->host = g_strconcat (bucket, ".", service_host, NULL);
      location->path = g_strconcat ("/", key, NULL);
    }
  else
    {
      location->host = g_steal_pointer (&service_host);
      location->path = key ? g_strconcat ("/", bucket, "/", key, NULL)
                           : g_strconcat ("/", bucket, NULL);
    }

  return TRUE;
}

/**
 * pg_endpoint_locate_service:
 * @service: another AWS service than S3, such as "sts"
 *
 * Where that service is reached: its regional endpoint on AWS, the same server otherwise (an
 * S3-compatible server that offers STS serves it at its root).
 */
gboolean
pg_endpoint_locate_service (PgEndpoint *self,
                            const char *service,
                            PgLocation *location)
{
  g_return_val_if_fail (self != NULL, FALSE);

  memset (location, 0, sizeof *location);

  if (self->authority != NULL)
    {
      location->scheme = g_strdup (self->scheme);
      location->host = g_strdup (self->authority);
    }
  else if (g_str_equal (service, "iam") && g_str_equal (pg_endpoint_get_partition (self), "aws"))
    {
      /* IAM is global: one endpoint, requests signed for us-east-1 (pg_endpoint_service_region). */
      location->scheme = g_strdup ("https");
      location->host = g_strdup ("iam.amazonaws.com");
    }
  else
    {
      location->scheme = g_strdup ("https");
      location->host = g_strdup_printf ("%s.%s.%s", service, self->region,
                                        g_str_has_prefix (self->region, "cn-") ? "amazonaws.com.cn"
                                                                              : "amazonaws.com");
    }
  location->path = g_strdup ("/");

  return TRUE;
}

/**
 * pg_endpoint_service_region:
 *
 * The region requests to @service are signed for: us-east-1 for IAM on AWS (a global service),
 * the endpoint's region otherwise.
 */
const char *
pg_endpoint_service_region (PgEndpoint *self,
                            const char *service)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->authority == NULL && g_strcmp0 (service, "iam") == 0
      && g_str_equal (pg_endpoint_get_partition (self), "aws"))
    return "us-east-1";

  return self->region;
}

/* The ARN partition of resources at this endpoint: "aws", or "aws-cn" in China. */
const char *
pg_endpoint_get_partition (PgEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->authority == NULL && g_str_has_prefix (self->region, "cn-"))
    return "aws-cn";
  if (self->authority == NULL && g_str_has_prefix (self->region, "us-gov-"))
    return "aws-us-gov";

  return "aws";
}

void
pg_location_clear (PgLocation *location)
{
  g_clear_pointer (&location->scheme, g_free);
  g_clear_pointer (&location->host, g_free);
  g_clear_pointer (&location->path, g_free);
}
