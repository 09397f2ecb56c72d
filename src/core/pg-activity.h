/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-use-event.h"

G_BEGIN_DECLS

/* The most events a link's activity keeps: the oldest go first, counted. */
#define PG_ACTIVITY_MAX_EVENTS 1000
/* Where the bucket keeps each link's activity: PG_ACTIVITY_PREFIX LINK-ID ".json". */
#define PG_ACTIVITY_PREFIX ".presign-guard/activity/"
/* The User-Agent of our own tries of a link (a revocation's proof): never a download. */
#define PG_ACTIVITY_CHECK_AGENT "presign-guard (link check)"
/* The largest activity read back from the bucket, in bytes. */
#define PG_ACTIVITY_MAX_SIZE (1024 * 1024)

/**
 * PgActivityKind:
 * @PG_ACTIVITY_DOWNLOAD: a download served (whole or in part)
 * @PG_ACTIVITY_UPLOAD: an upload stored
 * @PG_ACTIVITY_REFUSED: a request refused (after revocation, under a lockdown, expired)
 * @PG_ACTIVITY_OTHER: any other request of the link (HEAD, a GET answered "not modified")
 * @PG_ACTIVITY_CHECK: Presign Guard itself tried the link, to prove it revoked (answered
 *   "refused" or "not modified", never a download)
 *
 * What a request made with a link came to.
 */
typedef enum {
  PG_ACTIVITY_DOWNLOAD,
  PG_ACTIVITY_UPLOAD,
  PG_ACTIVITY_REFUSED,
  PG_ACTIVITY_OTHER,
  PG_ACTIVITY_CHECK,
} PgActivityKind;

/**
 * PgActivityFormat:
 * @PG_ACTIVITY_TSV: tab-separated, one event a line
 * @PG_ACTIVITY_CSV: comma-separated (RFC 4180), with a header line
 */
typedef enum {
  PG_ACTIVITY_TSV,
  PG_ACTIVITY_CSV,
} PgActivityFormat;

/**
 * PgActivityEvent:
 * @id: the source's name for the request (an event is never kept twice)
 * @time: when it was served (Unix time)
 * @kind: what it came to
 * @status: the HTTP status it was answered with
 * @error_code: (nullable): S3's error code of a refused request
 * @remote_addr: (nullable): where it came from
 * @bytes: the bytes sent (a download) or received (an upload), where the source says
 * @user_agent: (nullable): the client's User-Agent, as it sent it
 *
 * One request made with a link. No signature, no key: what a colleague may read.
 */
typedef struct
{
  char           *id;
  gint64          time;
  PgActivityKind  kind;
  guint           status;
  char           *error_code;
  char           *remote_addr;
  guint64         bytes;
  char           *user_agent;
} PgActivityEvent;

/**
 * PgActivity:
 * @events: (element-type PgActivityEvent): oldest first, at most %PG_ACTIVITY_MAX_EVENTS
 * @dropped: how many older events were let go to keep within that
 *
 * What happened to one link.
 */
typedef struct
{
  GPtrArray *events;
  guint64    dropped;
} PgActivity;

#define PG_TYPE_ACTIVITY_EVENT (pg_activity_event_get_type ())
#define PG_TYPE_ACTIVITY (pg_activity_get_type ())

GType            pg_activity_event_get_type    (void) G_GNUC_CONST;
PgActivityEvent *pg_activity_event_new_for_use (const PgUseEvent      *use);
PgActivityEvent *pg_activity_event_copy        (const PgActivityEvent *self);
void             pg_activity_event_free        (PgActivityEvent       *self);
const char      *pg_activity_kind_to_string    (PgActivityKind         kind);
char            *pg_activity_event_format      (const PgActivityEvent *self,
                                                PgActivityFormat       format);
const char      *pg_activity_format_header     (PgActivityFormat       format);

GType            pg_activity_get_type          (void) G_GNUC_CONST;
PgActivity      *pg_activity_new               (void);
PgActivity      *pg_activity_copy              (const PgActivity      *self);
void             pg_activity_free              (PgActivity            *self);
gboolean         pg_activity_add               (PgActivity            *self,
                                                const PgActivityEvent *event);
guint            pg_activity_merge             (PgActivity            *self,
                                                const PgActivity      *other);
guint            pg_activity_count             (const PgActivity      *self,
                                                PgActivityKind         kind);
char            *pg_activity_to_text           (const PgActivity      *self,
                                                PgActivityFormat       format);
GBytes          *pg_activity_to_bytes          (const PgActivity      *self);
PgActivity      *pg_activity_new_from_bytes    (GBytes                *bytes,
                                                GError               **error);
char            *pg_activity_key               (const char            *link_id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgActivityEvent, pg_activity_event_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgActivity, pg_activity_free)

G_END_DECLS
