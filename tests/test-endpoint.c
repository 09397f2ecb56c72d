/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-endpoint"

#include "config.h"

#include "pg-endpoint.h"
#include "pg-error.h"

typedef struct
{
  const char *url;
  const char *region;
  gboolean    path_style;
  const char *bucket;
  const char *key;
  const char *scheme;
  const char *host;
  const char *path;
} LocateCase;

static void
test_endpoint_locate (void)
{
  static const LocateCase cases[] = {
    { NULL, "us-east-1", FALSE, "examplebucket", "test.txt",
      "https", "examplebucket.s3.amazonaws.com", "/test.txt" },
    { NULL, "us-east-1", TRUE, "examplebucket", "test.txt",
      "https", "s3.amazonaws.com", "/examplebucket/test.txt" },
    { NULL, "eu-west-1", FALSE, "examplebucket", "a b/c",
      "https", "examplebucket.s3.eu-west-1.amazonaws.com", "/a b/c" },
    { NULL, "eu-west-1", TRUE, "examplebucket", "a",
      "https", "s3.eu-west-1.amazonaws.com", "/examplebucket/a" },
    { NULL, "cn-north-1", FALSE, "examplebucket", "a",
      "https", "examplebucket.s3.cn-north-1.amazonaws.com.cn", "/a" },
    /* Names that cannot be a host label go into the path. */
    { NULL, "eu-west-1", FALSE, "with.dots", "a",
      "https", "s3.eu-west-1.amazonaws.com", "/with.dots/a" },
    { NULL, "us-east-1", FALSE, "Legacy_Bucket", "a",
      "https", "s3.amazonaws.com", "/Legacy_Bucket/a" },
    { "http://127.0.0.1:7480", "us-east-1", FALSE, "demo", "k",
      "http", "127.0.0.1:7480", "/demo/k" },
    { "http://127.0.0.1:7480/", "us-east-1", TRUE, "demo", "k",
      "http", "127.0.0.1:7480", "/demo/k" },
    { "https://S3.Example.com:443", "us-east-1", FALSE, "demo", "k",
      "https", "demo.s3.example.com", "/k" },
    { "http://localhost:9000", "us-east-1", TRUE, "demo", "k//x/",
      "http", "localhost:9000", "/demo/k//x/" },
    { "http://[::1]:7480", "us-east-1", FALSE, "demo", "k",
      "http", "[::1]:7480", "/demo/k" },
    { NULL, "us-east-1", FALSE, "examplebucket", NULL,
      "https", "examplebucket.s3.amazonaws.com", "/" },
    { NULL, "us-east-1", TRUE, "examplebucket", NULL,
      "https", "s3.amazonaws.com", "/examplebucket" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LocateCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (c->url, c->region, c->path_style, &error);
      g_auto(PgLocation) location = { 0 };

      g_assert_no_error (error);
      g_assert_cmpint (pg_endpoint_is_aws (endpoint), ==, c->url == NULL);
      pg_endpoint_locate (endpoint, c->bucket, c->key, &location, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (location.scheme, ==, c->scheme);
      g_assert_cmpstr (location.host, ==, c->host);
      g_assert_cmpstr (location.path, ==, c->path);
    }
}

static void
test_endpoint_bad_input (void)
{
  static const struct {
    const char *url;
    const char *region;
  } bad_endpoints[] = {
    { NULL, "" },
    { NULL, "EU-WEST-1" },
    { NULL, "eu west" },
    { "ftp://example.com", "us-east-1" },
    { "example.com", "us-east-1" },
    { "http://", "us-east-1" },
    { "http://example.com/prefix", "us-east-1" },
    { "http://user@example.com", "us-east-1" },
    { "http://example.com/?a=b", "us-east-1" },
  };
  static const char *bad_buckets[] = { "", "ab", "has space", "slash/bucket", "ünï" };
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (NULL, "us-east-1", FALSE, NULL);
  g_autofree char *long_key = g_strnfill (1025, 'k');

  for (guint i = 0; i < G_N_ELEMENTS (bad_endpoints); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgEndpoint) bad = NULL;

      bad = pg_endpoint_new (bad_endpoints[i].url, bad_endpoints[i].region, FALSE, &error);
      g_assert_null (bad);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_buckets); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(PgLocation) location = { 0 };

      g_assert_false (pg_endpoint_locate (endpoint, bad_buckets[i], "k", &location, &error));
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
      g_assert_null (location.host);
    }

  {
    g_autoptr(GError) error = NULL;
    g_auto(PgLocation) location = { 0 };

    g_assert_false (pg_endpoint_locate (endpoint, "bucket", long_key, &location, &error));
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (pg_endpoint_locate (endpoint, "bucket", "", &location, &error));
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
    g_assert_false (pg_endpoint_locate (endpoint, "bucket", "\xff\xfe", &location, &error));
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_endpoint_bucket_names (void)
{
  g_assert_true (pg_bucket_name_is_dns_safe ("examplebucket"));
  g_assert_true (pg_bucket_name_is_dns_safe ("a-1"));
  g_assert_false (pg_bucket_name_is_dns_safe ("-ab"));
  g_assert_false (pg_bucket_name_is_dns_safe ("ab-"));
  g_assert_false (pg_bucket_name_is_dns_safe ("with.dots"));
  g_assert_false (pg_bucket_name_is_dns_safe ("Upper"));
  g_assert_false (pg_bucket_name_is_dns_safe ("ab"));
  g_assert_true (pg_bucket_name_is_valid ("Legacy_Bucket"));
  g_assert_false (pg_bucket_name_is_valid ("a b c"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/endpoint/locate", test_endpoint_locate);
  g_test_add_func ("/pg/endpoint/bad-input", test_endpoint_bad_input);
  g_test_add_func ("/pg/endpoint/bucket-names", test_endpoint_bucket_names);

  return g_test_run ();
}
