/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pg-application.h"
#include "pg-session.h"
#include "pg-keyring.h"
#include "pg-preferences-window.h"
#include "pg-toolkit.h"
#include "pg-window.h"

/* The application keeps what outlives a window: the account (its non-secret part in a key
 * file, its secrets in the keyring), the link service (the remembered links and the work on
 * them) and the one HTTP session. While the service is busy — a revocation being proven, an
 * upload, a save — the application stays up, even with no window left. */

struct _PgApplication
{
  AdwApplication  parent_instance;

  GPtrArray      *accounts;
  PgLinkService  *links;
  gboolean        held;
  SoupSession    *soup_session;
  char           *accounts_path;
};

G_DEFINE_FINAL_TYPE (PgApplication, pg_application, ADW_TYPE_APPLICATION)

enum {
  ACCOUNT_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

PgApplication *
pg_application_new (void)
{
  return g_object_new (PG_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/presignguard/PresignGuard",
                       NULL);
}

PgLinkService *
pg_application_get_link_service (PgApplication *self)
{
  return self->links;
}

SoupSession *
pg_application_get_soup_session (PgApplication *self)
{
  return self->soup_session;
}

/* The account the window works with: the first (and, for now, only) one. */
PgAccount *
pg_application_get_account (PgApplication *self)
{
  return self->accounts->len > 0 ? g_ptr_array_index (self->accounts, 0) : NULL;
}

static void
on_busy_changed (PgApplication *self)
{
  gboolean busy = pg_link_service_get_busy (self->links);

  if (busy == self->held)
    return;

  self->held = busy;
  if (busy)
    g_application_hold (G_APPLICATION (self));
  else
    g_application_release (G_APPLICATION (self));
}

/* The last window went: uploads it started are abandoned (cleanly: a multipart upload is
 * aborted on the server); policy changes are carried to their end. */
static void
on_window_removed (PgApplication *self)
{
  if (gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
    pg_link_service_cancel_uploads (self->links);
}

static void
links_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PgApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Nothing is lost on error: the message says where the old file was kept. */
  if (!pg_link_service_load_finish (PG_LINK_SERVICE (source), result, &error))
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

      g_warning ("%s", error->message);
      if (PG_IS_WINDOW (window))
        pg_window_show_toast (PG_WINDOW (window), error->message);
    }
}

typedef struct
{
  PgAccount *account;
  char      *manager_token;
  char      *signer_secret;
  gboolean   token_pending;
  gboolean   signer_pending;
} SaveAccount;

static void
save_account_free (SaveAccount *save)
{
  g_clear_object (&save->account);
  if (save->signer_secret != NULL)
    pg_keyring_secret_free (save->signer_secret);
  if (save->manager_token != NULL)
    pg_keyring_secret_free (save->manager_token);
  g_free (save);
}

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  PgApplication *self;
  SaveAccount *save;

  if (!pg_keyring_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self = g_task_get_source_object (task);
  save = g_task_get_task_data (task);

  /* Temporary credentials: the session token is a secret as well. */
  if (save->token_pending)
    {
      g_autofree char *label = g_strdup_printf (_("Presign Guard session token of %s"),
                                                pg_account_get_manager_key_id (save->account));
      GCancellable *cancellable = g_task_get_cancellable (task);

      save->token_pending = FALSE;
      pg_keyring_store_async (pg_account_get_id (save->account), "manager-token", label,
                              save->manager_token, cancellable, secret_stored_cb,
                              g_steal_pointer (&task));
      return;
    }

  if (save->signer_pending)
    {
      g_autofree char *label = g_strdup_printf (_("Presign Guard signing key %s"),
                                                pg_account_get_signer_key_id (save->account));
      GCancellable *cancellable = g_task_get_cancellable (task);

      save->signer_pending = FALSE;
      pg_keyring_store_async (pg_account_get_id (save->account), "signer", label,
                              save->signer_secret, cancellable, secret_stored_cb,
                              g_steal_pointer (&task));
      return;
    }

  /* One account for now: a new one replaces the old. */
  g_ptr_array_set_size (self->accounts, 0);
  g_ptr_array_add (self->accounts, g_object_ref (save->account));
  if (!pg_accounts_save (self->accounts_path, self->accounts, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_signal_emit (self, signals [ACCOUNT_CHANGED], 0);
  g_task_return_boolean (task, TRUE);
}

/**
 * pg_application_save_account_async:
 * @manager_secret: the managing secret key; goes to the keyring only
 * @manager_token: (nullable): the session token of temporary managing credentials
 * @signer_secret: (nullable): the signing secret key, for an account with a separate signer
 *
 * Stores the secrets in the keyring, then the account, and makes it the current one.
 */
void
pg_application_save_account_async (PgApplication       *self,
                                   PgAccount           *account,
                                   const char          *manager_secret,
                                   const char          *manager_token,
                                   const char          *signer_secret,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SaveAccount *save = g_new0 (SaveAccount, 1);
  g_autofree char *label = g_strdup_printf (_("Presign Guard key %s"),
                                            pg_account_get_manager_key_id (account));

  g_task_set_source_tag (task, pg_application_save_account_async);
  save->account = g_object_ref (account);
  save->signer_pending = pg_account_has_separate_signer (account) && signer_secret != NULL;
  save->signer_secret = g_strdup (signer_secret);
  save->token_pending = manager_token != NULL && *manager_token != '\0';
  save->manager_token = g_strdup (manager_token);
  g_task_set_task_data (task, save, (GDestroyNotify) save_account_free);

  pg_keyring_store_async (pg_account_get_id (account), "manager", label, manager_secret,
                          cancellable, secret_stored_cb, task);
}

gboolean
pg_application_save_account_finish (PgApplication  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
present_window (PgApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (pg_window_new (self));

  gtk_window_present (window);
}

static void
demo_saved_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pg_application_save_account_finish (PG_APPLICATION (source), result, &error))
    g_warning ("Could not set up the demo account: %s", error->message);
  else
    g_debug ("The demo account is saved, its keys in the keyring");
}

/* The demo profile: run-demo.sh starts a local S3 server and says so in the environment. With
 * no account yet, a demo account for it is made (its keys go to the keyring like any other). */
static void
maybe_create_demo_account (PgApplication *self)
{
  const char *endpoint = g_getenv ("PRESIGN_GUARD_DEMO_ENDPOINT");
  g_autoptr(PgAccount) account = NULL;
  PgAccountInfo info = {
    .name = _("Demo (local server)"),
    .endpoint_url = endpoint,
    .region = "us-east-1",
    .path_style = TRUE,
    .bucket = g_getenv ("PRESIGN_GUARD_DEMO_BUCKET"),
    .manager_key_id = g_getenv ("PRESIGN_GUARD_DEMO_MANAGER_KEY"),
    .signer_key_id = g_getenv ("PRESIGN_GUARD_DEMO_SIGNER_KEY"),
    .signer_arn = g_getenv ("PRESIGN_GUARD_DEMO_SIGNER_ARN"),
    .ops_log_path = g_getenv ("PRESIGN_GUARD_DEMO_OPS_LOG"),
  };

  if (endpoint == NULL || self->accounts->len > 0 || info.bucket == NULL
      || info.manager_key_id == NULL || g_getenv ("PRESIGN_GUARD_DEMO_MANAGER_SECRET") == NULL)
    return;

  g_debug ("Making the demo account for %s", endpoint);
  account = pg_account_new (&info);
  pg_application_save_account_async (self, account,
                                     g_getenv ("PRESIGN_GUARD_DEMO_MANAGER_SECRET"), NULL,
                                     g_getenv ("PRESIGN_GUARD_DEMO_SIGNER_SECRET"),
                                     NULL, demo_saved_cb, NULL);
}

static void
pg_application_activate (GApplication *app)
{
  present_window (PG_APPLICATION (app));
}

static void
pg_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  static const char *developers[] = { "The Presign Guard developers", NULL };
  PgApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("Presign Guard"),
                         "application-icon", APP_ID,
                         "developer-name", _("The Presign Guard developers"),
                         "version", PACKAGE_VERSION,
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "comments", _("Share files in S3 with links you can take back."),
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
pg_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
pg_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (pg_preferences_window_new (window));
}

static const GActionEntry app_actions[] = {
  { "about", pg_application_about_action },
  { "preferences", pg_application_preferences_action },
  { "quit", pg_application_quit_action },
};

/**
 * pg_application_notify:
 *
 * A desktop notification, unless the user turned them off in the preferences.
 */
void
pg_application_notify (PgApplication *self,
                       const char    *id,
                       const char    *title,
                       const char    *body)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GNotification) notification = NULL;

  if (!g_settings_get_boolean (settings, "notifications"))
    return;

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* What the link service says happened to a link reaches the desktop, with or without a
 * window; a link's own signing session is kept in the keyring (or forgotten) as it comes. */
static void
on_session_changed (PgApplication *self,
                    PgLink        *link,
                    PgCredentials *session)
{
  if (session != NULL)
    pg_session_keep_link_credentials (link, session);
  else
    pg_session_forget_link_credentials (link);
}

static void
on_link_problem (PgApplication *self,
                 PgLink        *link,
                 const char    *message)
{
  pg_application_notify (self, pg_link_get_id (link), _("A link needs attention"), message);
}

static void
on_link_closed_itself (PgApplication *self,
                       PgLink        *link)
{
  g_autofree char *text = pg_link_describe_closed_itself (link);

  pg_application_notify (self, pg_link_get_id (link), _("A link closed itself after use"), text);
}

/* A request made with a link: a try of a closed link is always told (a leak, perhaps), the
 * first download when the link says so ("Tell me when it is used"); an armed link tells its
 * closing instead, an upload link what arrived. */
static void
on_link_activity (PgApplication   *self,
                  PgLink          *link,
                  PgActivityEvent *event)
{
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;

  if (event->kind == PG_ACTIVITY_REFUSED)
    {
      text = pg_link_describe_tried (link, event);
      id = g_strconcat ("tried-", pg_link_get_id (link), NULL);
      pg_application_notify (self, id, _("A closed link was tried"), text);
    }
  else if (pg_link_is_first_download (link, event) && pg_link_get_notify_use (link)
           && pg_link_get_arming (link) == PG_LINK_ARMING_NONE)
    {
      text = pg_link_describe_downloaded (link, event);
      id = g_strconcat ("used-", pg_link_get_id (link), NULL);
      pg_application_notify (self, id, _("A link was used"), text);
    }
}

/* Files a partner sent, found by the app's own look (every minute, and on each refresh). */
static void
on_files_received (PgApplication *self,
                   PgLink        *link,
                   guint          n_new)
{
  g_autofree char *text = pg_link_describe_arrival (link, n_new);
  g_autofree char *id = g_strconcat ("received-", pg_link_get_id (link), NULL);

  pg_application_notify (self, id, _("Files received"), text);
}

static void
pg_application_startup (GApplication *app)
{
  PgApplication *self = PG_APPLICATION (app);
  g_autofree char *links_path = NULL;
  g_autoptr(GFile) links_file = NULL;
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (pg_application_parent_class)->startup (app);
  pg_toolkit_init ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]) { "<primary>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         (const char *[]) { "<primary>comma", NULL });

  /* No user agent of the session's: it would replace a request's own (see pg-s3-transport.c). */
  self->soup_session = soup_session_new_with_options ("timeout", 60, NULL);
  self->accounts_path = g_build_filename (g_get_user_config_dir (), "presign-guard",
                                          "accounts.ini", NULL);
  self->accounts = pg_accounts_load (self->accounts_path, &error);
  if (self->accounts == NULL)
    {
      g_warning ("Could not read the accounts: %s", error->message);
      self->accounts = g_ptr_array_new_with_free_func (g_object_unref);
    }

  links_path = g_build_filename (g_get_user_data_dir (), "presign-guard", "links.json", NULL);
  links_file = g_file_new_for_path (links_path);
  self->links = pg_link_service_new (links_file);
  g_signal_connect_object (self->links, "notify::busy", G_CALLBACK (on_busy_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->links, "session-changed", G_CALLBACK (on_session_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->links, "link-problem", G_CALLBACK (on_link_problem), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->links, "link-closed-itself",
                           G_CALLBACK (on_link_closed_itself), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->links, "files-received",
                           G_CALLBACK (on_files_received), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->links, "link-activity",
                           G_CALLBACK (on_link_activity), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "window-removed", G_CALLBACK (on_window_removed), NULL);
  pg_link_service_load_async (self->links, NULL, links_loaded_cb, g_object_ref (self));

  maybe_create_demo_account (self);
}

static void
pg_application_finalize (GObject *object)
{
  PgApplication *self = PG_APPLICATION (object);

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_object (&self->links);
  g_clear_object (&self->soup_session);
  g_free (self->accounts_path);

  G_OBJECT_CLASS (pg_application_parent_class)->finalize (object);
}

static void
pg_application_class_init (PgApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = pg_application_finalize;
  app_class->activate = pg_application_activate;
  app_class->startup = pg_application_startup;

  /* The current account was replaced: the window starts over with it. */
  signals [ACCOUNT_CHANGED] =
    g_signal_new ("account-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
pg_application_init (PgApplication *self)
{
}
