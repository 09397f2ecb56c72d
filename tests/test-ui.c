/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <string.h>

#include "pg-account-dialog.h"
#include "pg-application.h"
#include "pg-link-dialog.h"
#include "pg-link-row.h"
#include "pg-link-session.h"
#include "pg-object-item.h"
#include "pg-qr-dialog.h"
#include "pg-window-private.h"

/* The real window and dialogs, driven as a person would: fill in the account form, pick a file,
 * make links, press the row's buttons, read the clipboard, and check with plain HTTP that the
 * links work — and stop working once revoked. Runs under Xvfb against the local Ceph gateway
 * (PG_TEST_S3_ENDPOINT), with libsecret's file backend as the keyring. */

static PgApplication *app;
static PgWindow *window;
static char *bucket;
static char *role_arn;   /* the signing role, in a run against a gateway with STS */
static SoupSession *http;

/* ---- Helpers ---------------------------------------------------------------------------- */

static AdwMessageDialog *find_question  (const char   *start);
static gboolean          question_shown (gpointer      start);
static void              store_result   (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition   condition,
            gpointer    data,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *found = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (found);

  return GTK_WIDGET (found);
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static gboolean
toplevel_shown (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) != NULL;
}

static gboolean
toplevel_gone (gpointer type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

/* A click, as the button's own "clicked" signal: GtkButton's keyboard activation would delay
 * it for the pressed-look animation. */
static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static void
set_text (gpointer    dialog,
          GType       type,
          const char *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, type, row)), text);
}

static void
find_widgets (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_widgets (c, type, found);
}

/* The row showing @link in the list, once it has its widgets (rows exist only around the
 * ones on screen, and build their widgets when they come into view). */
static PgLinkRow *
row_for (PgLink *link)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  find_widgets (GTK_WIDGET (window), PG_TYPE_LINK_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      if (pg_link_row_get_link (PG_LINK_ROW (row)) == link && gtk_widget_get_first_child (row))
        return PG_LINK_ROW (row);
    }

  return NULL;
}

static gboolean
row_shown (gpointer link)
{
  return row_for (link) != NULL;
}

static PgLink *
newest_link (void)
{
  return g_list_model_get_item (pg_link_service_get_links (pg_application_get_link_service (app)), 0);
}

static guint
fetch (const char  *method,
       const char  *url,
       const char  *body,
       const char  *if_none_match)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, NULL, bytes);
    }
  if (if_none_match != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "If-None-Match",
                                  if_none_match);

  response = soup_session_send_and_read (http, message, NULL, &error);
  g_assert_no_error (error);

  return soup_message_get_status (message);
}

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
is_set (gpointer pointer)
{
  return *(gpointer *) pointer != NULL;
}

/* Presses the row's Copy button and reads the clipboard back. */
static char *
copy_link (PgLink *link)
{
  PgLinkRow *row;
  char *text = NULL;

  wait_until (row_shown, link, "the link's row");
  row = row_for (link);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), "");
  click (child (row, PG_TYPE_LINK_ROW, "copy_button"));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (window)), NULL,
                                 clipboard_read_cb, &text);
  wait_until (is_set, &text, "the clipboard");
  g_assert_true (g_str_has_prefix (text, "http://127.0.0.1"));

  return text;
}

/* With PG_SCREENSHOT_DIR set, the test also renders what it shows into PNG files there (the
 * README's pictures; tests/screenshots.sh makes them in English and Japanese). */
static gboolean
frames_drawn (gpointer counter)
{
  return ++*(guint *) counter > 60;
}

static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  const char *dir = g_getenv ("PG_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  guint counter = 0;
  int width;
  int height;

  if (dir == NULL)
    return;

  /* Let spinners settle and lists fill in. */
  wait_until (frames_drawn, &counter, "a few frames");
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* ---- Tests ------------------------------------------------------------------------------ */

static gboolean
files_listed (gpointer data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (window, PG_TYPE_WINDOW, "files_view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  return g_list_model_get_n_items (model) > 0;
}

static gboolean
test_finished (gpointer dialog)
{
  const char *text = gtk_label_get_label (GTK_LABEL (child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                            "status_label")));

  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* Four lines when all went through; any "✗" line ends it early. */
  return g_strv_length (lines) > 4 || strstr (text, "✗") != NULL;
}

static gboolean
role_filled (gpointer row)
{
  return g_str_has_prefix (gtk_editable_get_text (row), "arn:");
}

static void
test_ui_add_account (void)
{
  const char *endpoint = g_getenv ("PG_TEST_S3_ENDPOINT");
  GtkWidget *dialog;
  const char *report;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (window, PG_TYPE_WINDOW,
                                                                        "stack"))), ==, "welcome");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-account", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG), "the account dialog");
  dialog = find_toplevel (PG_TYPE_ACCOUNT_DIALOG);

  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "name_row", "Office");
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "bucket_row", bucket);
  gtk_switch_set_active (GTK_SWITCH (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "compatible_switch")),
                         TRUE);
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "endpoint_row", endpoint);
  /* The managing key comes from an AWS CLI profile. */
  g_assert_true (gtk_widget_get_visible (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "import_group")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "profile_row")),
                              1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                               "manager_key_row"))), ==,
                   "OWNERKEY");
  gtk_switch_set_active (GTK_SWITCH (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "separate_switch")),
                         TRUE);
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_key_row", "PRESIGNKEY");
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_secret_row", "PRESIGNSECRET");
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_arn_row", "arn:aws:iam:::user/owner:presign");
  /* With STS, the signing role is made from the dialog (Create, with the managing key). */
  if (role_arn != NULL)
    {
      GtkEditable *role_row = GTK_EDITABLE (child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                   "signer_role_row"));

      gtk_widget_activate_action (dialog, "dialog.create-role", NULL);
      wait_until (role_filled, role_row, "the signing role");
      g_assert_cmpstr (gtk_editable_get_text (role_row), ==,
                       "arn:aws:iam:::role/presign-guard-links");
      g_free (role_arn);
      role_arn = g_strdup (gtk_editable_get_text (role_row));
    }

  click (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"));
  wait_until (test_finished, dialog, "the connection test");
  report = gtk_label_get_label (GTK_LABEL (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "status_label")));
  g_test_message ("connection test:\n%s", report);
  g_assert_nonnull (strstr (report, _("The bucket can be listed.")));
  g_assert_nonnull (strstr (report, _("The managing key can read the bucket policy.")));
  g_assert_null (strstr (report, "✗"));

  click (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG), "the dialog to close");
  wait_until (files_listed, NULL, "the bucket listing");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (window, PG_TYPE_WINDOW,
                                                                        "stack"))), ==, "main");

  /* The secret went to the keyring, not to the account file. */
  {
    g_autofree char *path = g_build_filename (g_get_user_config_dir (), "presign-guard",
                                              "accounts.ini", NULL);
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_nonnull (strstr (contents, "OWNERKEY"));
    g_assert_null (strstr (contents, "SECRET"));
  }
}

static gboolean
revoke_done (gpointer link)
{
  return pg_link_get_state (link) != PG_LINK_REVOKING && pg_link_get_state (link) != PG_LINK_ACTIVE;
}

static goffset fetch_size (const char *key);

static void
test_ui_download_link (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (window, PG_TYPE_WINDOW, "files_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  GListModel *model = G_LIST_MODEL (selection);
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  PgLinkRow *row;
  GtkWidget *dialog;
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (pg_object_item_get_key (item), "report 2026.pdf"))
        gtk_single_selection_set_selected (selection, i);
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  screenshot (dialog, "new-download-link");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (dialog, PG_TYPE_LINK_DIALOG,
                                                                       "object_row"))),
                   ==, "report 2026.pdf");
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "report 2026.pdf");
  /* Recorded in the bucket, for other computers and the command line. */
  {
    g_autofree char *record = g_strconcat (".presign-guard/links/", pg_link_get_id (link), ".json",
                                           NULL);
    guint tries = 0;

    while (fetch_size (record) <= 0 && tries++ < 50)
      g_usleep (20000);
    g_assert_cmpint (fetch_size (record), >, 0);
  }

  url = copy_link (link);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);

  /* One click on Revoke: a spinner, then "Revoked — verified", and the link is dead. */
  row = row_for (link);
  click (child (row, PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKING);
  wait_until (revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (row_for (link), PG_TYPE_LINK_ROW,
                                                          "state"))), ==, _("Revoked — verified"));
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);
  screenshot (GTK_WIDGET (window), "revoked");
}

static gboolean
fresh_copy_offered (gpointer dialog)
{
  return gtk_widget_get_visible (child (dialog, PG_TYPE_LINK_DIALOG, "fresh_copy_button"));
}

static gboolean
key_changed (gpointer dialog)
{
  const char *key = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (dialog, PG_TYPE_LINK_DIALOG,
                                                                        "object_row")));

  return !g_str_equal (key, "report 2026.pdf");
}

/* A revoked file cannot be shared again under its key (the new link would be dead, and lifting
 * the revocation would revive the leaked one): the dialog offers a fresh copy instead. */
static void
test_ui_share_revoked_file (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (window, PG_TYPE_WINDOW, "files_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  GtkWidget *dialog;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_str_equal (pg_object_item_get_key (item), "report 2026.pdf"))
        gtk_single_selection_set_selected (selection, i);
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  wait_until (fresh_copy_offered, dialog, "the offer of a fresh copy");
  /* No link that would be dead from the start: a choice first. */
  g_assert_false (gtk_widget_is_sensitive (child (dialog, PG_TYPE_LINK_DIALOG, "create_button")));
  g_assert_true (gtk_widget_get_visible (child (dialog, PG_TYPE_LINK_DIALOG, "lift_button")));
  click (child (dialog, PG_TYPE_LINK_DIALOG, "fresh_copy_button"));
  wait_until (key_changed, dialog, "the copy");
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_true (g_str_has_prefix (pg_link_get_key (link), "report 2026 ("));
  g_assert_true (g_str_has_suffix (pg_link_get_key (link), ").pdf"));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);
  url = copy_link (link);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);
}

static gboolean
link_active (gpointer link)
{
  return pg_link_get_state (link) == PG_LINK_ACTIVE;
}

/* Undo on the toast lifts the revocation: the link works again. */
static GtkWindow *
find_details (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (toplevel), _("Link Details")) == 0
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

static void
test_ui_revoke_undo (void)
{
  g_autoptr(PgLink) link = newest_link ();
  g_autofree char *url = copy_link (link);

  click (child (row_for (link), PG_TYPE_LINK_ROW, "revoke_button"));
  wait_until (revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);

  /* So do the details. */
  {
    GtkWindow *details;
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    gboolean found = FALSE;

    click (child (row_for (link), PG_TYPE_LINK_ROW, "details_button"));
    details = find_details ();
    g_assert_nonnull (details);
    find_widgets (GTK_WIDGET (details), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      found |= g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)),
                          _("Restore")) == 0;
    g_assert_true (found);
    gtk_window_destroy (details);
  }

  /* Long after the toast, the row itself offers Restore (the toast's Undo runs the same
   * action with the link's id). */
  {
    GtkWidget *button = child (row_for (link), PG_TYPE_LINK_ROW, "revoke_button");

    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, _("Restore"));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                     "win.unrevoke-link");
    click (button);
  }
  wait_until (link_active, link, "the undo");
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (row_for (link), PG_TYPE_LINK_ROW,
                                                            "revoke_button"))), ==,
                   _("Revoke"));
}

static void
test_ui_qr_code (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = pg_qr_texture_new ("http://127.0.0.1:7480/demo/a?X-Amz-Signature=0",
                                                      &error);
  g_autofree char *too_long = g_strnfill (8000, 'x');
  g_autoptr(GdkTexture) none = NULL;

  g_assert_no_error (error);
  /* Modules of 6 pixels, with the 4-module quiet zone on each side. */
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gdk_texture_get_height (texture));
  g_assert_cmpint (gdk_texture_get_width (texture) % 6, ==, 0);
  g_assert_cmpint (gdk_texture_get_width (texture) / 6, >=, 21 + 8);

  none = pg_qr_texture_new (too_long, &error);
  g_assert_null (none);
  g_assert_nonnull (error);
}

static gboolean
link_received (gpointer link)
{
  return pg_link_get_state (link) == PG_LINK_USED;
}

static gboolean
file_holds (gpointer path)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL)
         && g_str_equal (contents, "signed contract");
}

static void
test_ui_upload_link (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-upload-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  /* A plain upload link, for partners with a program: the page is switched off. */
  gtk_switch_set_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG, "page_switch")), FALSE);
  /* The name offered keeps an extension, and typing over it keeps that extension. */
  g_assert_true (g_str_has_suffix (gtk_editable_get_text (GTK_EDITABLE (child (dialog, PG_TYPE_LINK_DIALOG, "name_row"))), ".pdf"));
  set_text (dialog, PG_TYPE_LINK_DIALOG, "name_row", "契約書.pdf");
  {
    GtkWidget *name = child (dialog, PG_TYPE_LINK_DIALOG, "name_row");
    guint frames = 0;
    int start;
    int end;

    g_assert_true (gtk_widget_grab_focus (name));
    wait_until (frames_drawn, &frames, "the focus to settle");
    g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (name), &start, &end));
    g_assert_cmpint (start, ==, 0);
    g_assert_cmpint (end, ==, 3);
  }
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG,
                                                           "strict_switch"))));
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_true (pg_link_is_upload (link));
  g_assert_true (g_str_has_prefix (pg_link_get_key (link), "incoming/"));
  g_assert_true (g_str_has_suffix (pg_link_get_key (link), "/契約書.pdf"));

  url = copy_link (link);
  g_assert_cmpuint (fetch ("PUT", url, "signed contract", NULL), ==, 403);
  g_assert_cmpuint (fetch ("PUT", url, "signed contract", "*"), ==, 200);
  g_assert_cmpuint (fetch ("PUT", url, "overwrite attempt", "*"), ==, 412);

  /* The file is in: the row says Received, and the file is saved from the app. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh", NULL);
  wait_until (link_received, link, "the link to say Received");
  wait_until (row_shown, link, "the link's row");
  g_assert_true (gtk_widget_get_visible (child (row_for (link), PG_TYPE_LINK_ROW, "save_button")));
  g_assert_true (gtk_widget_get_visible (child (row_for (link), PG_TYPE_LINK_ROW, "open_button")));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (row_for (link), PG_TYPE_LINK_ROW,
                                                                   "state"))),
                            _("Received")));
  {
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), "test-ui-received.pdf", NULL);
    g_autoptr(GFile) saved = g_file_new_for_path (path);

    g_unlink (path);
    _pg_window_download (window, pg_link_get_key (link), saved, FALSE);
    wait_until (file_holds, path, "the received file on this computer");
    g_unlink (path);
  }
  screenshot (GTK_WIDGET (window), "main-window");
}

static gboolean
link_removed (gpointer link)
{
  GListModel *links = pg_link_service_get_links (pg_application_get_link_service (app));

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) item = g_list_model_get_item (links, i);

      if (item == link)
        return FALSE;
    }

  return TRUE;
}

/* The page in the bucket, read with the managing key: its status. */
static guint
fetch_page_as_manager (PgLink *link)
{
  g_autoptr(PgCredentials) owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL,
                                                             NULL);
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (g_getenv ("PG_TEST_S3_ENDPOINT"), "us-east-1",
                                                    TRUE, NULL);
  PgPresignOptions options = {
    .method = PG_METHOD_GET,
    .bucket = pg_link_get_bucket (link),
    .key = pg_link_get_page_key (link),
    .expires = 60,
  };
  g_autofree char *url = pg_presign_url (endpoint, owner, &options, NULL);

  return fetch ("GET", url, NULL, NULL);
}

/* "Upload page" is on by default: the partner gets a page in the bucket, Copy gives the page,
 * the page carries one single-use upload per file, one Revoke closes the page and every upload,
 * and removing the link deletes the page. */
static void
test_ui_upload_page (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) uploads = NULL;
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-upload-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG,
                                                           "page_switch"))));
  g_assert_false (gtk_widget_get_visible (child (dialog, PG_TYPE_LINK_DIALOG, "strict_row")));
  g_assert_false (gtk_widget_get_visible (child (dialog, PG_TYPE_LINK_DIALOG, "name_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, PG_TYPE_LINK_DIALOG, "files_spin")),
                             2);
  set_text (dialog, PG_TYPE_LINK_DIALOG, "note_row", "契約書と請求書をお願いします");
  screenshot (dialog, "new-upload-link");
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_nonnull (pg_link_get_page_key (link));
  g_assert_cmpuint (g_strv_length ((char **) pg_link_get_upload_keys (link)), ==, 2);

  /* What the partner gets is the page, served as a page. */
  url = copy_link (link);
  g_assert_nonnull (strstr (url, "/.presign-guard/pages/"));
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);

  uploads = pg_link_derive_upload_urls (link, pg_session_get_endpoint (window->session),
                                        pg_session_get_signer (window->session), NULL);
  g_assert_cmpuint (fetch ("PUT", uploads[0], "first", "*"), ==, 200);
  g_assert_cmpuint (fetch ("PUT", uploads[0], "again", "*"), ==, 412);

  click (child (row_for (link), PG_TYPE_LINK_ROW, "revoke_button"));
  wait_until (revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);
  g_assert_cmpuint (fetch ("PUT", uploads[1], "late", "*"), ==, 403);

  /* Gone from the list, and from the bucket. */
  g_assert_cmpuint (fetch_page_as_manager (link), ==, 200);
  wait_until (row_shown, link, "the link's row");
  g_assert_true (gtk_widget_get_visible (child (row_for (link), PG_TYPE_LINK_ROW,
                                                "remove_button")));
  click (child (row_for (link), PG_TYPE_LINK_ROW, "remove_button"));
  wait_until (link_removed, link, "the removal");
  g_assert_cmpuint (fetch_page_as_manager (link), ==, 404);
}

static gboolean
file_listed (gpointer name)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (window, PG_TYPE_WINDOW, "files_view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  GtkRevealer *revealer = GTK_REVEALER (child (window, PG_TYPE_WINDOW, "upload_revealer"));

  if (gtk_revealer_get_reveal_child (revealer))
    return FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (pg_object_item_get_name (item), name))
        return TRUE;
    }

  return FALSE;
}

/* Whether Escape is bound to closing @toplevel. */
static gboolean
closes_on_escape (GtkWidget *toplevel)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (toplevel);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == GDK_KEY_Escape
              && GTK_IS_NAMED_ACTION (action)
              && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (action)),
                              "window.close"))
            return TRUE;
        }
    }

  return FALSE;
}

/* Details show the URL and, for upload links, the partner's commands; Escape closes them. */
static void
test_ui_details (void)
{
  g_autoptr(PgLink) upload = newest_link ();
  PgLinkRow *row;
  GtkWindow *details;

  wait_until (row_shown, upload, "the link's row");
  row = row_for (upload);
  click (child (row, PG_TYPE_LINK_ROW, "details_button"));
  details = find_details ();
  g_assert_nonnull (details);
  {
    /* The URL from the first frame: a label of its full height, without hyphens. */
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    gboolean found = FALSE;
    guint frames = 0;

    wait_until (frames_drawn, &frames, "the details to draw");
    find_widgets (GTK_WIDGET (details), GTK_TYPE_LABEL, labels);
    for (guint i = 0; i < labels->len; i++)
      {
        GtkLabel *label = g_ptr_array_index (labels, i);

        if (!g_str_has_prefix (gtk_label_get_label (label), "http://"))
          continue;
        found = TRUE;
        g_assert_true (gtk_label_get_selectable (label));
        g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (label), "monospace"));
        g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (label)), >, 40);
      }
    g_assert_true (found);
  }
  screenshot (GTK_WIDGET (details), "details");
  g_assert_true (closes_on_escape (GTK_WIDGET (details)));
  gtk_window_destroy (details);
}

/* A file dropped on the list of files is uploaded into the folder shown. */
static void
drop_file (GtkDropTarget *drop,
           GFile         *file)
{
  GSList *files = g_slist_prepend (NULL, file);
  GValue value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (drop, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_slist_free (files);
  g_assert_true (accepted);
}

/* The size of @key in the bucket, asked with the manager's key. */
static goffset
fetch_size (const char *key)
{
  PgS3Client *client = pg_session_get_client (window->session);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgS3Object) object = NULL;

  pg_s3_client_head_object_async (client, bucket, key, NULL, store_result, &result);
  wait_until (is_set, &result, "the object's size");
  object = pg_s3_client_head_object_finish (client, result, NULL);

  return object != NULL ? (goffset) object->size : -1;
}

static gboolean
question_gone (gpointer start)
{
  return !question_shown (start);
}

static gboolean
replaced (gpointer data)
{
  return fetch_size ("dropped file.txt") == (goffset) strlen ("a second version");
}

static void
test_ui_drop_upload (void)
{
  GtkWidget *scroller = child (window, PG_TYPE_WINDOW, "files_scroller");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (scroller);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "dropped file.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkDropTarget *drop = NULL;
  g_autofree char *heading = g_strdup_printf (_("Replace “%s”?"), "dropped file.txt");
  AdwMessageDialog *question;

  g_assert_true (g_file_set_contents (path, "dropped on the window", -1, NULL));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        drop = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (drop);

  drop_file (drop, file);
  wait_until (file_listed, (gpointer) "dropped file.txt", "the dropped file in the bucket");

  /* The same name again: nothing is replaced unasked; Keep Both gives the new one a number. */
  g_assert_true (g_file_set_contents (path, "a second version", -1, NULL));
  drop_file (drop, file);
  wait_until (question_shown, heading, "the question before replacing");
  question = find_question (heading);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "keep");
  /* As its button does: the answer, then the dialog closes. */
  adw_message_dialog_response (question, "keep");
  gtk_window_close (GTK_WINDOW (question));
  wait_until (question_gone, heading, "the question to close");
  wait_until (file_listed, (gpointer) "dropped file (2).txt", "the second file beside the first");
  g_assert_cmpuint (fetch_size ("dropped file.txt"), ==, strlen ("dropped on the window"));

  /* And Replace replaces. */
  drop_file (drop, file);
  wait_until (question_shown, heading, "the question again");
  question = find_question (heading);
  adw_message_dialog_response (question, "replace");
  gtk_window_close (GTK_WINDOW (question));
  wait_until (question_gone, heading, "the question to close again");
  wait_until (replaced, NULL, "the file replaced");
  g_unlink (path);
}

static gboolean
lockdown_is (gpointer wanted)
{
  GtkSwitch *toggle = GTK_SWITCH (child (window, PG_TYPE_WINDOW, "lockdown_switch"));

  return gtk_switch_get_state (toggle) == GPOINTER_TO_INT (wanted)
         && gtk_widget_get_sensitive (GTK_WIDGET (toggle));
}

static char *
signer_url (const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (g_getenv ("PG_TEST_S3_ENDPOINT"), "us-east-1",
                                                    TRUE, NULL);
  g_autoptr(PgCredentials) signer = pg_credentials_new ("PRESIGNKEY", "PRESIGNSECRET", NULL, NULL,
                                                        NULL);
  PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = bucket, .key = key,
                               .expires = 600 };
  char *url = pg_presign_url (endpoint, signer, &options, &error);

  g_assert_no_error (error);

  return url;
}

static void
test_ui_lockdown (void)
{
  GtkSwitch *toggle = GTK_SWITCH (child (window, PG_TYPE_WINDOW, "lockdown_switch"));
  g_autoptr(PgLink) upload = newest_link ();
  g_autofree char *url = signer_url (pg_link_get_key (upload));
  AdwMessageDialog *dialog;

  wait_until (lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown state");
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);

  /* Switching on asks first; cancelling changes nothing. */
  gtk_switch_set_active (toggle, TRUE);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "block"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "cancel");
  wait_until (lockdown_is, GINT_TO_POINTER (FALSE), "the switch to stay off");
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);

  gtk_switch_set_active (toggle, TRUE);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (dialog, "block");
  wait_until (lockdown_is, GINT_TO_POINTER (TRUE), "the lockdown");
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);

  gtk_switch_set_active (toggle, FALSE);
  wait_until (lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown to end");
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);
}

/* Whether @widget has a tooltip: set, or made when GTK asks for it. */
static gboolean
has_tooltip (GtkWidget *widget)
{
  const char *text = gtk_widget_get_tooltip_text (widget);
  g_autoptr(GtkTooltip) tooltip = NULL;
  gboolean answered = FALSE;

  if (text != NULL && *text != '\0')
    return TRUE;
  if (!gtk_widget_get_has_tooltip (widget))
    return FALSE;

  tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_signal_emit_by_name (widget, "query-tooltip", 1, 1, FALSE, tooltip, &answered);

  return answered;
}

static void
check_labelled (GtkWidget *widget,
                GPtrArray *unlabelled)
{
  /* Window controls, spin buttons' steppers and toasts' close buttons are the toolkit's,
   * labelled by it. */
  if (GTK_IS_WINDOW_CONTROLS (widget) || GTK_IS_SPIN_BUTTON (widget)
      || g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget"))
    return;

  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && gtk_widget_get_mapped (widget))
    {
      const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                                 : gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));
      GtkWidget *parent = gtk_widget_get_parent (widget);

      /* Buttons inside a labelled control (a menu button, a switch row) count as labelled. */
      if ((label == NULL || *label == '\0') && !has_tooltip (widget)
          && !(parent && GTK_IS_MENU_BUTTON (parent))
          && !(parent && has_tooltip (parent)))
        g_ptr_array_add (unlabelled, g_strdup_printf ("%s in %s in %s", G_OBJECT_TYPE_NAME (widget), G_OBJECT_TYPE_NAME (parent), G_OBJECT_TYPE_NAME (gtk_widget_get_parent (parent))));
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_labelled (c, unlabelled);
}

static void
test_ui_buttons_labelled (void)
{
  g_autoptr(GPtrArray) unlabelled = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *header_buttons[] = {
    child (window, PG_TYPE_WINDOW, "new_link_button"),
  };

  /* The main window with its rows, and both dialogs. */
  check_labelled (GTK_WIDGET (window), unlabelled);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-upload-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  check_labelled (find_toplevel (PG_TYPE_LINK_DIALOG), unlabelled);
  gtk_window_close (find_toplevel (PG_TYPE_LINK_DIALOG));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-account", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG), "the account dialog");
  check_labelled (find_toplevel (PG_TYPE_ACCOUNT_DIALOG), unlabelled);
  gtk_window_close (find_toplevel (PG_TYPE_ACCOUNT_DIALOG));

  for (guint i = 0; i < unlabelled->len; i++)
    g_test_message ("unlabelled: %s", (char *) g_ptr_array_index (unlabelled, i));
  g_assert_cmpuint (unlabelled->len, ==, 0);
  g_assert_nonnull (gtk_widget_get_tooltip_text (header_buttons[0]));
}


/* ---- Links that share a fate; work that outlives a window -------------------------------- */

static void
select_file (const char *key)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (child (window, PG_TYPE_WINDOW, "files_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_str_equal (pg_object_item_get_key (item), key))
        {
          gtk_single_selection_set_selected (selection, i);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

/* A download link for @key, made in the dialog as a person would. */
static PgLink *
make_download_link (const char *key)
{
  GtkWidget *dialog;

  select_file (key);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  return newest_link ();
}

/* The visible message dialog whose heading starts with @start. */
static AdwMessageDialog *
find_question (const char *start)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel))
          && g_str_has_prefix (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (toplevel)),
                               start))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
question_shown (gpointer start)
{
  return find_question (start) != NULL;
}

static gboolean
both_revoked (gpointer links)
{
  PgLink **pair = links;

  return pg_link_get_state (pair[0]) == PG_LINK_REVOKED
         && pg_link_get_state (pair[1]) == PG_LINK_REVOKED;
}

static gboolean
both_active (gpointer links)
{
  PgLink **pair = links;

  return pg_link_get_state (pair[0]) == PG_LINK_ACTIVE
         && pg_link_get_state (pair[1]) == PG_LINK_ACTIVE;
}

/* Two links to one file: revoking one closes both. The window says so before, naming the other,
 * both rows turn Revoked, and Undo brings both back. */
static void
test_ui_sibling_links (void)
{
  g_autoptr(PgLink) first = make_download_link ("contract.pdf");
  g_autoptr(PgLink) second = make_download_link ("contract.pdf");
  g_autofree char *first_url = copy_link (first);
  g_autofree char *second_url = copy_link (second);
  PgLink *pair[] = { first, second };
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  const char *body;

  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 200);

  /* The heading as the app words it, in whatever language the test runs (screenshots). */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Also Close %u Other Link?",
                                          "Also Close %u Other Links?", 1), 1);
  click (child (row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  wait_until (question_shown, heading, "the question");
  dialog = find_question (heading);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("asked: %s — %s", adw_message_dialog_get_heading (dialog), body);
  g_assert_nonnull (strstr (body, "contract.pdf"));
  {
    /* The other link is named by when it was made. */
    g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (pg_link_get_signed_at (second));
    g_autoptr(GDateTime) local = g_date_time_to_local (utc);
    g_autofree char *made = g_date_time_format (local, "%H:%M");

    g_assert_nonnull (strstr (body, made));
  }
  /* Nothing happens before the answer. */
  g_assert_cmpint (pg_link_get_state (first), ==, PG_LINK_ACTIVE);
  adw_message_dialog_response (dialog, "revoke");

  wait_until (both_revoked, pair, "both links revoked");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (row_for (second), PG_TYPE_LINK_ROW,
                                                          "state"))), ==, _("Revoked — verified"));
  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 403);
  g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 403);

  /* Undo, as the toast's button does it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.unrevoke-link", "s",
                              pg_link_get_id (first));
  wait_until (both_active, pair, "both links back");
  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 200);
}

/* Lifetimes in the form cannot leave what S3 allows: the custom hours stay within 1 and 168 (a
 * week), whatever is typed. */
static void
test_ui_lifetime_bounds (void)
{
  static const double typed[] = { 100000, -5, 0, 168.9 };
  static const guint hours[] = { 168, 1, 1, 168 };

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      GtkWidget *dialog;
      g_autoptr(PgLink) link = NULL;

      select_file ("lifetime.pdf");
      gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
      wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
      dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, PG_TYPE_LINK_DIALOG,
                                                        "expiry_row")), 4);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, PG_TYPE_LINK_DIALOG,
                                                         "custom_hours")), typed[i]);
      click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
      wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
      link = newest_link ();
      g_assert_cmpstr (pg_link_get_key (link), ==, "lifetime.pdf");
      g_assert_cmpuint (pg_link_get_expires (link), ==, hours[i] * 3600);
    }
}

static gboolean
service_idle (gpointer data)
{
  return !pg_link_service_get_busy (pg_application_get_link_service (app));
}

static gboolean
window_has_session (gpointer other)
{
  return gtk_widget_get_sensitive (child (other, PG_TYPE_WINDOW, "new_link_squeezer"));
}

/* A second window starts a revocation, a lockdown and an upload and is closed at once: no
 * callback touches it afterwards, and the revocation is carried through and proven. */
static void
test_ui_close_window_mid_revoke (void)
{
  g_autoptr(PgLink) link = make_download_link ("memo.pdf");
  g_autofree char *url = copy_link (link);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "closing.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PgLinkService *service = pg_application_get_link_service (app);
  PgWindow *other = pg_window_new (app);
  GWeakRef gone;

  g_assert_true (g_file_set_contents (path, "uploaded while closing", -1, NULL));
  gtk_window_present (GTK_WINDOW (other));
  wait_until (window_has_session, other, "the second window's account");

  gtk_widget_activate_action (GTK_WIDGET (other), "win.revoke-link", "s", pg_link_get_id (link));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKING);
  {
    g_autoptr(PgRevoker) revoker = pg_session_get_revoker (other->session, NULL);
    const char *other_bucket = pg_account_get_bucket (pg_session_get_account (other->session));

    g_object_unref (pg_link_service_set_lockdown (service, revoker, other_bucket,
                                                  PG_LOCKDOWN_SIGNER, FALSE, NULL));
    g_object_unref (pg_link_service_upload (service, pg_session_get_client (other->session),
                                            other_bucket, "closing.txt", file, TRUE));
  }
  g_assert_true (pg_link_service_get_busy (service));

  g_weak_ref_init (&gone, other);
  gtk_window_destroy (GTK_WINDOW (other));
  wait_until (service_idle, NULL, "the service to finish");
  g_assert_null (g_weak_ref_get (&gone));
  g_weak_ref_clear (&gone);

  /* Carried to its end and proven, not left halfway. */
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);
  g_unlink (path);
}

/* ---- Set-up ----------------------------------------------------------------------------- */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
prepare_bucket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (g_getenv ("PG_TEST_S3_ENDPOINT"), "us-east-1",
                                                    TRUE, &error);
  g_autoptr(PgCredentials) owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, NULL);
  g_autoptr(PgS3Client) client = pg_s3_client_new (endpoint, owner, NULL);
  g_autoptr(GAsyncResult) created = NULL;
  static const char *keys[] = { "report 2026.pdf", "contract.pdf", "memo.pdf", "lifetime.pdf",
                                "keys.pdf", "mail.pdf", "widths.pdf", "armed.pdf",
                                "watched.pdf" };
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  int fd;

  g_assert_no_error (error);
  bucket = g_strdup_printf ("ui-test-%08x", g_random_int ());
  pg_s3_client_create_bucket_async (client, bucket, NULL, store_result, &created);
  wait_until (is_set, &created, "the bucket");
  g_assert_true (pg_s3_client_create_bucket_finish (client, created, &error));

  /* A file of this run's own: two runs at once must not share it. */
  fd = g_file_open_tmp ("test-ui-report-XXXXXX.pdf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "%PDF-1.4 report", -1, NULL));
  file = g_file_new_for_path (path);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GAsyncResult) uploaded = NULL;

      pg_s3_client_put_object_async (client, bucket, keys[i], file, "application/pdf", NULL, NULL,
                                     NULL, store_result, &uploaded);
      wait_until (is_set, &uploaded, "the upload");
      g_assert_true (pg_s3_client_put_object_finish (client, uploaded, &error));
    }
  g_unlink (path);

  /* With STS: the role whose sessions sign links one by one. */
  if (g_getenv ("PG_TEST_STS_ENDPOINT") != NULL)
    {
      g_autoptr(GAsyncResult) set_up = NULL;

      pg_signer_role_setup_async (client, "ui-test-links", "arn:aws:iam:::user/owner:presign",
                                  bucket, NULL, store_result, &set_up);
      wait_until (is_set, &set_up, "the signing role");
      role_arn = pg_signer_role_setup_finish (set_up, &error);
      g_assert_no_error (error);
    }
}

/* Enter in the New Link dialog makes the link (the focus starts in a field, not on Cancel); Delete
 * revokes the selected link only with the focus in the list of links. */
static void
test_ui_keys_safe (void)
{
  g_autoptr(PgLink) link = NULL;
  GtkWidget *dialog;
  GtkWidget *focus;

  select_file ("keys.pdf");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dialog)), ==,
                   GTK_ACCESSIBLE_ROLE_DIALOG);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, child (dialog, PG_TYPE_LINK_DIALOG,
                                                       "filename_row")));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog))
                 == child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  /* Return in the field: its text's "activate". */
  g_assert_true (GTK_IS_TEXT (focus));
  g_signal_emit_by_name (focus, "activate");
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "Enter to make the link");
  link = newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "keys.pdf");

  /* Selected, but the focus is in the list of files: Delete does nothing. */
  gtk_single_selection_set_selected (window->links_selection, 0);
  gtk_widget_grab_focus (child (window, PG_TYPE_WINDOW, "files_view"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.revoke-selected", NULL);
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);

  /* In the list of links, it revokes. */
  wait_until (row_shown, link, "the link's row");
  g_assert_true (gtk_widget_grab_focus (child (window, PG_TYPE_WINDOW, "links_view")));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.revoke-selected", NULL);
  wait_until (revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
}

static gboolean
clipboard_has (gpointer expected)
{
  static char *text;

  g_clear_pointer (&text, g_free);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (window)), NULL,
                                 clipboard_read_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);

  return strstr (text, expected) != NULL;
}

/* Without an e-mail program, E-mail shows the message, with Copy buttons for it and the link. */
static void
test_ui_mail_fallback (void)
{
  g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("mailto");
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  g_autofree char *heading = g_strdup (_("No E-mail Program"));
  AdwMessageDialog *dialog;

  /* The test would open a real mail program otherwise. */
  g_assert_null (handler);

  link = make_download_link ("mail.pdf");
  url = copy_link (link);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), "");
  click (child (row_for (link), PG_TYPE_LINK_ROW, "mail_button"));
  wait_until (question_shown, heading, "the message");
  dialog = find_question (heading);
  g_assert_true (adw_message_dialog_has_response (dialog, "copy-link"));
  adw_message_dialog_response (dialog, "copy-message");
  wait_until (clipboard_has, url, "the message in the clipboard");
  g_assert_true (clipboard_has ((gpointer) "mail.pdf"));
}

/* ---- Every width ------------------------------------------------------------------------- */

/* Every mapped control lies wholly inside the window or wholly outside it; a control across
 * the edge is cut off. */
static void
check_inside (GtkWidget *widget,
              int        width,
              GPtrArray *outside)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget)
      || GTK_IS_SEARCH_ENTRY (widget) || PG_IS_LINK_ROW (widget))
    {
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds));
      /* Wholly outside is the other pane of a narrow window, slid away. */
      if ((bounds.origin.x < 0 && bounds.origin.x + bounds.size.width > 0)
          || (bounds.origin.x < width && bounds.origin.x + bounds.size.width > width + 0.5))
        g_ptr_array_add (outside, g_strdup_printf ("%s at %.0f–%.0f of %d px",
                                                   G_OBJECT_TYPE_NAME (widget), bounds.origin.x,
                                                   bounds.origin.x + bounds.size.width, width));
    }

  /* Given less than it needs, a control or a text is cut inside itself. */
  if (GTK_IS_BUTTON (widget) || GTK_IS_LABEL (widget) || PG_IS_LINK_ROW (widget))
    {
      graphene_rect_t bounds;
      int minimum;
      int given;

      /* The minimum counts the margins; the bounds are the border box. */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_true (gtk_widget_compute_bounds (widget, widget, &bounds));
      given = (int) (bounds.size.width + 0.5) + gtk_widget_get_margin_start (widget)
              + gtk_widget_get_margin_end (widget);
      if (given < minimum)
        g_ptr_array_add (outside, g_strdup_printf ("%s “%s” %d px wide, needs %d",
                                                   G_OBJECT_TYPE_NAME (widget),
                                                   GTK_IS_LABEL (widget)
                                                   ? gtk_label_get_label (GTK_LABEL (widget))
                                                   : GTK_IS_BUTTON (widget)
                                                   ? gtk_button_get_label (GTK_BUTTON (widget))
                                                   : "",
                                                   given, minimum));
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_inside (c, width, outside);
}

static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

static gboolean
settled (gpointer data)
{
  return frames_drawn (data) && !adw_leaflet_get_child_transition_running (window->leaflet);
}

static void
check_width (int         width,
             const char *name)
{
  g_autoptr(GPtrArray) outside = g_ptr_array_new_with_free_func (g_free);
  guint frames = 0;

  wait_until (settled, &frames, "the window to settle");
  /* Without a window manager the window draws its own frame, a few pixels of the width. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, width - 24);
  check_inside (GTK_WIDGET (window), gtk_widget_get_width (GTK_WIDGET (window)), outside);
  for (guint i = 0; i < outside->len; i++)
    g_test_message ("cut off at %s: %s", name, (char *) g_ptr_array_index (outside, i));
  g_assert_cmpuint (outside->len, ==, 0);
}

static gboolean
window_listed (gpointer data)
{
  GtkStack *stack = GTK_STACK (child (window, PG_TYPE_WINDOW, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "main") == 0 && files_listed (NULL);
}

/* A second window of the given width (GTK sizes a window once, when it is first shown); the
 * helpers above work on it until it is closed. */
static PgWindow *
open_window (int width)
{
  PgWindow *first = window;

  window = pg_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), width, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (window_listed, NULL, "the new window's files");

  return first;
}

static void
close_window (PgWindow *first)
{
  gtk_window_destroy (GTK_WINDOW (window));
  window = first;
}

/* After each frame painted: every row in view has its widgets (rows are built as they come into
 * view, never painted empty), and no row has them that has not been in view. */
typedef struct
{
  GtkWidget  *view;
  GHashTable *seen;   /* rows that have been in view */
  guint       frames;
  guint       mapped;
  guint       built;
  guint       frames_before;
} RowsPainted;

static void
rows_painted_cb (GdkFrameClock *clock,
                 RowsPainted   *check)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  find_widgets (check->view, PG_TYPE_LINK_ROW, rows);
  check->frames++;
  check->mapped = rows->len;
  check->built = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      gboolean built = gtk_widget_get_first_child (row) != NULL;
      graphene_rect_t bounds;

      check->built += built;
      g_assert_true (gtk_widget_compute_bounds (row, check->view, &bounds));
      if (bounds.origin.y + bounds.size.height > 0
          && bounds.origin.y < gtk_widget_get_height (check->view))
        {
          g_assert_true (built);
          g_assert_cmpfloat (bounds.size.height, >, 0);
          g_hash_table_add (check->seen, row);
        }
    }
  /* The first row ever measured is built to know the size of all. */
  g_assert_cmpuint (check->built, <=, g_hash_table_size (check->seen) + 1);
}

static gboolean
painted_again (gpointer data)
{
  RowsPainted *check = data;

  return check->frames > check->frames_before;
}

/* @n links to the account's bucket, newest first in the list; titles in Latin letters and in
 * Japanese, which takes a taller font. */
static GPtrArray *
add_links (guint n)
{
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (pg_application_get_link_service (app)));
  PgAccount *account = pg_application_get_account (app);
  GPtrArray *links = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf (i % 3 ? "many/%03u/見積書.pdf" : "many/%03u/report.pdf",
                                              i);
      PgPresignOptions options = {
        .method = PG_METHOD_GET, .bucket = pg_account_get_bucket (account), .key = key,
        .expires = 3600,
      };
      PgLink *link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");

      pg_link_store_add (store, link);
      g_ptr_array_add (links, link);
    }

  return links;
}

static void
remove_links (GPtrArray *links)
{
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (pg_application_get_link_service (app)));

  for (guint i = links->len; i > 0; i--)
    pg_link_store_remove (store, g_ptr_array_index (links, i - 1));
}

/* Hundreds of links: only the rows in view build their widgets, and each row that scrolls into
 * view has them in the first frame it is painted in. */
static void
test_ui_many_links (void)
{
  GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (window->links_view));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  RowsPainted check = { GTK_WIDGET (window->links_view), seen };
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (rows_painted_cb), &check);
  links = add_links (300);

  for (guint step = 0; step <= 20; step++)
    {
      check.frames_before = check.frames;
      gtk_adjustment_set_value (adjustment, (gtk_adjustment_get_upper (adjustment)
                                             - gtk_adjustment_get_page_size (adjustment))
                                            * step / 20);
      gtk_widget_queue_draw (check.view);
      wait_until (painted_again, &check, "a frame of the list");
    }
  /* Scrolled through, not around the same rows. */
  g_assert_cmpuint (g_hash_table_size (seen), >, 21);
  g_test_message ("%u rows, %u of them built, %u have been in view", check.mapped, check.built,
                  g_hash_table_size (seen));
  g_clear_signal_handler (&handler, clock);

  remove_links (links);
}

/* ---- Links revoked one by one ---------------------------------------------------------------- */

/* A download link of one hour, signed alone (the dialog's default where a role is set up). */
static PgLink *
make_session_link (const char *key)
{
  GtkWidget *dialog;
  GtkWidget *precision;
  g_autoptr(PgLink) before = newest_link ();
  PgLink *link;

  select_file (key);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  precision = child (dialog, PG_TYPE_LINK_DIALOG, "precision_switch");
  /* A day is longer than a session lasts: revoked with the file, and the dialog says so. */
  g_assert_false (gtk_widget_is_sensitive (precision));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                                child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), "12"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, PG_TYPE_LINK_DIALOG, "expiry_row")), 0);
  g_assert_true (gtk_widget_is_sensitive (precision));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (precision)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), ==,
                   _("Only this link can be revoked; other links to the file keep working."));
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_true (link != before);
  g_assert_nonnull (pg_link_get_session_name (link));

  return link;
}

static gboolean
link_revoked (gpointer link)
{
  return pg_link_get_state (link) == PG_LINK_REVOKED;
}

/* Two links to one file, each signed in a session of its own: revoking one from its row asks
 * nothing (it closes no other), turns it Revoked — verified, and the other stays Active and
 * works (200). */
static void
test_ui_per_link (void)
{
  g_autoptr(PgLink) first = make_session_link ("contract.pdf");
  g_autoptr(PgLink) second = make_session_link ("contract.pdf");
  g_autofree char *first_url = copy_link (first);
  g_autofree char *second_url = copy_link (second);

  g_assert_cmpstr (pg_link_get_access_key_id (first), !=, pg_link_get_access_key_id (second));
  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 200);

  click (child (row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_null (find_question (""));
  wait_until (link_revoked, first, "the link to be revoked");
  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 403);
  g_assert_cmpint (pg_link_get_state (second), ==, PG_LINK_ACTIVE);
  g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 200);

  /* Restored from its row, its session's keys gone from this computer (a new session of the
   * same name is the same principal): it works again; the other was never touched. */
  pg_link_service_set_link_credentials (pg_application_get_link_service (app),
                                        pg_link_get_id (first), NULL);
  wait_until (row_shown, first, "the link's row");
  click (child (row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  wait_until (link_active, first, "the link to work again");
  g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 200);

  /* Blocking the bucket blocks these too: the lockdown names the signing role as well. */
  {
    GtkSwitch *toggle = GTK_SWITCH (child (window, PG_TYPE_WINDOW, "lockdown_switch"));

    gtk_switch_set_active (toggle, TRUE);
    wait_until (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
    adw_message_dialog_response (find_toplevel (ADW_TYPE_MESSAGE_DIALOG), "block");
    wait_until (lockdown_is, GINT_TO_POINTER (TRUE), "the lockdown");
    wait_until (service_idle, NULL, "both lockdown jobs");
    g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 403);
    g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 403);

    gtk_switch_set_active (toggle, FALSE);
    wait_until (lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown to end");
    wait_until (service_idle, NULL, "the lockdown to end");
    g_assert_cmpuint (fetch ("GET", first_url, NULL, NULL), ==, 200);
    g_assert_cmpuint (fetch ("GET", second_url, NULL, NULL), ==, 200);
  }
}

/* Longer than a session lasts, with private copies allowed (the default of 1 GB): the dialog
 * makes each link a copy of the file of its own. Revoking one closes it alone; removing it
 * deletes its copy. */
static void
test_ui_private_copy (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  PgLink *links[2] = { NULL, NULL };
  g_autofree char *urls[2] = { NULL, NULL };
  g_autoptr(PgLink) session_link = make_session_link ("contract.pdf");
  g_autofree char *session_url = copy_link (session_link);

  g_settings_reset (settings, "private-copy-limit");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PgLink) before = newest_link ();
      GtkWidget *dialog;
      GtkWidget *precision;

      select_file ("contract.pdf");
      gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
      wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
      dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
      precision = child (dialog, PG_TYPE_LINK_DIALOG, "precision_switch");
      /* A day: a copy, on by default. */
      g_assert_true (gtk_widget_is_sensitive (precision));
      g_assert_true (gtk_switch_get_active (GTK_SWITCH (precision)));
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                         child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), ==,
                       _("Only this link can be revoked: it gets a copy of the file of its "
                         "own, deleted with the link."));
      click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
      wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
      links[i] = newest_link ();
      g_assert_true (links[i] != before);
      g_assert_cmpstr (pg_link_get_copy_of (links[i]), ==, "contract.pdf");
      urls[i] = copy_link (links[i]);
      g_assert_cmpuint (fetch ("GET", urls[i], NULL, NULL), ==, 200);
    }
  click (child (row_for (links[0]), PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_null (find_question ("Also"));
  wait_until (link_revoked, links[0], "the link to be revoked");
  g_assert_cmpuint (fetch ("GET", urls[0], NULL, NULL), ==, 403);
  g_assert_cmpint (pg_link_get_state (links[1]), ==, PG_LINK_ACTIVE);
  g_assert_cmpuint (fetch ("GET", urls[1], NULL, NULL), ==, 200);
  g_assert_cmpuint (fetch ("GET", session_url, NULL, NULL), ==, 200);

  /* Removed: its copy goes, so the link cannot come back. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.remove-link", "s",
                              pg_link_get_id (links[1]));
  wait_until (link_removed, links[1], "the link to be removed");
  g_assert_cmpuint (fetch ("GET", urls[1], NULL, NULL), ==, 404);
  g_settings_set_uint (settings, "private-copy-limit", 0);
  g_object_unref (links[0]);
  g_object_unref (links[1]);
}

/* ---- Links that close themselves ------------------------------------------------------------ */

static gboolean
link_closed_automatically (gpointer link)
{
  return pg_link_get_closed_at (link) != 0;
}

/* A download link armed in the dialog (no grace): once its GET is in the gateway's ops log, the
 * always-on watcher (presign-guard-cli watch, as a service would run it) closes it, and the
 * window says who used it and that it closed by itself, and that a watcher is alive. */
static void
test_ui_closes_after_use (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) watcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) before = newest_link ();
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  const char *subtitle;
  GtkWidget *dialog;

  /* The gateway's ops log (tests/with-s3-server.sh), and the command line tool (meson). */
  g_assert_nonnull (g_getenv ("PG_TEST_OPS_LOG"));
  g_assert_nonnull (g_getenv ("PG_CLI"));
  select_file ("armed.pdf");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG,
                                                            "arm_switch"))));
  gtk_switch_set_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG, "arm_switch")), TRUE);
  g_assert_true (gtk_widget_get_visible (child (dialog, PG_TYPE_LINK_DIALOG, "grace_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, PG_TYPE_LINK_DIALOG, "grace_spin")),
                             0);
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  link = newest_link ();
  g_assert_true (link != before);
  g_assert_cmpstr (pg_link_get_armed (link), ==, "download");
  wait_until (row_shown, link, "the link's row");
  subtitle = gtk_label_get_label (GTK_LABEL (child (row_for (link), PG_TYPE_LINK_ROW, "subtitle")));
  g_assert_nonnull (strstr (subtitle, _("Closes after first download")));

  /* The always-on watcher, with the account's keys. */
  g_subprocess_launcher_setenv (launcher, "AWS_ACCESS_KEY_ID", "OWNERKEY", TRUE);
  g_subprocess_launcher_setenv (launcher, "AWS_SECRET_ACCESS_KEY", "OWNERSECRET", TRUE);
  g_subprocess_launcher_setenv (launcher, "PG_SIGNER_ACCESS_KEY_ID", "PRESIGNKEY", TRUE);
  g_subprocess_launcher_setenv (launcher, "PG_SIGNER_SECRET_ACCESS_KEY", "PRESIGNSECRET", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "AWS_SHARED_CREDENTIALS_FILE");
  watcher = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("PG_CLI"), "watch",
                                         "--endpoint", g_getenv ("PG_TEST_S3_ENDPOINT"),
                                         "--path-style", "--region", "us-east-1",
                                         "--signer-arn", "arn:aws:iam:::user/owner:presign",
                                         "--bucket", bucket,
                                         "--ops-log", g_getenv ("PG_TEST_OPS_LOG"), NULL);
  g_assert_no_error (error);
  g_usleep (2 * G_USEC_PER_SEC);

  url = copy_link (link);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);
  wait_until (link_closed_automatically, link, "the link to close itself");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 403);
  wait_until (row_shown, link, "the link's row");
  subtitle = gtk_label_get_label (GTK_LABEL (child (row_for (link), PG_TYPE_LINK_ROW, "subtitle")));
  g_assert_nonnull (strstr (subtitle, "127.0.0.1"));
  g_assert_nonnull (strstr (subtitle, "✓"));
  g_assert_cmpstr (pg_link_get_used_by (link), ==, "127.0.0.1");
  g_assert_true (gtk_widget_get_visible (child (window, PG_TYPE_WINDOW, "watcher_label")));
  g_assert_false (gtk_widget_has_css_class (child (window, PG_TYPE_WINDOW, "watcher_label"),
                                            "warning"));

  g_subprocess_send_signal (watcher, SIGTERM);
  g_subprocess_wait (watcher, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (watcher));
  g_assert_cmpint (g_subprocess_get_exit_status (watcher), ==, 0);
}

static gboolean
sensitive (gpointer widget)
{
  return gtk_widget_is_sensitive (widget);
}

static gboolean
watch_problem_shown (gpointer path)
{
  GtkWidget *label = child (window, PG_TYPE_WINDOW, "watcher_label");

  return gtk_widget_get_visible (label) && gtk_widget_has_css_class (label, "warning")
         && strstr (gtk_label_get_label (GTK_LABEL (label)), path) != NULL;
}

/* The account's ops log, as its dialog sets it; then the session made again. */
static void
set_ops_log (const char *path)
{
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-account", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG), "the account dialog");
  dialog = find_toplevel (PG_TYPE_ACCOUNT_DIALOG);
  /* Saved with the secrets stored before, once they are looked up. */
  wait_until (sensitive, child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"), "the keyring");
  set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "ops_log_row", path);
  click (child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG), "the dialog to close");
  wait_until (sensitive, child (window, PG_TYPE_WINDOW, "new_link_squeezer"), "the session");
  wait_until (files_listed, NULL, "the bucket listing");
}

static gboolean
watching_itself (gpointer user_data)
{
  GtkWidget *label = child (window, PG_TYPE_WINDOW, "watcher_label");

  return gtk_widget_get_visible (label)
         && g_str_equal (gtk_label_get_label (GTK_LABEL (label)),
                         _("No always-on watcher is running for this bucket: Presign Guard "
                           "closes armed links itself while it is open."));
}

/* No always-on watcher now (the last one's heartbeat says it stopped): the app watches itself
 * while it is open. The account names the gateway's ops log; an armed download link and an
 * armed upload link close after their use, with no command line running. */
static void
test_ui_closes_while_open (void)
{
  g_autoptr(PgLink) download = NULL;
  g_autoptr(PgLink) upload = NULL;
  g_autofree char *download_url = NULL;
  g_autofree char *upload_url = NULL;
  GtkWidget *dialog;

  /* First a path that is not there: the watcher line says so. */
  set_ops_log ("/nonexistent/ops.log");

  select_file ("watched.pdf");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  click (child (find_toplevel (PG_TYPE_LINK_DIALOG), PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  download = newest_link ();
  g_assert_null (pg_link_get_armed (download));

  /* Armed afterwards, from its Details: the row says so, and its record in the bucket. */
  wait_until (row_shown, download, "the link's row");
  click (child (row_for (download), PG_TYPE_LINK_ROW, "details_button"));
  {
    GtkWindow *details = find_details ();
    g_autoptr(GPtrArray) switches = g_ptr_array_new ();
    guint frames = 0;

    g_assert_nonnull (details);
    wait_until (frames_drawn, &frames, "the details to draw");
    find_widgets (GTK_WIDGET (details), GTK_TYPE_SWITCH, switches);
    g_assert_cmpuint (switches->len, ==, 1);
    g_assert_false (gtk_switch_get_active (g_ptr_array_index (switches, 0)));
    gtk_switch_set_active (g_ptr_array_index (switches, 0), TRUE);
    gtk_window_destroy (details);
  }
  g_assert_cmpstr (pg_link_get_armed (download), ==, "download");
  g_assert_cmpint (pg_link_get_grace (download), ==, PG_WATCHER_DEFAULT_GRACE);
  wait_until (row_shown, download, "the link's row");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (row_for (download),
                                                                   PG_TYPE_LINK_ROW,
                                                                   "subtitle"))),
                            _("Closes after first download")));
  /* Disarmed, and armed again with no grace (as the dialog's spin button can), for the test. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.arm-link", "(sbx)",
                              pg_link_get_id (download), FALSE, (gint64) 0);
  g_assert_null (pg_link_get_armed (download));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.arm-link", "(sbx)",
                              pg_link_get_id (download), TRUE, (gint64) 0);
  g_assert_cmpint (pg_link_get_grace (download), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-upload-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  gtk_switch_set_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG, "page_switch")), FALSE);
  set_text (dialog, PG_TYPE_LINK_DIALOG, "name_row", "watched-upload.pdf");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (dialog, PG_TYPE_LINK_DIALOG,
                                                           "arm_switch"))));
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  upload = newest_link ();
  g_assert_cmpstr (pg_link_get_armed (upload), ==, "upload");

  wait_until (watch_problem_shown, (gpointer) "/nonexistent/ops.log", "the ops log's problem");

  /* The right path: the window says who watches, the app itself, and downloads are seen (no
   * warning). */
  set_ops_log (g_getenv ("PG_TEST_OPS_LOG"));
  wait_until (watching_itself, NULL, "the app to watch");
  g_assert_false (gtk_widget_has_css_class (child (window, PG_TYPE_WINDOW, "watcher_label"),
                                            "warning"));

  download_url = copy_link (download);
  upload_url = copy_link (upload);
  g_assert_cmpuint (fetch ("GET", download_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (fetch ("PUT", upload_url, "the partner's file", "*"), ==, 200);
  wait_until (link_closed_automatically, download, "the download link to close itself");
  wait_until (link_closed_automatically, upload, "the upload link to close itself");
  g_assert_cmpint (pg_link_get_state (download), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (fetch ("GET", download_url, NULL, NULL), ==, 403);
  g_assert_cmpuint (fetch ("PUT", upload_url, "a second file", NULL), ==, 403);
  g_assert_cmpstr (pg_link_get_used_by (download), ==, "127.0.0.1");
}

/* ---- Tooltips, as they come on screen ----------------------------------------------------- */

static GtkWidget *
find_tooltip_label (GtkWidget *widget,
                    gboolean   inside)
{
  inside = inside || g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkTooltipWindow");
  if (inside && GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip_label (c, inside);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* On screen: mapped and laid out, its lines those of its width. */
static gboolean
tooltip_shown (gpointer data)
{
  GtkWidget *label = find_tooltip_label (data, FALSE);

  return label != NULL && gtk_widget_get_width (label) > 0;
}

static gboolean
tooltip_hidden (gpointer data)
{
  return find_tooltip_label (data, FALSE) == NULL;
}

/* Puts the X pointer at the middle of @widget, or out of the window when NULL. */
static void
move_pointer (GtkWidget *widget)
{
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (window)));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  graphene_point_t point = GRAPHENE_POINT_INIT (0, 0);
  Window child;
  int x = 0;
  int y = 0;

  if (widget != NULL)
    {
      g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window),
                                               &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                     gtk_widget_get_height (widget) / 2.0),
                                               &point));
      XTranslateCoordinates (display, gdk_x11_surface_get_xid (surface), DefaultRootWindow (display),
                             (int) point.x, (int) point.y, &x, &y, &child);
    }
  XWarpPointer (display, None, DefaultRootWindow (display), 0, 0, 0, 0, x, y);
  XFlush (display);
}

/* The tooltip of @widget as it shows: its text, on one line when that line is up to 300 px
 * wide, else at least 300 px wide (GTK 4.8's own tooltips wrap Japanese, which has no spaces,
 * after a few characters a line: 「このリンクを今す／ぐ使えなくする」). */
static void
check_tooltip (GtkWidget  *widget,
               const char *expected)
{
  GtkWidget *label;
  PangoLayout *layout;
  g_autoptr(PangoLayout) one_line = NULL;
  const char *text;
  int lines;
  int width;

  move_pointer (widget);
  gtk_widget_trigger_tooltip_query (widget);
  wait_until (tooltip_shown, window, "the tooltip");
  label = find_tooltip_label (GTK_WIDGET (window), FALSE);
  layout = gtk_label_get_layout (GTK_LABEL (label));
  text = pango_layout_get_text (layout);
  lines = pango_layout_get_line_count (layout);
  one_line = gtk_widget_create_pango_layout (label, text);
  pango_layout_get_pixel_size (one_line, &width, NULL);
  g_test_message ("tooltip “%s”: %d px on one line; shown on %d lines, %d px wide", text, width,
                  lines, gtk_widget_get_width (label));
  if (expected != NULL)
    g_assert_cmpstr (text, ==, expected);
  if (width <= 300)
    g_assert_cmpint (lines, ==, 1);
  else
    g_assert_cmpint (gtk_widget_get_width (label), >=, 300);

  move_pointer (NULL);
  gtk_widget_trigger_tooltip_query (widget);
  wait_until (tooltip_hidden, window, "the tooltip to go");
}

static void
test_ui_tooltips (void)
{
  PgLinkService *service = pg_application_get_link_service (app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (app);
  PgPresignOptions options = {
    .method = PG_METHOD_GET, .bucket = pg_account_get_bucket (account),
    .key = "見積書/2026年度 第3四半期 ご請求書（控え）.pdf", .expires = 3 * 86400,
  };
  g_autoptr(PgLink) link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");
  PgLinkRow *row;

  if (!GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (window))))
    {
      g_test_skip ("tooltips are shown here by moving the X pointer");
      return;
    }

  pg_link_store_add (store, link);
  gtk_widget_activate_action (GTK_WIDGET (window->links_view), "list.scroll-to-item", "u", 0);
  wait_until (row_shown, link, "the link's row");
  row = row_for (link);

  check_tooltip (child (window, PG_TYPE_WINDOW, "new_link_button"),
                 _("Make a download or upload link"));
  check_tooltip (child (row, PG_TYPE_LINK_ROW, "revoke_button"),
                 _("Make this link stop working now"));
  check_tooltip (child (row, PG_TYPE_LINK_ROW, "title"), options.key);
  check_tooltip (child (row, PG_TYPE_LINK_ROW, "until"), NULL);

  pg_link_store_remove (store, link);
}

/* ---- Words kept whole --------------------------------------------------------------------- */

static gboolean
is_word_character (gunichar c)
{
  /* Katakana, with its prolonged sound mark; Latin letters. */
  return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c < 0x80 && g_ascii_isalpha (c));
}

/* Labels in @widget whose lines break inside a word: 「ブ／ロック」, "Rev/oke". */
static void
find_broken_words (GtkWidget *widget,
                   GPtrArray *broken)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    {
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (widget));
      const char *text = pango_layout_get_text (layout);

      for (int i = 1; i < pango_layout_get_line_count (layout); i++)
        {
          const char *start = text + pango_layout_get_line_readonly (layout, i)->start_index;
          gunichar before = g_utf8_get_char (g_utf8_find_prev_char (text, start));

          if (start > text && is_word_character (before) && is_word_character (g_utf8_get_char (start))
              && (before < 0x80) == (g_utf8_get_char (start) < 0x80))
            g_ptr_array_add (broken, g_strdup_printf ("“%.*s／%s”", (int) (start - text), text,
                                                      start));
        }
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_broken_words (c, broken);
}

static void
check_words (gpointer    widget,
             const char *where)
{
  g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func (g_free);
  guint frames = 0;

  wait_until (frames_drawn, &frames, "the window to settle");
  find_broken_words (widget, broken);
  for (guint i = 0; i < broken->len; i++)
    g_test_message ("a word broken in %s: %s", where, (char *) g_ptr_array_index (broken, i));
  g_assert_cmpuint (broken->len, ==, 0);
}

/* The window at three widths and its dialogs: no line of text breaks inside a word. */
static void
test_ui_words (void)
{
  static const int widths[] = { 1400, 800, 360 };
  GtkSwitch *toggle = GTK_SWITCH (child (window, PG_TYPE_WINDOW, "lockdown_switch"));
  g_autoptr(GPtrArray) links = add_links (40);
  AdwMessageDialog *dialog;
  PgWindow *first;

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *where = g_strdup_printf ("the window at %d px", widths[i]);

      first = open_window (widths[i]);
      check_words (window, where);
      if (adw_leaflet_get_folded (window->leaflet))
        {
          _pg_window_show_links (window);
          check_words (window, where);
        }
      close_window (first);
    }
  remove_links (links);

  gtk_switch_set_active (toggle, TRUE);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  check_words (dialog, "the lockdown question");
  adw_message_dialog_response (dialog, "cancel");
  wait_until (lockdown_is, GINT_TO_POINTER (FALSE), "the switch to stay off");

  for (guint i = 0; i < 2; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), i ? "win.new-upload-link" : "win.edit-account",
                                  NULL);
      wait_until (toplevel_shown, GSIZE_TO_POINTER (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                  "the dialog");
      check_words (find_toplevel (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                   i ? "the upload link dialog" : "the account dialog");
      gtk_window_close (find_toplevel (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG));
      wait_until (toplevel_gone, GSIZE_TO_POINTER (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                  "the dialog to close");
    }
}

/* 1400, 800 and 360 pixels: nothing is cut off, files and links side by side where they fit, and
 * where they do not, the switcher at the bottom reaches the links (a new link shows them). */
static void
test_ui_widths (void)
{
  g_autoptr(PgLink) link = NULL;
  PgWindow *first;

  for (guint i = 0; i < 2; i++)
    {
      int width = i == 0 ? 1400 : 800;
      g_autofree char *name = g_strdup_printf ("%d px", width);

      first = open_window (width);
      wait_until (row_shown, newest_link (), "the newest link's row");
      check_width (width, name);
      g_assert_false (adw_leaflet_get_folded (window->leaflet));
      g_assert_true (gtk_widget_get_mapped (child (row_for (newest_link ()), PG_TYPE_LINK_ROW,
                                                   "revoke_button")));
      close_window (first);
    }

  first = open_window (360);
  check_width (360, "360 px (files)");
  g_assert_true (adw_leaflet_get_folded (window->leaflet));
  g_assert_true (gtk_widget_get_mapped (child (window, PG_TYPE_WINDOW, "pane_switcher")));
  /* Once the leaflet has folded (it may animate), only the files are shown. */
  wait_until (unmapped, child (window, PG_TYPE_WINDOW, "links_stack"), "the links to fold away");

  /* A new link brings the links into view, its Revoke button in reach. */
  link = make_download_link ("widths.pdf");
  wait_until (row_shown, link, "the link's row");
  check_width (360, "360 px (links)");
  g_assert_true (gtk_widget_get_mapped (child (row_for (link), PG_TYPE_LINK_ROW,
                                               "revoke_button")));
  g_assert_true (gtk_widget_get_mapped (child (row_for (link), PG_TYPE_LINK_ROW, "more_button")));
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (child (row_for (link), PG_TYPE_LINK_ROW,
                                                     "revoke_button"),
                                              GTK_WIDGET (window), &bounds));
    g_assert_cmpfloat (bounds.origin.x, >=, 0);
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
  }
  screenshot (GTK_WIDGET (window), "narrow-links");

  /* The switcher goes back to the files and again to the links. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (window, PG_TYPE_WINDOW, "files_toggle")),
                                TRUE);
  check_width (360, "360 px (files again)");
  g_assert_true (gtk_widget_get_mapped (child (window, PG_TYPE_WINDOW, "files_view")));
  g_assert_null (row_for (link));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child (window, PG_TYPE_WINDOW, "links_toggle")),
                                TRUE);
  check_width (360, "360 px (links again)");
  g_assert_nonnull (row_for (link));
  close_window (first);
}

static gboolean
create_allowed (gpointer dialog)
{
  return gtk_widget_is_sensitive (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
}

/* The other way out for a revoked file: lift the revocation from the dialog (the old links come
 * back too, as the dialog says), then make the link. */
static void
test_ui_lift_revocation (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  GtkWidget *dialog;

  select_file ("report 2026.pdf");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-download-link", NULL);
  wait_until (toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = find_toplevel (PG_TYPE_LINK_DIALOG);
  wait_until (fresh_copy_offered, dialog, "the choice");
  g_assert_false (create_allowed (dialog));
  click (child (dialog, PG_TYPE_LINK_DIALOG, "lift_button"));
  wait_until (create_allowed, dialog, "the revocation to be lifted");
  click (child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  wait_until (toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "report 2026.pdf");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);
  url = copy_link (link);
  g_assert_cmpuint (fetch ("GET", url, NULL, NULL), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  int ret;

  if (g_getenv ("PG_TEST_S3_ENDPOINT") == NULL)
    {
      g_printerr ("test-ui needs PG_TEST_S3_ENDPOINT (run it through tests/with-s3-server.sh)\n");
      return 1;
    }

  /* A profile of its own: settings, links and a file keyring in a fresh folder. */
  home = g_dir_make_tmp ("test-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  {
    g_autofree char *keyring = g_build_filename (home, "keyring", NULL);

    g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  }
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  {
    g_autofree char *aws = g_build_filename (home, "aws-credentials", NULL);

    g_file_set_contents (aws, "[local]\naws_access_key_id = OWNERKEY\n"
                              "aws_secret_access_key = OWNERSECRET\n", -1, NULL);
    g_setenv ("AWS_SHARED_CREDENTIALS_FILE", aws, TRUE);
    g_setenv ("AWS_CONFIG_FILE", "/nonexistent", TRUE);
  }
  /* English, unless screenshots are made in another language, or PG_TEST_LANGUAGE names one. */
  if (g_getenv ("PG_TEST_LANGUAGE") != NULL)
    g_setenv ("LANGUAGE", g_getenv ("PG_TEST_LANGUAGE"), TRUE);
  else if (g_getenv ("PG_SCREENSHOT_DIR") == NULL)
    g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("PRESIGN_GUARD_LOCALEDIR") ? g_getenv ("PRESIGN_GUARD_LOCALEDIR")
                                                                      : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  adw_init ();

  http = soup_session_new ();
  prepare_bucket ();

  /* The session bus here has no notification server; GIO would warn about every notification. */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    g_settings_set_boolean (settings, "notifications", FALSE);
    /* Links are revoked with their file unless a test asks for private copies. */
    g_settings_set_uint (settings, "private-copy-limit", 0);
  }

  app = pg_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PG_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);

  g_test_add_func ("/pg/ui/add-account", test_ui_add_account);
  /* Against a gateway with STS: links signed one by one. */
  if (role_arn != NULL)
    {
      g_test_add_func ("/pg/ui/per-link", test_ui_per_link);
      g_test_add_func ("/pg/ui/private-copy", test_ui_private_copy);
    }
  /* In another language: what its text changes, the tooltips and the list of links. */
  else if (g_getenv ("PG_TEST_LANGUAGE") != NULL)
    {
      g_test_add_func ("/pg/ui/tooltips", test_ui_tooltips);
      g_test_add_func ("/pg/ui/many-links", test_ui_many_links);
      g_test_add_func ("/pg/ui/words", test_ui_words);
    }
  else
    {
      g_test_add_func ("/pg/ui/download-link", test_ui_download_link);
      g_test_add_func ("/pg/ui/share-revoked-file", test_ui_share_revoked_file);
      g_test_add_func ("/pg/ui/revoke-undo", test_ui_revoke_undo);
      g_test_add_func ("/pg/ui/qr-code", test_ui_qr_code);
      g_test_add_func ("/pg/ui/upload-link", test_ui_upload_link);
      g_test_add_func ("/pg/ui/upload-page", test_ui_upload_page);
      g_test_add_func ("/pg/ui/details", test_ui_details);
      g_test_add_func ("/pg/ui/drop-upload", test_ui_drop_upload);
      g_test_add_func ("/pg/ui/lockdown", test_ui_lockdown);
      g_test_add_func ("/pg/ui/buttons-labelled", test_ui_buttons_labelled);
      g_test_add_func ("/pg/ui/sibling-links", test_ui_sibling_links);
      g_test_add_func ("/pg/ui/lifetime-bounds", test_ui_lifetime_bounds);
      g_test_add_func ("/pg/ui/close-window-mid-revoke", test_ui_close_window_mid_revoke);
      g_test_add_func ("/pg/ui/mail-fallback", test_ui_mail_fallback);
      g_test_add_func ("/pg/ui/keys-safe", test_ui_keys_safe);
      g_test_add_func ("/pg/ui/lift-revocation", test_ui_lift_revocation);
      g_test_add_func ("/pg/ui/closes-after-use", test_ui_closes_after_use);
      g_test_add_func ("/pg/ui/closes-while-open", test_ui_closes_while_open);
      g_test_add_func ("/pg/ui/many-links", test_ui_many_links);
      g_test_add_func ("/pg/ui/tooltips", test_ui_tooltips);
      g_test_add_func ("/pg/ui/words", test_ui_words);
      g_test_add_func ("/pg/ui/widths", test_ui_widths);
    }

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  g_clear_object (&http);

  return ret;
}
