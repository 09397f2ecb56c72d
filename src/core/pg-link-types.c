/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link"

#include "config.h"

#include "pg-link-types.h"

/* The words of the link model as a link's record in the bucket spells them. */

const char *
pg_link_arming_to_string (PgLinkArming arming)
{
  switch (arming)
    {
    case PG_LINK_ARMING_DOWNLOAD:
      return "download";
    case PG_LINK_ARMING_UPLOAD:
      return "upload";
    case PG_LINK_ARMING_NONE:
    default:
      return NULL;
    }
}

/* Anything but "download" or "upload" (a record of a newer version, a damaged one) is not
 * armed: a link never closes itself on a word it does not know. */
PgLinkArming
pg_link_arming_from_string (const char *text)
{
  if (g_strcmp0 (text, "download") == 0)
    return PG_LINK_ARMING_DOWNLOAD;
  if (g_strcmp0 (text, "upload") == 0)
    return PG_LINK_ARMING_UPLOAD;

  return PG_LINK_ARMING_NONE;
}

const char *
pg_link_precision_to_string (PgLinkPrecision precision)
{
  switch (precision)
    {
    case PG_LINK_PRECISION_SESSION:
      return "session";
    case PG_LINK_PRECISION_COPY:
      return "copy";
    case PG_LINK_PRECISION_OBJECT:
    default:
      return "object";
    }
}

/* Returns: whether @text is one of the precisions a record may carry */
gboolean
pg_link_precision_from_string (const char      *text,
                               PgLinkPrecision *precision)
{
  if (g_strcmp0 (text, "session") == 0)
    *precision = PG_LINK_PRECISION_SESSION;
  else if (g_strcmp0 (text, "copy") == 0)
    *precision = PG_LINK_PRECISION_COPY;
  else if (g_strcmp0 (text, "object") == 0)
    *precision = PG_LINK_PRECISION_OBJECT;
  else
    return FALSE;

  return TRUE;
}
