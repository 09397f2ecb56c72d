/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The words of the link model, shared by the link, its record in the bucket and the service.
 * Each is a registered enum type (pg-enum-types.h, made by gnome.mkenums_simple), so that
 * properties and signals carry them typed. */

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

/* A download link closes this long after its first use unless it says otherwise: a large or
 * resumed download can finish. */
#define PG_LINK_DEFAULT_GRACE 120
/* The most whole downloads an armed link may allow before it closes. */
#define PG_LINK_MAX_USES 100

/**
 * PgLinkArming:
 * @PG_LINK_ARMING_NONE: the link stays open until it expires or is revoked
 * @PG_LINK_ARMING_DOWNLOAD: closed a grace period after its first download
 * @PG_LINK_ARMING_UPLOAD: closed once its file has arrived
 *
 * Whether a link closes itself after its first use, as a watcher sees it.
 */
typedef enum {
  PG_LINK_ARMING_NONE,
  PG_LINK_ARMING_DOWNLOAD,
  PG_LINK_ARMING_UPLOAD,
} PgLinkArming;

/**
 * PgLinkPrecision:
 * @PG_LINK_PRECISION_OBJECT: revoking closes every link of the signer to the file
 * @PG_LINK_PRECISION_SESSION: signed in a session of its own: only this link can be revoked
 * @PG_LINK_PRECISION_COPY: points at a private copy: only this link can be revoked
 */
typedef enum {
  PG_LINK_PRECISION_OBJECT,
  PG_LINK_PRECISION_SESSION,
  PG_LINK_PRECISION_COPY,
} PgLinkPrecision;

const char *pg_link_arming_to_string      (PgLinkArming     arming);
PgLinkArming pg_link_arming_from_string   (const char      *text);
const char *pg_link_precision_to_string   (PgLinkPrecision  precision);
gboolean    pg_link_precision_from_string (const char      *text,
                                           PgLinkPrecision *precision);

G_END_DECLS
