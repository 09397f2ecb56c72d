/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include <adwaita.h>

#include <errno.h>
#include <glib/gi18n.h>
#include <string.h>

#include "pg-link-row.h"
#include "pg-object-item.h"
#include "pg-received.h"
#include "pg-text.h"
#include "pg-window-private.h"

/* The bucket browser of the main window: one folder of the bucket at a time, search, and files
 * dropped on it uploaded into the folder shown (by the link service, which carries on when the
 * window closes). */

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
      _pg_window_show_problem (self, error);
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

/* Lists the folder shown; a listing still under way (of the folder shown before) is dropped,
 * so an older answer never lands under a newer folder. */
void
_pg_window_browser_list (PgWindow *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  pg_s3_client_list_objects_async (pg_account_context_get_manager (_pg_window_get_context (self)),
                                   _pg_window_get_bucket (self), self->prefix, "/",
                                   self->list_cancellable, listed_cb, self);
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
      _pg_window_refresh (self);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "win.new-download-link", NULL);
}

static void
up_action (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  gsize len = strlen (self->prefix);
  char *slash;

  if (len == 0)
    return;

  /* "a/b/" → "a/" */
  self->prefix[len - 1] = '\0';
  slash = strrchr (self->prefix, '/');
  if (slash != NULL)
    slash[1] = '\0';
  else
    self->prefix[0] = '\0';
  _pg_window_refresh (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (PG_WINDOW (widget)->search_entry));
}

/* ---- Dropped files ----------------------------------------------------------------------- */

static void
upload (PgWindow   *self,
        const char *key,
        GFile      *file,
        gboolean    replace)
{
  g_autoptr(PgLinkJob) job G_GNUC_UNUSED = NULL;

  job = pg_link_service_upload (self->service, _pg_window_get_context (self), key, file,
                                replace);
}

/* "report.pdf" → "report (2).pdf", "report (2).pdf" → "report (3).pdf". */
static char *
next_free_name (const char *key)
{
  const char *name = pg_link_key_basename (key);
  const char *dot = strrchr (name, '.');
  const char *extension = dot != NULL && dot != name ? dot : name + strlen (name);
  g_autofree char *stem = g_strndup (key, extension - key);
  char *open = strrchr (stem, '(');
  guint64 n = 1;

  if (open != NULL && open > stem && open[-1] == ' ' && g_str_has_suffix (open, ")"))
    {
      g_autofree char *digits = g_strndup (open + 1, strlen (open) - 2);

      /* "(draft)" is part of the name, not a number. */
      if (g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT32, &n, NULL))
        open[-1] = '\0';
      else
        n = 1;
    }

  return g_strdup_printf ("%s (%" G_GUINT64_FORMAT ")%s", stem, n + 1, extension);
}

static void
on_replace_answered (AdwMessageDialog *dialog,
                     const char       *response,
                     PgWindow         *self)
{
  const char *key = g_object_get_data (G_OBJECT (dialog), "key");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");

  if (self->session == NULL)
    return;

  if (g_str_equal (response, "replace"))
    upload (self, key, file, TRUE);
  else if (g_str_equal (response, "keep"))
    {
      g_autofree char *other = next_free_name (key);

      upload (self, other, file, FALSE);
    }
}

/* A dropped file whose name is taken: replace the file (its links then give the new one), keep
 * both, or leave it. */
static void
ask_replace (PgWindow  *self,
             PgLinkJob *job)
{
  const char *key = pg_link_job_get_key (job);
  g_autofree char *name = pg_text_sanitize (pg_link_key_basename (key));
  g_autofree char *heading = g_strdup_printf (_("Replace “%s”?"), name);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), heading,
                            _("A file with this name is already in the bucket. If you replace "
                              "it, its links give the new file from now on.")));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "keep", _("Keep _Both"),
                                    "replace", _("_Replace"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "key", g_strdup (key), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (pg_link_job_get_file (job)),
                          g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_replace_answered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
on_files_dropped (GtkDropTarget *target,
                  const GValue  *value,
                  double         x,
                  double         y,
                  PgWindow      *self)
{
  GSList *files = g_value_get_boxed (value);

  if (self->session == NULL)
    return FALSE;

  /* One at a time, into the folder shown, each with a progress bar and a way to cancel. */
  for (GSList *l = files; l; l = l->next)
    {
      g_autofree char *name = g_file_get_basename (l->data);
      g_autofree char *key = g_strconcat (self->prefix, name, NULL);

      upload (self, key, l->data, FALSE);
    }

  return TRUE;
}

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GWeakRef *window = user_data;
  g_autoptr(GError) error = NULL;

  /* Said in the window only if it is still there. */
  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autoptr(PgWindow) self = g_weak_ref_get (window);

      if (self != NULL)
        pg_window_show_toast (self, error->message);
    }
  g_weak_ref_clear (window);
  g_free (window);
}

/* A file, with the program the desktop opens it with; without blocking the window. */
static void
open_uri (PgWindow   *self,
          const char *uri)
{
  GWeakRef *window = g_new0 (GWeakRef, 1);

  g_weak_ref_init (window, self);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, opened_cb, window);
}

/* Saved: opened with its program when that was asked, else a toast that offers it. */
static void
download_finished (PgWindow  *self,
                   PgLinkJob *job)
{
  GFile *file = pg_link_job_get_file (job);
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *name = g_file_get_basename (file);

  switch (GPOINTER_TO_INT (g_object_get_data (G_OBJECT (job), "open-when-done")))
    {
    case PG_WINDOW_OPEN_FILE:
      open_uri (self, uri);
      return;

    case PG_WINDOW_OPEN_FOLDER:
      {
        g_autoptr(GFile) folder = g_file_get_parent (file);
        g_autofree char *folder_uri = g_file_get_uri (folder);

        open_uri (self, folder_uri);
        return;
      }

    case PG_WINDOW_OPEN_NONE:
    default:
      break;
    }

  {
    g_autofree char *message = g_strdup_printf (_("“%s” saved"), name);
    AdwToast *toast = _pg_window_toast_new (message);

    adw_toast_set_button_label (toast, _("_Open"));
    adw_toast_set_action_name (toast, "win.open-file");
    adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
    adw_toast_overlay_add_toast (self->toasts, toast);
  }
}

static void
open_file_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  open_uri (PG_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

void
_pg_window_browser_job (PgWindow  *self,
                        PgLinkJob *job,
                        guint      signal)
{
  const GError *error = pg_link_job_get_error (job);
  const char *key = pg_link_job_get_key (job);
  gboolean download = pg_link_job_get_kind (job) == PG_LINK_JOB_DOWNLOAD;

  switch (signal)
    {
    case PG_WINDOW_JOB_STARTED:
      {
        g_autofree char *name = pg_text_sanitize (pg_link_key_basename (key));
        g_autofree char *label = g_strdup_printf (download ? _("Downloading “%s”")
                                                           : _("Uploading “%s”"), name);

        gtk_label_set_label (self->upload_label, label);
        gtk_progress_bar_set_fraction (self->upload_progress, 0);
        gtk_revealer_set_reveal_child (self->upload_revealer, TRUE);
      }
      break;

    case PG_WINDOW_JOB_PROGRESS:
      gtk_progress_bar_set_fraction (self->upload_progress, pg_link_job_get_fraction (job));
      break;

    case PG_WINDOW_JOB_FINISHED:
    default:
      gtk_revealer_set_reveal_child (self->upload_revealer, FALSE);
      if (error == NULL && download)
        {
          download_finished (self, job);
          return;
        }
      else if (error == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is in the bucket"), key);
          AdwToast *toast = _pg_window_toast_new (message);

          /* "Share": a download link for the new file. */
          adw_toast_set_button_label (toast, _("_Share"));
          adw_toast_set_action_name (toast, "win.share-key");
          adw_toast_set_action_target_value (toast, g_variant_new_string (key));
          adw_toast_overlay_add_toast (self->toasts, toast);
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          pg_window_show_toast (self, download ? _("Download cancelled") : _("Upload cancelled"));
          if (download)
            return;
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          ask_replace (self, job);
        }
      else
        {
          pg_window_show_toast (self, error->message);
          if (download)
            return;
        }
      _pg_window_refresh (self);
    }
}

static void
share_key_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  _pg_window_open_link_dialog (PG_WINDOW (widget), FALSE, g_variant_get_string (parameter, NULL));
}

static void
cancel_upload_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  pg_link_service_cancel_uploads (PG_WINDOW (widget)->service);
}

/* ---- A file's own actions: open, save, delete; uploads chosen ----------------------------- */

/* The file selected in the list, %NULL for none or a folder. */
static const char *
selected_key (PgWindow *self)
{
  PgObjectItem *item = gtk_single_selection_get_selected_item (self->files_selection);

  return item != NULL && !pg_object_item_is_folder (item) ? pg_object_item_get_key (item) : NULL;
}

/* Opened with its program, from the cache (a folder per file), under @name. */
static void
open_key (PgWindow   *self,
          const char *key,
          const char *name)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "presign-guard", "files",
                                           hash, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      pg_window_show_toast (self, g_strerror (errno));
      return;
    }
  _pg_window_download (self, key, file, PG_WINDOW_OPEN_FILE);
}

/* An action's file: a key of the list ("s", under its key's name), or a received file under a
 * name of its own ("(ss)": key, the partner's name). */
static const char *
file_of_parameter (GVariant  *parameter,
                   char     **name)
{
  const char *key;
  const char *given;

  if (g_variant_is_of_type (parameter, G_VARIANT_TYPE_STRING))
    {
      key = g_variant_get_string (parameter, NULL);
      *name = pg_received_name_from_disposition (NULL, key);
      return key;
    }

  g_variant_get (parameter, "(&s&s)", &key, &given);
  *name = g_strdup (given);
  return key;
}

static void
open_key_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_autofree char *name = NULL;
  const char *key = file_of_parameter (parameter, &name);

  open_key (PG_WINDOW (widget), key, name);
}

static void
save_key_chosen_cb (GtkNativeDialog *chooser,
                    int              response,
                    PgWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      _pg_window_download (self, g_object_get_data (G_OBJECT (chooser), "key"), file,
                           PG_WINDOW_OPEN_NONE);
    }
  g_object_unref (chooser);
}

/* Save As…, @name offered. */
static void
save_key (PgWindow   *self,
          const char *key,
          const char *name)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save the File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data_full (G_OBJECT (chooser), "key", g_strdup (key), g_free);
  g_signal_connect_object (chooser, "response", G_CALLBACK (save_key_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_key_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  g_autofree char *name = NULL;
  const char *key = file_of_parameter (parameter, &name);

  save_key (PG_WINDOW (widget), key, name);
}

static void
file_deleted_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  PgWindow *self;

  if (pg_link_service_delete_file_finish (PG_LINK_SERVICE (source), result, &error))
    error = NULL;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  if (error != NULL)
    pg_window_show_toast (self, error->message);
  else
    _pg_window_browser_list (self);
}

static void
on_delete_answered (AdwMessageDialog *dialog,
                    const char       *response,
                    PgWindow         *self)
{
  if (self->session == NULL || !g_str_equal (response, "delete"))
    return;

  pg_link_service_delete_file_async (self->service, _pg_window_get_context (self),
                                     g_object_get_data (G_OBJECT (dialog), "key"),
                                     self->cancellable, file_deleted_cb, self);
}

/* Deleted once the user says so: links to it then find nothing, and it cannot come back. */
static void
delete_key_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  const char *key = g_variant_get_string (parameter, NULL);
  g_autofree char *name = pg_text_sanitize (pg_link_key_basename (key));
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), name);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
    adw_message_dialog_new (GTK_WINDOW (self), heading,
                            _("The file is deleted from the bucket for everyone, and its links "
                              "stop working. This cannot be undone.")));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "key", g_strdup (key), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_answered), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
upload_chosen_cb (GtkNativeDialog *chooser,
                  int              response,
                  PgWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT && self->session != NULL)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      /* As dropped files: one at a time, into the folder shown. */
      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *name = g_file_get_basename (file);
          g_autofree char *key = g_strconcat (self->prefix, name, NULL);

          upload (self, key, file, FALSE);
        }
    }
  g_object_unref (chooser);
}

static void
upload_files_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  GtkFileChooserNative *chooser;

  if (self->session == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Upload Files"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Upload"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (upload_chosen_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The keyboard's way to a file's actions: on the file selected. */
static void
selected_file_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);
  const char *key = selected_key (self);

  if (key != NULL)
    gtk_widget_activate_action (widget, g_variant_get_string (parameter, NULL), "s", key);
}

/* A file's menu: what can be done with it, from a right click or the Menu key. */
static void
popup_file_menu (PgWindow *self,
                 double    x,
                 double    y)
{
  const char *key = selected_key (self);
  g_autoptr(GMenu) menu = NULL;
  struct { const char *label; const char *action; } items[] = {
    { N_("_Open"), "win.open-key" },
    { N_("_Save As…"), "win.save-key" },
    { N_("_Share Link…"), "win.share-key" },
    { N_("_Delete…"), "win.delete-key" },
  };
  GdkRectangle at = { (int) x, (int) y, 1, 1 };

  if (key == NULL)
    return;

  menu = g_menu_new ();
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(items[i].label), NULL);

      g_menu_item_set_action_and_target_value (item, items[i].action, g_variant_new_string (key));
      g_menu_append_item (menu, item);
    }
  gtk_popover_menu_set_menu_model (self->files_menu, G_MENU_MODEL (menu));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->files_menu), &at);
  gtk_popover_popup (GTK_POPOVER (self->files_menu));
}

/* A right click on a file's cell: the file is selected, and its menu opens where the click was. */
static void
on_cell_pressed (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkListItem     *item)
{
  GtkWidget *cell = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *view = gtk_widget_get_ancestor (cell, GTK_TYPE_COLUMN_VIEW);
  GtkWidget *window = gtk_widget_get_ancestor (cell, PG_TYPE_WINDOW);
  double view_x, view_y;

  if (view == NULL || window == NULL || gtk_list_item_get_position (item) == GTK_INVALID_LIST_POSITION
      || !gtk_widget_translate_coordinates (cell, view, x, y, &view_x, &view_y))
    return;

  gtk_single_selection_set_selected (PG_WINDOW (window)->files_selection,
                                     gtk_list_item_get_position (item));
  popup_file_menu (PG_WINDOW (window), view_x, view_y);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
file_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PgWindow *self = PG_WINDOW (widget);

  popup_file_menu (self, 12, 12);
}

static void
add_cell_menu (GtkWidget   *cell,
               GtkListItem *item)
{
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_cell_pressed), item);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (gesture));
}

/* What the list says when it shows nothing: an empty folder (how to add files), or no file
 * matching the search in this folder. */
static void
update_empty (PgWindow *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->files_selection)) == 0;
  gboolean searching = *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0';

  gtk_widget_set_visible (GTK_WIDGET (self->files_empty), empty);
  gtk_widget_set_visible (self->files_scroller, !empty);
  if (!empty)
    return;

  if (searching)
    {
      adw_status_page_set_icon_name (self->files_empty, "edit-find-symbolic");
      adw_status_page_set_title (self->files_empty, _("No Results"));
      adw_status_page_set_description (self->files_empty,
                                       _("No file or folder in this folder has that in its "
                                         "name."));
    }
  else
    {
      adw_status_page_set_icon_name (self->files_empty, "folder-symbolic");
      adw_status_page_set_title (self->files_empty, _("No Files Here Yet"));
      adw_status_page_set_description (self->files_empty,
                                       _("Drop files here or choose Upload to add them. Files "
                                         "that partners send show up in their own folders."));
    }
}

/* ---- Columns ----------------------------------------------------------------------------- */

static void
setup_label (GtkListItemFactory *factory,
             GtkListItem        *item,
             gpointer            user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (user_data) ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_list_item_set_child (item, label);
  add_cell_menu (label, item);
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
  add_cell_menu (box, item);
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

  /* What a screen reader says for the row (GTK 4.8 gives a table's rows no label of their own:
   * the row holding this cell is named here). */
  {
    GtkWidget *cell = gtk_widget_get_parent (box);
    GtkWidget *row = cell != NULL ? gtk_widget_get_parent (cell) : NULL;
    g_autofree char *spoken = NULL;

    if (row == NULL)
      return;
    if (pg_object_item_is_folder (object))
      /* Translators: a folder in the list of files, read aloud */
      spoken = g_strdup_printf (_("%s, folder"), pg_object_item_get_name (object));
    else
      {
        g_autofree char *size = g_format_size (pg_object_item_get_size (object));
        GDateTime *modified = pg_object_item_get_modified (object);
        g_autofree char *when = modified ? pg_format_local_time (g_date_time_to_unix (modified),
                                                                 FALSE)
                                         : g_strdup ("");

        /* Translators: a file in the list of files, read aloud: name, size, date */
        spoken = g_strdup_printf (_("%s, %s, %s"), pg_object_item_get_name (object), size, when);
      }
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                    -1);
  }
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
  g_autofree char *text = modified ? pg_format_local_time (g_date_time_to_unix (modified), FALSE)
                                   : g_strdup ("");

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

void
_pg_window_browser_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.up", NULL, up_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.share-key", "s", share_key_action);
  gtk_widget_class_install_action (widget_class, "win.open-file", "s", open_file_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-upload", NULL, cancel_upload_action);
  gtk_widget_class_install_action (widget_class, "win.open-key", "s", open_key_action);
  gtk_widget_class_install_action (widget_class, "win.save-key", "s", save_key_action);
  gtk_widget_class_install_action (widget_class, "win.open-file-as", "(ss)", open_key_action);
  gtk_widget_class_install_action (widget_class, "win.save-file-as", "(ss)", save_key_action);
  gtk_widget_class_install_action (widget_class, "win.delete-key", "s", delete_key_action);
  gtk_widget_class_install_action (widget_class, "win.upload-files", NULL, upload_files_action);
  gtk_widget_class_install_action (widget_class, "win.selected-file", "s", selected_file_action);
  gtk_widget_class_install_action (widget_class, "win.file-menu", NULL, file_menu_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_u, GDK_CONTROL_MASK,
                                       "win.upload-files", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "win.up", NULL);
}

void
_pg_window_browser_init (PgWindow *self)
{
  GtkStringFilter *filter;
  GtkFilterListModel *filtered;
  GtkDropTarget *drop;
  GtkEventController *shortcuts;
  static const struct {
    guint            key;
    GdkModifierType  modifiers;
    const char      *action;   /* NULL: the menu */
  } file_keys[] = {
    { GDK_KEY_Delete, 0, "win.delete-key" },
    { GDK_KEY_o, GDK_CONTROL_MASK, "win.open-key" },
    { GDK_KEY_s, GDK_CONTROL_MASK, "win.save-key" },
    { GDK_KEY_F10, GDK_SHIFT_MASK, NULL },
    { GDK_KEY_Menu, 0, NULL },
  };

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

  /* Files dropped on the list (or on the empty folder) go into the folder shown. */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_files_dropped), self);
  gtk_widget_add_controller (self->browser_pane, GTK_EVENT_CONTROLLER (drop));

  /* A file's menu, and its keys while the list has the focus (Delete there only). */
  self->files_menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (NULL));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->files_menu), FALSE);
  gtk_widget_set_halign (GTK_WIDGET (self->files_menu), GTK_ALIGN_START);
  gtk_widget_set_parent (GTK_WIDGET (self->files_menu), GTK_WIDGET (self->files_view));
  shortcuts = gtk_shortcut_controller_new ();
  for (guint i = 0; i < G_N_ELEMENTS (file_keys); i++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (
        gtk_keyval_trigger_new (file_keys[i].key, file_keys[i].modifiers),
        gtk_named_action_new (file_keys[i].action ? "win.selected-file" : "win.file-menu"));

      if (file_keys[i].action != NULL)
        gtk_shortcut_set_arguments (shortcut, g_variant_new_string (file_keys[i].action));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self->files_view), shortcuts);
  g_signal_connect_object (self->files_selection, "items-changed", G_CALLBACK (update_empty),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "search-changed", G_CALLBACK (update_empty), self,
                           G_CONNECT_SWAPPED);

  add_column (self, _("Name"), G_CALLBACK (setup_name), G_CALLBACK (bind_name), FALSE, TRUE);
  add_column (self, _("Size"), G_CALLBACK (setup_label), G_CALLBACK (bind_size), TRUE, FALSE);
  add_column (self, _("Modified"), G_CALLBACK (setup_label), G_CALLBACK (bind_modified), FALSE,
              FALSE);

  /* The row of column headings, unnamed in GTK 4.8, is its first child. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (
                                    GTK_WIDGET (self->files_view))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Column headings"), -1);
}
