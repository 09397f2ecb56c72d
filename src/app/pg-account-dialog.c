/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-account-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "pg-account-check.h"
#include "pg-account-context.h"
#include "pg-account-dialog.h"
#include "pg-aws-config.h"
#include "pg-error.h"
#include "pg-keyring.h"
#include "pg-s3-client.h"
#include "pg-toolkit.h"

/* Adding (or replacing) the account: where the bucket is and the keys. Secrets go to the
 * keyring and nowhere else; editing an account, a secret field left empty keeps the secret the
 * keyring holds for that key. "Test connection" hands the form to the core's account check
 * (pg-account-check.c) and shows what it says, one line a step. */

struct _PgAccountDialog
{
  AdwWindow          parent_instance;

  PgApplication     *application;
  PgAccount         *account;        /* the account edited, or NULL for a new one */
  GCancellable      *cancellable;
  GPtrArray         *profiles;

  /* The edited account's secrets, from the keyring. */
  char              *stored_manager_secret;
  char              *stored_manager_token;
  char              *stored_signer_secret;
  guint              lookups_pending;
  char              *lookup_error;

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
  GtkWidget         *manager_secret_stored;
  AdwEntryRow       *token_row;
  GtkWidget         *token_stored;
  AdwEntryRow       *token_expiry_row;
  GtkSwitch         *separate_switch;
  AdwEntryRow       *signer_key_row;
  AdwEntryRow       *signer_secret_row;
  GtkWidget         *signer_secret_stored;
  AdwEntryRow       *signer_arn_row;
  AdwEntryRow       *signer_role_row;
  AdwEntryRow       *ops_log_row;
  AdwEntryRow       *uses_queue_row;
  GtkLabel          *status_label;
  GtkWidget         *save_button;
  GtkWidget         *test_button;
  GtkWidget         *create_bucket_button;
  GtkSpinner        *test_spinner;
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
  info->signer_role_arn = text_of (self->signer_role_row);
  info->ops_log_path = text_of (self->ops_log_row);
  info->uses_queue_url = text_of (self->uses_queue_row);
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

/* ---- Secrets kept in the keyring ------------------------------------------------------------ */

/* Whether @text, as typed, is the access key ID @key_id. */
static gboolean
is_key (const char *text,
        const char *key_id)
{
  g_autofree char *typed = g_strstrip (g_strdup (text));

  return key_id != NULL && g_str_equal (typed, key_id);
}

/* The keyring's managing secret, when the form still names the key it belongs to. */
static const char *
stored_manager_secret (PgAccountDialog *self)
{
  if (self->account == NULL
      || !is_key (text_of (self->manager_key_row), pg_account_get_manager_key_id (self->account)))
    return NULL;

  return self->stored_manager_secret;
}

static const char *
stored_signer_secret (PgAccountDialog *self)
{
  if (self->account == NULL || !pg_account_has_separate_signer (self->account)
      || !is_key (text_of (self->signer_key_row), pg_account_get_signer_key_id (self->account)))
    return NULL;

  return self->stored_signer_secret;
}

/* The secrets to test and save with: what was typed, or for a field left empty what the keyring
 * holds for the same key. */
static const char *
manager_secret (PgAccountDialog *self)
{
  const char *typed = text_of (self->manager_secret_row);

  return *typed == '\0' && stored_manager_secret (self) ? stored_manager_secret (self) : typed;
}

/* A stored session token goes with the stored secret only. */
static const char *
manager_token (PgAccountDialog *self)
{
  const char *typed = text_of (self->token_row);

  if (*typed == '\0' && *text_of (self->manager_secret_row) == '\0'
      && stored_manager_secret (self) != NULL && self->stored_manager_token != NULL)
    return self->stored_manager_token;

  return typed;
}

static const char *
signer_secret (PgAccountDialog *self)
{
  const char *typed = text_of (self->signer_secret_row);

  return *typed == '\0' && stored_signer_secret (self) ? stored_signer_secret (self) : typed;
}

/* "Stored in the keyring" next to each empty field whose secret will be kept. */
static void
update_stored_hints (PgAccountDialog *self)
{
  gtk_widget_set_visible (self->manager_secret_stored,
                          *text_of (self->manager_secret_row) == '\0'
                          && stored_manager_secret (self) != NULL);
  gtk_widget_set_visible (self->token_stored,
                          *text_of (self->token_row) == '\0'
                          && *text_of (self->manager_secret_row) == '\0'
                          && stored_manager_secret (self) != NULL
                          && self->stored_manager_token != NULL);
  gtk_widget_set_visible (self->signer_secret_stored,
                          *text_of (self->signer_secret_row) == '\0'
                          && stored_signer_secret (self) != NULL);
}

static void
set_busy (PgAccountDialog *self,
          gboolean         busy)
{
  gtk_widget_set_sensitive (self->save_button, !busy);
  gtk_widget_set_sensitive (self->test_button, !busy);
  gtk_widget_set_sensitive (self->create_bucket_button, !busy);
  gtk_spinner_set_spinning (self->test_spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->test_spinner), busy);
}

static void
lookups_done (PgAccountDialog *self)
{
  set_busy (self, FALSE);
  update_stored_hints (self);

  if (self->lookup_error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The keyring could not be read (%s). Enter the "
                                                 "secret keys again to save changes."),
                                               self->lookup_error);

      gtk_label_set_label (self->status_label, text);
    }
  else if (self->stored_manager_secret == NULL)
    {
      gtk_label_set_label (self->status_label, _("Enter the secret keys again to save changes."));
    }
  else
    {
      gtk_label_set_label (self->status_label, _("Secret keys left empty stay as they are in the "
                                                 "keyring."));
    }
}

typedef struct
{
  PgAccountDialog  *self;
  char            **slot;
} Lookup;

static void
stored_secret_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autofree Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = pg_keyring_lookup_finish (result, &error);
  PgAccountDialog *self;

  /* The dialog is gone: do not touch it. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = lookup->self;
  if (error != NULL && self->lookup_error == NULL)
    self->lookup_error = g_strdup (error->message);
  *lookup->slot = secret;

  if (--self->lookups_pending == 0)
    lookups_done (self);
}

static void
look_up_secret (PgAccountDialog  *self,
                const char       *role,
                char            **slot)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->self = self;
  lookup->slot = slot;
  self->lookups_pending++;
  pg_keyring_lookup_async (pg_account_get_id (self->account), role, self->cancellable,
                           stored_secret_cb, lookup);
}

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    pg_keyring_secret_free (g_steal_pointer (secret));
}

/* ---- The form ------------------------------------------------------------------------------- */

/* Checks the form as the core would; returns the account to save. */
static PgAccount *
validate_keys (PgAccountDialog  *self,
               gboolean          with_signer,
               PgCredentials   **manager,
               PgCredentials   **signer,
               GError          **error)
{
  PgAccountInfo info = { 0 };
  g_autoptr(PgAccount) account = NULL;
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(PgLocation) location = { 0 };

  fill_info (self, &info);
  if (!parse_expiry (text_of (self->token_expiry_row), &info.token_expires, error))
    return NULL;
  /* An account edited stays itself (its links are shown under it). */
  account = self->account != NULL ? pg_account_new_edited (self->account, &info)
                                  : pg_account_new (&info);

  if (!(endpoint = pg_account_create_endpoint (account, error))
      || !pg_endpoint_locate (endpoint, info.bucket, NULL, &location, error))
    return NULL;

  {
    g_autoptr(GDateTime) expiration = info.token_expires > 0
                                      ? g_date_time_new_from_unix_utc (info.token_expires) : NULL;

    *manager = pg_credentials_new (info.manager_key_id, manager_secret (self),
                                   manager_token (self), expiration, &local_error);
  }
  if (*manager == NULL)
    {
      /* Say which of the two keys. */
      g_set_error (error, local_error->domain, local_error->code, _("Managing key: %s"),
                   local_error->message);
      return NULL;
    }

  if (!with_signer)
    {
      *signer = NULL;
    }
  else if (pg_account_has_separate_signer (account))
    {
      *signer = pg_credentials_new (info.signer_key_id, signer_secret (self), NULL, NULL,
                                    &local_error);
      if (*signer == NULL)
        {
          g_set_error (error, local_error->domain, local_error->code, _("Signing key: %s"),
                       local_error->message);
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

static PgAccount *
validate (PgAccountDialog  *self,
          PgCredentials   **manager,
          PgCredentials   **signer,
          GError          **error)
{
  return validate_keys (self, TRUE, manager, signer, error);
}

/* The account as the form says, or %NULL with the reason in the status line. */
static PgAccount *
validate_keys_or_say (PgAccountDialog  *self,
                      gboolean          with_signer,
                      PgCredentials   **manager,
                      PgCredentials   **signer)
{
  g_autoptr(GError) error = NULL;
  PgAccount *account = validate_keys (self, with_signer, manager, signer, &error);

  if (account == NULL)
    {
      g_autofree char *line = g_strdup_printf ("✗ %s", error->message);

      gtk_label_set_label (self->status_label, line);
    }

  return account;
}

static PgAccount *
validate_or_say (PgAccountDialog  *self,
                 PgCredentials   **manager,
                 PgCredentials   **signer)
{
  return validate_keys_or_say (self, TRUE, manager, signer);
}

/* ---- Test connection -------------------------------------------------------------------- */

static const char *
state_mark (PgAccountCheckState state)
{
  switch (state)
    {
    case PG_ACCOUNT_CHECK_OK:
      return "✓";
    case PG_ACCOUNT_CHECK_WARNING:
      return "⚠";
    case PG_ACCOUNT_CHECK_FAILED:
    default:
      return "✗";
    }
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = pg_account_check_finish (result, &error);
  g_autoptr(GString) report = NULL;
  const PgAccountCheckResult *list;
  PgAccountDialog *self;

  /* Cancelled when the dialog closes: it may be gone already. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  set_busy (self, FALSE);
  if (results == NULL)
    {
      gtk_label_set_label (self->status_label, error->message);
      return;
    }

  /* A missing bucket can be made from here (asking first). */
  list = pg_account_check_find (results, PG_ACCOUNT_CHECK_LIST);
  gtk_widget_set_visible (self->create_bucket_button,
                          list != NULL && g_error_matches (list->error, PG_S3_ERROR,
                                                           PG_S3_ERROR_NO_SUCH_BUCKET));

  /* One line a step, in the order taken. */
  report = g_string_new (NULL);
  for (guint i = 0; i < results->len; i++)
    {
      const PgAccountCheckResult *step = g_ptr_array_index (results, i);

      g_string_append_printf (report, "%s%s %s", i > 0 ? "\n" : "", state_mark (step->state),
                              step->text);
    }
  gtk_label_set_label (self->status_label, report->str);
}

/* A client of the managing key for the account as entered, that answers soon: no retries, and
 * a server that does not answer is given up on after 20 seconds. */
static PgS3Client *
quick_client (PgAccountDialog *self,
              PgAccount       *account,
              PgCredentials   *manager)
{
  g_autoptr(PgEndpoint) endpoint = pg_account_create_endpoint (account, NULL);
  PgS3Client *client = pg_s3_client_new (endpoint, manager,
                                         pg_application_get_soup_session (self->application));

  pg_s3_client_set_retries (client, 1, 0);
  pg_s3_client_set_timeouts (client, 20, 20);

  return client;
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate_or_say (self, &manager, &signer);
  g_autoptr(PgS3Client) client = NULL;

  if (account == NULL)
    return;

  client = quick_client (self, account, manager);
  set_busy (self, TRUE);
  /* A wrong signer ARN shows only when a test revocation fails to hold: up to 30 seconds. */
  gtk_label_set_label (self->status_label,
                       _("Testing… A test revocation proves the signer ARN; that can take up "
                         "to half a minute."));
  pg_account_check_async (client, signer, pg_account_get_bucket (account),
                          pg_account_get_signer_arn (account),
                          pg_account_get_signer_role_arn (account), 0, self->cancellable,
                          checked_cb, self);
}

/* ---- A bucket that does not exist yet ----------------------------------------------------- */

static void
bucket_made_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgS3BucketState state = pg_s3_client_ensure_bucket_finish (PG_S3_CLIENT (source), result,
                                                             &error);
  PgAccountDialog *self;

  /* Cancelled when the dialog closes: it may be gone already. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  set_busy (self, FALSE);
  if (state == PG_S3_BUCKET_FAILED)
    {
      gtk_label_set_label (self->status_label, error->message);
      return;
    }

  gtk_widget_set_visible (self->create_bucket_button, FALSE);
  /* Then the whole test again, now that there is a bucket to test. */
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.test", NULL);
}

static void
create_bucket_answered (AdwMessageDialog *dialog,
                        const char       *response,
                        PgAccountDialog  *self)
{
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = NULL;
  g_autoptr(PgS3Client) client = NULL;

  if (!g_str_equal (response, "create")
      || !(account = validate_or_say (self, &manager, &signer)))
    return;

  client = quick_client (self, account, manager);
  set_busy (self, TRUE);
  gtk_label_set_label (self->status_label, _("Creating the bucket…"));
  pg_s3_client_ensure_bucket_async (client, pg_account_get_bucket (account), self->cancellable,
                                    bucket_made_cb, self);
}

/* Test Connection found no such bucket: the managing key may make it, once the user agrees. */
static void
create_bucket_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate_or_say (self, &manager, &signer);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (account == NULL)
    return;

  heading = g_strdup_printf (_("Create the Bucket “%s”?"), pg_account_get_bucket (account));
  dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), heading,
                            _("There is no bucket of that name on this server yet. The managing "
                              "key makes it, empty and private; the links you make go into it.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "create", _("C_reate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "create", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "create");
  adw_message_dialog_set_close_response (dialog, "cancel");
  /* Answered after the dialog closed: nothing to do. */
  g_signal_connect_object (dialog, "response", G_CALLBACK (create_bucket_answered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- The signing role ------------------------------------------------------------------- */

static void
role_created_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = pg_account_context_create_signing_role_finish (
    PG_ACCOUNT_CONTEXT (source), result, &error);
  PgAccountDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled: the dialog is still there (its cancellable is cancelled in dispose). */
  self = user_data;
  set_busy (self, FALSE);
  if (arn == NULL)
    {
      g_autofree char *line = g_strdup_printf ("✗ %s %s", _("The signing role could not be "
                                                           "created:"), error->message);

      gtk_label_set_label (self->status_label, line);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->signer_role_row), arn);
  gtk_label_set_label (self->status_label, _("✓ Signing role ready: save the account to sign "
                                             "links one by one."));
}

/* Creates the signing role (IAM, with the managing key): trusted by the signing key alone,
 * allowed to read and write this bucket's files; its ARN goes into the field. The core does
 * the work, for the account as entered. */
static void
create_role_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate_or_say (self, &manager, &signer);
  g_autoptr(PgEndpoint) endpoint = NULL;
  g_autoptr(PgS3Client) manager_client = NULL;
  g_autoptr(PgS3Client) signer_client = NULL;
  g_autoptr(PgAccountContext) context = NULL;
  SoupSession *session = pg_application_get_soup_session (self->application);

  if (account == NULL)
    return;

  endpoint = pg_account_create_endpoint (account, NULL);
  manager_client = pg_s3_client_new (endpoint, manager, session);
  signer_client = pg_s3_client_new (endpoint, signer, session);
  context = pg_account_context_new (NULL, pg_account_get_bucket (account), manager_client,
                                    signer_client, pg_account_get_signer_arn (account));
  set_busy (self, TRUE);
  gtk_label_set_label (self->status_label, _("Creating the signing role…"));
  pg_account_context_create_signing_role_async (context, "presign-guard-links",
                                                self->cancellable, role_created_cb, self);
}

/* ---- The signing key (AWS) ---------------------------------------------------------------- */

static void
signer_created_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *arn = NULL;
  g_autofree char *key_id = NULL;
  char *secret = NULL;
  PgAccountDialog *self;
  g_autofree char *done = NULL;

  if (!pg_account_context_create_signing_key_finish (PG_ACCOUNT_CONTEXT (source), result, &arn,
                                                     &key_id, &secret, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled: the dialog is still there. */
  self = user_data;
  set_busy (self, FALSE);
  if (error != NULL)
    {
      g_autofree char *line = g_strdup_printf ("✗ %s", error->message);

      gtk_label_set_label (self->status_label, line);
      return;
    }

  gtk_switch_set_active (self->separate_switch, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (self->signer_key_row), key_id);
  gtk_editable_set_text (GTK_EDITABLE (self->signer_secret_row), secret);
  gtk_editable_set_text (GTK_EDITABLE (self->signer_arn_row), arn);
  pg_credentials_wipe_export (secret);
  done = g_strdup_printf (_("✓ Signing key %s made for %s. Save the account to keep its secret "
                            "in the keyring: AWS shows it only once. A new key may take a few "
                            "seconds before AWS accepts it."), key_id, arn);
  gtk_label_set_label (self->status_label, done);
}

/* Makes the signing key on AWS with the managing key: an IAM user allowed to read and write
 * this bucket's files, and a new access key of it, which fill the signing key's fields. On
 * Ceph the error says how an administrator makes it instead. */
static void
create_signer_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (widget);
  g_autoptr(PgCredentials) manager = NULL;
  g_autoptr(PgCredentials) signer = NULL;
  g_autoptr(PgAccount) account = validate_keys_or_say (self, FALSE, &manager, &signer);
  g_autoptr(PgS3Client) client = NULL;
  g_autoptr(PgAccountContext) context = NULL;

  if (account == NULL)
    return;

  client = quick_client (self, account, manager);
  /* No signing key yet: the managing key stands in for it, unused. */
  context = pg_account_context_new (NULL, pg_account_get_bucket (account), client, client, NULL);
  set_busy (self, TRUE);
  gtk_label_set_label (self->status_label, _("Creating the signing key…"));
  pg_account_context_create_signing_key_async (context, "presign-signer", self->cancellable,
                                               signer_created_cb, self);
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

  /* The saved account is a new one (a new id): kept secrets are stored again under it. */
  set_busy (self, TRUE);
  pg_application_save_account_async (self->application, account, manager_secret (self),
                                     pg_credentials_get_session_token (manager),
                                     pg_account_has_separate_signer (account)
                                     ? signer_secret (self) : NULL,
                                     NULL, saved_cb, g_object_ref (self));
}

GtkWindow *
pg_account_dialog_new (GtkWindow     *parent,
                       PgApplication *application,
                       PgAccount     *account)
{
  PgAccountDialog *self = g_object_new (PG_TYPE_ACCOUNT_DIALOG, "transient-for", parent, NULL);

  self->application = g_object_ref (application);

  /* Secrets are never shown again; left empty, the keyring's are kept. */
  if (account != NULL)
    {
      self->account = g_object_ref (account);
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
      if (pg_account_get_signer_role_arn (account) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->signer_role_row),
                               pg_account_get_signer_role_arn (account));
      if (pg_account_get_ops_log_path (account) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->ops_log_row),
                               pg_account_get_ops_log_path (account));
      if (pg_account_get_uses_queue_url (account) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->uses_queue_row),
                               pg_account_get_uses_queue_url (account));
      if (pg_account_get_token_expires (account) > 0)
        {
          gint64 expires = pg_account_get_token_expires (account);
          g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (expires);
          g_autoptr(GDateTime) local = g_date_time_to_local (utc);
          g_autofree char *text = g_date_time_format (local, "%Y-%m-%d %H:%M");

          gtk_editable_set_text (GTK_EDITABLE (self->token_expiry_row), text);
        }

      /* Test and Save wait for the keyring, so that an empty field means "keep". */
      set_busy (self, TRUE);
      look_up_secret (self, "manager", &self->stored_manager_secret);
      look_up_secret (self, "manager-token", &self->stored_manager_token);
      if (pg_account_has_separate_signer (account))
        look_up_secret (self, "signer", &self->stored_signer_secret);
    }

  return GTK_WINDOW (self);
}

static void
pg_account_dialog_dispose (GObject *object)
{
  PgAccountDialog *self = PG_ACCOUNT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->application);
  g_clear_object (&self->account);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  clear_secret (&self->stored_manager_secret);
  clear_secret (&self->stored_manager_token);
  clear_secret (&self->stored_signer_secret);
  g_clear_pointer (&self->lookup_error, g_free);
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
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
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
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, manager_secret_stored);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, token_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, token_stored);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, token_expiry_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, separate_switch);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_key_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_secret_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_secret_stored);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_arn_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, signer_role_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, ops_log_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, uses_queue_row);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, create_bucket_button);
  gtk_widget_class_bind_template_child (widget_class, PgAccountDialog, test_spinner);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "dialog.create-role", NULL, create_role_action);
  gtk_widget_class_install_action (widget_class, "dialog.create-signer", NULL,
                                   create_signer_action);
  gtk_widget_class_install_action (widget_class, "dialog.create-bucket", NULL,
                                   create_bucket_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pg_account_dialog_init (PgAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The signing role, made here when the managing key may create IAM roles. */
  {
    GtkWidget *create = gtk_button_new_with_mnemonic (_("C_reate"));

    gtk_widget_set_valign (create, GTK_ALIGN_CENTER);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (create), "dialog.create-role");
    gtk_widget_set_tooltip_text (create, _("Create a signing role for this bucket, trusted by "
                                           "the signing key alone (the managing key must be "
                                           "allowed to create IAM roles)"));
    adw_entry_row_add_suffix (self->signer_role_row, create);
  }

  /* The signing key, made here on AWS when the managing key may create IAM users. */
  {
    GtkWidget *create = gtk_button_new_with_mnemonic (_("Cr_eate"));

    gtk_widget_set_valign (create, GTK_ALIGN_CENTER);
    gtk_actionable_set_action_name (GTK_ACTIONABLE (create), "dialog.create-signer");
    gtk_widget_set_tooltip_text (create, _("Create a signing key on Amazon S3: an IAM user "
                                           "allowed to read and write this bucket’s files (the "
                                           "managing key must be allowed to create IAM users)"));
    adw_entry_row_add_suffix (self->signer_key_row, create);
  }

  pg_accessible_fix_names (GTK_WIDGET (self));
  pg_tooltips_fit (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  load_profiles (self);

  /* Which secret fields say "Stored in the keyring" follows what is typed. */
  {
    AdwEntryRow *watched[] = {
      self->manager_key_row, self->manager_secret_row, self->token_row,
      self->signer_key_row, self->signer_secret_row,
    };

    for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
      g_signal_connect_swapped (watched[i], "changed", G_CALLBACK (update_stored_hints), self);
  }
}
