/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "ui-helpers.h"
#include "ui-tests.h"

/* The UI tests in one run, one app and one bucket for all: which of them run depends on the
 * gateway (with STS or not) and on the language, and their order matters. */

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (!ui_init (&argc, &argv))
    return 1;

  g_test_add_func ("/pg/ui/add-account", test_ui_add_account);
  g_test_add_func ("/pg/ui/create-bucket", test_ui_create_bucket);
  g_test_add_func ("/pg/ui/create-signer-on-ceph", test_ui_create_signer_on_ceph);
  /* Against a gateway with STS: links signed one by one. */
  if (ui_role_arn != NULL)
    {
      g_test_add_func ("/pg/ui/per-link", test_ui_per_link);
      g_test_add_func ("/pg/ui/private-copy", test_ui_private_copy);
    }
  /* In another language: a link, what partners send coming back, the files pane, the
   * lockdown; what its text changes, the tooltips and the list of links. */
  else if (g_getenv ("PG_TEST_LANGUAGE") != NULL)
    {
      g_test_add_func ("/pg/ui/download-link", test_ui_download_link);
      g_test_add_func ("/pg/ui/upload-link", test_ui_upload_link);
      g_test_add_func ("/pg/ui/upload-page", test_ui_upload_page);
      g_test_add_func ("/pg/ui/file-actions", test_ui_file_actions);
      g_test_add_func ("/pg/ui/lockdown", test_ui_lockdown);
      g_test_add_func ("/pg/ui/activity", test_ui_activity);
      g_test_add_func ("/pg/ui/tooltips", test_ui_tooltips);
      g_test_add_func ("/pg/ui/many-links", test_ui_many_links);
      g_test_add_func ("/pg/ui/words", test_ui_words);
      g_test_add_func ("/pg/ui/widths", test_ui_widths);
    }
  else
    {
      g_test_add_func ("/pg/ui/download-link", test_ui_download_link);
      g_test_add_func ("/pg/ui/keyboard-after-create", test_ui_keyboard_after_create);
      g_test_add_func ("/pg/ui/share-revoked-file", test_ui_share_revoked_file);
      g_test_add_func ("/pg/ui/revoke-undo", test_ui_revoke_undo);
      g_test_add_func ("/pg/ui/qr-code", test_ui_qr_code);
      g_test_add_func ("/pg/ui/upload-link", test_ui_upload_link);
      g_test_add_func ("/pg/ui/upload-page", test_ui_upload_page);
      g_test_add_func ("/pg/ui/details", test_ui_details);
      g_test_add_func ("/pg/ui/drop-upload", test_ui_drop_upload);
      g_test_add_func ("/pg/ui/file-actions", test_ui_file_actions);
      g_test_add_func ("/pg/ui/lockdown", test_ui_lockdown);
      g_test_add_func ("/pg/ui/buttons-labelled", test_ui_buttons_labelled);
      g_test_add_func ("/pg/ui/sibling-links", test_ui_sibling_links);
      g_test_add_func ("/pg/ui/lifetime-bounds", test_ui_lifetime_bounds);
      g_test_add_func ("/pg/ui/close-window-mid-revoke", test_ui_close_window_mid_revoke);
      g_test_add_func ("/pg/ui/close-window", test_ui_close_window);
      g_test_add_func ("/pg/ui/mail-fallback", test_ui_mail_fallback);
      g_test_add_func ("/pg/ui/keys-safe", test_ui_keys_safe);
      g_test_add_func ("/pg/ui/names-shown-as-they-are", test_ui_names_shown_as_they_are);
      g_test_add_func ("/pg/ui/lift-revocation", test_ui_lift_revocation);
      g_test_add_func ("/pg/ui/closes-after-use", test_ui_closes_after_use);
      g_test_add_func ("/pg/ui/closes-while-open", test_ui_closes_while_open);
      g_test_add_func ("/pg/ui/activity", test_ui_activity);
      g_test_add_func ("/pg/ui/uses-limit", test_ui_uses_limit);
      g_test_add_func ("/pg/ui/many-links", test_ui_many_links);
      g_test_add_func ("/pg/ui/tooltips", test_ui_tooltips);
      g_test_add_func ("/pg/ui/words", test_ui_words);
      g_test_add_func ("/pg/ui/widths", test_ui_widths);
    }

  ret = g_test_run ();

  ui_shutdown ();

  return ret;
}
