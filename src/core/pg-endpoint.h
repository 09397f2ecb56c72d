/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PG_TYPE_ENDPOINT (pg_endpoint_get_type ())

typedef struct _PgEndpoint PgEndpoint;

/**
 * PgLocation:
 * @scheme: "https" or "http"
 * @host: the Host header: a name or address, with ":port" when not the scheme's default
 * @path: the decoded request path, "/key" (virtual-hosted) or "/bucket/key" (path-style)
 *
 * Where a bucket (and an object in it) is reached.
 */
typedef struct
{
  char *scheme;
  char *host;
  char *path;
} PgLocation;

GType       pg_endpoint_get_type        (void) G_GNUC_CONST;
PgEndpoint *pg_endpoint_new             (const char   *url,
                                         const char   *region,
                                         gboolean      path_style,
                                         GError      **error);
PgEndpoint *pg_endpoint_ref             (PgEndpoint   *self);
void        pg_endpoint_unref           (PgEndpoint   *self);
gboolean    pg_endpoint_is_aws          (PgEndpoint   *self);
const char *pg_endpoint_service_region  (PgEndpoint   *self,
                                         const char   *service);
const char *pg_endpoint_get_region      (PgEndpoint   *self);
gboolean    pg_endpoint_locate          (PgEndpoint   *self,
                                         const char   *bucket,
                                         const char   *key,
                                         PgLocation   *location,
                                         GError      **error);
gboolean    pg_endpoint_locate_service  (PgEndpoint   *self,
                                         const char   *service,
                                         PgLocation   *location);
const char *pg_endpoint_get_partition   (PgEndpoint   *self);
void        pg_location_clear           (PgLocation   *location);

gboolean    pg_bucket_name_is_valid     (const char   *bucket);
gboolean    pg_bucket_name_is_dns_safe  (const char   *bucket);
gboolean    pg_object_key_is_valid      (const char   *key,
                                         GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgEndpoint, pg_endpoint_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PgLocation, pg_location_clear)

G_END_DECLS
