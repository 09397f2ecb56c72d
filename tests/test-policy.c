/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-policy"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-policy.h"

#define SIGNER "arn:aws:iam::123456789012:user/presign-signer"
/* Our marker, among the resources of every statement we write. */
#define MARK_DEMO "arn:aws:s3:::demo/.presign-guard/ours"
#define OTHER_SIGNER "arn:aws:iam:::user/owner:presign"

static GDateTime *
day (int year,
     int month,
     int dom)
{
  return g_date_time_new_utc (year, month, dom, 10, 30, 0);
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);

  return node;
}

static void
assert_json_equal (const char *actual,
                   const char *expected)
{
  g_autoptr(JsonNode) a = parse (actual);
  g_autoptr(JsonNode) b = parse (expected);

  if (!json_node_equal (a, b))
    g_error ("JSON differs:\n  actual:   %s\n  expected: %s", actual, expected);
}

static void
test_policy_revoke_on_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, &error);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *json = NULL;

  g_assert_no_error (error);
  g_assert_true (pg_policy_is_empty (policy));
  g_assert_null (pg_policy_to_json (policy, FALSE));

  g_assert_true (pg_policy_revoke (policy, "demo", "a b/report.pdf", PG_POLICY_ACTION_GET,
                                   SIGNER, FALSE, now, &error));
  g_assert_no_error (error);
  g_assert_true (pg_policy_revoke (policy, "demo", "other.txt", PG_POLICY_ACTION_GET,
                                   SIGNER, FALSE, now, &error));
  /* Twice the same object: no duplicate. */
  g_assert_true (pg_policy_revoke (policy, "demo", "other.txt", PG_POLICY_ACTION_GET,
                                   SIGNER, FALSE, now, &error));
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PresignGuardRevokedGet20261128\","
    "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"" MARK_DEMO "\",\"arn:aws:s3:::demo/a b/report.pdf\","
    "\"arn:aws:s3:::demo/other.txt\"]}]}");
  g_assert_true (pg_policy_is_revoked (policy, "demo", "other.txt", PG_POLICY_ACTION_GET, NULL));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "other.txt", PG_POLICY_ACTION_PUT, NULL));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "third.txt", PG_POLICY_ACTION_GET, NULL));

  /* Unrevoking both leaves no statement: the policy is to be deleted. */
  g_assert_true (pg_policy_unrevoke (policy, "demo", "a b/report.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_false (pg_policy_unrevoke (policy, "demo", "a b/report.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_true (pg_policy_unrevoke (policy, "demo", "other.txt", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_true (pg_policy_is_empty (policy));
}

/* Each principal (a signer, a link's own session) is denied in statements of its own: a
 * statement denies each of its principals each of its objects, so one shared by two would deny
 * the second one's links too. A shared statement as earlier versions wrote it is split when one
 * principal's revocation is lifted. */
static void
test_policy_principals_apart (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, &error);
  g_autoptr(PgPolicy) legacy = NULL;
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_revoke (policy, "demo", "a.pdf", PG_POLICY_ACTION_GET, SIGNER, FALSE,
                                   now, &error));
  g_assert_true (pg_policy_revoke (policy, "demo", "b.pdf", PG_POLICY_ACTION_GET, OTHER_SIGNER,
                                   FALSE, now, &error));
  g_assert_no_error (error);
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"PresignGuardRevokedGet20261128\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"" MARK_DEMO "\",\"arn:aws:s3:::demo/a.pdf\"]},"
    "{\"Sid\":\"PresignGuardRevokedGet20261128N2\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" OTHER_SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"" MARK_DEMO "\",\"arn:aws:s3:::demo/b.pdf\"]}]}");
  g_assert_true (pg_policy_is_revoked (policy, "demo", "a.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "a.pdf", PG_POLICY_ACTION_GET,
                                        OTHER_SIGNER));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "b.pdf", PG_POLICY_ACTION_GET, SIGNER));
  /* Lifting one principal's revocation leaves the other's. */
  g_assert_false (pg_policy_unrevoke (policy, "demo", "b.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_true (pg_policy_unrevoke (policy, "demo", "b.pdf", PG_POLICY_ACTION_GET, OTHER_SIGNER));
  g_assert_true (pg_policy_is_revoked (policy, "demo", "a.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_cmpuint (pg_policy_count_ours (policy, "demo"), ==, 1);

  legacy = pg_policy_new (
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"PresignGuardRevokedGet20261127\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\",\"" OTHER_SIGNER "\"]},"
    "\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"arn:aws:s3:::demo/a.pdf\",\"arn:aws:s3:::demo/b.pdf\"]}]}", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pg_policy_unrevoke (legacy, "demo", "a.pdf", PG_POLICY_ACTION_GET, SIGNER));
  g_clear_pointer (&json, g_free);
  json = pg_policy_to_json (legacy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"PresignGuardRevokedGet20261127\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" OTHER_SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"arn:aws:s3:::demo/a.pdf\",\"arn:aws:s3:::demo/b.pdf\"]},"
    "{\"Sid\":\"PresignGuardRevokedGet20261127N2\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"arn:aws:s3:::demo/b.pdf\"]}]}");
}

static void
test_policy_same_identity (void)
{
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, "aws-cn", NULL);
  g_autoptr(GDateTime) now = day (2026, 1, 2);
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_revoke (policy, "demo", "in/x", PG_POLICY_ACTION_PUT,
                                   "arn:aws-cn:iam::1:user/me", TRUE, now, NULL));
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PresignGuardRevokedPutQuery20260102\","
    "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"arn:aws-cn:iam::1:user/me\"]},"
    "\"Action\":\"s3:PutObject\","
    "\"Resource\":[\"arn:aws-cn:s3:::demo/.presign-guard/ours\",\"arn:aws-cn:s3:::demo/in/x\"],"
    "\"Condition\":{\"StringEquals\":{\"s3:authType\":\"REST-QUERY-STRING\"}}}]}");
}

static void
test_policy_wildcards_escaped (void)
{
  g_autofree char *arn = pg_policy_object_arn ("aws", "demo", "what?*$x.txt", TRUE);
  g_autofree char *raw = pg_policy_object_arn ("aws", "demo", "what?*$x.txt", FALSE);

  g_assert_cmpstr (arn, ==, "arn:aws:s3:::demo/what${?}${*}${$}x.txt");
  g_assert_cmpstr (raw, ==, "arn:aws:s3:::demo/what?*$x.txt");
}

static void
test_policy_keeps_foreign (void)
{
  const char *foreign =
    "{\"Id\":\"keep-me\",\"Version\":\"2012-10-17\",\"Statement\":"
    "{\"Sid\":\"AllowAlice\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam:::user/alice\"},"
    "\"Action\":[\"s3:GetObject\"],\"Resource\":\"arn:aws:s3:::demo/*\",\"X-Unknown\":[1,true,null]}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (foreign, NULL, &error);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *statements;

  g_assert_no_error (error);
  g_assert_false (pg_policy_is_empty (policy));
  g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER, FALSE,
                                   now, &error));
  json = pg_policy_to_json (policy, FALSE);
  root = parse (json);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "Id"), ==,
                   "keep-me");
  statements = json_object_get_array_member (json_node_get_object (root), "Statement");
  g_assert_cmpuint (json_array_get_length (statements), ==, 2);
  {
    g_autoptr(JsonNode) original = parse (foreign);
    JsonNode *first = json_object_get_member (json_node_get_object (original), "Statement");

    g_assert_true (json_node_equal (json_array_get_element (statements, 0), first));
  }

  /* Taking ours out again leaves the foreign statement, still a policy to write. */
  g_assert_true (pg_policy_unrevoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_false (pg_policy_is_empty (policy));
}

/* A statement of ours as we write it, and one with every member given. */
#define DENY_GET(sid, resource) \
  "{\"Sid\":\"" sid "\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"" SIGNER "\"]}," \
  "\"Action\":\"s3:GetObject\",\"Resource\":[\"" resource "\"]}"

static void
test_policy_prune (void)
{
  g_autoptr(PgPolicy) policy = pg_policy_new (
    "{\"Statement\":["
    DENY_GET ("PresignGuardRevokedGet20261119", "arn:aws:s3:::d/a") ","
    "{\"Sid\":\"PresignGuardRevokedPut20261120\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":\"" SIGNER "\"},\"Action\":\"s3:PutObject\","
    "\"Resource\":\"arn:aws:s3:::d/x\"},"
    "{\"Sid\":\"Foreign20261101\",\"Effect\":\"Allow\"},"
    /* A lookalike: our Sid, somebody else's statement (an Allow). */
    "{\"Sid\":\"PresignGuardRevokedGet20200102\",\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"arn:aws:s3:::d/a\"]},"
    "{\"Sid\":\"PresignGuardRevokedGetQuery20200101\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":\"arn:aws:s3:::d/y\","
    "\"Condition\":{\"StringEquals\":{\"s3:authType\":\"REST-QUERY-STRING\"}}}]}",
    NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *json = NULL;

  /* 2026-11-20 is 8 days before: kept. Older ones of ours go; the lookalike stays. */
  g_assert_cmpuint (pg_policy_prune (policy, "d", now), ==, 2);
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Statement\":["
    "{\"Sid\":\"PresignGuardRevokedPut20261120\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":\"" SIGNER "\"},\"Action\":\"s3:PutObject\","
    "\"Resource\":\"arn:aws:s3:::d/x\"},"
    "{\"Sid\":\"Foreign20261101\",\"Effect\":\"Allow\"},"
    "{\"Sid\":\"PresignGuardRevokedGet20200102\",\"Effect\":\"Allow\","
    "\"Principal\":{\"AWS\":[\"" SIGNER "\"]},\"Action\":\"s3:GetObject\","
    "\"Resource\":[\"arn:aws:s3:::d/a\"]}]}");
  g_assert_cmpuint (pg_policy_prune (policy, "d", now), ==, 0);
}

/* Statements that carry one of our Sids but are not ours, one difference each. */
static const char *lookalikes[] = {
  /* An Allow: revoking must never turn into granting. */
  "{\"Sid\":\"PresignGuardRevokedGetDATE\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\""
  OTHER_SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/open\"]}",
  /* Another bucket's objects. */
  "{\"Sid\":\"PresignGuardRevokedGetDATE\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::other/k\"]}",
  /* Another action. */
  "{\"Sid\":\"PresignGuardRevokedPutDATE\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:DeleteObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"]}",
  /* A wildcard principal. */
  "{\"Sid\":\"PresignGuardRevokedGetDATE\",\"Effect\":\"Deny\",\"Principal\":\"*\","
  "\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"]}",
  /* A condition of somebody else's. */
  "{\"Sid\":\"PresignGuardRevokedGetDATE\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"],"
  "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}",
  /* A query-only Sid without its condition. */
  "{\"Sid\":\"PresignGuardRevokedGetQueryDATE\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"]}",
  /* A member we never write. */
  "{\"Sid\":\"PresignGuardRevokedGetDATE\",\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"]}",
  /* Lockdowns that allow, or cover less than the bucket. */
  "{\"Sid\":\"PresignGuardLockdownSigner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\""
  OTHER_SIGNER "\"]},\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
  "\"Resource\":\"arn:aws:s3:::demo/*\"}",
  "{\"Sid\":\"PresignGuardLockdownSigner\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
  "\"Resource\":\"arn:aws:s3:::demo/public/*\"}",
  "{\"Sid\":\"PresignGuardLockdownAny\",\"Effect\":\"Deny\",\"Principal\":\"*\","
  "\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::demo/*\","
  "\"Condition\":{\"StringEquals\":{\"s3:authType\":\"REST-QUERY-STRING\"},"
  "\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}",
  /* A Sid that only nearly reads as ours. */
  "{\"Sid\":\"PresignGuardRevokedGetDATEN1\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
  SIGNER "\"]},\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/k\"]}",
};

/* Lookalike @i dated @date. */
static char *
lookalike (guint       i,
           const char *date)
{
  GString *text = g_string_new (lookalikes[i]);

  g_string_replace (text, "DATE", date, 0);

  return g_string_free (text, FALSE);
}

/* A foreign statement with each lookalike Sid survives revoke, unrevoke, prune and lockdown
 * unchanged, dated today (the statement a revoke would join) and long ago (what prune drops). */
static void
test_policy_lookalikes (void)
{
  static const char *dates[] = { "20261128", "20200101" };

  for (guint d = 0; d < G_N_ELEMENTS (dates); d++)
    for (guint i = 0; i < G_N_ELEMENTS (lookalikes); i++)
      {
        g_autofree char *statement = lookalike (i, dates[d]);
        g_autofree char *document = g_strdup_printf ("{\"Statement\":[%s]}", statement);
        g_autoptr(JsonNode) original = parse (statement);
        g_autoptr(GError) error = NULL;
        g_autoptr(PgPolicy) policy = pg_policy_new (document, NULL, &error);
        g_autoptr(GDateTime) now = day (2026, 11, 28);
        g_autoptr(GDateTime) later = day (2026, 12, 30);
        g_autoptr(JsonNode) root = NULL;
        g_autofree char *json = NULL;
        JsonArray *statements;

        g_assert_no_error (error);
        g_assert_false (pg_policy_is_revoked (policy, "demo", "k", PG_POLICY_ACTION_GET, NULL));
        g_assert_false (pg_policy_is_revoked (policy, "demo", "open", PG_POLICY_ACTION_GET, NULL));
        g_assert_false (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));
        g_assert_false (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_ANY));

        g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER,
                                         FALSE, now, &error));
        g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER,
                                         TRUE, now, &error));
        g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_PUT, SIGNER,
                                         FALSE, now, &error));
        g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER,
                                               NULL, &error));
        g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, TRUE, SIGNER,
                                               NULL, &error));
        g_assert_no_error (error);
        g_assert_true (pg_policy_is_revoked (policy, "demo", "k", PG_POLICY_ACTION_GET, NULL));
        g_assert_true (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));
        g_assert_cmpuint (pg_policy_prune (policy, "demo", later), ==, 3);
        g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL,
                                               NULL, &error));
        g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, FALSE, NULL,
                                               NULL, &error));
        g_assert_false (pg_policy_unrevoke (policy, "demo", "open", PG_POLICY_ACTION_GET, SIGNER));

        /* Everything of ours is gone; the lookalike is exactly as it was. */
        json = pg_policy_to_json (policy, FALSE);
        root = parse (json);
        statements = json_object_get_array_member (json_node_get_object (root), "Statement");
        g_assert_cmpuint (json_array_get_length (statements), ==, 1);
        if (!json_node_equal (json_array_get_element (statements, 0), original))
          g_error ("lookalike %u (%s) changed: %s", i, dates[d], json);
      }
}

/* Our statement takes a variant of its Sid when a foreign one took the name first. */
static void
test_policy_sid_taken (void)
{
  g_autofree char *taken = lookalike (0, "20261128");
  g_autofree char *document = g_strdup_printf ("{\"Statement\":[%s]}", taken);
  g_autoptr(PgPolicy) policy = pg_policy_new (document, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *json = NULL;
  g_autofree char *again = NULL;

  g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER, FALSE,
                                   now, NULL));
  g_assert_true (pg_policy_revoke (policy, "demo", "k2", PG_POLICY_ACTION_GET, SIGNER, FALSE,
                                   now, NULL));
  json = pg_policy_to_json (policy, FALSE);
  g_assert_nonnull (strstr (json, "\"PresignGuardRevokedGet20261128N2\""));
  g_assert_true (pg_policy_is_revoked (policy, "demo", "k2", PG_POLICY_ACTION_GET, NULL));
  /* The variant is ours in every way: read back, it is joined, found and pruned. */
  {
    g_autoptr(PgPolicy) stored = pg_policy_new (json, NULL, NULL);
    g_autoptr(GDateTime) later = day (2026, 12, 30);

    g_assert_true (pg_policy_is_revoked (stored, "demo", "k", PG_POLICY_ACTION_GET, NULL));
    g_assert_cmpuint (pg_policy_prune (stored, "demo", later), ==, 1);
    again = pg_policy_to_json (stored, FALSE);
    assert_json_equal (again, document);
  }
}

/* AWS hands policies back with lists of one shortened to the value, and a lone statement
 * without its list: that is the same document, so nothing is written again. */
static void
test_policy_short_forms (void)
{
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autoptr(PgPolicy) stored = pg_policy_new (
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"PresignGuardRevokedGet20261128\","
    "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" SIGNER "\"},\"Action\":\"s3:GetObject\","
    "\"Resource\":\"arn:aws:s3:::demo/k\"}}", NULL, NULL);
  g_autoptr(PgPolicy) again = pg_policy_copy (stored);
  g_autoptr(PgPolicy) locked = pg_policy_new (
    "{\"Statement\":{\"Sid\":\"PresignGuardLockdownSigner\",\"Effect\":\"Deny\","
    "\"Principal\":{\"AWS\":\"" SIGNER "\"},\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
    "\"Resource\":\"arn:aws:s3:::demo/*\"}}", NULL, NULL);
  g_autoptr(PgPolicy) relocked = pg_policy_copy (locked);

  g_assert_true (pg_policy_revoke (again, "demo", "k", PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_equal (again, stored));
  g_assert_true (pg_policy_set_lockdown (relocked, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         NULL));
  g_assert_true (pg_policy_equal (relocked, locked));

  /* Switched off, a lone lockdown statement goes. */
  g_assert_true (pg_policy_get_lockdown (locked, "demo", PG_LOCKDOWN_SIGNER));
  g_assert_true (pg_policy_set_lockdown (locked, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL,
                                         NULL));
  g_assert_false (pg_policy_get_lockdown (locked, "demo", PG_LOCKDOWN_SIGNER));
  g_assert_true (pg_policy_is_empty (locked));
}

/* Invalid input is refused before anything changes. */
static void
test_policy_invalid_input (void)
{
  g_autofree char *long_key = g_strnfill (1025, 'k');
  g_autofree char *longest_key = g_strnfill (1024, 'k');
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  struct {
    const char *bucket;
    const char *key;
    const char *arn;
  } cases[] = {
    { "demo", "", SIGNER },
    { "demo", long_key, SIGNER },
    { "demo", "\xff\xfe", SIGNER },
    { "de", "k", SIGNER },
    { "demo bucket", "k", SIGNER },
    { "demo/x", "k", SIGNER },
    { "demo", "k", "AKIDEXAMPLE" },
    { "demo", "k", "arn:aws:iam::1" },
    { "demo", "k", "arn:aws:iam::1:user/a b" },
    { "demo", "k", "arn:aws:iam::1:user/\"x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pg_policy_revoke (policy, cases[i].bucket, cases[i].key,
                                        PG_POLICY_ACTION_GET, cases[i].arn, FALSE, now, &error));
      g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
      g_assert_true (pg_policy_is_empty (policy));
    }

  g_assert_true (pg_policy_revoke (policy, "demo", longest_key, PG_POLICY_ACTION_GET, SIGNER,
                                   FALSE, now, NULL));
  g_assert_true (pg_policy_arn_is_valid ("arn:aws:iam:::user/owner:presign"));
  g_assert_true (pg_policy_arn_is_valid ("arn:aws:sts::1:assumed-role/R/pg-1"));
}

/* A lockdown names the signer, and the signing role added by a second change: one statement,
 * both principals, the same again unchanged; switched off, it goes whole. */
static void
test_policy_lockdown_role (void)
{
  const char *role = "arn:aws:iam::123456789012:role/links";
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(PgPolicy) again = NULL;
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         &error));
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE, role, NULL,
                                         &error));
  g_assert_no_error (error);
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"PresignGuardLockdownSigner\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
    "arn:aws:iam::123456789012:role/links\",\"" SIGNER "\"]},"
    "\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
    "\"Resource\":[\"arn:aws:s3:::demo/*\",\"" MARK_DEMO "\"]}]}");
  g_assert_true (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));

  again = pg_policy_copy (policy);
  g_assert_true (pg_policy_set_lockdown (again, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         &error));
  g_assert_true (pg_policy_set_lockdown (again, "demo", PG_LOCKDOWN_SIGNER, TRUE, role, NULL,
                                         &error));
  g_assert_true (pg_policy_equal (policy, again));

  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL,
                                         &error));
  g_assert_false (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));
  g_assert_true (pg_policy_is_empty (policy));
}

static void
test_policy_lockdown (void)
{
  const char *exempt[] = { "arn:aws:iam::1:role/Admin*", "arn:aws:iam::1:user/boss", NULL };
  const char *bad_exempt[] = { "arn:aws:iam::123456789012:user/*", NULL };
  const char *not_arn[] = { "boss", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         &error));
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, TRUE, SIGNER, exempt,
                                         &error));
  g_assert_no_error (error);
  g_assert_true (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));
  g_assert_true (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_ANY));
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"PresignGuardLockdownSigner\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
    SIGNER "\"]},\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
    "\"Resource\":[\"arn:aws:s3:::demo/*\",\"" MARK_DEMO "\"]},"
    "{\"Sid\":\"PresignGuardLockdownAny\",\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
    "\"Resource\":[\"arn:aws:s3:::demo/*\",\"" MARK_DEMO "\"],"
    "\"Condition\":{\"StringEquals\":{\"s3:authType\":\"REST-QUERY-STRING\"},"
    "\"ArnNotLike\":{\"aws:PrincipalArn\":[\"arn:aws:iam::1:role/Admin*\","
    "\"arn:aws:iam::1:user/boss\"]}}}]}");

  /* Switching on again replaces in place; the signer can never be exempted. */
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, TRUE, SIGNER, NULL,
                                         &error));
  g_assert_false (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, TRUE, SIGNER,
                                          bad_exempt, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, TRUE, SIGNER,
                                          not_arn, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL,
                                         &error));
  g_assert_false (pg_policy_get_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER));
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_ANY, FALSE, NULL, NULL,
                                         &error));
  g_assert_true (pg_policy_is_empty (policy));
}

static void
test_policy_too_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *long_key = g_strnfill (900, 'k');
  guint n = 0;

  /* Fill up to the limit with long keys… */
  for (;; n++)
    {
      g_autofree char *key = g_strdup_printf ("%s/%u", long_key, n);

      if (!pg_policy_revoke (policy, "demo", key, PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                             &error))
        break;
    }
  g_assert_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "20480"));
  g_assert_cmpuint (n, >, 10);

  /* …and the refused change left the document exactly as it was, within the limit. */
  before = pg_policy_to_json (policy, FALSE);
  g_clear_error (&error);
  g_assert_false (pg_policy_revoke (policy, "demo", long_key, PG_POLICY_ACTION_PUT, SIGNER,
                                    FALSE, now, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE);
  after = pg_policy_to_json (policy, FALSE);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (strlen (after), <=, PG_POLICY_MAX_BYTES);
}

static void
test_policy_malformed (void)
{
  static const char *cases[] = { "{", "[]", "\"text\"", "{\"Statement\":\"x\"}", "{\"Statement\":3}",
                                 /* An escape JSON does not have, read by json-glib as a byte
                                  * that is not UTF-8 (found by fuzzing). */
                                 "{\"Statement\":[{\"Sid\":\"Revoked\\20261128\"}]}" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgPolicy) policy = pg_policy_new (cases[i], NULL, &error);

      g_assert_null (policy);
      g_assert_error (error, PG_ERROR, PG_ERROR_FAILED);
    }
}

static void
test_policy_bad_signer (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);

  g_assert_false (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, "AKIDEXAMPLE",
                                    FALSE, now, &error));
  g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  g_assert_true (pg_policy_is_empty (policy));
}

/* ---- Property test ------------------------------------------------------------------------ */

static JsonNode *
take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

static JsonNode *
take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);

  return node;
}

static const char *random_words[] = {
  "Allow", "Deny", "s3:GetObject", "s3:PutObject", "s3:ListBucket", "*", "arn:aws:s3:::demo/*",
  "arn:aws:iam:::user/alice", "PresignGuard", "presignguard", "10.0.0.0/8", "日本語", "a\"b",
};

static JsonNode *random_value (GRand *rand, int depth);

static JsonNode *
random_object (GRand *rand,
               int    depth)
{
  JsonObject *object = json_object_new ();
  guint n = g_rand_int_range (rand, 0, 4);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s%u",
                                               random_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (random_words))], i);

      json_object_set_member (object, name, random_value (rand, depth + 1));
    }

  return take_object (object);
}

static JsonNode *
random_value (GRand *rand,
              int    depth)
{
  switch (depth > 2 ? g_rand_int_range (rand, 0, 4) : g_rand_int_range (rand, 0, 6))
    {
    case 0:
      return json_node_init_string (json_node_alloc (),
                                    random_words[g_rand_int_range (rand, 0, G_N_ELEMENTS (random_words))]);
    case 1:
      return json_node_init_int (json_node_alloc (), g_rand_int_range (rand, -5, 100000));
    case 2:
      return json_node_init_boolean (json_node_alloc (), g_rand_boolean (rand));
    case 3:
      return json_node_init_null (json_node_alloc ());
    case 4:
      {
        JsonArray *array = json_array_new ();
        guint n = g_rand_int_range (rand, 0, 4);

        for (guint i = 0; i < n; i++)
          json_array_add_element (array, random_value (rand, depth + 1));
        return take_array (array);
      }
    default:
      return random_object (rand, depth);
    }
}

static JsonNode *
random_foreign_statement (GRand *rand,
                          guint  index)
{
  static const char *members[] = { "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                   "Resource", "NotResource", "Condition", "X-Custom" };
  JsonObject *statement;

  /* One of the lookalikes of our statements, dated within the weeks the operations span. */
  if (g_rand_int_range (rand, 0, 4) == 0)
    {
      g_autofree char *date = g_strdup_printf ("202601%02d", g_rand_int_range (rand, 1, 32));
      g_autofree char *text = lookalike (g_rand_int_range (rand, 0, G_N_ELEMENTS (lookalikes)),
                                         g_rand_boolean (rand) ? date : "20200101");

      return parse (text);
    }

  statement = json_object_new ();

  /* Sids that are not ours, or ours on a statement of another shape; sometimes none, sometimes
   * not a string. */
  switch (g_rand_int_range (rand, 0, 6))
    {
    case 0:
      break;
    case 1:
      json_object_set_string_member (statement, "Sid", "presignguardRevokedGet20261128");
      break;
    case 2:
      json_object_set_string_member (statement, "Sid", g_rand_boolean (rand)
                                                       ? "PresignGuardRevokedGet20260103"
                                                       : "PresignGuardLockdownSigner");
      break;
    case 3:
      json_object_set_int_member (statement, "Sid", index);
      break;
    default:
      {
        g_autofree char *sid = g_strdup_printf ("Foreign%u", index);

        json_object_set_string_member (statement, "Sid", sid);
      }
    }

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      if (g_rand_boolean (rand))
        json_object_set_member (statement, members[i], random_value (rand, 1));
    }

  return take_object (statement);
}

typedef struct
{
  GHashTable *resources;   /* "Sid|principal" → GHashTable set of resource ARNs: each principal
                            * has statements of its own */
  GHashTable *principals;  /* "Sid|principal" → GHashTable set of the one principal ARN */
  gboolean    lockdown[2];
} Model;

static GHashTable *
set_for (GHashTable *table,
         const char *sid)
{
  GHashTable *set = g_hash_table_lookup (table, sid);

  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (table, g_strdup (sid), set);
    }

  return set;
}

static void
model_prune (Model     *model,
             GDateTime *now)
{
  g_autoptr(GDateTime) oldest_day = g_date_time_add_days (now, -PG_POLICY_PRUNE_DAYS);
  g_autofree char *oldest = g_date_time_format (oldest_day, "%Y%m%d");
  GHashTableIter iter;
  const char *sid;

  g_hash_table_iter_init (&iter, model->resources);
  while (g_hash_table_iter_next (&iter, (gpointer *) &sid, NULL))
    {
      if (strncmp (strchr (sid, '|') - 8, oldest, 8) < 0)
        {
          g_hash_table_remove (model->principals, sid);
          g_hash_table_iter_remove (&iter);
        }
    }
}

/* Checks the document against the original foreign statements and the model. */
static void
check_policy (PgPolicy   *policy,
              JsonNode   *original,
              GPtrArray  *foreign,
              Model      *model)
{
  g_autofree char *json = pg_policy_to_json (policy, FALSE);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GRegex) variant_suffix = g_regex_new ("N[0-9]+$", 0, 0, NULL);
  JsonNode *statement_node;
  JsonArray *statements = NULL;
  guint foreign_seen = 0;

  if (json == NULL)
    {
      g_assert_cmpuint (foreign->len, ==, 0);
      g_assert_cmpuint (g_hash_table_size (model->resources), ==, 0);
      g_assert_false (model->lockdown[0] || model->lockdown[1]);
      return;
    }

  g_assert_cmpuint (strlen (json), <=, PG_POLICY_MAX_BYTES);
  root = parse (json);

  /* Every top-level member but the statements is untouched — as long as the document was
   * never deleted, which happens only when no statement at all is left. */
  if (original != NULL && foreign->len > 0)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (original));
      while (json_object_iter_next (&iter, &name, &value))
        {
          JsonNode *now = json_object_get_member (json_node_get_object (root), name);

          if (strcmp (name, "Statement") != 0)
            g_assert_true (now != NULL && json_node_equal (value, now));
        }
    }

  statement_node = json_object_get_member (json_node_get_object (root), "Statement");
  g_assert_nonnull (statement_node);
  if (JSON_NODE_HOLDS_OBJECT (statement_node))
    {
      statements = json_array_new ();
      json_array_add_element (statements, json_node_copy (statement_node));
    }
  else
    {
      statements = json_array_ref (json_node_get_array (statement_node));
    }

  for (guint i = 0; i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *sid = object && json_object_has_member (object, "Sid")
                        && json_node_get_value_type (json_object_get_member (object, "Sid")) == G_TYPE_STRING
                        ? json_object_get_string_member (object, "Sid") : NULL;

      g_autofree char *base = NULL;

      /* Foreign statements, lookalikes of ours among them: the same values in the same order. */
      if (foreign_seen < foreign->len
          && json_node_equal (node, g_ptr_array_index (foreign, foreign_seen)))
        {
          foreign_seen++;
          continue;
        }

      /* Anything else is ours, in exactly our shape. A Sid a foreign statement took first is
       * written as a variant of it ("…N2"); the model knows the Sid it is a variant of. */
      g_assert_nonnull (sid);
      g_assert_true (g_str_has_prefix (sid, "PresignGuard"));
      g_assert_cmpstr (json_object_get_string_member (object, "Effect"), ==, "Deny");
      base = g_regex_replace (variant_suffix, sid, -1, 0, "", 0, NULL);

      if (g_str_has_prefix (base, "PresignGuardLockdown"))
        {
          g_assert_false (g_hash_table_contains (seen, base));
          g_hash_table_add (seen, g_strdup (base));
          g_assert_true (model->lockdown[strcmp (base, "PresignGuardLockdownSigner") == 0 ? 0 : 1]);
          continue;
        }

      {
        JsonArray *resources = json_object_get_array_member (object, "Resource");
        JsonArray *principals = json_object_get_array_member (json_object_get_object_member (object, "Principal"), "AWS");
        g_autofree char *key = NULL;
        GHashTable *expected;
        GHashTable *expected_principals;

        /* One principal per statement of revocations: a statement denies each of its principals
         * each of its objects, so a shared one would deny more than was revoked. */
        g_assert_cmpuint (json_array_get_length (principals), ==, 1);
        key = g_strconcat (base, "|", json_array_get_string_element (principals, 0), NULL);
        g_assert_false (g_hash_table_contains (seen, key));
        g_hash_table_add (seen, g_strdup (key));
        expected = g_hash_table_lookup (model->resources, key);
        expected_principals = g_hash_table_lookup (model->principals, key);

        g_assert_nonnull (expected);
        g_assert_cmpstr (json_object_get_string_member (object, "Action"), ==,
                         strstr (base, "Get") ? "s3:GetObject" : "s3:PutObject");
        /* Every statement we write carries our marker besides its objects. */
        g_assert_cmpuint (json_array_get_length (resources), ==, g_hash_table_size (expected) + 1);
        for (guint r = 0; r < json_array_get_length (resources); r++)
          g_assert_true (g_str_equal (json_array_get_string_element (resources, r), MARK_DEMO)
                         || g_hash_table_contains (expected, json_array_get_string_element (resources, r)));
        g_assert_cmpuint (json_array_get_length (principals), ==, g_hash_table_size (expected_principals));
        for (guint p = 0; p < json_array_get_length (principals); p++)
          g_assert_true (g_hash_table_contains (expected_principals, json_array_get_string_element (principals, p)));
        g_assert_cmpint (json_object_has_member (object, "Condition"), ==, strstr (sid, "Query") != NULL);
      }
    }

  g_assert_cmpuint (foreign_seen, ==, foreign->len);
  g_assert_cmpuint (g_hash_table_size (seen), ==,
                    g_hash_table_size (model->resources) + model->lockdown[0] + model->lockdown[1]);
  json_array_unref (statements);
}

static void
test_policy_property (void)
{
  static const char *keys[] = { "a.txt", "dir/b c.pdf", "日本語.xlsx", "x*y", "q?", "$v", "k/" };
  static const char *signers[] = { SIGNER, OTHER_SIGNER };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);
  guint policies = g_test_thorough () ? 5000 : 1000;

  for (guint p = 0; p < policies; p++)
    {
      g_autoptr(GPtrArray) foreign = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
      g_autoptr(JsonNode) original = NULL;
      g_autoptr(PgPolicy) policy = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GDateTime) now = day (2026, 1, 1);
      g_autofree char *original_json = NULL;
      Model model = {
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref),
        g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref),
        { FALSE, FALSE },
      };
      guint n_foreign = g_rand_int_range (rand, 0, 6);
      guint n_ops = g_rand_int_range (rand, 1, 16);

      /* A foreign policy: sometimes none at all, sometimes a lone statement object. */
      if (n_foreign > 0 || g_rand_boolean (rand))
        {
          JsonObject *root = json_object_new ();

          if (g_rand_boolean (rand))
            json_object_set_string_member (root, "Version", "2012-10-17");
          if (g_rand_boolean (rand))
            json_object_set_string_member (root, "Id", "Policy1234");
          if (g_rand_int_range (rand, 0, 4) == 0)
            json_object_set_member (root, "X-Extra", random_value (rand, 1));

          for (guint i = 0; i < n_foreign; i++)
            g_ptr_array_add (foreign, random_foreign_statement (rand, i));

          if (n_foreign == 1 && g_rand_boolean (rand))
            {
              json_object_set_member (root, "Statement", json_node_copy (foreign->pdata[0]));
            }
          else
            {
              JsonArray *array = json_array_new ();

              for (guint i = 0; i < n_foreign; i++)
                json_array_add_element (array, json_node_copy (foreign->pdata[i]));
              json_object_set_array_member (root, "Statement", array);
            }

          original = take_object (root);
          original_json = json_to_string (original, FALSE);
        }

      policy = pg_policy_new (original_json, NULL, &error);
      g_assert_no_error (error);

      for (guint op = 0; op < n_ops; op++)
        {
          const char *key = keys[g_rand_int_range (rand, 0, G_N_ELEMENTS (keys))];
          PgPolicyAction action = g_rand_boolean (rand) ? PG_POLICY_ACTION_GET : PG_POLICY_ACTION_PUT;
          const char *signer = signers[g_rand_int_range (rand, 0, 2)];
          g_autofree char *resource = pg_policy_object_arn ("aws", "demo", key, TRUE);

          /* Time moves on by 0 to 4 days between operations. */
          {
            GDateTime *later = g_date_time_add_days (now, g_rand_int_range (rand, 0, 5));

            g_date_time_unref (now);
            now = later;
          }

          switch (g_rand_int_range (rand, 0, 5))
            {
            case 0:
            case 1:
              {
                gboolean same = g_rand_int_range (rand, 0, 4) == 0;
                g_autofree char *date = g_date_time_format (now, "%Y%m%d");
                g_autofree char *sid = g_strconcat ("PresignGuardRevoked",
                                                    action == PG_POLICY_ACTION_GET ? "Get" : "Put",
                                                    same ? "Query" : "", date, NULL);

                g_autofree char *model_key = g_strconcat (sid, "|", signer, NULL);

                g_assert_true (pg_policy_revoke (policy, "demo", key, action, signer, same, now,
                                                 &error));
                g_assert_no_error (error);
                model_prune (&model, now);
                g_hash_table_add (set_for (model.resources, model_key), g_strdup (resource));
                g_hash_table_add (set_for (model.principals, model_key), g_strdup (signer));
              }
              break;
            case 2:
              {
                GHashTableIter iter;
                const char *sid;
                GHashTable *set;

                pg_policy_unrevoke (policy, "demo", key, action, signer);
                g_hash_table_iter_init (&iter, model.resources);
                while (g_hash_table_iter_next (&iter, (gpointer *) &sid, (gpointer *) &set))
                  {
                    if (strstr (sid, action == PG_POLICY_ACTION_GET ? "Get" : "Put") == NULL
                        || strcmp (strchr (sid, '|') + 1, signer) != 0)
                      continue;
                    g_hash_table_remove (set, resource);
                    if (g_hash_table_size (set) == 0)
                      {
                        g_hash_table_remove (model.principals, sid);
                        g_hash_table_iter_remove (&iter);
                      }
                  }
              }
              break;
            case 3:
              pg_policy_prune (policy, "demo", now);
              model_prune (&model, now);
              break;
            default:
              {
                PgLockdownMode mode = g_rand_boolean (rand) ? PG_LOCKDOWN_SIGNER : PG_LOCKDOWN_ANY;
                gboolean enabled = g_rand_boolean (rand);
                const char *exempt[] = { "arn:aws:iam::1:role/Admin", NULL };

                g_assert_true (pg_policy_set_lockdown (policy, "demo", mode, enabled, signer,
                                                       g_rand_boolean (rand) ? exempt : NULL,
                                                       &error));
                g_assert_no_error (error);
                model.lockdown[mode == PG_LOCKDOWN_SIGNER ? 0 : 1] = enabled;
              }
            }

          /* Through S3 and back: serialise and parse, as a stored policy would be. */
          {
            g_autofree char *stored = pg_policy_to_json (policy, FALSE);

            check_policy (policy, original, foreign, &model);
            pg_policy_free (policy);
            policy = pg_policy_new (stored, NULL, &error);
            g_assert_no_error (error);
          }
        }

      g_hash_table_unref (model.resources);
      g_hash_table_unref (model.principals);
    }
}

#define ROLE "arn:aws:iam::123456789012:role/presign-guard-links"

static char *
session_arn (void)
{
  g_autofree char *id = g_uuid_string_random ();

  return g_strdup_printf ("arn:aws:sts::123456789012:assumed-role/presign-guard-links/pg-%s",
                          id);
}

/* Revocations stop short of the limit: the lockdown of the signer and the signing role still
 * fits on a policy they filled. Session links are merged: hundreds fit. */
static void
test_policy_capacity (void)
{
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autoptr(PgPolicy) files = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(PgPolicy) sessions = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  guint n_files = 0;
  guint n_sessions = 0;

  g_assert_true (pg_policy_guard_folder (files, "demo", SIGNER, &error));
  for (;; n_files++)
    {
      g_autofree char *key = g_strdup_printf ("f/%05u", n_files);

      if (!pg_policy_revoke (files, "demo", key, PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                             &error))
        break;
    }
  g_assert_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE);
  g_clear_error (&error);
  g_test_message ("%u revoked files of 7-character keys fit", n_files);
  g_assert_cmpuint (n_files, >, 500);
  g_assert_true (pg_policy_set_lockdown (files, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         &error));
  g_assert_true (pg_policy_set_lockdown (files, "demo", PG_LOCKDOWN_SIGNER, TRUE, ROLE, NULL,
                                         &error));
  g_assert_true (pg_policy_guard_folder (files, "demo", ROLE, &error));
  g_assert_no_error (error);
  json = pg_policy_to_json (files, FALSE);
  g_assert_cmpuint (strlen (json), <=, PG_POLICY_MAX_BYTES);
  g_assert_cmpuint (pg_policy_count_ours (files, "demo"), ==, 3);

  for (;; n_sessions++)
    {
      g_autofree char *arn = session_arn ();

      if (!pg_policy_revoke (sessions, "demo", "x", PG_POLICY_ACTION_GET, arn, FALSE, now,
                             &error))
        break;
    }
  g_assert_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE);
  g_clear_error (&error);
  g_test_message ("%u revoked session links fit", n_sessions);
  g_assert_cmpuint (n_sessions, >=, 500);
  g_assert_true (pg_policy_set_lockdown (sessions, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER,
                                         NULL, &error));
  g_assert_true (pg_policy_set_lockdown (sessions, "demo", PG_LOCKDOWN_SIGNER, TRUE, ROLE, NULL,
                                         &error));
  g_assert_no_error (error);
}

/* Revoked session links share one statement per window of end times; each is found, and lifted
 * alone. */
static void
test_policy_sessions_merged (void)
{
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  const char *a = "arn:aws:sts::1:assumed-role/links/pg-0a1b2c3d-4e5f-4a6b-8c7d-001122334455";
  const char *b = "arn:aws:sts::1:assumed-role/links/pg-99887766-5544-4a6b-8c7d-001122334455";
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_is_link_session (a));
  g_assert_false (pg_policy_is_link_session (SIGNER));
  g_assert_false (pg_policy_is_link_session ("arn:aws:sts::1:assumed-role/links/pg-lockdown"));
  g_assert_false (pg_policy_is_link_session ("arn:aws:sts::1:assumed-role/Admin/alice"));
  g_assert_true (pg_policy_revoke (policy, "demo", "x", PG_POLICY_ACTION_GET, a, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_revoke (policy, "demo", "y", PG_POLICY_ACTION_GET, b, FALSE, now,
                                   NULL));
  json = pg_policy_to_json (policy, FALSE);
  /* 10:30 plus 13 hours, rounded up to 4-hour windows: 2026-11-29 00:00. */
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
    "\"PresignGuardRevokedSessionsUntil2026112900\",\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/*\",\"" MARK_DEMO "\"],"
    "\"Condition\":{\"StringLike\":{\"aws:userid\":[\"*:pg-0a1b2c3d-4e5f*\","
    "\"*:pg-99887766-5544*\"]}}}]}");
  g_assert_true (pg_policy_is_revoked (policy, "demo", "x", PG_POLICY_ACTION_GET, a));
  g_assert_true (pg_policy_is_revoked (policy, "demo", "y", PG_POLICY_ACTION_GET, b));
  g_assert_true (pg_policy_unrevoke (policy, "demo", "x", PG_POLICY_ACTION_GET, a));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "x", PG_POLICY_ACTION_GET, a));
  g_assert_true (pg_policy_is_revoked (policy, "demo", "y", PG_POLICY_ACTION_GET, b));
  g_assert_true (pg_policy_unrevoke (policy, "demo", "y", PG_POLICY_ACTION_GET, b));
  g_assert_true (pg_policy_is_empty (policy));
}

/* A sessions' statement goes on the first write after its links have all expired. */
static void
test_policy_sessions_expire (void)
{
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autoptr(GDateTime) soon = g_date_time_add_hours (now, 12);
  g_autoptr(GDateTime) later = g_date_time_add_hours (now, 14);
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  const char *a = "arn:aws:sts::1:assumed-role/links/pg-0a1b2c3d-4e5f-4a6b-8c7d-001122334455";
  const char *b = "arn:aws:sts::1:assumed-role/links/pg-99887766-5544-4a6b-8c7d-001122334455";

  g_assert_true (pg_policy_revoke (policy, "demo", "x", PG_POLICY_ACTION_GET, a, FALSE, now,
                                   NULL));
  g_assert_cmpuint (pg_policy_prune_expired (policy, "demo", soon), ==, 0);
  /* The next revoke, 14 hours on: the first link's statement is gone, a new one holds b. */
  g_assert_true (pg_policy_revoke (policy, "demo", "y", PG_POLICY_ACTION_GET, b, FALSE, later,
                                   NULL));
  g_assert_false (pg_policy_is_revoked (policy, "demo", "x", PG_POLICY_ACTION_GET, a));
  g_assert_true (pg_policy_is_revoked (policy, "demo", "y", PG_POLICY_ACTION_GET, b));
  g_assert_cmpuint (pg_policy_count_ours (policy, "demo"), ==, 1);
}

/* Without our marker, a statement in exactly our format is foreign to every write: an unrelated
 * revoke never prunes or joins it. Only the explicit prune takes what earlier versions wrote. */
static void
test_policy_marker (void)
{
  const char *copy =
    "{\"Statement\":["
    DENY_GET ("PresignGuardRevokedGet20200101", "arn:aws:s3:::demo/old") ","
    DENY_GET ("PresignGuardRevokedGet20261128", "arn:aws:s3:::demo/today") ","
    "{\"Sid\":\"PresignGuardRevokedSessionsUntil2020010100\",\"Effect\":\"Deny\","
    "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::demo/*\"],"
    "\"Condition\":{\"StringLike\":{\"aws:userid\":[\"*:pg-1*\"]}}},"
    "{\"Sid\":\"PresignGuardSignersMayNotWrite\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\""
    SIGNER "\"]},\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\"],"
    "\"Resource\":[\"arn:aws:s3:::demo/.presign-guard/*\"]}]}";
  g_autoptr(PgPolicy) policy = pg_policy_new (copy, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  const char *a = "arn:aws:sts::1:assumed-role/links/pg-0a1b2c3d-4e5f-4a6b-8c7d-001122334455";
  g_autoptr(JsonNode) original = parse (copy);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  JsonArray *before = json_object_get_array_member (json_node_get_object (original),
                                                    "Statement");
  JsonArray *after;

  g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_revoke (policy, "demo", "x", PG_POLICY_ACTION_GET, a, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_guard_folder (policy, "demo", SIGNER, NULL));
  json = pg_policy_to_json (policy, FALSE);
  root = parse (json);
  after = json_object_get_array_member (json_node_get_object (root), "Statement");
  g_assert_cmpuint (json_array_get_length (after), ==, 7);
  for (guint i = 0; i < json_array_get_length (before); i++)
    g_assert_true (json_node_equal (json_array_get_element (before, i),
                                    json_array_get_element (after, i)));
  /* Ours: the new revocation, the sessions' statement, the guard; the lookalikes of the new
   * kinds are foreign, the two of the old format are what earlier versions wrote. */
  g_assert_cmpuint (pg_policy_count_ours (policy, "demo"), ==, 5);
  g_assert_cmpuint (pg_policy_prune (policy, "demo", now), ==, 1);
  g_assert_true (pg_policy_is_revoked (policy, "demo", "today", PG_POLICY_ACTION_GET, SIGNER));
}

/* Our standing statement stays through every edit; it goes with the last other one of ours. */
static void
test_policy_guard_kept (void)
{
  g_autoptr(PgPolicy) policy = pg_policy_new (NULL, NULL, NULL);
  g_autoptr(GDateTime) now = day (2026, 11, 28);
  g_autoptr(GDateTime) later = day (2026, 12, 30);
  const char *a = "arn:aws:sts::1:assumed-role/links/pg-0a1b2c3d-4e5f-4a6b-8c7d-001122334455";
  g_autofree char *json = NULL;

  g_assert_true (pg_policy_guard_folder (policy, "demo", SIGNER, NULL));
  g_assert_true (pg_policy_guard_folder (policy, "demo", ROLE, NULL));
  g_assert_true (pg_policy_guard_folder (policy, "demo", SIGNER, NULL));
  json = pg_policy_to_json (policy, FALSE);
  assert_json_equal (json,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PresignGuardSignersMayNotWrite\","
    "\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"" SIGNER "\",\"" ROLE "\"]},"
    "\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\"],"
    "\"Resource\":[\"arn:aws:s3:::demo/.presign-guard/*\",\"" MARK_DEMO "\"]}]}");

  g_assert_true (pg_policy_revoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_revoke (policy, "demo", "x", PG_POLICY_ACTION_GET, a, FALSE, now,
                                   NULL));
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, TRUE, SIGNER, NULL,
                                         NULL));
  g_assert_true (pg_policy_set_lockdown (policy, "demo", PG_LOCKDOWN_SIGNER, FALSE, NULL, NULL,
                                         NULL));
  g_assert_false (pg_policy_release_guard (policy, "demo"));
  g_assert_true (pg_policy_unrevoke (policy, "demo", "k", PG_POLICY_ACTION_GET, SIGNER));
  g_assert_false (pg_policy_release_guard (policy, "demo"));
  g_assert_cmpuint (pg_policy_prune (policy, "demo", later), ==, 1);
  g_assert_true (pg_policy_get_guard (policy, "demo", SIGNER));
  g_assert_true (pg_policy_get_guard (policy, "demo", ROLE));
  g_assert_true (pg_policy_release_guard (policy, "demo"));
  g_assert_true (pg_policy_is_empty (policy));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/policy/revoke-on-empty", test_policy_revoke_on_empty);
  g_test_add_func ("/pg/policy/principals-apart", test_policy_principals_apart);
  g_test_add_func ("/pg/policy/same-identity", test_policy_same_identity);
  g_test_add_func ("/pg/policy/wildcards-escaped", test_policy_wildcards_escaped);
  g_test_add_func ("/pg/policy/merge/keeps-foreign", test_policy_keeps_foreign);
  g_test_add_func ("/pg/policy/prune", test_policy_prune);
  g_test_add_func ("/pg/policy/lookalikes", test_policy_lookalikes);
  g_test_add_func ("/pg/policy/sid-taken", test_policy_sid_taken);
  g_test_add_func ("/pg/policy/invalid-input", test_policy_invalid_input);
  g_test_add_func ("/pg/policy/short-forms", test_policy_short_forms);
  g_test_add_func ("/pg/policy/lockdown", test_policy_lockdown);
  g_test_add_func ("/pg/policy/lockdown-role", test_policy_lockdown_role);
  g_test_add_func ("/pg/policy/too-large", test_policy_too_large);
  g_test_add_func ("/pg/policy/malformed", test_policy_malformed);
  g_test_add_func ("/pg/policy/bad-signer", test_policy_bad_signer);
  g_test_add_func ("/pg/policy/property", test_policy_property);
  g_test_add_func ("/pg/policy/capacity", test_policy_capacity);
  g_test_add_func ("/pg/policy/sessions/merged", test_policy_sessions_merged);
  g_test_add_func ("/pg/policy/sessions/expire", test_policy_sessions_expire);
  g_test_add_func ("/pg/policy/marker/foreign-lookalike", test_policy_marker);
  g_test_add_func ("/pg/policy/guard/kept", test_policy_guard_kept);

  return g_test_run ();
}
