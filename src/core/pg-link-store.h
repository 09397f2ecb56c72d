/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-link.h"

G_BEGIN_DECLS

#define PG_TYPE_LINK_STORE (pg_link_store_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkStore, pg_link_store, PG, LINK_STORE, GObject)

PgLinkStore *pg_link_store_new          (GFile                *file);
void         pg_link_store_load_async   (PgLinkStore          *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     pg_link_store_load_finish  (PgLinkStore          *self,
                                         GAsyncResult         *result,
                                         GError              **error);
void         pg_link_store_add          (PgLinkStore          *self,
                                         PgLink               *link);
gboolean     pg_link_store_remove       (PgLinkStore          *self,
                                         PgLink               *link);
void         pg_link_store_save_async   (PgLinkStore          *self,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
gboolean     pg_link_store_save_finish  (PgLinkStore          *self,
                                         GAsyncResult         *result,
                                         GError              **error);
GBytes      *pg_link_store_serialize    (PgLinkStore          *self);

G_END_DECLS
