/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pg-link-types.h"
#include "pg-presigned-url.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/* Where the records of a bucket's links live, in the bucket itself. */
#define PG_LINK_RECORD_PREFIX ".presign-guard/links/"
/* An index of the records by the links' fingerprints: each entry holds one link's id. */
#define PG_LINK_INDEX_PREFIX  ".presign-guard/index/"

/**
 * PgLinkRecord:
 * @id: the link's id
 * @bucket: its bucket
 * @key: its object
 * @action: "get" (download) or "put" (upload)
 * @precision: how exactly the link can be revoked: its session, its private copy, or its
 *   object (every link of its signer to the object)
 * @role_arn: (nullable): the signing role, for a session
 * @session_name: (nullable): the session's name, pg-<id>
 * @session_arn: (nullable): the session's principal, which a revocation denies
 * @copy_key: (nullable): the link's private copy, which the URL points at
 * @access_key_id: the key the link is signed with: a session's temporary key, or the signer's
 * @created: when it was made (Unix time)
 * @expires: when it stops working by itself (Unix time)
 * @creator: (nullable): who made it: the signer's principal, or the session's base identity
 * @arming: whether the link closes itself after its first use
 * @grace: for an armed download link, the seconds between its first use and its revocation
 * @used_at: when its first use was seen (Unix time), 0 before
 * @used_by: (nullable): from which address
 * @closed_at: when it was closed after that use, verified (Unix time), 0 before
 * @uses: for an armed download link, how many whole downloads it allows (its "use"; 1 for the
 *   first download of any kind, as links armed before limits were)
 * @size: for such a link of more than one use, the file's size when it was made, in bytes (0
 *   when unknown: each full download counts one)
 * @served: the bytes its downloads were sent so far (a partial one counts in part)
 * @downloads: the whole downloads so far: @served over @size
 * @digest: (nullable): the link's fingerprint, a hash of its signature (see
 *   pg_link_digest_of_signature()): what tells a request of this very link from a forged
 *   one, and names its index entry
 *
 * What any workstation (and the command line) needs to know about a link to revoke exactly it:
 * metadata only, never a secret or a signature. Stored as
 * `.presign-guard/links/<id>.json`, written with the managing key.
 */
typedef struct
{
  char   *id;
  char   *bucket;
  char   *key;
  char   *action;
  PgLinkPrecision precision;
  char   *role_arn;
  char   *session_name;
  char   *session_arn;
  char   *copy_key;
  char   *access_key_id;
  gint64  created;
  gint64  expires;
  char   *creator;
  PgLinkArming arming;
  gint64  grace;
  gint64  used_at;
  char   *used_by;
  gint64  closed_at;
  char   *digest;
  guint   uses;
  guint64 size;
  guint64 served;
  guint   downloads;
} PgLinkRecord;

typedef struct _PgLink PgLink;

#define PG_TYPE_LINK_RECORD (pg_link_record_get_type ())

GType         pg_link_record_get_type     (void) G_GNUC_CONST;
PgLinkRecord *pg_link_record_new          (void);
PgLinkRecord *pg_link_record_copy         (const PgLinkRecord   *self);
PgLinkRecord *pg_link_record_new_for_link (PgLink               *link);
void          pg_link_record_free         (PgLinkRecord         *self);
gboolean      pg_link_id_is_valid         (const char           *id);
char         *pg_link_record_object_key   (const char           *id);
char         *pg_link_record_index_key    (const char           *digest);
char         *pg_link_record_to_json      (const PgLinkRecord   *self);
JsonObject   *pg_json_document            (JsonParser           *parser,
                                           GBytes               *json,
                                           const char           *format);
PgLinkRecord *pg_link_record_parse        (GBytes               *json,
                                           GError              **error);
void          pg_link_record_save_async   (const PgLinkRecord   *self,
                                           PgS3Client           *manager,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean      pg_link_record_save_finish  (GAsyncResult         *result,
                                           GError              **error);
void          pg_link_record_list_async   (PgS3Client           *manager,
                                           const char           *bucket,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray    *pg_link_record_list_finish  (GAsyncResult         *result,
                                           GError              **error);
void          pg_link_record_load_async   (PgS3Client           *manager,
                                           const char           *bucket,
                                           const char           *id,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PgLinkRecord *pg_link_record_load_finish  (GAsyncResult         *result,
                                           GError              **error);
PgLinkRecord *pg_link_record_find         (GPtrArray            *records,
                                           PgPresignedUrl       *link);
void          pg_link_record_lookup_async (PgS3Client           *manager,
                                           const char           *url,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean      pg_link_record_lookup_finish (GAsyncResult        *result,
                                           PgLinkRecord        **record,
                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgLinkRecord, pg_link_record_free)

G_END_DECLS
