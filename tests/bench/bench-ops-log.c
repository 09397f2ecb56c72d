/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-ops-log"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pg-ops-log.h"

/* How fast the watcher reads Ceph RGW's ops log: a log of about 100 MB is written (requests as
 * Ceph logs them), then read by PgOpsLog from its start, as a watcher that has fallen behind
 * would, and, in the same run on the same file, by two references: plain read() in 1 MiB
 * chunks (the disk cache's pace) and an fgets() loop (the simplest line reader). Two logs: a
 * typical one, where one request in ten is a link's (signed in its query string), and one where
 * every request is. Each reader keeps its best of ROUNDS rounds, which filters out a busy
 * machine; the watcher must keep up with a gateway logging 50 MiB/s.
 *
 *   bench-ops-log [--megabytes MB] [--rounds ROUNDS] */

#define TARGET_MIB_PER_SECOND 50.0

static const char presigned_line[] =
  "{\"bucket\":\"reports\",\"time\":\"2026-11-29T05:41:54.657151Z\",\"time_local\":"
  "\"2026-11-29T05:41:54.657151+0000\",\"remote_addr\":\"203.0.113.%u\",\"user\":\"owner\","
  "\"operation\":\"get_obj\",\"uri\":\"GET /reports/2026/file-%u.pdf?X-Amz-Algorithm="
  "AWS4-HMAC-SHA256&X-Amz-Credential=PRESIGNKEY%%2F20261129%%2Fus-east-1%%2Fs3%%2Faws4_request&"
  "X-Amz-Date=20261129T054154Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="
  "efae08c0ffee%08x HTTP/1.1\",\"http_status\":\"200\",\"error_code\":\"\",\"bytes_sent\":%u,"
  "\"bytes_received\":0,\"object_size\":%u,\"total_time\":3,\"user_agent\":\"curl/7.88.1\","
  "\"referrer\":\"\",\"trans_id\":\"tx00000%08x-0063b2f0c2-1014-default\",\"authentication_type\":"
  "\"Local\",\"access_key_id\":\"PRESIGNKEY\",\"subuser\":\"presign\",\"temp_url\":false}\n";

static const char header_line[] =
  "{\"bucket\":\"reports\",\"time\":\"2026-11-29T05:41:54.657151Z\",\"time_local\":"
  "\"2026-11-29T05:41:54.657151+0000\",\"remote_addr\":\"198.51.100.%u\",\"user\":\"owner\","
  "\"operation\":\"put_obj\",\"uri\":\"PUT /reports/2026/upload-%u.bin HTTP/1.1\","
  "\"http_status\":\"200\",\"error_code\":\"\",\"bytes_sent\":0,\"bytes_received\":%u,"
  "\"object_size\":%u,\"total_time\":11,\"user_agent\":\"aws-sdk-go/1.44.0 (go1.19; linux; "
  "amd64)\",\"referrer\":\"\",\"trans_id\":\"tx00000%08x-0063b2f0c2-1014-default\","
  "\"authentication_type\":\"Local\",\"access_key_id\":\"OWNERKEY\",\"subuser\":\"\","
  "\"temp_url\":false}\n";

/* Writes a log of about @megabytes MB where one request in @every is a link's. */
static guint64
write_log (const char *path,
           guint       megabytes,
           guint       every)
{
  FILE *file = g_fopen (path, "wb");
  guint64 size = 0;

  if (file == NULL)
    g_error ("%s: %s", path, g_strerror (errno));
  for (guint i = 0; size < (guint64) megabytes * 1000 * 1000; i++)
    {
      int written = i % every == 0
                    ? fprintf (file, presigned_line, i % 250, i, i, i * 7, i * 7, i)
                    : fprintf (file, header_line, i % 250, i, i * 3, i * 3, i);

      size += (guint64) written;
    }
  fclose (file);

  return size;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The seconds PgOpsLog takes to read @path from its start; *@events: the requests it gave. */
static double
time_ops_log (const char *path,
              const char *state_path,
              guint      *events)
{
  g_autoptr(PgOpsLog) log = NULL;
  g_autofree char *state = NULL;
  GStatBuf buf;
  gint64 start;

  /* Kept at the log's start: a watcher that has everything to read. */
  g_assert (g_stat (path, &buf) == 0);
  state = g_strdup_printf ("%" G_GUINT64_FORMAT " 0\n", (guint64) buf.st_ino);
  if (!g_file_set_contents (state_path, state, -1, NULL))
    g_error ("%s could not be written", state_path);
  log = pg_ops_log_new (path, state_path);

  *events = 0;
  start = g_get_monotonic_time ();
  for (gboolean more = TRUE; more;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) read = NULL;
      g_autoptr(GError) error = NULL;

      pg_ops_log_read_async (log, NULL, store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (!(read = pg_ops_log_read_finish (log, result, &error)))
        g_error ("%s", error->message);
      *events += read->len;
      more = pg_ops_log_is_behind (log);
    }

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* The seconds plain read() takes, in 1 MiB chunks. */
static double
time_read (const char *path)
{
  g_autofree char *buffer = g_malloc (1024 * 1024);
  int fd = g_open (path, O_RDONLY, 0);
  gint64 start = g_get_monotonic_time ();
  gsize newlines = 0;
  ssize_t got;

  g_assert (fd >= 0);
  /* Newlines counted, as wc -l would: the bytes are looked at, not only copied. */
  while ((got = read (fd, buffer, 1024 * 1024)) > 0)
    for (const char *p = buffer; (p = memchr (p, '\n', (gsize) (buffer + got - p))); p++)
      newlines++;
  close (fd);
  g_assert (newlines > 0);

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* The seconds an fgets() loop takes. */
static double
time_fgets (const char *path)
{
  g_autofree char *line = g_malloc (64 * 1024);
  FILE *file = g_fopen (path, "rb");
  gint64 start = g_get_monotonic_time ();
  gsize lines = 0;

  g_assert (file != NULL);
  while (fgets (line, 64 * 1024, file) != NULL)
    lines++;
  fclose (file);
  g_assert (lines > 0);

  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static gboolean
bench (const char *dir,
       const char *name,
       guint       megabytes,
       guint       every,
       guint       rounds)
{
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  double size_mib = write_log (path, megabytes, every) / (1024.0 * 1024.0);
  double ours = G_MAXDOUBLE;
  double plain = G_MAXDOUBLE;
  double lines = G_MAXDOUBLE;
  guint events = 0;

  for (guint round = 0; round < rounds; round++)
    {
      plain = MIN (plain, time_read (path));
      lines = MIN (lines, time_fgets (path));
      ours = MIN (ours, time_ops_log (path, state, &events));
    }
  g_unlink (path);
  g_unlink (state);

  printf ("%s: %.0f MiB, %u requests of links read\n", name, size_mib, events);
  printf ("  PgOpsLog:           %8.1f MiB/s\n", size_mib / ours);
  printf ("  read() + memchr:    %8.1f MiB/s  (PgOpsLog at %.3f× its pace)\n", size_mib / plain,
          plain / ours);
  printf ("  fgets() loop:       %8.1f MiB/s  (PgOpsLog at %.3f× its pace)\n", size_mib / lines,
          lines / ours);
  printf ("  target:             %8.1f MiB/s  (%s)\n", TARGET_MIB_PER_SECOND,
          size_mib / ours >= TARGET_MIB_PER_SECOND ? "met" : "NOT met");

  return size_mib / ours >= TARGET_MIB_PER_SECOND;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int megabytes = 100;
  int rounds = 3;
  gboolean met;
  const GOptionEntry entries[] = {
    { "megabytes", 0, 0, G_OPTION_ARG_INT, &megabytes, "Size of the log (MB)", "MB" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds, the best kept", "ROUNDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || megabytes < 1 || rounds < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--megabytes and --rounds ≥ 1");
      return 2;
    }
  if (!(dir = g_dir_make_tmp ("bench-ops-log-XXXXXX", &error)))
    g_error ("%s", error->message);

  met = bench (dir, "typical log (1 request in 10 a link's)", (guint) megabytes, 10,
               (guint) rounds);
  met &= bench (dir, "every request a link's", (guint) megabytes, 1, (guint) rounds);
  g_rmdir (dir);
  printf ("50 MiB/s kept up with: %s\n", met ? "yes" : "NO");

  return 0;
}
