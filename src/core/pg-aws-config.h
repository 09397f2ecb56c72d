/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PgAwsProfile:
 * @name: the profile name, "default" for the default one
 * @access_key_id: (nullable): static or temporary access key id
 * @secret_access_key: (nullable): its secret; wiped when the profile is freed
 * @session_token: (nullable): for temporary credentials
 * @region: (nullable): the profile's region from the config file
 *
 * One profile of the AWS command line tool's files.
 */
typedef struct
{
  char *name;
  char *access_key_id;
  char *secret_access_key;
  char *session_token;
  char *region;
} PgAwsProfile;

void       pg_aws_profile_free  (PgAwsProfile  *profile);
GPtrArray *pg_aws_profiles_load (const char    *credentials_path,
                                 const char    *config_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgAwsProfile, pg_aws_profile_free)

G_END_DECLS
