/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "pg-link.h"

G_BEGIN_DECLS

#define PG_TYPE_LINK_ROW (pg_link_row_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkRow, pg_link_row, PG, LINK_ROW, GtkWidget)

GtkWidget          *pg_link_row_new         (void);
GtkListItemFactory *pg_link_row_factory_new (void);
void                pg_link_row_set_link    (PgLinkRow   *self,
                                             PgLink      *link);
PgLink             *pg_link_row_get_link    (PgLinkRow   *self);

G_END_DECLS
