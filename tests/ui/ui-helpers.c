/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "pg-link-dialog.h"
#include "pg-link-session.h"
#include "pg-object-item.h"
#include "ui-helpers.h"
#include "../test-async.h"

/* The real window and dialogs, driven as a person would: fill in the account form, pick a file,
 * make links, press the row's buttons, read the clipboard, and check with plain HTTP that the
 * links work — and stop working once revoked. Runs under Xvfb against the local Ceph gateway
 * (PG_TEST_S3_ENDPOINT), with libsecret's file backend as the keyring. This file starts the app
 * and holds what the tests of several features share; the tests are in test-ui-*.c. */

PgApplication *ui_app;
PgWindow *ui_window;
char *ui_bucket;
char *ui_role_arn;
GPtrArray *ui_notifications;
static SoupSession *http;

static gboolean
is_set (gpointer pointer)
{
  return *(gpointer *) pointer != NULL;
}

void
ui_wait_until (UiCondition condition,
               gpointer    data,
               const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

GtkWidget *
ui_child (gpointer    widget,
          GType       type,
          const char *name)
{
  GObject *found = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (found);

  return GTK_WIDGET (found);
}

gpointer
ui_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type)
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

gboolean
ui_toplevel_shown (gpointer type)
{
  return ui_find_toplevel (GPOINTER_TO_SIZE (type)) != NULL;
}

gboolean
ui_toplevel_gone (gpointer type)
{
  return ui_find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

/* A click, as the button's own "clicked" signal: GtkButton's keyboard activation would delay
 * it for the pressed-look animation. */
void
ui_click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

void
ui_set_text (gpointer    dialog,
             GType       type,
             const char *row,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ui_child (dialog, type, row)), text);
}

void
ui_find_widgets (GtkWidget *widget,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && gtk_widget_get_mapped (widget))
    g_ptr_array_add (found, widget);

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    ui_find_widgets (c, type, found);
}

/* The row showing @link in the list, once it has its widgets (rows exist only around the
 * ones on screen, and build their widgets when they come into view). */
PgLinkRow *
ui_row_for (PgLink *link)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  ui_find_widgets (GTK_WIDGET (ui_window), PG_TYPE_LINK_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      if (pg_link_row_get_link (PG_LINK_ROW (row)) == link && gtk_widget_get_first_child (row))
        return PG_LINK_ROW (row);
    }

  return NULL;
}

gboolean
ui_row_shown (gpointer link)
{
  return ui_row_for (link) != NULL;
}

PgLink *
ui_newest_link (void)
{
  PgLinkService *service = pg_application_get_link_service (ui_app);

  return g_list_model_get_item (pg_link_service_get_links (service), 0);
}

guint
ui_fetch (const char  *method,
          const char  *url,
          const char  *body,
          const char  *if_none_match)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      /* As the partner's instructions and the page send it: the type the link signs. */
      soup_message_set_request_body_from_bytes (message, PG_UPLOAD_CONTENT_TYPE, bytes);
    }
  if (if_none_match != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "If-None-Match",
                                  if_none_match);

  response = soup_session_send_and_read (http, message, NULL, &error);
  g_assert_no_error (error);

  return soup_message_get_status (message);
}

/* A file sent through an upload link as the page sends it: with its name
 * (Content-Disposition: attachment; filename*=UTF-8''…), If-None-Match and the signed type. */
guint
ui_send_file (const char *url,
              const char *body,
              const char *name)
{
  g_autoptr(SoupMessage) message = soup_message_new ("PUT", url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *disposition = g_strconcat ("attachment; filename*=UTF-8''", escaped, NULL);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  soup_message_set_request_body_from_bytes (message, PG_UPLOAD_CONTENT_TYPE, bytes);
  soup_message_headers_replace (headers, "If-None-Match", "*");
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  response = soup_session_send_and_read (http, message, NULL, &error);
  g_assert_no_error (error);

  return soup_message_get_status (message);
}

/* Whether a link's row is shown and its state says the words in @data: { PgLink *, text }. */
gboolean
ui_row_says (gpointer data)
{
  gpointer *pair = data;
  PgLinkRow *row = ui_row_for (pair[0]);

  return row != NULL
         && strstr (gtk_label_get_label (GTK_LABEL (ui_child (row, PG_TYPE_LINK_ROW, "state"))),
                    pair[1]) != NULL;
}

void
ui_clipboard_read_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

/* Presses the row's Copy button and reads the clipboard back. */
char *
ui_copy_link (PgLink *link)
{
  PgLinkRow *row;
  char *text = NULL;

  ui_wait_until (ui_row_shown, link, "the link's row");
  row = ui_row_for (link);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (ui_window)), "");
  ui_click (ui_child (row, PG_TYPE_LINK_ROW, "copy_button"));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (ui_window)), NULL,
                                 ui_clipboard_read_cb, &text);
  ui_wait_until (is_set, &text, "the clipboard");
  g_assert_true (g_str_has_prefix (text, "http://127.0.0.1"));

  return text;
}

/* A wait of a few frames, counted in @counter: true once it has been asked more than 60 times. */
gboolean
ui_frames_drawn (gpointer counter)
{
  return ++*(guint *) counter > 60;
}

/* With PG_SCREENSHOT_DIR set, the test also renders what it shows into PNG files there (the
 * README's pictures; tests/screenshots.sh makes them in English and Japanese). */
void
ui_screenshot (GtkWidget  *widget,
               const char *name)
{
  const char *dir = g_getenv ("PG_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  guint counter = 0;
  int width;
  int height;

  if (dir == NULL)
    return;

  /* Let spinners settle and lists fill in. */
  ui_wait_until (ui_frames_drawn, &counter, "a few frames");
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

gboolean
ui_files_listed (gpointer data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  return g_list_model_get_n_items (model) > 0;
}

gboolean
ui_revoke_done (gpointer link)
{
  return pg_link_get_state (link) != PG_LINK_REVOKING && pg_link_get_state (link) != PG_LINK_ACTIVE;
}

gboolean
ui_link_active (gpointer link)
{
  return pg_link_get_state (link) == PG_LINK_ACTIVE;
}

/* The Link Details window that is shown, if any. */
GtkWindow *
ui_find_details (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (toplevel), _("Link Details")) == 0
          && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return toplevel;
    }

  return NULL;
}

gboolean
ui_link_removed (gpointer link)
{
  GListModel *links = pg_link_service_get_links (pg_application_get_link_service (ui_app));

  for (guint i = 0; i < g_list_model_get_n_items (links); i++)
    {
      g_autoptr(PgLink) item = g_list_model_get_item (links, i);

      if (item == link)
        return FALSE;
    }

  return TRUE;
}

/* The size of @key in the bucket, asked with the manager's key. */
goffset
ui_fetch_size (const char *key)
{
  PgS3Client *client = pg_account_context_get_manager (pg_session_get_context (ui_window->session));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PgS3Object) object = NULL;

  pg_s3_client_head_object_async (client, ui_bucket, key, NULL, test_store_result, &result);
  ui_wait_until (is_set, &result, "the object's size");
  object = pg_s3_client_head_object_finish (client, result, NULL);

  return object != NULL ? (goffset) object->size : -1;
}

gboolean
ui_lockdown_is (gpointer wanted)
{
  GtkSwitch *toggle = GTK_SWITCH (ui_child (ui_window, PG_TYPE_WINDOW, "lockdown_switch"));

  return gtk_switch_get_state (toggle) == GPOINTER_TO_INT (wanted)
         && gtk_widget_get_sensitive (GTK_WIDGET (toggle));
}

void
ui_select_file (const char *key)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ui_child (ui_window, PG_TYPE_WINDOW, "files_view"));
  GtkSingleSelection *selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (selection)); i++)
    {
      g_autoptr(PgObjectItem) item = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_str_equal (pg_object_item_get_key (item), key))
        {
          gtk_single_selection_set_selected (selection, i);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

/* A download link for @key, made in the dialog as a person would. */
PgLink *
ui_make_download_link (const char *key)
{
  GtkWidget *dialog;

  ui_select_file (key);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-download-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  dialog = ui_find_toplevel (PG_TYPE_LINK_DIALOG);
  ui_click (ui_child (dialog, PG_TYPE_LINK_DIALOG, "create_button"));
  ui_wait_until (ui_toplevel_gone, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the dialog to close");

  return ui_newest_link ();
}

/* The visible message dialog whose heading starts with @start. */
AdwMessageDialog *
ui_find_question (const char *start)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel))
          && g_str_has_prefix (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (toplevel)),
                               start))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

gboolean
ui_question_shown (gpointer start)
{
  return ui_find_question (start) != NULL;
}

gboolean
ui_service_idle (gpointer data)
{
  return !pg_link_service_get_busy (pg_application_get_link_service (ui_app));
}

static void
prepare_bucket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (g_getenv ("PG_TEST_S3_ENDPOINT"), "us-east-1",
                                                    TRUE, &error);
  g_autoptr(PgCredentials) owner = pg_credentials_new ("OWNERKEY", "OWNERSECRET", NULL, NULL, NULL);
  g_autoptr(PgS3Client) client = pg_s3_client_new (endpoint, owner, NULL);
  g_autoptr(GAsyncResult) created = NULL;
  static const char *keys[] = { "report 2026.pdf", "contract.pdf", "memo.pdf", "lifetime.pdf",
                                "keys.pdf", "mail.pdf", "widths.pdf", "armed.pdf",
                                "watched.pdf", "lockdown.pdf", "activity.pdf", "limited.pdf",
                                "invoice\u202Efdp.exe" };
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  int fd;

  g_assert_no_error (error);
  ui_bucket = g_strdup_printf ("ui-test-%08x", g_random_int ());
  pg_s3_client_create_bucket_async (client, ui_bucket, NULL, test_store_result, &created);
  ui_wait_until (is_set, &created, "the bucket");
  g_assert_true (pg_s3_client_create_bucket_finish (client, created, &error));

  /* A file of this run's own: two runs at once must not share it. */
  fd = g_file_open_tmp ("test-ui-report-XXXXXX.pdf", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "%PDF-1.4 report", -1, NULL));
  file = g_file_new_for_path (path);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GAsyncResult) uploaded = NULL;

      pg_s3_client_put_object_async (client, ui_bucket, keys[i], file, "application/pdf", NULL,
                                     NULL, NULL, test_store_result, &uploaded);
      ui_wait_until (is_set, &uploaded, "the upload");
      g_assert_true (pg_s3_client_put_object_finish (client, uploaded, &error));
    }
  g_unlink (path);

  /* With STS: the role whose sessions sign links one by one. */
  if (g_getenv ("PG_TEST_STS_ENDPOINT") != NULL)
    {
      g_autoptr(GAsyncResult) set_up = NULL;

      pg_signer_role_setup_async (client, "ui-test-links", "arn:aws:iam:::user/owner:presign",
                                  ui_bucket, NULL, test_store_result, &set_up);
      ui_wait_until (is_set, &set_up, "the signing role");
      ui_role_arn = pg_signer_role_setup_finish (set_up, &error);
      g_assert_no_error (error);
    }
}


/* Sets up the run before the tests: a profile of its own, the bucket, and the app with its
 * window. Without a gateway to run against it says so and returns FALSE. */
/* ---- A notification server ------------------------------------------------------------ */

static const char notifications_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
  "      <arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
notifications_method (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *path,
                      const char            *interface,
                      const char            *method,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_str_equal (method, "Notify"))
    {
      const char *summary;
      const char *body;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (ui_notifications, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(u)", ui_notifications->len));
    }
  else if (g_str_equal (method, "GetCapabilities"))
    {
      g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(['body'],)"));
    }
  else if (g_str_equal (method, "GetServerInformation"))
    {
      g_dbus_method_invocation_return_value (invocation,
                                             g_variant_new ("(ssss)", "test", "test", "1", "1.2"));
    }
  else
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

/* The desktop's notification server (org.freedesktop.Notifications, which GIO's notifications
 * reach outside a sandbox): each notification is kept in ui_notifications. */
static void
serve_notifications (void)
{
  static const GDBusInterfaceVTable vtable = { notifications_method, NULL, NULL, { 0 } };
  g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  static gboolean owned;

  g_assert_nonnull (node);
  g_assert_nonnull (bus);
  ui_notifications = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpuint (g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications",
                                                       node->interfaces[0], &vtable, NULL, NULL,
                                                       NULL), >, 0);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications",
                                G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired, NULL, &owned, NULL);
  ui_wait_until (is_true, &owned, "the notification server's name");
}

/* Whether the app sent a notification that reads @text ("title\nbody"). */
gboolean
ui_notified (gpointer text)
{
  for (guint i = 0; i < ui_notifications->len; i++)
    if (g_str_equal (g_ptr_array_index (ui_notifications, i), text))
      return TRUE;

  return FALSE;
}

gboolean
ui_init (int    *argc,
         char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;

  if (g_getenv ("PG_TEST_S3_ENDPOINT") == NULL)
    {
      g_printerr ("test-ui needs PG_TEST_S3_ENDPOINT (run it through tests/with-s3-server.sh)\n");
      return FALSE;
    }

  /* A profile of its own: settings, links and a file keyring in a fresh folder. */
  home = g_dir_make_tmp ("test-ui-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CONFIG_HOME", home, TRUE);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_setenv ("SECRET_BACKEND", "file", TRUE);
  {
    g_autofree char *keyring = g_build_filename (home, "keyring", NULL);

    g_setenv ("SECRET_FILE_TEST_PATH", keyring, TRUE);
  }
  g_setenv ("SECRET_FILE_TEST_PASSWORD", "test", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  {
    g_autofree char *aws = g_build_filename (home, "aws-credentials", NULL);

    g_file_set_contents (aws, "[local]\naws_access_key_id = OWNERKEY\n"
                              "aws_secret_access_key = OWNERSECRET\n", -1, NULL);
    g_setenv ("AWS_SHARED_CREDENTIALS_FILE", aws, TRUE);
    g_setenv ("AWS_CONFIG_FILE", "/nonexistent", TRUE);
  }
  /* English, unless screenshots are made in another language, or PG_TEST_LANGUAGE names one. */
  if (g_getenv ("PG_TEST_LANGUAGE") != NULL)
    g_setenv ("LANGUAGE", g_getenv ("PG_TEST_LANGUAGE"), TRUE);
  else if (g_getenv ("PG_SCREENSHOT_DIR") == NULL)
    g_setenv ("LANGUAGE", "C", TRUE);

  g_test_init (argc, argv, NULL);
  gtk_init ();
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("PRESIGN_GUARD_LOCALEDIR")
                                   ? g_getenv ("PRESIGN_GUARD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  adw_init ();

  http = soup_session_new ();
  prepare_bucket ();

  /* The session bus here has no notification server: the tests are one, and keep what the app
   * sends. */
  serve_notifications ();
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    /* Links are revoked with their file unless a test asks for private copies. */
    g_settings_set_uint (settings, "private-copy-limit", 0);
  }

  ui_app = pg_application_new ();
  g_application_set_flags (G_APPLICATION (ui_app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (ui_app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (ui_app));
  ui_window = PG_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (ui_app)));
  g_assert_nonnull (ui_window);

  return TRUE;
}

void
ui_shutdown (void)
{
  gtk_window_destroy (GTK_WINDOW (ui_window));
  g_clear_object (&ui_app);
  g_clear_object (&http);
}

/* Whether the chooser has @data's file selected (it selects it once its folder is read). */
static gboolean
chooser_selects (gpointer data)
{
  gpointer *pair = data;
  g_autoptr(GFile) selected = gtk_file_chooser_get_file (pair[0]);

  return selected != NULL && g_file_equal (selected, pair[1]);
}

/* Answers the file chooser the window opened (a GtkFileChooserNative is a dialog of GTK's own
 * without a portal) as a user would, once it selects @file. */
static void
accept_when_selected (GtkWidget *dialog,
                      GFile     *file)
{
  gpointer pair[] = { dialog, file };

  ui_wait_until (chooser_selects, pair, "the chooser to select the file");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static GtkWidget *
chooser (void)
{
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG),
                 "the file chooser");

  return ui_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
}

/* The file chooser, answered with @file (a file or a folder) chosen. */
void
ui_choose_file (GFile *file)
{
  GtkWidget *dialog = chooser ();

  g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, NULL));
  accept_when_selected (dialog, file);
}

/* The file chooser of a file to save, answered with @name typed in @folder, where it starts
 * (the working folder: the test's own). */
void
ui_choose_name (GFile      *folder,
                const char *name)
{
  g_autoptr(GFile) target = g_file_get_child (folder, name);
  GtkWidget *dialog = chooser ();

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  accept_when_selected (dialog, target);
}

/* The widget under @widget named @name (gtk_widget_set_name()), for windows not made from a
 * template. */
GtkWidget *
ui_named (gpointer    widget,
          const char *name)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();

  ui_find_widgets (GTK_WIDGET (widget), GTK_TYPE_WIDGET, all);
  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (gtk_widget_get_name (g_ptr_array_index (all, i)), name) == 0)
      return g_ptr_array_index (all, i);

  g_error ("no widget named %s", name);
}
