/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <gdk/x11/gdkx.h>

#include "pg-account-dialog.h"
#include "pg-link-dialog.h"
#include "pg-link-store.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* What tells a person what a control does: a label or a tooltip on every button, and tooltips as
 * they come on screen. */

/* Whether @widget has a tooltip: set, or made when GTK asks for it. */
static gboolean
has_tooltip (GtkWidget *widget)
{
  const char *text = gtk_widget_get_tooltip_text (widget);
  g_autoptr(GtkTooltip) tooltip = NULL;
  gboolean answered = FALSE;

  if (text != NULL && *text != '\0')
    return TRUE;
  if (!gtk_widget_get_has_tooltip (widget))
    return FALSE;

  tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  g_signal_emit_by_name (widget, "query-tooltip", 1, 1, FALSE, tooltip, &answered);

  return answered;
}

static void
check_labelled (GtkWidget *widget,
                GPtrArray *unlabelled)
{
  /* Window controls, spin buttons' steppers and toasts' close buttons are the toolkit's,
   * labelled by it. */
  if (GTK_IS_WINDOW_CONTROLS (widget) || GTK_IS_SPIN_BUTTON (widget)
      || g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwToastWidget"))
    return;

  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && gtk_widget_get_mapped (widget))
    {
      const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                                 : gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));
      GtkWidget *parent = gtk_widget_get_parent (widget);

      /* Buttons inside a labelled control (a menu button, a switch row) count as labelled. */
      if ((label == NULL || *label == '\0') && !has_tooltip (widget)
          && !(parent && GTK_IS_MENU_BUTTON (parent))
          && !(parent && has_tooltip (parent)))
        g_ptr_array_add (unlabelled,
                         g_strdup_printf ("%s in %s in %s", G_OBJECT_TYPE_NAME (widget),
                                          G_OBJECT_TYPE_NAME (parent),
                                          G_OBJECT_TYPE_NAME (gtk_widget_get_parent (parent))));
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_labelled (c, unlabelled);
}

void
test_ui_buttons_labelled (void)
{
  g_autoptr(GPtrArray) unlabelled = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *header_buttons[] = {
    ui_child (ui_window, PG_TYPE_WINDOW, "new_link_button"),
  };

  /* The main window with its rows, and both dialogs. */
  check_labelled (GTK_WIDGET (ui_window), unlabelled);
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.new-upload-link", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_LINK_DIALOG), "the link dialog");
  check_labelled (ui_find_toplevel (PG_TYPE_LINK_DIALOG), unlabelled);
  gtk_window_close (ui_find_toplevel (PG_TYPE_LINK_DIALOG));
  gtk_widget_activate_action (GTK_WIDGET (ui_window), "win.edit-account", NULL);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (PG_TYPE_ACCOUNT_DIALOG),
                 "the account dialog");
  check_labelled (ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG), unlabelled);
  gtk_window_close (ui_find_toplevel (PG_TYPE_ACCOUNT_DIALOG));

  for (guint i = 0; i < unlabelled->len; i++)
    g_test_message ("unlabelled: %s", (char *) g_ptr_array_index (unlabelled, i));
  g_assert_cmpuint (unlabelled->len, ==, 0);
  g_assert_nonnull (gtk_widget_get_tooltip_text (header_buttons[0]));
}

static GtkWidget *
find_tooltip_label (GtkWidget *widget,
                    gboolean   inside)
{
  inside = inside || g_str_equal (G_OBJECT_TYPE_NAME (widget), "GtkTooltipWindow");
  if (inside && GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    return widget;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip_label (c, inside);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* On screen: mapped and laid out, its lines those of its width. */
static gboolean
tooltip_shown (gpointer data)
{
  GtkWidget *label = find_tooltip_label (data, FALSE);

  return label != NULL && gtk_widget_get_width (label) > 0;
}

static gboolean
tooltip_hidden (gpointer data)
{
  return find_tooltip_label (data, FALSE) == NULL;
}

/* Puts the X pointer at the middle of @widget, or out of the window when NULL. */
static void
move_pointer (GtkWidget *widget)
{
  Display *display = gdk_x11_display_get_xdisplay (gtk_widget_get_display (GTK_WIDGET (ui_window)));
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (ui_window));
  graphene_point_t point = GRAPHENE_POINT_INIT (0, 0);
  Window child;
  int x = 0;
  int y = 0;

  if (widget != NULL)
    {
      g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (ui_window),
                                               &GRAPHENE_POINT_INIT (gtk_widget_get_width (widget) / 2.0,
                                                                     gtk_widget_get_height (widget) / 2.0),
                                               &point));
      XTranslateCoordinates (display, gdk_x11_surface_get_xid (surface),
                             DefaultRootWindow (display), (int) point.x, (int) point.y, &x, &y,
                             &child);
    }
  XWarpPointer (display, None, DefaultRootWindow (display), 0, 0, 0, 0, x, y);
  XFlush (display);
}

/* The tooltip of @widget as it shows: its text, on one line when that line is up to 300 px
 * wide, else at least 300 px wide (GTK 4.8's own tooltips wrap Japanese, which has no spaces,
 * after a few characters a line: 「このリンクを今す／ぐ使えなくする」). */
static void
check_tooltip (GtkWidget  *widget,
               const char *expected)
{
  GtkWidget *label;
  PangoLayout *layout;
  g_autoptr(PangoLayout) one_line = NULL;
  const char *text;
  int lines;
  int width;

  move_pointer (widget);
  gtk_widget_trigger_tooltip_query (widget);
  ui_wait_until (tooltip_shown, ui_window, "the tooltip");
  label = find_tooltip_label (GTK_WIDGET (ui_window), FALSE);
  layout = gtk_label_get_layout (GTK_LABEL (label));
  text = pango_layout_get_text (layout);
  lines = pango_layout_get_line_count (layout);
  one_line = gtk_widget_create_pango_layout (label, text);
  pango_layout_get_pixel_size (one_line, &width, NULL);
  g_test_message ("tooltip “%s”: %d px on one line; shown on %d lines, %d px wide", text, width,
                  lines, gtk_widget_get_width (label));
  if (expected != NULL)
    g_assert_cmpstr (text, ==, expected);
  if (width <= 300)
    g_assert_cmpint (lines, ==, 1);
  else
    g_assert_cmpint (gtk_widget_get_width (label), >=, 300);

  move_pointer (NULL);
  gtk_widget_trigger_tooltip_query (widget);
  ui_wait_until (tooltip_hidden, ui_window, "the tooltip to go");
}

void
test_ui_tooltips (void)
{
  PgLinkService *service = pg_application_get_link_service (ui_app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (ui_app);
  PgPresignOptions options = {
    .method = PG_METHOD_GET, .bucket = pg_account_get_bucket (account),
    .key = "見積書/2026年度 第3四半期 ご請求書（控え）.pdf", .expires = 3 * 86400,
  };
  g_autoptr(PgLink) link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");
  PgLinkRow *row;

  if (!GDK_IS_X11_DISPLAY (gtk_widget_get_display (GTK_WIDGET (ui_window))))
    {
      g_test_skip ("tooltips are shown here by moving the X pointer");
      return;
    }

  pg_link_store_add (store, link);
  gtk_widget_activate_action (GTK_WIDGET (ui_window->links_view), "list.scroll-to-item", "u", 0);
  ui_wait_until (ui_row_shown, link, "the link's row");
  row = ui_row_for (link);

  check_tooltip (ui_child (ui_window, PG_TYPE_WINDOW, "new_link_button"),
                 _("Make a download or upload link"));
  check_tooltip (ui_child (row, PG_TYPE_LINK_ROW, "revoke_button"),
                 _("Make this link stop working now"));
  check_tooltip (ui_child (row, PG_TYPE_LINK_ROW, "title"), options.key);
  check_tooltip (ui_child (row, PG_TYPE_LINK_ROW, "until"), NULL);

  pg_link_store_remove (store, link);
}
