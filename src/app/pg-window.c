/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pg-account-dialog.h"
#include "pg-error.h"
#include "pg-link-details.h"
#include "pg-link-dialog.h"
#include "pg-link-row.h"
#include "pg-object-item.h"
#include "pg-policy.h"
#include "pg-qr-dialog.h"
#include "pg-window.h"

#include <string.h>

/* The main window: the bucket browser on one side, the links on the other. All S3 work is the
 * core's; this file turns the user's clicks into core calls and their results into words. */

struct _PgWindow
{
  AdwApplicationWindow  parent_instance;

  PgSession            *session;
  GCancellable         *cancellable;
  char                 *prefix;
  GListStore           *files;
  GtkSingleSelection   *files_selection;
  GtkFilterListModel   *links_filtered;
  GtkSingleSelection   *links_selection;
  gulong                account_handler;
  gulong                links_handler;

  AdwToastOverlay      *toasts;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  AdwStatusPage        *problem_page;
  GtkLabel             *path_label;
  GtkSearchEntry       *search_entry;
  GtkColumnView        *files_view;
  GtkStack             *links_stack;
  GtkListView          *links_view;
  GtkWidget            *new_link_button;
  GtkSwitch            *lockdown_switch;
  GtkSpinner           *lockdown_spinner;
  gboolean              lockdown_wanted;
  GtkWidget            *files_scroller;
  GtkRevealer          *upload_revealer;
  GtkLabel             *upload_label;
  GtkProgressBar       *upload_progress;
  GCancellable         *upload_cancellable;
  GQueue                upload_queue;
  GHashTable           *expiry_notified;
  guint                 expiry_timer;
};

G_DEFINE_FINAL_TYPE (PgWindow, pg_window, ADW_TYPE_APPLICATION_WINDOW)

static PgApplication *
get_app (PgWindow *self)
{
  return PG_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

void
pg_window_show_toast (PgWindow   *self,
                      const char *message)
{
  adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
}

/* The bucket of the account being shown. */
static const char *
session_bucket (PgWindow *self)
{
  return pg_account_get_bucket (pg_session_get_account (self->session));
}

PgLink *
pg_window_find_link (PgWindow   *self,
                     const char *id)
{
  GListModel *links = G_LIST_MODEL (pg_application_get_link_store (get_app (self)));

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);

      if (g_strcmp0 (pg_link_get_id (link), id) == 0)
        return link;
    }

  return NULL;
}

/* ---- Bucket browser --------------------------------------------------------------------- */

static void
update_links_page (PgWindow *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->links_filtered)) > 0;

  gtk_stack_set_visible_child_name (self->links_stack, any ? "links" : "empty");
}

static void
show_problem (PgWindow     *self,
              const GError *error)
{
  adw_status_page_set_description (self->problem_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "problem");
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgS3Listing) listing = pg_s3_client_list_objects_finish (PG_S3_CLIENT (source),
                                                                     result, &error);
  PgWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;

  if (listing == NULL)
    {
      show_problem (self, error);
      return;
    }

  g_list_store_remove_all (self->files);
  for (guint i = 0; i < listing->prefixes->len; i++)
    {
      g_autoptr(PgObjectItem) item = pg_object_item_new (g_ptr_array_index (listing->prefixes, i),
                                                         self->prefix, TRUE, 0, NULL);

      g_list_store_append (self->files, item);
    }
  for (guint i = 0; i < listing->objects->len; i++)
    {
      PgS3Object *object = g_ptr_array_index (listing->objects, i);
      g_autoptr(PgObjectItem) item = NULL;

      /* The folder's own placeholder object is not a file to share. */
      if (g_str_equal (object->key, self->prefix))
        continue;

      item = pg_object_item_new (object->key, self->prefix, FALSE, object->size,
                                 object->last_modified);
      g_list_store_append (self->files, item);
    }

  gtk_label_set_label (self->path_label, *self->prefix ? self->prefix : "/");
  gtk_stack_set_visible_child_name (self->stack, "main");
}

/* ---- Lockdown --------------------------------------------------------------------------- */

static gboolean on_lockdown_state_set (PgWindow  *self,
                                       gboolean   state,
                                       GtkSwitch *toggle);

/* Shows @state without treating it as the user's wish. */
static void
show_lockdown (PgWindow *self,
               gboolean  state)
{
  g_signal_handlers_block_by_func (self->lockdown_switch, on_lockdown_state_set, self);
  gtk_switch_set_active (self->lockdown_switch, state);
  gtk_switch_set_state (self->lockdown_switch, state);
  g_signal_handlers_unblock_by_func (self->lockdown_switch, on_lockdown_state_set, self);
  gtk_spinner_set_spinning (self->lockdown_spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->lockdown_switch), TRUE);
}

static void
lockdown_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(PgPolicy) policy = NULL;
  PgWindow *self;

  if (!pg_s3_client_get_bucket_policy_finish (PG_S3_CLIENT (source), result, &text, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_widget_set_sensitive (GTK_WIDGET (PG_WINDOW (user_data)->lockdown_switch), FALSE);
      return;
    }

  self = user_data;
  policy = pg_policy_new (text, NULL, NULL);
  show_lockdown (self, policy != NULL && pg_policy_get_lockdown (policy, session_bucket (self), PG_LOCKDOWN_SIGNER));
}

static void
lockdown_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PgWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean wanted = self->lockdown_wanted;

  if (!pg_revoker_finish (PG_REVOKER (source), result, &error))
    {
      pg_window_show_toast (self, error->message);
      /* Show what the bucket policy really says now. */
      pg_s3_client_get_bucket_policy_async (pg_session_get_client (self->session),
                                            session_bucket (self),
                                            self->cancellable, lockdown_read_cb, self);
      return;
    }

  show_lockdown (self, wanted);
  pg_window_show_toast (self, wanted ? _("Every link of this bucket is blocked — verified")
                                     : _("Links of this bucket work again"));
}

static void
set_lockdown (PgWindow *self,
              gboolean  enabled)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgRevoker) revoker = pg_session_get_revoker (self->session, &error);

  if (revoker == NULL)
    {
      pg_window_show_toast (self, error->message);
      show_lockdown (self, !enabled);
      return;
    }

  self->lockdown_wanted = enabled;
  gtk_widget_set_sensitive (GTK_WIDGET (self->lockdown_switch), FALSE);
  gtk_spinner_set_spinning (self->lockdown_spinner, TRUE);
  pg_revoker_set_lockdown_async (revoker, session_bucket (self), PG_LOCKDOWN_SIGNER, enabled,
                                 NULL, NULL, lockdown_done_cb, g_object_ref (self));
}

static void
lockdown_confirmed_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       PgWindow         *self)
{
  if (g_str_equal (response, "block"))
    set_lockdown (self, TRUE);
  else
    show_lockdown (self, FALSE);
}

static gboolean
on_lockdown_state_set (PgWindow  *self,
                       gboolean   state,
                       GtkSwitch *toggle)
{
  GtkWidget *dialog;

  if (self->session == NULL)
    return TRUE;

  if (!state)
    {
      set_lockdown (self, FALSE);
      return TRUE;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Block Every Link of This Bucket?"),
                                   _("No link you have shared from this bucket will work — "
                                     "downloads and uploads alike — until you switch this off "
                                     "again. Your own access is not affected."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "block", _("_Block Every Link"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "block",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (lockdown_confirmed_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
refresh (PgWindow *self)
{
  if (self->session == NULL)
    return;

  pg_s3_client_get_bucket_policy_async (pg_session_get_client (self->session),
                                        session_bucket (self), self->cancellable,
                                        lockdown_read_cb, self);

  pg_s3_client_list_objects_async (pg_session_get_client (self->session),
                                   session_bucket (self),
                                   self->prefix, "/", self->cancellable, listed_cb, self);
}

static void
on_file_activated (PgWindow *self,
                   guint     position)
{
  g_autoptr(PgObjectItem) item = g_list_model_get_item (G_LIST_MODEL (self->files_selection),
                                                        position);

  if (item == NULL)
    return;

  if (pg_object_item_is_folder (item))
    {
      g_free (self->prefix);
      self->prefix = g_strdup (pg_object_item_get_key (item));
      refresh (self);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "win.new-download-link", NULL);
}

/* ---- Uploads (dropped files) ------------------------------------------------------------ */

static void upload_next (PgWindow *self);

static void
upload_progress_cb (goffset  current,
                    goffset  total,
                    gpointer user_data)
{
  PgWindow *self = user_data;

  gtk_progress_bar_set_fraction (self->upload_progress,
                                 total > 0 ? (double) current / (double) total : 1.0);
}

static void open_link_dialog (PgWindow *self, gboolean upload, const char *key);

/* "Share" on the toast of a finished upload: a download link for the new file. */
static void
share_key_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_link_dialog (PG_WINDOW (widget), FALSE, g_variant_get_string (parameter, NULL));
}

static void
uploaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PgWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  const char *key = g_object_get_data (G_OBJECT (self), "upload-key");

  if (pg_s3_client_put_object_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is in the bucket"), key);
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_button_label (toast, _("_Share"));
      adw_toast_set_action_name (toast, "win.share-key");
      adw_toast_set_action_target_value (toast, g_variant_new_string (key));
      adw_toast_overlay_add_toast (self->toasts, toast);
    }
  else
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_queue_clear_full (&self->upload_queue, g_object_unref);
          pg_window_show_toast (self, _("Upload cancelled"));
        }
      else
        {
          pg_window_show_toast (self, error->message);
        }
    }

  refresh (self);
  upload_next (self);
}

/* One file at a time, into the folder shown, with a progress bar and a way to cancel. */
static void
upload_next (PgWindow *self)
{
  g_autoptr(GFile) file = g_queue_pop_head (&self->upload_queue);
  g_autofree char *name = NULL;
  g_autofree char *key = NULL;
  g_autofree char *label = NULL;

  if (file == NULL || self->session == NULL)
    {
      gtk_revealer_set_reveal_child (self->upload_revealer, FALSE);
      g_clear_object (&self->upload_cancellable);
      return;
    }

  name = g_file_get_basename (file);
  key = g_strconcat (self->prefix, name, NULL);
  g_object_set_data_full (G_OBJECT (self), "upload-key", g_strdup (key), g_free);
  label = g_strdup_printf (_("Uploading “%s”"), name);
  gtk_label_set_label (self->upload_label, label);
  gtk_progress_bar_set_fraction (self->upload_progress, 0);
  gtk_revealer_set_reveal_child (self->upload_revealer, TRUE);

  g_clear_object (&self->upload_cancellable);
  self->upload_cancellable = g_cancellable_new ();
  pg_s3_client_put_object_async (pg_session_get_client (self->session),
                                 session_bucket (self),
                                 key, file, NULL, upload_progress_cb, self,
                                 self->upload_cancellable, uploaded_cb, g_object_ref (self));
}

static gboolean
on_files_dropped (GtkDropTarget *target,
                  const GValue  *value,
                  double         x,
                  double         y,
                  PgWindow      *self)
{
  GSList *files = g_value_get_boxed (value);
  gboolean idle = g_queue_is_empty (&self->upload_queue) && self->upload_cancellable == NULL;

  if (self->session == NULL)
    return FALSE;

  for (GSList *l = files; l; l = l->next)
    g_queue_push_tail (&self->upload_queue, g_object_ref (l->data));

  if (idle)
    upload_next (self);

  return TRUE;
}

static void
cancel_upload_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);

  if (self->upload_cancellable != NULL)
    g_cancellable_cancel (self->upload_cancellable);
}

/* ---- Session ---------------------------------------------------------------------------- */

static gboolean
link_of_account (gpointer item,
                 gpointer user_data)
{
  PgWindow *self = user_data;
  PgAccount *account = pg_application_get_account (get_app (self));

  return account != NULL && g_strcmp0 (pg_link_get_account_id (item),
                                       pg_account_get_id (account)) == 0;
}

static void
session_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgSession) session = pg_session_new_finish (result, &error);
  PgWindow *self;
  PgAccount *account;
  g_autofree char *subtitle = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;

  if (session == NULL)
    {
      show_problem (self, error);
      return;
    }

  g_set_object (&self->session, session);
  account = pg_session_get_account (session);
  subtitle = g_strdup_printf ("%s · %s", pg_account_get_name (account),
                              pg_account_get_bucket (account));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_sensitive (self->new_link_button, TRUE);
  refresh (self);
}

static void
start_session (PgWindow *self)
{
  PgAccount *account = pg_application_get_account (get_app (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->session);
  g_free (self->prefix);
  self->prefix = g_strdup ("");
  gtk_widget_set_sensitive (self->new_link_button, FALSE);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->links_filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);

  if (account == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "welcome");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "loading");
  pg_session_new_async (account, pg_application_get_soup_session (get_app (self)),
                        self->cancellable, session_ready_cb, self);
}

static void
links_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PgWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Nothing is lost on error: the message says where the old file was kept. */
  if (!pg_link_store_load_finish (PG_LINK_STORE (source), result, &error))
    pg_window_show_toast (self, error->message);
}

/* ---- Link actions ----------------------------------------------------------------------- */

static char *
link_url (PgWindow  *self,
          PgLink    *link,
          GError   **error)
{
  if (self->session == NULL)
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED, _("The account is not ready yet."));
      return NULL;
    }

  return pg_link_derive_url (link, pg_session_get_endpoint (self->session),
                             pg_session_get_signer (self->session), error);
}

static PgLink *
link_from_parameter (PgWindow *self,
                     GVariant *parameter)
{
  PgLink *link = pg_window_find_link (self, g_variant_get_string (parameter, NULL));

  if (link == NULL)
    pg_window_show_toast (self, _("That link is no longer in the list."));

  return link;
}

/* The link an action's parameter names and its URL, or NULL after saying why not. */
static char *
url_from_parameter (PgWindow  *self,
                    GVariant  *parameter,
                    PgLink   **link)
{
  g_autoptr(GError) error = NULL;
  char *url;

  if (!(*link = link_from_parameter (self, parameter)))
    return NULL;

  if (!(url = link_url (self, *link, &error)))
    pg_window_show_toast (self, error->message);

  return url;
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = NULL;
  g_autofree char *url = url_from_parameter (self, parameter, &link);

  if (url == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  pg_window_show_toast (self, _("Link copied"));
}

static char *
mail_body (PgLink     *link,
           const char *url)
{
  g_autoptr(GDateTime) expires = g_date_time_new_from_unix_utc (pg_link_get_expires_at (link));
  g_autoptr(GDateTime) local = g_date_time_to_local (expires);
  g_autofree char *until = g_date_time_format (local, "%x %X (%Z)");

  if (pg_link_is_upload (link))
    {
      g_autofree char *instructions = pg_link_partner_instructions (link, url);

      return g_strdup_printf (_("Hello,\n\nplease send your file with this upload link. It can be "
                                "used until %s.\n\n%s\n\n%s"), until, url, instructions);
    }

  return g_strdup_printf (_("Hello,\n\nyou can download the file with this link until %s:\n\n"
                            "%s\n"), until, url);
}

static void
mail_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *mailto = NULL;
  g_autofree char *subject_escaped = NULL;
  g_autofree char *body_escaped = NULL;
  PgLink *link = NULL;
  g_autofree char *url = url_from_parameter (self, parameter, &link);
  const char *key;
  const char *name;

  if (url == NULL)
    return;

  key = pg_link_get_key (link);
  name = strrchr (key, '/') && strrchr (key, '/')[1] ? strrchr (key, '/') + 1 : key;
  subject = pg_link_is_upload (link) ? g_strdup (_("Upload link"))
                                     : g_strdup_printf (_("Download link: %s"), name);
  body = mail_body (link, url);
  subject_escaped = g_uri_escape_string (subject, NULL, FALSE);
  body_escaped = g_uri_escape_string (body, NULL, FALSE);
  mailto = g_strdup_printf ("mailto:?subject=%s&body=%s", subject_escaped, body_escaped);

  if (!g_app_info_launch_default_for_uri (mailto, NULL, &error))
    pg_window_show_toast (self, _("No e-mail program is set up. Copy the link instead."));
}

static void
qr_link_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  PgLink *link = NULL;
  g_autofree char *url = url_from_parameter (self, parameter, &link);
  GtkWindow *dialog;

  if (url == NULL)
    return;

  dialog = pg_qr_dialog_new (GTK_WINDOW (self), pg_link_get_key (link), url, &error);
  if (dialog == NULL)
    {
      pg_window_show_toast (self, error->message);
      return;
    }

  gtk_window_present (dialog);
}

static void
details_link_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = NULL;
  g_autofree char *url = url_from_parameter (self, parameter, &link);

  if (url == NULL)
    return;

  gtk_window_present (pg_link_details_new (GTK_WINDOW (self), link, url));
}

typedef struct
{
  PgWindow  *window;
  PgLink    *link;
  PgRevoker *revoker;
  gboolean   revoke;
} RevokeJob;

static void
revoke_job_free (RevokeJob *job)
{
  g_clear_object (&job->window);
  g_clear_object (&job->link);
  g_clear_object (&job->revoker);
  g_free (job);
}

static void
revoked_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RevokeJob *job = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = pg_revoker_finish (PG_REVOKER (source), result, &error);
  PgWindow *self = job->window;

  if (job->revoke)
    {
      if (ok)
        {
          g_autofree char *target = g_strdup (pg_link_get_id (job->link));
          AdwToast *toast = adw_toast_new (_("Link revoked — verified"));

          pg_link_set_state (job->link, PG_LINK_REVOKED);
          pg_application_notify (get_app (self), pg_link_get_id (job->link),
                                 _("Link revoked"), pg_link_get_key (job->link));
          adw_toast_set_button_label (toast, _("_Undo"));
          adw_toast_set_action_name (toast, "win.unrevoke-link");
          adw_toast_set_action_target_value (toast, g_variant_new_string (target));
          adw_toast_overlay_add_toast (self->toasts, toast);
        }
      else if (g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
        {
          pg_link_set_state (job->link, PG_LINK_REVOKE_UNVERIFIED);
          pg_window_show_toast (self, error->message);
        }
      else
        {
          /* Nothing was changed: the link is as it was. */
          pg_link_set_state (job->link, PG_LINK_ACTIVE);
          pg_window_show_toast (self, error->message);
        }
    }
  else
    {
      if (ok || g_error_matches (error, PG_ERROR, PG_ERROR_NOT_VERIFIED))
        pg_link_set_state (job->link, PG_LINK_ACTIVE);
      pg_window_show_toast (self, ok ? _("The link works again") : error->message);
    }

  pg_application_save_links (get_app (self));
  revoke_job_free (job);
}

static void
start_revoke (PgWindow *self,
              PgLink   *link,
              gboolean  revoke)
{
  g_autoptr(GError) error = NULL;
  RevokeJob *job;
  PgPolicyAction action = pg_link_is_upload (link) ? PG_POLICY_ACTION_PUT
                                                   : PG_POLICY_ACTION_GET;
  PgRevoker *revoker = self->session ? pg_session_get_revoker (self->session, &error) : NULL;

  if (revoker == NULL)
    {
      pg_window_show_toast (self, error ? error->message : _("The account is not ready yet."));
      return;
    }

  job = g_new0 (RevokeJob, 1);
  job->window = g_object_ref (self);
  job->link = g_object_ref (link);
  job->revoker = revoker;
  job->revoke = revoke;

  if (revoke)
    {
      pg_link_set_state (link, PG_LINK_REVOKING);
      pg_revoker_revoke_async (revoker, pg_link_get_bucket (link), pg_link_get_key (link), action,
                               NULL, revoked_cb, job);
    }
  else
    {
      pg_revoker_unrevoke_async (revoker, pg_link_get_bucket (link), pg_link_get_key (link),
                                 action, NULL, revoked_cb, job);
    }
}

static void
revoke_link_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PgLink *link = link_from_parameter (PG_WINDOW (widget), parameter);

  if (link != NULL)
    start_revoke (PG_WINDOW (widget), link, TRUE);
}

static void
unrevoke_link_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgLink *link = link_from_parameter (PG_WINDOW (widget), parameter);

  if (link != NULL)
    start_revoke (PG_WINDOW (widget), link, FALSE);
}

static void
revoke_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = gtk_single_selection_get_selected_item (self->links_selection);

  if (link != NULL && pg_link_get_state (link) != PG_LINK_REVOKED)
    start_revoke (self, link, TRUE);
}

/* ---- Window actions --------------------------------------------------------------------- */

static void
on_link_created (PgWindow *self,
                 PgLink   *link)
{
  gtk_single_selection_set_selected (self->links_selection, 0);
  pg_window_show_toast (self, _("Link created"));
}

static void
open_link_dialog (PgWindow   *self,
                  gboolean    upload,
                  const char *key)
{
  GtkWindow *dialog;

  if (self->session == NULL)
    return;

  dialog = pg_link_dialog_new (GTK_WINDOW (self), self->session,
                               pg_application_get_link_store (get_app (self)), upload,
                               upload ? self->prefix : key);
  g_signal_connect_object (dialog, "link-created", G_CALLBACK (on_link_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

static void
new_download_link_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgObjectItem *item = gtk_single_selection_get_selected_item (self->files_selection);

  if (item == NULL || pg_object_item_is_folder (item))
    {
      pg_window_show_toast (self, _("Select a file to share first."));
      return;
    }

  open_link_dialog (self, FALSE, pg_object_item_get_key (item));
}

static void
new_upload_link_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  open_link_dialog (PG_WINDOW (widget), TRUE, NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);

  if (self->session == NULL)
    start_session (self);
  else
    refresh (self);
}

static void
up_action (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  gsize len = strlen (self->prefix);

  if (len == 0)
    return;

  /* "a/b/" → "a/" */
  self->prefix[len - 1] = '\0';
  {
    char *slash = strrchr (self->prefix, '/');

    if (slash != NULL)
      slash[1] = '\0';
    else
      self->prefix[0] = '\0';
  }
  refresh (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (PG_WINDOW (widget)->search_entry));
}

static void
edit_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  GtkWindow *dialog = pg_account_dialog_new (GTK_WINDOW (self), get_app (self),
                                             pg_application_get_account (get_app (self)));

  gtk_window_present (dialog);
}

/* ---- Expiry notices ---------------------------------------------------------------------- */

#define EXPIRY_NOTICE_SECONDS 3600

/* Once a minute: a notice for each active link with less than an hour left, once per link. */
static gboolean
check_expiry_cb (gpointer user_data)
{
  PgWindow *self = user_data;
  GListModel *links = G_LIST_MODEL (self->links_filtered);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) link = g_list_model_get_item (links, i);
      gint64 left = pg_link_get_expires_at (link) - now;

      if (pg_link_get_state_at (link, now) != PG_LINK_ACTIVE || left > EXPIRY_NOTICE_SECONDS
          || g_hash_table_contains (self->expiry_notified, pg_link_get_id (link)))
        continue;

      g_hash_table_add (self->expiry_notified, g_strdup (pg_link_get_id (link)));
      pg_application_notify (get_app (self), pg_link_get_id (link), _("A link expires soon"),
                             pg_link_get_key (link));
    }

  return G_SOURCE_CONTINUE;
}

/* ---- Construction ----------------------------------------------------------------------- */

static void
setup_label (GtkListItemFactory *factory,
             GtkListItem        *item,
             gpointer            user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (user_data) ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_item_set_child (item, label);
}

static void
setup_name (GtkListItemFactory *factory,
            GtkListItem        *item,
            gpointer            user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_box_append (GTK_BOX (box), gtk_image_new ());
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (item, box);
}

static void
bind_name (GtkListItemFactory *factory,
           GtkListItem        *item,
           gpointer            user_data)
{
  PgObjectItem *object = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);

  gtk_image_set_from_icon_name (GTK_IMAGE (gtk_widget_get_first_child (box)),
                                pg_object_item_is_folder (object) ? "folder-symbolic"
                                                                  : "text-x-generic-symbolic");
  gtk_label_set_label (GTK_LABEL (gtk_widget_get_last_child (box)),
                       pg_object_item_get_name (object));
}

static void
bind_size (GtkListItemFactory *factory,
           GtkListItem        *item,
           gpointer            user_data)
{
  PgObjectItem *object = gtk_list_item_get_item (item);
  g_autofree char *text = pg_object_item_is_folder (object)
                          ? g_strdup ("") : g_format_size (pg_object_item_get_size (object));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
bind_modified (GtkListItemFactory *factory,
               GtkListItem        *item,
               gpointer            user_data)
{
  PgObjectItem *object = gtk_list_item_get_item (item);
  GDateTime *modified = pg_object_item_get_modified (object);
  g_autoptr(GDateTime) local = modified ? g_date_time_to_local (modified) : NULL;
  g_autofree char *text = local ? g_date_time_format (local, "%x %X") : g_strdup ("");

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
add_column (PgWindow   *self,
            const char *title,
            GCallback   setup,
            GCallback   bind,
            gboolean    right_aligned,
            gboolean    expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;

  g_signal_connect (factory, "setup", setup, GINT_TO_POINTER (right_aligned));
  g_signal_connect (factory, "bind", bind, NULL);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_append_column (self->files_view, column);
  g_object_unref (column);
}

static void
setup_link_row (GtkListItemFactory *factory,
                GtkListItem        *item,
                gpointer            user_data)
{
  gtk_list_item_set_child (item, pg_link_row_new ());
}

static void
bind_link_row (GtkListItemFactory *factory,
               GtkListItem        *item,
               gpointer            user_data)
{
  pg_link_row_set_link (PG_LINK_ROW (gtk_list_item_get_child (item)),
                        gtk_list_item_get_item (item));
}

static void
unbind_link_row (GtkListItemFactory *factory,
                 GtkListItem        *item,
                 gpointer            user_data)
{
  pg_link_row_set_link (PG_LINK_ROW (gtk_list_item_get_child (item)), NULL);
}

PgWindow *
pg_window_new (PgApplication *application)
{
  PgWindow *self = g_object_new (PG_TYPE_WINDOW, "application", application, NULL);
  PgLinkStore *store = pg_application_get_link_store (application);
  GtkCustomFilter *filter = gtk_custom_filter_new (link_of_account, self, NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->links_filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (store)),
                                                    GTK_FILTER (filter));
  self->links_selection =
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->links_filtered)));
  gtk_single_selection_set_autoselect (self->links_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->links_selection, TRUE);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_link_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_link_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_link_row), NULL);
  gtk_list_view_set_model (self->links_view, GTK_SELECTION_MODEL (self->links_selection));
  gtk_list_view_set_factory (self->links_view, factory);
  g_object_unref (factory);
  self->links_handler = g_signal_connect_object (self->links_filtered, "items-changed",
                                                 G_CALLBACK (update_links_page), self,
                                                 G_CONNECT_SWAPPED);
  self->account_handler = g_signal_connect_object (application, "account-changed",
                                                   G_CALLBACK (start_session), self,
                                                   G_CONNECT_SWAPPED);
  update_links_page (self);
  self->expiry_notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->expiry_timer = g_timeout_add_seconds (60, check_expiry_cb, self);

  pg_link_store_load_async (store, NULL, links_loaded_cb, g_object_ref (self));
  start_session (self);

  return self;
}

static void
pg_window_dispose (GObject *object)
{
  PgWindow *self = PG_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->upload_cancellable != NULL)
    g_cancellable_cancel (self->upload_cancellable);
  g_clear_object (&self->upload_cancellable);
  g_queue_clear_full (&self->upload_queue, g_object_unref);
  g_clear_handle_id (&self->expiry_timer, g_source_remove);
  g_clear_pointer (&self->expiry_notified, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->files_selection);
  g_clear_object (&self->links_selection);
  g_clear_object (&self->links_filtered);
  g_clear_object (&self->files);
  g_clear_pointer (&self->prefix, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PG_TYPE_WINDOW);

  G_OBJECT_CLASS (pg_window_parent_class)->dispose (object);
}

static void
pg_window_class_init (PgWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pg_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PgWindow, toasts);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, problem_page);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, path_label);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, files_view);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, links_stack);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, links_view);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, new_link_button);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, lockdown_switch);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, lockdown_spinner);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, files_scroller);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_revealer);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_label);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_progress);

  gtk_widget_class_install_action (widget_class, "win.new-download-link", NULL,
                                   new_download_link_action);
  gtk_widget_class_install_action (widget_class, "win.new-upload-link", NULL,
                                   new_upload_link_action);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.up", NULL, up_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.edit-account", NULL, edit_account_action);
  gtk_widget_class_install_action (widget_class, "win.copy-link", "s", copy_link_action);
  gtk_widget_class_install_action (widget_class, "win.mail-link", "s", mail_link_action);
  gtk_widget_class_install_action (widget_class, "win.qr-link", "s", qr_link_action);
  gtk_widget_class_install_action (widget_class, "win.details-link", "s", details_link_action);
  gtk_widget_class_install_action (widget_class, "win.share-key", "s", share_key_action);
  gtk_widget_class_install_action (widget_class, "win.revoke-link", "s", revoke_link_action);
  gtk_widget_class_install_action (widget_class, "win.unrevoke-link", "s", unrevoke_link_action);
  gtk_widget_class_install_action (widget_class, "win.revoke-selected", NULL,
                                   revoke_selected_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-upload", NULL, cancel_upload_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-download-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.new-upload-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.revoke-selected",
                                       NULL);
}

static void
pg_window_init (PgWindow *self)
{
  GtkStringFilter *filter;
  GtkFilterListModel *filtered;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->prefix = g_strdup ("");
  self->cancellable = g_cancellable_new ();
  self->files = g_list_store_new (PG_TYPE_OBJECT_ITEM);

  /* Search filters on the name shown. */
  filter = gtk_string_filter_new (gtk_property_expression_new (PG_TYPE_OBJECT_ITEM, NULL, "name"));
  g_object_bind_property (self->search_entry, "text", filter, "search", G_BINDING_DEFAULT);
  filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->files)),
                                        GTK_FILTER (filter));
  self->files_selection = gtk_single_selection_new (G_LIST_MODEL (filtered));
  gtk_single_selection_set_autoselect (self->files_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->files_selection, TRUE);
  gtk_column_view_set_model (self->files_view, GTK_SELECTION_MODEL (self->files_selection));
  g_signal_connect_swapped (self->files_view, "activate", G_CALLBACK (on_file_activated), self);
  g_signal_connect_swapped (self->lockdown_switch, "state-set",
                            G_CALLBACK (on_lockdown_state_set), self);

  /* Files dropped on the list go into the folder shown. */
  {
    GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

    g_signal_connect (drop, "drop", G_CALLBACK (on_files_dropped), self);
    gtk_widget_add_controller (self->files_scroller, GTK_EVENT_CONTROLLER (drop));
  }

  add_column (self, _("Name"), G_CALLBACK (setup_name), G_CALLBACK (bind_name), FALSE, TRUE);
  add_column (self, _("Size"), G_CALLBACK (setup_label), G_CALLBACK (bind_size), TRUE, FALSE);
  add_column (self, _("Modified"), G_CALLBACK (setup_label), G_CALLBACK (bind_modified), FALSE,
              FALSE);
}
