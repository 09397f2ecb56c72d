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

/* Japanese has no spaces: a line may break between any two of its characters, and does, in the
 * middle of a word (「削/除」) or before the last kana of a sentence (「い。」 alone on a line).
 * Japanese typesetting breaks between phrases (文節) instead: a word of kanji, katakana or
 * letters and the kana that follow it (its ending and particles). What the characters are is
 * enough to find those phrases in an interface's short sentences. */
typedef enum {
  CHAR_OTHER,      /* spaces, symbols: the toolkit's own rules */
  CHAR_ALNUM,      /* letters and digits of other scripts */
  CHAR_HIRAGANA,
  CHAR_KATAKANA,   /* with the long vowel mark */
  CHAR_KANJI,      /* with 々 and 〆 */
  CHAR_OPENING,    /* 「『（［【〈《 */
  CHAR_CLOSING,    /* 」』）］】〉》 */
  CHAR_STOP,       /* 、。，．！？：；・… */
} CharClass;

static CharClass
classify (gunichar c)
{
  if (c >= 0x3041 && c <= 0x309f)
    return CHAR_HIRAGANA;
  if ((c >= 0x30a0 && c <= 0x30ff && c != 0x30fb) || (c >= 0xff66 && c <= 0xff9f))
    return CHAR_KATAKANA;
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)
      || c == 0x3005 || c == 0x3006)
    return CHAR_KANJI;
  switch (c)
    {
    case 0x300c: case 0x300e: case 0xff08: case 0xff3b: case 0x3010: case 0x3008: case 0x300a:
    case 0x3014: case 0x201c:
      return CHAR_OPENING;
    case 0x300d: case 0x300f: case 0xff09: case 0xff3d: case 0x3011: case 0x3009: case 0x300b:
    case 0x3015: case 0x201d:
      return CHAR_CLOSING;
    case 0x3001: case 0x3002: case 0xff0c: case 0xff0e: case 0xff01: case 0xff1f: case 0xff1a:
    case 0xff1b: case 0x30fb: case 0x2026: case 0x2025:
      return CHAR_STOP;
    default:
      return g_unichar_isalnum (c) ? CHAR_ALNUM : CHAR_OTHER;
    }
}

/* Whether a line may break between @a and @b. */
static gboolean
may_break_between (CharClass a,
                   CharClass b)
{
  /* Never before a closing bracket or a stop, never after an opening bracket. */
  if (b == CHAR_CLOSING || b == CHAR_STOP || a == CHAR_OPENING)
    return FALSE;
  /* After a stop: a new phrase. */
  if (a == CHAR_STOP)
    return TRUE;
  /* A particle after a closing bracket or a word in letters stays with it: 」を, PDFを. */
  if (b == CHAR_HIRAGANA)
    return FALSE;
  /* Kana ended the phrase; what is not kana begins the next one. */
  if (a == CHAR_HIRAGANA)
    return TRUE;
  /* Kanji and katakana words (削除, リンク, 削除リンク) are not cut, nor a number from what it
   * counts (3件), nor letters from the word they begin (PDFファイル). */
  if ((a == CHAR_KANJI || a == CHAR_KATAKANA || a == CHAR_ALNUM)
      && (b == CHAR_KANJI || b == CHAR_KATAKANA))
    return FALSE;

  return TRUE;
}

/**
 * pg_text_phrase_spans:
 * @text: UTF-8 text
 *
 * Where a line of @text must not break, for text with Japanese in it: between the characters
 * of a phrase, before a closing bracket or a stop (、。), after an opening bracket. Text in
 * letters alone gets no span (spaces and hyphens do the work there).
 *
 * Returns: (transfer full) (element-type gsize): pairs of byte offsets, start and end, each a
 *   run of characters inside which no line may break (breaks before its first character and
 *   after its last stay allowed).
 */
GArray *
pg_text_phrase_spans (const char *text)
{
  GArray *spans = g_array_new (FALSE, FALSE, sizeof (gsize));
  const char *p;
  const char *prev = NULL;
  gsize span_start = 0;
  gboolean in_span = FALSE;
  gboolean japanese = FALSE;

  g_return_val_if_fail (text != NULL, spans);

  if (!g_utf8_validate (text, -1, NULL))
    return spans;
  for (p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      CharClass c = classify (g_utf8_get_char (p));

      japanese |= c != CHAR_OTHER && c != CHAR_ALNUM;
    }
  if (!japanese)
    return spans;

  for (p = text; *p != '\0'; prev = p, p = g_utf8_next_char (p))
    {
      gboolean joined;

      if (prev == NULL)
        continue;
      joined = !may_break_between (classify (g_utf8_get_char (prev)),
                                   classify (g_utf8_get_char (p)));
      if (joined && !in_span)
        {
          span_start = prev - text;
          in_span = TRUE;
        }
      else if (!joined && in_span)
        {
          gsize end = p - text;

          g_array_append_val (spans, span_start);
          g_array_append_val (spans, end);
          in_span = FALSE;
        }
    }
  if (in_span)
    {
      gsize end = p - text;

      g_array_append_val (spans, span_start);
      g_array_append_val (spans, end);
    }

  return spans;
}
