/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-xml"

#include "config.h"

#include "pg-xml.h"

static PgXmlNode *
node_new (const char *name)
{
  PgXmlNode *node = g_new0 (PgXmlNode, 1);

  node->name = g_strdup (name);
  node->text = g_string_new (NULL);
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_xml_node_free);

  return node;
}

void
pg_xml_node_free (PgXmlNode *node)
{
  if (node == NULL)
    return;

  g_free (node->name);
  g_string_free (node->text, TRUE);
  g_ptr_array_unref (node->children);
  g_free (node);
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **attribute_names,
          const char          **attribute_values,
          gpointer              user_data,
          GError              **error)
{
  GQueue *stack = user_data;
  PgXmlNode *node = node_new (element);

  g_ptr_array_add (((PgXmlNode *) g_queue_peek_head (stack))->children, node);
  g_queue_push_head (stack, node);
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  g_queue_pop_head (user_data);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  g_string_append_len (((PgXmlNode *) g_queue_peek_head (user_data))->text, text, length);
}

/**
 * pg_xml_parse:
 *
 * Returns: (transfer full): the document element, or %NULL with @error set.
 */
PgXmlNode *
pg_xml_parse (const char  *data,
              gsize        length,
              GError     **error)
{
  static const GMarkupParser parser = { on_start, on_end, on_text, NULL, NULL };
  g_autoptr(PgXmlNode) root = node_new ("");
  g_autoptr(GMarkupParseContext) context = NULL;
  GQueue stack = G_QUEUE_INIT;
  const char *body = data;

  /* GMarkup does not take the XML declaration. */
  if (length >= 5 && g_str_has_prefix (body, "<?xml"))
    {
      const char *end = g_strstr_len (body, length, "?>");

      if (end != NULL)
        {
          length -= (end + 2) - body;
          body = end + 2;
        }
    }

  g_queue_push_head (&stack, root);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &stack, NULL);
  if (!g_markup_parse_context_parse (context, body, length, error)
      || !g_markup_parse_context_end_parse (context, error))
    {
      g_queue_clear (&stack);
      return NULL;
    }
  g_queue_clear (&stack);

  if (root->children->len != 1)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_EMPTY, "no document element");
      return NULL;
    }

  return g_ptr_array_steal_index (root->children, 0);
}

PgXmlNode *
pg_xml_child (PgXmlNode  *node,
              const char *name)
{
  for (guint i = 0; node != NULL && i < node->children->len; i++)
    {
      PgXmlNode *child = g_ptr_array_index (node->children, i);

      if (g_strcmp0 (child->name, name) == 0)
        return child;
    }

  return NULL;
}

const char *
pg_xml_child_text (PgXmlNode  *node,
                   const char *name)
{
  PgXmlNode *child = pg_xml_child (node, name);

  return child ? child->text->str : NULL;
}

char *
pg_xml_escape (const char *text)
{
  return g_markup_escape_text (text, -1);
}
