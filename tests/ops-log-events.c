/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "pg-ops-log.h"
#include "test-async.h"

/* What the watcher reads of a Ceph RGW ops log, from a place on: one line per request, "PLACE
 * BUCKET METHOD STATUS". test-rgw-watch.py compares it with the log as a JSON reader of its own
 * splits it.
 *
 *   ops-log-events LOG PLACE */

int
main (int    argc,
      char **argv)
{
  g_autofree char *state_dir = NULL;
  g_autofree char *state_path = NULL;
  g_autofree char *state = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgOpsLog) log = NULL;
  GStatBuf buf;
  guint read;

  if (argc != 3 || g_stat (argv[1], &buf) != 0)
    {
      g_printerr ("usage: ops-log-events LOG PLACE\n");
      return 2;
    }

  /* The place, as a watcher would have kept it. */
  if (!(state_dir = g_dir_make_tmp ("ops-log-events-XXXXXX", &error)))
    g_error ("%s", error->message);
  state_path = g_build_filename (state_dir, "state", NULL);
  state = g_strdup_printf ("%" G_GUINT64_FORMAT " %s\n", (guint64) buf.st_ino, argv[2]);
  if (!g_file_set_contents (state_path, state, -1, &error))
    g_error ("%s", error->message);
  log = pg_ops_log_new (argv[1], state_path);
  g_unlink (state_path);
  g_rmdir (state_dir);

  do
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) events = NULL;

      pg_ops_log_read_async (log, NULL, test_store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (!(events = pg_ops_log_read_finish (log, result, &error)))
        g_error ("%s", error->message);
      for (guint i = 0; i < events->len; i++)
        {
          PgUseEvent *event = g_ptr_array_index (events, i);

          /* The id ends with the request's place in the log. */
          printf ("%s %s %s %u\n", strrchr (event->id, ':') + 1, event->bucket, event->method,
                  event->status);
        }
      read = events->len;
    }
  /* A stretch of the log without a link's request gives no event, but there may be more. */
  while (read > 0 || pg_ops_log_is_behind (log));

  return 0;
}
