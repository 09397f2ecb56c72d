/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-ops-log"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pg-ops-log.h"

/* The Ceph RGW ops log as a source of use events: the file is read from where the last read
 * ended (the place is kept in a state file, so a restarted watcher neither misses nor repeats
 * a request), a log that was rotated or truncated is read from its start, and only whole
 * requests are taken. Reading happens in a worker thread: the main loop never waits for the
 * disk. */

/* At most this much is read at a time. */
#define MAX_READ_BYTES (4 * 1024 * 1024)

struct _PgOpsLog
{
  char   *path;
  char   *state_path;
  guint64 inode;
  guint64 offset;      /* where the events handled end */
  guint64 read_inode;  /* where the last read ended, committed by pg_ops_log_commit() */
  guint64 read_offset;
  gboolean kept;       /* the place in the state file is inode and offset */
};

typedef struct
{
  char    *path;
  guint64  inode;
  guint64  offset;
  guint64  new_inode;
  guint64  new_offset;
} Read;

static void
read_free (Read *read)
{
  g_free (read->path);
  g_free (read);
}

/**
 * pg_ops_log_new:
 * @path: the ops log file (`rgw ops log file path`)
 * @state_path: (nullable): where the place read up to is kept between runs; without one, a
 *   new watcher starts at the log's end
 */
PgOpsLog *
pg_ops_log_new (const char *path,
                const char *state_path)
{
  PgOpsLog *self = g_new0 (PgOpsLog, 1);
  g_autofree char *state = NULL;
  GStatBuf buf;

  self->path = g_strdup (path);
  self->state_path = g_strdup (state_path);

  if (state_path != NULL && g_file_get_contents (state_path, &state, NULL, NULL)
      && sscanf (state, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &self->inode,
                 &self->offset) == 2)
    ;
  else if (g_stat (path, &buf) == 0)
    {
      /* Nothing kept: what happened before this watcher is not its business. */
      self->inode = (guint64) buf.st_ino;
      self->offset = (guint64) buf.st_size;
    }
  self->read_inode = self->inode;
  self->read_offset = self->offset;

  return self;
}

void
pg_ops_log_free (PgOpsLog *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->state_path);
  g_free (self);
}

static void
read_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Read *read = task_data;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  g_autofree char *data = NULL;
  g_autofree char *prefix = NULL;
  GStatBuf buf;
  FILE *file;
  gsize length;
  guint64 start;
  gsize used;

  read->new_inode = read->inode;
  read->new_offset = read->offset;

  if (g_stat (read->path, &buf) != 0)
    {
      /* Not there (yet, or while it is rotated): nothing new. */
      g_task_return_pointer (task, g_steal_pointer (&events), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  /* Another file (rotated), or a shorter one (truncated): from its start. */
  start = read->offset;
  if ((guint64) buf.st_ino != read->inode || (guint64) buf.st_size < read->offset)
    start = 0;
  read->new_inode = (guint64) buf.st_ino;
  read->new_offset = start;
  if ((guint64) buf.st_size == start)
    {
      g_task_return_pointer (task, g_steal_pointer (&events), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (!(file = g_fopen (read->path, "rb")) || fseeko (file, (off_t) start, SEEK_SET) != 0)
    {
      int saved = errno;

      if (file != NULL)
        fclose (file);
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("The ops log “%s” could not be read: %s"), read->path,
                               g_strerror (saved));
      return;
    }
  length = (gsize) MIN ((guint64) buf.st_size - start, MAX_READ_BYTES);
  data = g_malloc (length + 1);
  length = fread (data, 1, length, file);
  fclose (file);
  data[length] = '\0';

  /* Whole requests only: one still being written is read next time. Nothing whole in a full
   * read is no request of ours: passed over, or the log would never be read further. */
  prefix = g_strdup_printf ("ops-log:%" G_GUINT64_FORMAT, read->new_inode);
  g_ptr_array_extend_and_steal (events, pg_use_events_from_ops_log (data, length, prefix, start,
                                                                    &used));
  if (used == 0 && length == MAX_READ_BYTES)
    used = length;
  read->new_offset = start + used;

  g_task_return_pointer (task, g_steal_pointer (&events), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pg_ops_log_read_async:
 *
 * Reads the requests logged since the last read. pg_ops_log_read_finish() gives them; once
 * they are handled, pg_ops_log_commit() keeps the place.
 */
void
pg_ops_log_read_async (PgOpsLog            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Read *read = g_new0 (Read, 1);

  g_task_set_source_tag (task, pg_ops_log_read_async);
  read->path = g_strdup (self->path);
  read->inode = self->read_inode;
  read->offset = self->read_offset;
  g_task_set_task_data (task, read, (GDestroyNotify) read_free);
  g_task_run_in_thread (task, read_in_thread);
}

/* Returns: (transfer container): the requests read, PgUseEvent */
GPtrArray *
pg_ops_log_read_finish (PgOpsLog      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  Read *read = g_task_get_task_data (G_TASK (result));
  GPtrArray *events = g_task_propagate_pointer (G_TASK (result), error);

  if (events != NULL)
    {
      self->read_inode = read->new_inode;
      self->read_offset = read->new_offset;
    }

  return events;
}

/* The requests read so far are handled: a restarted watcher goes on after them.
 *
 * Returns: whether the place is kept (in memory it always is) */
gboolean
pg_ops_log_commit (PgOpsLog  *self,
                   GError   **error)
{
  g_autofree char *state = NULL;

  /* Written when it moved only: a quiet log costs no disk write a second. */
  if (self->kept && self->inode == self->read_inode && self->offset == self->read_offset)
    return TRUE;
  self->inode = self->read_inode;
  self->offset = self->read_offset;
  if (self->state_path == NULL)
    return TRUE;

  state = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\n", self->inode,
                           self->offset);
  self->kept = g_file_set_contents (self->state_path, state, -1, error);

  return self->kept;
}
