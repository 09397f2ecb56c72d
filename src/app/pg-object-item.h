/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PG_TYPE_OBJECT_ITEM (pg_object_item_get_type ())

G_DECLARE_FINAL_TYPE (PgObjectItem, pg_object_item, PG, OBJECT_ITEM, GObject)

PgObjectItem *pg_object_item_new          (const char   *key,
                                           const char   *prefix,
                                           gboolean      folder,
                                           guint64       size,
                                           GDateTime    *modified);
const char   *pg_object_item_get_key      (PgObjectItem *self);
const char   *pg_object_item_get_name     (PgObjectItem *self);
gboolean      pg_object_item_is_folder    (PgObjectItem *self);
guint64       pg_object_item_get_size     (PgObjectItem *self);
GDateTime    *pg_object_item_get_modified (PgObjectItem *self);

G_END_DECLS
