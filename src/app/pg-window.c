/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-window"

#include "config.h"

#include "pg-window.h"

struct _PgWindow
{
  AdwApplicationWindow  parent_instance;

  AdwStatusPage        *welcome_page;
};

G_DEFINE_FINAL_TYPE (PgWindow, pg_window, ADW_TYPE_APPLICATION_WINDOW)

PgWindow *
pg_window_new (PgApplication *application)
{
  return g_object_new (PG_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static void
pg_window_class_init (PgWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PgWindow, welcome_page);
}

static void
pg_window_init (PgWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
