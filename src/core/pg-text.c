/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-text"

#include "config.h"

#include <string.h>

#include "pg-text.h"

/* Text from elsewhere — a server's error message, a key in a link — on its way to a terminal or
 * a label: what could move the cursor, erase a line, turn the text around or pass for another
 * line is written out visibly instead. */

static gboolean
is_hidden_control (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
         /* Bidirectional overrides and isolates, and the marks: they reorder what is shown. */
         || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
         || (c >= 0x2066 && c <= 0x2069) || c == 0x061c
         /* Line and paragraph separators: a new line by another name. */
         || c == 0x2028 || c == 0x2029;
}

/**
 * pg_text_sanitize:
 * @text: (nullable): text of any origin, valid UTF-8 or not
 *
 * Returns: (transfer full): @text with every control character, bidirectional control and
 *   invalid byte written as an escape ("\x1b", "\u202e"); "" for %NULL.
 */
char *
pg_text_sanitize (const char *text)
{
  GString *out;
  const char *p;

  if (text == NULL)
    return g_strdup ("");

  out = g_string_sized_new (strlen (text));
  for (p = text; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }

      if (is_hidden_control (c))
        {
          if (c < 0x100)
            g_string_append_printf (out, "\\x%02x", c);
          else
            g_string_append_printf (out, "\\u%04x", c);
        }
      else
        {
          g_string_append_len (out, p, g_utf8_next_char (p) - p);
        }
      p = g_utf8_next_char (p);
    }

  return g_string_free (out, FALSE);
}
