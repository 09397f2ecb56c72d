/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "pg-link.h"

G_BEGIN_DECLS

GtkWindow *pg_link_details_new          (GtkWindow   *parent,
                                         PgLink      *link,
                                         const char  *url,
                                         const char * const *upload_urls);

G_END_DECLS
