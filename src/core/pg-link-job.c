/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-service"

#include "config.h"

#include "pg-link-job-private.h"

/* One piece of work of the link service (pg-link-service.c): what it is about, which links it
 * changes, how far it got and how it ended. Read-only for everybody but the service. */

G_DEFINE_FINAL_TYPE (PgLinkJob, pg_link_job, G_TYPE_OBJECT)

static void
pg_link_job_finalize (GObject *object)
{
  PgLinkJob *self = PG_LINK_JOB (object);

  g_clear_object (&self->link);
  g_clear_pointer (&self->affected, g_ptr_array_unref);
  g_clear_pointer (&self->previous, g_array_unref);
  g_free (self->bucket);
  g_free (self->key);
  g_strfreev (self->target_keys);
  g_clear_pointer (&self->targets, g_array_unref);
  g_strfreev (self->exempt);
  g_clear_object (&self->file);
  g_clear_object (&self->service);
  g_clear_object (&self->revoker);
  g_clear_object (&self->role_revoker);
  g_clear_object (&self->context);
  g_clear_pointer (&self->record, pg_link_record_free);
  g_clear_pointer (&self->session, pg_credentials_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_free (self->notice);

  G_OBJECT_CLASS (pg_link_job_parent_class)->finalize (object);
}

static void
pg_link_job_class_init (PgLinkJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_link_job_finalize;
}

static void
pg_link_job_init (PgLinkJob *self)
{
  self->affected = g_ptr_array_new_with_free_func (g_object_unref);
  self->previous = g_array_new (FALSE, FALSE, sizeof (PgLinkState));
  self->cancellable = g_cancellable_new ();
}

PgLinkJobKind
pg_link_job_get_kind (PgLinkJob *self)
{
  return self->kind;
}

/* The link the job was asked for, if it was asked for one. */
PgLink *
pg_link_job_get_link (PgLinkJob *self)
{
  return self->link;
}

/* Every remembered link whose state the job changes, the asked-for link first. */
GPtrArray *
pg_link_job_get_affected (PgLinkJob *self)
{
  return self->affected;
}

const char *
pg_link_job_get_bucket (PgLinkJob *self)
{
  return self->bucket;
}

const char *
pg_link_job_get_key (PgLinkJob *self)
{
  return self->key;
}

/* Returns: (transfer none) (nullable): the objects and actions a revoke or unrevoke job is
 *   about, as a #GArray of #PgPolicyTarget */
GArray *
pg_link_job_get_targets (PgLinkJob *self)
{
  return self->targets;
}

/* Lockdown jobs: whether they block (%TRUE) or unblock. */
gboolean
pg_link_job_get_enabled (PgLinkJob *self)
{
  return self->enabled;
}

gboolean
pg_link_job_is_done (PgLinkJob *self)
{
  return self->done;
}

/* Why the job failed, once done; %NULL when it did what it was asked, proven. */
const GError *
pg_link_job_get_error (PgLinkJob *self)
{
  return self->error;
}

/* Something worth knowing about a job that went well (see pg_revoker_get_notice()). */
const char *
pg_link_job_get_notice (PgLinkJob *self)
{
  return self->notice;
}

/* Uploads: how much has been sent, from 0 to 1. */
double
pg_link_job_get_fraction (PgLinkJob *self)
{
  return self->fraction;
}

/**
 * pg_link_job_get_file:
 *
 * Returns: (transfer none) (nullable): the file an upload job sends, or a download job writes
 */
GFile *
pg_link_job_get_file (PgLinkJob *self)
{
  g_return_val_if_fail (PG_IS_LINK_JOB (self), NULL);

  return self->file;
}
