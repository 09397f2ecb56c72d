/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-record"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link.h"
#include "pg-link-record.h"
#include "pg-s3-client.h"

/* A link's record in its bucket, and the list of them. A record is small; anything much larger
 * under the prefix is not one of ours and is skipped. */

#define MAX_RECORD_BYTES (16 * 1024)
/* An index entry holds a link id (at most 64 bytes); the answer may be S3's error document. */
#define PG_LINK_INDEX_MAX_BYTES 4096

G_DEFINE_BOXED_TYPE (PgLinkRecord, pg_link_record, pg_link_record_copy, pg_link_record_free)

PgLinkRecord *
pg_link_record_new (void)
{
  PgLinkRecord *self = g_new0 (PgLinkRecord, 1);

  self->uses = 1;

  return self;
}

/* Returns: (transfer full): a copy of @self, that lives on its own */
PgLinkRecord *
pg_link_record_copy (const PgLinkRecord *self)
{
  PgLinkRecord *copy = g_memdup2 (self, sizeof *self);

#define COPY(field) copy->field = g_strdup (self->field);
  COPY (id) COPY (bucket) COPY (key) COPY (action) COPY (role_arn) COPY (session_name)
  COPY (session_arn) COPY (copy_key) COPY (access_key_id) COPY (creator) COPY (used_by)
  COPY (digest)
#undef COPY

  return copy;
}

void
pg_link_record_free (PgLinkRecord *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->bucket);
  g_free (self->key);
  g_free (self->action);
  g_free (self->role_arn);
  g_free (self->session_name);
  g_free (self->session_arn);
  g_free (self->copy_key);
  g_free (self->access_key_id);
  g_free (self->creator);
  g_free (self->used_by);
  g_free (self->digest);
  g_free (self);
}

/**
 * pg_link_record_new_for_link:
 *
 * The record of a link as the app knows it: metadata only — its precision (its session, its
 * private copy, or its file), and whether it closes after its first use.
 */
PgLinkRecord *
pg_link_record_new_for_link (PgLink *link)
{
  PgLinkRecord *self = pg_link_record_new ();

  self->id = g_strdup (pg_link_get_id (link));
  self->bucket = g_strdup (pg_link_get_bucket (link));
  self->key = g_strdup (pg_link_get_page_key (link) ? pg_link_get_page_key (link)
                                                    : pg_link_get_file_key (link));
  self->action = g_strdup (pg_link_is_upload (link) && pg_link_get_page_key (link) == NULL
                           ? "put" : "get");
  self->access_key_id = g_strdup (pg_link_get_access_key_id (link));
  self->creator = g_strdup (pg_link_get_signer_arn (link) ? pg_link_get_signer_arn (link)
                                                          : pg_link_get_access_key_id (link));
  self->created = pg_link_get_signed_at (link);
  self->expires = pg_link_get_expires_at (link);
  self->arming = pg_link_get_arming (link);
  self->grace = pg_link_get_grace (link);
  self->uses = pg_link_get_uses (link);
  self->size = pg_link_get_size (link);
  self->downloads = pg_link_get_downloads (link);
  self->precision = pg_link_get_precision (link);
  self->digest = g_strdup (pg_link_get_digest (link));

  if (self->precision == PG_LINK_PRECISION_SESSION)
    {
      self->session_name = g_strdup (pg_link_get_session_name (link));
      self->session_arn = g_strdup (pg_link_get_signer_arn (link));
      self->role_arn = g_strdup (pg_link_get_role_arn (link));
    }
  else if (self->precision == PG_LINK_PRECISION_COPY)
    {
      self->copy_key = g_strdup (pg_link_get_key (link));
    }

  return self;
}

/**
 * pg_link_id_is_valid:
 *
 * Whether @id can be a link's id: what names its record, its private copy's folder and its
 * page, so nothing that could reach outside them (a slash, a dot, a wildcard).
 */
gboolean
pg_link_id_is_valid (const char *id)
{
  gsize length = id != NULL ? strlen (id) : 0;

  if (length == 0 || length > 64)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_')
      return FALSE;

  return TRUE;
}

/* The object a record is stored as. */
char *
pg_link_record_object_key (const char *id)
{
  return g_strconcat (PG_LINK_RECORD_PREFIX, id, ".json", NULL);
}

/* The index entry that names the link whose fingerprint is @digest (a valid one). */
char *
pg_link_record_index_key (const char *digest)
{
  g_return_val_if_fail (pg_link_digest_is_valid (digest), NULL);

  return g_strconcat (PG_LINK_INDEX_PREFIX, digest, NULL);
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  return time != NULL ? g_date_time_format_iso8601 (time) : g_strdup ("");
}

static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) : 0;
}

/* The fields a record has, in the order they are written. */
#define FIELDS(X) \
  X (id) X (bucket) X (key) X (action) X (role_arn) X (session_name) \
  X (session_arn) X (copy_key) X (access_key_id) X (creator) X (used_by) X (digest)

char *
pg_link_record_to_json (const PgLinkRecord *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *created = format_time (self->created);
  g_autofree char *expires = format_time (self->expires);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, "presign-guard link 1");
#define ADD(field) \
  if (self->field != NULL) \
    { \
      json_builder_set_member_name (builder, #field); \
      json_builder_add_string_value (builder, self->field); \
    }
  FIELDS (ADD)
#undef ADD
  json_builder_set_member_name (builder, "precision");
  json_builder_add_string_value (builder, pg_link_precision_to_string (self->precision));
  if (self->arming != PG_LINK_ARMING_NONE)
    {
      json_builder_set_member_name (builder, "armed");
      json_builder_add_string_value (builder, pg_link_arming_to_string (self->arming));
    }
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "expires");
  json_builder_add_string_value (builder, expires);
  if (self->arming != PG_LINK_ARMING_NONE)
    {
      json_builder_set_member_name (builder, "grace");
      json_builder_add_int_value (builder, self->grace);
    }
  if (self->used_at != 0)
    {
      g_autofree char *used_at = format_time (self->used_at);

      json_builder_set_member_name (builder, "used_at");
      json_builder_add_string_value (builder, used_at);
    }
  if (self->closed_at != 0)
    {
      g_autofree char *closed_at = format_time (self->closed_at);

      json_builder_set_member_name (builder, "closed_at");
      json_builder_add_string_value (builder, closed_at);
    }
  if (self->uses > 1)
    {
      json_builder_set_member_name (builder, "uses");
      json_builder_add_int_value (builder, self->uses);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) MIN (self->size, G_MAXINT64));
      json_builder_set_member_name (builder, "served");
      json_builder_add_int_value (builder, (gint64) MIN (self->served, G_MAXINT64));
      json_builder_set_member_name (builder, "downloads");
      json_builder_add_int_value (builder, self->downloads);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);

  return json_generator_to_data (generator, NULL);
}

/**
 * pg_json_document:
 * @parser: the parser the object is kept by
 * @json: a document of ours stored in a bucket (anybody with write access could have put
 *   anything there)
 * @format: what its "format" member must say
 *
 * Returns: (nullable) (transfer none): the document's object, or %NULL when it is not one
 */
JsonObject *
pg_json_document (JsonParser *parser,
                  GBytes     *json,
                  const char *format)
{
  gsize length;
  const char *data = g_bytes_get_data (json, &length);
  JsonObject *object;

  if (length == 0 || !json_parser_load_from_data (parser, data, (gssize) length, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  object = json_node_get_object (json_parser_get_root (parser));

  return g_strcmp0 (json_object_get_string_member_with_default (object, "format", NULL),
                    format) == 0 ? object : NULL;
}

PgLinkRecord *
pg_link_record_parse (GBytes  *json,
                      GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PgLinkRecord) self = NULL;
  JsonObject *object = pg_json_document (parser, json, "presign-guard link 1");

  if (object == NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                           _("This is not the record of a link."));
      return NULL;
    }

  self = pg_link_record_new ();
#define GET(field) \
  self->field = g_strdup (json_object_get_string_member_with_default (object, #field, NULL));
  FIELDS (GET)
#undef GET
  self->created = parse_time (json_object_get_string_member_with_default (object, "created",
                                                                          NULL));
  self->expires = parse_time (json_object_get_string_member_with_default (object, "expires",
                                                                          NULL));
  self->grace = json_object_get_int_member_with_default (object, "grace", 0);
  self->used_at = parse_time (json_object_get_string_member_with_default (object, "used_at",
                                                                          NULL));
  self->closed_at = parse_time (json_object_get_string_member_with_default (object, "closed_at",
                                                                            NULL));
  /* Anybody's text: a limit out of range is none (one use). */
  self->uses = (guint) CLAMP (json_object_get_int_member_with_default (object, "uses", 1), 1,
                              PG_LINK_MAX_USES);
  self->size = (guint64) MAX (json_object_get_int_member_with_default (object, "size", 0), 0);
  self->served = (guint64) MAX (json_object_get_int_member_with_default (object, "served", 0), 0);
  self->downloads = (guint) CLAMP (json_object_get_int_member_with_default (object, "downloads",
                                                                            0), 0, G_MAXINT);
  self->arming = pg_link_arming_from_string (
                   json_object_get_string_member_with_default (object, "armed", NULL));
  if (self->digest != NULL && !pg_link_digest_is_valid (self->digest))
    g_clear_pointer (&self->digest, g_free);
  if (self->id == NULL || self->bucket == NULL || self->key == NULL
      || self->access_key_id == NULL
      || !pg_link_precision_from_string (
            json_object_get_string_member_with_default (object, "precision", NULL),
            &self->precision))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                           _("The record of a link lacks what it must say."));
      return NULL;
    }

  return g_steal_pointer (&self);
}

/* ---- In the bucket ---------------------------------------------------------------------- */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const PgLinkRecord *self = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *index_key = NULL;
  GCancellable *cancellable;
  GBytes *id;

  if (!pg_s3_client_put_bytes_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Then its index entry, which finds the record from the link alone. */
  if (self->digest == NULL || g_object_get_data (G_OBJECT (task), "indexing") != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_object_set_data (G_OBJECT (task), "indexing", GINT_TO_POINTER (TRUE));
  index_key = pg_link_record_index_key (self->digest);
  id = g_bytes_new (self->id, strlen (self->id));
  cancellable = g_task_get_cancellable (task);
  pg_s3_client_put_bytes_async (PG_S3_CLIENT (source), self->bucket, index_key, id,
                                "text/plain", PG_S3_PUT_NONE, cancellable, saved_cb,
                                g_steal_pointer (&task));
  g_bytes_unref (id);
}

/**
 * pg_link_record_save_async:
 * @manager: a client with the managing key
 *
 * Writes the record into the link's bucket, and its index entry when it has a fingerprint.
 */
void
pg_link_record_save_async (const PgLinkRecord  *self,
                           PgS3Client          *manager,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  char *json = pg_link_record_to_json (self);
  g_autofree char *key = pg_link_record_object_key (self->id);
  g_autoptr(GBytes) body = g_bytes_new_take (json, strlen (json));

  g_task_set_source_tag (task, pg_link_record_save_async);
  g_task_set_task_data (task, pg_link_record_copy (self), (GDestroyNotify) pg_link_record_free);
  pg_s3_client_put_bytes_async (manager, self->bucket, key, body, "application/json",
                                PG_S3_PUT_NONE, cancellable, saved_cb, task);
}

gboolean
pg_link_record_save_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  PgS3Client *manager;
  char       *bucket;
  GPtrArray  *keys;      /* of the records still to read */
  GPtrArray  *records;
} Listing;

static void
listing_free (Listing *listing)
{
  g_object_unref (listing->manager);
  g_free (listing->bucket);
  g_ptr_array_unref (listing->keys);
  g_ptr_array_unref (listing->records);
  g_free (listing);
}

static void read_next (GTask *task);

static void
record_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Listing *listing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result, &error);
  PgLinkRecord *record;

  /* A record deleted meanwhile, or something else under the prefix, is left out. */
  if (json == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  if (json != NULL && (record = pg_link_record_parse (json, NULL)) != NULL)
    g_ptr_array_add (listing->records, record);

  read_next (task);
}

static void
read_next (GTask *task)
{
  Listing *listing = g_task_get_task_data (task);
  g_autofree char *key = NULL;

  if (listing->keys->len == 0)
    {
      g_task_return_pointer (task, g_ptr_array_ref (listing->records),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  key = g_ptr_array_steal_index (listing->keys, 0);
  pg_s3_client_get_object_async (listing->manager, listing->bucket, key, MAX_RECORD_BYTES,
                                 g_task_get_cancellable (task), record_read_cb, task);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Listing *listing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  PgS3Listing *objects = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source), result, &error);

  if (objects == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  for (guint i = 0; i < objects->objects->len; i++)
    {
      PgS3Object *object = g_ptr_array_index (objects->objects, i);

      if (g_str_has_suffix (object->key, ".json") && object->size <= MAX_RECORD_BYTES)
        g_ptr_array_add (listing->keys, g_strdup (object->key));
    }
  pg_s3_listing_free (objects);

  read_next (task);
}

/**
 * pg_link_record_list_async:
 *
 * Reads the records of the links of @bucket, one at a time.
 */
void
pg_link_record_list_async (PgS3Client          *manager,
                           const char          *bucket,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Listing *listing = g_new0 (Listing, 1);

  g_task_set_source_tag (task, pg_link_record_list_async);
  listing->manager = g_object_ref (manager);
  listing->bucket = g_strdup (bucket);
  listing->keys = g_ptr_array_new_with_free_func (g_free);
  listing->records = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_link_record_free);
  g_task_set_task_data (task, listing, (GDestroyNotify) listing_free);

  pg_s3_client_list_objects_async (manager, bucket, PG_LINK_RECORD_PREFIX, NULL, cancellable,
                                   listed_cb, task);
}

/* Returns: (transfer container): the records, PgLinkRecord */
GPtrArray *
pg_link_record_list_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result, &error);
  PgLinkRecord *record;

  if (json == NULL || !(record = pg_link_record_parse (json, &error)))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, record, (GDestroyNotify) pg_link_record_free);
}

/**
 * pg_link_record_load_async:
 *
 * Reads the record of the link @id from @bucket, as it is now.
 */
void
pg_link_record_load_async (PgS3Client          *manager,
                           const char          *bucket,
                           const char          *id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autofree char *key = pg_link_record_object_key (id);

  g_task_set_source_tag (task, pg_link_record_load_async);
  pg_s3_client_get_object_async (manager, bucket, key, MAX_RECORD_BYTES, cancellable, loaded_cb,
                                 task);
}

PgLinkRecord *
pg_link_record_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The record of the link @link is: by its temporary key for a session of its own, by its key
 * for a private copy, by key, signing key and time for a plain link. */
PgLinkRecord *
pg_link_record_find (GPtrArray      *records,
                     PgPresignedUrl *link)
{
  const char *access_key_id = pg_presigned_url_get_access_key_id (link);
  const char *key = pg_presigned_url_get_key (link);

  for (guint i = 0; i < records->len; i++)
    {
      PgLinkRecord *record = g_ptr_array_index (records, i);

      /* A fingerprint says it exactly; records from before fingerprints by what they say. */
      if (record->digest != NULL)
        {
          if (g_strcmp0 (record->digest, pg_presigned_url_get_digest (link)) == 0)
            return record;
          continue;
        }
      if (record->precision == PG_LINK_PRECISION_SESSION
          && g_strcmp0 (record->access_key_id, access_key_id) == 0)
        return record;
      if (record->precision == PG_LINK_PRECISION_COPY
          && g_strcmp0 (record->copy_key, key) == 0)
        return record;
      if (record->precision == PG_LINK_PRECISION_OBJECT
          && g_strcmp0 (record->access_key_id, access_key_id) == 0
          && g_strcmp0 (record->key, key) == 0
          && record->created == pg_presigned_url_get_signed_at (link))
        return record;
    }

  return NULL;
}

typedef struct
{
  PgPresignedUrl *link;
  PgLinkRecord   *record;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  pg_presigned_url_unref (lookup->link);
  pg_link_record_free (lookup->record);
  g_free (lookup);
}

static void
lookup_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = pg_link_record_list_finish (result, &error);
  PgLinkRecord *record;
  guint index;

  if (records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  record = pg_link_record_find (records, lookup->link);
  if (record != NULL && g_ptr_array_find (records, record, &index))
    lookup->record = g_ptr_array_steal_index (records, index);

  g_task_return_boolean (task, TRUE);
}

static void
lookup_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) json = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result, &error);

  /* An index entry whose record is gone names no record; one that cannot be read is named by
   * its caller as not describing the link. */
  if (json == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (json != NULL)
    lookup->record = pg_link_record_parse (json, NULL);

  g_task_return_boolean (task, TRUE);
}

static void
lookup_indexed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  PgS3Client *manager = PG_S3_CLIENT (source);
  const char *bucket = pg_presigned_url_get_bucket (lookup->link);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) entry = pg_s3_client_get_object_finish (manager, result, &error);
  g_autofree char *id = NULL;
  g_autofree char *record_key = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (entry == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (entry != NULL)
    id = g_strndup (g_bytes_get_data (entry, NULL), g_bytes_get_size (entry));
  if (id != NULL && pg_link_id_is_valid (id))
    {
      record_key = pg_link_record_object_key (id);
      pg_s3_client_get_object_async (manager, bucket, record_key, MAX_RECORD_BYTES, cancellable,
                                     lookup_loaded_cb, g_steal_pointer (&task));
      return;
    }

  /* Not in the index: a link made without a record, or one recorded before the index, which
   * only matters for a session link (nothing else can revoke it): those are looked for. */
  if (pg_presigned_url_has_session_token (lookup->link))
    {
      pg_link_record_list_async (manager, bucket, cancellable, lookup_listed_cb,
                                 g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * pg_link_record_lookup_async:
 * @manager: a client with the managing key
 * @url: a link, as its partner received it
 *
 * Finds the record of the link @url is, in the link's bucket, through the index by the link's
 * fingerprint: two reads however many links the bucket has. The record found is the one the
 * index names; whether it describes the link is for the caller to check
 * (pg_link_service_record_disagrees()).
 */
void
pg_link_record_lookup_async (PgS3Client          *manager,
                             const char          *url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  PgPresignedUrl *link = pg_presigned_url_parse (url, &error);
  g_autofree char *index_key = NULL;
  Lookup *lookup;

  g_task_set_source_tag (task, pg_link_record_lookup_async);
  if (link == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  lookup = g_new0 (Lookup, 1);
  lookup->link = link;
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);
  index_key = pg_link_record_index_key (pg_presigned_url_get_digest (link));
  pg_s3_client_get_object_async (manager, pg_presigned_url_get_bucket (link), index_key,
                                 PG_LINK_INDEX_MAX_BYTES, cancellable, lookup_indexed_cb,
                                 g_steal_pointer (&task));
}

/**
 * pg_link_record_lookup_finish:
 * @record: (out) (transfer full) (nullable): the link's record, %NULL when it has none
 *
 * Returns: %FALSE with @error set when the records could not be read
 */
gboolean
pg_link_record_lookup_finish (GAsyncResult  *result,
                              PgLinkRecord **record,
                              GError       **error)
{
  Lookup *lookup = g_task_get_task_data (G_TASK (result));

  *record = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *record = g_steal_pointer (&lookup->record);

  return TRUE;
}
