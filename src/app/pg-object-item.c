/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-object-item"

#include "config.h"

#include <string.h>

#include "pg-object-item.h"
#include "pg-text.h"

/* One row of the bucket browser: a file, or a "folder" (a common prefix). */

struct _PgObjectItem
{
  GObject    parent_instance;

  char      *key;
  char      *name;
  gboolean   folder;
  guint64    size;
  GDateTime *modified;
};

G_DEFINE_FINAL_TYPE (PgObjectItem, pg_object_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
pg_object_item_finalize (GObject *object)
{
  PgObjectItem *self = PG_OBJECT_ITEM (object);

  g_free (self->key);
  g_free (self->name);
  g_clear_pointer (&self->modified, g_date_time_unref);

  G_OBJECT_CLASS (pg_object_item_parent_class)->finalize (object);
}

static void
pg_object_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PgObjectItem *self = PG_OBJECT_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pg_object_item_class_init (PgObjectItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pg_object_item_finalize;
  object_class->get_property = pg_object_item_get_property;

  /* What the search entry filters on. */
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pg_object_item_init (PgObjectItem *self)
{
}

/* @prefix is the folder being shown; the name is the key without it. */
PgObjectItem *
pg_object_item_new (const char *key,
                    const char *prefix,
                    gboolean    folder,
                    guint64     size,
                    GDateTime  *modified)
{
  PgObjectItem *self = g_object_new (PG_TYPE_OBJECT_ITEM, NULL);
  const char *name = g_str_has_prefix (key, prefix) ? key + strlen (prefix) : key;

  self->key = g_strdup (key);
  /* Shown, so direction overrides and controls in a key are written out, not obeyed. */
  self->name = pg_text_sanitize (name);
  self->folder = folder;
  self->size = size;
  self->modified = modified ? g_date_time_ref (modified) : NULL;

  return self;
}

const char *
pg_object_item_get_key (PgObjectItem *self)
{
  return self->key;
}

const char *
pg_object_item_get_name (PgObjectItem *self)
{
  return self->name;
}

gboolean
pg_object_item_is_folder (PgObjectItem *self)
{
  return self->folder;
}

guint64
pg_object_item_get_size (PgObjectItem *self)
{
  return self->size;
}

GDateTime *
pg_object_item_get_modified (PgObjectItem *self)
{
  return self->modified;
}
