/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-job.h"
#include "pg-link-service.h"

G_BEGIN_DECLS

/* A job of the link service, as the service fills it in (internal to the core). */
struct _PgLinkJob
{
  GObject         parent_instance;

  PgLinkJobKind   kind;
  PgLink         *link;
  GPtrArray      *affected;
  GArray         *previous;
  char           *bucket;
  char           *key;
  PgPolicyAction  action;
  GStrv           target_keys;
  GArray         *targets;     /* of PgPolicyTarget, keys in @target_keys */
  PgLockdownMode  mode;
  gboolean        enabled;
  GStrv           exempt;
  GFile          *file;
  gboolean        replace;

  PgLinkService  *service;
  PgRevoker      *revoker;      /* given, or chosen when the job runs (from @context) */
  PgRevoker      *role_revoker; /* a lockdown's second principal: the signing role */
  PgAccountContext *context;
  PgLinkRecord   *record;       /* a link's job: the link as the revoker choice sees it */
  PgCredentials  *session;      /* …and its own session's credentials, when known here */
  PgS3Client     *client;
  GCancellable   *cancellable;

  double          fraction;
  GError         *error;
  char           *notice;
  gboolean        done;
};

G_END_DECLS
