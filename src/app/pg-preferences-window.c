/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-preferences-window"

#include "config.h"

#include "pg-application.h"
#include "pg-preferences-window.h"
#include "pg-toolkit.h"

/* Preferences: the defaults of new links and notifications, bound to GSettings. */

static const guint expiry_presets[] = { 3600, 86400, 3 * 86400, 7 * 86400 };

struct _PgPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  AdwComboRow          *expiry_row;
  AdwEntryRow          *pattern_row;
  GtkSwitch            *strict_switch;
  GtkSpinButton        *copy_limit_spin;
  GtkSwitch            *notifications_switch;
};

G_DEFINE_FINAL_TYPE (PgPreferencesWindow, pg_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The presets offered for a link's lifetime: 1 hour, 1 day, 3 days, 7 days. */
guint
pg_expiry_index_to_seconds (guint index)
{
  return expiry_presets[MIN (index, G_N_ELEMENTS (expiry_presets) - 1)];
}

/* The preset closest to @seconds without exceeding it (the shortest one at least). */
guint
pg_expiry_seconds_to_index (guint seconds)
{
  guint index = 0;

  for (guint i = 0; i < G_N_ELEMENTS (expiry_presets); i++)
    {
      if (expiry_presets[i] <= seconds)
        index = i;
    }

  return index;
}

static gboolean
seconds_to_index (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  g_value_set_uint (value, pg_expiry_seconds_to_index (g_variant_get_uint32 (variant)));

  return TRUE;
}

static GVariant *
index_to_seconds (const GValue       *value,
                  const GVariantType *type,
                  gpointer            user_data)
{
  return g_variant_new_uint32 (pg_expiry_index_to_seconds (g_value_get_uint (value)));
}

GtkWindow *
pg_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (PG_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
}

static void
pg_preferences_window_dispose (GObject *object)
{
  PgPreferencesWindow *self = PG_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), PG_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (pg_preferences_window_parent_class)->dispose (object);
}

static void
pg_preferences_window_class_init (PgPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pg_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PgPreferencesWindow, expiry_row);
  gtk_widget_class_bind_template_child (widget_class, PgPreferencesWindow, pattern_row);
  gtk_widget_class_bind_template_child (widget_class, PgPreferencesWindow, strict_switch);
  gtk_widget_class_bind_template_child (widget_class, PgPreferencesWindow, copy_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, PgPreferencesWindow, notifications_switch);
}

static void
pg_preferences_window_init (PgPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pg_accessible_fix_names (GTK_WIDGET (self));
  pg_tooltips_fit (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind_with_mapping (self->settings, "default-expiry", self->expiry_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, seconds_to_index, index_to_seconds,
                                NULL, NULL);
  g_settings_bind (self->settings, "upload-key-pattern", self->pattern_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "strict-upload", self->strict_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "private-copy-limit", self->copy_limit_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "notifications", self->notifications_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}
