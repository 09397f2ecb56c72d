/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-catalog.h"
#include "pg-upload-page.h"

/* Files we read back that somebody else may have written: a compiled catalogue (.mo) and an
 * upload page found in a bucket. Properties: nothing crashes or reads outside the input; a
 * catalogue is refused whole or looked up safely; the keys read from a page are non-empty, at
 * most PG_UPLOAD_PAGE_MAX_FILES. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(PgCatalog) catalog = pg_catalog_new_from_bytes (bytes, NULL);
  g_auto(GStrv) keys = pg_upload_page_read_keys (bytes, NULL);

  if (catalog != NULL)
    {
      const char *text = pg_catalog_lookup (catalog, "Send files");

      g_assert (text != NULL && strlen (text) < size + 16);
    }

  if (keys != NULL)
    {
      g_assert (keys[0] != NULL);
      g_assert (g_strv_length (keys) <= PG_UPLOAD_PAGE_MAX_FILES);
      for (guint i = 0; keys[i] != NULL; i++)
        g_assert (keys[i][0] != '\0');
    }

  return 0;
}
