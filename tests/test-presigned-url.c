/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-presigned-url"

#include "config.h"

#include <string.h>

#include "pg-error.h"
#include "pg-presign.h"
#include "pg-presigned-url.h"

#define EXAMPLE_URL \
  "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" \
  "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" \
  "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" \
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

static void
test_presigned_url_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) link = pg_presigned_url_parse ("  " EXAMPLE_URL "\n", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pg_presigned_url_get_scheme (link), ==, "https");
  g_assert_cmpstr (pg_presigned_url_get_host (link), ==, "examplebucket.s3.amazonaws.com");
  g_assert_cmpstr (pg_presigned_url_get_bucket (link), ==, "examplebucket");
  g_assert_cmpstr (pg_presigned_url_get_key (link), ==, "test.txt");
  g_assert_false (pg_presigned_url_get_path_style (link));
  g_assert_cmpstr (pg_presigned_url_get_access_key_id (link), ==, "AKIAIOSFODNN7EXAMPLE");
  g_assert_cmpstr (pg_presigned_url_get_region (link), ==, "us-east-1");
  g_assert_cmpstr (pg_presigned_url_get_service (link), ==, "s3");
  g_assert_cmpstr (pg_presigned_url_get_signed_headers (link), ==, "host");
  g_assert_false (pg_presigned_url_has_session_token (link));
  g_assert_cmpint (pg_presigned_url_get_signed_at (link), ==, 1369353600);
  g_assert_cmpuint (pg_presigned_url_get_expires (link), ==, 86400);
  g_assert_cmpint (pg_presigned_url_get_expires_at (link), ==, 1369353600 + 86400);
  g_assert_cmpint (pg_presigned_url_get_seconds_left (link, 1369353600 + 86000), ==, 400);
  g_assert_cmpint (pg_presigned_url_get_seconds_left (link, 1369353600 + 90000), ==, 0);
}

/* Whatever we sign, we read back: bucket and key survive every style and awkward key. */
static void
test_presigned_url_round_trip (void)
{
  static const struct {
    const char *endpoint;
    const char *region;
    gboolean    path_style;
    const char *bucket;
    const char *key;
  } cases[] = {
    { NULL, "us-east-1", FALSE, "examplebucket", "a b/c+d%e~f" },
    { NULL, "us-east-1", TRUE, "examplebucket", "//x//" },
    { NULL, "eu-west-1", FALSE, "s3-data", "s3.amazonaws.com/trick" },
    { NULL, "ap-northeast-1", FALSE, "my.dotted.bucket", "日本語/データ.xlsx" },
    { NULL, "cn-north-1", FALSE, "cnbucket", "k?x=1&y=2#z" },
    { "http://127.0.0.1:7480", "us-east-1", TRUE, "demo", "incoming/2026 a/b.txt" },
    { "https://s3.example.com:8443", "us-east-1", FALSE, "demo", "k" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgEndpoint) endpoint = NULL;
      g_autoptr(PgCredentials) credentials = NULL;
      g_autoptr(PgPresignedUrl) link = NULL;
      g_autofree char *url = NULL;
      PgPresignOptions options = {
        .method = PG_METHOD_PUT,
        .bucket = cases[i].bucket,
        .key = cases[i].key,
        .expires = 3600,
        .signing_time = 1764288000,
        .if_none_match = TRUE,
      };

      endpoint = pg_endpoint_new (cases[i].endpoint, cases[i].region, cases[i].path_style, NULL);
      credentials = pg_credentials_new ("AKID", "secret", "token", NULL, NULL);
      url = pg_presign_url (endpoint, credentials, &options, &error);
      g_assert_no_error (error);

      link = pg_presigned_url_parse (url, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (pg_presigned_url_get_key (link), ==, cases[i].key);
      g_assert_cmpstr (pg_presigned_url_get_region (link), ==, cases[i].region);
      g_assert_cmpstr (pg_presigned_url_get_signed_headers (link), ==, "host;if-none-match");
      g_assert_true (pg_presigned_url_has_session_token (link));
      g_assert_cmpint (pg_presigned_url_get_signed_at (link), ==, 1764288000);

      g_assert_cmpstr (pg_presigned_url_get_bucket (link), ==, cases[i].bucket);
    }
}

static void
test_presigned_url_malformed (void)
{
  static const char *cases[] = {
    "",
    "   ",
    "not a url",
    "ftp://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "https://examplebucket.s3.amazonaws.com/test.txt",
    "https:///test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA1",
    "https://examplebucket.s3.amazonaws.com/test.txt?%zz=1",
    "https://s3.amazonaws.com/onlybucket?X-Amz-Algorithm=AWS4-HMAC-SHA256"
      "&X-Amz-Credential=A%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
      "&X-Amz-Expires=1&X-Amz-SignedHeaders=host&X-Amz-Signature="
      "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
  };
  static const struct {
    const char *from;
    const char *to;
  } edits[] = {
    { "X-Amz-Expires=86400", "X-Amz-Expires=0" },
    { "X-Amz-Expires=86400", "X-Amz-Expires=604801" },
    { "X-Amz-Expires=86400", "X-Amz-Expires=-5" },
    { "X-Amz-Expires=86400", "X-Amz-Expires=1e3" },
    { "X-Amz-Expires=86400", "X-Amz-Expires=" },
    { "X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130532T000000Z" },
    { "X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z" },
    { "X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24" },
    { "%2Fus-east-1%2Fs3%2Faws4_request", "%2Fus-east-1%2Fs3" },
    { "AKIAIOSFODNN7EXAMPLE%2F", "%2F" },
    { "&X-Amz-SignedHeaders=host", "" },
    { "f604d404", "f604d40" },
    { "f604d404", "F604D404" },
    { "/test.txt", "/" },
    { "/test.txt", "/%FF%FE" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgPresignedUrl) link = pg_presigned_url_parse (cases[i], &error);

      g_assert_null (link);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_URL);
    }

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) url = g_string_new (EXAMPLE_URL);
      g_autoptr(PgPresignedUrl) link = NULL;

      g_assert_cmpuint (g_string_replace (url, edits[i].from, edits[i].to, 1), ==, 1);
      link = pg_presigned_url_parse (url->str, &error);
      g_assert_null (link);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_URL);
    }
}

/* Every prefix of a valid link, and every single-byte change to it, gives a link or an error,
 * never a crash (valgrind or ASan make this test sharper). */
static void
test_presigned_url_mutations (void)
{
  const char *url = EXAMPLE_URL;
  gsize len = strlen (url);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autofree char *prefix = g_strndup (url, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(PgPresignedUrl) link = pg_presigned_url_parse (prefix, &error);

      g_assert_true ((link == NULL) != (error == NULL));
    }

  for (gsize at = 0; at < len; at++)
    {
      static const char replacements[] = { '%', '&', '=', '?', '/', '#', ' ', 'x', '\x01' };

      for (guint r = 0; r < G_N_ELEMENTS (replacements); r++)
        {
          g_autofree char *changed = g_strdup (url);
          g_autoptr(GError) error = NULL;
          g_autoptr(PgPresignedUrl) link = NULL;

          changed[at] = replacements[r];
          link = pg_presigned_url_parse (changed, &error);
          g_assert_true ((link == NULL) != (error == NULL));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/presigned-url/example", test_presigned_url_example);
  g_test_add_func ("/pg/presigned-url/round-trip", test_presigned_url_round_trip);
  g_test_add_func ("/pg/presigned-url/malformed", test_presigned_url_malformed);
  g_test_add_func ("/pg/presigned-url/mutations", test_presigned_url_mutations);

  return g_test_run ();
}
