/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "ui-helpers.h"
#include "ui-tests.h"

/* The bucket's lockdown switch: asked first, then every link signed with the signing key is
 * blocked until it is switched off. */

static char *
signer_url (const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (g_getenv ("PG_TEST_S3_ENDPOINT"), "us-east-1",
                                                    TRUE, NULL);
  g_autoptr(PgCredentials) signer = pg_credentials_new ("PRESIGNKEY", "PRESIGNSECRET", NULL, NULL,
                                                        NULL);
  PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = ui_bucket, .key = key,
                               .expires = 600 };
  char *url = pg_presign_url (endpoint, signer, &options, &error);

  g_assert_no_error (error);

  return url;
}

static gboolean
not_blocked (gpointer link)
{
  return !pg_link_get_blocked (link);
}

void
test_ui_lockdown (void)
{
  /* A link that works, to a file of its own. */
  g_autoptr(PgLink) working = ui_make_download_link ("lockdown.pdf");
  gpointer says_blocked[] = { working, (gpointer) _("Blocked by “Block every link”") };
  GtkSwitch *toggle = GTK_SWITCH (ui_child (ui_window, PG_TYPE_WINDOW, "lockdown_switch"));
  g_autofree char *url = signer_url (pg_link_get_key (working));
  AdwMessageDialog *dialog;

  ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown state");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);

  /* Switching on asks first; cancelling changes nothing. */
  gtk_switch_set_active (toggle, TRUE);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "block"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "cancel");
  ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (FALSE), "the switch to stay off");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);

  gtk_switch_set_active (toggle, TRUE);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (dialog, "block");
  ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (TRUE), "the lockdown");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 403);
  /* The rows of working links say why they do not work now. */
  g_assert_nonnull (working);
  _pg_window_show_links (ui_window);
  ui_wait_until (ui_row_says, says_blocked, "a working link's row to say it is blocked");

  gtk_switch_set_active (toggle, FALSE);
  ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (FALSE), "the lockdown to end");
  g_assert_cmpuint (ui_fetch ("GET", url, NULL, NULL), ==, 200);
  ui_wait_until (not_blocked, working, "the link to be no longer blocked");
}
