/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link.h"

G_BEGIN_DECLS

/**
 * PgLinkJobKind:
 * @PG_LINK_JOB_REVOKE: revoke a link (and every link that shares its fate)
 * @PG_LINK_JOB_UNREVOKE: lift a revocation: its links work again
 * @PG_LINK_JOB_LOCKDOWN: block, or unblock, every link of a bucket
 * @PG_LINK_JOB_UPLOAD: put a file into the bucket
 * @PG_LINK_JOB_DOWNLOAD: save a file of the bucket on this computer
 */
typedef enum {
  PG_LINK_JOB_REVOKE,
  PG_LINK_JOB_UNREVOKE,
  PG_LINK_JOB_LOCKDOWN,
  PG_LINK_JOB_UPLOAD,
  PG_LINK_JOB_DOWNLOAD,
} PgLinkJobKind;

#define PG_TYPE_LINK_JOB (pg_link_job_get_type ())

G_DECLARE_FINAL_TYPE (PgLinkJob, pg_link_job, PG, LINK_JOB, GObject)

PgLinkJobKind  pg_link_job_get_kind       (PgLinkJob            *self);
PgLink        *pg_link_job_get_link       (PgLinkJob            *self);
GPtrArray     *pg_link_job_get_affected   (PgLinkJob            *self);
const char    *pg_link_job_get_bucket     (PgLinkJob            *self);
const char    *pg_link_job_get_key        (PgLinkJob            *self);
GArray        *pg_link_job_get_targets    (PgLinkJob            *self);
gboolean       pg_link_job_get_enabled    (PgLinkJob            *self);
gboolean       pg_link_job_is_done        (PgLinkJob            *self);
const GError  *pg_link_job_get_error      (PgLinkJob            *self);
const char    *pg_link_job_get_notice     (PgLinkJob            *self);
double         pg_link_job_get_fraction   (PgLinkJob            *self);
GFile         *pg_link_job_get_file       (PgLinkJob            *self);

G_END_DECLS
