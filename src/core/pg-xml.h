/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A minimal read-only XML tree for S3's small response documents (internal to the core). */
typedef struct _PgXmlNode PgXmlNode;

struct _PgXmlNode
{
  char       *name;
  GString    *text;
  GPtrArray  *children;
};

PgXmlNode  *pg_xml_parse       (const char  *data,
                                gsize        length,
                                GError     **error);
void        pg_xml_node_free   (PgXmlNode   *node);
PgXmlNode  *pg_xml_child       (PgXmlNode   *node,
                                const char  *name);
const char *pg_xml_child_text  (PgXmlNode   *node,
                                const char  *name);
char       *pg_xml_escape      (const char  *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgXmlNode, pg_xml_node_free)

G_END_DECLS
