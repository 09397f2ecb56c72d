/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-aws-config"

#include "config.h"

#include <glib/gstdio.h>

#include "pg-aws-config.h"

static char *
write_temp (const char *name,
            const char *contents)
{
  g_autofree char *dir = g_dir_make_tmp ("test-aws-config-XXXXXX", NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));

  return path;
}

static void
test_aws_config_profiles (void)
{
  g_autofree char *credentials = write_temp ("credentials",
    "# made by aws configure\n"
    "[default]\n"
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    "\n"
    "[temp]\n"
    "aws_access_key_id=ASIAEXAMPLE\n"
    "aws_secret_access_key=secret+/=\n"
    "aws_session_token = FQoGZXIvYXdzEXAMPLE==\n"
    "; a profile without keys is not offered\n"
    "[sso-only]\n"
    "sso_start_url = https://example.awsapps.com/start\n");
  g_autofree char *config = write_temp ("config",
    "[default]\n"
    "region = ap-northeast-1\n"
    "s3 =\n"
    "  max_concurrent_requests = 20\n"
    "[profile temp]\n"
    "region=eu-west-1\n"
    "[profile config-keys]\n"
    "aws_access_key_id = AKIACONFIG\n"
    "aws_secret_access_key = in-config\n"
    "[temp]\n"
    "region = us-west-2\n");
  g_autoptr(GPtrArray) profiles = pg_aws_profiles_load (credentials, config);
  PgAwsProfile *profile;

  g_assert_cmpuint (profiles->len, ==, 3);

  profile = g_ptr_array_index (profiles, 0);
  g_assert_cmpstr (profile->name, ==, "default");
  g_assert_cmpstr (profile->access_key_id, ==, "AKIAIOSFODNN7EXAMPLE");
  g_assert_cmpstr (profile->secret_access_key, ==, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  g_assert_null (profile->session_token);
  g_assert_cmpstr (profile->region, ==, "ap-northeast-1");

  profile = g_ptr_array_index (profiles, 1);
  g_assert_cmpstr (profile->name, ==, "temp");
  g_assert_cmpstr (profile->secret_access_key, ==, "secret+/=");
  g_assert_cmpstr (profile->session_token, ==, "FQoGZXIvYXdzEXAMPLE==");
  /* "[temp]" in the config file is not a profile there: only "[profile temp]" is. */
  g_assert_cmpstr (profile->region, ==, "eu-west-1");

  profile = g_ptr_array_index (profiles, 2);
  g_assert_cmpstr (profile->name, ==, "config-keys");
  g_assert_cmpstr (profile->access_key_id, ==, "AKIACONFIG");
}

static void
test_aws_config_missing (void)
{
  g_autoptr(GPtrArray) none = pg_aws_profiles_load ("/nonexistent/credentials", NULL);

  g_assert_cmpuint (none->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/aws-config/profiles", test_aws_config_profiles);
  g_test_add_func ("/pg/aws-config/missing", test_aws_config_missing);

  return g_test_run ();
}
