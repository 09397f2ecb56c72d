/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-xml"

#include "config.h"

#include "pg-xml.h"

/* Documents come from servers, and anybody on the way can send anything: the tree is bounded in
 * depth and size (S3's answers are a few levels deep and, for a page of a thousand keys, some
 * ten thousand elements), and nothing here recurses. */
#define MAX_DEPTH 32
#define MAX_NODES 200000

typedef struct
{
  GQueue stack;
  guint  nodes;
} Parse;

static PgXmlNode *
node_new (const char *name)
{
  PgXmlNode *node = g_new0 (PgXmlNode, 1);

  node->name = g_strdup (name);
  node->text = g_string_new (NULL);
  node->children = g_ptr_array_new ();

  return node;
}

/* Frees a whole tree, without recursion however deep it is. */
void
pg_xml_node_free (PgXmlNode *node)
{
  g_autoptr(GPtrArray) pending = NULL;

  if (node == NULL)
    return;

  pending = g_ptr_array_new ();
  g_ptr_array_add (pending, node);
  while (pending->len > 0)
    {
      PgXmlNode *next = g_ptr_array_steal_index_fast (pending, pending->len - 1);

      g_ptr_array_extend_and_steal (pending, g_steal_pointer (&next->children));
      g_free (next->name);
      g_string_free (next->text, TRUE);
      g_free (next);
    }
}

static void
on_start (GMarkupParseContext  *context,
          const char           *element,
          const char          **attribute_names,
          const char          **attribute_values,
          gpointer              user_data,
          GError              **error)
{
  Parse *parse = user_data;
  PgXmlNode *node;

  if (g_queue_get_length (&parse->stack) > MAX_DEPTH || ++parse->nodes > MAX_NODES)
    {
      g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                           "the document is nested too deeply or has too many elements");
      return;
    }

  node = node_new (element);
  g_ptr_array_add (((PgXmlNode *) g_queue_peek_head (&parse->stack))->children, node);
  g_queue_push_head (&parse->stack, node);
}

static void
on_end (GMarkupParseContext  *context,
        const char           *element,
        gpointer              user_data,
        GError              **error)
{
  Parse *parse = user_data;

  g_queue_pop_head (&parse->stack);
}

static void
on_text (GMarkupParseContext  *context,
         const char           *text,
         gsize                 length,
         gpointer              user_data,
         GError              **error)
{
  Parse *parse = user_data;

  g_string_append_len (((PgXmlNode *) g_queue_peek_head (&parse->stack))->text, text, length);
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
  Parse parse = { G_QUEUE_INIT, 0 };
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

  g_queue_push_head (&parse.stack, root);
  context = g_markup_parse_context_new (&parser, G_MARKUP_TREAT_CDATA_AS_TEXT, &parse, NULL);
  if (!g_markup_parse_context_parse (context, body, length, error)
      || !g_markup_parse_context_end_parse (context, error))
    {
      g_queue_clear (&parse.stack);
      return NULL;
    }
  g_queue_clear (&parse.stack);

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
