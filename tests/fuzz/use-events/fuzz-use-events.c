/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "pg-use-event.h"

/* What the watcher reads from outside: the ops log (its URIs are the clients'), an SQS
 * message's body, a notification anyone could post. Any bytes give an event whose fields are
 * text, or nothing; never a crash or a leak. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check (const PgUseEvent *event)
{
  g_assert_nonnull (event->bucket);
  g_assert_nonnull (event->key);
  g_assert_nonnull (event->id);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(PgUseEvent) line = pg_use_event_from_ops_log ((const char *) data, size, "fuzz:1");
  g_autoptr(PgUseEvent) message = pg_use_event_from_eventbridge (text, "fuzz:2");
  g_autoptr(GPtrArray) notified = pg_use_events_from_s3_notification ((const char *) data, size);
  gsize used;
  g_autoptr(GPtrArray) logged = pg_use_events_from_ops_log ((const char *) data, size, "fuzz", 0,
                                                            &used);

  if (line != NULL)
    check (line);
  if (message != NULL)
    check (message);
  g_assert_cmpuint (used, <=, size);
  for (guint i = 0; i < logged->len; i++)
    check (g_ptr_array_index (logged, i));
  for (guint i = 0; i < notified->len; i++)
    {
      check (g_ptr_array_index (notified, i));
      g_assert_true (((PgUseEvent *) g_ptr_array_index (notified, i))->hint);
    }

  return 0;
}
