/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-account-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "pg-account-dialog.h"
#include "pg-aws-config.h"
#include "pg-error.h"
#include "pg-s3-client.h"

/* Adding (or replacing) the account: where the bucket is and the keys. Secrets go to the
 * keyring and nowhere else. "Test connection" tries what the app will do and says in words what
 * does not work. */

struct _PgAccountDialog
{
  AdwWindow          parent_instance;

  PgApplication     *application;
  GCancellable      *cancellable;
  PgS3Client        *test_client;
  PgS3Client        *test_signer;
  GString           *report;
  GPtrArray         *profiles;

  GtkWidget         *import_group;
  AdwComboRow       *profile_row;
  AdwEntryRow       *name_row;
  AdwEntryRow       *bucket_row;
  AdwEntryRow       *region_row;
  AdwComboRow       *aws_region_row;
  GtkStringList     *aws_regions;
  GtkSwitch         *compatible_switch;
  AdwEntryRow       *endpoint_row;
  GtkSwitch         *path_style_switch;
  AdwEntryRow       *manager_key_row;
  AdwEntryRow       *manager_secret_row;
  AdwEntryRow       *token_row;
  AdwEntryRow       *token_expiry_row;
  GtkSwitch         *separate_switch;
  AdwEntryRow       *signer_key_row;
  AdwEntryRow       *signer_secret_row;
  AdwEntryRow       *signer_arn_row;
  GtkLabel          *status_label;
  GtkWidget         *save_button;
  GtkWidget         *test_button;
};

G_DEFINE_FINAL_TYPE (PgAccountDialog, pg_account_dialog, ADW_TYPE_WINDOW)

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static void
fill_info (PgAccountDialog *self,
           PgAccountInfo   *info)
{
  gboolean compatible = gtk_switch_get_active (self->compatible_switch);
  gboolean separate = gtk_switch_get_active (self->separate_switch);
  guint region = adw_combo_row_get_selected (self->aws_region_row);

  info->name = text_of (self->name_row);
  info->bucket = text_of (self->bucket_row);
  info->region = compatible ? text_of (self->region_row)
                            : gtk_string_list_get_string (self->aws_regions, region);
  info->endpoint_url = compatible ? text_of (self->endpoint_row) : NULL;
  info->path_style = compatible && gtk_switch_get_active (self->path_style_switch);
  info->manager_key_id = text_of (self->manager_key_row);
  info->signer_key_id = separate ? text_of (self->signer_key_row) : NULL;
  info->signer_arn = text_of (self->signer_arn_row);
}

/* Shows @region in the AWS region list when it is one, and in the entry in any case. */
static void
set_region (PgAccountDialog *self,
            const char      *region)
{
  GListModel *regions = G_LIST_MODEL (self->aws_regions);

  gtk_editable_set_text (GTK_EDITABLE (self->region_row), region);
  for (guint i = 0; i < g_list_model_get_n_items (regions); i++)
    {
      if (g_str_equal (gtk_string_list_get_string (self->aws_regions, i), region))
        adw_combo_row_set_selected (self->aws_region_row, i);
    }
}

static void
on_profile_selected (PgAccountDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->profile_row);
  PgAwsProfile *profile;

  if (selected == 0 || selected > self->profiles->len)
    return;

  profile = g_ptr_array_index (self->profiles, selected - 1);
  gtk_editable_set_text (GTK_EDITABLE (self->manager_key_row), profile->access_key_id);
  gtk_editable_set_text (GTK_EDITABLE (self->manager_secret_row), profile->secret_access_key);
  if (profile->region != NULL)
    set_region (self, profile->region);
  gtk_editable_set_text (GTK_EDITABLE (self->token_row),
                         profile->session_token ? profile->session_token : "");
}

static void
load_profiles (PgAccountDialog *self)
{
  g_autofree char *credentials = g_build_filename (g_get_home_dir (), ".aws", "credentials", NULL);
  g_autofree char *config = g_build_filename (g_get_home_dir (), ".aws", "config", NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  /* AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE move them, as for the AWS CLI. */
  self->profiles = pg_aws_profiles_load (g_getenv ("AWS_SHARED_CREDENTIALS_FILE")
                                         ? g_getenv ("AWS_SHARED_CREDENTIALS_FILE") : credentials,
                                         g_getenv ("AWS_CONFIG_FILE")
                                         ? g_getenv ("AWS_CONFIG_FILE") : config);
  gtk_string_list_append (names, _("None"));
  for (guint i = 0; i < self->profiles->len; i++)
    gtk_string_list_append (names, ((PgAwsProfile *) g_ptr_array_index (self->profiles, i))->name);

  adw_combo_row_set_model (self->profile_row, G_LIST_MODEL (names));
  gtk_widget_set_visible (self->import_group, self->profiles->len > 0);
  g_signal_connect_swapped (self->profile_row, "notify::selected",
                            G_CALLBACK (on_profile_selected), self);
}

/* "2026-11-30 18:00" in local time, or empty for none. */
static gboolean
parse_expiry (const char  *text,
              gint64      *expires,
              GError     **error)
{
  g_autoptr(GDateTime) local = NULL;
  int year, month, day, hour, minute;
  char end;

  *expires = 0;
  if (text == NULL || *text == '\0')
    return TRUE;

  if (sscanf (text, "%d-%d-%d %d:%d%c", &year, &month, &day, &hour, &minute, &end) != 5
      || !(local = g_date_time_new_local (year, month, day, hour, minute, 0)))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a date and time. Write it like 2026-11-30 18:00."), text);
      return FALSE;
    }

  *expires = g_date_time_to_unix (local);

  return TRUE;
}

/* Checks the form as the core would; returns the account to save. */
static PgAccount *
validate (PgAccountDialog  *self,
          PgCredentials   **manager,
          PgCredentials   **signer,
          GError          **error)
{
  PgAccountInfo info = { 0 };
  g_autoptr(PgAccount) account = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_auto(PgLocation) location = { 0 };

  fill_info (self, &info);
  if (!parse_expiry (text_of (self->token_expiry_row), &info.token_expires, error))
    return NULL;
  account = pg_account_new (&info);

  if (!(endpoint = pg_account_create_endpoint (account, error))
      || !pg_endpoint_locate (endpoint, info.bucket, NULL, &location, error))
    return NULL;

  {
    g_autoptr(GDateTime) expiration = info.token_expires > 0
                                      ? g_date_time_new_from_unix_utc (info.token_expires) : NULL;

    *manager = pg_credentials_new (info.manager_key_id, text_of (self->manager_secret_row),
                                   text_of (self->token_row), expiration, error);
  }
  if (*manager == NULL)
    return NULL;

  if (pg_account_has_separate_signer (account))
    {
      *signer = pg_credentials_new (info.signer_key_id, text_of (self->signer_secret_row), NULL,
                                    NULL, error);
      if (*signer == NULL)
        {
          g_clear_pointer (manager, pg_credentials_unref);
          return NULL;
        }
    }
  else
    {
      *signer = pg_credentials_ref (*manager);
    }

  return g_steal_pointer (&account);
}

static void
set_busy (PgAccountDialog *self,
          gboolean         busy)
{
  gtk_widget_set_sensitive (self->save_button, !busy);
  gtk_widget_set_sensitive (self->test_button, !busy);
}

/* ---- Test connection -------------------------------------------------------------------- */

static void
report_line (PgAccountDialog *self,
             gboolean         ok,
             const char      *text)
{
  g_string_append_printf (self->report, "%s %s\n", ok ? "✓" : "✗", text);
  gtk_label_set_label (self->status_label, self->report->str);
}

static void
identity_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = pg_s3_client_get_caller_identity_finish (PG_S3_CLIENT (source), result,
                                                                  &error);
  PgAccountDialog *self;
  gint64 offset;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (arn != NULL)
    {
      g_autofree char *line = g_strdup_printf (_("Links are signed by %s"), arn);

      report_line (self, TRUE, line);
    }
  else if (*text_of (self->signer_arn_row) != '\0')
    report_line (self, TRUE, _("This server cannot tell who signs links; the signer ARN you "
                               "entered will be used."));
  else
    report_line (self, FALSE, _("This server cannot tell who signs links, so links cannot be "
                                "revoked yet. Enter the signer ARN."));

  offset = pg_s3_client_get_clock_offset (self->test_client);
  if (ABS (offset) >= 60)
    {
      g_autofree char *line = g_strdup_printf (_("Your computer’s clock is off by %d minutes; "
                                                 "links are signed with the server’s time."),
                                               (int) (ABS (offset) / 60));

      report_line (self, FALSE, line);
    }
  else
    report_line (self, TRUE, _("The computer’s clock is right."));

  set_busy (self, FALSE);
}

static void
policy_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *policy = NULL;
  PgAccountDialog *self;
  gboolean ok = pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &policy,
                                                       &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  report_line (self, ok, ok ? _("The managing key can read the bucket policy.") : error->message);
  pg_s3_client_get_caller_identity_async (self->test_signer, self->cancellable, identity_cb,
                                          self);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source),
                                                                     result, &error);
  PgAccountDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (listing == NULL)
    {
      report_line (self, FALSE, error->message);
      set_busy (self, FALSE);
      return;
    }

  report_line (self, TRUE, _("The bucket can be listed."));
  pg_s3_client_get_bucket_policy_async (self->test_client, text_of (self->bucket_row),
                                        self->cancellable, policy_read_cb, self);
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate (self, &manager, &signer, &error);
  g_autoptr(PgEndpoint) endpoint = NULL;
  SoupSession *session = pg_application_get_soup_session (self->application);

  g_string_truncate (self->report, 0);
  if (account == NULL)
    {
      report_line (self, FALSE, error->message);
      return;
    }

  endpoint = pg_account_create_endpoint (account, NULL);
  g_clear_object (&self->test_client);
  g_clear_object (&self->test_signer);
  self->test_client = pg_s3_client_new (endpoint, manager, session);
  self->test_signer = pg_s3_client_new (endpoint, signer, session);
  pg_s3_client_set_retries (self->test_client, 1, 0);
  pg_s3_client_set_retries (self->test_signer, 1, 0);

  set_busy (self, TRUE);
  gtk_label_set_label (self->status_label, _("Testing…"));
  pg_s3_client_list_objects_async (self->test_client, text_of (self->bucket_row),
                                   ".presign-guard/", "/", self->cancellable, listed_cb, self);
}

/* ---- Save ------------------------------------------------------------------------------- */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PgAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pg_application_save_account_finish (PG_APPLICATION (source), result, &error))
    {
      set_busy (self, FALSE);
      gtk_label_set_label (self->status_label, error->message);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate (self, &manager, &signer, &error);

  if (account == NULL)
    {
      gtk_label_set_label (self->status_label, error->message);
      return;
    }

  set_busy (self, TRUE);
  pg_application_save_account_async (self->application, account,
                                     text_of (self->manager_secret_row),
                                     pg_credentials_get_session_token (manager),
                                     pg_account_has_separate_signer (account)
                                     ? text_of (self->signer_secret_row) : NULL,
                                     NULL, saved_cb, g_object_ref (self));
}

GtkWindow *
pg_account_dialog_new (GtkWindow     *parent,
                       PgApplication *application,
                       PgAccount     *account)
{
  PgAccountDialog *self = g_object_new (PG_TYPE_ACCOUNT_DIALOG, "transient-for", parent, NULL);

  self->application = g_object_ref (application);

  /* Secrets are never shown again: they have to be entered to save. */
  if (account != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), pg_account_get_name (account));
      gtk_editable_set_text (GTK_EDITABLE (self->bucket_row), pg_account_get_bucket (account));
      set_region (self, pg_account_get_region (account));
      gtk_switch_set_active (self->compatible_switch,
                             pg_account_get_endpoint_url (account) != NULL);
      if (pg_account_get_endpoint_url (account) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->endpoint_row),
                               pg_account_get_endpoint_url (account));
      gtk_switch_set_active (self->path_style_switch, pg_account_get_path_style (account));
      gtk_editable_set_text (GTK_EDITABLE (self->manager_key_row),
                             pg_account_get_manager_key_id (account));
      gtk_switch_set_active (self->separate_switch, pg_account_has_separate_signer (account));
      if (pg_account_has_separate_signer (account))
        gtk_editable_set_text (GTK_EDITABLE (self->signer_key_row),
                               pg_account_get_signer_key_id (account));
      if (pg_account_get_signer_arn (account) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->signer_arn_row),
                               pg_account_get_signer_arn (account));
      if (pg_account_get_token_expires (account) > 0)
        {
          gint64 expires = pg_account_get_token_expires (account);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (expires);
          g_autoptr(GDateTime) local = g_date_time_to_local (utc);
          g_autofree char *text = g_date_time_format (local, "%Y-%m-%d %H:%M");

          gtk_editable_set_text (GTK_EDITABLE (self->token_expiry_row), text);
        }
      gtk_label_set_label (self->status_label, _("Enter the secret keys again to save changes."));
    }

  return GTK_WINDOW (self);
}

static void
pg_account_dialog_dispose (GObject *object)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_client);
  g_clear_object (&self->test_signer);
  g_clear_object (&self->application);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  if (self->report != NULL)
    g_string_free (g_steal_pointer (&self->report), TRUE);
  gtk_widget_dispose_template (GTK_WIDGET (self), PG_TYPE_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (pg_account_dialog_parent_class)->dispose (object);
}

static void
pg_account_dialog_class_init (PgAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pg_account_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, import_group);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, profile_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, bucket_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, region_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, aws_region_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, aws_regions);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, compatible_switch);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, endpoint_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, path_style_switch);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, manager_key_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, manager_secret_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, token_expiry_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, separate_switch);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_key_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_secret_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_arn_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, test_button);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.test", NULL, test_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pg_account_dialog_init (PgAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->report = g_string_new (NULL);
  load_profiles (self);
}
