/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <glib/gstdio.h>

#include "pg-link-dialog.h"
#include "pg-object-item.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* Download links from the New Link dialog to the row's Revoke, and what follows a revocation:
 * Undo and Restore, links to one file that share its fate, a revoked file shared again, the
 * keyboard, and windows closed — while their work goes on, and at rest. */

void
test_ui_download_link (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
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

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  ui_screenshot (dialog, "new-download-link");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     ui_child (dialog, PG_TYPE_LINK_DIALOG, "object_row"))),
                   ==, "report 2026.pdf");
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "report 2026.pdf");
  /* Recorded in the bucket, for other computers and the command line. */
  {
    g_autofree char *record = g_strconcat (".presign-guard/links/", pg_link_get_id (link), ".json",
                                           NULL);
    guint tries = 0;

    while (ui_fetch_size (record) <= 0 && tries++ < 50)
      g_usleep (20000);
    g_assert_cmpint (ui_fetch_size (record), >, 0);
  }

  url = ui_copy_link (link);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);

  /* One click on Revoke: a spinner, then "Revoked — verified", and the link is dead. */
  row = ui_row_for (link);
  ui_click (ui_child (row, PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKING);
  ui_wait_until (ui_revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                             "state"))), ==,
                   _("Revoked — verified"));
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  ui_screenshot (GTK_WIDGET (ui_window), "revoked");
}

static gboolean
fresh_copy_offered (gpointer dialog)
{
  return gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "fresh_copy_button"));
}

static gboolean
key_changed (gpointer dialog)
{
  const char *key = adw_action_row_get_subtitle (ADW_ACTION_ROW (
                      ui_child (dialog, PG_TYPE_LINK_DIALOG, "object_row")));

  return !g_str_equal (key, "report 2026.pdf");
}

/* A revoked file cannot be shared again under its key (the new link would be dead, and lifting
 * the revocation would revive the leaked one): the dialog offers a fresh copy instead. */
void
test_ui_share_revoked_file (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
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

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  ui_wait_until (fresh_copy_offered, dialog, "the offer of a fresh copy");
  /* No link that would be dead from the start: a choice first. */
  g_assert_false (gtk_widget_is_sensitive (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                     "create_button")));
  g_assert_true (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "lift_button")));
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "fresh_copy_button"));
  ui_wait_until (key_changed, dialog, "the copy");
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
  g_assert_true (g_str_has_prefix (pg_link_get_key (link), "report 2026 ("));
  g_assert_true (g_str_has_suffix (pg_link_get_key (link), ").pdf"));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);
  url = ui_copy_link (link);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
}

/* Undo on the toast lifts the revocation: the link works again. */
void
test_ui_revoke_undo (void)
{
  g_autoptr(PgLink) link = ui_newest_link ();
  g_autofree char *url = ui_copy_link (link);

  ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "revoke_button"));
  ui_wait_until (ui_revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);

  /* So do the details. */
  {
    GtkWindow *details;
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    gboolean found = FALSE;

    ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "details_button"));
    details = ui_find_details ();
    g_assert_nonnull (details);
    ui_find_widgets (GTK_WIDGET (details), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      found |= g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)),
                          _("Restore")) == 0;
    g_assert_true (found);
    gtk_window_destroy (details);
  }

  /* Long after the toast, the row itself offers Restore (the toast's Undo runs the same
   * action with the link's id). */
  {
    GtkWidget *button = ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "revoke_button");

    g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, _("Restore"));
    g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==,
                     "win.unrevoke-link");
    ui_click (button);
  }
  ui_wait_until (ui_link_active, link, "the undo");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                               "revoke_button"))), ==,
                   _("Revoke"));
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
void
test_ui_sibling_links (void)
{
  g_autoptr(PgLink) first = ui_make_download_link ("contract.pdf");
  g_autoptr(PgLink) second = ui_make_download_link ("contract.pdf");
  g_autofree char *first_url = ui_copy_link (first);
  g_autofree char *second_url = ui_copy_link (second);
  PgLink *pair[] = { first, second };
  AdwMessageDialog *dialog;
  g_autofree char *heading = NULL;
  const char *body;

  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 200);

  /* The heading as the app words it, in whatever language the test runs (screenshots). */
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Also Close %u Other Link?",
                                          "Also Close %u Other Links?", 1), 1);
  ui_click (ui_child (ui_row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  ui_wait_until (ui_question_shown, heading, "the question");
  dialog = ui_find_question (heading);
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

  ui_wait_until (both_revoked, pair, "both links revoked");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (second), PG_TYPE_LINK_ROW,
                                                             "state"))), ==,
                   _("Revoked — verified"));
  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 403);
  g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 403);

  /* Undo, as the toast's button does it. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.unrevoke-link", "s",
                              pg_link_get_id (first));
  ui_wait_until (both_active, pair, "both links back");
  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 200);
}

/* Lifetimes in the form cannot leave what S3 allows: the custom hours stay within 1 and 168 (a
 * week), whatever is typed. */
void
test_ui_lifetime_bounds (void)
{
  static const double typed[] = { 100000, -5, 0, 168.9 };
  static const guint hours[] = { 168, 1, 1, 168 };

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      GtkWidget *dialog;
      g_autoptr(PgLink) link = NULL;

      ui_select_file ("lifetime.pdf");
      gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
      ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
      dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
      adw_combo_row_set_selected (ADW_COMBO_ROW (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                           "expiry_row")), 4);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                            "custom_hours")), typed[i]);
      ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
      ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG),
                     "the dialog to close");
      link = ui_newest_link ();
      g_assert_cmpstr (pg_link_get_key (link), ==, "lifetime.pdf");
      g_assert_cmpuint (pg_link_get_expires (link), ==, hours[i] * 3600);
    }
}

static gboolean
window_has_session (gpointer other)
{
  return gtk_widget_get_sensitive (ui_child (other, PG_TYPE_WINDOW, "new_link_squeezer"));
}

/* A second window starts a revocation, a lockdown and an upload and is closed at once: no
 * callback touches it afterwards, and the revocation is carried through and proven. */
void
test_ui_close_window_mid_revoke (void)
{
  g_autoptr(PgLink) link = ui_make_download_link ("memo.pdf");
  g_autofree char *url = ui_copy_link (link);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "closing.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  PgLinkService *service = pg_application_get_link_service (ui_app);
  PgWindow *other = pg_window_new (ui_app);
  GWeakRef gone;

  g_assert_true (g_file_set_contents (path, "uploaded while closing", -1, NULL));
  gtk_window_present (GTK_WINDOW (other));
  ui_wait_until (window_has_session, other, "the second window's account");

  gtk_widget_activate_action (GTK_WIDGET (other), "win.revoke-link", "s", pg_link_get_id (link));
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKING);
  {
    PgAccountContext *other_context = pg_session_get_context (other->session);

    g_object_unref (pg_link_service_set_lockdown (service, other_context,
                                                  PG_LOCKDOWN_SIGNER, FALSE, NULL));
    g_object_unref (pg_link_service_upload (service, other_context, "closing.txt", file, TRUE));
  }
  g_assert_true (pg_link_service_get_busy (service));

  g_weak_ref_init (&gone, other);
  gtk_window_destroy (GTK_WINDOW (other));
  ui_wait_until (ui_service_idle, NULL, "the service to finish");
  g_assert_null (g_weak_ref_get (&gone));
  g_weak_ref_clear (&gone);

  /* Carried to its end and proven, not left halfway. */
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  g_unlink (path);
}

static gboolean
files_listed_in (gpointer window)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (window, PG_TYPE_WINDOW, "files_view"));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))) > 0;
}

static gboolean
no_longer_toplevel (gpointer window)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (toplevel == window)
        return FALSE;
    }

  return TRUE;
}

static gboolean
only_ours_left (gpointer window)
{
  return G_OBJECT (window)->ref_count == 1;
}

/* A window opened, its files listed, and closed as its close button closes it: once the main
 * loop has run, nothing else holds it (not the application, the link service, the session, a
 * binding or a callback), and it is finalized. */
void
test_ui_close_window (void)
{
  PgWindow *other = pg_window_new (ui_app);

  gtk_window_present (GTK_WINDOW (other));
  ui_wait_until (window_has_session, other, "the second window's account");
  ui_wait_until (files_listed_in, other, "the second window's files");

  g_object_ref (other);
  gtk_window_close (GTK_WINDOW (other));
  ui_wait_until (no_longer_toplevel, other, "the window to close");
  ui_wait_until (only_ours_left, other, "the closed window to be let go");
  g_assert_finalize_object (other);
}

/* Enter in the New Link dialog makes the link (the focus starts in a field, not on Cancel); Delete
 * revokes the selected link only with the focus in the list of links. */
void
test_ui_keys_safe (void)
{
  g_autoptr(PgLink) link = NULL;
  GtkWidget *dialog;
  GtkWidget *focus;

  ui_select_file ("keys.pdf");
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (dialog)), ==,
                   GTK_ACCESSIBLE_ROLE_DIALOG);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                          "filename_row")));
  g_assert_true (gtk_window_get_default_widget (GTK_WINDOW (dialog))
                 == ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  /* Return in the field: its text's "activate". */
  g_assert_true (GTK_IS_TEXT (focus));
  g_signal_emit_by_name (focus, "activate");
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG),
                 "Enter to make the link");
  link = ui_newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "keys.pdf");

  /* Selected, but the focus is in the list of files: Delete does nothing. */
  gtk_single_selection_set_selected (ui_window->links_selection, 0);
  gtk_widget_grab_focus (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.revoke-selected", NULL);
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);

  /* In the list of links, it revokes. */
  ui_wait_until (ui_row_shown, link, "the link's row");
  g_assert_true (gtk_widget_grab_focus (ui_child (ui_window, PG_TYPE_WINDOW, "links_view")));
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.revoke-selected", NULL);
  ui_wait_until (ui_revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
}

static gboolean
create_allowed (gpointer dialog)
{
  return gtk_widget_is_sensitive (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
}

/* The other way out for a revoked file: lift the revocation from the dialog (the old links come
 * back too, as the dialog says), then make the link. */
void
test_ui_lift_revocation (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  GtkWidget *dialog;

  ui_select_file ("report 2026.pdf");
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  ui_wait_until (fresh_copy_offered, dialog, "the choice");
  g_assert_false (create_allowed (dialog));
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "lift_button"));
  ui_wait_until (create_allowed, dialog, "the revocation to be lifted");
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
  g_assert_cmpstr (pg_link_get_key (link), ==, "report 2026.pdf");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_ACTIVE);
  url = ui_copy_link (link);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
}

/* A name with a right-to-left override (invoice, U+202E, "fdp.exe": it looks like
 * "invoiceexe.pdf") is shown with the override written out, in the list of files and in its link's row, and never obeyed. */
void
test_ui_names_shown_as_they_are (void)
{
  const char *key = "invoice\u202Efdp.exe";
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
  GListModel *files = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr(PgLink) link = NULL;
  GtkWidget *title;
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (files, i);

      if (!g_str_equal (pg_object_item_get_key (item), key))
        continue;
      found = TRUE;
      g_assert_cmpstr (pg_object_item_get_name (item), ==, "invoice\\u202efdp.exe");
    }
  g_assert_true (found);

  link = ui_make_download_link (key);
  g_assert_cmpstr (pg_link_get_key (link), ==, key);
  ui_wait_until (ui_row_shown, link, "the link's row");
  title = ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "title");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (title)), "\\u202e"));
  g_assert_null (strstr (gtk_label_get_label (GTK_LABEL (title)), "\u202E"));
}

static gboolean
focus_in_row_of (gpointer link)
{
  PgLinkRow *row = ui_row_for (link);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (ui_window));
  GtkWidget *item = row != NULL ? gtk_widget_get_parent (GTK_WIDGET (row)) : NULL;

  return item != NULL && focus != NULL && (focus == item || gtk_widget_is_ancestor (focus, item));
}

/* Enter in the New Link dialog, then Tab: the keyboard is at the new link's row (the one on
 * top), not at the row that had the focus before, which the new one pushed down. */
void
test_ui_keyboard_after_create (void)
{
  g_autoptr(PgLink) before = ui_make_download_link ("report 2026.pdf");
  g_autoptr(PgLink) link = NULL;
  GtkWidget *dialog;

  ui_wait_until (ui_row_shown, before, "the first link's row");
  gtk_widget_grab_focus (gtk_widget_get_parent (GTK_WIDGET (ui_row_for (before))));
  g_assert_true (focus_in_row_of (before));

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  /* Enter, as in the dialog's fields. */
  g_assert_true (gtk_widget_activate_action (dialog, "default.activate", NULL));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");
  link = ui_newest_link ();
  g_assert_true (link != before);

  ui_wait_until (focus_in_row_of, link, "the focus on the new link's row");
  gtk_widget_child_focus (GTK_WIDGET (ui_window), GTK_DIR_TAB_FORWARD);
  g_assert_true (focus_in_row_of (link));
  g_assert_true (GTK_IS_BUTTON (gtk_root_get_focus (GTK_ROOT (ui_window))));
}
