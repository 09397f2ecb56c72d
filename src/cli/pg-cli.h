/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "pg-endpoint.h"
#include "pg-link-service.h"
#include "pg-revoker.h"
#include "pg-s3-client.h"

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
  char     *signer_arn;
  int       timeout;
} PgCliEndpointOptions;

int          pg_cli_fail                   (int                    exit_code,
                                            const char            *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void         pg_cli_note                   (const char            *format,
                                            ...) G_GNUC_PRINTF (1, 2);
void         pg_cli_print_lines            (const char            *text);
int          pg_cli_fail_error             (int                    exit_code,
                                            const GError          *error);
gboolean     pg_cli_parse_command          (int                   *argc,
                                            char                ***argv,
                                            const char            *parameter,
                                            const char            *summary,
                                            const GOptionEntry    *entries,
                                            PgCliEndpointOptions  *endpoint,
                                            int                    n_args,
                                            int                   *exit_code);
void         pg_cli_add_endpoint_options   (GOptionContext        *context,
                                            PgCliEndpointOptions  *options);
PgEndpoint  *pg_cli_endpoint_new           (PgCliEndpointOptions  *options,
                                            GError               **error);
void         pg_cli_endpoint_options_clear (PgCliEndpointOptions  *options);
char        *pg_cli_format_time            (gint64                 unix_time);
GAsyncResult *pg_cli_wait                  (GAsyncResult         **slot);
void         pg_cli_store_result           (GObject               *source,
                                            GAsyncResult          *result,
                                            gpointer               user_data);
PgCredentials *pg_cli_manager_credentials  (GError               **error);
PgCredentials *pg_cli_signer_credentials   (GError               **error);
PgS3Client  *pg_cli_client_new             (PgCliEndpointOptions  *options,
                                            PgCredentials         *credentials,
                                            GError               **error);
PgS3Client  *pg_cli_manager_client         (PgCliEndpointOptions  *options,
                                            GError               **error);
gboolean     pg_cli_clients_new            (PgCliEndpointOptions  *options,
                                            PgS3Client           **manager,
                                            PgS3Client           **signer,
                                            GError               **error);
char        *pg_cli_signer_arn             (PgS3Client            *signer,
                                            const char            *given,
                                            GError               **error);
PgAccountContext *pg_cli_context_new       (PgCliEndpointOptions  *options,
                                            const char            *bucket,
                                            const char            *role_arn,
                                            gboolean               need_signer_arn,
                                            GError               **error);
PgRevoker   *pg_cli_revoker_new            (PgCliEndpointOptions  *options,
                                            const char            *signer_arn,
                                            GError               **error);

int          pg_cli_activity               (int                    argc,
                                            char                 **argv);
int          pg_cli_presign                (int                    argc,
                                            char                 **argv);
int          pg_cli_upload_page            (int                    argc,
                                            char                 **argv);
int          pg_cli_inspect                (int                    argc,
                                            char                 **argv);
int          pg_cli_revoke                 (int                    argc,
                                            char                 **argv);
int          pg_cli_unrevoke               (int                    argc,
                                            char                 **argv);
int          pg_cli_lockdown               (int                    argc,
                                            char                 **argv);
int          pg_cli_policy                 (int                    argc,
                                            char                 **argv);
int          pg_cli_ls                     (int                    argc,
                                            char                 **argv);
int          pg_cli_upload                 (int                    argc,
                                            char                 **argv);
int          pg_cli_mb                     (int                    argc,
                                            char                 **argv);
int          pg_cli_identity               (int                    argc,
                                            char                 **argv);
int          pg_cli_check                  (int                    argc,
                                            char                 **argv);
int          pg_cli_links                  (int                    argc,
                                            char                 **argv);
int          pg_cli_setup                  (int                    argc,
                                            char                 **argv);
int          pg_cli_watch                  (int                    argc,
                                            char                 **argv);
int          pg_cli_cp                     (int                    argc,
                                            char                 **argv);
int          pg_cli_rm                     (int                    argc,
                                            char                 **argv);
int          pg_cli_received               (int                    argc,
                                            char                 **argv);
int          pg_cli_get                    (int                    argc,
                                            char                 **argv);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PgCliEndpointOptions, pg_cli_endpoint_options_clear)

G_END_DECLS
