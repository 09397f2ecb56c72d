/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-presign"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-presign.h"
#include "pg-sigv4.h"

const char *
pg_method_to_string (PgMethod method)
{
  switch (method)
    {
    case PG_METHOD_GET:
      return "GET";
    case PG_METHOD_PUT:
      return "PUT";
    case PG_METHOD_HEAD:
      return "HEAD";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
pg_method_from_string (const char *text,
                       PgMethod   *method)
{
  static const PgMethod all[] = { PG_METHOD_GET, PG_METHOD_PUT, PG_METHOD_HEAD };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      if (text != NULL && g_ascii_strcasecmp (text, pg_method_to_string (all[i])) == 0)
        {
          *method = all[i];
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * pg_content_type_is_active:
 *
 * Whether a browser shows a file of type @content_type as a document of its own, with scripts
 * (HTML, XHTML, SVG, XML, script): what an upload must never be stored as, since the bucket
 * would serve it on the origin of our pages.
 */
gboolean
pg_content_type_is_active (const char *content_type)
{
  static const char * const active[] = {
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
    "text/xsl", "text/javascript", "application/javascript", "application/ecmascript",
    "text/ecmascript", "multipart/x-mixed-replace", "application/x-shockwave-flash",
  };
  g_autofree char *lower = g_ascii_strdown (content_type, -1);
  char *semicolon = strchr (lower, ';');

  if (semicolon != NULL)
    *semicolon = '\0';
  g_strstrip (lower);
  if (g_str_has_suffix (lower, "+xml") || g_str_has_suffix (lower, "/xml"))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (active); i++)
    if (g_str_equal (lower, active[i]))
      return TRUE;

  return FALSE;
}

/**
 * pg_content_disposition_for_filename:
 * @filename: the name a browser should save a download under (UTF-8)
 *
 * Builds an RFC 6266 `Content-Disposition: attachment` value. Names that are plain printable
 * ASCII are given as a quoted string; any other name gets an ASCII stand-in (other characters
 * become "_") plus the exact name as an RFC 5987 `filename*` in UTF-8, which every current
 * browser prefers.
 *
 * Returns: (transfer full): the header value
 */
char *
pg_content_disposition_for_filename (const char *filename)
{
  GString *out = g_string_new ("attachment; filename=\"");
  gboolean plain = TRUE;

  g_return_val_if_fail (filename != NULL, NULL);

  for (const guchar *p = (const guchar *) filename; *p; p++)
    {
      if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
        {
          g_string_append_c (out, *p);
          continue;
        }

      plain = FALSE;
      /* One stand-in per character, not per byte. */
      if (*p < 0x80 || (*p & 0xc0) == 0xc0)
        g_string_append_c (out, '_');
    }
  g_string_append_c (out, '"');

  if (!plain)
    {
      g_string_append (out, "; filename*=UTF-8''");
      /* attr-char of RFC 5987 is a little wider than the unreserved set; encoding more is
       * allowed and keeps one encoder. */
      pg_sigv4_uri_encode (out, filename, FALSE);
    }

  return g_string_free (out, FALSE);
}

static gboolean
check_options (const PgPresignOptions  *options,
               GError                 **error)
{
  if (options->if_none_match && options->method != PG_METHOD_PUT)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("Single-use protection applies to upload links only."));
      return FALSE;
    }

  if (options->content_md5 != NULL && options->method != PG_METHOD_PUT)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("A content checksum applies to upload links only."));
      return FALSE;
    }

  if (options->filename != NULL && options->method == PG_METHOD_PUT)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("A download file name applies to download links only."));
      return FALSE;
    }

  if (options->filename != NULL
      && (*options->filename == '\0' || !g_utf8_validate (options->filename, -1, NULL)))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The download file name is empty or not valid text."));
      return FALSE;
    }

  if (options->content_type != NULL)
    {
      gboolean ok = *options->content_type != '\0';

      for (const char *p = options->content_type; ok && *p; p++)
        ok = *p >= 0x20 && *p < 0x7f;

      if (!ok)
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not a content type. Content types look like "
                         "“application/pdf”."), options->content_type);
          return FALSE;
        }
      if (options->method == PG_METHOD_PUT
          && pg_content_type_is_active (options->content_type))
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("Uploads are never stored as “%s”: the bucket would show such a file "
                         "as a web page or script on its own address. Choose another type, "
                         "such as “%s”."), options->content_type, PG_UPLOAD_CONTENT_TYPE);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * pg_presign_url:
 * @endpoint: where the bucket lives
 * @credentials: who signs; a session token goes into the link
 * @options: what the link is for
 *
 * Makes a presigned URL following the S3 rules: the key is encoded exactly once with "/" kept,
 * the path is never normalised, and the payload is `UNSIGNED-PAYLOAD`. Needs no network.
 *
 * Returns: (transfer full): the URL, or %NULL with @error set to a sentence for the user.
 */
char *
pg_presign_url (PgEndpoint              *endpoint,
                PgCredentials           *credentials,
                const PgPresignOptions  *options,
                GError                 **error)
{
  g_auto(PgLocation) location = { 0 };
  g_autoptr(PgSigv4Request) request = NULL;
  g_autofree char *target = NULL;
  gint64 when;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!check_options (options, error))
    return NULL;

  if (!pg_endpoint_locate (endpoint, options->bucket, options->key, &location, error))
    return NULL;

  when = options->signing_time != 0 ? options->signing_time : g_get_real_time () / G_USEC_PER_SEC;
  when += options->clock_offset;

  request = pg_sigv4_request_new (pg_method_to_string (options->method), location.host,
                                  location.path, PG_SIGV4_FLAGS_NONE);
  pg_sigv4_request_set_payload_hash (request, PG_SIGV4_UNSIGNED_PAYLOAD);

  if (options->method == PG_METHOD_PUT)
    {
      if (options->content_type != NULL)
        pg_sigv4_request_add_header (request, "content-type", options->content_type);
      if (options->content_md5 != NULL)
        pg_sigv4_request_add_header (request, "content-md5", options->content_md5);
      if (options->if_none_match)
        pg_sigv4_request_add_header (request, "if-none-match", "*");
    }
  else
    {
      if (options->filename != NULL)
        {
          g_autofree char *disposition = pg_content_disposition_for_filename (options->filename);

          pg_sigv4_request_add_query (request, "response-content-disposition", disposition);
        }
      if (options->content_type != NULL)
        pg_sigv4_request_add_query (request, "response-content-type", options->content_type);
    }

  if (!pg_sigv4_request_presign (request, credentials, pg_endpoint_get_region (endpoint), "s3",
                                 when, options->expires, error))
    return NULL;

  target = pg_sigv4_protect_dot_segments (pg_sigv4_request_get_path_and_query (request));

  return g_strconcat (location.scheme, "://", location.host, target, NULL);
}
