/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

/* Waiting for one asynchronous call in a test: pass test_store_result and the address of a
 * NULL GAsyncResult pointer as the callback and its data, then test_wait_for() that address.
 * The result is the caller's to unref (g_autoptr). */

static inline void
test_store_result (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static inline GAsyncResult *
test_wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}
