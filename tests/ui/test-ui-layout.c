/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include "pg-account-dialog.h"
#include "pg-link-dialog.h"
#include "pg-link-store.h"
#include "pg-received.h"
#include "ui-helpers.h"
#include "ui-tests.h"

/* The window's layout: hundreds of links in the list, words kept whole, and nothing cut off at
 * any width. */

/* After each frame painted: every row in view has its widgets (rows are built as they come into
 * view, never painted empty), and no row has them that has not been in view. */
typedef struct
{
  GtkWidget  *view;
  GHashTable *seen;   /* rows that have been in view */
  guint       frames;
  guint       mapped;
  guint       built;
  guint       frames_before;
} RowsPainted;

static void
rows_painted_cb (GdkFrameClock *clock,
                 RowsPainted   *check)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  ui_find_widgets (check->view, PG_TYPE_LINK_ROW, rows);
  check->frames++;
  check->mapped = rows->len;
  check->built = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      gboolean built = gtk_widget_get_first_child (row) != NULL;
      graphene_rect_t bounds;

      check->built += built;
      g_assert_true (gtk_widget_compute_bounds (row, check->view, &bounds));
      if (bounds.origin.y + bounds.size.height > 0
          && bounds.origin.y < gtk_widget_get_height (check->view))
        {
          g_assert_true (built);
          g_assert_cmpfloat (bounds.size.height, >, 0);
          g_hash_table_add (check->seen, row);
        }
    }
  /* The first row ever measured is built to know the size of all. */
  g_assert_cmpuint (check->built, <=, g_hash_table_size (check->seen) + 1);
}

static gboolean
painted_again (gpointer data)
{
  RowsPainted *check = data;

  return check->frames > check->frames_before;
}

/* @n links to the account's bucket, newest first in the list; titles in Latin letters and in
 * Japanese, which takes a taller font. */
static GPtrArray *
add_links (guint n)
{
  PgLinkService *service = pg_application_get_link_service (ui_app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (ui_app);
  GPtrArray *links = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf (i % 3 ? "many/%03u/見積書.pdf" : "many/%03u/report.pdf",
                                              i);
      PgPresignOptions options = {
        .method = PG_METHOD_GET, .bucket = pg_account_get_bucket (account), .key = key,
        .expires = 3600,
      };
      PgLink *link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");

      pg_link_store_add (store, link);
      g_ptr_array_add (links, link);
    }

  return links;
}

static void
remove_links (GPtrArray *links)
{
  PgLinkService *service = pg_application_get_link_service (ui_app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));

  for (guint i = links->len; i > 0; i--)
    pg_link_store_remove (store, g_ptr_array_index (links, i - 1));
}

/* Hundreds of links: only the rows in view build their widgets, and each row that scrolls into
 * view has them in the first frame it is painted in. */
void
test_ui_many_links (void)
{
  GtkAdjustment *adjustment =
    gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (ui_window->links_view));
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (ui_window));
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  RowsPainted check = { GTK_WIDGET (ui_window->links_view), seen };
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (rows_painted_cb), &check);
  links = add_links (300);

  for (guint step = 0; step <= 20; step++)
    {
      check.frames_before = check.frames;
      gtk_adjustment_set_value (adjustment, (gtk_adjustment_get_upper (adjustment)
                                             - gtk_adjustment_get_page_size (adjustment))
                                            * step / 20);
      gtk_widget_queue_draw (check.view);
      ui_wait_until (painted_again, &check, "a frame of the list");
    }
  /* Scrolled through, not around the same rows. */
  g_assert_cmpuint (g_hash_table_size (seen), >, 21);
  g_test_message ("%u rows, %u of them built, %u have been in view", check.mapped, check.built,
                  g_hash_table_size (seen));
  g_clear_signal_handler (&handler, clock);

  remove_links (links);
}

static gboolean
window_listed (gpointer data)
{
  GtkStack *stack = GTK_STACK (ui_child (ui_window, PG_TYPE_WINDOW, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), "main") == 0
         && ui_files_listed (NULL);
}

/* A second window of the given width (GTK sizes a window once, when it is first shown): it is
 * ui_window, the one the helpers work on, until close_window(). */
static PgWindow *
open_window (int width)
{
  PgWindow *first = ui_window;

  ui_window = pg_window_new (ui_app);
  gtk_window_set_default_size (GTK_WINDOW (ui_window), width, 700);
  gtk_window_present (GTK_WINDOW (ui_window));
  ui_wait_until (window_listed, NULL, "the new window's files");

  return first;
}

static void
close_window (PgWindow *first)
{
  gtk_window_destroy (GTK_WINDOW (ui_window));
  ui_window = first;
}

static gboolean
is_word_character (gunichar c)
{
  /* Katakana, with its prolonged sound mark; Latin letters. */
  return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c < 0x80 && g_ascii_isalpha (c));
}

static gboolean
is_kanji (gunichar c)
{
  return (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005;
}

static gboolean
is_hiragana (gunichar c)
{
  return c >= 0x3041 && c <= 0x309F;
}

/* What a Japanese line may not begin with: stops, closing brackets, small kana. */
static gboolean
is_line_start_forbidden (gunichar c)
{
  return g_utf8_strchr ("、。，．！？」』）】・ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮー", -1, c) != NULL;
}

/* Whether a line of a label is a broken word's tail or a lone kana: 「い。」 */
static gboolean
is_orphan (const char *line,
           int         length)
{
  g_autofree char *text = g_strndup (line, length);
  glong n = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!is_line_start_forbidden (g_utf8_get_char (p)) && !g_unichar_isspace (g_utf8_get_char (p)))
      n++;

  return n == 1 && is_hiragana (g_utf8_get_char (text));
}

/* Labels in @widget whose lines break inside a word: 「ブ／ロック」, "Rev/oke", 「削／除」,
 * 「作／ります」; or that begin a line with 。 or 」; or leave a kana alone on a line. */
static void
find_broken_words (GtkWidget *widget,
                   GPtrArray *broken)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget))
    {
      PangoLayout *layout = gtk_label_get_layout (GTK_LABEL (widget));
      const char *text = pango_layout_get_text (layout);

      for (int i = 1; i < pango_layout_get_line_count (layout); i++)
        {
          PangoLayoutLine *line = pango_layout_get_line_readonly (layout, i);
          const char *start = text + line->start_index;
          gunichar before = g_utf8_get_char (g_utf8_find_prev_char (text, start));
          gunichar after = g_utf8_get_char (start);
          gboolean word = is_word_character (before) && is_word_character (after)
                          && (before < 0x80) == (after < 0x80);

          word |= is_kanji (before) && (is_kanji (after) || is_hiragana (after));
          word |= is_hiragana (before) && is_hiragana (after);
          word |= is_line_start_forbidden (after) || before == 0x300C /* 「 */;
          word |= is_orphan (start, line->length);
          if (start > text && word)
            g_ptr_array_add (broken, g_strdup_printf ("“%.*s／%s”", (int) (start - text), text,
                                                      start));
        }
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    find_broken_words (c, broken);
}

static void
check_words (gpointer    widget,
             const char *where)
{
  g_autoptr(GPtrArray) broken = g_ptr_array_new_with_free_func (g_free);
  guint frames = 0;

  ui_wait_until (ui_frames_drawn, &frames, "the window to settle");
  find_broken_words (widget, broken);
  for (guint i = 0; i < broken->len; i++)
    g_test_message ("a word broken in %s: %s", where, (char *) g_ptr_array_index (broken, i));
  g_assert_cmpuint (broken->len, ==, 0);
}

/* The window at three widths and its dialogs: no line of text breaks inside a word. */
void
test_ui_words (void)
{
  static const int widths[] = { 1400, 800, 360 };
  GtkSwitch *toggle = GTK_SWITCH (ui_child (ui_window, PG_TYPE_WINDOW, "lockdown_switch"));
  g_autoptr(GPtrArray) links = add_links (40);
  AdwMessageDialog *dialog;
  PgWindow *first;

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      g_autofree char *where = g_strdup_printf ("the window at %d px", widths[i]);

      first = open_window (widths[i]);
      check_words (ui_window, where);
      if (adw_leaflet_get_folded (ui_window->leaflet))
        {
          _pg_window_show_links (ui_window);
          check_words (ui_window, where);
        }
      close_window (first);
    }
  remove_links (links);

  gtk_switch_set_active (toggle, TRUE);
  ui_wait_until (ui_toplevel_shown, GSIZE_TO_POINTER (ADW_TYPE_MESSAGE_DIALOG), "the confirmation");
  dialog = ui_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  check_words (dialog, "the lockdown question");
  adw_message_dialog_response (dialog, "cancel");
  ui_wait_until (ui_lockdown_is, GINT_TO_POINTER (FALSE), "the switch to stay off");

  for (guint i = 0; i < 2; i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (ui_window),
                                  i ? "win.new-upload-link" : "win.edit-account", NULL);
      ui_wait_until (ui_toplevel_shown,
                     GSIZE_TO_POINTER (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                     "the dialog");
      check_words (ui_find_toplevel (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                   i ? "the upload link dialog" : "the account dialog");
      gtk_window_close (ui_find_toplevel (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG));
      ui_wait_until (ui_toplevel_gone,
                     GSIZE_TO_POINTER (i ? PG_TYPE_LINK_DIALOG : PG_TYPE_ACCOUNT_DIALOG),
                     "the dialog to close");
    }
}

/* Every mapped control lies wholly inside the window or wholly outside it; a control across
 * the edge is cut off. */
static void
check_inside (GtkWidget *widget,
              int        width,
              GPtrArray *outside)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_SWITCH (widget)
      || GTK_IS_SEARCH_ENTRY (widget) || PG_IS_LINK_ROW (widget))
    {
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (ui_window), &bounds));
      /* Wholly outside is the other pane of a narrow window, slid away. */
      if ((bounds.origin.x < 0 && bounds.origin.x + bounds.size.width > 0)
          || (bounds.origin.x < width && bounds.origin.x + bounds.size.width > width + 0.5))
        g_ptr_array_add (outside, g_strdup_printf ("%s at %.0f–%.0f of %d px",
                                                   G_OBJECT_TYPE_NAME (widget), bounds.origin.x,
                                                   bounds.origin.x + bounds.size.width, width));
    }

  /* A row's state and what it is for are never cut short with an ellipsis. */
  if (PG_IS_LINK_ROW (widget))
    {
      static const char *const lines[] = { "state", "subtitle" };

      for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
        {
          GtkLabel *label = GTK_LABEL (ui_child (widget, PG_TYPE_LINK_ROW, lines[i]));

          if (pango_layout_is_ellipsized (gtk_label_get_layout (label)))
            g_ptr_array_add (outside, g_strdup_printf ("the row's %s “%s” cut short at %d px",
                                                       lines[i], gtk_label_get_label (label),
                                                       gtk_widget_get_width (GTK_WIDGET (label))));
        }
    }

  /* Given less than it needs, a control or a text is cut inside itself. */
  if (GTK_IS_BUTTON (widget) || GTK_IS_LABEL (widget) || PG_IS_LINK_ROW (widget))
    {
      graphene_rect_t bounds;
      int minimum;
      int given;

      /* The minimum counts the margins; the bounds are the border box. */
      gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_assert_true (gtk_widget_compute_bounds (widget, widget, &bounds));
      given = (int) (bounds.size.width + 0.5) + gtk_widget_get_margin_start (widget)
              + gtk_widget_get_margin_end (widget);
      if (given < minimum)
        g_ptr_array_add (outside, g_strdup_printf ("%s “%s” %d px wide, needs %d",
                                                   G_OBJECT_TYPE_NAME (widget),
                                                   GTK_IS_LABEL (widget)
                                                   ? gtk_label_get_label (GTK_LABEL (widget))
                                                   : GTK_IS_BUTTON (widget)
                                                   ? gtk_button_get_label (GTK_BUTTON (widget))
                                                   : "",
                                                   given, minimum));
    }

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_inside (c, width, outside);
}

static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

static gboolean
settled (gpointer data)
{
  return ui_frames_drawn (data) && !adw_leaflet_get_child_transition_running (ui_window->leaflet);
}

static void
check_width (int         width,
             const char *name)
{
  g_autoptr(GPtrArray) outside = g_ptr_array_new_with_free_func (g_free);
  guint frames = 0;

  ui_wait_until (settled, &frames, "the window to settle");
  /* Without a window manager the window draws its own frame, a few pixels of the width. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (ui_window)), <=, width);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (ui_window)), >=, width - 24);
  check_inside (GTK_WIDGET (ui_window), gtk_widget_get_width (GTK_WIDGET (ui_window)), outside);
  for (guint i = 0; i < outside->len; i++)
    g_test_message ("cut off at %s: %s", name, (char *) g_ptr_array_index (outside, i));
  g_assert_cmpuint (outside->len, ==, 0);
}

/* Whether the row shows Copy itself (with its icons, or beside the menu of a narrow row). */
static gboolean
copy_shown (PgLinkRow *row)
{
  return gtk_widget_get_mapped (ui_child (row, PG_TYPE_LINK_ROW, "copy_button"))
         || gtk_widget_get_mapped (ui_child (row, PG_TYPE_LINK_ROW, "narrow_copy_button"));
}

/* Links in the states whose words are the longest, at the top of the list: one that closed
 * itself after its use, one made for somebody, an upload link that received its file and
 * closed, one blocked by the lockdown. Only in the list, not in the bucket. */
static GPtrArray *
add_long_words (void)
{
  PgLinkService *service = pg_application_get_link_service (ui_app);
  PgLinkStore *store = PG_LINK_STORE (pg_link_service_get_links (service));
  PgAccount *account = pg_application_get_account (ui_app);
  GPtrArray *links = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < 4; i++)
    {
      PgPresignOptions options = {
        .method = i == 2 ? PG_METHOD_PUT : PG_METHOD_GET,
        .bucket = pg_account_get_bucket (account),
        .key = i == 1 ? "contracts/2026/Signed contract ACME 契約書.pdf" : "words/report.pdf",
        .expires = 6 * 86400,
      };
      PgLink *link = pg_link_new (pg_account_get_id (account), &options, "PRESIGNKEY");

      if (i == 0)
        {
          pg_link_set_arming (link, PG_LINK_ARMING_DOWNLOAD, PG_LINK_DEFAULT_GRACE);
          pg_link_set_use (link, now - 120, "203.0.113.250", now - 60);
          pg_link_set_state (link, PG_LINK_REVOKED);
        }
      else if (i == 1)
        {
          pg_link_set_label (link, "ACME, Kenji Sato");
          pg_link_set_arming (link, PG_LINK_ARMING_DOWNLOAD, PG_LINK_DEFAULT_GRACE);
        }
      else if (i == 2)
        {
          g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (
            (GDestroyNotify) pg_received_file_free);
          PgReceivedFile file = { .key = (char *) "words/report.pdf", .name = (char *) "report.pdf",
                                  .size = 1000, .time = now - 60 };

          g_ptr_array_add (files, pg_received_file_copy (&file));
          pg_link_set_arming (link, PG_LINK_ARMING_UPLOAD, PG_LINK_DEFAULT_GRACE);
          pg_link_set_use (link, now - 60, "203.0.113.250", now - 30);
          pg_link_set_received (link, files);
          pg_link_set_state (link, PG_LINK_REVOKED);
        }
      else
        {
          pg_link_set_blocked (link, TRUE);
        }
      pg_link_store_add (store, link);
      g_ptr_array_add (links, link);
    }

  return links;
}

/* 1400, 800 and 360 pixels: nothing is cut off, files and links side by side where they fit, and
 * where they do not, the switcher at the bottom reaches the links (a new link shows them). */
void
test_ui_widths (void)
{
  g_autoptr(PgLink) link = NULL;
  g_autoptr(GPtrArray) long_words = add_long_words ();
  PgWindow *first;

  static const int wide[] = { 1400, 1100, 800 };

  for (guint i = 0; i < G_N_ELEMENTS (wide); i++)
    {
      int width = wide[i];
      g_autofree char *name = g_strdup_printf ("%d px", width);

      first = open_window (width);
      ui_wait_until (ui_row_shown, ui_newest_link (), "the newest link's row");
      check_width (width, name);
      g_assert_false (adw_leaflet_get_folded (ui_window->leaflet));
      g_assert_true (gtk_widget_get_mapped (ui_child (ui_row_for (ui_newest_link ()),
                                                      PG_TYPE_LINK_ROW, "revoke_button")));
      g_assert_true (copy_shown (ui_row_for (ui_newest_link ())));
      close_window (first);
    }

  first = open_window (360);
  check_width (360, "360 px (files)");
  g_assert_true (adw_leaflet_get_folded (ui_window->leaflet));
  g_assert_true (gtk_widget_get_mapped (ui_child (ui_window, PG_TYPE_WINDOW, "pane_switcher")));
  /* Once the leaflet has folded (it may animate), only the files are shown. */
  ui_wait_until (unmapped, ui_child (ui_window, PG_TYPE_WINDOW, "links_stack"),
                 "the links to fold away");

  /* A new link brings the links into view, its Revoke button in reach. */
  link = ui_make_download_link ("widths.pdf");
  ui_wait_until (ui_row_shown, link, "the link's row");
  check_width (360, "360 px (links)");
  g_assert_true (gtk_widget_get_mapped (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                  "revoke_button")));
  g_assert_true (gtk_widget_get_mapped (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                  "more_button")));
  g_assert_true (copy_shown (ui_row_for (link)));
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (ui_child (ui_row_for (link), PG_TYPE_LINK_ROW,
                                                        "revoke_button"),
                                              GTK_WIDGET (ui_window), &bounds));
    g_assert_cmpfloat (bounds.origin.x, >=, 0);
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=,
                       gtk_widget_get_width (GTK_WIDGET (ui_window)));
  }
  ui_screenshot (GTK_WIDGET (ui_window), "narrow-links");

  /* The switcher goes back to the files and again to the links. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ui_child (ui_window, PG_TYPE_WINDOW,
                                                             "files_toggle")), TRUE);
  check_width (360, "360 px (files again)");
  g_assert_true (gtk_widget_get_mapped (ui_child (ui_window, PG_TYPE_WINDOW, "files_view")));
  g_assert_null (ui_row_for (link));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (ui_child (ui_window, PG_TYPE_WINDOW,
                                                             "links_toggle")), TRUE);
  check_width (360, "360 px (links again)");
  g_assert_nonnull (ui_row_for (link));
  close_window (first);
  remove_links (long_words);
}
