/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-s3-private.h"
#include "pg-xml.h"

/* What a server (or anybody on the way) sends back: parsed as a listing page and as an error
 * document, within bounds, and what is read from it is text fit to show. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(PgXmlNode) xml = pg_xml_parse ((const char *) data, size, NULL);
  g_autofree char *code = NULL;
  g_autofree char *message = NULL;

  _pg_s3_parse_error ((const char *) data, size, &code, &message);
  if (code != NULL)
    g_assert_null (strpbrk (code, "\n\r\x1b"));
  if (message != NULL)
    g_assert_null (strpbrk (message, "\n\r\x1b"));

  if (xml != NULL)
    {
      PgS3Listing listing = {
        g_ptr_array_new_with_free_func ((GDestroyNotify) pg_s3_object_free),
        g_ptr_array_new_with_free_func (g_free),
      };
      const char *next = _pg_s3_listing_add_page (&listing, xml);

      g_assert_true (next == NULL || *next != '\0');
      for (guint i = 0; i < listing.objects->len; i++)
        (void) ((PgS3Object *) g_ptr_array_index (listing.objects, i))->key;
      g_ptr_array_unref (listing.objects);
      g_ptr_array_unref (listing.prefixes);
    }

  return 0;
}
