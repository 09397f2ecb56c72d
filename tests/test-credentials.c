/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-credentials"

#include "config.h"

#include <string.h>

#include "pg-credentials.h"
#include "pg-error.h"

/* A link's session kept in a keyring: temporary credentials only, read back the same; anything
 * else refused. */
static void
test_credentials_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expiration = g_date_time_new_utc (2026, 11, 29, 12, 0, 0);
  g_autoptr(PgCredentials) session = pg_credentials_new ("ASIAEXAMPLE", "secret/with+chars",
                                                         "token/with=chars", expiration, NULL);
  g_autoptr(PgCredentials) plain = pg_credentials_new ("AKIAEXAMPLE", "secret", NULL, NULL, NULL);
  g_autoptr(PgCredentials) back = NULL;
  char *text = pg_credentials_export (session);

  g_assert_nonnull (text);
  back = pg_credentials_import (text, &error);
  g_assert_no_error (error);
  pg_credentials_wipe_export (text);
  g_assert_cmpstr (pg_credentials_get_access_key_id (back), ==, "ASIAEXAMPLE");
  g_assert_cmpstr (pg_credentials_get_session_token (back), ==, "token/with=chars");
  g_assert_true (g_date_time_equal (pg_credentials_get_expiration (back), expiration));
  /* The same secret: the same signing key. */
  {
    guint8 ours[PG_SIGNING_KEY_LENGTH];
    guint8 theirs[PG_SIGNING_KEY_LENGTH];

    pg_credentials_derive_signing_key (session, "20261129", "us-east-1", "s3", ours);
    pg_credentials_derive_signing_key (back, "20261129", "us-east-1", "s3", theirs);
    g_assert_cmpmem (ours, sizeof ours, theirs, sizeof theirs);
  }

  g_assert_null (pg_credentials_export (plain));
  g_assert_null (pg_credentials_import ("only three parts", &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS);
  g_clear_error (&error);
  g_assert_null (pg_credentials_import ("KEY SECRET TOKEN\n 0", &error));
  g_assert_nonnull (error);
}

static void
test_credentials_valid (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) expiration = g_date_time_new_utc (2026, 11, 29, 0, 0, 0);
  g_autoptr(PgCredentials) plain = NULL;
  g_autoptr(PgCredentials) temporary = NULL;

  plain = pg_credentials_new ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pg_credentials_get_access_key_id (plain), ==, "AKIAIOSFODNN7EXAMPLE");
  g_assert_null (pg_credentials_get_session_token (plain));
  g_assert_false (pg_credentials_is_temporary (plain));

  temporary = pg_credentials_new ("ASIAEXAMPLE", "secret", "token+/=", expiration, &error);
  g_assert_no_error (error);
  g_assert_true (pg_credentials_is_temporary (temporary));
  g_assert_cmpstr (pg_credentials_get_session_token (temporary), ==, "token+/=");
  g_assert_true (g_date_time_equal (pg_credentials_get_expiration (temporary), expiration));
}

static void
test_credentials_rejects_bad_paste (void)
{
  static const struct {
    const char *id;
    const char *secret;
    const char *token;
  } cases[] = {
    { "", "secret", NULL },
    { NULL, "secret", NULL },
    { "AKID", "", NULL },
    { "AKID", NULL, NULL },
    { "AKID EXAMPLE", "secret", NULL },
    { "AKID", "secret\n", NULL },
    { "AKID", "sec ret", NULL },
    { "AKID", "secret", "tok en" },
    { "AKID\t", "secret", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgCredentials) credentials = NULL;

      credentials = pg_credentials_new (cases[i].id, cases[i].secret, cases[i].token, NULL,
                                        &error);
      g_assert_null (credentials);
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
}

static void
test_credentials_empty_token_is_none (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = pg_credentials_new ("AKID", "secret", "", NULL, &error);

  g_assert_no_error (error);
  g_assert_false (pg_credentials_is_temporary (credentials));
}

/* The signing key of the example in "Signature Calculations for the Authorization Header"
 * (S3 API reference): secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, 20130524, us-east-1, s3.
 * Derived twice, so the second comes from the cache, and once for another day. */
static void
test_credentials_signing_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = NULL;
  guint8 first[PG_SIGNING_KEY_LENGTH];
  guint8 second[PG_SIGNING_KEY_LENGTH];
  guint8 other_day[PG_SIGNING_KEY_LENGTH];
  g_autofree char *hex = NULL;
  GString *text = g_string_new (NULL);

  credentials = pg_credentials_new ("AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, NULL, &error);
  g_assert_no_error (error);

  pg_credentials_derive_signing_key (credentials, "20130524", "us-east-1", "s3", first);
  pg_credentials_derive_signing_key (credentials, "20130524", "us-east-1", "s3", second);
  g_assert_cmpmem (first, sizeof first, second, sizeof second);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *day = g_strdup_printf ("201305%02u", i + 10);

      pg_credentials_derive_signing_key (credentials, day, "us-east-1", "s3", other_day);
      g_assert_true (memcmp (first, other_day, sizeof first) != 0);
    }

  /* After the cache has turned over, the key is derived again and is still the same. */
  pg_credentials_derive_signing_key (credentials, "20130524", "us-east-1", "s3", second);
  g_assert_cmpmem (first, sizeof first, second, sizeof second);

  for (guint i = 0; i < sizeof first; i++)
    g_string_append_printf (text, "%02x", first[i]);
  hex = g_string_free (text, FALSE);
  g_assert_cmpstr (hex, ==, "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
}

static void
test_credentials_from_environment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) credentials = NULL;

  g_unsetenv ("PG_TEST_KEY");
  g_setenv ("PG_TEST_SECRET", "secret", TRUE);
  credentials = pg_credentials_new_from_environment ("PG_TEST_KEY", "PG_TEST_SECRET",
                                                     "PG_TEST_TOKEN", &error);
  g_assert_null (credentials);
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS);
  g_assert_nonnull (strstr (error->message, "PG_TEST_KEY"));
  g_clear_error (&error);

  g_setenv ("PG_TEST_KEY", "AKID", TRUE);
  g_setenv ("PG_TEST_TOKEN", "token", TRUE);
  credentials = pg_credentials_new_from_environment ("PG_TEST_KEY", "PG_TEST_SECRET",
                                                     "PG_TEST_TOKEN", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pg_credentials_get_session_token (credentials), ==, "token");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/credentials/valid", test_credentials_valid);
  g_test_add_func ("/pg/credentials/export", test_credentials_export);
  g_test_add_func ("/pg/credentials/rejects-bad-paste", test_credentials_rejects_bad_paste);
  g_test_add_func ("/pg/credentials/empty-token-is-none", test_credentials_empty_token_is_none);
  g_test_add_func ("/pg/credentials/signing-key", test_credentials_signing_key);
  g_test_add_func ("/pg/credentials/from-environment", test_credentials_from_environment);

  return g_test_run ();
}
