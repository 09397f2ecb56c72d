/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "pg-qr-dialog.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* Handing a link over: its QR code, its details, and the e-mail message without a mail program. */

void
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
void
test_ui_details (void)
{
  g_autoptr(PgLink) upload = ui_newest_link ();
  PgLinkRow *row;
  GtkWindow *details;

  ui_wait_until (ui_row_shown, upload, "the link's row");
  row = ui_row_for (upload);
  ui_click (ui_child (row, PG_TYPE_LINK_ROW, "details_button"));
  details = ui_find_details ();
  g_assert_nonnull (details);
  {
    /* The URL from the first frame: a label of its full height, without hyphens. */
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();
    gboolean found = FALSE;
    guint frames = 0;

    ui_wait_until (ui_frames_drawn, &frames, "the details to draw");
    ui_find_widgets (GTK_WIDGET (details), GTK_TYPE_LABEL, labels);
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
  ui_screenshot (GTK_WIDGET (details), "details");
  g_assert_true (closes_on_escape (GTK_WIDGET (details)));
  gtk_window_destroy (details);
}

static gboolean
clipboard_has (gpointer expected)
{
  static char *text;

  g_clear_pointer (&text, g_free);
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (ui_window)), NULL,
                                 ui_clipboard_read_cb, &text);
  while (text == NULL)
    g_main_context_iteration (NULL, TRUE);

  return strstr (text, expected) != NULL;
}

/* Without an e-mail program, E-mail shows the message, with Copy buttons for it and the link. */
void
test_ui_mail_fallback (void)
{
  g_autoptr(GAppInfo) handler = g_app_info_get_default_for_uri_scheme ("mailto");
  g_autoptr(PgLink) link = NULL;
  g_autofree char *url = NULL;
  g_autofree char *heading = g_strdup (_("No E-mail Program"));
  AdwMessageDialog *dialog;

  /* The test would open a real mail program otherwise. */
  g_assert_null (handler);

  link = ui_make_download_link ("mail.pdf");
  url = ui_copy_link (link);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (ui_window)), "");
  ui_click (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW, "mail_button"));
  ui_wait_until (ui_question_shown, heading, "the message");
  dialog = ui_find_question (heading);
  g_assert_true (adw_message_dialog_has_response (dialog, "copy-link"));
  adw_message_dialog_response (dialog, "copy-message");
  ui_wait_until (clipboard_has, url, "the message in the clipboard");
  g_assert_true (clipboard_has ((gpointer) "mail.pdf"));
}
