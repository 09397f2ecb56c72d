/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pg-link-dialog.h"
#include "pg-object-item.h"
#include "pg-received.h"
#include "ui-helpers.h"
#include "ui-tests.h"
#include "../test-async.h"

/* Files coming in: an upload link, an upload page in the bucket, and a file dropped on the
 * window. */

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

/* Whether the file at @data[0] holds @data[1]. */
static gboolean
file_says (gpointer data)
{
  gpointer *pair = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (pair[0], &contents, NULL, NULL) && g_str_equal (contents, pair[1]);
}

void
test_ui_upload_link (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-upload-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  /* A plain upload link, for partners with a program: the page is switched off. */
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG, "page_switch")), FALSE);
  /* The name offered keeps an extension, and typing over it keeps that extension. */
  g_assert_true (g_str_has_suffix (gtk_editable_get_text (GTK_EDITABLE (
                                     ui_child (dialog, PG_TYPE_LINK_DIALOG, "name_row"))), ".pdf"));
  ui_set_text (dialog, PG_TYPE_LINK_DIALOG, "name_row", "契約書.pdf");
  {
    GtkWidget *name = ui_child (dialog, PG_TYPE_LINK_DIALOG, "name_row");
    guint frames = 0;
    int start;
    int end;

    g_assert_true (gtk_widget_grab_focus (name));
    ui_wait_until (ui_frames_drawn, &frames, "the focus to settle");
    g_assert_true (gtk_editable_get_selection_bounds (GTK_EDITABLE (name), &start, &end));
    g_assert_cmpint (start, ==, 0);
    g_assert_cmpint (end, ==, 3);
  }
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                              "strict_switch"))));
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
  g_assert_true (pg_link_is_upload (link));
  g_assert_true (g_str_has_prefix (pg_link_get_key (link), "incoming/"));
  g_assert_true (g_str_has_suffix (pg_link_get_key (link), "/契約書.pdf"));

  url = ui_copy_link (link);
  g_assert_cmpuint (ui_fetch ("PUT", url, "signed contract", NULL), ==, 403);
  /* The partner runs the curl command of the e-mail and Details on a file of theirs. */
  {
    g_autofree char *instructions = pg_link_partner_instructions (link, url);
    g_autofree char *dir = g_dir_make_tmp ("test-ui-partner-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "Signed contract 署名済み.pdf", NULL);
    g_auto(GStrv) parts = g_strsplit (strstr (instructions, "curl:\n") + strlen ("curl:\n"),
                                      "/path/to/file", -1);
    g_autofree char *script = g_strjoinv (path, parts);
    g_autoptr(GError) error = NULL;
    int status;

    g_assert_true (g_file_set_contents (path, "signed contract", -1, NULL));
    g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) "sh", (char *) "-c", script, NULL },
                                 NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_unlink (path);
    g_rmdir (dir);
  }
  g_assert_cmpuint (ui_fetch ("PUT", url, "overwrite attempt", "*"), ==, 412);

  /* The file is in: the row says Received, and the file is saved from the app. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.refresh", NULL);
  ui_wait_until (link_received, link, "the link to say Received");
  ui_wait_until (ui_row_shown, link, "the link's row");
  g_assert_true (gtk_widget_get_visible (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                   "save_button")));
  g_assert_true (gtk_widget_get_visible (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                   "open_button")));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link),
                                                                      PG_TYPE_LINK_ROW, "state"))),
                            _("Received")));
  /* Under the name the partner's file had, not the one the link was made with. */
  g_assert_cmpstr (((PgReceivedFile *) g_ptr_array_index (pg_link_get_received (link), 0))->name,
                   ==, "Signed contract 署名済み.pdf");
  {
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), "test-ui-received.pdf", NULL);
    g_autoptr(GFile) saved = g_file_new_for_path (path);

    g_unlink (path);
    _pg_window_download (ui_window, pg_link_get_key (link), saved, FALSE);
    ui_wait_until (file_holds, path, "the received file on this computer");
    g_unlink (path);
  }
  ui_screenshot (GTK_WIDGET (ui_window), "main-window");
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

  return ui_fetch ("GET", url, NULL, NULL);
}

/* The page as stored in the bucket. */
static GBytes *
page_as_manager (PgLink *link)
{
  PgS3Client *client = pg_account_context_get_manager (pg_session_get_context (ui_window->session));
  g_autoptr(GAsyncResult) result = NULL;
  GBytes *page;

  pg_s3_client_get_object_async (client, pg_link_get_bucket (link), pg_link_get_page_key (link),
                                 1024 * 1024, NULL, test_store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  page = pg_s3_client_get_object_finish (client, result, NULL);
  g_assert_nonnull (page);

  return page;
}

/* "Upload page" is on by default: the partner gets a page in the bucket, Copy gives the page,
 * the page carries one single-use upload per file, one Revoke closes the page and every upload,
 * and removing the link deletes the page. */
void
test_ui_upload_page (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) uploads = NULL;
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-upload-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_LINK_DIALOG,
                                                              "page_switch"))));
  g_assert_false (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "strict_row")));
  g_assert_false (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_LINK_DIALOG, "name_row")));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ui_child (dialog, PG_TYPE_LINK_DIALOG, "files_spin")),
                             2);
  ui_set_text (dialog, PG_TYPE_LINK_DIALOG, "note_row", "契約書と請求書をお願いします");
  ui_set_text (dialog, PG_TYPE_LINK_DIALOG, "for_row", "ACME, Kenji Sato");
  ui_screenshot (dialog, "new-upload-link");
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
  g_assert_nonnull (pg_link_get_page_key (link));
  g_assert_cmpuint (g_strv_length ((char **) pg_link_get_upload_keys (link)), ==, 2);

  /* Titled by whom it is for, in the list and on the page. */
  g_assert_cmpstr (pg_link_get_label (link), ==, "ACME, Kenji Sato");
  ui_wait_until (ui_row_shown, link, "the page's row");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                             "title"))), ==, "ACME, Kenji Sato");
  {
    g_autoptr(GBytes) page = page_as_manager (link);

    g_assert_nonnull (g_strstr_len (g_bytes_get_data (page, NULL), g_bytes_get_size (page),
                                    "\"label\":\"ACME, Kenji Sato\""));
  }

  /* What the partner gets is the page, served as a page. */
  url = ui_copy_link (link);
  g_assert_nonnull (strstr (url, "/.presign-guard/pages/"));
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);

  uploads = pg_link_derive_upload_urls (link,
                                        pg_account_context_get_endpoint (pg_session_get_context (ui_window->session)),
                                        pg_account_context_get_signer (pg_session_get_context (ui_window->session)),
                                        NULL);
  g_assert_cmpuint (ui_send_file (uploads[0], "first", "請求書 12月.xlsx"), ==, 200);
  g_assert_cmpuint (ui_fetch ("PUT", uploads[0], "again", "*"), ==, 412);

  /* It shows by itself (no refresh), under the name the partner's file had, a click away. */
  {
    g_autofree char *words = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Received %u of %u file",
                                                           "Received %u of %u files", 2), 1, 2);
    gpointer says[] = { link, words };
    PgReceivedFile *file;

    ui_wait_until (ui_row_says, says, "the page's row to say what arrived");
    /* And the desktop is told, by whom the page was for. */
    {
      g_autofree char *who = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sent %u file",
                                                           "%s sent %u files", 1),
                                              "ACME, Kenji Sato", 1);
      g_autofree char *notification = g_strdup_printf ("%s\n%s", _("Files received"), who);

      ui_wait_until (ui_notified, notification, "the desktop notification of the arrival");
    }
    file = g_ptr_array_index (pg_link_get_received (link), 0);
    g_assert_cmpstr (file->name, ==, "請求書 12月.xlsx");
    g_assert_true (gtk_widget_get_visible (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                     "open_button")));
    g_assert_true (gtk_widget_get_visible (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                     "save_button")));
  }

  /* Details list each file under the partner's name, with Open and Save As… of its own. */
  {
    g_autoptr(GPtrArray) rows = g_ptr_array_new ();
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
    GtkWindow *details;
    gboolean listed = FALSE;
    gboolean openable = FALSE;

    ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "details_button"));
    details = ui_find_details ();
    g_assert_nonnull (details);
    ui_find_widgets (GTK_WIDGET (details), ADW_TYPE_ACTION_ROW, rows);
    for (guint i = 0; i < rows->len; i++)
      listed |= g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)),
                           "請求書 12月.xlsx") == 0;
    g_assert_true (listed);
    ui_find_widgets (GTK_WIDGET (details), GTK_TYPE_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      openable |= g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)),
                             _("Open")) == 0;
    g_assert_true (openable);
    gtk_window_destroy (details);
  }

  /* The second file: the page has all it takes. Save All puts both in the folder chosen,
   * under the partner's names, never over a file that is there. */
  g_assert_cmpuint (ui_send_file (uploads[1], "second", "Signed contract ACME.pdf"), ==, 200);
  {
    g_autofree char *words = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Received %u of %u file",
                                                           "Received %u of %u files", 2), 2, 2);
    gpointer says[] = { link, words };
    g_autofree char *dir = g_dir_make_tmp ("test-ui-save-all-XXXXXX", NULL);
    g_autoptr(GFile) folder = g_file_new_for_path (dir);
    g_autofree char *there = g_build_filename (dir, "請求書 12月.xlsx", NULL);
    g_autofree char *first = g_build_filename (dir, "請求書 12月 (2).xlsx", NULL);
    g_autofree char *second = g_build_filename (dir, "Signed contract ACME.pdf", NULL);
    gpointer first_holds[] = { first, (gpointer) "first" };
    gpointer second_holds[] = { second, (gpointer) "second" };
    g_autofree char *kept = NULL;

    ui_wait_until (ui_row_says, says, "the page's row to say every file arrived");
    g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_USED);
    g_assert_true (g_file_set_contents (there, "there", -1, NULL));
    ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "save_button"));
    ui_choose_file (folder);
    ui_wait_until (file_says, first_holds, "the first file saved beside the one there");
    ui_wait_until (file_says, second_holds, "the second file saved");
    g_assert_true (g_file_get_contents (there, &kept, NULL, NULL));
    g_assert_cmpstr (kept, ==, "there");
    g_unlink (there);
    g_unlink (first);
    g_unlink (second);
    g_rmdir (dir);
  }

  ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "revoke_button"));
  ui_wait_until (ui_revoke_done, link, "the revocation");
  g_assert_cmpint (pg_link_get_state (link), ==, PG_LINK_REVOKED);
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  g_assert_cmpuint (ui_fetch ("PUT", uploads[1], "late", "*"), ==, 403);

  /* Gone from the list, and from the bucket. */
  g_assert_cmpuint (fetch_page_as_manager (link), ==, 200);
  ui_wait_until (ui_row_shown, link, "the link's row");
  g_assert_true (gtk_widget_get_visible (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                   "remove_button")));
  ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "remove_button"));
  ui_wait_until (ui_link_removed, link, "the removal");
  g_assert_cmpuint (fetch_page_as_manager (link), ==, 404);
}

static gboolean
file_listed (gpointer name)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  GtkRevealer *revealer = GTK_REVEALER (ui_child (ui_window, PG_TYPE_WINDOW, "upload_revealer"));

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

/* Drops @file on @drop as GTK does, and checks that the drop is taken. */
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

static gboolean
question_gone (gpointer start)
{
  return !ui_question_shown (start);
}

static gboolean
replaced (gpointer data)
{
  return ui_fetch_size ("dropped file.txt") == (goffset) strlen ("a second version");
}

/* A file dropped on the list of files is uploaded into the folder shown. */
void
test_ui_drop_upload (void)
{
  GtkWidget *pane = ui_child (ui_window, PG_TYPE_WINDOW, "browser_pane");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (pane);
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
  ui_wait_until (file_listed, (gpointer) "dropped file.txt", "the dropped file in the bucket");

  /* The same name again: nothing is replaced unasked; Keep Both gives the new one a number. */
  g_assert_true (g_file_set_contents (path, "a second version", -1, NULL));
  drop_file (drop, file);
  ui_wait_until (ui_question_shown, heading, "the question before replacing");
  question = ui_find_question (heading);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "keep");
  /* As its button does: the answer, then the dialog closes. */
  adw_message_dialog_response (question, "keep");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (question_gone, heading, "the question to close");
  ui_wait_until (file_listed, (gpointer) "dropped file (2).txt",
                 "the second file beside the first");
  g_assert_cmpuint (ui_fetch_size ("dropped file.txt"), ==, strlen ("dropped on the window"));

  /* And Replace replaces. */
  drop_file (drop, file);
  ui_wait_until (ui_question_shown, heading, "the question again");
  question = ui_find_question (heading);
  adw_message_dialog_response (question, "replace");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (question_gone, heading, "the question to close again");
  ui_wait_until (replaced, NULL, "the file replaced");
  g_unlink (path);
}

static gboolean
file_gone (gpointer name)
{
  return !file_listed (name);
}

static gboolean
saved (gpointer path)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (path, &contents, NULL, NULL)
         && g_str_equal (contents, "chosen in the dialog");
}

/* The files pane does the basics without drag and drop: Upload… with the file chooser, Save
 * As…, a file's menu from the keyboard, and Delete that asks first. */
void
test_ui_file_actions (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pg-ui-files-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "chosen file.txt", NULL);
  g_autofree char *copy = g_build_filename (dir, "saved copy.txt", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), "chosen file.txt");
  g_autofree char *cwd = NULL;
  GtkPopover *menu;
  AdwMessageDialog *question;
  GtkSingleSelection *selection;
  const char *key = NULL;

  g_assert_true (g_file_set_contents (path, "chosen in the dialog", -1, NULL));
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.upload-files", NULL);
  ui_choose_file (file);
  ui_wait_until (file_listed, (gpointer) "chosen file.txt", "the chosen file in the bucket");
  g_assert_cmpuint (ui_fetch_size ("chosen file.txt"), ==, strlen ("chosen in the dialog"));

  /* Selected, its menu from the keyboard offers what can be done with it. */
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (GTK_COLUMN_VIEW (
                ui_child (ui_window, PG_TYPE_WINDOW, "files_view"))));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_str_equal (pg_object_item_get_name (item), "chosen file.txt"))
        {
          gtk_single_selection_set_selected (selection, i);
          key = pg_object_item_get_key (item);
        }
    }
  g_assert_nonnull (key);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.file-menu", NULL);
  menu = GTK_POPOVER (ui_window->files_menu);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (menu)));
  g_assert_cmpint (g_menu_model_get_n_items (gtk_popover_menu_get_menu_model (
                     GTK_POPOVER_MENU (menu))), ==, 4);
  gtk_popover_popdown (menu);

  /* Save As…: the same bytes where the user chose. */
  cwd = g_get_current_dir ();
  g_assert_cmpint (g_chdir (dir), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.selected-file", "s", "win.save-key");
  ui_choose_name (folder, "saved copy.txt");
  ui_wait_until (saved, copy, "the file saved");
  g_assert_cmpint (g_chdir (cwd), ==, 0);

  /* Delete asks first; Cancel keeps the file, Delete deletes it. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.selected-file", "s", "win.delete-key");
  ui_wait_until (ui_question_shown, heading, "the question before deleting");
  question = ui_find_question (heading);
  g_assert_cmpstr (adw_message_dialog_get_default_response (question), ==, "cancel");
  adw_message_dialog_response (question, "cancel");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (question_gone, heading, "the question to close");
  g_assert_cmpuint (ui_fetch_size ("chosen file.txt"), ==, strlen ("chosen in the dialog"));

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.delete-key", "s", "chosen file.txt");
  ui_wait_until (ui_question_shown, heading, "the question again");
  question = ui_find_question (heading);
  adw_message_dialog_response (question, "delete");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (file_gone, (gpointer) "chosen file.txt", "the file deleted");
  g_assert_cmpint (ui_fetch_size ("chosen file.txt"), <=, 0);

  g_unlink (path);
  g_unlink (copy);
  g_rmdir (dir);
}
