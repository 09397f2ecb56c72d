/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-presigned-url.h"
#include "pg-text.h"

/* A link is anybody's text: whatever is pasted, parsing ends with the parts or an error, and
 * the parts shown are fit for a terminal once escaped. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPresignedUrl) url = pg_presigned_url_parse (text, &error);

  g_assert_true ((url == NULL) != (error == NULL));
  if (url != NULL)
    {
      g_autofree char *key = pg_text_sanitize (pg_presigned_url_get_key (url));

      g_assert_true (g_utf8_validate (pg_presigned_url_get_key (url), -1, NULL));
      g_assert_null (strpbrk (key, "\n\r\x1b"));
      g_assert_cmpuint (pg_presigned_url_get_expires (url), >=, 1);
      (void) pg_presigned_url_has_dot_segments (url);
      (void) pg_presigned_url_get_seconds_left (url, 0);
    }

  return 0;
}
