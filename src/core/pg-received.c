/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-received"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pg-error.h"
#include "pg-link.h"
#include "pg-link-record.h"
#include "pg-presigned-url.h"
#include "pg-received.h"
#include "pg-text.h"
#include "pg-upload-page.h"

/* What partners send comes back under the names their files had. The keys of an upload page are
 * signed before anybody knows those names ("…/file-1"), so the page sends each name with its
 * upload (Content-Disposition: attachment; filename*=UTF-8''…) and S3 keeps it with the object;
 * it is read back from there (HeadObject), never trusted as a path. */

G_DEFINE_BOXED_TYPE (PgReceivedFile, pg_received_file, pg_received_file_copy,
                     pg_received_file_free)

PgReceivedFile *
pg_received_file_copy (const PgReceivedFile *self)
{
  PgReceivedFile *copy = g_memdup2 (self, sizeof *self);

  copy->key = g_strdup (self->key);
  copy->name = g_strdup (self->name);

  return copy;
}

void
pg_received_file_free (PgReceivedFile *self)
{
  if (self == NULL)
    return;

  g_free (self->key);
  g_free (self->name);
  g_free (self);
}

/* The value of the parameter @name (lowercase) of a header value like
 * `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`, unquoted; %NULL when absent. */
static char *
parameter (const char *header,
           const char *name)
{
  gsize length = strlen (name);
  const char *p = header;

  while ((p = strchr (p, ';')) != NULL)
    {
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      if (g_ascii_strncasecmp (p, name, length) != 0)
        continue;
      p += length;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p != '=')
        continue;
      p++;
      while (*p == ' ' || *p == '\t')
        p++;

      if (*p == '"')
        {
          GString *value = g_string_new (NULL);

          for (p++; *p != '\0' && *p != '"'; p++)
            {
              if (*p == '\\' && p[1] != '\0')
                p++;
              g_string_append_c (value, *p);
            }
          return g_string_free (value, FALSE);
        }

      return g_strndup (p, strcspn (p, ";"));
    }

  return NULL;
}

/* RFC 5987: "UTF-8''%E8%AB%8B%E6%B1%82…" → the text, when it is UTF-8. */
static char *
extended_value (const char *value)
{
  const char *quote = strstr (value, "''");
  g_autofree char *encoded = NULL;
  g_autofree char *decoded = NULL;

  if (quote == NULL || g_ascii_strncasecmp (value, "utf-8", quote - value) != 0
      || quote - value != 5)
    return NULL;

  encoded = g_strstrip (g_strdup (quote + 2));
  decoded = g_uri_unescape_string (encoded, NULL);
  if (decoded == NULL || !g_utf8_validate (decoded, -1, NULL))
    return NULL;

  return g_steal_pointer (&decoded);
}

/* @name made safe as a file's name in a folder of ours: its last part only (no folder of its
 * own, "/" and "\" alike), hidden and direction controls written out visibly, no leading dots
 * or blanks, at most PG_RECEIVED_MAX_NAME bytes with its extension kept. */
static char *
safe_name (const char *name)
{
  const char *slash = strrchr (name, '/');
  const char *backslash = strrchr (name, '\\');
  const char *last = MAX (slash ? slash + 1 : name, backslash ? backslash + 1 : name);
  g_autofree char *visible = pg_text_sanitize (last);
  char *start = visible;
  gsize length;

  /* pg_text_sanitize() writes escapes with "\": a name of its own, not a folder. */
  g_strdelimit (visible, "/\\", '_');
  while (*start == '.' || *start == ' ' || *start == '\t')
    start++;
  g_strchomp (start);

  length = strlen (start);
  if (length > PG_RECEIVED_MAX_NAME)
    {
      const char *dot = strrchr (start, '.');
      gsize extension = dot && strlen (dot) <= 16 ? strlen (dot) : 0;
      const char *cut = start + PG_RECEIVED_MAX_NAME - extension;
      g_autofree char *stem = NULL;

      while (cut > start && (*cut & 0xc0) == 0x80)
        cut--;
      stem = g_strndup (start, cut - start);
      return g_strconcat (stem, extension ? dot : "", NULL);
    }

  return g_strdup (start);
}

/**
 * pg_received_name_from_disposition:
 * @disposition: (nullable): the Content-Disposition the upload was stored with
 * @key: the object's key, for a name when the upload carried none
 *
 * The name a partner's file had: `filename*` (UTF-8) before `filename`, made safe as a file
 * name in a folder (see safe_name()); the key's last part when neither is there or usable.
 *
 * Returns: (transfer full): a name, never empty
 */
char *
pg_received_name_from_disposition (const char *disposition,
                                   const char *key)
{
  g_autofree char *name = NULL;
  g_autofree char *safe = NULL;

  if (disposition != NULL)
    {
      g_autofree char *extended = parameter (disposition, "filename*");
      g_autofree char *plain = NULL;

      if (extended != NULL)
        name = extended_value (extended);
      if (name == NULL && (plain = parameter (disposition, "filename")) != NULL
          && g_utf8_validate (plain, -1, NULL))
        name = g_steal_pointer (&plain);
    }

  if (name != NULL && *(safe = safe_name (name)) != '\0')
    return g_steal_pointer (&safe);

  g_clear_pointer (&safe, g_free);
  safe = safe_name (pg_link_key_basename (key));
  return *safe != '\0' ? g_steal_pointer (&safe) : g_strdup ("upload");
}

/**
 * pg_received_free_destination:
 * @folder: where to save
 * @name: a safe file name (see pg_received_name_from_disposition())
 * @taken: (nullable): names given out already (to files not written yet); the one returned is
 *   added
 *
 * Where to save @name in @folder without overwriting anything: "contract.pdf", else
 * "contract (2).pdf", "contract (3).pdf"… The caller still creates it exclusively.
 *
 * Returns: (transfer full): the file
 */
GFile *
pg_received_free_destination (GFile      *folder,
                              const char *name,
                              GHashTable *taken)
{
  for (guint n = 1;; n++)
    {
      g_autofree char *candidate = n == 1 ? g_strdup (name) : pg_received_numbered_name (name, n);
      GFile *file = g_file_get_child (folder, candidate);

      if (n >= 10000
          || ((taken == NULL || !g_hash_table_contains (taken, candidate))
              && !g_file_query_exists (file, NULL)))
        {
          if (taken != NULL)
            g_hash_table_add (taken, g_steal_pointer (&candidate));
          return file;
        }
      g_object_unref (file);
    }
}

static void
free_destinations_thread (GTask        *task,
                          gpointer      source,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  GPtrArray *files = task_data;
  GFile *folder = g_object_get_data (G_OBJECT (task), "folder");
  g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) destinations = g_ptr_array_new_with_free_func (g_object_unref);
  GError *error = NULL;

  for (guint i = 0; i < files->len; i++)
    {
      PgReceivedFile *file = g_ptr_array_index (files, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (destinations, pg_received_free_destination (folder, file->name, taken));
    }

  g_task_return_pointer (task, g_steal_pointer (&destinations),
                         (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pg_received_free_destinations_async:
 * @folder: where to save
 * @files: (element-type PgReceivedFile): the files to save there
 *
 * Where to save each of @files in @folder, under its own name, never over a file that is there
 * and never two under one name (see pg_received_free_destination()). The folder is looked at
 * in a thread: it may be a slow disk or a network share.
 */
void
pg_received_free_destinations_async (GFile               *folder,
                                     GPtrArray           *files,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_received_free_destinations_async);
  g_object_set_data_full (G_OBJECT (task), "folder", g_object_ref (folder), g_object_unref);
  g_task_set_task_data (task, g_ptr_array_ref (files), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, free_destinations_thread);
}

/**
 * pg_received_free_destinations_finish:
 *
 * Returns: (transfer full) (element-type GFile): a file for each of the files, in their order,
 *   or %NULL with @error set (cancelled)
 */
GPtrArray *
pg_received_free_destinations_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* "contract.pdf", 2 → "contract (2).pdf": the name of the @n-th file of that name. */
char *
pg_received_numbered_name (const char *name,
                           guint       n)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot && dot != name ? g_strndup (name, dot - name) : g_strdup (name);

  return g_strdup_printf ("%s (%u)%s", stem, n, dot && dot != name ? dot : "");
}

/* A file that arrived, as S3 describes it (HeadObject). */
PgReceivedFile *
pg_received_file_new_for_object (const PgS3Object *object)
{
  PgReceivedFile *self = g_new0 (PgReceivedFile, 1);

  self->key = g_strdup (object->key);
  self->name = pg_received_name_from_disposition (object->content_disposition, object->key);
  self->size = object->size;
  self->time = object->last_modified ? g_date_time_to_unix (object->last_modified) : 0;

  return self;
}

/* Kept with the link (metadata: names, sizes, times). */
JsonNode *
pg_received_files_to_json (GPtrArray *files)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; files != NULL && i < files->len; i++)
    {
      PgReceivedFile *file = g_ptr_array_index (files, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, file->key);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, file->name);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) file->size);
      json_builder_set_member_name (builder, "time");
      json_builder_add_int_value (builder, file->time);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

/* Returns: (transfer container): the files, PgReceivedFile; none for anything else */
GPtrArray *
pg_received_files_from_json (JsonNode *node)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_received_file_free);
  JsonArray *array = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *key = object ? json_object_get_string_member_with_default (object, "key", NULL)
                               : NULL;
      const char *name = object ? json_object_get_string_member_with_default (object, "name",
                                                                              NULL) : NULL;
      PgReceivedFile *file;

      if (key == NULL || name == NULL)
        continue;
      file = g_new0 (PgReceivedFile, 1);
      file->key = g_strdup (key);
      file->name = safe_name (name);
      if (*file->name == '\0')
        {
          g_free (file->name);
          file->name = g_strdup ("upload");
        }
      file->size = (guint64) MAX (0, json_object_get_int_member_with_default (object, "size", 0));
      file->time = json_object_get_int_member_with_default (object, "time", 0);
      g_ptr_array_add (files, file);
    }

  return files;
}

/* ---- Listing ----------------------------------------------------------------------------- */

typedef struct
{
  PgS3Client *client;
  char       *bucket;
  GStrv       keys;
  guint       next;
  GPtrArray  *files;
} Listing;

static void
listing_free (Listing *listing)
{
  g_object_unref (listing->client);
  g_free (listing->bucket);
  g_strfreev (listing->keys);
  g_ptr_array_unref (listing->files);
  g_free (listing);
}

static void look_at_next (GTask *task);

static void
looked_at_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Listing *listing = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  &error);

  /* Not (yet) sent is not an error. */
  if (object == NULL && !g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_error (&error);

  if (object != NULL)
    g_ptr_array_add (listing->files, pg_received_file_new_for_object (object));
  listing->next++;
  look_at_next (task);
}

static void
look_at_next (GTask *task)
{
  Listing *listing = g_task_get_task_data (task);

  if (listing->keys[listing->next] == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_ref (listing->files),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  pg_s3_client_head_object_async (listing->client, listing->bucket,
                                  listing->keys[listing->next], g_task_get_cancellable (task),
                                  looked_at_cb, task);
}

/**
 * pg_received_list_async:
 * @keys: the keys an upload link or page uploads to
 *
 * Which of @keys have arrived, with the partners' names: one HeadObject each, one after the
 * other.
 */
void
pg_received_list_async (PgS3Client          *client,
                        const char          *bucket,
                        const char * const  *keys,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Listing *listing = g_new0 (Listing, 1);

  g_task_set_source_tag (task, pg_received_list_async);
  listing->client = g_object_ref (client);
  listing->bucket = g_strdup (bucket);
  listing->keys = g_strdupv ((char **) keys);
  listing->files = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_received_file_free);
  g_task_set_task_data (task, listing, (GDestroyNotify) listing_free);
  look_at_next (task);
}

/* Returns: (transfer container): the files that arrived, PgReceivedFile, in @keys' order */
GPtrArray *
pg_received_list_finish (GAsyncResult  *result,
                         GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- From a link ------------------------------------------------------------------------- */

typedef struct
{
  PgS3Client     *manager;
  PgPresignedUrl *link;
} UrlListing;

static void
url_listing_free (UrlListing *listing)
{
  g_object_unref (listing->manager);
  pg_presigned_url_unref (listing->link);
  g_free (listing);
}

static void
url_listed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GPtrArray *files = pg_received_list_finish (result, &error);

  if (files == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, files, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_keys (GTask              *task,
           const char * const *keys)
{
  UrlListing *listing = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  pg_received_list_async (listing->manager, pg_presigned_url_get_bucket (listing->link), keys,
                          cancellable, url_listed_cb, task);
}

static void
url_page_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) page = pg_s3_client_get_object_finish (PG_S3_CLIENT (source), result, &error);
  g_auto(GStrv) keys = NULL;

  if (page == NULL || !(keys = pg_upload_page_read_keys (page, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  list_keys (task, (const char * const *) keys);
}

static void
url_record_found_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  UrlListing *listing = g_task_get_task_data (task);
  g_autoptr(PgLinkRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  const char *keys[] = { pg_presigned_url_get_key (listing->link), NULL };

  if (!pg_link_record_lookup_finish (result, &record, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* A URL does not say whether it downloads or uploads; its record does, when it agrees. */
  if (record != NULL && g_strcmp0 (record->digest, pg_presigned_url_get_digest (listing->link)) == 0
      && g_strcmp0 (record->action, "get") == 0)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("This is a download link: nothing is received through it."));
      g_object_unref (task);
      return;
    }

  list_keys (task, keys);
}

/**
 * pg_received_list_for_url_async:
 * @manager: a client with the managing key
 * @url: an upload link or an upload page's link, as the partner received it
 *
 * What arrived through @url: the page's files (read from the page in the bucket), or the upload
 * link's file.
 */
void
pg_received_list_for_url_async (PgS3Client          *manager,
                                const char          *url,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  PgPresignedUrl *link = pg_presigned_url_parse (url, &error);
  UrlListing *listing;

  g_task_set_source_tag (task, pg_received_list_for_url_async);
  if (link == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  listing = g_new0 (UrlListing, 1);
  listing->manager = g_object_ref (manager);
  listing->link = link;
  g_task_set_task_data (task, listing, (GDestroyNotify) url_listing_free);

  if (pg_upload_page_is_page_key (pg_presigned_url_get_key (link)))
    pg_s3_client_get_object_async (manager, pg_presigned_url_get_bucket (link),
                                   pg_presigned_url_get_key (link), PG_UPLOAD_PAGE_MAX_BYTES,
                                   cancellable, url_page_read_cb, task);
  else
    pg_link_record_lookup_async (manager, url, cancellable, url_record_found_cb, task);
}

/* Returns: (transfer container): the files that arrived, PgReceivedFile */
GPtrArray *
pg_received_list_for_url_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
