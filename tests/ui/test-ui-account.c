/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "pg-account-dialog.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* The account dialog: an account made as a person would, its managing key from an AWS CLI
 * profile, its connection tested against the gateway, its secrets kept in the keyring. */

static gboolean
test_finished (gpointer dialog)
{
  const char *text = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
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

void
test_ui_add_account (void)
{
  const char *endpoint = g_getenv ("PG_TEST_S3_ENDPOINT");
  GtkWidget *dialog;
  const char *report;

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ui_child (ui_window, PG_TYPE_WINDOW,
                                                                          "stack"))), ==,
                   "welcome");

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.edit-account", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the account dialog");
  dialog = ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG);

  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "name_row", "Office");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "bucket_row", ui_bucket);
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                               "compatible_switch")), TRUE);
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "endpoint_row", endpoint);
  /* The managing key comes from an AWS CLI profile. */
  g_assert_true (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                   "import_group")));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                       "profile_row")), 1);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                                  "manager_key_row"))), ==,
                   "OWNERKEY");
  gtk_switch_set_active (GTK_SWITCH (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "separate_switch")),
                         TRUE);
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_key_row", "PRESIGNKEY");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_secret_row", "PRESIGNSECRET");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_arn_row",
               "arn:aws:iam:::user/owner:presign");
  /* With STS, the signing role is made from the dialog (Create, with the managing key). */
  if (ui_role_arn != NULL)
    {
      GtkEditable *role_row = GTK_EDITABLE (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                      "signer_role_row"));

      gtk_widget_activate_action (dialog, "dialog.create-role", NULL);
      ui_wait_until (role_filled, role_row, "the signing role");
      g_assert_cmpstr (gtk_editable_get_text (role_row), ==,
                       "arn:aws:iam:::role/presign-guard-links");
      g_free (ui_role_arn);
      ui_role_arn = g_strdup (gtk_editable_get_text (role_row));
    }

  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"));
  ui_wait_until (test_finished, dialog, "the connection test");
  report = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                     "status_label")));
  g_test_message ("connection test:\n%s", report);
  g_assert_nonnull (strstr (report, _("The bucket can be listed.")));
  g_assert_nonnull (strstr (report, _("The managing key can read the bucket policy.")));
  g_assert_null (strstr (report, "✗"));

  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "save_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the dialog to close");
  ui_wait_until (ui_files_listed, NULL, "the bucket listing");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (ui_child (ui_window, PG_TYPE_WINDOW,
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
dialog_idle (gpointer dialog)
{
  return gtk_widget_get_sensitive (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"));
}

static gboolean
bucket_offered (gpointer dialog)
{
  return gtk_widget_get_visible (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                           "create_bucket_button"))
         && gtk_widget_get_sensitive (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"));
}

static gboolean
bucket_made_and_tested (gpointer dialog)
{
  const char *text = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                               "status_label")));

  return !gtk_widget_get_visible (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                            "create_bucket_button"))
         && gtk_widget_get_sensitive (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"))
         && strstr (text, _("The bucket can be listed.")) != NULL;
}

/* A bucket that does not exist: Test Connection says so and offers to make it; the app asks
 * first, the managing key makes it, and the test runs again, now with every step through. */
void
test_ui_create_bucket (void)
{
  g_autofree char *bucket = g_strdup_printf ("%s-new", ui_bucket);
  GtkWidget *dialog;
  AdwMessageDialog *question;
  const char *report;

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.edit-account", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the account dialog");
  dialog = ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG);
  /* The dialog first looks up the stored secrets. */
  ui_wait_until (dialog_idle, dialog, "the keyring lookups");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "bucket_row", bucket);
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "manager_secret_row", "OWNERSECRET");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "signer_secret_row", "PRESIGNSECRET");

  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"));
  ui_wait_until (bucket_offered, dialog, "Create Bucket offered");
  report = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                     "status_label")));
  g_assert_nonnull (strstr (report, bucket));

  /* Asked first: Cancel changes nothing. */
  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "create_bucket_button"));
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG),
                 "the question");
  question = ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (question), bucket));
  /* As its button does: the answer, then the question closes. */
  adw_message_dialog_response (question, "cancel");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG),
                 "the question to close");
  g_assert_true (gtk_widget_get_visible (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                   "create_bucket_button")));

  ui_click (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "create_bucket_button"));
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG),
                 "the question");
  question = ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (question, "create");
  gtk_window_close (GTK_WINDOW (question));
  ui_wait_until (bucket_made_and_tested, dialog, "the bucket made and tested");
  report = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                     "status_label")));
  g_test_message ("after Create Bucket:\n%s", report);
  if (ui_role_arn != NULL)
    {
      /* The signing role was made for the account's bucket: said, as a failure of its own. */
      g_auto(GStrv) lines = g_strsplit (report, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (g_str_has_prefix (lines[i], "✗"))
          g_assert_nonnull (strstr (lines[i], bucket));
      g_assert_nonnull (strstr (report, "(Create)"));
    }
  else
    g_assert_null (strstr (report, "✗"));

  /* Not saved: the account stays on its own bucket. */
  gtk_window_close (GTK_WINDOW (dialog));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the dialog to close");
}

static gboolean
signer_answered (gpointer dialog)
{
  const char *text = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                               "status_label")));

  return gtk_widget_get_sensitive (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG, "test_button"))
         && g_str_has_prefix (text, "✗");
}

/* Create next to the signing key makes an IAM user on AWS; on Ceph the answer says how its
 * administrator makes a subuser instead, and the fields stay as they were. */
void
test_ui_create_signer_on_ceph (void)
{
  GtkWidget *dialog;
  const char *report;

  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.edit-account", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the account dialog");
  dialog = ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG);
  ui_wait_until (dialog_idle, dialog, "the keyring lookups");
  ui_set_text (dialog, PG_TYPE_ACCOUNT_DIALOG, "manager_secret_row", "OWNERSECRET");

  gtk_widget_activate_action (dialog, "dialog.create-signer", NULL);
  ui_wait_until (signer_answered, dialog, "the answer about the signing key");
  report = gtk_label_get_label (GTK_LABEL (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                     "status_label")));
  g_test_message ("Create signing key:\n%s", report);
  g_assert_nonnull (strstr (report, "radosgw-admin subuser create"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_child (dialog, PG_TYPE_ACCOUNT_DIALOG,
                                                                  "signer_key_row"))), ==,
                   "PRESIGNKEY");

  gtk_window_close (GTK_WINDOW (dialog));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the dialog to close");
}
