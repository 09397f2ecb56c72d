/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "pg-application.h"

G_BEGIN_DECLS

#define PG_TYPE_ACCOUNT_DIALOG (pg_account_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PgAccountDialog, pg_account_dialog, PG, ACCOUNT_DIALOG, AdwWindow)

GtkWindow *pg_account_dialog_new (GtkWindow     *parent,
                                  PgApplication *application,
                                  PgAccount     *account);

G_END_DECLS
