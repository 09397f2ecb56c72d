/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "pg-endpoint.h"

G_BEGIN_DECLS

/* Exit statuses: 2 for a command line that cannot be understood, 1 for anything that went
 * wrong afterwards. */
#define PG_CLI_EXIT_OK      0
#define PG_CLI_EXIT_FAILURE 1
#define PG_CLI_EXIT_USAGE   2

/* Options every command that talks to a bucket shares. */
typedef struct
{
  char     *endpoint;
  char     *region;
  gboolean  path_style;
} PgCliEndpointOptions;

int          pg_cli_fail                   (int                    exit_code,
                                            const char            *format,
                                            ...) G_GNUC_PRINTF (2, 3);
int          pg_cli_fail_error             (int                    exit_code,
                                            const GError          *error);
gboolean     pg_cli_parse                  (GOptionContext        *context,
                                            int                   *argc,
                                            char                ***argv,
                                            int                   *exit_code);
void         pg_cli_add_endpoint_options   (GOptionContext        *context,
                                            PgCliEndpointOptions  *options);
PgEndpoint  *pg_cli_endpoint_new           (PgCliEndpointOptions  *options,
                                            GError               **error);
void         pg_cli_endpoint_options_clear (PgCliEndpointOptions  *options);
char        *pg_cli_format_time            (gint64                 unix_time);

int          pg_cli_presign                (int                    argc,
                                            char                 **argv);
int          pg_cli_inspect                (int                    argc,
                                            char                 **argv);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PgCliEndpointOptions, pg_cli_endpoint_options_clear)

G_END_DECLS
