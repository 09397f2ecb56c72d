/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PgCatalog PgCatalog;

const char *pg_catalog_get_default_dir (void);
PgCatalog  *pg_catalog_load            (const char  *localedir,
                                        const char  *language,
                                        GError     **error);
PgCatalog  *pg_catalog_new_from_bytes  (GBytes      *bytes,
                                        GError     **error);
const char *pg_catalog_lookup          (PgCatalog   *self,
                                        const char  *msgid);
void        pg_catalog_free            (PgCatalog   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgCatalog, pg_catalog_free)

G_END_DECLS
