/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-presign"

#include "config.h"

#include <string.h>

#include "pg-error.h"
#include "pg-presign.h"
#include "pg-sigv4.h"

/* 2013-05-24T00:00:00Z */
#define EXAMPLE_TIME G_GINT64_CONSTANT (1369353600)

static PgCredentials *
example_credentials (const char *token)
{
  g_autoptr(GError) error = NULL;
  PgCredentials *credentials;

  credentials = pg_credentials_new ("AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", token, NULL,
                                    &error);
  g_assert_no_error (error);

  return credentials;
}

static char *
presign (const char             *endpoint_url,
         gboolean                path_style,
         const PgPresignOptions *options,
         const char             *token,
         GError                **error)
{
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (endpoint_url, "us-east-1", path_style, NULL);
  g_autoptr(PgCredentials) credentials = example_credentials (token);

  return pg_presign_url (endpoint, credentials, options, error);
}

/* The example of "Authenticating Requests: Using Query Parameters" in the S3 API reference. */
static void
test_presign_s3_documentation_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = "examplebucket",
    .key = "test.txt",
    .expires = 86400,
    .signing_time = EXAMPLE_TIME,
  };

  url = presign (NULL, FALSE, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==,
                   "https://examplebucket.s3.amazonaws.com/test.txt"
                   "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                   "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                   "&X-Amz-Date=20130524T000000Z"
                   "&X-Amz-Expires=86400"
                   "&X-Amz-SignedHeaders=host"
                   "&X-Amz-Signature="
                   "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

/* A clock that is an hour slow signs as if it were right. */
static void
test_presign_clock_offset (void)
{
  g_autofree char *direct = NULL;
  g_autofree char *corrected = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = "examplebucket",
    .key = "test.txt",
    .expires = 86400,
    .signing_time = EXAMPLE_TIME,
  };

  direct = presign (NULL, FALSE, &options, NULL, NULL);
  options.signing_time = EXAMPLE_TIME - 3600;
  options.clock_offset = 3600;
  corrected = presign (NULL, FALSE, &options, NULL, NULL);
  g_assert_cmpstr (direct, ==, corrected);

  /* Without a signing time the current time (plus the offset) is used. */
  options.signing_time = 0;
  options.clock_offset = 0;
  g_clear_pointer (&corrected, g_free);
  corrected = presign (NULL, FALSE, &options, NULL, NULL);
  g_assert_nonnull (corrected);
  g_assert_null (strstr (corrected, "X-Amz-Date=20130524"));
}

static void
test_presign_expiry_limits (void)
{
  static const guint bad[] = { 0, PG_SIGV4_MAX_EXPIRES + 1, G_MAXUINT };
  static const guint good[] = { 1, PG_SIGV4_MAX_EXPIRES };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      PgPresignOptions options = { PG_METHOD_GET, "examplebucket", "k", bad[i], EXAMPLE_TIME };

      url = presign (NULL, FALSE, &options, NULL, &error);
      g_assert_null (url);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, "7 days"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      PgPresignOptions options = { PG_METHOD_GET, "examplebucket", "k", good[i], EXAMPLE_TIME };

      url = presign (NULL, FALSE, &options, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (url);
    }
}

static void
test_presign_upload_headers (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_PUT,
    .bucket = "demo",
    .key = "incoming/2026/見積書 v2+final%.xlsx",
    .expires = 3600,
    .signing_time = EXAMPLE_TIME,
    .if_none_match = TRUE,
    .content_type = "application/pdf",
  };

  url = presign ("http://127.0.0.1:7480", TRUE, &options, "session/token+=", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:7480/demo/incoming/2026/"
                                        "%E8%A6%8B%E7%A9%8D%E6%9B%B8%20v2%2Bfinal%25.xlsx?"));
  g_assert_nonnull (strstr (url, "&X-Amz-SignedHeaders=content-type%3Bhost%3Bif-none-match&"));
  g_assert_nonnull (strstr (url, "&X-Amz-Security-Token=session%2Ftoken%2B%3D&"));
}

static void
test_presign_download_options (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = "demo",
    .key = "report.pdf",
    .expires = 60,
    .signing_time = EXAMPLE_TIME,
    .filename = "報告書.pdf",
    .content_type = "application/pdf",
  };

  url = presign (NULL, FALSE, &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (url, "?response-content-disposition=attachment%3B%20filename%3D%22___"
                                 ".pdf%22%3B%20filename%2A%3DUTF-8%27%27%25E5%25A0%25B1%25E5%2591"
                                 "%258A%25E6%259B%25B8.pdf&response-content-type=application%2Fpdf&"));
  g_assert_nonnull (strstr (url, "&X-Amz-SignedHeaders=host&"));
}

static void
test_presign_bad_options (void)
{
  const PgPresignOptions cases[] = {
    { .method = PG_METHOD_GET, .bucket = "demo", .key = "k", .expires = 60, .if_none_match = TRUE },
    { .method = PG_METHOD_PUT, .bucket = "demo", .key = "k", .expires = 60, .filename = "a.txt" },
    { .method = PG_METHOD_GET, .bucket = "demo", .key = "k", .expires = 60, .filename = "" },
    { .method = PG_METHOD_PUT, .bucket = "demo", .key = "k", .expires = 60, .content_type = "a\nb" },
    { .method = PG_METHOD_PUT, .bucket = "demo", .key = "", .expires = 60 },
    { .method = PG_METHOD_PUT, .bucket = "no", .key = "k", .expires = 60 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = presign (NULL, FALSE, &cases[i], NULL, &error);

      g_assert_null (url);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_presign_content_disposition (void)
{
  static const struct {
    const char *name;
    const char *value;
  } cases[] = {
    { "report.pdf", "attachment; filename=\"report.pdf\"" },
    { "a b.txt", "attachment; filename=\"a b.txt\"" },
    { "say \"hi\".txt", "attachment; filename=\"say _hi_.txt\"; "
                        "filename*=UTF-8''say%20%22hi%22.txt" },
    { "résumé.doc", "attachment; filename=\"r_sum_.doc\"; "
                    "filename*=UTF-8''r%C3%A9sum%C3%A9.doc" },
    { "😀", "attachment; filename=\"_\"; filename*=UTF-8''%F0%9F%98%80" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *value = pg_content_disposition_for_filename (cases[i].name);

      g_assert_cmpstr (value, ==, cases[i].value);
    }
}

static void
test_presign_methods (void)
{
  PgMethod method;

  g_assert_true (pg_method_from_string ("get", &method));
  g_assert_cmpint (method, ==, PG_METHOD_GET);
  g_assert_true (pg_method_from_string ("PUT", &method));
  g_assert_cmpint (method, ==, PG_METHOD_PUT);
  g_assert_true (pg_method_from_string ("Head", &method));
  g_assert_cmpint (method, ==, PG_METHOD_HEAD);
  g_assert_false (pg_method_from_string ("DELETE", &method));
  g_assert_false (pg_method_from_string (NULL, &method));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/presign/s3-documentation-example", test_presign_s3_documentation_example);
  g_test_add_func ("/pg/presign/clock-offset", test_presign_clock_offset);
  g_test_add_func ("/pg/presign/expiry-limits", test_presign_expiry_limits);
  g_test_add_func ("/pg/presign/upload-headers", test_presign_upload_headers);
  g_test_add_func ("/pg/presign/download-options", test_presign_download_options);
  g_test_add_func ("/pg/presign/bad-options", test_presign_bad_options);
  g_test_add_func ("/pg/presign/content-disposition", test_presign_content_disposition);
  g_test_add_func ("/pg/presign/methods", test_presign_methods);

  return g_test_run ();
}
