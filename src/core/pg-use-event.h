/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The longest request of the ops log read. */
#define PG_OPS_LOG_MAX_REQUEST (64 * 1024)

/**
 * PgUseEvent:
 * @id: what tells this event from any other of its source (no event is handled twice)
 * @bucket: the bucket
 * @key: the object
 * @method: "GET", "PUT", …
 * @access_key_id: (nullable): the key the request was signed with
 * @signed_at: the request's X-Amz-Date of a presigned request (Unix time), 0 for any other
 * @presigned: whether it was signed in its query string (a link), not in its headers
 * @object_created: whether this is the news that @key came to exist (an upload arrived), not a
 *   request
 * @remote_addr: (nullable): where it came from
 * @time: when it was served (Unix time)
 * @status: the HTTP status it was answered with
 * @hint: told by a source that proves nothing by itself (a notification anyone could have
 *   posted): the watcher checks with S3 before it believes it
 * @digest: (nullable): the fingerprint of the link used (see pg_link_digest_of_signature()),
 *   where the source shows the request's signature (the ops log does; CloudTrail does not)
 * @bytes_sent: the bytes of the answer's body, where the source says (the ops log does)
 * @user_agent: (nullable): the client's User-Agent, where the source says (as the client sent
 *   it: untrusted text)
 * @error_code: (nullable): S3's error code of a refused request ("AccessDenied")
 * @recorded: the watcher added it to its link's activity already (it may still be kept for a
 *   link armed later)
 *
 * One request served by S3 that may be the use of a link, from whichever source saw it (the
 * Ceph RGW ops log, an SQS queue, polling).
 */
typedef struct
{
  char    *id;
  char    *bucket;
  char    *key;
  char    *method;
  char    *access_key_id;
  gint64   signed_at;
  gboolean presigned;
  gboolean object_created;
  char    *remote_addr;
  gint64   time;
  guint    status;
  gboolean hint;
  char    *digest;
  guint64  bytes_sent;
  char    *user_agent;
  char    *error_code;
  gboolean recorded;
} PgUseEvent;

#define PG_TYPE_USE_EVENT (pg_use_event_get_type ())

GType       pg_use_event_get_type       (void) G_GNUC_CONST;
PgUseEvent *pg_use_event_new            (void);
PgUseEvent *pg_use_event_copy           (const PgUseEvent *self);
void        pg_use_event_free           (PgUseEvent  *self);
PgUseEvent *pg_use_event_from_ops_log   (const char  *line,
                                         gsize        length,
                                         const char  *id);
GPtrArray  *pg_use_events_from_ops_log  (const char  *data,
                                         gsize        length,
                                         const char  *id_prefix,
                                         guint64      offset,
                                         gsize       *used);
PgUseEvent *pg_use_event_from_eventbridge (const char *json,
                                         const char  *id);
GPtrArray  *pg_use_events_from_s3_notification (const char *json,
                                                gsize       length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgUseEvent, pg_use_event_free)

G_END_DECLS
