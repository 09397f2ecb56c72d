/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-ops-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg-ops-log.h"

/* The Ceph RGW ops log as a source of use events: the file is read from where the last read
 * ended (the place is kept in a state file, so a restarted watcher neither misses nor repeats
 * a request), and only whole requests are taken. Reading happens in a worker thread: the main
 * loop never waits for the disk.
 *
 * The file is read through a descriptor kept open between reads, so that a rotation loses
 * nothing: when another file takes the log's name, the old one is read to its end first (Ceph
 * goes on writing to it until it reopens its log), and the new one is followed once the old
 * one has been quiet for a read. A log truncated in place (copytruncate), or rewritten from its
 * start, is read from its start again. A watcher started after a rotation finishes the rotated
 * file ("FILE.1") first when that is where it stopped.
 *
 * A busy gateway logs tens of megabytes a second: the log is read in large chunks, requests are
 * told apart without allocating, and only those signed in their query string (a link's, used
 * or refused) are parsed: no other can be the use of a link. */

/* Each read() asks for this much; a request of the log is far shorter. */
#define CHUNK_BYTES        (1024 * 1024)
/* At most this much is read by one pg_ops_log_read_async(); pg_ops_log_is_behind() then says
 * that more is waiting. It bounds the events handed over at once, not the pace. */
#define MAX_READ_BYTES     (16 * 1024 * 1024)
/* The last bytes read before the place: a log rewritten from its start no longer has them. */
#define MARK_BYTES         64
/* What a request signed in its query string has, and no other. */
#define PRESIGNED_MARK     "X-Amz-Signature="

/* Where the log is being read: owned by PgOpsLog between reads, by the worker during one. */
typedef struct
{
  int      fd;          /* -1: not open yet */
  guint64  inode;
  guint64  offset;      /* after the last whole request read */
  guint64  size;        /* how much of the file the last read saw */
  gboolean skipping;    /* passing over a request too long to be a link's, up to its newline */
  char     mark[MARK_BYTES];
  gsize    mark_length;
} Tail;

struct _PgOpsLog
{
  char    *path;
  char    *state_path;
  guint64  inode;       /* where the events handled end, as kept */
  guint64  offset;
  guint64  read_inode;  /* where the last read ended, kept by pg_ops_log_commit() */
  guint64  read_offset;
  gboolean kept;        /* the place in the state file is inode and offset */
  Tail    *tail;        /* NULL while a read holds it */
  gboolean behind;      /* the last read stopped before the log's end */
  gboolean rotated_first; /* at the first read: look for the rotated file where we stopped */
};

typedef struct
{
  char     *path;
  Tail     *tail;
  gboolean  rotated_first;
  gboolean  behind;
} Read;

static void
tail_free (Tail *tail)
{
  if (tail == NULL)
    return;
  if (tail->fd >= 0)
    close (tail->fd);
  g_free (tail);
}

static void
read_free (Read *read)
{
  g_free (read->path);
  tail_free (read->tail);
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
  self->tail = g_new0 (Tail, 1);
  self->tail->fd = -1;

  if (state_path != NULL && g_file_get_contents (state_path, &state, NULL, NULL)
      && sscanf (state, "%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, &self->inode,
                 &self->offset) == 2)
    {
      /* Kept by a watcher before this one: the log may have been rotated since. */
      self->rotated_first = TRUE;
    }
  else
    {
      /* Nothing kept: what happened before this watcher is not its business. The file is
       * opened now, not at the first read, so that a rotation before that read loses nothing
       * written after this. */
      int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

      if (fd >= 0 && fstat (fd, &buf) == 0)
        {
          self->inode = (guint64) buf.st_ino;
          self->offset = (guint64) buf.st_size;
          self->tail->fd = g_steal_fd (&fd);
        }
      if (fd >= 0)
        close (fd);
    }
  self->tail->inode = self->read_inode = self->inode;
  self->tail->offset = self->read_offset = self->offset;
  self->tail->size = self->offset;
  if (self->tail->fd >= 0 && self->offset > 0)
    {
      gsize length = (gsize) MIN (self->offset, MARK_BYTES);

      if (pread (self->tail->fd, self->tail->mark, length, (off_t) (self->offset - length))
          == (ssize_t) length)
        self->tail->mark_length = length;
    }

  return self;
}

void
pg_ops_log_free (PgOpsLog *self)
{
  if (self == NULL)
    return;

  g_free (self->path);
  g_free (self->state_path);
  tail_free (self->tail);
  g_free (self);
}

/* ---- Telling requests apart --------------------------------------------------------------- */

/* Whether @length bytes at @data hold PRESIGNED_MARK. */
static gboolean
has_presigned_mark (const char *data,
                    gsize       length)
{
  const gsize mark = strlen (PRESIGNED_MARK);
  const char *end = data + length;
  const char *p = data;

  while (end - p >= (gssize) mark && (p = memchr (p, PRESIGNED_MARK[0], (gsize) (end - p) - mark + 1)))
    {
      if (memcmp (p, PRESIGNED_MARK, mark) == 0)
        return TRUE;
      p++;
    }

  return FALSE;
}

/* The length of the JSON object @data begins with (braces counted outside strings), or 0 when
 * it is not whole within @length. A newline before its end means it never will be (Ceph escapes
 * newlines in strings): *@broken is then where the newline is. The same rule as
 * pg_use_events_from_ops_log(), without looking at every byte twice. */
static gsize
object_length (const char *data,
               gsize       length,
               gsize      *broken)
{
  const char *end = data + length;
  const char *p = data;
  gsize depth = 0;

  *broken = 0;
  while (p < end)
    {
      switch (*p)
        {
        case '\n':
          *broken = (gsize) (p - data);
          return 0;
        case '{':
          depth++;
          break;
        case '}':
          if (--depth == 0)
            return (gsize) (p - data) + 1;
          break;
        case '"':
          /* A string: up to its closing quote, escapes passed over. */
          for (p++; p < end && *p != '"'; p++)
            {
              if (*p == '\n')
                {
                  *broken = (gsize) (p - data);
                  return 0;
                }
              if (*p == '\\' && p + 1 < end && p[1] != '\n')
                p++;
            }
          if (p >= end)
            return 0;
          break;
        default:
          break;
        }
      p++;
    }

  return 0;
}

/* The members of a request that tell a use (pg_use_event_from_ops_log() reads no other). */
static const char * const wanted_members[] = {
  "\"bucket\"", "\"time\"", "\"remote_addr\"", "\"uri\"", "\"http_status\"",
  "\"access_key_id\"", "\"error_code\"", "\"bytes_sent\"", "\"user_agent\"",
};

/* Where the JSON value or string at @p ends (just after it), or NULL when it does not within
 * @end. */
static const char *
value_end (const char *p,
           const char *end)
{
  gsize depth = 0;

  if (p < end && *p != '"' && *p != '{' && *p != '[')
    {
      /* A number or a literal. */
      while (p < end && *p != ',' && *p != '}' && *p != ']' && !g_ascii_isspace (*p))
        p++;
      return p < end ? p : NULL;
    }

  while (p < end)
    {
      if (*p == '"')
        {
          for (p++; p < end && *p != '"'; p++)
            if (*p == '\\')
              p++;
          if (p >= end)
            return NULL;
        }
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        return p + 1;
      p++;
      if (depth == 0)
        return p;
    }

  return NULL;
}

/* Copies into @out (at least @length bytes) the members of the request @data that tell a use,
 * as a JSON object of their own: the parser then reads a third of the request, and a busy
 * gateway's log is read several times faster. Their text is copied as it is, in order.
 *
 * Returns: the copy's length, or 0 when @data is not a plain object (it is parsed whole) */
static gsize
copy_wanted_members (const char *data,
                     gsize       length,
                     char       *out)
{
  const char *end = data + length;
  const char *p = data + 1;
  gsize written = 1;

  out[0] = '{';
  for (;;)
    {
      const char *key = NULL;
      const char *key_end;

      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p < end && *p == '}' && written == 1)
        break;
      if (p >= end || *p != '"' || !(key_end = value_end (p, end)))
        return 0;
      key = p;
      for (p = key_end; p < end && g_ascii_isspace (*p); p++)
        ;
      if (p >= end || *p != ':')
        return 0;
      for (p++; p < end && g_ascii_isspace (*p); p++)
        ;
      if (!(p = value_end (p, end)))
        return 0;

      for (guint i = 0; i < G_N_ELEMENTS (wanted_members); i++)
        if ((gsize) (key_end - key) == strlen (wanted_members[i])
            && memcmp (key, wanted_members[i], (gsize) (key_end - key)) == 0)
          {
            if (written > 1)
              out[written++] = ',';
            memcpy (out + written, key, (gsize) (p - key));
            written += (gsize) (p - key);
            break;
          }

      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p < end && *p == ',')
        {
          p++;
          continue;
        }
      if (p < end && *p == '}')
        break;
      return 0;
    }
  out[written++] = '}';

  return written;
}

/* Takes the whole requests of @data (the file's bytes from @start on) into @events: each
 * signed in its query string is parsed, the others are passed over unparsed.
 *
 * Returns: how much of @data was read through (the rest is a request still being written) */
static gsize
take_requests (Tail       *tail,
               const char *data,
               gsize       length,
               guint64     start,
               char       *scratch,
               GPtrArray  *events)
{
  gsize used = 0;
  gsize at = 0;

  while (at < length)
    {
      const char *next;
      gsize object;
      gsize broken;

      if (tail->skipping)
        {
          if (!(next = memchr (data + at, '\n', length - at)))
            return length;
          tail->skipping = FALSE;
          at = used = (gsize) (next - data) + 1;
          continue;
        }

      /* Between requests: newlines, and whatever else is passed over. */
      if (data[at] != '{')
        {
          if (data[at++] == '\n')
            used = at;
          continue;
        }

      object = object_length (data + at, length - at, &broken);
      if (object == 0 && broken == 0)
        break;
      if (object == 0)
        {
          at = used = at + broken + 1;
          continue;
        }
      if (object <= PG_OPS_LOG_MAX_REQUEST
          && has_presigned_mark (data + at, object))
        {
          g_autofree char *id = g_strdup_printf ("ops-log:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT,
                                                 tail->inode, start + at);
          gsize copied = copy_wanted_members (data + at, object, scratch);
          PgUseEvent *event = copied > 0 ? pg_use_event_from_ops_log (scratch, copied, id)
                                         : pg_use_event_from_ops_log (data + at, object, id);

          if (event != NULL)
            g_ptr_array_add (events, event);
        }
      at = used = at + object;
    }

  return used;
}

/* ---- Reading ------------------------------------------------------------------------------ */

static gboolean
read_failed (GError     **error,
             const char  *path)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("The ops log “%s” could not be read: %s"), path, g_strerror (saved));

  return FALSE;
}

/* The place moves past @length bytes @data: the last bytes before it are kept, to tell later
 * whether the file still has them. */
static void
move_place (Tail       *tail,
            const char *data,
            gsize       length)
{
  if (length >= MARK_BYTES)
    {
      memcpy (tail->mark, data + length - MARK_BYTES, MARK_BYTES);
      tail->mark_length = MARK_BYTES;
    }
  else
    {
      gsize kept = MIN (tail->mark_length, MARK_BYTES - length);

      memmove (tail->mark, tail->mark + tail->mark_length - kept, kept);
      memcpy (tail->mark + kept, data, length);
      tail->mark_length = kept + length;
    }
  tail->offset += length;
}

/* Whether the file is the one read so far: not shorter than the place, and with the same bytes
 * just before it. */
static gboolean
still_there (Tail    *tail,
             guint64  size)
{
  char bytes[MARK_BYTES];

  if (size < tail->offset)
    return FALSE;
  if (tail->mark_length == 0 || tail->offset < tail->mark_length)
    return TRUE;

  return pread (tail->fd, bytes, tail->mark_length, (off_t) (tail->offset - tail->mark_length))
           == (ssize_t) tail->mark_length
         && memcmp (bytes, tail->mark, tail->mark_length) == 0;
}

/* Reads @tail's file from its place to its end (or until @budget is spent) into @events.
 *
 * Returns: whether it was read; *@grew: whether it had grown since the last read */
static gboolean
read_file (Tail       *tail,
           const char *path,
           char       *buffer,
           char       *scratch,
           gsize      *budget,
           GPtrArray  *events,
           gboolean   *grew,
           GError    **error)
{
  struct stat buf;
  gsize filled = 0;
  guint64 at;

  if (fstat (tail->fd, &buf) != 0)
    return read_failed (error, path);
  *grew = (guint64) buf.st_size != tail->size;

  /* Truncated, or rewritten from its start: read from its start. */
  if (!still_there (tail, (guint64) buf.st_size))
    {
      tail->offset = 0;
      tail->mark_length = 0;
      tail->skipping = FALSE;
      *grew = TRUE;
    }

  at = tail->offset;
  while (*budget > 0)
    {
      gsize wanted = MIN (CHUNK_BYTES - filled, *budget);
      ssize_t got = pread (tail->fd, buffer + filled, wanted, (off_t) at);
      gsize used;

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        return read_failed (error, path);
      if (got == 0)
        break;
      at += (guint64) got;
      filled += (gsize) got;
      *budget -= MIN ((gsize) got, *budget);

      used = take_requests (tail, buffer, filled, tail->offset, scratch, events);
      /* Nothing whole in a full buffer: a request too long to be a link's. Passed over up to
       * its newline, or the log would never be read further. */
      if (used == 0 && filled == CHUNK_BYTES)
        {
          tail->skipping = TRUE;
          used = filled;
        }
      if (used > 0)
        {
          move_place (tail, buffer, used);
          memmove (buffer, buffer + used, filled - used);
          filled -= used;
        }
    }
  tail->size = MAX (at, tail->offset);

  return TRUE;
}

/* Opens @path and sets @tail on it: at its place when it is the file read before, else at its
 * start. Returns: whether it could be opened (a log not there, for the moment, is no error) */
static gboolean
open_file (Tail        *tail,
           const char  *path,
           gboolean     from_start,
           GError     **error)
{
  struct stat buf;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    return errno == ENOENT ? FALSE : read_failed (error, path);
  if (fstat (fd, &buf) != 0)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      return read_failed (error, path);
    }

  if (tail->fd >= 0)
    close (tail->fd);
  tail->fd = fd;
  if (from_start || (guint64) buf.st_ino != tail->inode)
    {
      tail->inode = (guint64) buf.st_ino;
      tail->offset = 0;
      tail->size = 0;
      tail->skipping = FALSE;
    }
  tail->mark_length = 0;
  if (tail->offset > 0)
    {
      gsize length = (gsize) MIN (tail->offset, MARK_BYTES);

      if (pread (fd, tail->mark, length, (off_t) (tail->offset - length)) == (ssize_t) length)
        tail->mark_length = length;
    }

  return TRUE;
}

static void
read_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Read *read = task_data;
  Tail *tail = read->tail;
  Tail before = *tail;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  g_autofree char *buffer = g_malloc (CHUNK_BYTES);
  g_autofree char *scratch = g_malloc (PG_OPS_LOG_MAX_REQUEST);
  g_autoptr(GError) error = NULL;
  gsize budget = MAX_READ_BYTES;
  gboolean grew = FALSE;
  GStatBuf buf;

  /* Where the last watcher stopped, in the file rotated since: that first. */
  if (tail->fd < 0 && read->rotated_first && g_stat (read->path, &buf) == 0
      && (guint64) buf.st_ino != tail->inode)
    {
      g_autofree char *rotated = g_strconcat (read->path, ".1", NULL);

      if (g_stat (rotated, &buf) == 0 && (guint64) buf.st_ino == tail->inode
          && !open_file (tail, rotated, FALSE, &error) && error != NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (tail->fd < 0 && !open_file (tail, read->path, FALSE, &error))
    {
      /* Not there (yet, or while it is rotated): nothing new. */
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, g_steal_pointer (&events),
                               (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  for (;;)
    {
      if (!read_file (tail, read->path, buffer, scratch, &budget, events, &grew, &error))
        {
          /* Tried again from where this read began. */
          if (tail->inode != before.inode)
            {
              close (tail->fd);
              before.fd = -1;
            }
          else
            before.fd = tail->fd;
          *tail = before;
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (budget == 0)
        {
          read->behind = TRUE;
          break;
        }

      /* Another file has the log's name: once the one read has been quiet for a read (its
       * writer has moved to the new one), the new one is followed, from its start. */
      if (grew || g_stat (read->path, &buf) != 0 || (guint64) buf.st_ino == tail->inode)
        break;
      if (!open_file (tail, read->path, TRUE, &error))
        {
          if (error != NULL)
            {
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          break;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&events), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pg_ops_log_read_async:
 *
 * Reads the requests logged since the last read, up to a bound (pg_ops_log_is_behind() says
 * when more is waiting). Only requests signed in their query string are read: no other is a
 * link's. pg_ops_log_read_finish() gives them; once they are handled, pg_ops_log_commit() keeps
 * the place. One read at a time.
 */
void
pg_ops_log_read_async (PgOpsLog            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Read *read = g_new0 (Read, 1);

  g_return_if_fail (self->tail != NULL);

  g_task_set_source_tag (task, pg_ops_log_read_async);
  read->path = g_strdup (self->path);
  read->tail = g_steal_pointer (&self->tail);
  read->rotated_first = self->rotated_first;
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

  /* The place moves only with what was read whole; a failed read is tried again from it. */
  if (read->tail != NULL)
    {
      tail_free (self->tail);
      self->tail = g_steal_pointer (&read->tail);
    }
  if (events != NULL)
    {
      self->read_inode = self->tail->inode;
      self->read_offset = self->tail->offset;
    }
  self->behind = events != NULL && read->behind;
  self->rotated_first = FALSE;

  return events;
}

/* Whether the last read stopped before the log's end: reading again at once catches up. */
gboolean
pg_ops_log_is_behind (PgOpsLog *self)
{
  return self->behind;
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
