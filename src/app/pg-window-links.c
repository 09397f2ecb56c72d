/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link-dialog.h"
#include "pg-link-row.h"
#include "pg-object-item.h"
#include "pg-window-private.h"

/* The links side of the main window: the list of the account's links, each row's buttons (the
 * window's actions, with the link's id; sharing them is pg-window-share.c), new links, removal,
 * arming, and what revoking means for the other links
 * of the same file — said before (a question) and after (the toast). States themselves come
 * from the link service. */

/* ---- Remove ------------------------------------------------------------------------------ */

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgWindow *self;

  pg_link_service_remove_finish (PG_LINK_SERVICE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  pg_window_show_toast (self, error ? error->message : _("Link removed"));
}

static void
remove_link_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = _pg_window_link_from_parameter (self, parameter);

  if (link == NULL)
    return;

  if (self->session == NULL)
    {
      pg_window_show_toast (self, _("The account is not ready yet."));
      return;
    }

  /* An upload page leaves the bucket with its link; a link's own session leaves the keyring. */
  pg_link_service_remove_async (self->service, _pg_window_get_context (self), link,
                                self->cancellable, removed_cb, self);
}

/* ---- Revoke ------------------------------------------------------------------------------ */

/* The service carries the job (choosing how the link is revoked) and announces its end
 * ("job-finished"). */
static void
revoke_now (PgWindow *self,
            PgLink   *link,
            gboolean  revoke)
{
  g_autoptr(PgLinkJob) job = NULL;

  if (self->session == NULL)
    {
      pg_window_show_toast (self, _("The account is not ready yet."));
      return;
    }

  job = revoke ? pg_link_service_revoke_link (self->service, _pg_window_get_context (self), link)
               : pg_link_service_unrevoke_link (self->service, _pg_window_get_context (self),
                                                link);
}

static void
revoke_confirmed_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     PgWindow         *self)
{
  PgLink *link;

  if (!g_str_equal (response, "revoke"))
    return;

  link = pg_window_find_link (self, g_object_get_data (G_OBJECT (dialog), "link-id"));
  if (link != NULL)
    revoke_now (self, link, TRUE);
}

/* "made 28/11/2026 14:02, valid until 01/12/2026 14:02": a link has no name of its own. */
static char *
describe_link (PgLink *link)
{
  g_autofree char *made = pg_format_local_time (pg_link_get_signed_at (link), FALSE);
  g_autofree char *until = pg_format_local_time (pg_link_get_expires_at (link), FALSE);

  return g_strdup_printf (pg_link_is_upload (link) ? _("Upload link made %s, valid until %s")
                                                   : _("Download link made %s, valid until %s"),
                          made, until);
}

/* Revokes @link — after asking, when other links share its fate, and naming them. */
static void
start_revoke (PgWindow *self,
              PgLink   *link)
{
  g_autoptr(GPtrArray) affected = pg_link_service_list_affected (self->service, link,
                                                                 PG_LINK_JOB_REVOKE);
  g_autoptr(GString) body = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *confirm = NULL;
  guint others = affected->len - 1;
  GtkWidget *dialog;

  if (others == 0)
    {
      revoke_now (self, link, TRUE);
      return;
    }

  body = g_string_new (NULL);
  g_string_printf (body,
                   g_dngettext (GETTEXT_PACKAGE,
                                "Links to “%s” are taken back per file: revoking this one also "
                                "closes the other link to it.",
                                "Links to “%s” are taken back per file: revoking this one also "
                                "closes the %u other links to it.", others),
                   pg_link_key_basename (pg_link_get_file_key (link)), others);
  for (guint i = 1; i < affected->len; i++)
    {
      g_autofree char *line = describe_link (g_ptr_array_index (affected, i));

      g_string_append_printf (body, "\n• %s", line);
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Also Close %u Other Link?",
                                          "Also Close %u Other Links?", others), others);
  confirm = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Revoke %u Link", "_Revoke %u Links",
                                          affected->len), affected->len);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", confirm,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "link-id", g_strdup (pg_link_get_id (link)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_confirmed_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
revoke_link_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PgLink *link = _pg_window_link_from_parameter (PG_WINDOW (widget), parameter);

  if (link != NULL)
    start_revoke (PG_WINDOW (widget), link);
}

static void
unrevoke_link_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgLink *link = _pg_window_link_from_parameter (PG_WINDOW (widget), parameter);

  if (link != NULL)
    revoke_now (PG_WINDOW (widget), link, FALSE);
}

static void
revoke_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = gtk_single_selection_get_selected_item (self->links_selection);
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  /* Delete means "this link" only where the links are: typed in the list of files or an entry,
   * it must not revoke whichever link happens to be selected. */
  if (focus == NULL || (focus != GTK_WIDGET (self->links_view)
                        && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->links_view))))
    return;

  if (link != NULL && pg_link_get_state (link) != PG_LINK_REVOKED
      && pg_link_get_state (link) != PG_LINK_REVOKING)
    start_revoke (self, link);
}

/* A revocation or its Undo is over: say how it went, and for how many links. */
void
_pg_window_links_job_finished (PgWindow  *self,
                               PgLinkJob *job)
{
  const GError *error = pg_link_job_get_error (job);
  PgLink *link = pg_link_job_get_link (job);
  guint others = MAX (pg_link_job_get_affected (job)->len, 1) - 1;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (link == NULL)
    return;

  if (error != NULL)
    {
      pg_window_show_toast (self, error->message);
      return;
    }

  if (pg_link_job_get_kind (job) == PG_LINK_JOB_UNREVOKE)
    {
      message = others == 0
                ? g_strdup (_("The link works again"))
                : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "The link works again, and %u other link to "
                                                "this file.",
                                                "The link works again, and %u other links to "
                                                "this file.", others), others);
      pg_window_show_toast (self, message);
      return;
    }

  message = others == 0
            ? g_strdup (_("Link revoked — verified"))
            : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "Link revoked — verified. %u other link to this "
                                            "file is closed too.",
                                            "Link revoked — verified. %u other links to this "
                                            "file are closed too.", others), others);
  toast = _pg_window_toast_new (message);
  /* Ahead of "Link copied" and the like, and long enough to be read and used. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.unrevoke-link");
  adw_toast_set_action_target_value (toast, g_variant_new_string (pg_link_get_id (link)));
  adw_toast_overlay_add_toast (self->toasts, toast);
  pg_application_notify (_pg_window_get_app (self), pg_link_get_id (link), _("Link revoked"),
                         pg_link_get_file_key (link));
}

/* ---- New links --------------------------------------------------------------------------- */

/* The list's item that shows @link, once it is built. */
static GtkWidget *
item_for_link (PgWindow *self,
               PgLink   *link)
{
  for (GtkWidget *item = gtk_widget_get_first_child (GTK_WIDGET (self->links_view)); item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *row = gtk_widget_get_first_child (item);

      if (PG_IS_LINK_ROW (row) && pg_link_row_get_link (PG_LINK_ROW (row)) == link)
        return item;
    }

  return NULL;
}

/* Each frame until the new link's row is on screen (a few at most): the keyboard's focus goes
 * to it, so that Tab after Enter reaches that link's buttons, not the row that was first. */
static gboolean
focus_new_link_cb (GtkWidget     *view,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  PgWindow *self = PG_WINDOW (gtk_widget_get_root (view));
  GWeakRef *ref = user_data;
  g_autoptr(PgLink) link = g_weak_ref_get (ref);
  GtkWidget *item;

  item = link != NULL ? item_for_link (self, link) : NULL;
  if (link != NULL && ++self->focus_tries <= 60 && (item == NULL || !gtk_widget_get_mapped (item)))
    return G_SOURCE_CONTINUE;

  if (item != NULL)
    gtk_widget_grab_focus (item);
  self->focus_tick = 0;

  return G_SOURCE_REMOVE;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
on_link_created (PgWindow *self,
                 PgLink   *link)
{
  GWeakRef *ref = g_new0 (GWeakRef, 1);

  pg_link_set_blocked (link, gtk_switch_get_state (self->lockdown_switch));
  gtk_single_selection_set_selected (self->links_selection, 0);
  /* Newest first: the list keeps what was on screen, so the new link would be just above it. */
  gtk_widget_activate_action (GTK_WIDGET (self->links_view), "list.scroll-to-item", "u", 0);
  _pg_window_show_links (self);
  g_weak_ref_init (ref, link);
  self->focus_tries = 0;
  if (self->focus_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->links_view), self->focus_tick);
  self->focus_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->links_view),
                                                   focus_new_link_cb, ref, free_weak_ref);
  {
    AdwToast *toast = _pg_window_toast_new (_("Link created"));

    /* Its link is what the user wants next. */
    adw_toast_set_button_label (toast, _("_Copy"));
    adw_toast_set_action_name (toast, "win.copy-link");
    adw_toast_set_action_target_value (toast, g_variant_new_string (pg_link_get_id (link)));
    adw_toast_overlay_add_toast (self->toasts, toast);
  }
}

void
_pg_window_open_link_dialog (PgWindow   *self,
                             gboolean    upload,
                             const char *key)
{
  GtkWindow *dialog;

  if (self->session == NULL)
    return;

  dialog = pg_link_dialog_new (GTK_WINDOW (self), self->session, self->service, upload,
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

  _pg_window_open_link_dialog (self, FALSE, pg_object_item_get_key (item));
}

static void
new_upload_link_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  _pg_window_open_link_dialog (PG_WINDOW (widget), TRUE, NULL);
}

/* ---- Arrivals ---------------------------------------------------------------------------- */

/* How often the files awaited through upload links and pages are looked for (one HeadObject
 * per file still awaited; nothing when none is): a partner's files show within this, without a
 * refresh. */
#define RECEIVED_CHECK_SECONDS 15

static gboolean
check_received_cb (gpointer user_data)
{
  _pg_window_check_received (user_data);

  return G_SOURCE_CONTINUE;
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
      pg_application_notify (_pg_window_get_app (self), pg_link_get_id (link),
                             _("A link expires soon"), pg_link_get_file_key (link));
    }

  return G_SOURCE_CONTINUE;
}

/* ---- The list ---------------------------------------------------------------------------- */

static gboolean
link_of_account (gpointer item,
                 gpointer user_data)
{
  PgWindow *self = user_data;
  PgAccount *account = pg_application_get_account (_pg_window_get_app (self));

  return account != NULL && g_strcmp0 (pg_link_get_account_id (item),
                                       pg_account_get_id (account)) == 0;
}

static void arm_link_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
static void notify_link_use_action (GtkWidget *widget, const char *action_name,
                                    GVariant *parameter);
static void export_activity_action (GtkWidget *widget, const char *action_name,
                                    GVariant *parameter);

static void
update_links_page (PgWindow *self,
                   guint     position,
                   guint     removed,
                   guint     added)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->links_filtered)) > 0;

  gtk_stack_set_visible_child_name (self->links_stack, any ? "links" : "empty");
}

void
_pg_window_links_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-download-link", NULL,
                                   new_download_link_action);
  gtk_widget_class_install_action (widget_class, "win.new-upload-link", NULL,
                                   new_upload_link_action);
  gtk_widget_class_install_action (widget_class, "win.remove-link", "s", remove_link_action);
  gtk_widget_class_install_action (widget_class, "win.revoke-link", "s", revoke_link_action);
  gtk_widget_class_install_action (widget_class, "win.unrevoke-link", "s", unrevoke_link_action);
  gtk_widget_class_install_action (widget_class, "win.arm-link", "(sbx)", arm_link_action);
  gtk_widget_class_install_action (widget_class, "win.notify-link-use", "(sb)",
                                   notify_link_use_action);
  gtk_widget_class_install_action (widget_class, "win.export-activity", "s",
                                   export_activity_action);
  gtk_widget_class_install_action (widget_class, "win.revoke-selected", NULL,
                                   revoke_selected_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-download-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.new-upload-link", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "win.revoke-selected",
                                       NULL);
}

/* ---- Links that close themselves -------------------------------------------------------- */

/* Arms a link (or disarms it) from its Details: the service keeps it so, and says so in the
 * link's record for every watcher. */
static void
arm_link_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  const char *id;
  gboolean armed;
  gint64 grace;
  PgLink *link;

  g_variant_get (parameter, "(&sbx)", &id, &armed, &grace);
  if (self->session == NULL || !(link = pg_window_find_link (self, id)))
    return;

  pg_link_service_arm (self->service, _pg_window_get_context (self), link,
                       armed ? PG_LINK_ARMING_DOWNLOAD : PG_LINK_ARMING_NONE, grace);
}

/* "Tell me when it is used", from the link's details: kept with the link. */
static void
notify_link_use_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  const char *id;
  gboolean notify_use;
  PgLink *link;

  g_variant_get (parameter, "(&sb)", &id, &notify_use);
  if (!(link = pg_window_find_link (self, id)))
    return;

  pg_link_set_notify_use (link, notify_use);
  pg_link_service_save (self->service);
}

static void
activity_exported_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgWindow *self;

  g_file_replace_contents_finish (G_FILE (source), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The activity was not exported: %s"),
                                                  error->message);

      pg_window_show_toast (self, message);
    }
  else
    pg_window_show_toast (self, _("Activity exported"));
}

static void
export_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  PgWindow        *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  PgLink *link = pg_window_find_link (self, g_object_get_data (G_OBJECT (chooser), "link-id"));
  char *text;

  if (response == GTK_RESPONSE_ACCEPT && link != NULL && pg_link_get_activity (link) != NULL)
    {
      /* The same text as the command line's activity --format csv. */
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      text = pg_activity_to_text (pg_link_get_activity (link), PG_ACTIVITY_CSV);
      bytes = g_bytes_new_take (text, strlen (text));
      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                           self->cancellable, activity_exported_cb, self);
    }
  g_object_unref (chooser);
}

/* Export…, from the link's details: every request kept, as CSV, where the user says. */
static void
export_activity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = pg_window_find_link (self, g_variant_get_string (parameter, NULL));
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;
  g_autofree char *base = NULL;

  if (link == NULL)
    return;

  base = g_strdup (pg_link_key_basename (pg_link_get_file_key (link)));
  if (strrchr (base, '.') != NULL && strrchr (base, '.') != base)
    *strrchr (base, '.') = '\0';
  /* Translators: the name offered for a link's exported activity; %s is its file's name */
  name = g_strdup_printf (_("%s activity.csv"), base);
  chooser = gtk_file_chooser_native_new (_("Export the Activity"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "link-id", g_strdup (pg_link_get_id (link)),
                          g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (export_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The watcher line: who closes the armed links of this account, as the service says. One short
 * line under the list, the same height whatever it says (so nothing moves under the pointer);
 * the whole story, and what went wrong lately, in its button's popover. */
static void
update_watcher_line (PgWindow *self)
{
  PgLinkWatchMode mode = pg_link_service_get_watch_mode (self->service);
  const char *problem = pg_link_service_get_watch_problem (self->service);
  PgAccountContext *context = self->session ? _pg_window_get_context (self) : NULL;
  gboolean reported = context != NULL && pg_account_context_reports_downloads (context);
  g_autofree char *text = NULL;
  g_autofree char *summary = NULL;
  gboolean warning;

  gtk_widget_set_visible (self->watcher_bar, context != NULL);
  if (context == NULL)
    return;

  if (mode == PG_LINK_WATCH_NONE)
    {
      summary = g_strdup (_("No link is set to close itself"));
      text = g_strdup (_("Links armed to close after their first use show here who closes them: "
                         "an always-on watcher, or this app while it is open."));
    }
  else if (mode == PG_LINK_WATCH_ALWAYS_ON)
    {
      g_autofree char *when = pg_format_local_time (pg_link_service_get_watch_seen_at (
                                                      self->service), FALSE);

      /* Translators: %s is a time, e.g. "14:02" */
      summary = g_strdup_printf (_("Always-on watcher · seen %s"), when);
      text = g_strdup_printf (_("The always-on watcher closes armed links once they are used "
                                "(last seen %s)."), when);
    }
  else if (reported)
    {
      summary = g_strdup (_("This app closes armed links while open"));
      text = g_strdup (_("No always-on watcher is running for this bucket: Presign Guard "
                         "closes armed links itself while it is open."));
    }
  else
    {
      summary = g_strdup (_("Downloads of armed links are not seen"));
      text = g_strdup (_("No always-on watcher is running for this bucket: while Presign Guard "
                         "is open it closes upload links after their upload, but links armed to "
                         "close after their first download stay open until an always-on watcher "
                         "runs (your administrator can set one up) or the account says where the "
                         "server reports downloads."));
    }
  /* What the app's watcher could not do lately, under it. */
  if (problem != NULL && mode != PG_LINK_WATCH_NONE)
    {
      g_autofree char *line = g_strdup_printf ("%s\n%s", text, problem);

      g_free (text);
      text = g_steal_pointer (&line);
      g_free (summary);
      summary = g_strdup (_("Closing links has a problem"));
    }
  /* Links armed to close after a download that nobody would see used, or a problem: a
   * warning. */
  warning = mode == PG_LINK_WATCH_SELF && (problem != NULL || !reported);
  warning |= mode == PG_LINK_WATCH_ALWAYS_ON && problem != NULL;
  if (warning)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->watcher_summary), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->watcher_label), "warning");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->watcher_summary), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->watcher_label), "warning");
    }
  gtk_label_set_label (self->watcher_summary, summary);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->watcher_summary), summary);
  gtk_label_set_label (self->watcher_label, text);
}

/* A link closed itself after its use: said here (the application notifies the desktop). */
static void
on_link_closed_itself (PgWindow *self,
                       PgLink   *link)
{
  g_autofree char *text = pg_link_describe_closed_itself (link);

  pg_window_show_toast (self, text);
}

static void
on_link_problem (PgWindow   *self,
                 PgLink     *link,
                 const char *message)
{
  pg_window_show_toast (self, message);
}

/* The account's session is ready (or gone): the service watches its armed links, for as long
 * as the application runs, not only while this window is open. */
void
_pg_window_links_session_changed (PgWindow *self)
{
  if (self->session != NULL)
    pg_link_service_watch (self->service, _pg_window_get_context (self));
  update_watcher_line (self);
}

void
_pg_window_links_init (PgWindow *self)
{
  GtkCustomFilter *filter = gtk_custom_filter_new (link_of_account, self, NULL);
  GtkListItemFactory *factory = pg_link_row_factory_new ();

  self->links_filtered =
    gtk_filter_list_model_new (g_object_ref (pg_link_service_get_links (self->service)),
                               GTK_FILTER (filter));
  self->links_selection =
    gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->links_filtered)));
  gtk_single_selection_set_autoselect (self->links_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->links_selection, TRUE);
  gtk_list_view_set_model (self->links_view, GTK_SELECTION_MODEL (self->links_selection));
  gtk_list_view_set_factory (self->links_view, factory);
  g_object_unref (factory);
  g_signal_connect_object (self->links_filtered, "items-changed",
                           G_CALLBACK (update_links_page), self, G_CONNECT_SWAPPED);
  update_links_page (self, 0, 0, 0);

  self->expiry_notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->expiry_timer = g_timeout_add_seconds (60, check_expiry_cb, self);
  self->received_timer = g_timeout_add_seconds (RECEIVED_CHECK_SECONDS, check_received_cb, self);
  g_signal_connect_object (self->service, "notify::watch-mode",
                           G_CALLBACK (update_watcher_line), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "notify::watch-seen-at",
                           G_CALLBACK (update_watcher_line), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "notify::watch-problem",
                           G_CALLBACK (update_watcher_line), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "link-closed-itself",
                           G_CALLBACK (on_link_closed_itself), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->service, "link-problem", G_CALLBACK (on_link_problem), self,
                           G_CONNECT_SWAPPED);
}
