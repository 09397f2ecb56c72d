/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-toolkit"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "pg-text.h"
#include "pg-toolkit.h"

/* What GTK 4.8 and libadwaita 1.2 leave for the application to do: names for screen readers,
 * tooltips as wide as their text, Japanese lines broken between phrases, Escape in
 * dialogs. */

/* ---- Words kept whole ------------------------------------------------------------------- */

static gboolean
is_allow_breaks (PangoAttribute *attribute,
                 gpointer        user_data)
{
  return attribute->klass->type == PANGO_ATTR_ALLOW_BREAKS;
}

/* Whether @label's markup, as it is now, has nothing in it but text: shown the same without. */
static gboolean
is_plain_markup (GtkLabel *label)
{
  const char *markup = gtk_label_get_label (label);
  g_autofree char *text = NULL;

  return pango_parse_markup (markup, -1, 0, NULL, &text, NULL, NULL)
         && g_str_equal (text, markup);
}

/* Japanese has no spaces: Pango may break a line between any two characters, inside a word
 * (「削／除」) or before the last kana of a sentence (「い。」 alone). @label's lines break
 * between phrases instead, where the core finds them (pg_text_phrase_spans()). */
static void
keep_words (GtkLabel *label)
{
  g_autoptr(GArray) spans = NULL;
  PangoAttrList *before;
  PangoAttrList *attributes;
  PangoAttrList *stale = NULL;

  /* GTK adds these spans to the attributes of a label's markup, and there spans that touch
   * become one: a sentence would not break at all. A label whose markup is only text (most of
   * libadwaita's are: rows' subtitles, status pages' descriptions) is shown as the plain text
   * it is; one with markup in it again as markup, without spans. */
  if (gtk_label_get_use_markup (label) && is_plain_markup (label))
    {
      g_object_set_data (G_OBJECT (label), "pg-plain-markup", GINT_TO_POINTER (TRUE));
      gtk_label_set_use_markup (label, FALSE);
    }
  else if (!gtk_label_get_use_markup (label)
           && g_object_get_data (G_OBJECT (label), "pg-plain-markup") && !is_plain_markup (label))
    {
      gtk_label_set_use_markup (label, TRUE);
    }
  spans = gtk_label_get_use_markup (label)
          ? g_array_new (FALSE, FALSE, sizeof (gsize))
          : pg_text_phrase_spans (gtk_label_get_text (label));

  before = gtk_label_get_attributes (label);

  attributes = before != NULL ? pango_attr_list_copy (before) : pango_attr_list_new ();
  if (before != NULL)
    stale = pango_attr_list_filter (attributes, is_allow_breaks, NULL);
  for (guint i = 0; i < spans->len; i += 2)
    {
      PangoAttribute *keep = pango_attr_allow_breaks_new (FALSE);

      keep->start_index = g_array_index (spans, gsize, i);
      keep->end_index = g_array_index (spans, gsize, i + 1);
      pango_attr_list_insert (attributes, keep);
    }

  if (spans->len > 0 || stale != NULL)
    gtk_label_set_attributes (label, attributes);
  g_clear_pointer (&stale, pango_attr_list_unref);
  pango_attr_list_unref (attributes);
}

/* Every wrapping label, as it comes on screen anywhere in the application. */
static gboolean
keep_words_on_map (GSignalInvocationHint *hint,
                   guint                  n_values,
                   const GValue          *values,
                   gpointer               user_data)
{
  GObject *object = g_value_get_object (&values[0]);

  if (GTK_IS_LABEL (object) && gtk_label_get_wrap (GTK_LABEL (object))
      && !g_object_get_data (object, "pg-keep-words"))
    {
      g_object_set_data (object, "pg-keep-words", GINT_TO_POINTER (TRUE));
      g_signal_connect (object, "notify::label", G_CALLBACK (keep_words), NULL);
      keep_words (GTK_LABEL (object));
    }

  return TRUE;
}

/**
 * pg_toolkit_init:
 *
 * Once, after gtk_init(): Japanese lines break between phrases in every wrapping label.
 */
void
pg_toolkit_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* The signal exists once the class does. */
      g_type_class_unref (g_type_class_ref (GTK_TYPE_WIDGET));
      g_signal_add_emission_hook (g_signal_lookup ("map", GTK_TYPE_WIDGET), 0, keep_words_on_map,
                                  NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}

/* ---- Names for screen readers ----------------------------------------------------------- */

/* Every list item inside @widget is named @text. */
static void
label_list_items (GtkWidget  *widget,
                  const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (g_str_equal (G_OBJECT_TYPE_NAME (child), "GtkListItemWidget"))
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        text, -1);
      label_list_items (child, text);
    }
}

/* An AdwComboRow shows its choice in a list item of its own, unnamed in libadwaita 1.2. */
static void
name_combo_choice (AdwComboRow *row)
{
  GObject *choice = adw_combo_row_get_selected_item (row);
  g_autofree char *text = NULL;
  GtkExpression *expression = adw_combo_row_get_expression (row);

  if (choice == NULL)
    return;
  if (GTK_IS_STRING_OBJECT (choice))
    text = g_strdup (gtk_string_object_get_string (GTK_STRING_OBJECT (choice)));
  else if (expression != NULL)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      if (gtk_expression_evaluate (expression, choice, &value) && G_VALUE_HOLDS_STRING (&value))
        text = g_value_dup_string (&value);
    }
  if (text == NULL)
    return;

  label_list_items (GTK_WIDGET (row), text);
}

/**
 * pg_accessible_fix_names:
 *
 * Names for screen readers what GTK 4.8 and libadwaita 1.2 leave unnamed or misnamed, in
 * @widget and everything in it:
 *
 * - a button with a mnemonic is named by its raw label and its text again ("_Revoke Revoke"):
 *   without that label it is named by its text alone (a button whose label changes later needs
 *   this again);
 * - a button that shows only an icon is named by its tooltip (the toolkit's own, such as the
 *   Show Text button of a password row, included);
 * - a search entry is named by its placeholder, or "Search";
 * - a combo row's choice is named by its text, and renamed as it changes.
 */
void
pg_accessible_fix_names (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_use_underline (GTK_BUTTON (widget)))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
  else if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))
           && gtk_widget_get_tooltip_text (widget) != NULL
           && (GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget))
                                      : gtk_menu_button_get_label (GTK_MENU_BUTTON (widget))) == NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    gtk_widget_get_tooltip_text (widget), -1);
  else if (GTK_IS_SEARCH_ENTRY (widget))
    {
      g_autofree char *placeholder = NULL;

      g_object_get (widget, "placeholder-text", &placeholder, NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      placeholder != NULL && *placeholder ? placeholder
                                                                          : _("Search"), -1);
    }
  else if (ADW_IS_COMBO_ROW (widget) && !g_object_get_data (G_OBJECT (widget), "pg-named"))
    {
      g_object_set_data (G_OBJECT (widget), "pg-named", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "notify::selected-item", G_CALLBACK (name_combo_choice), NULL);
      g_signal_connect (widget, "map", G_CALLBACK (name_combo_choice), NULL);
      name_combo_choice (ADW_COMBO_ROW (widget));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    pg_accessible_fix_names (child);
}

/* ---- Tooltips --------------------------------------------------------------------------- */

/* The widest a tooltip grows before it wraps: some 50 Latin letters, 25 Japanese characters. */
#define TOOLTIP_MAX_WIDTH 360

/**
 * pg_tooltip_set_text:
 *
 * Shows @text in @tooltip on one line when it fits in TOOLTIP_MAX_WIDTH, else wrapped at that
 * width. GTK 4.8's own tooltip label guesses its width from a number of characters and wraps
 * text without spaces, such as Japanese, after a few characters a line.
 */
void
pg_tooltip_set_text (GtkTooltip *tooltip,
                     const char *text)
{
  GtkWidget *label = gtk_label_new (text);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (label, text);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_size_request (label, MIN (width + 1, TOOLTIP_MAX_WIDTH), -1);
  gtk_tooltip_set_custom (tooltip, label);
}

static gboolean
query_fitted_tooltip (GtkWidget  *widget,
                      int         x,
                      int         y,
                      gboolean    keyboard,
                      GtkTooltip *tooltip)
{
  const char *text = gtk_widget_get_tooltip_text (widget);

  if (text == NULL || *text == '\0')
    return FALSE;

  pg_tooltip_set_text (tooltip, text);

  return TRUE;
}

/**
 * pg_tooltips_fit:
 *
 * Makes the tooltips set as text on @widget and everything in it show through
 * pg_tooltip_set_text().
 */
void
pg_tooltips_fit (GtkWidget *widget)
{
  if (gtk_widget_get_tooltip_text (widget) != NULL
      && !g_object_get_data (G_OBJECT (widget), "pg-tooltip-fitted"))
    {
      g_object_set_data (G_OBJECT (widget), "pg-tooltip-fitted", GINT_TO_POINTER (TRUE));
      g_signal_connect (widget, "query-tooltip", G_CALLBACK (query_fitted_tooltip), NULL);
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    pg_tooltips_fit (child);
}

/* ---- Dialogs ---------------------------------------------------------------------------- */

/* Escape closes @window, as it does every dialog of the app. */
void
pg_close_on_escape (GtkWindow *window)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape,
                                                                                  0),
                                                          gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
}
