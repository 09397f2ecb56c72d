/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-account-context.h"
#include "pg-link-job.h"
#include "pg-revoker.h"
#include "pg-s3-client.h"

G_BEGIN_DECLS

/**
 * PgLinkShareable:
 * @PG_LINK_SHAREABLE: a new link to the object would work
 * @PG_LINK_SHAREABLE_REVOKED: links to the object are revoked: a new one would be dead
 * @PG_LINK_SHAREABLE_LOCKED: every link of the bucket is blocked
 */
typedef enum {
  PG_LINK_SHAREABLE,
  PG_LINK_SHAREABLE_REVOKED,
  PG_LINK_SHAREABLE_LOCKED,
} PgLinkShareable;

/**
 * PgLinkWatchMode:
 * @PG_LINK_WATCH_NONE: nothing is watched (no armed link of the account is open)
 * @PG_LINK_WATCH_ALWAYS_ON: an always-on watcher closes the armed links (its heartbeat is fresh)
 * @PG_LINK_WATCH_SELF: the service's own watcher closes them while it runs
 *
 * Who closes the armed links of the account the service watches.
 */
typedef enum {
  PG_LINK_WATCH_NONE,
  PG_LINK_WATCH_ALWAYS_ON,
  PG_LINK_WATCH_SELF,
} PgLinkWatchMode;

/**
 * PgLinkRequest:
 * @options: what to sign (method, bucket, key, lifetime, name for the partner…)
 * @precision: how exactly the link can be revoked: with its file (plain), alone in a session of
 *   its own (the account's signing role), or alone with a private copy of the file
 * @arming: whether it closes itself after its first use
 * @grace: for an armed download link, the seconds between its first use and its closing
 * @uses: for an armed download link, the whole downloads it allows (0 or 1: its first use)
 * @size: the file's size, for whole downloads (0 when unknown)
 * @shareable: for a plain download link, what a check of the file found
 *   (pg_link_service_check_shareable_async()): a link to a revoked file is dead on arrival
 * @copy_limit: for a private copy, the largest file copied (0 for any)
 * @label: (nullable): whom or what the link is for, shown as its title and in its e-mail
 */
typedef struct
{
  const PgPresignOptions *options;
  PgLinkPrecision         precision;
  PgLinkArming            arming;
  gint64                  grace;
  guint                   uses;
  guint64                 size;
  PgLinkShareable         shareable;
  guint64                 copy_limit;
  const char             *label;
} PgLinkRequest;

/**
 * PgUploadPageRequest:
 * @folder: the folder under which the files' own folder is made ("" for the top)
 * @n_files: how many files the partner may send (1 to %PG_UPLOAD_PAGE_MAX_FILES)
 * @expires: the lifetime of the page and its uploads, in seconds
 * @note: (nullable): a note from the sender, shown on the page
 * @label: (nullable): whom the page is for, shown on it, as the link's title and in its e-mail
 */
typedef struct
{
  const char *folder;
  guint       n_files;
  guint       expires;
  const char *note;
  const char *label;
} PgUploadPageRequest;

#define PG_TYPE_LINK_SERVICE (pg_link_service_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkService, pg_link_service, PG, LINK_SERVICE, GObject)

/* The links (pg-link-service.c). */
PgLinkService *pg_link_service_new             (GFile                *file);
GListModel    *pg_link_service_get_links       (PgLinkService        *self);
gboolean       pg_link_service_get_busy        (PgLinkService        *self);
void           pg_link_service_load_async      (PgLinkService        *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       pg_link_service_load_finish     (PgLinkService        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PgLink        *pg_link_service_find            (PgLinkService        *self,
                                                const char           *id);
void           pg_link_service_save            (PgLinkService        *self);
GPtrArray     *pg_link_service_list_affected   (PgLinkService        *self,
                                                PgLink               *link,
                                                PgLinkJobKind         kind);
guint          pg_link_service_count_file_links (PgLinkService       *self,
                                                 const char          *account_id,
                                                 const char          *bucket,
                                                 const char          *key);
void           pg_link_service_set_link_credentials (PgLinkService   *self,
                                                     const char      *link_id,
                                                     PgCredentials   *credentials);
PgCredentials *pg_link_service_get_link_credentials (PgLinkService   *self,
                                                     PgLink          *link);
PgCredentials *pg_link_service_get_link_signer  (PgLinkService       *self,
                                                 PgAccountContext    *context,
                                                 PgLink              *link);
char          *pg_link_service_derive_url       (PgLinkService       *self,
                                                 PgAccountContext    *context,
                                                 PgLink              *link,
                                                 GError             **error);
GStrv          pg_link_service_derive_upload_urls (PgLinkService     *self,
                                                   PgAccountContext  *context,
                                                   PgLink            *link,
                                                   GError           **error);
void           pg_link_service_check_shareable_async  (PgLinkService       *self,
                                                       PgAccountContext    *context,
                                                       const char          *key,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
PgLinkShareable pg_link_service_check_shareable_finish (PgLinkService      *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);
void           pg_link_service_copy_fresh_async      (PgLinkService       *self,
                                                      PgAccountContext    *context,
                                                      const char          *key,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
char          *pg_link_service_copy_fresh_finish     (PgLinkService       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void           pg_link_service_note_lockdown         (PgLinkService       *self,
                                                      const char          *bucket,
                                                      gboolean             locked);
void           pg_link_service_delete_file_async     (PgLinkService       *self,
                                                      PgAccountContext    *context,
                                                      const char          *key,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean       pg_link_service_delete_file_finish    (PgLinkService       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void           pg_link_service_check_received_async  (PgLinkService       *self,
                                                      PgAccountContext    *context,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
int            pg_link_service_check_received_finish (PgLinkService       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* Making links (pg-link-service-create.c). */
void           pg_link_service_create_async    (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                const PgLinkRequest  *request,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PgLink        *pg_link_service_create_finish   (PgLinkService        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
void           pg_link_service_create_upload_page_async  (PgLinkService             *self,
                                                          PgAccountContext          *context,
                                                          const PgUploadPageRequest *request,
                                                          GCancellable              *cancellable,
                                                          GAsyncReadyCallback        callback,
                                                          gpointer                   user_data);
PgLink        *pg_link_service_create_upload_page_finish (PgLinkService             *self,
                                                          GAsyncResult              *result,
                                                          GError                   **error);
void           pg_link_service_arm             (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                PgLink               *link,
                                                PgLinkArming          arming,
                                                gint64                grace);

/* Jobs (pg-link-service-jobs.c): followed with "job-started", "job-progress", "job-finished". */
PgLinkJob     *pg_link_service_revoke_link     (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                PgLink               *link);
PgLinkJob     *pg_link_service_unrevoke_link   (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                PgLink               *link);
PgLinkJob     *pg_link_service_revoke_file     (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                const char           *key,
                                                PgPolicyAction        action,
                                                gboolean              revoke);
PgLinkJob     *pg_link_service_revoke_targets  (PgLinkService        *self,
                                                PgRevoker            *revoker,
                                                const char           *bucket,
                                                const PgPolicyTarget *targets,
                                                guint                 n_targets,
                                                gboolean              revoke);
PgLinkJob     *pg_link_service_set_lockdown    (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                PgLockdownMode        mode,
                                                gboolean              enabled,
                                                const char * const   *exempt_arns);
void           pg_link_service_remove_async    (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                PgLink               *link,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean       pg_link_service_remove_finish   (PgLinkService        *self,
                                                GAsyncResult         *result,
                                                GError              **error);
PgLinkJob     *pg_link_service_upload          (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                const char           *key,
                                                GFile                *file,
                                                gboolean              replace);
PgLinkJob     *pg_link_service_download        (PgLinkService        *self,
                                                PgAccountContext     *context,
                                                const char           *key,
                                                GFile                *destination);
void           pg_link_service_cancel_uploads  (PgLinkService        *self);
void           pg_link_service_wait            (PgLinkService        *self,
                                                PgLinkJob            *job);

/* Revoking from a pasted URL (pg-link-service-url.c). */
void           pg_link_service_revoke_url_async  (PgLinkService        *self,
                                                  PgAccountContext     *context,
                                                  const char           *url,
                                                  PgPolicyAction        action,
                                                  gboolean              revoke,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
PgLinkJob     *pg_link_service_revoke_url_finish (PgLinkService        *self,
                                                  GAsyncResult         *result,
                                                  PgLinkRecord        **record,
                                                  char                **disagreement,
                                                  GError              **error);
char          *pg_link_service_record_disagrees  (const PgLinkRecord   *record,
                                                  PgPresignedUrl       *link);
void           pg_link_service_try_url_async     (PgLinkService        *self,
                                                  PgAccountContext     *context,
                                                  const char           *url,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       pg_link_service_try_url_finish    (PgLinkService        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The app's own watcher (pg-link-service-watch.c). */
void           pg_link_service_watch           (PgLinkService        *self,
                                                PgAccountContext     *context);
void           pg_link_service_stop_watching   (PgLinkService        *self);
PgLinkWatchMode pg_link_service_get_watch_mode (PgLinkService        *self);
gint64         pg_link_service_get_watch_seen_at (PgLinkService      *self);
const char    *pg_link_service_get_watch_problem (PgLinkService      *self);

G_END_DECLS
