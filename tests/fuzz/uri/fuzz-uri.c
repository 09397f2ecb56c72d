/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-sigv4.h"
#include "pg-text.h"

/* URI encoding as SigV4 wants it, and back: any text (as a key, as a query value) encodes to
 * unreserved characters and %XX only, and decodes to itself; dot segments survive the wire. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *sanitized = pg_text_sanitize (text);

  g_assert_true (g_utf8_validate (sanitized, -1, NULL));

  if (strlen (text) != size || !g_utf8_validate (text, -1, NULL))
    return 0;

  for (int keep_slash = 0; keep_slash < 2; keep_slash++)
    {
      g_autoptr(GString) encoded = g_string_new ("/");
      g_autofree char *wire = NULL;
      g_autofree char *decoded = NULL;

      pg_sigv4_uri_encode (encoded, text, keep_slash);
      for (const char *p = encoded->str; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || strchr ("-_.~%/", *p) != NULL);
      g_assert_true (keep_slash || strchr (encoded->str + 1, '/') == NULL);

      wire = pg_sigv4_protect_dot_segments (g_strdup (encoded->str));
      decoded = g_uri_unescape_string (wire + 1, NULL);
      g_assert_cmpstr (decoded, ==, text);
    }

  return 0;
}
