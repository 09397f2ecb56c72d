/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <string.h>

#include "pg-catalog.h"
#include "pg-error.h"

/* The project's compiled message catalogues (.mo), read for a language other than the one the
 * process runs in. gettext answers only in the current locale; an upload page carries both of
 * its languages whatever the sender's desktop speaks, so it looks its strings up here.
 *
 * The file is read whole and checked before use: every table entry and string must lie inside
 * it and end with a NUL. A damaged catalogue is refused, never half read. */

#define MO_MAGIC          0x950412de
#define MO_MAGIC_SWAPPED  0xde120495
#define MO_HEADER_SIZE    28

struct _PgCatalog
{
  GBytes     *bytes;
  GHashTable *strings;  /* msgid → translation, both pointing into @bytes */
};

/**
 * pg_catalog_get_default_dir:
 *
 * Where the catalogues are: the installed locale directory, or the one named by
 * `PRESIGN_GUARD_LOCALEDIR` for an uninstalled build.
 */
const char *
pg_catalog_get_default_dir (void)
{
  const char *dir = g_getenv ("PRESIGN_GUARD_LOCALEDIR");

  return dir && *dir ? dir : LOCALEDIR;
}

static gboolean
read_u32 (const guint8 *data,
          gsize         size,
          gsize         offset,
          gboolean      swapped,
          guint32      *value)
{
  guint32 v;

  if (offset > size || size - offset < 4)
    return FALSE;

  memcpy (&v, data + offset, 4);
  *value = swapped ? GUINT32_SWAP_LE_BE (v) : v;

  return TRUE;
}

/* The string of table entry @index, or NULL when it does not lie inside the file. */
static const char *
read_string (const guint8 *data,
             gsize         size,
             guint32       table,
             guint32       index,
             gboolean      swapped)
{
  guint32 length, offset;
  gsize entry = (gsize) table + (gsize) index * 8;

  if (!read_u32 (data, size, entry, swapped, &length)
      || !read_u32 (data, size, entry + 4, swapped, &offset)
      || offset > size || size - offset <= length || data[offset + length] != '\0')
    return NULL;

  return (const char *) data + offset;
}

/**
 * pg_catalog_new_from_bytes:
 *
 * Reads a compiled catalogue. Entries with a context or plural forms are kept under their full
 * msgid; the first form of a translation is what lookups return.
 */
PgCatalog *
pg_catalog_new_from_bytes (GBytes  *bytes,
                           GError **error)
{
  g_autoptr(GHashTable) strings = g_hash_table_new (g_str_hash, g_str_equal);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  guint32 magic, count, originals, translations;
  gboolean swapped;
  PgCatalog *self;

  if (!read_u32 (data, size, 0, FALSE, &magic)
      || (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
      || size < MO_HEADER_SIZE)
    goto invalid;

  swapped = magic == MO_MAGIC_SWAPPED;
  if (!read_u32 (data, size, 8, swapped, &count)
      || !read_u32 (data, size, 12, swapped, &originals)
      || !read_u32 (data, size, 16, swapped, &translations)
      || count > size / 8)
    goto invalid;

  for (guint32 i = 0; i < count; i++)
    {
      const char *msgid = read_string (data, size, originals, i, swapped);
      const char *msgstr = read_string (data, size, translations, i, swapped);

      if (msgid == NULL || msgstr == NULL)
        goto invalid;

      /* The empty msgid holds the catalogue's header, not a message. */
      if (*msgid != '\0' && *msgstr != '\0')
        g_hash_table_insert (strings, (char *) msgid, (char *) msgstr);
    }

  self = g_new0 (PgCatalog, 1);
  self->bytes = g_bytes_ref (bytes);
  self->strings = g_steal_pointer (&strings);

  return self;

invalid:
  g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                       _("The translations of Presign Guard are damaged. Reinstall it."));
  return NULL;
}

/**
 * pg_catalog_load:
 * @localedir: (nullable): where the catalogues are, or %NULL for pg_catalog_get_default_dir()
 * @language: a language code as the locale directory names it ("ja")
 *
 * Reads the project's catalogue for @language.
 */
PgCatalog *
pg_catalog_load (const char  *localedir,
                 const char  *language,
                 GError     **error)
{
  g_autofree char *path = g_build_filename (localedir ? localedir : pg_catalog_get_default_dir (),
                                            language, "LC_MESSAGES", GETTEXT_PACKAGE ".mo",
                                            NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, NULL, NULL, error);

  if (bytes == NULL)
    return NULL;

  return pg_catalog_new_from_bytes (bytes, error);
}

/* The translation of @msgid, or @msgid itself when the catalogue has none. */
const char *
pg_catalog_lookup (PgCatalog  *self,
                   const char *msgid)
{
  const char *msgstr = self ? g_hash_table_lookup (self->strings, msgid) : NULL;

  return msgstr ? msgstr : msgid;
}

void
pg_catalog_free (PgCatalog *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->strings);
  g_bytes_unref (self->bytes);
  g_free (self);
}
