/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-service.h"
#include "pg-link-store.h"

G_BEGIN_DECLS

/* The link service's insides, shared by its files (internal to the core):
 *
 *   pg-link-service.c          the service: its links, saving, what a revocation concerns,
 *                              the checks before sharing and for arrived files
 *   pg-link-service-create.c   making links of every kind, arming them, their records
 *   pg-link-service-jobs.c     jobs run in order: revoke, restore, lockdown; transfers; removal
 *   pg-link-service-url.c      revoking what a pasted URL gives access to
 *   pg-link-service-watch.c    the app's own watcher: armed links closed while it runs */

typedef struct _PgLinkWatching PgLinkWatching;

struct _PgLinkService
{
  GObject          parent_instance;

  PgLinkStore     *store;
  GQueue           policy_jobs;
  PgLinkJob       *policy_running;
  GQueue           upload_jobs;
  PgLinkJob       *upload_running;
  gboolean         saving;
  guint            records_writing;  /* record writes and removals under way */
  gboolean         save_again;
  gboolean         busy;

  /* Link id → the credentials of its own signing session, while known here. */
  GHashTable      *link_credentials;

  PgLinkWatching  *watching;

  /* The buckets whose arrivals are being looked for now: one look at a time each. */
  GHashTable      *received_checks;
  GHashTable      *records_again;   /* link id → whether it changed while its record was being
                                     * written (written again after) */
};

enum {
  PG_LINK_SERVICE_JOB_STARTED,
  PG_LINK_SERVICE_JOB_PROGRESS,
  PG_LINK_SERVICE_JOB_FINISHED,
  PG_LINK_SERVICE_SAVE_FAILED,
  PG_LINK_SERVICE_LINK_PROBLEM,
  PG_LINK_SERVICE_SESSION_CHANGED,
  PG_LINK_SERVICE_LINK_CLOSED_ITSELF,
  PG_LINK_SERVICE_FILES_RECEIVED,
  PG_LINK_SERVICE_LINK_ACTIVITY,
  PG_LINK_SERVICE_N_SIGNALS
};

extern guint _pg_link_service_signals [PG_LINK_SERVICE_N_SIGNALS];

enum {
  PG_LINK_SERVICE_PROP_0,
  PG_LINK_SERVICE_PROP_BUSY,
  PG_LINK_SERVICE_PROP_WATCH_MODE,
  PG_LINK_SERVICE_PROP_WATCH_SEEN_AT,
  PG_LINK_SERVICE_PROP_WATCH_PROBLEM,
  PG_LINK_SERVICE_N_PROPS
};

extern GParamSpec *_pg_link_service_properties [PG_LINK_SERVICE_N_PROPS];

void       _pg_link_service_update_busy      (PgLinkService    *self);
void       _pg_link_service_add              (PgLinkService    *self,
                                              PgLink           *link);
GPtrArray *_pg_link_service_collect_affected (PgLinkService    *self,
                                              PgLink           *first,
                                              PgLinkJobKind     kind,
                                              const char       *bucket,
                                              GArray           *targets,
                                              const char       *access_key_id,
                                              const char       *signer_arn);
void       _pg_link_service_write_record     (PgLinkService    *self,
                                              PgAccountContext *context,
                                              PgLink           *link);
void       _pg_link_service_watch_changed    (PgLinkService    *self);
void       _pg_link_service_watch_dispose    (PgLinkService    *self);
void       _pg_link_service_watch_get_property (PgLinkService  *self,
                                                guint           prop_id,
                                                GValue         *value);

G_END_DECLS
