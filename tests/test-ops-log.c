/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ops-log"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "pg-ops-log.h"
#include "test-async.h"

/* The Ceph RGW ops log as a source of use events: lines as Ceph 16 writes them (its query
 * string twice), path-style and virtual-hosted requests, console requests signed in headers,
 * garbage; and the log read from where it stopped — whole lines only, across a restart, after
 * a rotation or a truncation (none of a request lost), and a lot of it at once. */

#define LINK_LINE \
  "{\"bucket\":\"ops1\",\"time\":\"2026-11-29T05:41:54.657151Z\",\"remote_addr\":\"203.0.113.7\"," \
  "\"user\":\"owner\",\"operation\":\"get_obj\",\"uri\":\"GET /ops1/a%20b%2B%25.txt?X-Amz-Algorithm=" \
  "AWS4-HMAC-SHA256&X-Amz-Credential=PRESIGNKEY%2F20261129%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-" \
  "Date=20261129T054154Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=efae08?X-Amz-" \
  "Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=OTHERKEY%2F20261129%2Fus-east-1%2Fs3%2Faws4_request" \
  "&X-Amz-Date=20200101T000000Z HTTP/1.1\",\"http_status\":\"200\",\"access_key_id\":\"PRESIGNKEY\"," \
  "\"subuser\":\"presign\"}"

static void
test_parse_link (void)
{
  g_autoptr(PgUseEvent) event = pg_use_event_from_ops_log (LINK_LINE, strlen (LINK_LINE), "x:1");

  g_assert_nonnull (event);
  g_assert_cmpstr (event->id, ==, "x:1");
  g_assert_cmpstr (event->bucket, ==, "ops1");
  g_assert_cmpstr (event->key, ==, "a b+%.txt");
  g_assert_cmpstr (event->method, ==, "GET");
  g_assert_true (event->presigned);
  /* The request's own query string, not Ceph's repetition. */
  g_assert_cmpstr (event->access_key_id, ==, "PRESIGNKEY");
  g_assert_cmpint (event->signed_at, ==, 1795930914);
  g_assert_cmpstr (event->remote_addr, ==, "203.0.113.7");
  g_assert_cmpint (event->time, ==, 1795930914);
  g_assert_cmpuint (event->status, ==, 200);
}

static void
test_parse_others (void)
{
  static const char *console =
    "{\"bucket\":\"ops1\",\"time\":\"2026-11-29T05:41:52Z\",\"uri\":\"GET /ops1/a.txt HTTP/1.1\","
    "\"http_status\":\"200\",\"access_key_id\":\"PRESIGNKEY\"}";
  static const char *virtual_host =
    "{\"bucket\":\"ops1\",\"time\":\"2026-11-29T05:41:52Z\",\"uri\":\"PUT /in/x.pdf?X-Amz-Date="
    "20261129T054154Z&X-Amz-Credential=K%2Fx&X-Amz-Signature=ab HTTP/1.1\",\"http_status\":\"403\"}";
  static const char *garbage[] = {
    "", "not json", "[1,2]", "{\"uri\":\"GET /a HTTP/1.1\",\"http_status\":\"200\"}",
    "{\"bucket\":\"b\",\"uri\":\"GET\",\"http_status\":\"200\"}",
    "{\"bucket\":\"b\",\"uri\":\"GET /b/k?X-Amz-Signature=1&X-Amz-Date=soon HTTP/1.1\","
    "\"http_status\":\"200\"}",
    "{\"bucket\":\"b\",\"uri\":\"GET /b/%zz HTTP/1.1\",\"http_status\":\"200\"}",
  };
  g_autoptr(PgUseEvent) header = pg_use_event_from_ops_log (console, strlen (console), "c");
  g_autoptr(PgUseEvent) put = pg_use_event_from_ops_log (virtual_host, strlen (virtual_host), "v");

  /* Signed in headers: a request, not a link's. */
  g_assert_nonnull (header);
  g_assert_false (header->presigned);
  g_assert_cmpint (header->signed_at, ==, 0);
  g_assert_cmpstr (header->access_key_id, ==, "PRESIGNKEY");
  /* Virtual-hosted: the whole path is the key. */
  g_assert_nonnull (put);
  g_assert_cmpstr (put->key, ==, "in/x.pdf");
  g_assert_cmpstr (put->method, ==, "PUT");
  g_assert_cmpstr (put->access_key_id, ==, "K");
  g_assert_cmpuint (put->status, ==, 403);

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    g_assert_null (pg_use_event_from_ops_log (garbage[i], strlen (garbage[i]), "g"));
}

static guint
read_count (PgOpsLog *log)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;

  pg_ops_log_read_async (log, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  events = pg_ops_log_read_finish (log, result, &error);
  g_assert_no_error (error);

  return events->len;
}

static void
append (const char *path,
        const char *text)
{
  FILE *file = g_fopen (path, "ab");

  g_assert_nonnull (file);
  fputs (text, file);
  fclose (file);
}

static void
test_tail (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  g_autofree char *rotated = g_build_filename (dir, "ops.log.1", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  PgOpsLog *log;

  g_assert_no_error (error);
  /* What was logged before the first watcher started is not its business. */
  append (path, LINK_LINE "\n");
  log = pg_ops_log_new (path, state);
  g_assert_cmpuint (read_count (log), ==, 0);
  g_assert_true (pg_ops_log_commit (log, NULL));

  /* Whole requests only: half of one waits for its end. */
  append (path, LINK_LINE "\n" LINK_LINE "\n{\"bucket\":\"ops1\",");
  g_assert_cmpuint (read_count (log), ==, 2);
  g_assert_cmpuint (read_count (log), ==, 0);
  append (path, "\"uri\":\"GET /ops1/k?X-Amz-Signature=1&X-Amz-Date=20261129T054154Z "
          "HTTP/1.1\",\"http_status\":\"200\"}\n");
  g_assert_cmpuint (read_count (log), ==, 1);
  /* Signed in its headers: no link's request, not read. */
  append (path, "{\"bucket\":\"ops1\",\"uri\":\"GET /ops1/k HTTP/1.1\",\"http_status\":\"200\"}\n");
  g_assert_cmpuint (read_count (log), ==, 0);

  /* Read but not committed: a restarted watcher reads it again; committed: it does not. */
  append (path, LINK_LINE "\n");
  g_assert_cmpuint (read_count (log), ==, 1);
  pg_ops_log_free (log);
  log = pg_ops_log_new (path, state);
  g_assert_cmpuint (read_count (log), ==, 4);
  g_assert_true (pg_ops_log_commit (log, NULL));
  pg_ops_log_free (log);
  log = pg_ops_log_new (path, state);
  g_assert_cmpuint (read_count (log), ==, 0);

  /* Rotated: the new file from its start. */
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  g_assert_cmpuint (read_count (log), ==, 0);
  append (path, LINK_LINE "\n");
  g_assert_cmpuint (read_count (log), ==, 1);
  g_assert_true (pg_ops_log_commit (log, NULL));

  /* The place is written when it moved, not every time it is kept. */
  g_assert_cmpint (g_unlink (state), ==, 0);
  g_assert_cmpuint (read_count (log), ==, 0);
  g_assert_true (pg_ops_log_commit (log, NULL));
  g_assert_false (g_file_test (state, G_FILE_TEST_EXISTS));
  append (path, LINK_LINE "\n");
  g_assert_cmpuint (read_count (log), ==, 1);
  g_assert_true (pg_ops_log_commit (log, NULL));
  g_assert_true (g_file_test (state, G_FILE_TEST_EXISTS));

  /* Truncated in place: from its start too. */
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  append (path, LINK_LINE "\n");
  g_assert_cmpuint (read_count (log), ==, 1);

  pg_ops_log_free (log);

  /* A place that cannot be kept (its folder is gone) says so. */
  {
    g_autofree char *nowhere = g_build_filename (dir, "gone", "state", NULL);
    g_autoptr(GError) kept = NULL;

    log = pg_ops_log_new (path, nowhere);
    g_assert_false (pg_ops_log_commit (log, &kept));
    g_assert_error (kept, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    pg_ops_log_free (log);
  }

  g_unlink (path);
  g_unlink (rotated);
  g_unlink (state);
  g_rmdir (dir);
}

/* Ceph writes a batch of requests on one line, one object right after another (seen on Ceph
 * 16: "{…}{…}\n"). Each is read, each with an id of its own; braces and quotes inside strings
 * are text; a request broken by a newline, or too long, is passed over. */
static void
test_batched (void)
{
  static const char tricky[] =
    "{\"bucket\":\"ops1\",\"uri\":\"GET /ops1/a}b\\\"{c%7D HTTP/1.1\",\"http_status\":\"200\","
    "\"user_agent\":\"\\\\\"}";
  g_autofree char *batch = g_strconcat ("  ", LINK_LINE, LINK_LINE, "x", tricky, "\n",
                                        "{\"bucket\":\"ops1\",\"uri\":\"GET", "\n",
                                        LINK_LINE, NULL);
  g_autoptr(GString) long_one = g_string_new ("{\"bucket\":\"ops1\",\"uri\":\"GET /ops1/");
  g_autofree char *second_id = g_strdup_printf ("log:%" G_GSIZE_FORMAT, 102 + strlen (LINK_LINE));
  g_autoptr(GPtrArray) events = NULL;
  PgUseEvent *event;
  gsize used;

  events = pg_use_events_from_ops_log (batch, strlen (batch), "log", 100, &used);
  g_assert_cmpuint (events->len, ==, 4);
  g_assert_cmpstr (((PgUseEvent *) g_ptr_array_index (events, 0))->id, ==, "log:102");
  g_assert_cmpstr (((PgUseEvent *) g_ptr_array_index (events, 1))->id, ==, second_id);
  event = g_ptr_array_index (events, 2);
  g_assert_cmpstr (event->key, ==, "a}b\"{c}");
  g_assert_cmpstr (((PgUseEvent *) g_ptr_array_index (events, 3))->method, ==, "GET");
  /* Read through the last whole request, though its batch's newline is not written yet. */
  g_assert_cmpuint (used, ==, strlen (batch));
  g_ptr_array_unref (g_steal_pointer (&events));

  /* Not whole yet: nothing used. */
  events = pg_use_events_from_ops_log (LINK_LINE, strlen (LINK_LINE) - 1, "log", 0, &used);
  g_assert_cmpuint (events->len, ==, 0);
  g_assert_cmpuint (used, ==, 0);
  g_ptr_array_unref (g_steal_pointer (&events));

  /* Too long to be a link's request: passed over, and what follows is read. */
  while (long_one->len <= PG_OPS_LOG_MAX_REQUEST)
    g_string_append (long_one, "a");
  g_string_append (long_one, " HTTP/1.1\",\"http_status\":\"200\"}" LINK_LINE "\n");
  events = pg_use_events_from_ops_log (long_one->str, long_one->len, "log", 0, &used);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpuint (used, ==, long_one->len);
}

/* A read of the log's greatest size that holds nothing whole is passed over: the log is read on
 * after it, never stuck. */
static void
test_nothing_whole (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  g_autofree char *filler = g_strnfill (5 * 1024 * 1024, 'x');
  g_autofree char *endless = g_strconcat ("{\"bucket\":\"", filler, NULL);
  PgOpsLog *log;

  g_assert_no_error (error);
  append (path, "");
  log = pg_ops_log_new (path, NULL);
  append (path, endless);
  g_assert_cmpuint (read_count (log), ==, 0);
  append (path, "\"}\n" LINK_LINE "\n");
  g_assert_cmpuint (read_count (log), ==, 1);

  pg_ops_log_free (log);
  g_unlink (path);
  g_rmdir (dir);
}

/* A presigned GET of @key as Ceph logs it, with a newline. */
static char *
use_of (const char *key)
{
  return g_strdup_printf ("{\"bucket\":\"ops1\",\"time\":\"2026-11-29T05:41:54Z\","
                          "\"remote_addr\":\"203.0.113.7\",\"uri\":\"GET /ops1/%s?X-Amz-Algorithm="
                          "AWS4-HMAC-SHA256&X-Amz-Credential=PRESIGNKEY%%2F20261129%%2Fus-east-1"
                          "%%2Fs3%%2Faws4_request&X-Amz-Date=20261129T054154Z&X-Amz-Expires=900&"
                          "X-Amz-SignedHeaders=host&X-Amz-Signature=efae08 HTTP/1.1\","
                          "\"http_status\":\"200\",\"user_agent\":\"curl\"}\n", key);
}

static void
append_use (const char *path,
            const char *key)
{
  g_autofree char *line = use_of (key);

  append (path, line);
}

/* The keys of the requests read, in their order, joined by spaces. */
static char *
read_keys (PgOpsLog *log)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GString) keys = g_string_new (NULL);

  pg_ops_log_read_async (log, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  events = pg_ops_log_read_finish (log, result, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    g_string_append_printf (keys, "%s%s", i > 0 ? " " : "",
                            ((PgUseEvent *) g_ptr_array_index (events, i))->key);

  return g_string_free (g_steal_pointer (&keys), FALSE);
}

#define ASSERT_READ(log, expected) \
  G_STMT_START { \
    g_autofree char *keys = read_keys (log); \
    g_assert_cmpstr (keys, ==, expected); \
  } G_STMT_END

/* Rotated right after a use (renamed, a new file made, the writer moved on): the use is read
 * from the old file first, then the new one from its start. The writer may still finish, in the
 * old file, a request it had begun: it is read whole, before the new file's. */
static void
test_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  g_autofree char *rotated = g_build_filename (dir, "ops.log.1", NULL);
  g_autofree char *half = use_of ("half");
  gsize cut = strlen (half) / 2;
  PgOpsLog *log;

  g_assert_no_error (error);
  append_use (path, "before");
  log = pg_ops_log_new (path, NULL);
  ASSERT_READ (log, "");

  /* A use, and at once the rotation: nothing read in between. */
  append_use (path, "used");
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  append_use (path, "new-1");
  ASSERT_READ (log, "used");
  ASSERT_READ (log, "new-1");
  ASSERT_READ (log, "");

  /* Half a request when the log is rotated; the rest written to the old file afterwards. */
  g_assert_cmpint (g_unlink (rotated), ==, 0);
  append (path, "\n");
  {
    g_autofree char *first = g_strndup (half, cut);

    append (path, first);
  }
  ASSERT_READ (log, "");
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  append_use (path, "new-2");
  append (rotated, half + cut);
  append_use (rotated, "late");
  ASSERT_READ (log, "half late");
  ASSERT_READ (log, "new-2");
  append_use (path, "new-3");
  ASSERT_READ (log, "new-3");

  /* Renamed away with no new file yet: the old one is followed meanwhile. */
  g_assert_cmpint (g_unlink (rotated), ==, 0);
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  append_use (rotated, "meanwhile");
  ASSERT_READ (log, "meanwhile");
  append_use (path, "new-4");
  ASSERT_READ (log, "new-4");

  pg_ops_log_free (log);
  g_unlink (path);
  g_unlink (rotated);
  g_rmdir (dir);
}

/* Truncated in place (copytruncate): read from its start again, whether it is shorter than
 * the place read up to or has already grown past it. */
static void
test_truncation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  PgOpsLog *log;

  g_assert_no_error (error);
  append (path, "");
  log = pg_ops_log_new (path, NULL);
  append_use (path, "one");
  append_use (path, "two");
  ASSERT_READ (log, "one two");

  g_assert_cmpint (truncate (path, 0), ==, 0);
  append_use (path, "three");
  ASSERT_READ (log, "three");

  /* Truncated, then written past the place before the next read. */
  g_assert_cmpint (truncate (path, 0), ==, 0);
  append_use (path, "four");
  append_use (path, "five");
  append_use (path, "six");
  ASSERT_READ (log, "four five six");
  ASSERT_READ (log, "");

  pg_ops_log_free (log);
  g_unlink (path);
  g_rmdir (dir);
}

/* A watcher stopped before the log was rotated goes on where it stopped, in the rotated file
 * (FILE.1), then reads the new one. */
static void
test_restart_after_rotation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  g_autofree char *rotated = g_build_filename (dir, "ops.log.1", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  PgOpsLog *log;

  g_assert_no_error (error);
  append (path, "");
  log = pg_ops_log_new (path, state);
  append_use (path, "seen");
  ASSERT_READ (log, "seen");
  g_assert_true (pg_ops_log_commit (log, NULL));
  pg_ops_log_free (log);

  append_use (path, "while-stopped");
  g_assert_cmpint (g_rename (path, rotated), ==, 0);
  append_use (path, "new");

  log = pg_ops_log_new (path, state);
  ASSERT_READ (log, "while-stopped");
  ASSERT_READ (log, "new");
  g_assert_true (pg_ops_log_commit (log, NULL));
  pg_ops_log_free (log);

  log = pg_ops_log_new (path, state);
  ASSERT_READ (log, "");
  pg_ops_log_free (log);

  g_unlink (path);
  g_unlink (rotated);
  g_unlink (state);
  g_rmdir (dir);
}

/* A lot of log at once (a busy gateway, a watcher stopped for a while): read in bounded
 * pieces, each read saying whether more is waiting, none of it lost. Requests are told apart
 * as the JSON reader would, whatever their strings and other members hold. */
static void
test_bulk (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-ops-log-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ops.log", NULL);
  static const char console[] =
    "{\"bucket\":\"ops1\",\"time\":\"2026-11-29T05:41:54Z\",\"uri\":\"GET /ops1/other HTTP/1.1\","
    "\"http_status\":\"200\",\"user_agent\":\"aws-cli/2 {\\\"x\\\": [1]}\"}";
  static const char tricky[] =
    "{ \"http_x_headers\" : [ {\"A\":\"}{\\\"\"} ], \"bucket\" : \"other\" , \"bytes_sent\":12,"
    "\"temp_url\":false,\"bucket\":\"ops1\",\"uri\":\"PUT /ops1/t%7Bq%22?X-Amz-Date=20261129T054154Z"
    "&X-Amz-Credential=K%2Fx&X-Amz-Signature=ab HTTP/1.1\",\"http_status\" :\"403\" ,"
    "\"error_code\":\"AccessDenied\",\"user_agent\":\"Mozilla/5.0 (X11; \\\"q\\\")\"}";
  FILE *file;
  PgOpsLog *log;
  guint uses = 0;
  guint reads = 0;
  guint64 size = 0;

  g_assert_no_error (error);
  append (path, "");
  log = pg_ops_log_new (path, NULL);

  /* 20 MB: a use every hundred requests. */
  file = g_fopen (path, "ab");
  for (guint i = 0; size < 20 * 1000 * 1000; i++)
    {
      g_autofree char *use = use_of ("bulk");

      if (i % 100 == 0)
        {
          fputs (use, file);
          size += strlen (use);
          uses++;
        }
      else
        {
          fputs (console, file);
          fputs ("\n", file);
          size += strlen (console) + 1;
        }
    }
  fprintf (file, "%s%s\n", tricky, LINK_LINE);
  fclose (file);

  for (gboolean more = TRUE; more; reads++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) events = NULL;

      pg_ops_log_read_async (log, NULL, test_store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      events = pg_ops_log_read_finish (log, result, &error);
      g_assert_no_error (error);
      more = pg_ops_log_is_behind (log);
      for (guint i = 0; i < events->len; i++)
        {
          PgUseEvent *event = g_ptr_array_index (events, i);
          g_autoptr(PgUseEvent) whole = NULL;

          if (g_str_equal (event->key, "bulk"))
            {
              uses--;
              continue;
            }
          /* The last two: as the JSON reader reads them whole. */
          whole = g_str_equal (event->key, "t{q\"")
                  ? pg_use_event_from_ops_log (tricky, strlen (tricky), "x")
                  : pg_use_event_from_ops_log (LINK_LINE, strlen (LINK_LINE), "x");
          g_assert_nonnull (whole);
          g_assert_cmpstr (event->bucket, ==, whole->bucket);
          g_assert_cmpstr (event->key, ==, whole->key);
          g_assert_cmpstr (event->method, ==, whole->method);
          g_assert_cmpstr (event->access_key_id, ==, whole->access_key_id);
          g_assert_cmpstr (event->remote_addr, ==, whole->remote_addr);
          g_assert_cmpint (event->signed_at, ==, whole->signed_at);
          g_assert_cmpint (event->time, ==, whole->time);
          g_assert_cmpuint (event->status, ==, whole->status);
          /* What a link's activity keeps of it. */
          g_assert_cmpstr (event->error_code, ==, whole->error_code);
          g_assert_cmpuint (event->bytes_sent, ==, whole->bytes_sent);
          g_assert_cmpstr (event->user_agent, ==, whole->user_agent);
          g_assert_true (event->presigned);
          uses += 100;
        }
    }
  /* All of them, the last two too; in more than one read. */
  g_assert_cmpuint (uses, ==, 200);
  g_assert_cmpuint (reads, >, 1);

  pg_ops_log_free (log);
  g_unlink (path);
  g_rmdir (dir);
}

/* S3's "Object Created" notifications, as Ceph posts them (the key as it is) and as AWS writes
 * them (URL-encoded, a space as "+"): hints, each checked with S3 by the watcher. */
static void
test_s3_notification (void)
{
  static const char ceph[] =
    "{\"Records\":[{\"eventVersion\":\"2.2\",\"eventSource\":\"ceph:s3\",\"eventTime\":"
    "\"2026-11-29T08:23:14.918675Z\",\"eventName\":\"ObjectCreated:Put\",\"requestParameters\":"
    "{\"sourceIPAddress\":\"\"},\"s3\":{\"bucket\":{\"name\":\"b1\"},\"object\":{\"key\":"
    "\"incoming/a b+%.pdf\",\"sequencer\":\"F2E0\"}}},"
    "{\"eventName\":\"ObjectRemoved:Delete\",\"s3\":{\"bucket\":{\"name\":\"b1\"},"
    "\"object\":{\"key\":\"gone.pdf\"}}}, 7, {\"eventName\":\"ObjectCreated:Copy\"}]}";
  static const char aws[] =
    "{\"Records\":[{\"eventSource\":\"aws:s3\",\"eventName\":\"ObjectCreated:Put\","
    "\"requestParameters\":{\"sourceIPAddress\":\"203.0.113.7\"},\"s3\":{\"bucket\":"
    "{\"name\":\"b1\"},\"object\":{\"key\":\"incoming/a+b%2B%25.pdf\"}}}]}";
  static const char *garbage[] = { "", "[]", "{\"Records\":{}}", "{\"Records\":[null]}",
                                   "\x00{", "{\"Records\":[{\"eventName\":7}]}" };
  g_autoptr(GPtrArray) events = pg_use_events_from_s3_notification (ceph, strlen (ceph));
  PgUseEvent *event;

  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_true (event->object_created);
  g_assert_true (event->hint);
  g_assert_cmpstr (event->bucket, ==, "b1");
  g_assert_cmpstr (event->key, ==, "incoming/a b+%.pdf");
  g_assert_null (event->remote_addr);
  g_assert_cmpint (event->time, ==, 1795940594);
  g_assert_nonnull (event->id);
  g_ptr_array_unref (events);

  events = pg_use_events_from_s3_notification (aws, strlen (aws));
  g_assert_cmpuint (events->len, ==, 1);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpstr (event->key, ==, "incoming/a b+%.pdf");
  g_assert_cmpstr (event->remote_addr, ==, "203.0.113.7");

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(GPtrArray) none = pg_use_events_from_s3_notification (garbage[i],
                                                                      strlen (garbage[i]) + 1);

      g_assert_cmpuint (none->len, ==, 0);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/ops-log/parse-link", test_parse_link);
  g_test_add_func ("/pg/ops-log/parse-others", test_parse_others);
  g_test_add_func ("/pg/ops-log/tail", test_tail);
  g_test_add_func ("/pg/ops-log/batched", test_batched);
  g_test_add_func ("/pg/ops-log/nothing-whole", test_nothing_whole);
  g_test_add_func ("/pg/ops-log/rotation", test_rotation);
  g_test_add_func ("/pg/ops-log/truncation", test_truncation);
  g_test_add_func ("/pg/ops-log/restart-after-rotation", test_restart_after_rotation);
  g_test_add_func ("/pg/ops-log/bulk", test_bulk);
  g_test_add_func ("/pg/ops-log/s3-notification", test_s3_notification);

  return g_test_run ();
}
