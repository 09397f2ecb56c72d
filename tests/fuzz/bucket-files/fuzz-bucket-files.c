/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-activity.h"
#include "pg-catalog.h"
#include "pg-upload-page.h"

/* Files we read back that somebody else may have written: a compiled catalogue (.mo), an
 * upload page and a link's activity found in a bucket. Properties: nothing crashes or reads
 * outside the input; a catalogue is refused whole or looked up safely; the keys read from a page
 * are non-empty, at most PG_UPLOAD_PAGE_MAX_FILES; an activity holds at most
 * PG_ACTIVITY_MAX_EVENTS events, oldest first, each once, each written out on one line of seven
 * fields. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(PgCatalog) catalog = pg_catalog_new_from_bytes (bytes, NULL);
  g_auto(GStrv) keys = pg_upload_page_read_keys (bytes, NULL);
  g_autoptr(PgActivity) activity = pg_activity_new_from_bytes (bytes, NULL);

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

  if (activity != NULL)
    {
      g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

      g_assert (activity->events->len <= PG_ACTIVITY_MAX_EVENTS);
      for (guint i = 0; i < activity->events->len; i++)
        {
          PgActivityEvent *event = g_ptr_array_index (activity->events, i);
          g_autofree char *line = pg_activity_event_format (event, PG_ACTIVITY_TSV);
          guint tabs = 0;

          g_assert (event->id != NULL && event->id[0] != '\0');
          g_assert (g_hash_table_add (ids, event->id));
          g_assert (i == 0 || ((PgActivityEvent *) g_ptr_array_index (activity->events,
                                                                      i - 1))->time
                              <= event->time);
          g_assert (strchr (line, '\n') == NULL && strchr (line, '\r') == NULL);
          for (const char *p = line; *p != '\0'; p++)
            tabs += *p == '\t';
          g_assert (tabs == 6);
        }
    }

  return 0;
}
