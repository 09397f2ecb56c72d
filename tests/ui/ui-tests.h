/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The UI tests, by the file they are in; main() in test-ui.c registers them, in an order that
 * matters (each starts where the one before left the window). */

/* test-ui-account.c */
void test_ui_add_account             (void);
void test_ui_create_bucket           (void);
void test_ui_create_signer_on_ceph   (void);

/* test-ui-links.c */
void test_ui_download_link           (void);
void test_ui_share_revoked_file      (void);
void test_ui_revoke_undo             (void);
void test_ui_sibling_links           (void);
void test_ui_lifetime_bounds         (void);
void test_ui_close_window_mid_revoke (void);
void test_ui_close_window            (void);
void test_ui_names_shown_as_they_are (void);
void test_ui_keys_safe               (void);
void test_ui_lift_revocation         (void);
void test_ui_keyboard_after_create   (void);

/* test-ui-sharing.c */
void test_ui_qr_code                 (void);
void test_ui_details                 (void);
void test_ui_activity                (void);
void test_ui_uses_limit              (void);
void test_ui_mail_fallback           (void);

/* test-ui-upload.c */
void test_ui_upload_link             (void);
void test_ui_upload_page             (void);
void test_ui_drop_upload             (void);
void test_ui_file_actions            (void);

/* test-ui-lockdown.c */
void test_ui_lockdown                (void);

/* test-ui-watch.c */
void test_ui_closes_after_use        (void);
void test_ui_closes_while_open       (void);

/* test-ui-per-link.c */
void test_ui_per_link                (void);
void test_ui_private_copy            (void);

/* test-ui-layout.c */
void test_ui_many_links              (void);
void test_ui_words                   (void);
void test_ui_widths                  (void);

/* test-ui-tooltips.c */
void test_ui_buttons_labelled        (void);
void test_ui_tooltips                (void);

G_END_DECLS
