/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pg-link-service.h"
#include "pg-session.h"

G_BEGIN_DECLS

#define PG_TYPE_LINK_DIALOG (pg_link_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkDialog, pg_link_dialog, PG, LINK_DIALOG, AdwWindow)

GtkWindow *pg_link_dialog_new         (GtkWindow     *parent,
                                       PgSession     *session,
                                       PgLinkService *service,
                                       gboolean       upload,
                                       const char    *key_or_folder);

const char *pg_link_dialog_arming_words (gboolean       upload);

G_END_DECLS
