/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "pg-credentials.h"
#include "pg-endpoint.h"
#include "pg-policy.h"
#include "pg-presign.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/**
 * PgLinkState:
 * @PG_LINK_ACTIVE: valid and not revoked
 * @PG_LINK_USED: an upload link whose file has arrived
 * @PG_LINK_REVOKING: a revocation is under way
 * @PG_LINK_REVOKED: revoked, and proven to be refused
 * @PG_LINK_REVOKE_UNVERIFIED: revoked in the policy, but not (yet) proven
 * @PG_LINK_EXPIRED: past its lifetime
 * @PG_LINK_DEAD_ON_ARRIVAL: made for an object that is currently revoked
 */
typedef enum {
  PG_LINK_ACTIVE,
  PG_LINK_USED,
  PG_LINK_REVOKING,
  PG_LINK_REVOKED,
  PG_LINK_REVOKE_UNVERIFIED,
  PG_LINK_EXPIRED,
  PG_LINK_DEAD_ON_ARRIVAL,
} PgLinkState;

#define PG_TYPE_LINK (pg_link_get_type ())

G_DECLARE_FINAL_TYPE (PgLink, pg_link, PG, LINK, GObject)

PgLink      *pg_link_new                (const char              *account_id,
                                         const PgPresignOptions  *options,
                                         const char              *access_key_id);
PgLink      *pg_link_new_upload_page    (const char              *account_id,
                                         const PgPresignOptions  *options,
                                         const char              *access_key_id,
                                         const char * const      *upload_keys);
const char  *pg_link_get_id             (PgLink                  *self);
const char  *pg_link_get_account_id     (PgLink                  *self);
const char  *pg_link_get_bucket         (PgLink                  *self);
const char  *pg_link_get_key            (PgLink                  *self);
PgMethod     pg_link_get_method         (PgLink                  *self);
gint64       pg_link_get_signed_at      (PgLink                  *self);
guint        pg_link_get_expires        (PgLink                  *self);
gint64       pg_link_get_expires_at     (PgLink                  *self);
const char  *pg_link_get_access_key_id  (PgLink                  *self);
gboolean     pg_link_get_if_none_match  (PgLink                  *self);
const char  *pg_link_get_filename       (PgLink                  *self);
const char  *pg_link_get_content_type   (PgLink                  *self);
PgLinkState  pg_link_get_state          (PgLink                  *self);
PgLinkState  pg_link_get_state_at       (PgLink                  *self,
                                         gint64                   now);
void         pg_link_set_state          (PgLink                  *self,
                                         PgLinkState              state);
char        *pg_link_derive_url         (PgLink                  *self,
                                         PgEndpoint              *endpoint,
                                         PgCredentials           *signer,
                                         GError                 **error);
GStrv        pg_link_derive_upload_urls (PgLink                  *self,
                                         PgEndpoint              *endpoint,
                                         PgCredentials           *signer,
                                         GError                 **error);
gboolean     pg_link_is_upload          (PgLink                  *self);
const char  *pg_link_get_page_key       (PgLink                  *self);
const char * const *pg_link_get_upload_keys (PgLink              *self);
GArray      *pg_link_get_targets        (PgLink                  *self);
const char  *pg_link_get_signer_arn     (PgLink                  *self);
PgLink      *pg_link_new_for_session    (const char              *account_id,
                                         const char              *id,
                                         const PgPresignOptions  *options,
                                         const char              *role_arn,
                                         const char              *session_name,
                                         PgAssumedRole           *session);
const char  *pg_link_get_session_name   (PgLink                  *self);
PgLink      *pg_link_new_for_copy       (const char              *account_id,
                                         const char              *id,
                                         const PgPresignOptions  *options,
                                         const char              *access_key_id,
                                         const char              *copy_of);
const char  *pg_link_get_copy_of        (PgLink                  *self);
const char  *pg_link_get_shared_key     (PgLink                  *self);
gboolean     pg_link_is_revoked_alone   (PgLink                  *self);
void         pg_link_set_armed          (PgLink                  *self,
                                         const char              *armed,
                                         gint64                   grace);
const char  *pg_link_get_armed          (PgLink                  *self);
gint64       pg_link_get_grace          (PgLink                  *self);
void         pg_link_set_use            (PgLink                  *self,
                                         gint64                   used_at,
                                         const char              *used_by,
                                         gint64                   closed_at);
gint64       pg_link_get_used_at        (PgLink                  *self);
const char  *pg_link_get_used_by        (PgLink                  *self);
gint64       pg_link_get_closed_at      (PgLink                  *self);
const char  *pg_link_get_role_arn       (PgLink                  *self);
void         pg_link_set_signer_arn     (PgLink                  *self,
                                         const char              *signer_arn);
gboolean     pg_link_shares_fate        (PgLink                  *self,
                                         PgLink                  *other);
gboolean     pg_link_matches            (PgLink                  *self,
                                         const char              *bucket,
                                         const char              *key,
                                         gboolean                 upload,
                                         const char              *access_key_id,
                                         const char              *signer_arn);
char        *pg_link_partner_instructions (PgLink                *self,
                                         const char              *url);

char        *pg_link_make_upload_key    (const char              *folder,
                                         const char              *pattern,
                                         const char              *name,
                                         GDateTime               *now);
GStrv        pg_link_make_upload_page_keys (const char         *folder,
                                         guint                    n_files,
                                         GDateTime               *now);
char        *pg_link_fresh_copy_key     (const char              *key,
                                         GDateTime               *now);
const char  *pg_link_key_basename       (const char              *key);

JsonNode    *_pg_link_to_json           (PgLink                  *self);
PgLink      *_pg_link_new_from_json     (JsonNode                *node);

G_END_DECLS
