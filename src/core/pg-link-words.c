/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-link.h"

/* The link rules in words, the same wherever a link is shown (its row, its details, the dialog
 * that makes it, a notification): what state it is in, how long it has left, what revoking it
 * closes, whether it can be restored, and what a watcher saw of its use. Views only place these
 * words; the rules behind them are unit-tested here (tests/test-link-store.c). */

/**
 * pg_format_time_left:
 *
 * "3 days left", "5 hours left", "12 minutes left", "Expired", rounded down.
 */
char *
pg_format_time_left (gint64 seconds)
{
  int n;

  if (seconds <= 0)
    return g_strdup (_("Expired"));

  if (seconds >= 2 * 86400)
    {
      n = (int) (seconds / 86400);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day left", "%d days left", n), n);
    }

  if (seconds >= 2 * 3600)
    {
      n = (int) (seconds / 3600);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour left", "%d hours left", n),
                              n);
    }

  n = (int) MAX (1, seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute left", "%d minutes left", n),
                          n);
}

/**
 * pg_format_local_time:
 * @with_zone: add the time zone (for a message read elsewhere)
 *
 * A moment in the local time zone, as the locale writes a date, to the minute.
 */
char *
pg_format_local_time (gint64   unix_time,
                      gboolean with_zone)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);

  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  const char *format;

  /* Translators: a date and time as in "Mon 1 Dec, 14:00" (strftime format; %-d is the day
   * without a leading zero); a year is added by the next strings when it is not this year */
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    format = with_zone ? _("%a %-d %b, %H:%M (%Z)") : _("%a %-d %b, %H:%M");
  else
    /* Translators: a date and time as in "Mon 1 Dec 2027, 14:00" (strftime format) */
    format = with_zone ? _("%a %-d %b %Y, %H:%M (%Z)") : _("%a %-d %b %Y, %H:%M");

  return g_date_time_format (local, format);
}

const char *
pg_link_state_describe (PgLinkState state)
{
  switch (state)
    {
    case PG_LINK_ACTIVE:
      return _("Active");
    case PG_LINK_USED:
      return _("Received");
    case PG_LINK_REVOKING:
      return _("Revoking…");
    case PG_LINK_REVOKED:
      return _("Revoked — verified");
    case PG_LINK_REVOKE_UNVERIFIED:
      return _("Revoked — not yet verified");
    case PG_LINK_EXPIRED:
      return _("Expired");
    case PG_LINK_DEAD_ON_ARRIVAL:
      return _("Dead on arrival");
    default:
      g_return_val_if_reached ("");
    }
}

/**
 * pg_link_can_restore:
 *
 * Whether @link's revocation can be lifted for it to work again: it is revoked (and proven so)
 * and would still be valid. A revoked link can be restored for as long as it lives, not only
 * from the Undo right after.
 */
gboolean
pg_link_can_restore (PgLink *link,
                     gint64  now)
{
  /* A single-use upload that closed after its file came is done, not taken back. */
  if (pg_link_is_upload (link) && pg_link_get_closed_at (link) != 0)
    return FALSE;

  return pg_link_get_state_at (link, now) == PG_LINK_REVOKED
         && now < pg_link_get_expires_at (link);
}

/**
 * pg_link_describe_blocked:
 *
 * What a working link's row says while its bucket's "Block every link" is on; %NULL otherwise.
 */
const char *
pg_link_describe_blocked (PgLink *link,
                          gint64  now)
{
  PgLinkState state = pg_link_get_state_at (link, now);

  if (!pg_link_get_blocked (link) || (state != PG_LINK_ACTIVE && state != PG_LINK_USED))
    return NULL;

  return _("Blocked by “Block every link”");
}

/**
 * pg_link_describe_received:
 *
 * What arrived through an upload link or page, for its row: "Received 2 of 3 files",
 * "Received · closed" (a single-use upload link closed after its file came), "Received";
 * %NULL before anything arrived.
 *
 * Returns: (transfer full) (nullable): the words
 */
char *
pg_link_describe_received (PgLink *link)
{
  guint n = pg_link_get_n_received (link);
  guint of = pg_link_get_n_uploads (link);

  if (n == 0)
    return NULL;
  if (pg_link_get_page_key (link) != NULL)
    /* Translators: an upload page's files that arrived, e.g. "Received 2 of 3 files" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Received %u of %u file",
                                         "Received %u of %u files", of), n, of);
  if (pg_link_get_closed_at (link) != 0)
    /* Translators: an upload link whose file came, closed after it (it took one file) */
    return g_strdup (_("Received · closed"));

  return g_strdup (pg_link_state_describe (PG_LINK_USED));
}

/**
 * pg_link_describe_arrival:
 * @n_new: how many files just came
 *
 * A notification's words for files that arrived: "ACME, Kenji Sato sent 2 files", or without a
 * "For": "2 files arrived through the upload page for “incoming/acme/…/”".
 */
char *
pg_link_describe_arrival (PgLink *link,
                          guint   n_new)
{
  const char *where = pg_link_get_page_key (link) != NULL
                      ? pg_link_get_file_key (link)
                      : pg_link_key_basename (pg_link_get_file_key (link));

  /* Whom it is for, when the user said: "ACME, Kenji Sato sent 2 files". */
  if (pg_link_get_label (link) != NULL)
    /* Translators: %s is whom the link was made for, as the user wrote it; %u a number */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sent %u file", "%s sent %u files",
                                         n_new), pg_link_get_label (link), n_new);
  if (pg_link_get_page_key (link) != NULL)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u file arrived through the upload page for “%s”",
                                         "%u files arrived through the upload page for “%s”",
                                         n_new), n_new, where);

  return g_strdup_printf (_("“%s” arrived through its upload link"), where);
}

/* Whether @link can be shared now (copied, mailed, shown as a QR code): it works. */
gboolean
pg_link_is_usable (PgLink *link,
                   gint64  now)
{
  PgLinkState state = pg_link_get_state_at (link, now);

  return state == PG_LINK_ACTIVE || state == PG_LINK_USED;
}

/* What revoking @link closes: it alone, the page and its uploads, or every link to its file. */
const char *
pg_link_describe_revoking (PgLink *link)
{
  switch (pg_link_get_precision (link))
    {
    case PG_LINK_PRECISION_SESSION:
      return _("Closes this link alone: it is signed in a session of its own");
    case PG_LINK_PRECISION_COPY:
      return _("Closes this link alone: it points at a copy of the file of its own");
    case PG_LINK_PRECISION_OBJECT:
    default:
      break;
    }

  if (pg_link_get_page_key (link) != NULL)
    return _("Closes the page and every upload of it");
  if (pg_link_is_upload (link))
    return _("Closes this upload link alone: its file name is its own");

  return _("Closes every link to this file");
}

/**
 * pg_link_describe_arming:
 *
 * For a link armed to close after its first use, in a few words, what it waits for or what
 * happened: "Closes after first download", "Used · closing", "Closed after use ✓".
 *
 * Returns: (nullable): the words, or %NULL for a link that is not armed
 */
char *
pg_link_describe_arming (PgLink *link)
{
  if (pg_link_get_arming (link) == PG_LINK_ARMING_NONE)
    return NULL;

  if (pg_link_get_used_at (link) == 0)
    return g_strdup (pg_link_get_arming (link) == PG_LINK_ARMING_UPLOAD
                     ? _("Closes after the upload") : _("Closes after first download"));

  return g_strdup (pg_link_get_closed_at (link) != 0 ? _("Closed after use ✓")
                                                     : _("Used · closing"));
}

/**
 * pg_link_describe_user:
 *
 * Who used @link and when, for a line of its own: "Used by 203.0.113.7 at Mon 1 Dec, 14:00".
 *
 * Returns: (nullable): the words, or %NULL for a link nobody was seen using
 */
char *
pg_link_describe_user (PgLink *link)
{
  g_autofree char *when = NULL;

  if (pg_link_get_used_at (link) == 0)
    return NULL;

  when = pg_format_local_time (pg_link_get_used_at (link), FALSE);

  /* Translators: who used a link (an address) and when */
  return g_strdup_printf (_("Used by %s at %s"),
                          pg_link_get_used_by (link) ? pg_link_get_used_by (link) : "?", when);
}

/**
 * pg_link_describe_use:
 *
 * Who used @link and when, with the time zone, and whether it closed: "By 203.0.113.7 at …
 * — closing".
 *
 * Returns: (nullable): the words, or %NULL for a link nobody was seen using
 */
char *
pg_link_describe_use (PgLink *link)
{
  g_autofree char *when = NULL;

  if (pg_link_get_used_at (link) == 0)
    return NULL;

  when = pg_format_local_time (pg_link_get_used_at (link), TRUE);

  return g_strdup_printf (pg_link_get_closed_at (link) != 0
                          ? _("By %s at %s — closed automatically ✓")
                          : _("By %s at %s — closing"),
                          pg_link_get_used_by (link) ? pg_link_get_used_by (link) : "?", when);
}

/* "“report.pdf” was used from 203.0.113.7 — the link closed itself": for a link a watcher
 * closed after its use. */
char *
pg_link_describe_closed_itself (PgLink *link)
{
  const char *by = pg_link_get_used_by (link) ? pg_link_get_used_by (link) : "?";

  return g_strdup_printf (_("“%s” was used from %s — the link closed itself"),
                          pg_link_key_basename (pg_link_get_file_key (link)), by);
}
