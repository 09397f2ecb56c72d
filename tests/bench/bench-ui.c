/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-ui"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pg-application.h"
#include "pg-link-row.h"
#include "pg-link-store.h"
#include "pg-window-private.h"

/* How the list of links feels with 10,000 links, against the best GTK can do in the same run:
 * a bare window of the same size holding a GtkScrolledWindow and a GtkListView of 10,000 plain
 * GtkLabels. The list of links is measured in the same bare window, made as the main window
 * makes it (the link service's store filtered to the account, a single selection, the rows of
 * pg_link_row_factory_new()); only the model and the rows differ. Both are measured the same
 * way, interleaved, after one warm-up run each (the first window of a process pays for the
 * theme, the icons and the fonts), and the median of three runs is compared with the targets:
 *
 *   build: the model filled one item at a time, the window created, and its first frame with
 *          the list on screen — at most 1.5× the bare list;
 *   scroll: the worst frame (time between two painted frames) while scrolling from top to
 *          bottom in the same number of steps, one step a frame — at most 1.5× the bare list.
 *
 * The main window itself is measured too, with the same 10,000 links and without links, for
 * what a person waits for; it has no target (its header bar, file browser and panes cost more
 * than the bare window before any list). It shows its list once the account's session is up and
 * the bucket has been listed. Those round trips to the server are not the list's cost: when the
 * list comes after the window's first frame, the time the main thread spent idle in poll() until
 * then is left out, and printed apart.
 *
 * A benchmark reports; it does not fail on a missed target. It exits non-zero only when a
 * measurement could not be made. Runs under Xvfb with the local S3 server of
 * tests/with-s3-server.sh. */

#define N_ROWS          10000
#define N_STEPS         200
#define N_RUNS          3
#define TARGET          1.5
#define WINDOW_WIDTH    1100
#define WINDOW_HEIGHT   700
#define TIMEOUT_SECONDS 60

typedef struct
{
  gint64 build;    /* µs, the model, the window and its first frame with the list */
  gint64 worst;    /* µs, the worst frame while scrolling */
  guint  frames;   /* frames painted while scrolling */

  /* Presign Guard only: where the build time goes, and the server's share left out. */
  gint64 added;
  gint64 first_frame;
  gint64 list_shown;
  gint64 server_wait;
} Measurement;

/* ---- Helpers ---------------------------------------------------------------------------- */

G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN static void
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-ui: ", stderr);
  vfprintf (stderr, format, args);
  fputs (" — no measurement\n", stderr);
  va_end (args);
  exit (1);
}

/* Time the main thread spends blocked in poll(), that is, waiting for something to happen. */
static gint64 idle_us;

static int
timed_poll (GPollFD *fds,
            guint    n_fds,
            int      timeout)
{
  gint64 start = g_get_monotonic_time ();
  int ret = g_poll (fds, n_fds, timeout);

  idle_us += g_get_monotonic_time () - start;

  return ret;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds; exits when it does not within a minute. */
static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
  guint wake = 0;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        fail ("timed out waiting for %s", what);
      /* Something to wake the loop when nothing else does, so the deadline is seen. */
      if (wake == 0)
        wake = g_timeout_add (250, wake_cb, NULL);
      g_main_context_iteration (NULL, TRUE);
    }
  g_clear_handle_id (&wake, g_source_remove);
}

/* The frames a window paints: when, and how much idle time the main thread had had by then. */
typedef struct
{
  GdkFrameClock *clock;
  gulong         handler;
  GArray        *times;
  GArray        *idle;
} Frames;

static void
after_paint_cb (GdkFrameClock *clock,
                Frames        *frames)
{
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (frames->times, now);
  g_array_append_val (frames->idle, idle_us);
}

static void
frames_watch (Frames    *frames,
              GtkWidget *window)
{
  gtk_widget_realize (window);
  frames->clock = gtk_widget_get_frame_clock (window);
  frames->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  frames->idle = g_array_new (FALSE, FALSE, sizeof (gint64));
  frames->handler = g_signal_connect (frames->clock, "after-paint", G_CALLBACK (after_paint_cb),
                                      frames);
}

static void
frames_unwatch (Frames *frames)
{
  g_clear_signal_handler (&frames->handler, frames->clock);
  g_clear_pointer (&frames->times, g_array_unref);
  g_clear_pointer (&frames->idle, g_array_unref);
}

static gint64
frame_time (Frames *frames,
            guint   i)
{
  return g_array_index (frames->times, gint64, i);
}

static gboolean
painted (gpointer data)
{
  return ((Frames *) data)->times->len > 0;
}

typedef struct
{
  Frames *frames;
  guint   after;
} PaintAfter;

static gboolean
painted_after (gpointer data)
{
  PaintAfter *wait = data;

  return wait->frames->times->len > wait->after;
}

/* Scrolls @view from top to bottom in N_STEPS steps, one painted frame each, and returns the
 * longest time between two frames. */
static gint64
scroll_through (GtkWidget *view,
                Frames    *frames,
                guint     *n_frames)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  PaintAfter settled = { frames, frames->times->len };
  guint first;
  gint64 worst = 0;

  if (adjustment == NULL)
    fail ("the list has no vertical adjustment");

  /* Time runs from a frame painted right before the first step. */
  gtk_widget_queue_draw (view);
  wait_until (painted_after, &settled, "a frame before scrolling");
  first = frames->times->len - 1;

  for (guint step = 1; step <= N_STEPS; step++)
    {
      /* The height of rows not yet seen is an estimate: take the bottom as it is now. */
      double bottom = gtk_adjustment_get_upper (adjustment)
                      - gtk_adjustment_get_page_size (adjustment);
      PaintAfter wait = { frames, frames->times->len };

      if (bottom <= 0)
        fail ("the list does not scroll");
      gtk_adjustment_set_value (adjustment, bottom * step / N_STEPS);
      gtk_widget_queue_draw (view);
      wait_until (painted_after, &wait, "a frame while scrolling");
    }

  for (guint i = first + 1; i < frames->times->len; i++)
    worst = MAX (worst, frame_time (frames, i) - frame_time (frames, i - 1));
  *n_frames = frames->times->len - first - 1;

  return worst;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Destroys @window and waits until it is gone, so the next run starts from the same place. */
static void
close_window (GtkWidget *window)
{
  gpointer weak = window;

  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_until (is_null, &weak, "the window to be finalized");
}

static char *
row_text (guint i)
{
  /* The links' keys, so that both lists shape the same text (Japanese takes a fallback font). */
  return g_strdup_printf ("reports/%05u/見積書 %u.pdf", i, i);
}

/* ---- The reference: a bare GtkListView of plain labels ---------------------------------- */

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

/* A bare window of @view in a scrolled window: its first frame since @start, then scrolling. */
static Measurement
measure_list (GtkWidget *view,
              gint64     start)
{
  Measurement m = { 0 };
  Frames frames = { 0 };
  GtkWidget *window;
  GtkWidget *scrolled;

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), WINDOW_WIDTH, WINDOW_HEIGHT);
  adw_window_set_content (ADW_WINDOW (window), scrolled);

  frames_watch (&frames, window);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (painted, &frames, "the first frame of the list");
  m.build = frame_time (&frames, 0) - start;

  m.worst = scroll_through (view, &frames, &m.frames);

  frames_unwatch (&frames);
  close_window (window);

  return m;
}

static Measurement
measure_bare (void)
{
  gint64 start = g_get_monotonic_time ();
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autofree char *text = row_text (i);

      gtk_string_list_append (strings, text);
    }

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);

  return measure_list (gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (
                                            G_LIST_MODEL (strings))), factory), start);
}

/* ---- Presign Guard ---------------------------------------------------------------------- */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* An account on the local server, its secrets in a file keyring. */
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
  wait_until (is_set, &created, "the bucket to be created");
  if (!pg_s3_client_create_bucket_finish (client, created, &error))
    fail ("could not create a bucket: %s", error->message);

  /* The demo account path of the application makes the account and its keyring entries. */
  g_setenv ("PRESIGN_GUARD_DEMO_ENDPOINT", endpoint_url, TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_BUCKET", bucket, TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_MANAGER_KEY", "OWNERKEY", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_MANAGER_SECRET", "OWNERSECRET", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_KEY", "PRESIGNKEY", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_SECRET", "PRESIGNSECRET", TRUE);
  g_setenv ("PRESIGN_GUARD_DEMO_SIGNER_ARN", "arn:aws:iam:::user/owner:presign", TRUE);
}

/* @n_links links, added one at a time as the link dialog adds them; every fifth one revoked. */
static GPtrArray *
add_links (PgApplication *app,
           guint          n_links)
{
  PgLinkService *service = pg_application_get_link_service (app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (app);
  GPtrArray *links = g_ptr_array_new_full (n_links, g_object_unref);

  for (guint i = 0; i < n_links; i++)
    {
      g_autofree char *key = row_text (i);
      PgPresignOptions options = {
        .method = i % 3 ? PG_METHOD_GET : PG_METHOD_PUT, .bucket = pg_account_get_bucket (account),
        .key = key, .expires = 86400 * (1 + i % 7),
      };
      PgLink *link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");

      if (i % 5 == 0)
        pg_link_set_state (link, PG_LINK_REVOKED);
      pg_link_store_add (store, link);
      g_ptr_array_add (links, link);
    }

  return links;
}

static void
remove_links (PgApplication *app,
              GPtrArray     *links)
{
  PgLinkService *service = pg_application_get_link_service (app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));

  /* Newest first: each is then the first of the store. */
  for (guint i = links->len; i > 0; i--)
    pg_link_store_remove (store, g_ptr_array_index (links, i - 1));
}

static gboolean
account_ready (gpointer data)
{
  return pg_application_get_account (data) != NULL;
}

static gboolean
link_of_account (gpointer item,
                 gpointer account_id)
{
  return g_strcmp0 (pg_link_get_account_id (item), account_id) == 0;
}

/* The list of links alone, in the bare window, with the model and rows of the main window. */
static Measurement
measure_links (PgApplication *app)
{
  PgLinkService *service = pg_application_get_link_service (app);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) links = add_links (app, N_ROWS);
  GtkCustomFilter *filter =
    gtk_custom_filter_new (link_of_account,
                           (gpointer) pg_account_get_id (pg_application_get_account (app)), NULL);
  GtkFilterListModel *filtered =
    gtk_filter_list_model_new (g_object_ref (pg_link_service_get_links (service)),
                               GTK_FILTER (filter));
  GtkSingleSelection *selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  Measurement m;

  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  m = measure_list (gtk_list_view_new (GTK_SELECTION_MODEL (selection),
                                       pg_link_row_factory_new ()), start);
  remove_links (app, links);

  return m;
}

/* When the list (or, without links, its empty page) first came on screen. */
typedef struct
{
  Frames   *frames;
  gboolean  mapped;
  guint     painted_before;   /* frames painted by then */
  gint64    idle_before;      /* idle time of the main thread by then */
} Shown;

static void
shown_cb (GtkWidget *widget,
          Shown     *shown)
{
  if (shown->mapped)
    return;

  shown->mapped = TRUE;
  shown->painted_before = shown->frames->times->len;
  shown->idle_before = idle_us;
}

static gboolean
painted_shown (gpointer data)
{
  Shown *shown = data;

  return shown->mapped && shown->frames->times->len > shown->painted_before;
}

/* Adds @n_links links, opens a window and waits for its first frame with the list on screen;
 * then, with links, scrolls through them. */
static Measurement
measure_app (PgApplication *app,
             guint          n_links)
{
  Measurement m = { 0 };
  Frames frames = { 0 };
  Shown shown = { &frames, FALSE, 0, 0 };
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GPtrArray) links = NULL;
  PgWindow *window;
  GtkWidget *list;
  guint first;

  links = add_links (app, n_links);
  m.added = g_get_monotonic_time () - start;

  window = pg_window_new (app);
  list = n_links > 0 ? GTK_WIDGET (window->links_view) : GTK_WIDGET (window->links_stack);
  g_signal_connect (list, "map", G_CALLBACK (shown_cb), &shown);
  frames_watch (&frames, GTK_WIDGET (window));
  gtk_window_present (GTK_WINDOW (window));
  wait_until (painted_shown, &shown, "the list of links on screen");
  g_signal_handlers_disconnect_by_func (list, shown_cb, &shown);
  if (n_links > 0
      && g_strcmp0 (gtk_stack_get_visible_child_name (window->links_stack), "links") != 0)
    fail ("the window shows no list of links");

  m.first_frame = frame_time (&frames, 0) - start - m.added;
  /* When the list came after the first frame, the window was waiting for the server in the
   * meantime: the idle part of that wait is not the list's. */
  first = shown.painted_before;
  if (first > 0)
    m.server_wait = shown.idle_before - g_array_index (frames.idle, gint64, 0);
  m.list_shown = frame_time (&frames, first) - frame_time (&frames, 0) - m.server_wait;
  m.build = m.added + m.first_frame + m.list_shown;

  if (n_links > 0)
    m.worst = scroll_through (GTK_WIDGET (window->links_view), &frames, &m.frames);

  frames_unwatch (&frames);
  close_window (GTK_WIDGET (window));
  remove_links (app, links);

  return m;
}

/* ---- Report ----------------------------------------------------------------------------- */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
median (const Measurement *runs,
        gsize              offset)
{
  gint64 values[N_RUNS];

  for (guint i = 0; i < N_RUNS; i++)
    values[i] = G_STRUCT_MEMBER (gint64, &runs[i], offset);
  qsort (values, N_RUNS, sizeof (gint64), compare_gint64);

  return values[N_RUNS / 2];
}

static void
print_run (const char        *what,
           const Measurement *bare,
           const Measurement *links,
           const Measurement *app,
           const Measurement *empty)
{
  printf ("%s\n"
          "  bare list       build %7.1f ms                  worst frame %6.1f ms (%u frames)\n"
          "  list of links   build %7.1f ms                  worst frame %6.1f ms (%u frames)\n"
          "  main window     build %7.1f ms                  worst frame %6.1f ms (%u frames)\n"
          "                  links added %.1f, window to first frame %.1f, then to the list %.1f "
          "(%.1f waiting for the server, not counted)\n"
          "  without links   build %7.1f ms (window to first frame %.1f, then to the page %.1f)\n",
          what,
          bare->build / 1000.0, bare->worst / 1000.0, bare->frames,
          links->build / 1000.0, links->worst / 1000.0, links->frames,
          app->build / 1000.0, app->worst / 1000.0, app->frames,
          app->added / 1000.0, app->first_frame / 1000.0, app->list_shown / 1000.0,
          app->server_wait / 1000.0,
          empty->build / 1000.0, empty->first_frame / 1000.0, empty->list_shown / 1000.0);
  fflush (stdout);
}

static void
print_result (const char *what,
              gint64      bare,
              gint64      links)
{
  double ratio = (double) links / bare;

  printf ("%-30s %9.1f ms %13.1f ms %8.2f×   %s\n", what, bare / 1000.0, links / 1000.0, ratio,
          ratio <= TARGET ? "within target" : "MISSED");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("bench-ui-XXXXXX", NULL);
  g_autofree char *keyring = g_build_filename (home, "keyring", NULL);
  const char *endpoint = g_getenv ("PG_TEST_S3_ENDPOINT");
  Measurement bare_runs[N_RUNS];
  Measurement links_runs[N_RUNS];
  Measurement app_runs[N_RUNS];
  Measurement empty_runs[N_RUNS];
  Measurement bare_cold;
  Measurement links_cold;
  Measurement app_cold;
  Measurement empty_cold;
  PgApplication *app;
  gint64 bare_build, links_build, app_build, empty_build;
  gint64 bare_worst, links_worst, app_worst;

  if (endpoint == NULL)
    {
      g_printerr ("bench-ui: set PG_TEST_S3_ENDPOINT (run through tests/with-s3-server.sh)\n");
      return 2;
    }

  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("XDG_CACHE_HOME", home, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "bench", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  gtk_init ();
  adw_init ();
  g_main_context_set_poll_func (NULL, timed_poll);
  prepare_profile (endpoint);

  app = pg_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    fail ("could not register the application: %s", error->message);
  wait_until (account_ready, app, "the demo account");

  printf ("ui: %d rows in a %d×%d window, scrolled top to bottom in %d steps; one warm-up run "
          "each, then the median of %d runs\n", N_ROWS, WINDOW_WIDTH, WINDOW_HEIGHT, N_STEPS,
          N_RUNS);
  fflush (stdout);

  /* Interleaved, so that a change of load on the machine hits all alike. */
  bare_cold = measure_bare ();
  links_cold = measure_links (app);
  app_cold = measure_app (app, N_ROWS);
  empty_cold = measure_app (app, 0);
  print_run ("warm-up", &bare_cold, &links_cold, &app_cold, &empty_cold);
  for (guint i = 0; i < N_RUNS; i++)
    {
      g_autofree char *what = g_strdup_printf ("run %u", i + 1);

      bare_runs[i] = measure_bare ();
      links_runs[i] = measure_links (app);
      app_runs[i] = measure_app (app, N_ROWS);
      empty_runs[i] = measure_app (app, 0);
      print_run (what, &bare_runs[i], &links_runs[i], &app_runs[i], &empty_runs[i]);
    }

  bare_build = median (bare_runs, G_STRUCT_OFFSET (Measurement, build));
  links_build = median (links_runs, G_STRUCT_OFFSET (Measurement, build));
  app_build = median (app_runs, G_STRUCT_OFFSET (Measurement, build));
  empty_build = median (empty_runs, G_STRUCT_OFFSET (Measurement, build));
  bare_worst = median (bare_runs, G_STRUCT_OFFSET (Measurement, worst));
  links_worst = median (links_runs, G_STRUCT_OFFSET (Measurement, worst));
  app_worst = median (app_runs, G_STRUCT_OFFSET (Measurement, worst));
  if (bare_build <= 0 || bare_worst <= 0 || links_build <= 0 || links_worst <= 0)
    fail ("a time came out as zero");

  printf ("\n%-30s %12s %16s %9s   target: at most %.1f× the bare list\n", "median", "bare list",
          "list of links", "ratio", TARGET);
  print_result ("model + list + first frame", bare_build, links_build);
  print_result ("worst scrolling frame", bare_worst, links_worst);
  printf ("\nThe main window (no target): with %d links %.1f ms to its list, worst scrolling "
          "frame %.1f ms;\nwithout links %.1f ms. The same window's list costs %.1f ms on top of "
          "the window.\n", N_ROWS, app_build / 1000.0, app_worst / 1000.0, empty_build / 1000.0,
          (app_build - empty_build) / 1000.0);

  g_object_unref (app);

  return 0;
}
