/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pg-application.h"
#include "pg-error.h"
#include "pg-link-dialog.h"
#include "pg-link-row.h"
#include "pg-preferences-window.h"
#include "pg-toolkit.h"

/* "New download link" and "New upload link": a form for the link service. A download link whose
 * file is currently revoked would be dead on arrival: the dialog says so and offers a fresh copy
 * under a new key instead of lifting the revocation (which would revive the leaked link). Upload
 * links get a key of their own (pg_link_make_upload_key()), so revoking one never touches
 * another. An upload link is an upload page by default: the partner gets a page for any web
 * browser (pg-upload-page.c), written into the bucket before the dialog closes. */

struct _PgLinkDialog
{
  AdwWindow     parent_instance;

  PgSession     *session;
  PgLinkService *service;
  gboolean      upload;
  char         *key;
  gint64        size;         /* of the file, -1 until known */
  guint64       copy_limit;   /* the largest file copied for a link; 0: never */
  PgLinkShareable shareable;
  GCancellable *cancellable;

  AdwActionRow *object_row;
  AdwEntryRow  *filename_row;
  AdwActionRow *page_row;
  GtkSwitch    *page_switch;
  AdwActionRow *files_row;
  GtkSpinButton *files_spin;
  AdwEntryRow  *note_row;
  AdwEntryRow  *for_row;
  AdwEntryRow  *folder_row;
  AdwEntryRow  *name_row;
  AdwActionRow *key_row;
  AdwComboRow  *expiry_row;
  AdwActionRow *custom_row;
  GtkSpinButton *custom_hours;
  AdwActionRow *strict_row;
  GtkSwitch    *strict_switch;
  AdwActionRow *precision_row;
  GtkSwitch    *precision_switch;
  AdwActionRow *arm_row;
  GtkSwitch    *arm_switch;
  AdwActionRow *grace_row;
  GtkSpinButton *grace_spin;
  AdwActionRow *uses_row;
  GtkSpinButton *uses_spin;
  GtkWidget    *warning_group;
  GtkLabel     *warning_label;
  GtkWidget    *fresh_copy_button;
  GtkWidget    *lift_button;
  GtkWidget    *create_button;
  PgLinkJob    *lift_job;
};

G_DEFINE_FINAL_TYPE (PgLinkDialog, pg_link_dialog, ADW_TYPE_WINDOW)

enum {
  LINK_CREATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static PgAccountContext *
context (PgLinkDialog *self)
{
  return pg_session_get_context (self->session);
}

static void
show_warning (PgLinkDialog *self,
              const char   *message,
              gboolean      offer_copy)
{
  gtk_label_set_label (self->warning_label, message);
  gtk_widget_set_visible (self->warning_group, TRUE);
  gtk_widget_set_visible (self->fresh_copy_button, offer_copy);
  gtk_widget_set_visible (self->lift_button, offer_copy);
}

/* A link to a revoked file would be dead from the start: no link without a choice first. */
static void
set_shareable (PgLinkDialog    *self,
               PgLinkShareable  shareable)
{
  self->shareable = shareable;
  gtk_widget_set_sensitive (self->create_button, shareable != PG_LINK_SHAREABLE_REVOKED);
  if (shareable == PG_LINK_SHAREABLE)
    gtk_widget_set_visible (self->warning_group, FALSE);
}

static gboolean
makes_page (PgLinkDialog *self)
{
  return self->upload && gtk_switch_get_active (self->page_switch);
}

/* Typing over the name keeps its extension: only "document" of "document.pdf" is selected,
 * once the field has selected all of it, as it does on focus. */
static gboolean
select_name_stem_cb (gpointer user_data)
{
  PgLinkDialog *self = user_data;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *dot = strrchr (name, '.');

  if (dot != NULL && dot != name)
    gtk_editable_select_region (GTK_EDITABLE (self->name_row), 0,
                                (int) g_utf8_pointer_to_offset (name, dot));

  return G_SOURCE_REMOVE;
}

static void
select_name_stem (PgLinkDialog *self)
{
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, select_name_stem_cb, g_object_ref (self),
                   g_object_unref);
}

static void update_arming (PgLinkDialog *self);

static void
update_upload_key (PgLinkDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *pattern = NULL;
  const char *folder;
  const char *name;

  if (!self->upload)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->name_row), !makes_page (self));
  gtk_widget_set_visible (GTK_WIDGET (self->strict_row), !makes_page (self));
  gtk_widget_set_visible (GTK_WIDGET (self->files_row), makes_page (self));
  update_arming (self);
  gtk_widget_set_visible (GTK_WIDGET (self->note_row), makes_page (self));

  if (makes_page (self))
    {
      guint n_files = (guint) gtk_spin_button_get_value_as_int (self->files_spin);
      g_auto(GStrv) keys = pg_link_make_upload_page_keys (
                             gtk_editable_get_text (GTK_EDITABLE (self->folder_row)), n_files,
                             now);
      const char *last = pg_link_key_basename (keys[n_files - 1]);
      g_autofree char *shown = n_files > 1 ? g_strdup_printf ("%s … %s", keys[0], last)
                                           : g_strdup (keys[0]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                     n_files > 1 ? _("The files will arrive as")
                                                 : _("The file will arrive as"));
      adw_action_row_set_subtitle (self->key_row, shown);
      return;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 _("The file will arrive as"));
  settings = g_settings_new (APP_ID);
  pattern = g_settings_get_string (settings, "upload-key-pattern");
  g_free (self->key);
  folder = gtk_editable_get_text (GTK_EDITABLE (self->folder_row));
  name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  self->key = pg_link_make_upload_key (folder, pattern, name, now);
  adw_action_row_set_subtitle (self->key_row, self->key);
}

static void
checked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgLinkShareable shareable;
  PgLinkDialog *self;

  shareable = pg_link_service_check_shareable_finish (PG_LINK_SERVICE (source), result, &error);
  if (error != NULL)
    {
      /* Not being allowed to read the policy does not stop sharing. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("policy not checked: %s", error->message);
      return;
    }

  self = user_data;
  set_shareable (self, shareable);
  if (shareable == PG_LINK_SHAREABLE_REVOKED)
    show_warning (self, _("Links to this file have been revoked. A new link would not work "
                          "either, and lifting the revocation would revive the old links. "
                          "Share a fresh copy of the file instead."), TRUE);
  else if (shareable == PG_LINK_SHAREABLE_LOCKED)
    show_warning (self, _("Every link of this bucket is blocked at the moment: a new link would "
                          "not work until the block is switched off."), FALSE);
}

static void
copied_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *new_key = pg_link_service_copy_fresh_finish (PG_LINK_SERVICE (source), result,
                                                                &error);
  PgLinkDialog *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (new_key == NULL)
    {
      gtk_widget_set_sensitive (self->fresh_copy_button, TRUE);
      show_warning (self, error->message, TRUE);
      return;
    }

  g_free (self->key);
  self->key = g_steal_pointer (&new_key);
  adw_action_row_set_subtitle (self->object_row, self->key);
  set_shareable (self, PG_LINK_SHAREABLE);
}

static void
on_job_finished (PgLinkDialog *self,
                 PgLinkJob    *job)
{
  const GError *error = pg_link_job_get_error (job);

  if (job != self->lift_job)
    return;

  g_clear_object (&self->lift_job);
  gtk_widget_set_sensitive (self->lift_button, TRUE);
  /* Lifted in the policy, even if not yet proven: a new link is no longer dead from the start. */
  if (error == NULL || g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
    set_shareable (self, PG_LINK_SHAREABLE);
  else
    show_warning (self, error->message, TRUE);
}

static void
lift_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PgLinkDialog *self = PG_LINK_DIALOG (widget);

  /* The service carries the job; the dialog only listens for its end. */
  gtk_widget_set_sensitive (self->lift_button, FALSE);
  g_clear_object (&self->lift_job);
  self->lift_job = pg_link_service_revoke_file (self->service, context (self), self->key,
                                                PG_POLICY_ACTION_GET, FALSE);
}

static void
fresh_copy_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PgLinkDialog *self = PG_LINK_DIALOG (widget);

  gtk_widget_set_sensitive (self->fresh_copy_button, FALSE);
  pg_link_service_copy_fresh_async (self->service, context (self), self->key, self->cancellable,
                                    copied_cb, self);
}

#define CUSTOM_EXPIRY 4

/* The lifetime chosen, in seconds, and the most the signing keys allow (G_MAXINT64 for keys
 * that do not expire). */
static guint
chosen_expiry (PgLinkDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->expiry_row);

  if (selected == CUSTOM_EXPIRY)
    return (guint) gtk_spin_button_get_value_as_int (self->custom_hours) * 3600;

  return pg_expiry_index_to_seconds (selected);
}

static gint64
allowed_expiry (PgLinkDialog *self)
{
  PgAccountContext *account = context (self);
  GDateTime *expiration = pg_credentials_get_expiration (pg_account_context_get_signer (account));

  if (expiration == NULL)
    return G_MAXINT64;

  return g_date_time_to_unix (expiration)
         - pg_s3_client_get_now (pg_account_context_get_manager (account));
}

/* ---- Which links a revocation closes ---------------------------------------------------- */

/* The role that signs links one by one, when the account has one and this is a download. */
static const char *
signing_role (PgLinkDialog *self)
{
  return self->upload ? NULL : pg_account_context_get_signing_role (context (self));
}

/* The most precise way the new link can be revoked, and the one chosen. */
static PgLinkPrecision
best_precision (PgLinkDialog *self)
{
  if (self->upload)
    return PG_LINK_PRECISION_OBJECT;

  return pg_link_precision_best (signing_role (self) != NULL,
                                 pg_endpoint_is_aws (pg_account_context_get_endpoint (context (self))),
                                 (guint) MIN ((gint64) chosen_expiry (self), allowed_expiry (self)),
                                 self->size, self->copy_limit);
}

static PgLinkPrecision
chosen_precision (PgLinkDialog *self)
{
  return gtk_switch_get_active (self->precision_switch) ? best_precision (self)
                                                        : PG_LINK_PRECISION_OBJECT;
}

/* Says what revoking the new link will close: it alone, or every link to the file. */
static void
update_precision (PgLinkDialog *self)
{
  const char *role = signing_role (self);
  PgLinkPrecision best = best_precision (self);
  PgLinkPrecision chosen = chosen_precision (self);
  g_autofree char *subtitle = NULL;
  gboolean too_long = role != NULL && best != PG_LINK_PRECISION_SESSION;
  guint others = pg_link_service_count_file_links (self->service,
                                                   pg_account_context_get_account_id (context (self)),
                                                   pg_account_context_get_bucket (context (self)),
                                                   self->key);

  gtk_widget_set_visible (GTK_WIDGET (self->precision_row), !self->upload);
  gtk_widget_set_visible (GTK_WIDGET (self->precision_switch),
                          role != NULL || best != PG_LINK_PRECISION_OBJECT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->precision_switch), best != PG_LINK_PRECISION_OBJECT);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->precision_row),
                                 gtk_widget_get_visible (GTK_WIDGET (self->precision_switch))
                                 ? _("Revoke this link alone") : _("Revoking"));

  if (chosen == PG_LINK_PRECISION_SESSION)
    subtitle = g_strdup (_("Only this link can be revoked; other links to the file keep "
                           "working."));
  else if (chosen == PG_LINK_PRECISION_COPY)
    subtitle = g_strdup (_("Only this link can be revoked: it gets a copy of the file of its "
                           "own, deleted with the link."));
  else if (others == 0)
    subtitle = g_strdup (too_long && best == PG_LINK_PRECISION_OBJECT
                         ? _("Longer than 12 hours: closes every link to this file")
                         : _("Closes every link to this file"));
  else
    subtitle = g_strdup_printf (too_long && best == PG_LINK_PRECISION_OBJECT
                                ? g_dngettext (GETTEXT_PACKAGE,
                                               "Longer than 12 hours: closes every link to this "
                                               "file (%u now)",
                                               "Longer than 12 hours: closes every link to this "
                                               "file (%u now)", others)
                                : g_dngettext (GETTEXT_PACKAGE,
                                               "Closes every link to this file (%u now)",
                                               "Closes every link to this file (%u now)", others),
                                others);
  adw_action_row_set_subtitle (self->precision_row, subtitle);
}

static void
size_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PgS3Object) object = pg_s3_client_head_object_finish (PG_S3_CLIENT (source), result,
                                                                  NULL);
  PgLinkDialog *self;

  /* Unknown (the file unreadable, the dialog gone): the copy itself finds out. */
  if (object == NULL)
    return;

  self = user_data;
  self->size = (gint64) object->size;
  update_precision (self);
}

static void
on_expiry_changed (PgLinkDialog *self)
{
  gint64 allowed = allowed_expiry (self);

  update_precision (self);

  gtk_widget_set_visible (GTK_WIDGET (self->custom_row),
                          adw_combo_row_get_selected (self->expiry_row) == CUSTOM_EXPIRY);

  if (allowed <= 0)
    show_warning (self, _("The signing keys have expired. Enter new temporary keys in the "
                          "account settings."), FALSE);
  else if (chosen_expiry (self) > allowed)
    {
      g_autofree char *left = pg_format_time_left (allowed);
      g_autofree char *text = g_strdup_printf (_("The signing keys are temporary and expire "
                                                 "sooner: the link will be valid for %s only."),
                                               left);

      show_warning (self, text, FALSE);
    }
  else if (self->shareable == PG_LINK_SHAREABLE)
    gtk_widget_set_visible (self->warning_group, FALSE);
}

/* ---- Close after first use -------------------------------------------------------------- */

/* Who closes an armed link, and when: under the switch that arms it (here and in Details). */
const char *
pg_link_dialog_arming_words (gboolean upload)
{
  return upload ? _("Closed once its file has arrived: by Presign Guard while it is open, or by "
                    "an always-on watcher your administrator set up.")
                : _("Closed once it is used: by an always-on watcher your administrator set up, "
                    "or by Presign Guard while it is open when the account says where the "
                    "server reports downloads.");
}

/* Whether the new link is armed, and for what. */
static PgLinkArming
arming (PgLinkDialog *self)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self->arm_row))
      || !gtk_switch_get_active (self->arm_switch))
    return PG_LINK_ARMING_NONE;

  return self->upload ? PG_LINK_ARMING_UPLOAD : PG_LINK_ARMING_DOWNLOAD;
}

static void
update_arming (PgLinkDialog *self)
{
  gboolean page = self->upload && makes_page (self);

  gtk_widget_set_visible (GTK_WIDGET (self->arm_row), !page);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->arm_row),
                                 self->upload ? _("Close after the upload")
                                              : _("Close after the first download"));
  adw_action_row_set_subtitle (self->arm_row, pg_link_dialog_arming_words (self->upload));
  gtk_widget_set_visible (GTK_WIDGET (self->grace_row),
                          !self->upload && gtk_switch_get_active (self->arm_switch));
  gtk_widget_set_visible (GTK_WIDGET (self->uses_row),
                          !self->upload && gtk_switch_get_active (self->arm_switch));
}

/* The link is made (and kept by the service, with its record and arming, even when the dialog
 * has gone meanwhile): announced, and the dialog closes. */
static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) link = NULL;
  PgLinkDialog *self;

  link = pg_link_service_create_finish (PG_LINK_SERVICE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  gtk_widget_set_sensitive (self->create_button, TRUE);
  if (link == NULL)
    {
      /* Signing checks everything the link is made of: a bad name is reported here. */
      show_warning (self, error->message, FALSE);
      return;
    }

  g_signal_emit (self, signals [LINK_CREATED], 0, link);
  gtk_window_close (GTK_WINDOW (self));
}

static void
page_created_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgLink) link = NULL;
  PgLinkDialog *self;

  link = pg_link_service_create_upload_page_finish (PG_LINK_SERVICE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  gtk_widget_set_sensitive (self->create_button, TRUE);
  gtk_button_set_label (GTK_BUTTON (self->create_button), _("Create Link"));
  if (link == NULL)
    {
      show_warning (self, error->message, FALSE);
      return;
    }

  g_signal_emit (self, signals [LINK_CREATED], 0, link);
  gtk_window_close (GTK_WINDOW (self));
}

static void
create_page (PgLinkDialog *self,
             guint         expires)
{
  PgUploadPageRequest request = {
    .folder = gtk_editable_get_text (GTK_EDITABLE (self->folder_row)),
    .n_files = (guint) gtk_spin_button_get_value_as_int (self->files_spin),
    .expires = expires,
    .note = gtk_editable_get_text (GTK_EDITABLE (self->note_row)),
    .label = gtk_editable_get_text (GTK_EDITABLE (self->for_row)),
  };

  /* The page goes into the bucket before the link is shown: a moment, with the window usable. */
  gtk_widget_set_sensitive (self->create_button, FALSE);
  gtk_button_set_label (GTK_BUTTON (self->create_button), _("Creating…"));
  gtk_widget_set_visible (self->warning_group, FALSE);
  pg_link_service_create_upload_page_async (self->service, context (self), &request,
                                            self->cancellable, page_created_cb, self);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PgLinkDialog *self = PG_LINK_DIALOG (widget);
  const char *filename = gtk_editable_get_text (GTK_EDITABLE (self->filename_row));
  gint64 allowed = allowed_expiry (self);
  PgPresignOptions options = {
    .method = self->upload ? PG_METHOD_PUT : PG_METHOD_GET,
    .bucket = pg_account_context_get_bucket (context (self)),
    .expires = (guint) MIN ((gint64) chosen_expiry (self), allowed),
    .signing_time = pg_s3_client_get_now (pg_account_context_get_manager (context (self))),
  };
  PgLinkRequest request = {
    .options = &options,
    .precision = chosen_precision (self),
    .arming = arming (self),
    .grace = (gint64) gtk_spin_button_get_value_as_int (self->grace_spin) * 60,
    .uses = (guint) gtk_spin_button_get_value_as_int (self->uses_spin),
    .size = self->size > 0 ? (guint64) self->size : 0,
    .shareable = self->shareable,
    .copy_limit = self->copy_limit,
    .label = gtk_editable_get_text (GTK_EDITABLE (self->for_row)),
  };

  if (allowed <= 0)
    {
      on_expiry_changed (self);
      return;
    }

  if (makes_page (self))
    {
      create_page (self, options.expires);
      return;
    }

  if (self->upload)
    {
      update_upload_key (self);
      options.if_none_match = gtk_switch_get_active (self->strict_switch);
    }
  else if (*filename != '\0' && !g_str_equal (filename, pg_link_key_basename (self->key)))
    {
      options.filename = filename;
    }
  options.key = self->key;

  /* A plain link is signed at once; a session or a copy takes a moment with the server. */
  gtk_widget_set_sensitive (self->create_button, FALSE);
  pg_link_service_create_async (self->service, context (self), &request, self->cancellable,
                                created_cb, self);
}

GtkWindow *
pg_link_dialog_new (GtkWindow     *parent,
                    PgSession     *session,
                    PgLinkService *service,
                    gboolean       upload,
                    const char    *key_or_folder)
{
  PgLinkDialog *self = g_object_new (PG_TYPE_LINK_DIALOG, "transient-for", parent,
                                     "accessible-role", GTK_ACCESSIBLE_ROLE_DIALOG, NULL);

  self->session = g_object_ref (session);
  self->service = g_object_ref (service);
  self->upload = upload;
  self->size = -1;
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    self->copy_limit = (guint64) g_settings_get_uint (settings, "private-copy-limit") * 1000000;
  }
  g_signal_connect_object (service, "job-finished", G_CALLBACK (on_job_finished), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_set_visible (GTK_WIDGET (self->object_row), !upload);
  gtk_widget_set_visible (GTK_WIDGET (self->filename_row), !upload);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->key_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->strict_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->page_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->files_row), upload);
  gtk_widget_set_visible (GTK_WIDGET (self->note_row), upload);

  /* A link signed with temporary credentials dies with them. */
  g_signal_connect_swapped (self->expiry_row, "notify::selected", G_CALLBACK (on_expiry_changed),
                            self);
  g_signal_connect_swapped (self->custom_hours, "value-changed", G_CALLBACK (on_expiry_changed),
                            self);
  g_signal_connect_swapped (self->precision_switch, "notify::active",
                            G_CALLBACK (update_precision), self);
  /* An upload link closes after its upload unless told otherwise; a download link is armed
   * when asked. */
  gtk_switch_set_active (self->arm_switch, upload);
  g_signal_connect_swapped (self->arm_switch, "notify::active", G_CALLBACK (update_arming),
                            self);
  if (pg_credentials_get_expiration (pg_account_context_get_signer (context (self))) != NULL)
    on_expiry_changed (self);
  else if (pg_credentials_is_temporary (pg_account_context_get_signer (context (self))))
    show_warning (self, _("These keys are temporary: the link stops working when they expire, "
                          "which may be before the time chosen here."), FALSE);

  /* Enter makes the link; the first field, not Cancel, has the focus. */
  gtk_window_set_default_widget (GTK_WINDOW (self), self->create_button);
  gtk_window_set_focus (GTK_WINDOW (self),
                        upload ? GTK_WIDGET (self->folder_row) : GTK_WIDGET (self->filename_row));

  if (upload)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("New Upload Link"));
      gtk_editable_set_text (GTK_EDITABLE (self->folder_row),
                             key_or_folder && *key_or_folder ? key_or_folder : "incoming/");
      /* Translators: the file name an upload link offers first; keep the extension */
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), _("document.pdf"));
      {
        GtkEventController *focus = gtk_event_controller_focus_new ();

        g_signal_connect_swapped (focus, "enter", G_CALLBACK (select_name_stem), self);
        gtk_widget_add_controller (GTK_WIDGET (self->name_row), focus);
      }
      g_signal_connect_swapped (self->folder_row, "changed", G_CALLBACK (update_upload_key), self);
      g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (update_upload_key), self);
      g_signal_connect_swapped (self->page_switch, "notify::active",
                                G_CALLBACK (update_upload_key), self);
      g_signal_connect_swapped (self->files_spin, "value-changed",
                                G_CALLBACK (update_upload_key), self);
      update_upload_key (self);
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), _("New Download Link"));
      self->key = g_strdup (key_or_folder);
      adw_action_row_set_subtitle (self->object_row, self->key);
      gtk_editable_set_text (GTK_EDITABLE (self->filename_row),
                             pg_link_key_basename (self->key));
      pg_link_service_check_shareable_async (service, context (self), self->key,
                                             self->cancellable, checked_cb, self);
      pg_s3_client_head_object_async (pg_account_context_get_manager (context (self)),
                                      pg_account_context_get_bucket (context (self)), self->key,
                                      self->cancellable, size_cb, self);
    }
  update_precision (self);
  update_arming (self);

  return GTK_WINDOW (self);
}

static void
pg_link_dialog_dispose (GObject *object)
{
  PgLinkDialog *self = PG_LINK_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->service);
  g_clear_object (&self->lift_job);
  g_clear_pointer (&self->key, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PG_TYPE_LINK_DIALOG);

  G_OBJECT_CLASS (pg_link_dialog_parent_class)->dispose (object);
}

static void
pg_link_dialog_class_init (PgLinkDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pg_link_dialog_dispose;

  signals [LINK_CREATED] =
    g_signal_new ("link-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, PG_TYPE_LINK);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-link-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, object_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, filename_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, page_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, page_switch);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, files_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, files_spin);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, for_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, key_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, custom_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, custom_hours);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, strict_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, strict_switch);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, precision_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, precision_switch);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, arm_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, arm_switch);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, grace_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, grace_spin);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, uses_row);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, uses_spin);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, warning_group);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, warning_label);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, fresh_copy_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, lift_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkDialog, create_button);

  gtk_widget_class_install_action (widget_class, "dialog.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "dialog.fresh-copy", NULL, fresh_copy_action);
  gtk_widget_class_install_action (widget_class, "dialog.lift", NULL, lift_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pg_link_dialog_init (PgLinkDialog *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  gtk_widget_init_template (GTK_WIDGET (self));
  pg_accessible_fix_names (GTK_WIDGET (self));
  pg_tooltips_fit (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  /* Keys are shown as they are, never read as markup ("Q&A <draft>.pdf"). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->object_row), FALSE);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->key_row), FALSE);

  adw_combo_row_set_selected (self->expiry_row,
                              pg_expiry_seconds_to_index (g_settings_get_uint (settings,
                                                                               "default-expiry")));
  gtk_switch_set_active (self->strict_switch, g_settings_get_boolean (settings, "strict-upload"));
}
