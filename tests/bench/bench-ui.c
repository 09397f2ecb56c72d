/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

#include "pg-application.h"
#include "pg-window.h"

/* How the window feels: time from creating it to its first frame (against a bare libadwaita
 * window in the same run), and the worst frame while scrolling through 10,000 links (against a
 * 60 Hz frame). Runs under Xvfb with the local S3 server of tests/with-s3-server.sh. */

#define N_LINKS 10000

static gint64 first_frame;
static GArray *frame_times;

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (first_frame == 0)
    first_frame = now;
  if (frame_times != NULL)
    g_array_append_val (frame_times, now);
}

/* Microseconds from now until @window has painted its first frame. */
static gint64
time_to_first_frame (GtkWidget *window)
{
  gint64 start = g_get_monotonic_time ();
  gulong handler;
  GdkFrameClock *clock;

  first_frame = 0;
  gtk_window_present (GTK_WINDOW (window));
  clock = gtk_widget_get_frame_clock (window);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), NULL);
  while (first_frame == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, handler);

  return first_frame - start;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

static void
check (gboolean      ok,
       const GError *error)
{
  if (!ok)
    {
      g_printerr ("bench-ui: %s\n", error ? error->message : "failed");
      exit (1);
    }
}

/* An account on the local server, its secrets in a file keyring, and 10,000 links. */
static void
prepare_profile (const char *endpoint_url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (endpoint_url, "us-east-1", TRUE, NULL);
  g_autoptr(PgCredentials) owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, NULL);
  g_autoptr(PgS3Client) client = pg_s3_client_new (endpoint, owner, NULL);
  g_autoptr(GAsyncResult) created = NULL;
  g_autofree char *bucket = g_strdup_printf ("bench-ui-%08x", g_random_int ());

  pg_s3_client_create_bucket_async (client, bucket, NULL, store_result, &created);
  check (pg_s3_client_create_bucket_finish (client, wait_for (&created), &error), error);

  /* The demo account path of the application makes the account and its keyring entries. */
  g_setenv ("PRESIGN_GUARD_DEMO_ENDPOINT", endpoint_url, TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_BUCKET", bucket, TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_MANAGER_KEY", "OWNERKEY", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_MANAGER_SECRET", "OWNERSECRET", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_KEY", "PRESIGNKEY", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_SECRET", "PRESIGNSECRET", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_ARN", "arn:aws:iam:::user/owner:presign", TRUE);
}

static void
add_links (PgApplication *app)
{
  PgLinkService *service = pg_application_get_link_service (app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (app);
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < N_LINKS; i++)
    {
      g_autofree char *key = g_strdup_printf ("reports/%05u/見積書 %u.pdf", i, i);
      PgPresignOptions options = {
        .method = i % 3 ? PG_METHOD_GET : PG_METHOD_PUT, .bucket = pg_account_get_bucket (account),
        .key = key, .expires = 86400 * (1 + i % 7),
      };
      g_autoptr(PgLink) link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");

      if (i % 5 == 0)
        pg_link_set_state (link, PG_LINK_REVOKED);
      pg_link_store_add (store, link);
    }
}

static gboolean
account_ready (PgApplication *app)
{
  return pg_application_get_account (app) != NULL;
}

static gboolean
window_ready (PgWindow *window)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), PG_TYPE_WINDOW,
                                                              "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "main") == 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("bench-ui-XXXXXX", NULL);
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);
  const char *endpoint = g_getenv ("PG_TEST_S3_ENDPOINT");
  PgApplication *app;
  GtkWidget *bare;
  GtkWidget *window;
  GtkAdjustment *adjustment;
  gint64 bare_us;
  gint64 app_us;
  gint64 worst = 0;
  gint64 build_start;

  if (endpoint == NULL)
    {
      g_printerr ("bench-ui: set PG_TEST_S3_ENDPOINT (run through tests/with-s3-server.sh)\n");
      return 2;
    }

  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "bench", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_init ();
  adw_init ();
  prepare_profile (endpoint);

  /* The reference: a bare libadwaita window with a status page. */
  bare = adw_window_new ();
  adw_window_set_content (ADW_WINDOW (bare), adw_status_page_new ());
  gtk_window_set_default_size (GTK_WINDOW (bare), 1100, 700);
  bare_us = time_to_first_frame (bare);
  gtk_window_destroy (GTK_WINDOW (bare));

  app = pg_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  check (g_application_register (G_APPLICATION (app), NULL, &error), error);
  while (!account_ready (app))
    g_main_context_iteration (NULL, TRUE);

  build_start = g_get_monotonic_time ();
  add_links (app);
  window = GTK_WIDGET (pg_window_new (app));
  app_us = time_to_first_frame (window);
  while (!window_ready (PG_WINDOW (window)))
    g_main_context_iteration (NULL, TRUE);

  printf ("first frame: bare window %.1f ms, Presign Guard %.1f ms with %d links: %.1f× the bare "
          "window\n", bare_us / 1000.0, app_us / 1000.0, N_LINKS, (double) app_us / bare_us);
  printf ("10,000 links added and window shown in %.1f ms\n",
          (g_get_monotonic_time () - build_start) / 1000.0);

  /* Scroll from top to bottom in 200 steps, one per frame, and keep the slowest frame. */
  adjustment = gtk_scrollable_get_vadjustment (
    GTK_SCROLLABLE (gtk_widget_get_template_child (window, PG_TYPE_WINDOW, "links_view")));
  frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), NULL);
  for (guint step = 0; step <= 200; step++)
    {
      double upper = gtk_adjustment_get_upper (adjustment)
                     - gtk_adjustment_get_page_size (adjustment);
      guint painted = frame_times->len;

      gtk_adjustment_set_value (adjustment, upper * step / 200.0);
      gtk_widget_queue_draw (window);
      while (frame_times->len == painted)
        g_main_context_iteration (NULL, TRUE);
    }
  for (guint i = 1; i < frame_times->len; i++)
    worst = MAX (worst, g_array_index (frame_times, gint64, i)
                        - g_array_index (frame_times, gint64, i - 1));

  printf ("scrolling 10,000 links: %u frames, worst %.1f ms = %.2f× a 60 Hz frame (16.7 ms)\n",
          frame_times->len, worst / 1000.0, worst / 16667.0);

  return 0;
}
