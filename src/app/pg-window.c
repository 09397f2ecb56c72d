/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pg-account-dialog.h"
#include "pg-error.h"
#include "pg-policy.h"
#include "pg-toolkit.h"
#include "pg-window-private.h"

/* The main window: the bucket browser on one side, the links on the other (see
 * pg-window-private.h for how it is split). This file holds the account's session, the lockdown
 * switch and the toasts, and hands the link service's job signals to the parts. */

G_DEFINE_FINAL_TYPE (PgWindow, pg_window, ADW_TYPE_APPLICATION_WINDOW)

PgApplication *
_pg_window_get_app (PgWindow *self)
{
  return PG_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

/* A toast's title is Pango markup; what it says (a file name, a server's words) is not. */
AdwToast *
_pg_window_toast_new (const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  return adw_toast_new (escaped);
}

void
pg_window_show_toast (PgWindow   *self,
                      const char *message)
{
  adw_toast_overlay_add_toast (self->toasts, _pg_window_toast_new (message));
}

/* The bucket of the account being shown. */
const char *
_pg_window_get_bucket (PgWindow *self)
{
  return pg_account_get_bucket (pg_session_get_account (self->session));
}

/* Returns: (transfer none) (nullable): the link with this id, if it is remembered. */
PgLink *
pg_window_find_link (PgWindow   *self,
                     const char *id)
{
  return pg_link_service_find (self->service, id);
}

/* Returns: (transfer none): the account context of the window's session (which must be ready) */
PgAccountContext *
_pg_window_get_context (PgWindow *self)
{
  return pg_session_get_context (self->session);
}

void
_pg_window_show_problem (PgWindow     *self,
                         const GError *error)
{
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);

  /* The description is markup; the message may carry a server's words. */
  adw_status_page_set_description (self->problem_page, escaped);
  gtk_stack_set_visible_child_name (self->stack, "problem");
}

/* ---- Lockdown ---------------------------------------------------------------------------- */

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
  pg_link_service_note_lockdown (self->service, _pg_window_get_bucket (self), state);
}

static void
lockdown_read_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgLinkShareable shareable;
  PgWindow *self;

  shareable = pg_link_service_check_shareable_finish (PG_LINK_SERVICE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;

  /* A block or unblock under way says for itself how it ends. */
  if (self->lockdown_busy)
    return;

  if (error != NULL)
    {
      gtk_spinner_set_spinning (self->lockdown_spinner, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->lockdown_switch), FALSE);
      return;
    }

  show_lockdown (self, shareable == PG_LINK_SHAREABLE_LOCKED);
}

/* What the bucket policy says now. */
static void
read_lockdown (PgWindow *self)
{
  pg_link_service_check_shareable_async (self->service, _pg_window_get_context (self), NULL,
                                         self->cancellable, lockdown_read_cb, self);
}

/* One job of the service blocks (or unblocks) every link of the bucket: the signer's, and with
 * a signing role the links signed one by one too. */
static void
set_lockdown (PgWindow *self,
              gboolean  enabled)
{
  g_object_unref (pg_link_service_set_lockdown (self->service, _pg_window_get_context (self),
                                                PG_LOCKDOWN_SIGNER, enabled, NULL));
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
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (lockdown_confirmed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

static void
lockdown_job (PgWindow  *self,
              PgLinkJob *job,
              guint      signal)
{
  const GError *error = pg_link_job_get_error (job);

  if (signal == PG_WINDOW_JOB_STARTED)
    {
      self->lockdown_busy = TRUE;
      gtk_widget_set_sensitive (GTK_WIDGET (self->lockdown_switch), FALSE);
      gtk_spinner_set_spinning (self->lockdown_spinner, TRUE);
      return;
    }

  if (signal != PG_WINDOW_JOB_FINISHED)
    return;

  self->lockdown_busy = FALSE;

  if (error != NULL)
    {
      pg_window_show_toast (self, error->message);
      if (self->session != NULL)
        read_lockdown (self);
      return;
    }

  show_lockdown (self, pg_link_job_get_enabled (job));
  pg_window_show_toast (self, pg_link_job_get_enabled (job)
                              ? _("Every link of this bucket is blocked — verified")
                              : _("Links of this bucket work again"));
}

/* ---- The link service's jobs -------------------------------------------------------------- */

static void
route_job (PgWindow  *self,
           PgLinkJob *job,
           guint      signal)
{
  /* Said once per window: the lease could not be used in this bucket. */
  if (signal == PG_WINDOW_JOB_FINISHED && pg_link_job_get_notice (job) != NULL
      && !self->notice_shown)
    {
      self->notice_shown = TRUE;
      pg_window_show_toast (self, pg_link_job_get_notice (job));
    }

  switch (pg_link_job_get_kind (job))
    {
    case PG_LINK_JOB_LOCKDOWN:
      lockdown_job (self, job, signal);
      break;

    case PG_LINK_JOB_UPLOAD:
    case PG_LINK_JOB_DOWNLOAD:
      _pg_window_browser_job (self, job, signal);
      break;

    case PG_LINK_JOB_REVOKE:
    case PG_LINK_JOB_UNREVOKE:
    default:
      if (signal == PG_WINDOW_JOB_FINISHED)
        _pg_window_links_job_finished (self, job);
    }
}

static void
on_job_started (PgWindow  *self,
                PgLinkJob *job)
{
  route_job (self, job, PG_WINDOW_JOB_STARTED);
}

static void
on_job_progress (PgWindow  *self,
                 PgLinkJob *job)
{
  route_job (self, job, PG_WINDOW_JOB_PROGRESS);
}

static void
on_job_finished (PgWindow  *self,
                 PgLinkJob *job)
{
  route_job (self, job, PG_WINDOW_JOB_FINISHED);
}

static void
on_save_failed (PgWindow   *self,
                const char *message)
{
  g_autofree char *text = g_strdup_printf (_("The list of links could not be saved: %s"),
                                           message);

  pg_window_show_toast (self, text);
}

/* ---- Session ----------------------------------------------------------------------------- */

static void
received_checked_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  /* The rows follow their links; a failure shows in the listing that runs beside it. */
  pg_link_service_check_received_finish (PG_LINK_SERVICE (source), result, NULL);
}

/* Whether files have arrived for the upload links: on each refresh, and every minute. */
void
_pg_window_check_received (PgWindow *self)
{
  if (self->session == NULL)
    return;

  pg_link_service_check_received_async (self->service, _pg_window_get_context (self),
                                        self->cancellable, received_checked_cb, NULL);
}

void
_pg_window_refresh (PgWindow *self)
{
  if (self->session == NULL)
    return;

  read_lockdown (self);
  _pg_window_browser_list (self);
  _pg_window_check_received (self);
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
      _pg_window_show_problem (self, error);
      return;
    }

  g_set_object (&self->session, session);
  account = pg_session_get_account (session);
  subtitle = g_strdup_printf ("%s · %s", pg_account_get_name (account),
                              pg_account_get_bucket (account));
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_sensitive (self->new_link_squeezer, TRUE);
  /* Links signed one by one: their sessions, from the keyring. */
  pg_session_load_link_credentials (session, self->service);
  _pg_window_links_session_changed (self);
  _pg_window_refresh (self);
}

static void
start_session (PgWindow *self)
{
  PgAccount *account = pg_application_get_account (_pg_window_get_app (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->session);
  _pg_window_links_session_changed (self);
  g_free (self->prefix);
  self->prefix = g_strdup ("");
  gtk_widget_set_sensitive (self->new_link_squeezer, FALSE);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->links_filtered),
                      GTK_FILTER_CHANGE_DIFFERENT);

  if (account == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "welcome");
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "loading");
  pg_session_new_async (account, pg_application_get_soup_session (_pg_window_get_app (self)),
                        self->cancellable, session_ready_cb, self);
}

/* ---- Window actions ---------------------------------------------------------------------- */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);

  if (self->session == NULL)
    start_session (self);
  else
    _pg_window_refresh (self);
}

static void
edit_account_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgApplication *app = _pg_window_get_app (self);
  GtkWindow *dialog = pg_account_dialog_new (GTK_WINDOW (self), app,
                                             pg_application_get_account (app));

  gtk_window_present (dialog);
}

/* ---- Construction ------------------------------------------------------------------------ */

PgWindow *
pg_window_new (PgApplication *application)
{
  PgWindow *self = g_object_new (PG_TYPE_WINDOW, "application", application, NULL);

  self->service = g_object_ref (pg_application_get_link_service (application));
  g_signal_connect_object (self->service, "job-started", G_CALLBACK (on_job_started), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "job-progress", G_CALLBACK (on_job_progress), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "job-finished", G_CALLBACK (on_job_finished), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "save-failed", G_CALLBACK (on_save_failed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (application, "account-changed", G_CALLBACK (start_session), self,
                           G_CONNECT_SWAPPED);

  _pg_window_links_init (self);
  start_session (self);

  return self;
}

static void
pg_window_dispose (GObject *object)
{
  PgWindow *self = PG_WINDOW (object);

  /* From here on nothing reaches this window: the service's jobs go on without it. */
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->service);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_handle_id (&self->expiry_timer, g_source_remove);
  g_clear_handle_id (&self->received_timer, g_source_remove);
  g_clear_pointer (&self->expiry_notified, g_hash_table_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->files_selection);
  g_clear_object (&self->links_selection);
  g_clear_object (&self->links_filtered);
  g_clear_object (&self->files);
  g_clear_pointer (&self->prefix, g_free);
  if (self->files_menu != NULL)
    gtk_widget_unparent (GTK_WIDGET (g_steal_pointer (&self->files_menu)));
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
  gtk_widget_class_bind_template_child (widget_class, PgWindow, watcher_bar);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, watcher_summary);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, watcher_label);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, new_link_button);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, new_link_squeezer);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, lockdown_switch);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, lockdown_spinner);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, files_scroller);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, files_empty);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_revealer);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_label);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, upload_progress);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, browser_pane);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, files_toggle);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, links_toggle);
  gtk_widget_class_bind_template_child (widget_class, PgWindow, pane_switcher);

  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "win.edit-account", NULL, edit_account_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.refresh", NULL);

  _pg_window_browser_class_init (widget_class);
  _pg_window_links_class_init (widget_class);
  _pg_window_share_class_init (widget_class);
}

/* ---- Narrow windows: files or links ------------------------------------------------------ */

/**
 * _pg_window_show_links:
 *
 * Brings the links into view where the window is too narrow to show files beside them.
 */
void
_pg_window_show_links (PgWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->links_stack));
}

static void
on_pane_toggled (PgWindow *self)
{
  adw_leaflet_set_visible_child (self->leaflet,
                                 gtk_toggle_button_get_active (self->links_toggle)
                                 ? GTK_WIDGET (self->links_stack) : self->browser_pane);
}

/* A swipe or the code may change the pane too: the switcher follows. */
static void
on_visible_pane_changed (PgWindow *self)
{
  gboolean links = adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->links_stack);

  gtk_toggle_button_set_active (links ? self->links_toggle : self->files_toggle, TRUE);
}

static void
pg_window_init (PgWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pg_accessible_fix_names (GTK_WIDGET (self));
  pg_tooltips_fit (GTK_WIDGET (self));

  self->prefix = g_strdup ("");
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->lockdown_switch, "state-set",
                            G_CALLBACK (on_lockdown_state_set), self);
  g_signal_connect_swapped (self->links_toggle, "toggled", G_CALLBACK (on_pane_toggled), self);
  g_signal_connect_swapped (self->leaflet, "notify::visible-child",
                            G_CALLBACK (on_visible_pane_changed), self);

  _pg_window_browser_init (self);
}
