/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PG_TYPE_APPLICATION (pg_application_get_type ())

G_DECLARE_FINAL_TYPE (PgApplication, pg_application, PG, APPLICATION, AdwApplication)

PgApplication *pg_application_new (void);

G_END_DECLS
