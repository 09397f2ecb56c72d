/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-aws-config"

#include "config.h"

#include <string.h>

#include "pg-aws-config.h"

/* Reads the AWS command line tool's ~/.aws/credentials and ~/.aws/config: INI files of
 * "[name]" (credentials) or "[profile name]" / "[default]" (config) sections with
 * "key = value" lines. Comments start with "#" or ";"; indented lines belong to nested settings
 * (such as "s3 =") and are skipped. Only static keys, session tokens and regions are taken:
 * profiles that run programs or single sign-on are not followed. */

void
pg_aws_profile_free (PgAwsProfile *profile)
{
  if (profile == NULL)
    return;

  g_free (profile->name);
  g_free (profile->access_key_id);
  if (profile->secret_access_key != NULL)
    explicit_bzero (profile->secret_access_key, strlen (profile->secret_access_key));
  g_free (profile->secret_access_key);
  if (profile->session_token != NULL)
    explicit_bzero (profile->session_token, strlen (profile->session_token));
  g_free (profile->session_token);
  g_free (profile->region);
  g_free (profile);
}

static PgAwsProfile *
profile_for (GPtrArray  *profiles,
             const char *name)
{
  PgAwsProfile *profile;

  for (guint i = 0; i < profiles->len; i++)
    {
      profile = g_ptr_array_index (profiles, i);
      if (g_str_equal (profile->name, name))
        return profile;
    }

  profile = g_new0 (PgAwsProfile, 1);
  profile->name = g_strdup (name);
  g_ptr_array_add (profiles, profile);

  return profile;
}

static void
set_field (char       **field,
           const char  *value)
{
  g_free (*field);
  *field = *value ? g_strdup (value) : NULL;
}

static void
parse_file (GPtrArray  *profiles,
            const char *path,
            gboolean    config)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  PgAwsProfile *current = NULL;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      char *eq;
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (*line == ' ' || *line == '\t')
        continue;

      g_strstrip (line);
      if (*line == '\0' || *line == '#' || *line == ';')
        continue;

      if (*line == '[')
        {
          g_autofree char *name = g_strndup (line + 1, strcspn (line + 1, "]"));

          g_strstrip (name);
          /* In the config file every profile but the default one is "[profile name]". */
          if (config && g_str_has_prefix (name, "profile "))
            current = profile_for (profiles, g_strstrip (name + strlen ("profile ")));
          else if (!config || g_str_equal (name, "default"))
            current = profile_for (profiles, name);
          else
            current = NULL;
          continue;
        }

      eq = strchr (line, '=');
      if (current == NULL || eq == NULL)
        continue;

      key = g_strstrip (g_strndup (line, eq - line));
      value = g_strstrip (g_strdup (eq + 1));

      if (g_str_equal (key, "aws_access_key_id"))
        set_field (&current->access_key_id, value);
      else if (g_str_equal (key, "aws_secret_access_key"))
        set_field (&current->secret_access_key, value);
      else if (g_str_equal (key, "aws_session_token"))
        set_field (&current->session_token, value);
      else if (g_str_equal (key, "region"))
        set_field (&current->region, value);

      if (value != NULL)
        explicit_bzero (value, strlen (value));
    }

  explicit_bzero (contents, strlen (contents));
}

/**
 * pg_aws_profiles_load:
 * @credentials_path: (nullable): usually ~/.aws/credentials
 * @config_path: (nullable): usually ~/.aws/config
 *
 * Returns: (transfer full): the profiles that have keys, in the order first seen; missing or
 *   unreadable files give none.
 */
GPtrArray *
pg_aws_profiles_load (const char *credentials_path,
                      const char *config_path)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_aws_profile_free);
  GPtrArray *usable = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_aws_profile_free);

  parse_file (all, credentials_path, FALSE);
  parse_file (all, config_path, TRUE);

  for (guint i = 0; i < all->len; i++)
    {
      PgAwsProfile *profile = g_ptr_array_index (all, i);

      if (profile->access_key_id != NULL && profile->secret_access_key != NULL)
        g_ptr_array_add (usable, g_ptr_array_steal_index (all, i--));
    }

  return usable;
}
