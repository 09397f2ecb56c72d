/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-details"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pg-application.h"
#include "pg-link-details.h"
#include "pg-link-dialog.h"
#include "pg-link-row.h"
#include "pg-received.h"
#include "pg-text.h"
#include "pg-toolkit.h"

/* "Details" of a link: everything it says about itself, what was done with it, the URL for
 * those who want to see it, and, for upload links, the commands a partner runs. */

/* The most requests listed; the rest are in the CSV export. */
#define MAX_ACTIVITY_ROWS 100

/* A URL or a command, as it is: monospace, selectable, broken anywhere without hyphens (a
 * hyphen would read as part of the URL), its full height from the first frame. */
static GtkWidget *
text_block (const char *text,
            const char *name)
{
  GtkWidget *label = gtk_label_new (text);
  PangoAttrList *attributes = pango_attr_list_new ();

  pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (GTK_LABEL (label), attributes);
  pango_attr_list_unref (attributes);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_set_margin_start (label, 10);
  gtk_widget_set_margin_end (label, 10);
  gtk_widget_add_css_class (label, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);

  {
    GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    gtk_widget_add_css_class (card, "card");
    gtk_box_append (GTK_BOX (card), label);

    return card;
  }
}

static void
add_fact (AdwPreferencesGroup *group,
          const char          *title,
          const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  /* Keys and file names are shown as they are, never read as markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  adw_preferences_group_add (group, row);
}

/* A received file's Open or Save As…, done by the main window (which goes on when the details
 * close): the key and the partner's name ride on the button. */
static void
file_button_clicked (GtkButton *button,
                     GtkWindow *details)
{
  GtkWindow *parent = gtk_window_get_transient_for (details);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent),
                                g_object_get_data (G_OBJECT (button), "action"), "(ss)",
                                g_object_get_data (G_OBJECT (button), "key"),
                                g_object_get_data (G_OBJECT (button), "name"));
}

static GtkWidget *
file_button (GtkWindow            *details,
             const char           *icon,
             const char           *label,
             const char           *action,
             const PgReceivedFile *file)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);
  g_autofree char *spoken = g_strdup_printf ("%s: %s", label, file->name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
  g_object_set_data (G_OBJECT (button), "action", (gpointer) action);
  g_object_set_data_full (G_OBJECT (button), "key", g_strdup (file->key), g_free);
  g_object_set_data_full (G_OBJECT (button), "name", g_strdup (file->name), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (file_button_clicked), details);

  return button;
}

/* What partners sent through the link: each file under its partner's name, its size and when it
 * came, to open or save. */
static AdwPreferencesGroup *
received_group (GtkWindow *details,
                PgLink    *link)
{
  GPtrArray *files = pg_link_get_received (link);
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *title = pg_link_describe_received (link);

  adw_preferences_group_set_title (group, title);
  for (guint i = files->len; i > 0; i--)
    {
      PgReceivedFile *file = g_ptr_array_index (files, i - 1);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *size = g_format_size (file->size);
      g_autofree char *when = pg_format_local_time (file->time, FALSE);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s", size, when);
      g_autofree char *name = pg_text_sanitize (file->name);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 file_button (details, "document-open-symbolic", _("Open"),
                                              "win.open-file-as", file));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 file_button (details, "document-save-as-symbolic",
                                              _("Save As…"), "win.save-file-as", file));
      adw_preferences_group_add (group, row);
    }

  return group;
}

/* The main window exports the link's activity (it goes on when the details close). */
static void
export_clicked (GtkButton *button,
                GtkWindow *details)
{
  GtkWindow *parent = gtk_window_get_transient_for (details);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.export-activity", "s",
                                g_object_get_data (G_OBJECT (button), "link-id"));
}

/* The main window keeps the link's choice. */
static void
notify_use_toggled (GtkSwitch  *toggle,
                    GParamSpec *pspec,
                    GtkWindow  *details)
{
  GtkWindow *parent = gtk_window_get_transient_for (details);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.notify-link-use", "(sb)",
                                g_object_get_data (G_OBJECT (toggle), "link-id"),
                                gtk_switch_get_active (toggle));
}

/* What was done with the link, newest first, as the watchers wrote it into its bucket: when (in
 * the desktop's time zone), what, from where, how much; whether its use is told; the whole of
 * it as CSV. */
static AdwPreferencesGroup *
activity_group (GtkWindow *details,
                PgLink    *link)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  const PgActivity *activity = pg_link_get_activity (link);
  g_autofree char *summary = pg_link_describe_activity (link);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  guint shown = 0;

  adw_preferences_group_set_title (group, _("Activity"));
  adw_preferences_group_set_description (group, summary != NULL
                                                ? summary
                                                : _("Not read from the bucket yet."));
  if (activity != NULL && activity->events->len > 0)
    {
      GtkWidget *export = gtk_button_new_with_mnemonic (_("_Export…"));

      gtk_widget_set_valign (export, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (export, _("Save every request as a CSV file"));
      gtk_widget_set_name (export, "export_activity");
      g_object_set_data_full (G_OBJECT (export), "link-id", g_strdup (pg_link_get_id (link)),
                              g_free);
      g_signal_connect (export, "clicked", G_CALLBACK (export_clicked), details);
      adw_preferences_group_set_header_suffix (group, export);
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Tell me when it is used"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               _("A tried link that was revoked, blocked or expired is always "
                                 "told."));
  gtk_switch_set_active (GTK_SWITCH (toggle), pg_link_get_notify_use (link));
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_name (toggle, "notify_use_switch");
  g_object_set_data_full (G_OBJECT (toggle), "link-id", g_strdup (pg_link_get_id (link)), g_free);
  g_signal_connect (toggle, "notify::active", G_CALLBACK (notify_use_toggled), details);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  adw_preferences_group_add (group, row);

  for (guint i = activity != NULL ? activity->events->len : 0;
       i > 0 && shown < MAX_ACTIVITY_ROWS; i--, shown++)
    {
      const PgActivityEvent *event = g_ptr_array_index (activity->events, i - 1);
      g_autofree char *when = pg_format_local_time (event->time, FALSE);
      g_autofree char *what = pg_activity_event_describe (event);
      g_autofree char *agent = event->user_agent ? pg_text_sanitize (event->user_agent) : NULL;
      GtkWidget *line = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (line), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (line), what);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (line), when);
      if (agent != NULL)
        gtk_widget_set_tooltip_text (line, agent);
      if (event->kind == PG_ACTIVITY_REFUSED)
        gtk_widget_add_css_class (line, "warning");
      adw_preferences_group_add (group, line);
    }
  if (activity != NULL && activity->events->len > shown)
    {
      guint more = activity->events->len - shown;
      g_autofree char *words = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u older request is in the export",
                                                             "%u older requests are in the export",
                                                             more), more);

      add_fact (group, words, NULL);
    }
  if (activity != NULL && activity->dropped > 0)
    {
      g_autofree char *words = pg_activity_describe_dropped (activity);

      add_fact (group, words, NULL);
    }

  return group;
}

/* The main window's Restore, for this link; the details close, the row shows the rest. */
static void
restore_clicked (GtkButton *button,
                 GtkWindow *details)
{
  GtkWindow *parent = gtk_window_get_transient_for (details);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.unrevoke-link", "s",
                                g_object_get_data (G_OBJECT (button), "link-id"));
  gtk_window_destroy (details);
}

/* The main window arms (or disarms) the link: its record says so, for the watchers. */
static void
arm_toggled (GtkSwitch  *toggle,
             GParamSpec *pspec,
             GtkWindow  *details)
{
  GtkWindow *parent = gtk_window_get_transient_for (details);

  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.arm-link", "(sbx)",
                                g_object_get_data (G_OBJECT (toggle), "link-id"),
                                gtk_switch_get_active (toggle),
                                (gint64) PG_LINK_DEFAULT_GRACE);
}

/**
 * pg_link_details_new:
 * @url: what the partner receives (for an upload page, the page)
 * @upload_urls: (nullable): an upload page's own upload links, one per file
 */
GtkWindow *
pg_link_details_new (GtkWindow          *parent,
                     PgLink             *link,
                     const char         *url,
                     const char * const *upload_urls)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *facts = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *address = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *signed_at = pg_format_local_time (pg_link_get_signed_at (link), TRUE);
  g_autofree char *expires_at = pg_format_local_time (pg_link_get_expires_at (link), TRUE);

  gtk_window_set_title (GTK_WINDOW (window), _("Link Details"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  pg_close_on_escape (GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 640);

  add_fact (facts, _("Kind"), pg_link_get_page_key (link) ? _("Upload page")
                              : pg_link_is_upload (link) ? _("Upload link") : _("Download link"));
  add_fact (facts, _("File"), pg_link_get_file_key (link));
  if (pg_link_get_copy_of (link) != NULL)
    add_fact (facts, _("Private copy"), pg_link_get_key (link));
  add_fact (facts, _("Bucket"), pg_link_get_bucket (link));
  add_fact (facts, _("State"),
            pg_link_state_describe (pg_link_get_state_at (link,
                                                          g_get_real_time () / G_USEC_PER_SEC)));
  add_fact (facts, _("Signed"), signed_at);
  add_fact (facts, _("Valid until"), expires_at);
  add_fact (facts, _("Signing key"), pg_link_get_access_key_id (link));
  add_fact (facts, _("Revoking"), pg_link_describe_revoking (link));
  if (pg_link_is_upload (link))
    add_fact (facts, _("Single use"), pg_link_get_if_none_match (link) ? _("Yes") : _("No"));
  /* A working link not used yet: armed or disarmed from here (the window keeps it so). */
  if (pg_link_get_page_key (link) == NULL && pg_link_get_used_at (link) == 0
      && pg_link_get_state_at (link, g_get_real_time () / G_USEC_PER_SEC) == PG_LINK_ACTIVE)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     pg_link_is_upload (link)
                                     ? _("Close after the upload")
                                     : _("Close after the first download"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   pg_link_dialog_arming_words (pg_link_is_upload (link)));
      gtk_switch_set_active (GTK_SWITCH (toggle),
                             pg_link_get_arming (link) != PG_LINK_ARMING_NONE);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_widget_set_name (toggle, "arm_switch");
      g_object_set_data_full (G_OBJECT (toggle), "link-id", g_strdup (pg_link_get_id (link)),
                              g_free);
      g_signal_connect (toggle, "notify::active", G_CALLBACK (arm_toggled), window);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_group_add (facts, row);
    }
  else if (pg_link_get_arming (link) != PG_LINK_ARMING_NONE)
    {
      g_autofree char *used = pg_link_describe_use (link);

      add_fact (facts, _("Closes after first use"),
                pg_link_get_arming (link) == PG_LINK_ARMING_UPLOAD
                ? _("After the upload") : _("After the first download"));
      if (used != NULL)
        add_fact (facts, _("Used"), used);
    }
  if (pg_link_get_filename (link) != NULL)
    add_fact (facts, _("Saved by the partner as"), pg_link_get_filename (link));
  if (pg_link_get_n_received (link) > 0)
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), received_group (GTK_WINDOW (window),
                                                                            link));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), facts);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), activity_group (GTK_WINDOW (window),
                                                                          link));

  adw_preferences_group_set_title (address, upload_urls ? _("Page for the Partner")
                                                        : _("Presigned URL"));
  adw_preferences_group_add (address, text_block (url, adw_preferences_group_get_title (address)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), address);

  /* An upload page: each file's own upload link, with instructions for a program. */
  for (guint i = 0; upload_urls && upload_urls[i] != NULL; i++)
    {
      AdwPreferencesGroup *upload = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      g_autofree char *title = g_strdup_printf (_("Upload %u: %s"), i + 1,
                                                pg_link_get_upload_keys (link)[i]);
      g_autofree char *instructions = pg_link_partner_instructions (link, upload_urls[i]);
      g_autofree char *block = g_strdup_printf ("%s\n\n%s", upload_urls[i], instructions);

      adw_preferences_group_set_title (upload, title);
      adw_preferences_group_add (upload, text_block (block, title));
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), upload);
    }

  if (pg_link_is_upload (link) && upload_urls == NULL)
    {
      AdwPreferencesGroup *how = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      g_autofree char *instructions = pg_link_partner_instructions (link, url);

      adw_preferences_group_set_title (how, _("Instructions for the Partner"));
      adw_preferences_group_add (how, text_block (instructions,
                                                  adw_preferences_group_get_title (how)));
      adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), how);
    }

  {
    GtkWidget *header = adw_header_bar_new ();
    gint64 now = g_get_real_time () / G_USEC_PER_SEC;

    /* A revoked link that would still live can be restored from here too. */
    if (pg_link_can_restore (link, now))
      {
        GtkWidget *restore = gtk_button_new_with_label (_("Restore"));

        gtk_widget_set_tooltip_text (restore, _("Make this link work again"));
        pg_tooltips_fit (restore);
        gtk_accessible_update_property (GTK_ACCESSIBLE (restore), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Restore"), -1);
        gtk_widget_add_css_class (restore, "suggested-action");
        g_object_set_data_full (G_OBJECT (restore), "link-id", g_strdup (pg_link_get_id (link)),
                                g_free);
        g_signal_connect (restore, "clicked", G_CALLBACK (restore_clicked), window);
        adw_header_bar_pack_start (ADW_HEADER_BAR (header), restore);
      }
    gtk_box_append (GTK_BOX (box), header);
  }
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);

  return GTK_WINDOW (window);
}
