/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-row"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include <string.h>

#include "pg-link-row.h"
#include "pg-text.h"
#include "pg-toolkit.h"

/* One link in the list: what it is for, how long it has left, its state, and its buttons. The
 * buttons carry the link's id as the target of the window's actions. Where the row is narrow,
 * the small buttons give way to a menu with the same actions; Revoke always stays. No text of a
 * row wraps: a list of thousands of rows would pay for it in every frame.
 *
 * A row builds its widgets only once it comes into view. GTK 4.8's list view keeps some two
 * hundred rows around the ones on screen; the others stand in with the size a built row has
 * (all rows are alike: short lines that never wrap) and a name for screen readers. A row is
 * built after the list has been laid out and before the frame is painted (the frame clock lays
 * out again when widgets are added), so a row on screen is never seen empty. */

struct _PgLinkRow
{
  GtkWidget  parent_instance;

  PgLink    *link;
  gulong     notify_handler;
  guint      tick;

  GtkImage  *icon;
  GtkLabel  *title;
  GtkLabel  *subtitle;
  GtkLabel  *until;
  GtkLabel  *state;
  GtkSpinner *spinner;
  GtkButton *open_button;
  GtkButton *save_button;
  GtkButton *copy_button;
  GtkButton *mail_button;
  GtkButton *qr_button;
  GtkButton *details_button;
  GtkButton *remove_button;
  GtkButton *revoke_button;
  GtkMenuButton *more_button;
  GtkButton     *narrow_copy_button;
  GtkStack  *actions;
  guint      pick_actions;
  GtkBox    *layout;
  GtkWidget *actions_box;

  gboolean       built;
  gboolean       restorable;
  GdkFrameClock *clock;
  gulong         layout_handler;
};

/* The words of the buttons that show only an icon: their tooltips and the narrow row's menu.
 * Tooltips are made when asked for: in GTK 4.8 setting a tooltip's text asks the X server where
 * the pointer is, a round trip for each button of each row built. */
static const struct
{
  gsize       offset;
  const char *text;
} button_words[] = {
  { G_STRUCT_OFFSET (PgLinkRow, open_button), N_("Open the Received File") },
  { G_STRUCT_OFFSET (PgLinkRow, save_button), N_("Save the Received File As…") },
  { G_STRUCT_OFFSET (PgLinkRow, copy_button), N_("Copy Link") },
  { G_STRUCT_OFFSET (PgLinkRow, mail_button), N_("Send by E-mail") },
  { G_STRUCT_OFFSET (PgLinkRow, qr_button), N_("Show QR Code") },
  { G_STRUCT_OFFSET (PgLinkRow, details_button), N_("Details") },
  { G_STRUCT_OFFSET (PgLinkRow, remove_button), N_("Remove from the list") },
};

/* The size of every row, [stacked][orientation][minimum, natural]: the largest a built row of
 * that layout has asked for, given to all, built or not (-1 until a row has been measured). Rows differ a little —
 * a title in Japanese takes a taller font than one in Latin letters — and a list whose rows
 * change size as they build would lay itself out again and again in one frame. */
static int built_size[2][2][2] = { { { -1, -1 }, { -1, -1 } }, { { -1, -1 }, { -1, -1 } } };

/* A new font or text size: measured again from the next built row. */
static void
forget_sizes (void)
{
  memset (built_size, 0xff, sizeof built_size);
}

static void build (PgLinkRow *self);

G_DEFINE_FINAL_TYPE (PgLinkRow, pg_link_row, GTK_TYPE_WIDGET)

/* The link's file's name, or for an upload page the folder its files arrive in — with
 * direction overrides and controls written out, not obeyed. */
static char *
file_words (PgLink *link)
{
  const char *key = pg_link_get_file_key (link);
  const char *name = pg_link_key_basename (key);
  g_autofree char *what = pg_link_get_page_key (link) != NULL && name > key
                          ? g_strndup (key, name - key) : g_strdup (name);

  return pg_text_sanitize (what);
}

/* The row's title: whom the link is for, when the user said; else its file or folder. */
static char *
title_for_link (PgLink *link)
{
  if (pg_link_get_label (link) != NULL)
    return pg_text_sanitize (pg_link_get_label (link));

  return file_words (link);
}

static const char *
kind_words (PgLink *link)
{
  if (pg_link_get_page_key (link) != NULL)
    return _("Upload page");

  return pg_link_is_upload (link) ? _("Upload link") : _("Download link");
}

/* What a screen reader says for the row: the file, the kind of link, until when, the state. */
static void
update_spoken (PgLinkRow   *self,
               PgLinkState  state)
{
  g_autofree char *title = title_for_link (self->link);
  g_autofree char *end = pg_format_local_time (pg_link_get_expires_at (self->link), FALSE);
  /* Translators: a link row read aloud: file name, "Download link", "until" date, state */
  g_autofree char *spoken = g_strdup_printf (_("%s, %s, until %s, %s"), title,
                                             kind_words (self->link), end,
                                             pg_link_state_describe (state));
  GtkWidget *item = gtk_widget_get_parent (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
  /* GTK 4.8 gives a list's items no label of their own: the row speaks for its item. */
  if (item != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    spoken, -1);
}

/* What Revoke (or Restore) does, for its tooltip and screen readers. */
static const char *
revoke_words (gboolean restorable)
{
  return restorable ? _("Make this link work again") : _("Make this link stop working now");
}

static void
update (PgLinkRow *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  PgLinkState state;
  g_autofree char *left = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *until = NULL;
  g_autofree char *received = NULL;
  gboolean usable;
  gboolean restorable;

  if (self->link == NULL)
    return;

  state = pg_link_get_state_at (self->link, now);
  update_spoken (self, state);
  if (!self->built)
    return;

  left = pg_format_time_left (pg_link_get_expires_at (self->link) - now);
  /* The second line says what the link does, in words short enough never to be cut: a page
   * and how many files it takes, a link armed to close after its use and whether it has (who
   * and when go to the third line), or else the kind of link. */
  if (pg_link_get_page_key (self->link) != NULL)
    {
      guint n = g_strv_length ((char **) pg_link_get_upload_keys (self->link));
      g_autofree char *files = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file",
                                                             "up to %u files", n), n);

      subtitle = g_strdup_printf ("%s · %s", kind_words (self->link), files);
    }
  else if (pg_link_get_arming (self->link) != PG_LINK_ARMING_NONE)
    {
      subtitle = pg_link_describe_arming (self->link);
    }
  else
    {
      subtitle = g_strdup (kind_words (self->link));
    }
  gtk_label_set_label (self->subtitle, subtitle);

  /* The third line: who used an armed link and when, once somebody did; else what was done
   * with it, once its activity was read ("Downloaded 3 times · last 14:02", "Not used yet");
   * else until when, in words to the minute (with the time zone for whoever hovers). After
   * the file, when the row is titled by whom the link is for. */
  {
    g_autofree char *end = pg_format_local_time (pg_link_get_expires_at (self->link), FALSE);
    g_autofree char *activity = pg_link_describe_activity (self->link);
    /* Translators: the date and time a link ends, on a short line of its own */
    g_autofree char *text = g_strdup_printf (_("Until %s"), end);

    if (pg_link_get_used_at (self->link) != 0
        && pg_link_get_arming (self->link) != PG_LINK_ARMING_NONE)
      {
        g_free (text);
        text = pg_link_describe_user (self->link);
      }
    else if (activity != NULL)
      {
        g_free (text);
        text = g_steal_pointer (&activity);
      }
    if (pg_link_get_label (self->link) != NULL)
      {
        g_autofree char *what = file_words (self->link);
        g_autofree char *both = g_strdup_printf ("%s · %s", what, text);

        g_free (text);
        text = g_steal_pointer (&both);
      }
    gtk_label_set_label (self->until, text);
    /* The tooltip is made when asked for (query_until_tooltip); screen readers get its words
     * as the description, as gtk_widget_set_tooltip_text() would give them. Not that function
     * itself: in GTK 4.8 each call asks the X server where the pointer is, a round trip for
     * every row bound while scrolling. */
    until = pg_format_local_time (pg_link_get_expires_at (self->link), TRUE);
    tooltip = g_strdup_printf (_("Valid until %s"), until);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->until),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tooltip, -1);
  }

  received = pg_link_describe_received (self->link);
  /* What arrived, once something did: "Received 2 of 3 files · 2 days left", "Received ·
   * closed". A working link's state with the time it has left: "Active · 2 days left". */
  if (pg_link_describe_blocked (self->link, now) != NULL)
    {
      gtk_label_set_label (self->state, pg_link_describe_blocked (self->link, now));
    }
  else if (received != NULL && (state == PG_LINK_ACTIVE || state == PG_LINK_USED))
    {
      g_autofree char *text = g_strdup_printf ("%s · %s", received, left);

      gtk_label_set_label (self->state, text);
    }
  else if (received != NULL && pg_link_get_closed_at (self->link) != 0)
    {
      gtk_label_set_label (self->state, received);
    }
  else if (state == PG_LINK_ACTIVE || state == PG_LINK_USED)
    {
      g_autofree char *text = g_strdup_printf ("%s · %s", pg_link_state_describe (state), left);

      gtk_label_set_label (self->state, text);
    }
  else
    {
      gtk_label_set_label (self->state, pg_link_state_describe (state));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == PG_LINK_REVOKING);
  gtk_spinner_set_spinning (self->spinner, state == PG_LINK_REVOKING);

  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state), "dim-label");
  if (state == PG_LINK_REVOKED)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "success");
  else if (state == PG_LINK_REVOKE_UNVERIFIED || state == PG_LINK_DEAD_ON_ARRIVAL
           || pg_link_describe_blocked (self->link, now) != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "warning");
  else if (state != PG_LINK_ACTIVE)
    gtk_widget_add_css_class (GTK_WIDGET (self->state), "dim-label");

  usable = pg_link_is_usable (self->link, now);
  /* An upload link or page whose files have arrived: they are a click away. */
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), received != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->save_button), received != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->copy_button), usable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->narrow_copy_button), usable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mail_button), usable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->qr_button), usable);
  /* A revoked link can be restored for as long as it lives, not only from the toast's Undo. */
  restorable = pg_link_can_restore (self->link, now);
  gtk_button_set_label (self->revoke_button, restorable ? _("Restore") : _("Revoke"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->revoke_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, revoke_words (restorable),
                                  -1);
  self->restorable = restorable;
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->revoke_button),
                                  restorable ? "win.unrevoke-link" : "win.revoke-link");
  if (restorable)
    gtk_widget_remove_css_class (GTK_WIDGET (self->revoke_button), "destructive-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->revoke_button), "destructive-action");
  gtk_widget_set_sensitive (GTK_WIDGET (self->revoke_button),
                            restorable || (state != PG_LINK_REVOKING && state != PG_LINK_REVOKED
                                           && state != PG_LINK_EXPIRED));
  /* A link closed for good (expired, or revoked and no longer restorable, as a used
   * single-use upload link) has nothing to revoke or restore: no red button that does nothing. */
  gtk_widget_set_visible (GTK_WIDGET (self->revoke_button),
                          restorable || (state != PG_LINK_REVOKED && state != PG_LINK_EXPIRED));
  /* A link that works is revoked first; one that does not can go. */
  gtk_widget_set_visible (GTK_WIDGET (self->remove_button),
                          state == PG_LINK_REVOKED || state == PG_LINK_EXPIRED
                          || state == PG_LINK_DEAD_ON_ARRIVAL);
}

static void
menu_closed (GtkWidget *button)
{
  gtk_widget_set_has_tooltip (button, TRUE);
}

/* The narrow row's menu, made when it opens: the same actions as the buttons, for this link in
 * its current state. */
static void
create_more_menu (GtkMenuButton *button,
                  gpointer       user_data)
{
  PgLinkRow *self = user_data;
  g_autoptr(GMenu) menu = g_menu_new ();

  for (guint i = 0; i < G_N_ELEMENTS (button_words); i++)
    {
      GtkWidget *widget = G_STRUCT_MEMBER (GtkWidget *, self, button_words[i].offset);
      g_autoptr(GMenuItem) item = NULL;

      /* Copy stays beside the menu, not in it. */
      if (!gtk_widget_get_visible (widget) || !gtk_widget_get_sensitive (widget)
          || widget == GTK_WIDGET (self->copy_button))
        continue;
      item = g_menu_item_new (_(button_words[i].text), NULL);
      g_menu_item_set_action_and_target_value (
        item, gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)),
        gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget)));
      g_menu_append_item (menu, item);
    }
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));

  /* An open menu is not covered by its button's tooltip. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (button), FALSE);
  g_signal_handlers_disconnect_by_func (gtk_menu_button_get_popover (button), menu_closed,
                                        button);
  g_signal_connect_swapped (gtk_menu_button_get_popover (button), "closed",
                            G_CALLBACK (menu_closed), button);
}

static gboolean
query_button_tooltip (GtkWidget  *widget,
                      int         x,
                      int         y,
                      gboolean    keyboard,
                      GtkTooltip *tooltip,
                      const char *text)
{
  pg_tooltip_set_text (tooltip, _(text));

  return TRUE;
}

static gboolean
query_revoke_tooltip (GtkWidget  *widget,
                      int         x,
                      int         y,
                      gboolean    keyboard,
                      GtkTooltip *tooltip,
                      PgLinkRow  *self)
{
  pg_tooltip_set_text (tooltip, revoke_words (self->restorable));

  return TRUE;
}

static gboolean
query_title_tooltip (GtkWidget  *widget,
                     int         x,
                     int         y,
                     gboolean    keyboard,
                     GtkTooltip *tooltip,
                     PgLinkRow  *self)
{
  if (self->link == NULL)
    return FALSE;

  pg_tooltip_set_text (tooltip, pg_link_get_file_key (self->link));

  return TRUE;
}

static gboolean
query_until_tooltip (GtkWidget  *widget,
                     int         x,
                     int         y,
                     gboolean    keyboard,
                     GtkTooltip *tooltip,
                     PgLinkRow  *self)
{
  g_autofree char *until = NULL;
  g_autofree char *text = NULL;

  if (self->link == NULL)
    return FALSE;

  until = pg_format_local_time (pg_link_get_expires_at (self->link), TRUE);
  text = g_strdup_printf (_("Valid until %s"), until);
  pg_tooltip_set_text (tooltip, text);

  return TRUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  update (user_data);

  return G_SOURCE_CONTINUE;
}

static void
on_link_notify (PgLinkRow *self)
{
  update (self);
}

/* The parts of a built row that change only with its link. */
static void
show_link (PgLinkRow *self)
{
  PgLink *link = self->link;
  g_autofree char *title = title_for_link (link);
  GtkButton *buttons[] = { self->open_button, self->save_button, self->copy_button,
                           self->mail_button, self->qr_button, self->details_button,
                           self->remove_button, self->revoke_button, self->narrow_copy_button };
  static const char *actions[] = { "win.open-received", "win.save-received", "win.copy-link",
                                   "win.mail-link", "win.qr-link", "win.details-link",
                                   "win.remove-link", "win.revoke-link", "win.copy-link" };

  gtk_label_set_label (self->title, title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->title),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, pg_link_get_file_key (link), -1);
  gtk_image_set_from_icon_name (self->icon, pg_link_is_upload (link)
                                            ? "document-send-symbolic"
                                            : "folder-download-symbolic");
  /* Target first, then the action: a button never points at an action without its link. */
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "s", pg_link_get_id (link));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (buttons[i]), actions[i]);
    }
}

void
pg_link_row_set_link (PgLinkRow *self,
                      PgLink    *link)
{
  g_return_if_fail (PG_IS_LINK_ROW (self));

  if (self->link != NULL)
    {
      g_clear_signal_handler (&self->notify_handler, self->link);
      g_clear_object (&self->link);
    }

  if (link == NULL)
    return;

  self->link = g_object_ref (link);
  /* Any of the link's properties (state, arming, use) changes what the row says. */
  self->notify_handler = g_signal_connect_swapped (link, "notify",
                                                  G_CALLBACK (on_link_notify), self);
  if (self->built)
    show_link (self);
  update (self);
}

PgLink *
pg_link_row_get_link (PgLinkRow *self)
{
  return self->link;
}

GtkWidget *
pg_link_row_new (void)
{
  return g_object_new (PG_TYPE_LINK_ROW, NULL);
}

static void
setup_item (GtkListItemFactory *factory,
            GtkListItem        *item,
            gpointer            user_data)
{
  gtk_list_item_set_child (item, pg_link_row_new ());
}

static void
bind_item (GtkListItemFactory *factory,
           GtkListItem        *item,
           gpointer            user_data)
{
  pg_link_row_set_link (PG_LINK_ROW (gtk_list_item_get_child (item)),
                        gtk_list_item_get_item (item));
}

static void
unbind_item (GtkListItemFactory *factory,
             GtkListItem        *item,
             gpointer            user_data)
{
  pg_link_row_set_link (PG_LINK_ROW (gtk_list_item_get_child (item)), NULL);
}

/**
 * pg_link_row_factory_new:
 *
 * Rows for a list view of #PgLink items.
 */
GtkListItemFactory *
pg_link_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_item), NULL);

  return factory;
}

/* Below this width the row's small buttons give way to a menu, so the words keep their room. */
#define BUTTONS_FROM_WIDTH 600
/* Below this one the words need the whole width: the buttons go under them. */
#define SIDE_BY_SIDE_FROM_WIDTH 480

static const char *
actions_for_width (int width)
{
  return width >= BUTTONS_FROM_WIDTH ? "buttons" : "menu";
}

static gboolean
is_stacked (PgLinkRow *self)
{
  return gtk_orientable_get_orientation (GTK_ORIENTABLE (self->layout))
         == GTK_ORIENTATION_VERTICAL;
}

/* Wide: icon, words and a button for each action side by side; narrower: the same with Copy and
 * a menu; narrowest: the words across the whole row, so that a link's state is never cut
 * short, and under them Copy, the menu and Revoke. */
static void
fit_width (PgLinkRow *self,
           int        width)
{
  gboolean stacked = width < SIDE_BY_SIDE_FROM_WIDTH;

  gtk_stack_set_visible_child_name (self->actions, actions_for_width (width));
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->layout),
                                  stacked ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_box_set_spacing (self->layout, stacked ? 6 : 12);
  gtk_widget_set_halign (self->actions_box, stacked ? GTK_ALIGN_END : GTK_ALIGN_FILL);
  gtk_widget_set_visible (GTK_WIDGET (self->icon), !stacked);
}

static gboolean
fits_width (PgLinkRow *self,
            int        width)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->actions),
                    actions_for_width (width)) == 0
         && is_stacked (self) == (width < SIDE_BY_SIDE_FROM_WIDTH);
}

/* The width rows are fitted to: their list's (or their own, outside a list). Built or not,
 * every row of a list measures by the same width. */
static int
list_width (GtkWidget *row,
            int        width)
{
  GtkWidget *view = gtk_widget_get_ancestor (row, GTK_TYPE_LIST_VIEW);

  return view != NULL && gtk_widget_get_width (view) > 0 ? gtk_widget_get_width (view) : width;
}

static gboolean
pick_actions_cb (gpointer user_data)
{
  PgLinkRow *self = user_data;

  self->pick_actions = 0;
  fit_width (self, list_width (GTK_WIDGET (self), gtk_widget_get_width (GTK_WIDGET (self))));

  return G_SOURCE_REMOVE;
}

static void
pg_link_row_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  PgLinkRow *self = PG_LINK_ROW (widget);

  /* Stacked (the words across, the buttons under them) or not, as the list's width says: each
   * way has its size. */
  int width = list_width (widget, 0);
  int (*built)[2] = built_size[width > 0 && width < SIDE_BY_SIDE_FROM_WIDTH];

  /* The first row measured each way is built, to know the size of all: with its lines in
   * Latin letters and Japanese at once, as tall as any row will be. */
  if (built[orientation][0] < 0)
    {
      GtkLabel *lines[4];
      int height[2];

      build (self);
      built = built_size[is_stacked (self)];
      lines[0] = self->title, lines[1] = self->subtitle, lines[2] = self->until;
      lines[3] = self->state;
      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        gtk_label_set_label (lines[i], "Ag 見ぁ");
      gtk_widget_measure (gtk_widget_get_first_child (widget), GTK_ORIENTATION_VERTICAL, -1,
                          &height[0], &height[1], NULL, NULL);
      built[GTK_ORIENTATION_VERTICAL][0] = MAX (built[GTK_ORIENTATION_VERTICAL][0], height[0]);
      built[GTK_ORIENTATION_VERTICAL][1] = MAX (built[GTK_ORIENTATION_VERTICAL][1], height[1]);
      if (self->link != NULL)
        show_link (self);
      update (self);
    }

  if (!self->built)
    {
      *minimum = built[orientation][0];
      *natural = built[orientation][1];
      return;
    }

  /* No text of a row wraps: its height does not depend on its width. */
  gtk_widget_measure (gtk_widget_get_first_child (widget), orientation, for_size, minimum,
                      natural, minimum_baseline, natural_baseline);
  built = built_size[is_stacked (self)];
  *minimum = built[orientation][0] = MAX (*minimum, built[orientation][0]);
  *natural = built[orientation][1] = MAX (*natural, built[orientation][1]);
  *minimum_baseline = *natural_baseline = -1;
}

/* Which of the two fits is known only once the row has its width; the change waits for the
 * allocation to end (a row's width does not depend on it, so it settles at once). */
static void
pg_link_row_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  PgLinkRow *self = PG_LINK_ROW (widget);

  if (!self->built)
    return;

  gtk_widget_allocate (gtk_widget_get_first_child (widget), width, height, baseline, NULL);

  if (self->pick_actions == 0 && !fits_width (self, list_width (widget, width)))
    self->pick_actions = g_idle_add (pick_actions_cb, self);
}

/* What a row on screen does: count down. */
static void
start_showing (PgLinkRow *self)
{
  /* Only rows on screen count down. */
  if (self->tick == 0)
    self->tick = g_timeout_add_seconds (30, tick_cb, self);
}

static void
stop_watching (PgLinkRow *self)
{
  if (self->clock != NULL)
    g_clear_signal_handler (&self->layout_handler, self->clock);
  self->clock = NULL;
}

/* After each layout of the window, until the row is built: is it in view? */
static void
layout_cb (GdkFrameClock *clock,
           PgLinkRow     *self)
{
  GtkWidget *view = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLABLE);
  graphene_rect_t bounds;

  if (self->link == NULL || view == NULL
      || !gtk_widget_compute_bounds (GTK_WIDGET (self), view, &bounds))
    return;

  if (bounds.origin.y + bounds.size.height < 0
      || bounds.origin.y > gtk_widget_get_height (view))
    return;

  stop_watching (self);
  build (self);
}

static void
build (PgLinkRow *self)
{
  GtkWidget *view = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLABLE);

  if (self->built)
    return;

  self->built = TRUE;
  stop_watching (self);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->more_button, create_more_menu, self, NULL);
  /* The file's key and the end date with its time zone are made when a tooltip is asked for,
   * not for every link a row shows. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->title), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->until), TRUE);
  g_signal_connect (self->title, "query-tooltip", G_CALLBACK (query_title_tooltip), self);
  g_signal_connect (self->until, "query-tooltip", G_CALLBACK (query_until_tooltip), self);
  for (guint i = 0; i < G_N_ELEMENTS (button_words); i++)
    g_signal_connect (G_STRUCT_MEMBER (GtkWidget *, self, button_words[i].offset),
                      "query-tooltip", G_CALLBACK (query_button_tooltip),
                      (gpointer) button_words[i].text);
  g_signal_connect (self->more_button, "query-tooltip", G_CALLBACK (query_button_tooltip),
                    (gpointer) N_("More Actions"));
  g_signal_connect (self->narrow_copy_button, "query-tooltip",
                    G_CALLBACK (query_button_tooltip), (gpointer) N_("Copy Link"));

  g_signal_connect (self->revoke_button, "query-tooltip", G_CALLBACK (query_revoke_tooltip),
                    self);
  /* A row is as wide as its list: picked now, it comes on screen with the right actions. */
  if (view != NULL && gtk_widget_get_width (view) > 0)
    fit_width (self, gtk_widget_get_width (view));

  if (self->link != NULL)
    show_link (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_showing (self);
  update (self);
}

static void
pg_link_row_map (GtkWidget *widget)
{
  PgLinkRow *self = PG_LINK_ROW (widget);

  GTK_WIDGET_CLASS (pg_link_row_parent_class)->map (widget);

  if (self->built)
    {
      start_showing (self);
      update (self);
    }
  else if (self->clock == NULL)
    {
      self->clock = gtk_widget_get_frame_clock (widget);
      self->layout_handler = g_signal_connect_after (self->clock, "layout",
                                                     G_CALLBACK (layout_cb), self);
      /* Rows are mapped as the list is laid out, when this frame's "layout" may be past the
       * new handler: the frame clock lays out once more before it paints. */
      gdk_frame_clock_request_phase (self->clock, GDK_FRAME_CLOCK_PHASE_LAYOUT);
    }
}

static void
pg_link_row_unmap (GtkWidget *widget)
{
  PgLinkRow *self = PG_LINK_ROW (widget);

  stop_watching (self);
  g_clear_handle_id (&self->tick, g_source_remove);

  GTK_WIDGET_CLASS (pg_link_row_parent_class)->unmap (widget);
}

static void
pg_link_row_dispose (GObject *object)
{
  PgLinkRow *self = PG_LINK_ROW (object);

  pg_link_row_set_link (self, NULL);
  stop_watching (self);
  g_clear_handle_id (&self->tick, g_source_remove);
  g_clear_handle_id (&self->pick_actions, g_source_remove);
  if (self->built)
    gtk_widget_dispose_template (GTK_WIDGET (self), PG_TYPE_LINK_ROW);

  /* The template's outer box is not a bound child: it goes here. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (pg_link_row_parent_class)->dispose (object);
}

static void
pg_link_row_class_init (PgLinkRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pg_link_row_dispose;
  widget_class->map = pg_link_row_map;
  widget_class->unmap = pg_link_row_unmap;
  widget_class->measure = pg_link_row_measure;
  widget_class->size_allocate = pg_link_row_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/presignguard/PresignGuard/pg-link-row.ui");
  {
    GtkSettings *settings = gtk_settings_get_default ();

    if (settings != NULL)
      {
        g_signal_connect (settings, "notify::gtk-font-name", G_CALLBACK (forget_sizes), NULL);
        g_signal_connect (settings, "notify::gtk-xft-dpi", G_CALLBACK (forget_sizes), NULL);
      }
  }
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, icon);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, title);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, subtitle);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, until);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, state);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, open_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, save_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, mail_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, qr_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, details_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, revoke_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, more_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, narrow_copy_button);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, layout);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, actions_box);
  gtk_widget_class_bind_template_child (widget_class, PgLinkRow, actions);
}

/* The widgets come with build(). */
static void
pg_link_row_init (PgLinkRow *self)
{
}
