/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "pg-link-dialog.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* Links revoked one by one, in a run against a gateway with STS: each link signed in a session of
 * its own, or given a private copy of its file. */

/* A download link of one hour, signed alone (the dialog's default where a role is set up). */
static PgLink *
make_session_link (const char *key)
{
  GtkWidget *dialog;
  GtkWidget *precision;
  g_autoptr(PgLink) before = ui_newest_link ();
  PgLink *link;

  ui_select_file (key);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  precision = ui_child (dialog, PG_TYPE_LINK_DIALOG, "precision_switch");
  /* A day is longer than a session lasts: revoked with the file, and the dialog says so. */
  g_assert_false (gtk_widget_is_sensitive (precision));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                                ui_child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), "12"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ui_child (dialog, PG_TYPE_LINK_DIALOG, "expiry_row")),
                              0);
  g_assert_true (gtk_widget_is_sensitive (precision));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (precision)));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                     ui_child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), ==,
                   _("Only this link can be revoked; other links to the file keep working."));
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  link = ui_newest_link ();
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
void
test_ui_per_link (void)
{
  g_autoptr(PgLink) first = make_session_link ("contract.pdf");
  g_autoptr(PgLink) second = make_session_link ("contract.pdf");
  g_autofree char *first_url = ui_copy_link (first);
  g_autofree char *second_url = ui_copy_link (second);

  g_assert_cmpstr (pg_link_get_access_key_id (first), !=, pg_link_get_access_key_id (second));
  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 200);

  ui_click (ui_child (ui_row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_null (ui_find_question (""));
  ui_wait_until (link_revoked, first, "the link to be revoked");
  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 403);
  g_assert_cmpint (pg_link_get_state (second), ==, PG_LINK_ACTIVE);
  g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 200);

  /* Restored from its row, its session's keys gone from this computer (a new session of the
   * same name is the same principal): it works again; the other was never touched. */
  pg_link_service_set_link_credentials (pg_application_get_link_service (ui_app),
                                        pg_link_get_id (first), NULL);
  ui_wait_until (ui_row_shown, first, "the link's row");
  ui_click (ui_child (ui_row_for (first), PG_TYPE_LINK_ROW, "revoke_button"));
  ui_wait_until (ui_link_active, first, "the link to work again");
  g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 200);

  /* Blocking the bucket blocks these too: the lockdown names the signing role as well. */
  {
    GtkSwitch *toggle = GTK_SWITCH (ui_child (ui_window, PG_TYPE_WINDOW, "lockdown_switch"));

    gtk_switch_set_active (toggle, TRUE);
    ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG),
                   "the confirmation");
    adw_message_dialog_response (ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG), "block");
    ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (TRUE), "the lockdown");
    ui_wait_until (ui_service_idle, NULL, "both lockdown jobs");
    g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 403);
    g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 403);

    gtk_switch_set_active (toggle, FALSE);
    ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown to end");
    ui_wait_until (ui_service_idle, NULL, "the lockdown to end");
    g_assert_cmpuint (ui_fetch ("GET", first_url, NULL, NULL), ==, 200);
    g_assert_cmpuint (ui_fetch ("GET", second_url, NULL, NULL), ==, 200);
  }
}

/* Longer than a session lasts, with private copies allowed (the default of 1 GB): the dialog
 * makes each link a copy of the file of its own. Revoking one closes it alone; removing it
 * deletes its copy. */
void
test_ui_private_copy (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  PgLink *links[2] = { NULL, NULL };
  g_autofree char *urls[2] = { NULL, NULL };
  g_autoptr(PgLink) session_link = make_session_link ("contract.pdf");
  g_autofree char *session_url = ui_copy_link (session_link);

  g_settings_reset (settings, "private-copy-limit");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PgLink) before = ui_newest_link ();
      GtkWidget *dialog;
      GtkWidget *precision;

      ui_select_file ("contract.pdf");
      gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
      ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
      dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
      precision = ui_child (dialog, PG_TYPE_LINK_DIALOG, "precision_switch");
      /* A day: a copy, on by default. */
      g_assert_true (gtk_widget_is_sensitive (precision));
      g_assert_true (gtk_switch_get_active (GTK_SWITCH (precision)));
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (
                         ui_child (dialog, PG_TYPE_LINK_DIALOG, "precision_row"))), ==,
                       _("Only this link can be revoked: it gets a copy of the file of its "
                         "own, deleted with the link."));
      ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
      ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG),
                     "the dialog to close");
      links[i] = ui_newest_link ();
      g_assert_true (links[i] != before);
      g_assert_cmpstr (pg_link_get_copy_of (links[i]), ==, "contract.pdf");
      urls[i] = ui_copy_link (links[i]);
      g_assert_cmpuint (ui_fetch ("GET", urls[i], NULL, NULL), ==, 200);
    }
  ui_click (ui_child (ui_row_for (links[0]), PG_TYPE_LINK_ROW, "revoke_button"));
  g_assert_null (ui_find_question ("Also"));
  ui_wait_until (link_revoked, links[0], "the link to be revoked");
  g_assert_cmpuint (ui_fetch ("GET", urls[0], NULL, NULL), ==, 403);
  g_assert_cmpint (pg_link_get_state (links[1]), ==, PG_LINK_ACTIVE);
  g_assert_cmpuint (ui_fetch ("GET", urls[1], NULL, NULL), ==, 200);
  g_assert_cmpuint (ui_fetch ("GET", session_url, NULL, NULL), ==, 200);

  /* Removed: its copy goes, so the link cannot come back. */
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.remove-link", "s",
                              pg_link_get_id (links[1]));
  ui_wait_until (ui_link_removed, links[1], "the link to be removed");
  g_assert_cmpuint (ui_fetch ("GET", urls[1], NULL, NULL), ==, 404);
  g_settings_set_uint (settings, "private-copy-limit", 0);
  g_object_unref (links[0]);
  g_object_unref (links[1]);
}
