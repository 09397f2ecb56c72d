/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include <errno.h>

#include <glib/gi18n.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link-details.h"
#include "pg-qr-dialog.h"
#include "pg-received.h"
#include "pg-text.h"
#include "pg-window-private.h"

/* Sharing a link from the main window: its URL copied, mailed, shown as a QR code or in its
 * Details, and a partner's file that came back through an upload link opened or saved. URLs are
 * derived again by the link service each time: none is kept. */

/* ---- A link's URL ------------------------------------------------------------------------ */

/* The link an action's parameter names, or NULL after saying it is gone. */
PgLink *
_pg_window_link_from_parameter (PgWindow *self,
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
  char *url = NULL;

  if (!(*link = _pg_window_link_from_parameter (self, parameter)))
    return NULL;

  if (self->session == NULL)
    g_set_error_literal (&error, PG_ERROR, PG_ERROR_FAILED, _("The account is not ready yet."));
  else
    url = pg_link_service_derive_url (self->service, _pg_window_get_context (self), *link,
                                      &error);

  if (url == NULL)
    pg_window_show_toast (self, error->message);

  return url;
}


/* ---- Received files ---------------------------------------------------------------------- */

/**
 * _pg_window_download:
 * @open: what to open once it is in: nothing, the file (with its program), or its folder
 *
 * Saves @key of the bucket as @destination, through the link service (which carries it on if
 * the window closes); the strip at the bottom of the files shows its progress.
 */
void
_pg_window_download (PgWindow       *self,
                     const char     *key,
                     GFile          *destination,
                     PgWindowOpen    open)
{
  g_autoptr(PgLinkJob) job = NULL;

  if (self->session == NULL)
    return;

  job = pg_link_service_download (self->service, _pg_window_get_context (self), key,
                                  destination);
  g_object_set_data (G_OBJECT (job), "open-when-done", GINT_TO_POINTER (open));
}

/* The files that came through @link, as last looked at; for an upload link known to be used
 * before names were kept, its file under its key's name. */
static GPtrArray *
received_files (PgLink *link)
{
  GPtrArray *files = pg_link_get_received (link);
  GPtrArray *one;
  PgReceivedFile *file;

  if (files != NULL && files->len > 0)
    return g_ptr_array_ref (files);

  one = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_received_file_free);
  file = g_new0 (PgReceivedFile, 1);
  file->key = g_strdup (pg_link_get_file_key (link));
  file->name = pg_received_name_from_disposition (NULL, file->key);
  g_ptr_array_add (one, file);

  return one;
}

/* @name, or "name (2).ext"… when another file of the same link took it already. */
static char *
unique_name (GHashTable *taken,
             const char *name)
{
  char *unique = g_strdup (name);

  for (guint n = 2; g_hash_table_contains (taken, unique); n++)
    {
      g_free (unique);
      unique = pg_received_numbered_name (name, n);
    }
  g_hash_table_add (taken, g_strdup (unique));

  return unique;
}

/* Opened from the cache, in a folder of the link's own, under the names the partner's files
 * had: the file, or (several) the folder once the last is in. */
static void
open_received_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = _pg_window_link_from_parameter (self, parameter);
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GHashTable) names = NULL;

  if (link == NULL)
    return;

  files = received_files (link);
  dir = g_build_filename (g_get_user_cache_dir (), "presign-guard", "received",
                          pg_link_get_id (link), NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      pg_window_show_toast (self, g_strerror (errno));
      return;
    }
  folder = g_file_new_for_path (dir);
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < files->len; i++)
    {
      PgReceivedFile *file = g_ptr_array_index (files, i);
      g_autofree char *name = unique_name (names, file->name);
      g_autoptr(GFile) destination = g_file_get_child (folder, name);

      _pg_window_download (self, file->key, destination,
                           files->len == 1 ? PG_WINDOW_OPEN_FILE
                           : i + 1 == files->len ? PG_WINDOW_OPEN_FOLDER : PG_WINDOW_OPEN_NONE);
    }
}

/* Save All: the window (untouched once its cancellable is cancelled) and the files it saves. */
typedef struct {
  PgWindow  *window;
  GPtrArray *files;
} SaveAll;

static void
save_all_free (SaveAll *save)
{
  g_ptr_array_unref (save->files);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SaveAll, save_all_free)

/* Each file to the free name found for it in the folder chosen. */
static void
destinations_chosen_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(SaveAll) save = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) destinations = pg_received_free_destinations_finish (result, &error);

  /* Cancelled: the window is gone, or its account changed. */
  if (destinations == NULL)
    return;

  for (guint i = 0; i < save->files->len; i++)
    _pg_window_download (save->window,
                         ((PgReceivedFile *) g_ptr_array_index (save->files, i))->key,
                         g_ptr_array_index (destinations, i), PG_WINDOW_OPEN_NONE);
}

static void
save_chosen_cb (GtkNativeDialog *chooser,
                int              response,
                PgWindow        *self)
{
  GPtrArray *files = g_object_get_data (G_OBJECT (chooser), "files");
  g_autoptr(GFile) chosen = NULL;

  if (response != GTK_RESPONSE_ACCEPT)
    {
      g_object_unref (chooser);
      return;
    }

  chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  /* One file: where it was asked to go. Several: each in the folder chosen, under its own
   * name, never over a file already there. */
  if (files->len == 1)
    {
      _pg_window_download (self, ((PgReceivedFile *) g_ptr_array_index (files, 0))->key, chosen,
                           PG_WINDOW_OPEN_NONE);
    }
  else
    {
      /* Two files of the same name in one page get two names before either is written; the
       * folder is looked at off the main loop. */
      SaveAll *save = g_new0 (SaveAll, 1);

      save->window = self;
      save->files = g_ptr_array_ref (files);
      pg_received_free_destinations_async (chosen, files, self->cancellable,
                                           destinations_chosen_cb, save);
    }
  g_object_unref (chooser);
}

/* Save As… for one file; Save All… (a folder) for a page's files. */
static void
save_received_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  PgLink *link = _pg_window_link_from_parameter (self, parameter);
  g_autoptr(GPtrArray) files = NULL;
  GtkFileChooserNative *chooser;

  if (link == NULL)
    return;

  files = received_files (link);
  if (files->len == 1)
    {
      chooser = gtk_file_chooser_native_new (_("Save the Received File"), GTK_WINDOW (self),
                                             GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                             _("_Cancel"));
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                         ((PgReceivedFile *) g_ptr_array_index (files, 0))->name);
    }
  else
    {
      chooser = gtk_file_chooser_native_new (_("Save All Received Files In"), GTK_WINDOW (self),
                                             GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Save"),
                                             _("_Cancel"));
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "files", g_steal_pointer (&files),
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
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

/* The e-mail to the partner: a greeting (to whom the link is for, when the user said), what to
 * do with the link, and a closing. */
static char *
mail_body (PgLink     *link,
           const char *url)
{
  g_autofree char *until = pg_format_local_time (pg_link_get_expires_at (link), TRUE);
  g_autofree char *greeting = NULL;
  g_autofree char *body = NULL;

  if (pg_link_get_label (link) != NULL)
    /* Translators: the first line of an e-mail to a partner; %s is whom the link is for, as the
     * user wrote it ("ACME, Kenji Sato") */
    greeting = g_strdup_printf (_("Hello %s,"), pg_link_get_label (link));
  else
    /* Translators: the first line of an e-mail to a partner whose name the app does not know */
    greeting = g_strdup (_("Hello,"));

  if (pg_link_get_page_key (link) != NULL)
    body = g_strdup_printf (_("Please send your files through this page. It opens in any web "
                              "browser and can be used until %s:\n\n%s\n"), until, url);
  else if (pg_link_is_upload (link))
    {
      g_autofree char *instructions = pg_link_partner_instructions (link, url);

      body = g_strdup_printf (_("Please send your file with this upload link. It can be used "
                                "until %s.\n\n%s\n\n%s"), until, url, instructions);
    }
  else
    body = g_strdup_printf (_("You can download the file with this link until %s:\n\n%s\n"),
                            until, url);

  /* Translators: the last line of an e-mail to a partner */
  return g_strdup_printf ("%s\n\n%s\n%s\n", greeting, body, _("Best regards"));
}

static void
mail_text_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       PgWindow         *self)
{
  const char *text = g_object_get_data (G_OBJECT (dialog), response);

  if (text == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  pg_window_show_toast (self, g_str_equal (response, "copy-link") ? _("Link copied")
                                                                  : _("Message copied"));
}

/* Without an e-mail program, the message itself: to read, and to copy into whatever is used. */
static void
show_mail_text (PgWindow   *self,
                const char *url,
                const char *subject,
                const char *body)
{
  AdwMessageDialog *dialog;
  GtkWidget *label;
  GtkWidget *scrolled;
  g_autofree char *message = g_strdup_printf ("%s\n\n%s", subject, body);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("No E-mail Program"),
                                                       _("Copy the message, or only the link, "
                                                         "and paste it where you write to the "
                                                         "partner.")));
  label = gtk_label_new (message);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "monospace");
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  adw_message_dialog_set_extra_child (dialog, scrolled);

  adw_message_dialog_add_responses (dialog, "close", _("_Close"), "copy-link", _("Copy _Link"),
                                    "copy-message", _("Copy _Message"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "copy-message",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "copy-message");
  adw_message_dialog_set_close_response (dialog, "close");
  g_object_set_data_full (G_OBJECT (dialog), "copy-link", g_strdup (url), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "copy-message", g_steal_pointer (&message), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (mail_text_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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

  if (url == NULL)
    return;

  subject = pg_link_is_upload (link)
            ? g_strdup (_("Upload link"))
            : g_strdup_printf (_("Download link: %s"),
                               pg_link_key_basename (pg_link_get_file_key (link)));
  body = mail_body (link, url);
  subject_escaped = g_uri_escape_string (subject, NULL, FALSE);
  body_escaped = g_uri_escape_string (body, NULL, FALSE);
  mailto = g_strdup_printf ("mailto:?subject=%s&body=%s", subject_escaped, body_escaped);

  if (!g_app_info_launch_default_for_uri (mailto, NULL, &error))
    show_mail_text (self, url, subject, body);
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

  dialog = pg_qr_dialog_new (GTK_WINDOW (self), pg_link_get_file_key (link), url, &error);
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
  g_autoptr(GError) error = NULL;
  PgLink *link = NULL;
  g_autofree char *url = url_from_parameter (self, parameter, &link);
  g_auto(GStrv) upload_urls = NULL;

  if (url == NULL)
    return;

  /* An upload page's raw upload links stay at hand, for partners who prefer a program. */
  if (pg_link_get_page_key (link) != NULL
      && !(upload_urls = pg_link_service_derive_upload_urls (self->service,
                                                             _pg_window_get_context (self), link,
                                                             &error)))
    {
      pg_window_show_toast (self, error->message);
      return;
    }

  gtk_window_present (pg_link_details_new (GTK_WINDOW (self), link, url,
                                           (const char * const *) upload_urls));
}

void
_pg_window_share_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.copy-link", "s", copy_link_action);
  gtk_widget_class_install_action (widget_class, "win.open-received", "s", open_received_action);
  gtk_widget_class_install_action (widget_class, "win.save-received", "s", save_received_action);
  gtk_widget_class_install_action (widget_class, "win.mail-link", "s", mail_link_action);
  gtk_widget_class_install_action (widget_class, "win.qr-link", "s", qr_link_action);
  gtk_widget_class_install_action (widget_class, "win.details-link", "s", details_link_action);
}
