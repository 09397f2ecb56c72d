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
  guint uses = pg_link_get_uses (link);
  guint done = MIN (pg_link_get_downloads (link), uses);

  if (pg_link_get_arming (link) == PG_LINK_ARMING_NONE)
    return NULL;

  /* A link of several downloads counts them: "Closes after 3 downloads", "2 of 3 downloads
   * used", "3 of 3 downloads used · closing", "3 of 3 downloads used ✓". */
  if (uses > 1 && pg_link_get_arming (link) == PG_LINK_ARMING_DOWNLOAD)
    {
      g_autofree char *count = NULL;

      if (pg_link_get_used_at (link) == 0 && done == 0)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Closes after %u download",
                                             "Closes after %u downloads", uses), uses);
      /* Translators: whole downloads of a link that closes after a number of them */
      count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u download used",
                                            "%u of %u downloads used", uses),
                               pg_link_get_used_at (link) != 0 ? uses : done, uses);
      if (pg_link_get_used_at (link) == 0)
        return g_steal_pointer (&count);
      return g_strdup_printf (pg_link_get_closed_at (link) != 0 ? _("%s ✓") : _("%s · closing"),
                              count);
    }

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

/* "14:02" today, "7 Dec" another day this year, "7 Dec 2025" before: when a link was last
 * used, short enough for a row's line. */
static char *
format_short_time (gint64 unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_local (utc);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (g_date_time_get_year (local) != g_date_time_get_year (now))
    /* Translators: a day of another year, as in "7 Dec 2025" (strftime format) */
    return g_date_time_format (local, _("%-d %b %Y"));
  if (g_date_time_get_day_of_year (local) != g_date_time_get_day_of_year (now))
    /* Translators: a day of this year, as in "7 Dec" (strftime format) */
    return g_date_time_format (local, _("%-d %b"));

  /* Translators: a time of today, as in "14:02" (strftime format) */
  return g_date_time_format (local, _("%H:%M"));
}

/* The time of the last event of @kind in @activity, 0 if none. */
static gint64
last_of (const PgActivity *activity,
         PgActivityKind    kind)
{
  for (guint i = activity->events->len; i > 0; i--)
    {
      const PgActivityEvent *event = g_ptr_array_index (activity->events, i - 1);

      if (event->kind == kind)
        return event->time;
    }

  return 0;
}

/**
 * pg_link_describe_activity:
 *
 * What was done with @link, for a row's line: "Downloaded 3 times · last 14:02", "Not used
 * yet", and the tries after it was closed: "Downloaded once · last 14:02 · 1 refused try". For
 * an upload link (whose row says what arrived) only the refused tries.
 *
 * Returns: (nullable): the words, or %NULL before the activity was read
 */
char *
pg_link_describe_activity (PgLink *link)
{
  const PgActivity *activity = pg_link_get_activity (link);
  g_autofree char *downloads = NULL;
  g_autofree char *refused = NULL;
  guint n;
  guint r;

  if (activity == NULL)
    return NULL;

  n = pg_activity_count (activity, PG_ACTIVITY_DOWNLOAD);
  r = pg_activity_count (activity, PG_ACTIVITY_REFUSED);
  if (r > 0)
    {
      g_autofree char *when = format_short_time (last_of (activity, PG_ACTIVITY_REFUSED));

      /* Translators: tries to use a link after it was revoked, blocked or expired, and when
       * the last one was ("14:02", "7 Dec") */
      refused = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u refused try, last %s",
                                              "%u refused tries, last %s", r), r, when);
    }
  if (pg_link_is_upload (link) || pg_link_get_page_key (link) != NULL)
    return g_steal_pointer (&refused);

  if (n == 0)
    downloads = g_strdup (_("Not used yet"));
  else
    {
      g_autofree char *when = format_short_time (last_of (activity, PG_ACTIVITY_DOWNLOAD));

      /* Translators: how often a link was downloaded, and when last ("14:02", "7 Dec") */
      downloads = n == 1 ? g_strdup_printf (_("Downloaded once · last %s"), when)
                         : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Downloaded %u time · last %s",
                                                         "Downloaded %u times · last %s", n),
                                            n, when);
    }

  return refused != NULL ? g_strdup_printf ("%s · %s", downloads, refused)
                         : g_steal_pointer (&downloads);
}

/**
 * pg_activity_event_describe:
 *
 * One request made with a link, for a list of them (the time goes beside it): "Downloaded ·
 * 203.0.113.7 · 64.0 kB", "Refused (AccessDenied) · 198.51.100.9", "Checked by Presign Guard".
 */
char *
pg_activity_event_describe (const PgActivityEvent *event)
{
  g_autofree char *what = NULL;
  GString *text;

  switch (event->kind)
    {
    case PG_ACTIVITY_DOWNLOAD:
      what = g_strdup (event->status == 206 ? _("Downloaded in part") : _("Downloaded"));
      break;
    case PG_ACTIVITY_UPLOAD:
      what = g_strdup (_("Uploaded"));
      break;
    case PG_ACTIVITY_REFUSED:
      /* Translators: a request refused, with S3's error code ("AccessDenied") */
      what = event->error_code != NULL ? g_strdup_printf (_("Refused (%s)"), event->error_code)
                                       : g_strdup_printf (_("Refused (%u)"), event->status);
      break;
    case PG_ACTIVITY_CHECK:
      what = g_strdup (_("Checked by Presign Guard"));
      break;
    case PG_ACTIVITY_OTHER:
    default:
      /* Translators: another request (a HEAD, a "not modified") with its HTTP status */
      what = g_strdup_printf (_("Other request (%u)"), event->status);
      break;
    }

  text = g_string_new (what);
  if (event->remote_addr != NULL)
    g_string_append_printf (text, " · %s", event->remote_addr);
  if (event->bytes > 0)
    {
      g_autofree char *size = g_format_size (event->bytes);

      g_string_append_printf (text, " · %s", size);
    }

  return g_string_free (text, FALSE);
}

/* "1,200 older requests are no longer kept": those an activity let go to stay bounded. */
char *
pg_activity_describe_dropped (const PgActivity *activity)
{
  g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, activity->dropped);

  /* Translators: %s is a number */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s older request is no longer kept",
                                       "%s older requests are no longer kept",
                                       (gulong) MIN (activity->dropped, G_MAXULONG)), n);
}

/* Whether @event is the first download in @link's activity: its first use. */
gboolean
pg_link_is_first_download (PgLink                *link,
                           const PgActivityEvent *event)
{
  const PgActivity *activity = pg_link_get_activity (link);

  if (event->kind != PG_ACTIVITY_DOWNLOAD || activity == NULL)
    return FALSE;

  for (guint i = 0; i < activity->events->len; i++)
    {
      const PgActivityEvent *each = g_ptr_array_index (activity->events, i);

      if (each->kind == PG_ACTIVITY_DOWNLOAD)
        return g_str_equal (each->id, event->id);
    }

  return FALSE;
}

/* "Someone tried the revoked link to “contract.pdf” from 203.0.113.7": a try of a link that
 * no longer works, for a notification. */
char *
pg_link_describe_tried (PgLink                *link,
                        const PgActivityEvent *event)
{
  const char *file = pg_link_key_basename (pg_link_get_file_key (link));
  const char *from = event->remote_addr != NULL ? event->remote_addr : "?";
  PgLinkState state = pg_link_get_state_at (link, g_get_real_time () / G_USEC_PER_SEC);

  if (pg_link_get_blocked (link))
    return g_strdup_printf (_("Someone tried the blocked link to “%s” from %s"), file, from);
  if (state == PG_LINK_REVOKED || state == PG_LINK_REVOKE_UNVERIFIED)
    return g_strdup_printf (_("Someone tried the revoked link to “%s” from %s"), file, from);
  if (state == PG_LINK_EXPIRED)
    return g_strdup_printf (_("Someone tried the expired link to “%s” from %s"), file, from);

  /* Translators: a link refused for another reason (closed after use, or S3 said no) */
  return g_strdup_printf (_("Someone tried the closed link to “%s” from %s"), file, from);
}

/* "“contract.pdf” was downloaded from 203.0.113.7": a link's first use, for a notification. */
char *
pg_link_describe_downloaded (PgLink                *link,
                             const PgActivityEvent *event)
{
  return g_strdup_printf (_("“%s” was downloaded from %s"),
                          pg_link_key_basename (pg_link_get_file_key (link)),
                          event->remote_addr != NULL ? event->remote_addr : "?");
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
