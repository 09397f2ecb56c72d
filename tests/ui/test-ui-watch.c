/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>

#include "pg-account-dialog.h"
#include "pg-link-dialog.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* Links that close themselves after their first use: closed by an always-on watcher, and by the
 * app itself while it is open. */

static gboolean
link_closed_automatically (gpointer link)
{
  return pg_link_get_closed_at (link) != 0;
}

static gboolean
watched_always_on (gpointer user_data)
{
  GtkWidget *summary = ui_child (ui_window, PG_TYPE_WINDOW, "watcher_summary");
  const char *line = gtk_label_get_label (GTK_LABEL (ui_child (ui_window, PG_TYPE_WINDOW,
                                                               "watcher_label")));
  g_autofree char *start = g_strdup (_("The always-on watcher closes armed links once they are "
                                       "used (last seen %s)."));

  *strstr (start, "%s") = '\0';

  return gtk_widget_get_mapped (summary) && !gtk_widget_has_css_class (summary, "warning")
         && g_str_has_prefix (line, start);
}

/* The always-on watcher (presign-guard-cli watch, as a service would run it, with the account's
 * keys) on the gateway's ops log (tests/with-s3-server.sh). */
static GSubprocess *
spawn_watcher (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GError) error = NULL;
  GSubprocess *watcher;

  g_assert_nonnull (g_getenv ("PG_TEST_OPS_LOG"));
  g_assert_nonnull (g_getenv ("PG_CLI"));
  g_subprocess_launcher_setenv (launcher, "AWS_ACCESS_KEY_ID", "OWNERKEY", TRUE);
  g_subprocess_launcher_setenv (launcher, "AWS_SECRET_ACCESS_KEY", "OWNERSECRET", TRUE);
  g_subprocess_launcher_setenv (launcher, "PG_SIGNER_ACCESS_KEY_ID", "PRESIGNKEY", TRUE);
  g_subprocess_launcher_setenv (launcher, "PG_SIGNER_SECRET_ACCESS_KEY", "PRESIGNSECRET", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "AWS_SHARED_CREDENTIALS_FILE");
  watcher = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PG_CLI"), "watch",
                                         "--endpoint", g_getenv ("PG_TEST_S3_ENDPOINT"),
                                         "--path-style", "--region", "us-east-1",
                                         "--signer-arn", "arn:aws:iam:::user/owner:presign",
                                         "--bucket", ui_bucket,
                                         "--ops-log", g_getenv ("PG_TEST_OPS_LOG"), NULL);
  g_assert_no_error (error);
  g_usleep (2 * G_USEC_PER_SEC);

  return watcher;
}

/* Stops it as systemd would: it ends cleanly. */
static void
stop_watcher (GSubprocess *watcher)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (watcher, SIGTERM);
  g_subprocess_wait (watcher, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watcher));
  g_assert_cmpint (g_subprocess_get_exit_status (watcher), ==, 0);
}

/* A download link armed in the dialog (no grace): once its GET is in the gateway's ops log, the
 * always-on watcher (presign-guard-cli watch, as a service would run it) closes it, and the
 * window says who used it and that it closed by itself, and that a watcher is alive. */
void
test_ui_closes_after_use (void)
{
  g_autoptr(GSubprocess) watcher = NULL;
  g_autoptr(PgLink) before = ui_newest_link ();
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  const char *subtitle;
  GtkWidget *dialog;

  ui_select_file ("armed.pdf");
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                               "arm_switch"))));
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG, "arm_switch")), TRUE);
  g_assert_true (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "grace_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ui_child (dialog, PG_TYPE_LINK_DIALOG, "grace_spin")),
                             0);
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  link = ui_newest_link ();
  g_assert_true (link != before);
  g_assert_cmpint (pg_link_get_arming (link), ==, PG_LINK_ARMING_DOWNLOAD);
  ui_wait_until (ui_row_shown, link, "the link's row");
  subtitle = gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                       "subtitle")));
  g_assert_nonnull (strstr (subtitle, _("Closes after first download")));

  watcher = spawn_watcher ();

  url = ui_copy_link (link);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  ui_wait_until (link_closed_automatically, link, "the link to close itself");
  /* The desktop is told, in the window's words. */
  {
    g_autofree char *text = pg_link_describe_closed_itself (link);
    g_autofree char *notification = g_strdup_printf ("%s\n%s", _("A link closed itself after use"),
                                                     text);

    ui_wait_until (ui_notified, notification, "the desktop notification");
  }
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  ui_wait_until (ui_row_shown, link, "the link's row");
  subtitle = gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                       "subtitle")));
  g_assert_cmpstr (subtitle, ==, _("Closed after use ✓"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link),
                                                                      PG_TYPE_LINK_ROW, "until"))),
                            "127.0.0.1"));
  g_assert_cmpstr (pg_link_get_used_by (link), ==, "127.0.0.1");
  /* The watcher line says who closed it (once the app has read the watcher's heartbeat). */
  ui_wait_until (watched_always_on, NULL, "the watcher line to name the always-on watcher");

  stop_watcher (watcher);
}

/* Whether the third line of @data[0]'s row is @data[1], where a U+0001 in it stands for a time
 * of today ("14:02"). */
static gboolean
row_third_line_is (gpointer data)
{
  gpointer *pair = data;
  PgLinkRow *row = ui_row_for (pair[0]);
  g_auto(GStrv) parts = g_strsplit (pair[1], "\001", 2);
  const char *line;
  gsize start;
  gsize end;

  if (row == NULL)
    return FALSE;
  line = gtk_label_get_label (GTK_LABEL (ui_child (row, PG_TYPE_LINK_ROW, "until")));
  if (parts[1] == NULL)
    return g_str_equal (line, pair[1]);

  start = strlen (parts[0]);
  end = strlen (parts[1]);
  if (!g_str_has_prefix (line, parts[0]) || !g_str_has_suffix (line, parts[1])
      || strlen (line) != start + 5 + end)
    return FALSE;
  {
    g_autofree char *time = g_strndup (line + start, 5);

    return g_regex_match_simple ("^[0-2][0-9]:[0-5][0-9]$", time, 0, 0);
  }
}

static gboolean
file_holds (gpointer data)
{
  gpointer *pair = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (pair[0], &contents, NULL, NULL) && g_str_equal (contents, pair[1]);
}

/* What the command line prints of the link's activity, as CSV. */
static char *
cli_activity_csv (const char *url)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "AWS_ACCESS_KEY_ID", "OWNERKEY", TRUE);
  g_subprocess_launcher_setenv (launcher, "AWS_SECRET_ACCESS_KEY", "OWNERSECRET", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "AWS_SHARED_CREDENTIALS_FILE");
  cli = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PG_CLI"), "activity",
                                     "--endpoint", g_getenv ("PG_TEST_S3_ENDPOINT"),
                                     "--path-style", "--region", "us-east-1", "--url", url,
                                     "--format", "csv", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (cli, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (cli));

  return out;
}

/* What was done with a link, as the always-on watcher writes it into the bucket: the row says
 * how often it was downloaded, the desktop is told of the first download and of a try after it
 * was revoked, Details list each request with its address, and Export writes what the command
 * line prints. */
void
test_ui_activity (void)
{
  g_autoptr(GSubprocess) watcher = spawn_watcher ();
  g_autoptr(PgLink) link = ui_make_download_link ("activity.pdf");
  g_autofree char *url = ui_copy_link (link);
  g_autofree char *dir = g_dir_make_tmp ("pg-ui-activity-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "activity.csv", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *csv = NULL;
  g_autofree char *used = NULL;
  g_autofree char *tried = NULL;
  g_autofree char *words = NULL;
  g_autofree char *refused = g_strdup_printf (_("Refused (%s)"), "AccessDenied");
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  gpointer says[2] = { link, NULL };
  gboolean listed = FALSE;
  guint frames = 0;
  GtkWindow *details;

  ui_wait_until (ui_row_shown, link, "the link's row");
  says[1] = (gpointer) _("Not used yet");
  ui_wait_until (row_third_line_is, says, "the row to say the link was not used yet");

  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  {
    g_autofree char *text = g_strdup_printf (_("“%s” was downloaded from %s"), "activity.pdf",
                                             "127.0.0.1");

    used = g_strdup_printf ("%s\n%s", _("A link was used"), text);
  }
  ui_wait_until (ui_notified, used, "the desktop to be told of the first download");
  words = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Downloaded %u time · last %s",
                                        "Downloaded %u times · last %s", 2), 2, "\001");
  says[1] = words;
  ui_wait_until (row_third_line_is, says, "the row to say it was downloaded twice");

  /* Revoked, then tried: a leak, perhaps. Told whatever the link's switch says. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.revoke-link", "s",
                              pg_link_get_id (link));
  ui_wait_until (ui_revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  {
    g_autofree char *text = g_strdup_printf (_("Someone tried the revoked link to “%s” from %s"),
                                             "activity.pdf", "127.0.0.1");

    tried = g_strdup_printf ("%s\n%s", _("A closed link was tried"), text);
  }
  ui_wait_until (ui_notified, tried, "the desktop to be told of the try");

  /* Details: each request, newest first, the refused one first. */
  ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "details_button"));
  details = ui_find_details ();
  g_assert_nonnull (details);
  ui_wait_until (ui_frames_drawn, &frames, "the details to draw");
  ui_find_widgets (GTK_WIDGET (details), ADW_TYPE_ACTION_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *title = adw_preferences_row_get_title (g_ptr_array_index (rows, i));

      if (g_str_has_prefix (title, refused))
        {
          g_assert_nonnull (strstr (title, "127.0.0.1"));
          g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (
                                             g_ptr_array_index (rows, i + 1)),
                                           _("Downloaded")));
          listed = TRUE;
          break;
        }
    }
  g_assert_true (listed);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_named (details, "notify_use_switch"))));
  ui_screenshot (GTK_WIDGET (details), "activity");

  /* Export…: the same text as the command line's. */
  g_assert_cmpint (g_chdir (dir), ==, 0);
  ui_click (ui_named (details, "export_activity"));
  ui_choose_name (folder, "activity.csv");
  csv = cli_activity_csv (url);
  g_assert_nonnull (strstr (csv, "refused"));
  {
    gpointer holds[] = { path, csv };

    ui_wait_until (file_holds, holds, "the export to hold what the command line prints");
  }
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  gtk_window_destroy (details);

  stop_watcher (watcher);
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
sensitive (gpointer widget)
{
  return gtk_widget_is_sensitive (widget);
}

static gboolean
watch_problem_shown (gpointer path)
{
  GtkWidget *label = ui_child (ui_window, PG_TYPE_WINDOW, "watcher_label");

  return gtk_widget_get_visible (label) && gtk_widget_has_css_class (label, "warning")
         && strstr (gtk_label_get_label (GTK_LABEL (label)), path) != NULL;
}

/* The account's ops log, as its dialog sets it; then the session made again. */
static void
set_ops_log (const char *path)
{
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.edit-account", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the account dialog");
  dialog = ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG);
  /* Saved with the secrets stored before, once they are looked up. */
  ui_wait_until (sensitive, ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"),
                 "the keyring");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "ops_log_row", path);
  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the dialog to close");
  ui_wait_until (sensitive, ui_child (ui_window, PG_TYPE_WINDOW, "new_link_squeezer"),
                 "the session");
  ui_wait_until (ui_files_listed, NULL, "the bucket listing");
}

static gboolean
watching_itself (gpointer user_data)
{
  GtkWidget *label = ui_child (ui_window, PG_TYPE_WINDOW, "watcher_label");

  return gtk_widget_get_visible (label)
         && g_str_equal (gtk_label_get_label (GTK_LABEL (label)),
                         _("No always-on watcher is running for this bucket: Presign Guard "
                           "closes armed links itself while it is open."));
}

/* No always-on watcher now (the last one's heartbeat says it stopped): the app watches itself
 * while it is open. The account names the gateway's ops log; an armed download link and an
 * armed upload link close after their use, with no command line running. */
void
test_ui_closes_while_open (void)
{
  g_autoptr(PgLink) download = NULL;
  g_autoptr(PgLink) upload = NULL;
  g_autofree char *download_url = NULL;
  g_autofree char *upload_url = NULL;
  GtkWidget *dialog;
  int files_width;
  int bar_height;

  /* First a path that is not there: the watcher line says so. */
  set_ops_log ("/nonexistent/ops.log");

  ui_select_file ("watched.pdf");
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  ui_click (ui_child (ui_find_toplevel (PG_TYPE_LINK_DIALOG), PG_TYPE_LINK_DIALOG,
                      "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  download = ui_newest_link ();
  g_assert_cmpint (pg_link_get_arming (download), ==, PG_LINK_ARMING_NONE);

  /* Armed afterwards, from its Details: the row says so, and its record in the bucket. */
  ui_wait_until (ui_row_shown, download, "the link's row");
  ui_click (ui_child (ui_row_for (download), PG_TYPE_LINK_ROW, "details_button"));
  {
    GtkWindow *details = ui_find_details ();
    g_autoptr(GPtrArray) switches = g_ptr_array_new ();
    GtkWidget *arm;
    guint frames = 0;

    g_assert_nonnull (details);
    ui_wait_until (ui_frames_drawn, &frames, "the details to draw");
    /* Its own, and "Tell me when it is used". */
    ui_find_widgets (GTK_WIDGET (details), GTK_TYPE_SWITCH, switches);
    g_assert_cmpuint (switches->len, ==, 2);
    arm = ui_named (details, "arm_switch");
    g_assert_false (gtk_switch_get_active (GTK_SWITCH (arm)));
    gtk_switch_set_active (GTK_SWITCH (arm), TRUE);
    gtk_window_destroy (details);
  }
  g_assert_cmpint (pg_link_get_arming (download), ==, PG_LINK_ARMING_DOWNLOAD);
  g_assert_cmpint (pg_link_get_grace (download), ==, PG_LINK_DEFAULT_GRACE);
  ui_wait_until (ui_row_shown, download, "the link's row");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (download),
                                                                      PG_TYPE_LINK_ROW,
                                                                      "subtitle"))),
                            _("Closes after first download")));
  /* Disarmed, and armed again with no grace (as the dialog's spin button can), for the test. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.arm-link", "(sbx)",
                              pg_link_get_id (download), FALSE, (gint64) 0);
  g_assert_cmpint (pg_link_get_arming (download), ==, PG_LINK_ARMING_NONE);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.arm-link", "(sbx)",
                              pg_link_get_id (download), TRUE, (gint64) 0);
  g_assert_cmpint (pg_link_get_grace (download), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-upload-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG, "page_switch")), FALSE);
  ui_set_text (dialog, PG_TYPE_LINK_DIALOG, "name_row", "watched-upload.pdf");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                              "arm_switch"))));
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  upload = ui_newest_link ();
  g_assert_cmpint (pg_link_get_arming (upload), ==, PG_LINK_ARMING_UPLOAD);

  ui_wait_until (watch_problem_shown, (gpointer) "/nonexistent/ops.log", "the ops log's problem");
  /* The watcher line sits under the list in one line: what it says moves nothing. */
  {
    guint frames = 0;

    ui_wait_until (ui_frames_drawn, &frames, "the window to draw");
    files_width = gtk_widget_get_width (ui_child (ui_window, PG_TYPE_WINDOW, "browser_pane"));
    bar_height = gtk_widget_get_height (ui_child (ui_window, PG_TYPE_WINDOW, "watcher_bar"));
    g_assert_true (gtk_widget_has_css_class (ui_child (ui_window, PG_TYPE_WINDOW,
                                                       "watcher_summary"), "warning"));
  }

  /* The right path: the window says who watches, the app itself, and downloads are seen (no
   * warning). */
  set_ops_log (g_getenv ("PG_TEST_OPS_LOG"));
  ui_wait_until (watching_itself, NULL, "the app to watch");
  {
    guint frames = 0;

    ui_wait_until (ui_frames_drawn, &frames, "the window to draw");
    g_assert_cmpint (gtk_widget_get_width (ui_child (ui_window, PG_TYPE_WINDOW, "browser_pane")),
                     ==, files_width);
    g_assert_cmpint (gtk_widget_get_height (ui_child (ui_window, PG_TYPE_WINDOW, "watcher_bar")),
                     ==, bar_height);
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_window, PG_TYPE_WINDOW,
                                                               "watcher_summary"))), ==,
                     _("This app closes armed links while open"));
  }
  g_assert_false (gtk_widget_has_css_class (ui_child (ui_window, PG_TYPE_WINDOW, "watcher_label"),
                                            "warning"));

  download_url = ui_copy_link (download);
  upload_url = ui_copy_link (upload);
  g_assert_cmpuint (ui_fetch ("GET", download_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("PUT", upload_url, "the partner's file", "*"), ==, 200);
  ui_wait_until (link_closed_automatically, download, "the download link to close itself");
  ui_wait_until (link_closed_automatically, upload, "the upload link to close itself");
  g_assert_cmpint (pg_link_get_state (download), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", download_url, NULL, NULL), ==, 403);
  g_assert_cmpuint (ui_fetch ("PUT", upload_url, "a second file", NULL), ==, 403);
  g_assert_cmpstr (pg_link_get_used_by (download), ==, "127.0.0.1");

  /* A single-use upload that closed after its file came is done: "Received · closed", its
   * file a click away, nothing to restore. */
  {
    gpointer says[] = { upload, (gpointer) _("Received · closed") };
    PgLinkRow *row;

    ui_wait_until (ui_row_says, says, "the upload link's row to say it received and closed");
    row = ui_row_for (upload);
    g_assert_true (gtk_widget_get_visible (ui_child (row, PG_TYPE_LINK_ROW, "open_button")));
    g_assert_false (pg_link_can_restore (upload, g_get_real_time () / G_USEC_PER_SEC));
    g_assert_false (gtk_widget_get_visible (ui_child (row, PG_TYPE_LINK_ROW, "revoke_button")));
    g_assert_true (gtk_widget_get_visible (ui_child (row, PG_TYPE_LINK_ROW, "remove_button")));
  }
}

static gboolean
subtitle_is (gpointer data)
{
  gpointer *pair = data;
  PgLinkRow *row = ui_row_for (pair[0]);

  return row != NULL && g_str_equal (gtk_label_get_label (GTK_LABEL (ui_child (row,
                                                                               PG_TYPE_LINK_ROW,
                                                                               "subtitle"))),
                                     pair[1]);
}

/* A link that closes after two downloads, made in the dialog: the row counts them ("1 of 2
 * downloads used"), the second closes it (no grace), the third is refused. */
void
test_ui_uses_limit (void)
{
  g_autoptr(GSubprocess) watcher = spawn_watcher ();
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  g_autofree char *one = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u download used",
                                                       "%u of %u downloads used", 2), 1, 2);
  g_autofree char *two = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u download used",
                                                       "%u of %u downloads used", 2), 2, 2);
  g_autofree char *closed = g_strdup_printf (_("%s ✓"), two);
  gpointer says[2];
  GtkWidget *dialog;

  ui_select_file ("limited.pdf");
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_false (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "uses_row")));
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG, "arm_switch")), TRUE);
  g_assert_true (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "uses_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                        "grace_spin")), 0);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                        "uses_spin")), 2);
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  link = ui_newest_link ();
  g_assert_cmpuint (pg_link_get_uses (link), ==, 2);
  url = ui_copy_link (link);

  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  says[0] = link;
  says[1] = one;
  ui_wait_until (subtitle_is, says, "the row to count one download of two");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  ui_wait_until (link_closed_automatically, link, "the link to close after its second download");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  says[1] = closed;
  ui_wait_until (subtitle_is, says, "the row to say both downloads were used");

  stop_watcher (watcher);
}
