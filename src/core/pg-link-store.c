/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-store"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pg-error.h"
#include "pg-link-store.h"

/* The remembered links, as a GListModel (newest first) backed by one JSON file:
 *
 *   { "version": 1, "links": [ { "id": …, "bucket": …, "key": …, … }, … ] }
 *
 * Loading parses in a worker thread, so a long history never blocks the window. Saving replaces
 * the file atomically (g_file_replace_contents), in a worker thread as well. A file that cannot
 * be read as links is moved aside, never overwritten, and the error names where it went. */

#define FORMAT_VERSION 1

struct _PgLinkStore
{
  GObject    parent_instance;

  GFile     *file;
  GPtrArray *links;
  GMutex     save_lock;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PgLinkStore, pg_link_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return PG_TYPE_LINK;
}

static guint
get_n_items (GListModel *model)
{
  return PG_LINK_STORE (model)->links->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PgLinkStore *self = PG_LINK_STORE (model);

  if (position >= self->links->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->links, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
pg_link_store_finalize (GObject *object)
{
  PgLinkStore *self = PG_LINK_STORE (object);

  g_clear_object (&self->file);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_mutex_clear (&self->save_lock);

  G_OBJECT_CLASS (pg_link_store_parent_class)->finalize (object);
}

static void
pg_link_store_class_init (PgLinkStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_link_store_finalize;
}

static void
pg_link_store_init (PgLinkStore *self)
{
  self->links = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->save_lock);
}

/**
 * pg_link_store_new:
 * @file: (nullable): the file the links are kept in; %NULL for a list in memory only
 */
PgLinkStore *
pg_link_store_new (GFile *file)
{
  PgLinkStore *self = g_object_new (PG_TYPE_LINK_STORE, NULL);

  self->file = file ? g_object_ref (file) : NULL;

  return self;
}

/* Newest first: a new link goes to the top of the list. */
void
pg_link_store_add (PgLinkStore *self,
                   PgLink      *link)
{
  g_return_if_fail (PG_IS_LINK_STORE (self));

  g_ptr_array_insert (self->links, 0, g_object_ref (link));
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
}

/* Forgets @link; %FALSE when it was not in the list. */
gboolean
pg_link_store_remove (PgLinkStore *self,
                      PgLink      *link)
{
  guint position;

  g_return_val_if_fail (PG_IS_LINK_STORE (self), FALSE);

  if (!g_ptr_array_find (self->links, link, &position))
    return FALSE;

  g_ptr_array_remove_index (self->links, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

  return TRUE;
}

/* ---- Loading ---------------------------------------------------------------------------- */

static GPtrArray *
parse_links (GBytes  *bytes,
             GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_object_unref);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  JsonObject *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !(root = json_node_get_object (json_parser_get_root (parser)))
      || json_object_get_int_member_with_default (root, "version", 0) != FORMAT_VERSION
      || !json_object_has_member (root, "links")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "links")))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED, "not a list of links");
      return NULL;
    }

  array = json_object_get_array_member (root, "links");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      PgLink *link = _pg_link_new_from_json (json_array_get_element (array, i));

      if (link == NULL)
        {
          g_set_error (error, PG_ERROR, PG_ERROR_FAILED, "entry %u is not a link", i);
          return NULL;
        }
      g_ptr_array_add (links, link);
    }

  return g_steal_pointer (&links);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PgLinkStore *self = source_object;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) links = NULL;

  if (self->file == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  bytes = g_file_load_bytes (self->file, cancellable, NULL, &error);
  if (bytes == NULL)
    {
      /* No file yet: no links yet. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref),
                               (GDestroyNotify) g_ptr_array_unref);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  links = parse_links (bytes, &error);
  if (links == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
      g_autofree char *basename = g_file_get_basename (self->file);
      g_autofree char *aside_name = g_strdup_printf ("%s.damaged-%s", basename, stamp);
      g_autoptr(GFile) parent = g_file_get_parent (self->file);
      g_autoptr(GFile) aside = g_file_get_child (parent, aside_name);
      g_autofree char *aside_path = g_file_get_path (aside);
      g_autoptr(GError) move_error = NULL;

      if (!g_file_move (self->file, aside, G_FILE_COPY_NONE, cancellable, NULL, NULL,
                        &move_error))
        g_task_return_new_error (task, PG_ERROR, PG_ERROR_FAILED,
                                 _("The list of links could not be read (%s) and could not be "
                                   "set aside (%s). It was left as it is."),
                                 error->message, move_error->message);
      else
        g_task_return_new_error (task, PG_ERROR, PG_ERROR_FAILED,
                                 _("The list of links could not be read (%s). It was kept as "
                                   "“%s”; new links start a new list."),
                                 error->message, aside_path);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&links), (GDestroyNotify) g_ptr_array_unref);
}

void
pg_link_store_load_async (PgLinkStore         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_store_load_async);
  g_task_run_in_thread (task, load_thread);
}

/**
 * pg_link_store_load_finish:
 *
 * Replaces the contents with what was loaded. On error the store stays empty and the message
 * says where a damaged file was kept.
 */
gboolean
pg_link_store_load_finish (PgLinkStore   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_autoptr(GPtrArray) links = g_task_propagate_pointer (G_TASK (result), error);
  guint removed;

  if (links == NULL)
    return FALSE;

  removed = self->links->len;
  g_ptr_array_unref (self->links);
  self->links = g_steal_pointer (&links);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->links->len);

  return TRUE;
}

/* ---- Saving ----------------------------------------------------------------------------- */

GBytes *
pg_link_store_serialize (PgLinkStore *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  gsize length;
  char *data;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, FORMAT_VERSION);
  json_builder_set_member_name (builder, "links");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->links->len; i++)
    json_builder_add_value (builder, _pg_link_to_json (g_ptr_array_index (self->links, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  data = json_generator_to_data (generator, &length);

  return g_bytes_new_take (data, length);
}

/* Runs in a worker thread; one save at a time, in the order they were asked for. */
static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PgLinkStore *self = source_object;
  GBytes *bytes = task_data;
  g_autoptr(GFile) parent = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  if (self->file == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  parent = g_file_get_parent (self->file);
  g_mutex_lock (&self->save_lock);

  if (!g_file_make_directory_with_parents (parent, cancellable, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_mutex_unlock (&self->save_lock);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_error (&error);

  /* Written next to the old file and renamed over it: a crash leaves one or the other. */
  if (!g_file_replace_contents (self->file, data, length, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                NULL, cancellable, &error))
    {
      g_mutex_unlock (&self->save_lock);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_mutex_unlock (&self->save_lock);
  g_task_return_boolean (task, TRUE);
}

void
pg_link_store_save_async (PgLinkStore         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pg_link_store_save_async);
  g_task_set_task_data (task, pg_link_store_serialize (self), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, save_thread);
}

gboolean
pg_link_store_save_finish (PgLinkStore   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
