/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-use-event.h"

G_BEGIN_DECLS

typedef struct _PgOpsLog PgOpsLog;

PgOpsLog   *pg_ops_log_new          (const char           *path,
                                     const char           *state_path);
void        pg_ops_log_free         (PgOpsLog             *self);
void        pg_ops_log_read_async   (PgOpsLog             *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data);
GPtrArray  *pg_ops_log_read_finish  (PgOpsLog             *self,
                                     GAsyncResult         *result,
                                     GError              **error);
gboolean    pg_ops_log_is_behind    (PgOpsLog             *self);
gboolean    pg_ops_log_commit       (PgOpsLog             *self,
                                     GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgOpsLog, pg_ops_log_free)

G_END_DECLS
