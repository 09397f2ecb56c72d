/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-download"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pg-s3-client.h"
#include "test-async.h"

/* Downloads against the local Ceph gateway (PG_TEST_S3_ENDPOINT): an object of several pieces
 * arrives whole and in order, with progress; a cancelled or failed download leaves the file
 * that was there untouched and no half file; a missing object says so. And copies on the
 * server (a link's private copy): in parts above the copy threshold, the copy the same bytes. */

static PgS3Client *client;
static char *bucket;
static char *directory;   /* the downloads' own, so leftovers are ours */

/* 9 MiB and a bit: three pieces, the last one short. */
static GBytes *
pattern (void)
{
  gsize size = 9 * 1024 * 1024 + 12345;
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 2654435761u) >> 13);

  return g_bytes_new_take (data, size);
}

static void
put (const char *key,
     GBytes     *contents)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  int fd = g_file_open_tmp ("test-download-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (contents, NULL),
                                      g_bytes_get_size (contents), NULL));
  file = g_file_new_for_path (path);
  pg_s3_client_put_object_async (client, bucket, key, file, NULL, NULL, NULL, NULL, test_store_result,
                                 &result);
  g_assert_true (pg_s3_client_put_object_finish (client, test_wait_for (&result), &error));
  g_assert_no_error (error);
  g_unlink (path);
}

typedef struct
{
  goffset       last;
  guint         calls;
  GCancellable *cancel_after_first;
} Progress;

static void
progress_cb (goffset  current,
             goffset  total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpint (current, >=, progress->last);
  g_assert_cmpint (current, <=, total);
  progress->last = current;
  progress->calls++;
  if (progress->cancel_after_first != NULL && current > 0)
    g_cancellable_cancel (progress->cancel_after_first);
}

static gboolean
download (const char    *key,
          GFile         *destination,
          Progress      *progress,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_s3_client_download_async (client, bucket, key, destination, progress_cb, progress,
                               cancellable, test_store_result, &result);

  return pg_s3_client_download_finish (client, test_wait_for (&result), error);
}

static GFile *
destination (const char *name)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);

  g_unlink (path);

  return g_file_new_for_path (path);
}

/* The files in the downloads' directory: @file, and any temporary file a replace left. */
static guint
count_siblings (GFile *file)
{
  g_autoptr(GFile) parent = g_file_get_parent (file);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (parent, "standard::name",
                                                                   G_FILE_QUERY_INFO_NONE, NULL,
                                                                   NULL);
  GFileInfo *info;
  guint n = 0;

  while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      n++;
      g_object_unref (info);
    }

  return n;
}

static void
test_whole (void)
{
  g_autoptr(GBytes) contents = pattern ();
  g_autoptr(GFile) file = destination ("test-download whole ✓.bin");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL;
  Progress progress = { 0 };

  put ("received/big file ✓+%.bin", contents);
  g_assert_true (download ("received/big file ✓+%.bin", file, &progress, NULL, &error));
  g_assert_no_error (error);
  got = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, contents));
  g_assert_cmpint (progress.last, ==, g_bytes_get_size (contents));
  /* The start, and one call per piece. */
  g_assert_cmpuint (progress.calls, ==, 4);
  g_file_delete (file, NULL, NULL);
}

static void
test_cancelled_keeps_old (void)
{
  g_autoptr(GBytes) contents = pattern ();
  g_autoptr(GFile) file = destination ("test-download-cancelled.bin");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *kept = NULL;
  Progress progress = { .cancel_after_first = cancellable };

  put ("received/cancelled.bin", contents);
  g_assert_true (g_file_replace_contents (file, "the old file", 12, NULL, FALSE,
                                          G_FILE_CREATE_NONE, NULL, NULL, &error));
  g_assert_false (download ("received/cancelled.bin", file, &progress, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_load_contents (file, NULL, &kept, NULL, NULL, NULL));
  g_assert_cmpstr (kept, ==, "the old file");
  g_assert_cmpuint (count_siblings (file), ==, 1);
  g_file_delete (file, NULL, NULL);
}

static void
test_missing (void)
{
  g_autoptr(GFile) file = destination ("test-download-missing.bin");
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };

  g_assert_false (download ("received/not there.bin", file, &progress, NULL, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY);
  g_assert_false (g_file_query_exists (file, NULL));
  g_assert_cmpuint (progress.calls, ==, 0);
}

static gboolean
copy (const char  *key,
      const char  *new_key,
      guint64      size,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pg_s3_client_copy_object_sized_async (client, bucket, key, new_key, size, "application/pdf",
                                        NULL, test_store_result, &result);

  return pg_s3_client_copy_object_sized_finish (client, test_wait_for (&result), error);
}

/* 9 MiB over a 5 MiB threshold: two parts copied by the server (UploadPartCopy). */
static void
test_copy_in_parts (void)
{
  g_autoptr(GBytes) contents = pattern ();
  g_autoptr(GFile) file = destination ("test-download-copy.bin");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgS3Object) head = NULL;
  Progress progress = { 0 };

  put ("shared/original + ✓.bin", contents);
  pg_s3_client_set_copy_threshold (client, 5 * 1024 * 1024);
  copy ("shared/original + ✓.bin", ".presign-guard/copies/x/original ✓.bin",
        g_bytes_get_size (contents), &error);
  g_assert_no_error (error);

  pg_s3_client_head_object_async (client, bucket, ".presign-guard/copies/x/original ✓.bin",
                                  NULL, test_store_result, &result);
  head = pg_s3_client_head_object_finish (client, test_wait_for (&result), &error);
  g_assert_no_error (error);
  /* Assembled from parts: S3's ETag of a multipart object ends with its number of parts. */
  g_assert_true (g_str_has_suffix (head->etag, "-2\""));
  g_assert_cmpstr (head->content_type, ==, "application/pdf");

  g_assert_true (download (".presign-guard/copies/x/original ✓.bin", file, &progress, NULL,
                           &error));
  g_assert_no_error (error);
  got = g_file_load_bytes (file, NULL, NULL, &error);
  g_assert_true (g_bytes_equal (got, contents));
  g_file_delete (file, NULL, NULL);

  /* Ceph RGW 16.2 stops on a copy in parts of a file named so: refused before it is sent. */
  put ("shared/original +%.bin", contents);
  g_assert_false (copy ("shared/original +%.bin", "shared/copy.bin",
                        g_bytes_get_size (contents), &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED);
  g_clear_error (&error);

  /* Below the threshold, one CopyObject: any name. */
  copy ("shared/original +%.bin", "shared/one piece.bin", 1, &error);
  g_assert_no_error (error);
  pg_s3_client_set_copy_threshold (client, G_MAXUINT64);
}

static void
test_copy_missing (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (copy ("shared/not there.bin", "shared/copy.bin", 1, &error));
  g_assert_error (error, PG_S3_ERROR, PG_S3_ERROR_NO_SUCH_KEY);
  g_clear_error (&error);
  pg_s3_client_set_copy_threshold (client, 5 * 1024 * 1024);
  g_assert_false (copy ("shared/not there.bin", "shared/copy.bin", 12 * 1024 * 1024, &error));
  g_assert_nonnull (error);
  pg_s3_client_set_copy_threshold (client, G_MAXUINT64);
}

int
main (int   argc,
      char *argv[])
{
  const char *endpoint_url = g_getenv ("PG_TEST_S3_ENDPOINT");
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgCredentials) owner = NULL;
  g_autoptr(GAsyncResult) created = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  directory = g_dir_make_tmp ("test-download-XXXXXX", &error);
  g_assert_no_error (error);
  if (endpoint_url == NULL)
    g_error ("test-download needs PG_TEST_S3_ENDPOINT (run it through tests/with-s3-server.sh)");

  endpoint = pg_endpoint_new (endpoint_url, "us-east-1", TRUE, &error);
  g_assert_no_error (error);
  owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, &error);
  g_assert_no_error (error);
  client = pg_s3_client_new (endpoint, owner, NULL);
  bucket = g_strdup_printf ("download-%08x", g_random_int ());
  pg_s3_client_create_bucket_async (client, bucket, NULL, test_store_result, &created);
  g_assert_true (pg_s3_client_create_bucket_finish (client, test_wait_for (&created), &error));
  g_assert_no_error (error);

  g_test_add_func ("/pg/download/whole", test_whole);
  g_test_add_func ("/pg/download/cancelled-keeps-old", test_cancelled_keeps_old);
  g_test_add_func ("/pg/download/missing", test_missing);
  g_test_add_func ("/pg/download/copy-in-parts", test_copy_in_parts);
  g_test_add_func ("/pg/download/copy-missing", test_copy_missing);
  ret = g_test_run ();

  g_clear_object (&client);
  g_free (bucket);
  g_rmdir (directory);
  g_free (directory);

  return ret;
}
