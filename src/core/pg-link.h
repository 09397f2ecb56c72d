/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "pg-activity.h"
#include "pg-credentials.h"
#include "pg-endpoint.h"
#include "pg-enum-types.h"
#include "pg-link-types.h"
#include "pg-policy.h"
#include "pg-presign.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/* The longest "For" label of a link, in characters. */
#define PG_LINK_MAX_LABEL 120


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
const char  *pg_link_get_digest         (PgLink                  *self);
const char  *pg_link_get_label          (PgLink                  *self);
void         pg_link_set_label          (PgLink                  *self,
                                         const char              *label);
gboolean     pg_link_get_blocked        (PgLink                  *self);
void         pg_link_set_blocked        (PgLink                  *self,
                                         gboolean                 blocked);
const PgActivity *pg_link_get_activity  (PgLink                  *self);
gboolean     pg_link_set_activity       (PgLink                  *self,
                                         const PgActivity        *activity);
gboolean     pg_link_get_notify_use     (PgLink                  *self);
void         pg_link_set_notify_use     (PgLink                  *self,
                                         gboolean                 notify_use);
GPtrArray   *pg_link_get_received       (PgLink                  *self);
guint        pg_link_get_n_received     (PgLink                  *self);
guint        pg_link_get_n_uploads      (PgLink                  *self);
GStrv        pg_link_dup_upload_keys    (PgLink                  *self);
void         pg_link_set_received       (PgLink                  *self,
                                         GPtrArray               *files);
void         pg_link_set_digest         (PgLink                  *self,
                                         const char              *digest);
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
const char  *pg_link_get_file_key       (PgLink                  *self);
PgLinkPrecision pg_link_get_precision   (PgLink                  *self);
gboolean     pg_link_can_revoke_alone   (PgLink                  *self);
void         pg_link_set_arming         (PgLink                  *self,
                                         PgLinkArming             arming,
                                         gint64                   grace);
PgLinkArming pg_link_get_arming         (PgLink                  *self);
void         pg_link_set_uses           (PgLink                  *self,
                                         guint                    uses,
                                         guint64                  size);
guint        pg_link_get_uses           (PgLink                  *self);
guint64      pg_link_get_size           (PgLink                  *self);
guint        pg_link_get_downloads      (PgLink                  *self);
void         pg_link_set_downloads      (PgLink                  *self,
                                         guint                    downloads);
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
gboolean     pg_link_check_upload_target (PgEndpoint            *endpoint,
                                         const char            *key,
                                         GError               **error);
char        *pg_link_fresh_copy_key     (const char              *key,
                                         GDateTime               *now);
const char  *pg_link_key_basename       (const char              *key);

/* How exactly a new link can be revoked (pg-link-copy.c). */
PgLinkPrecision pg_link_precision_best (gboolean  has_signing_role,
                                        gboolean  federation,
                                        guint     lifetime,
                                        gint64    size,
                                        guint64   copy_limit);

/* The link rules in words (pg-link-words.c). */
char        *pg_format_time_left        (gint64                   seconds);
char        *pg_format_local_time       (gint64                   unix_time,
                                         gboolean                 with_zone);
const char  *pg_link_state_describe     (PgLinkState              state);
gboolean     pg_link_can_restore        (PgLink                  *link,
                                         gint64                   now);
gboolean     pg_link_is_usable          (PgLink                  *link,
                                         gint64                   now);
const char  *pg_link_describe_revoking  (PgLink                  *link);
char        *pg_link_describe_arming    (PgLink                  *link);
char        *pg_link_describe_user      (PgLink                  *link);
char        *pg_link_describe_use       (PgLink                  *link);
char        *pg_link_describe_activity  (PgLink                  *link);
char        *pg_activity_event_describe (const PgActivityEvent   *event);
char        *pg_activity_describe_dropped (const PgActivity      *activity);
gboolean     pg_link_is_first_download  (PgLink                  *link,
                                         const PgActivityEvent   *event);
char        *pg_link_describe_tried     (PgLink                  *link,
                                         const PgActivityEvent   *event);
char        *pg_link_describe_downloaded (PgLink                 *link,
                                         const PgActivityEvent   *event);
char        *pg_link_describe_closed_itself (PgLink              *link);
char        *pg_link_describe_received  (PgLink                  *link);
const char  *pg_link_describe_blocked   (PgLink                  *link,
                                         gint64                   now);
char        *pg_link_describe_arrival   (PgLink                  *link,
                                         guint                    n_new);

JsonNode    *_pg_link_to_json           (PgLink                  *self);
PgLink      *_pg_link_new_from_json     (JsonNode                *node);

G_END_DECLS
