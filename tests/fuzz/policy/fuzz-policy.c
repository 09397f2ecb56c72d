/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-policy.h"

/* Any bucket policy a server may hold, run through our edits. Properties: nothing crashes; an
 * edit that fails leaves the document as it was; a revocation only appends our statement, every
 * other one unchanged and in place; and unrevoking it gives the document back. */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static JsonArray *
statements_of (const char *json)
{
  g_autoptr(JsonNode) root = json ? json_from_string (json, NULL) : NULL;
  JsonNode *statement;
  JsonArray *array = json_array_new ();

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return array;

  statement = json_object_get_member (json_node_get_object (root), "Statement");
  if (statement != NULL && JSON_NODE_HOLDS_ARRAY (statement))
    {
      json_array_unref (array);
      return json_array_ref (json_node_get_array (statement));
    }
  if (statement != NULL)
    json_array_add_element (array, json_node_copy (statement));

  return array;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(PgPolicy) original = pg_policy_new (text, NULL, NULL);
  g_autoptr(PgPolicy) policy = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 11, 28, 12, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean foreign_only;

  if (original == NULL)
    return 0;

  policy = pg_policy_copy (original);
  g_assert_true (pg_policy_equal (policy, original));
  foreign_only = pg_policy_count_ours (original, "demo") == 0;
  before = pg_policy_to_json (original, FALSE);

  if (!pg_policy_revoke (policy, "demo", "fuzz/key", PG_POLICY_ACTION_GET,
                         "arn:aws:iam::1:user/signer", FALSE, now, &error))
    {
      g_assert_true (pg_policy_equal (policy, original));
      return 0;
    }

  after = pg_policy_to_json (policy, FALSE);
  g_assert_cmpuint (strlen (after), <=, PG_POLICY_MAX_BYTES);
  g_assert_true (pg_policy_is_revoked (policy, "demo", "fuzz/key", PG_POLICY_ACTION_GET,
                                       "arn:aws:iam::1:user/signer"));

  if (foreign_only)
    {
      g_autoptr(JsonArray) old_statements = statements_of (before);
      g_autoptr(JsonArray) new_statements = statements_of (after);
      guint n = json_array_get_length (old_statements);

      g_assert_cmpuint (json_array_get_length (new_statements), ==, n + 1);
      for (guint i = 0; i < n; i++)
        g_assert_true (json_node_equal (json_array_get_element (old_statements, i),
                                        json_array_get_element (new_statements, i)));

      g_assert_true (pg_policy_unrevoke (policy, "demo", "fuzz/key", PG_POLICY_ACTION_GET,
                                         "arn:aws:iam::1:user/signer"));
      g_assert_true (pg_policy_equal (policy, original));
      g_assert_cmpuint (pg_policy_count_ours (policy, "demo"), ==, 0);
    }

  /* The other edits on whatever there is: never a crash. */
  (void) pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE,
                                 "arn:aws:iam::1:user/signer", NULL, NULL);
  (void) pg_policy_prune (policy, "demo", now);
  (void) pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL, NULL);

  return 0;
}
