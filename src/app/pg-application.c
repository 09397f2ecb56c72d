/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pg-application.h"
#include "pg-window.h"

struct _PgApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (PgApplication, pg_application, ADW_TYPE_APPLICATION)

PgApplication *
pg_application_new (void)
{
  return g_object_new (PG_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/presignguard/PresignGuard",
                       NULL);
}

static void
pg_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (pg_window_new (PG_APPLICATION (app)));

  gtk_window_present (window);
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

static const GActionEntry app_actions[] = {
  { "about", pg_application_about_action },
  { "quit", pg_application_quit_action },
};

static void
pg_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (pg_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit",
                                         (const char *[]) { "<primary>q", NULL });
}

static void
pg_application_class_init (PgApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = pg_application_activate;
  app_class->startup = pg_application_startup;
}

static void
pg_application_init (PgApplication *self)
{
}
