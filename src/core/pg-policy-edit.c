/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-policy"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-policy-private.h"

/* The edits of a bucket policy: revoke, unrevoke, lockdown, prune. Each touches only statements
 * that are ours by Sid *and* shape (see pg-policy.c); a change that fails or would not fit into
 * a bucket policy leaves the document exactly as it was. */

static char *
format_day (GDateTime *now,
            int        days_back)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);
  g_autoptr(GDateTime) day = g_date_time_add_days (utc, -days_back);

  return g_date_time_format (day, "%Y%m%d");
}

/* Member @name of @object as an array, converting a single string into a one-element array. */
static JsonArray *
string_list_member (JsonObject *object,
                    const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      JsonArray *array = json_array_new ();

      json_array_add_string_element (array, json_node_get_string (node));
      json_object_set_array_member (object, name, array);
    }
  else if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      json_object_set_array_member (object, name, json_array_new ());
    }

  return json_object_get_array_member (object, name);
}

/* Whether a string (or list of strings) member holds @value; the document is not changed. */
static gboolean
string_member_contains (JsonObject *object,
                        const char *name,
                        const char *value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    return g_strcmp0 (json_node_get_string (node), value) == 0;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (node), i);

      if (JSON_NODE_HOLDS_VALUE (element) && g_strcmp0 (json_node_get_string (element), value) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
string_list_add (JsonArray  *array,
                 const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
        return;
    }

  json_array_add_string_element (array, value);
}

static gboolean
string_list_remove (JsonArray  *array,
                    const char *value)
{
  gboolean removed = FALSE;

  for (guint i = 0; i < json_array_get_length (array);)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && g_strcmp0 (json_node_get_string (node), value) == 0)
        {
          json_array_remove_element (array, i);
          removed = TRUE;
        }
      else
        {
          i++;
        }
    }

  return removed;
}

/* The principals of one of our statements. */
static JsonArray *
principals_of (JsonObject *statement)
{
  return string_list_member (json_object_get_object_member (statement, "Principal"), "AWS");
}

/* Whether our statement names @arn alone (as a string, or a list of one); it is not changed. */
static gboolean
names_only (JsonObject *statement,
            const char *arn)
{
  JsonNode *node = json_object_get_member (json_object_get_object_member (statement, "Principal"),
                                           "AWS");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    return g_strcmp0 (json_node_get_string (node), arn) == 0;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
         && json_array_get_length (json_node_get_array (node)) == 1
         && string_member_contains (json_object_get_object_member (statement, "Principal"),
                                    "AWS", arn);
}

static JsonObject *
signer_principal (const char *signer_arn)
{
  JsonObject *principal = json_object_new ();
  JsonArray *arns = json_array_new ();

  json_array_add_string_element (arns, signer_arn);
  json_object_set_array_member (principal, "AWS", arns);

  return principal;
}

static JsonObject *
query_string_condition (void)
{
  JsonObject *condition = json_object_new ();
  JsonObject *equals = json_object_new ();

  json_object_set_string_member (equals, "s3:authType", "REST-QUERY-STRING");
  json_object_set_object_member (condition, "StringEquals", equals);

  return condition;
}

/* Whether the document leaves @room bytes of a bucket policy free. */
static gboolean
check_room (PgPolicy  *self,
            gsize      room,
            GError   **error)
{
  g_autofree char *json = NULL;
  gsize size;

  if (room == 0)
    return pg_policy_check_size (self, error);

  json = pg_policy_to_json (self, FALSE);
  size = json ? strlen (json) : 0;
  if (size + room > PG_POLICY_MAX_BYTES)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE,
                   _("The bucket policy would grow to %zu bytes, too close to the %d that S3 "
                     "allows: the last %zu are kept free so that every link of the bucket can "
                     "still be blocked (lockdown). Nothing was changed. Revocations are removed "
                     "by themselves once their links have expired."),
                   size, PG_POLICY_MAX_BYTES, room);
      return FALSE;
    }

  return TRUE;
}

/* Runs @edit; the result replaces the document only when it succeeds and leaves @room bytes of
 * a bucket policy free. */
typedef gboolean (*EditFunc) (PgPolicy *self, gpointer data, GError **error);

static gboolean
edit_checked (PgPolicy  *self,
              EditFunc   edit,
              gpointer   data,
              gsize      room,
              GError   **error)
{
  g_autoptr(PgPolicy) backup = pg_policy_copy (self);

  if (!edit (self, data, error) || !check_room (self, room, error))
    {
      JsonNode *changed = self->root;

      self->root = g_steal_pointer (&backup->root);
      backup->root = changed;
      return FALSE;
    }

  return TRUE;
}

static gboolean
variant_exhausted (const char  *base,
                   GError     **error)
{
  g_set_error (error, PG_ERROR, PG_ERROR_CONFLICT,
               _("The bucket policy has too many statements named like “%s” that Presign Guard "
                 "did not write. Nothing was changed."), base);
  return FALSE;
}

/* ---- Revoke ------------------------------------------------------------------------------ */

typedef struct
{
  const char     *bucket;
  const char     *key;
  PgPolicyAction  action;
  const char     *signer_arn;
  gboolean        same_identity;
  GDateTime      *now;
} RevokeArgs;

/* Whether a statement of ours dated @day denies @arn @action on @resource. */
static gboolean
revoked_on (PgPolicy       *self,
            const char     *bucket,
            const char     *resource,
            PgPolicyAction  action,
            gboolean        query_only,
            const char     *arn,
            const char     *day)
{
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, bucket, &ours) && ours.kind == OURS_REVOKED
          && ours.action == action && ours.query_only == query_only
          && g_str_equal (ours.date, day)
          && string_member_contains (json_node_get_object (node), "Resource", resource)
          && string_member_contains (json_object_get_object_member (json_node_get_object (node),
                                                                    "Principal"),
                                     "AWS", arn))
        return TRUE;
    }

  return FALSE;
}

static gboolean
revoke_edit (PgPolicy  *self,
             gpointer   data,
             GError   **error)
{
  RevokeArgs *args = data;
  g_autofree char *day = format_day (args->now, 0);
  g_autofree char *resource = pg_policy_object_arn (self->partition, args->bucket, args->key,
                                                    self->literal);
  g_autoptr(JsonArray) statements = NULL;
  g_autofree char *marker = _pg_policy_marker (self, args->bucket);
  JsonObject *statement = NULL;

  pg_policy_prune_expired (self, args->bucket, args->now);

  /* Revoked today already, by a statement an earlier version wrote: it lasts as long. */
  if (revoked_on (self, args->bucket, resource, args->action, args->same_identity,
                  args->signer_arn, day))
    return TRUE;

  statements = _pg_policy_get_statements (self, TRUE);

  /* A principal's revocations of the day share one statement of ours (never one that an
   * earlier version wrote: only explicit commands touch those). Another principal (another
   * signer, a link's own session) gets a statement of its own: a statement denies each of its
   * principals each of its objects, so sharing one would revoke more than was asked. */
  for (guint i = 0; statement == NULL && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, args->bucket, &ours) && ours.marked
          && ours.kind == OURS_REVOKED && ours.action == args->action
          && ours.query_only == args->same_identity && g_str_equal (ours.date, day)
          && names_only (json_node_get_object (node), args->signer_arn))
        statement = json_node_get_object (node);
    }

  if (statement == NULL)
    {
      g_autofree char *base = g_strconcat (SID_REVOKED,
                                           args->action == PG_POLICY_ACTION_GET ? "Get" : "Put",
                                           args->same_identity ? QUERY_TAG : "", day, NULL);
      g_autofree char *sid = _pg_policy_free_sid (statements, base);
      JsonArray *resources = json_array_new ();

      if (sid == NULL)
        return variant_exhausted (base, error);

      statement = json_object_new ();
      json_object_set_string_member (statement, "Sid", sid);
      json_object_set_string_member (statement, "Effect", "Deny");
      json_object_set_object_member (statement, "Principal", signer_principal (args->signer_arn));
      json_object_set_string_member (statement, "Action", _pg_policy_action_name (args->action));
      json_array_add_string_element (resources, marker);
      json_array_add_string_element (resources, resource);
      json_object_set_array_member (statement, "Resource", resources);
      if (args->same_identity)
        json_object_set_object_member (statement, "Condition", query_string_condition ());
      json_array_add_object_element (statements, statement);
      return TRUE;
    }

  string_list_add (string_list_member (statement, "Resource"), resource);

  return TRUE;
}

/* ---- Links signed in sessions of their own ------------------------------------------------ */

/**
 * pg_policy_is_link_session:
 *
 * Whether @principal_arn is a link's own session: a session of the signing role, or (AWS) a
 * federated user, named pg-<link id>. Such a session signs one link and nothing else, so its
 * revocation denies it every object and is merged with other sessions' (see pg-policy.c).
 */
gboolean
pg_policy_is_link_session (const char *principal_arn)
{
  const char *name;

  if (principal_arn == NULL
      || (strstr (principal_arn, ":assumed-role/") == NULL
          && strstr (principal_arn, ":federated-user/") == NULL))
    return FALSE;

  name = strrchr (principal_arn, '/') + 1;

  return g_str_has_prefix (name, "pg-") && strlen (name) > 3
         && !g_str_equal (name, "pg-lockdown");
}

/* What "aws:userid" of the session's requests is like: "ROLEID:NAME" (a role's session) or
 * "ACCOUNT:NAME" (a federated user). A link's id is random: its first 13 characters (48 random
 * bits) tell it from every other link, and cost a third of the whole name. */
#define SESSION_NAME_CHARS 16

static char *
session_pattern (const char *session_arn)
{
  const char *name = strrchr (session_arn, '/') + 1;

  if (strlen (name) <= SESSION_NAME_CHARS)
    return g_strconcat ("*:", name, NULL);

  return g_strdup_printf ("*:%.*s*", SESSION_NAME_CHARS, name);
}

/* The hour (UTC, YYYYMMDDHH) by which every link of a session revoked @now has expired, rounded
 * up to one of six a day so that a day's revocations share a few statements. */
static char *
session_until (const char *session_arn,
               GDateTime  *now)
{
  const gint64 window = 4 * 3600;
  gint64 hours = strstr (session_arn, ":federated-user/") ? PG_POLICY_FEDERATED_HOURS
                                                          : PG_POLICY_SESSION_HOURS;
  gint64 end = g_date_time_to_unix (now) + hours * 3600;
  g_autoptr(GDateTime) until = g_date_time_new_from_unix_utc ((end + window - 1) / window
                                                              * window);

  return g_date_time_format (until, "%Y%m%d%H");
}

static JsonArray *
session_patterns_of (JsonObject *statement)
{
  JsonObject *like = json_object_get_object_member (
    json_object_get_object_member (statement, "Condition"), "StringLike");

  return string_list_member (like, "aws:userid");
}

static gboolean
revoke_session_edit (PgPolicy  *self,
                     gpointer   data,
                     GError   **error)
{
  RevokeArgs *args = data;
  g_autofree char *pattern = session_pattern (args->signer_arn);
  g_autofree char *until = session_until (args->signer_arn, args->now);
  g_autofree char *objects = _pg_policy_bucket_objects (self, args->bucket);
  g_autofree char *marker = _pg_policy_marker (self, args->bucket);
  g_autoptr(JsonArray) statements = NULL;
  JsonObject *statement = NULL;

  pg_policy_prune_expired (self, args->bucket, args->now);
  statements = _pg_policy_get_statements (self, TRUE);

  /* Sessions that end in the same window share one statement. */
  for (guint i = 0; statement == NULL && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, args->bucket, &ours)
          && ours.kind == OURS_SESSIONS && g_str_equal (ours.until, until))
        statement = json_node_get_object (node);
    }

  if (statement == NULL)
    {
      g_autofree char *base = g_strconcat (SID_SESSIONS, until, NULL);
      g_autofree char *sid = _pg_policy_free_sid (statements, base);
      JsonArray *resources = json_array_new ();
      JsonObject *condition = json_object_new ();
      JsonObject *like = json_object_new ();

      if (sid == NULL)
        {
          json_array_unref (resources);
          json_object_unref (condition);
          json_object_unref (like);
          return variant_exhausted (base, error);
        }

      statement = json_object_new ();
      json_object_set_string_member (statement, "Sid", sid);
      json_object_set_string_member (statement, "Effect", "Deny");
      json_object_set_string_member (statement, "Principal", "*");
      json_object_set_string_member (statement, "Action", "s3:GetObject");
      json_array_add_string_element (resources, objects);
      json_array_add_string_element (resources, marker);
      json_object_set_array_member (statement, "Resource", resources);
      json_object_set_array_member (like, "aws:userid", json_array_new ());
      json_object_set_object_member (condition, "StringLike", like);
      json_object_set_object_member (statement, "Condition", condition);
      json_array_add_object_element (statements, statement);
    }

  string_list_add (session_patterns_of (statement), pattern);

  return TRUE;
}

/* Lets the session's link work again: its pattern leaves every statement of ours. */
static gboolean
unrevoke_session (PgPolicy   *self,
                  const char *bucket,
                  const char *session_arn)
{
  g_autofree char *pattern = session_pattern (session_arn);
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);
  gboolean changed = FALSE;

  for (guint i = 0; statements && i < json_array_get_length (statements);)
    {
      JsonNode *node = json_array_get_element (statements, i);
      JsonArray *patterns;
      Ours ours;

      if (!_pg_policy_statement_ours (self, node, bucket, &ours) || ours.kind != OURS_SESSIONS)
        {
          i++;
          continue;
        }

      patterns = session_patterns_of (json_node_get_object (node));
      if (!string_list_remove (patterns, pattern))
        {
          i++;
          continue;
        }

      changed = TRUE;
      if (json_array_get_length (patterns) == 0)
        json_array_remove_element (statements, i);
      else
        i++;
    }

  return changed;
}

static gboolean
session_is_revoked (PgPolicy   *self,
                    const char *bucket,
                    const char *session_arn)
{
  g_autofree char *pattern = session_pattern (session_arn);
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, bucket, &ours) && ours.kind == OURS_SESSIONS
          && string_member_contains (json_object_get_object_member (
                                       json_object_get_object_member (json_node_get_object (node),
                                                                      "Condition"),
                                       "StringLike"),
                                     "aws:userid", pattern))
        return TRUE;
    }

  return FALSE;
}

/**
 * pg_policy_revoke:
 * @signer_arn: the principal that signs links, e.g. "arn:aws:iam::123456789012:user/signer"
 * @same_identity: whether the signer also manages the bucket; then only presigned requests
 *   are denied (a condition only AWS evaluates)
 * @now: today, in any time zone; our statement is dated in UTC
 *
 * Denies the signer @action on one object: the object's ARN joins today's statement of that
 * signer (a link's own session is a signer of its own). Our
 * statements older than %PG_POLICY_PRUNE_DAYS days are pruned first. Nothing changes when the
 * arguments are not valid or the result would not fit into a bucket policy.
 */
gboolean
pg_policy_revoke (PgPolicy        *self,
                  const char      *bucket,
                  const char      *key,
                  PgPolicyAction   action,
                  const char      *signer_arn,
                  gboolean         same_identity,
                  GDateTime       *now,
                  GError         **error)
{
  RevokeArgs args = { bucket, key, action, signer_arn, same_identity, now };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  if (!pg_policy_check_target (bucket, key ? key : "", signer_arn ? signer_arn : "", error))
    return FALSE;

  return edit_checked (self, pg_policy_is_link_session (signer_arn)
                             && action == PG_POLICY_ACTION_GET && !same_identity
                             ? revoke_session_edit : revoke_edit,
                       &args, PG_POLICY_LOCKDOWN_ROOM, error);
}

/* @statement, which names @arn among others (as earlier versions wrote), no longer denies @arn
 * @resource: @arn leaves it, and a statement of the same day for @arn alone keeps denying
 * it the rest. */
static void
split_off (JsonArray  *statements,
           JsonNode   *node,
           const char *arn,
           const char *resource,
           const char *marker)
{
  g_autoptr(JsonNode) copy = _pg_policy_deep_copy (node);
  g_autoptr(GRegex) variant = g_regex_new ("N[0-9]+$", 0, 0, NULL);
  JsonObject *alone = json_node_get_object (copy);
  JsonArray *rest = string_list_member (alone, "Resource");
  JsonArray *principals;
  g_autofree char *base = NULL;
  g_autofree char *sid = NULL;

  string_list_remove (rest, resource);
  if (json_array_get_length (rest) == 0
      || (json_array_get_length (rest) == 1 && marker != NULL
          && g_strcmp0 (json_array_get_string_element (rest, 0), marker) == 0))
    {
      string_list_remove (principals_of (json_node_get_object (node)), arn);
      return;
    }

  /* Its Sid: a variant of the statement's own (the same day), free in the document. When none
   * is left, @arn stays denied the object rather than the others lose their revocation. */
  base = g_regex_replace (variant, json_object_get_string_member (alone, "Sid"), -1, 0, "", 0,
                          NULL);
  if (!(sid = _pg_policy_free_sid (statements, base)))
    return;

  string_list_remove (principals_of (json_node_get_object (node)), arn);
  principals = json_array_new ();
  json_array_add_string_element (principals, arn);
  json_object_set_string_member (alone, "Sid", sid);
  json_object_set_array_member (json_object_get_object_member (alone, "Principal"), "AWS",
                                principals);
  json_array_add_element (statements, g_steal_pointer (&copy));
}

/**
 * pg_policy_unrevoke:
 * @signer_arn: the principal whose revocation is lifted
 *
 * Lets @signer_arn @action the object again: the object leaves every statement of ours that
 * denies it to @signer_arn alone (statements left with no object go); a statement that names
 * other principals too keeps denying them. Other principals' revocations of the object stay.
 *
 * Returns: whether anything changed.
 */
gboolean
pg_policy_unrevoke (PgPolicy       *self,
                    const char     *bucket,
                    const char     *key,
                    PgPolicyAction  action,
                    const char     *signer_arn)
{
  g_autofree char *resource = pg_policy_object_arn (self->partition, bucket, key, self->literal);
  g_autofree char *marker = _pg_policy_marker (self, bucket);
  g_autoptr(JsonArray) statements = NULL;
  gboolean changed = FALSE;

  if (pg_policy_is_link_session (signer_arn) && action == PG_POLICY_ACTION_GET
      && session_is_revoked (self, bucket, signer_arn))
    return unrevoke_session (self, bucket, signer_arn);

  if (!pg_policy_is_revoked (self, bucket, key, action, signer_arn))
    return FALSE;

  statements = _pg_policy_get_statements (self, TRUE);
  for (guint i = 0; i < json_array_get_length (statements);)
    {
      JsonNode *node = json_array_get_element (statements, i);
      JsonObject *statement;
      JsonArray *resources;
      Ours ours;

      if (!_pg_policy_statement_ours (self, node, bucket, &ours) || ours.kind != OURS_REVOKED
          || ours.action != action
          || !string_member_contains (json_node_get_object (node), "Resource", resource)
          || !string_member_contains (json_object_get_object_member (json_node_get_object (node),
                                                                     "Principal"),
                                      "AWS", signer_arn))
        {
          i++;
          continue;
        }

      statement = json_node_get_object (node);
      changed = TRUE;
      if (!names_only (statement, signer_arn))
        {
          split_off (statements, node, signer_arn, resource, ours.marked ? marker : NULL);
          i++;
          continue;
        }

      resources = string_list_member (statement, "Resource");
      string_list_remove (resources, resource);
      if (json_array_get_length (resources) == 0
          || (ours.marked && json_array_get_length (resources) == 1))
        json_array_remove_element (statements, i);
      else
        i++;
    }

  return changed;
}

/**
 * pg_policy_is_revoked:
 * @signer_arn: (nullable): the principal, or %NULL for any
 *
 * Whether a statement of ours denies @signer_arn @action on the object.
 */
gboolean
pg_policy_is_revoked (PgPolicy       *self,
                      const char     *bucket,
                      const char     *key,
                      PgPolicyAction  action,
                      const char     *signer_arn)
{
  g_autofree char *resource = pg_policy_object_arn (self->partition, bucket, key, self->literal);
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);

  if (pg_policy_is_link_session (signer_arn) && action == PG_POLICY_ACTION_GET
      && session_is_revoked (self, bucket, signer_arn))
    return TRUE;

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, bucket, &ours) && ours.kind == OURS_REVOKED
          && ours.action == action
          && string_member_contains (json_node_get_object (node), "Resource", resource)
          && (signer_arn == NULL
              || string_member_contains (json_object_get_object_member (
                                           json_node_get_object (node), "Principal"),
                                         "AWS", signer_arn)))
        return TRUE;
    }

  return FALSE;
}

/* ---- Lockdown ---------------------------------------------------------------------------- */

typedef struct
{
  const char         *bucket;
  PgLockdownMode      mode;
  gboolean            enabled;
  const char         *signer_arn;
  const char * const *exempt_arns;
} LockdownArgs;

/* The signer, and the principals @replaced (a lockdown of ours) already denies: a lockdown
 * also names the signing role, whose sessions sign links one by one, each proven by its own
 * job. */
static JsonObject *
lockdown_principal (const char *signer_arn,
                    JsonNode   *replaced)
{
  JsonObject *principal = signer_principal (signer_arn);
  JsonArray *arns = json_object_get_array_member (principal, "AWS");
  JsonNode *before = NULL;

  if (replaced != NULL && JSON_NODE_HOLDS_OBJECT (replaced))
    before = json_object_get_member (json_node_get_object (replaced), "Principal");
  if (before != NULL && JSON_NODE_HOLDS_OBJECT (before))
    before = json_object_get_member (json_node_get_object (before), "AWS");
  else
    before = NULL;

  if (before != NULL && JSON_NODE_HOLDS_ARRAY (before))
    {
      JsonArray *list = json_node_get_array (before);

      for (guint i = 0; i < json_array_get_length (list); i++)
        {
          const char *arn = json_array_get_string_element (list, i);

          if (arn != NULL && g_strcmp0 (arn, signer_arn) != 0)
            json_array_add_string_element (arns, arn);
        }
    }
  else if (before != NULL && JSON_NODE_HOLDS_VALUE (before)
           && g_strcmp0 (json_node_get_string (before), signer_arn) != 0)
    {
      json_array_add_string_element (arns, json_node_get_string (before));
    }

  return principal;
}

static JsonObject *
lockdown_statement (PgPolicy     *self,
                    LockdownArgs *args,
                    const char   *sid,
                    JsonNode     *replaced)
{
  JsonObject *statement = json_object_new ();
  JsonArray *actions = json_array_new ();
  JsonArray *resources = json_array_new ();
  g_autofree char *objects = _pg_policy_bucket_objects (self, args->bucket);
  g_autofree char *marker = _pg_policy_marker (self, args->bucket);

  json_object_set_string_member (statement, "Sid", sid);
  json_object_set_string_member (statement, "Effect", "Deny");
  if (args->mode == PG_LOCKDOWN_SIGNER)
    json_object_set_object_member (statement, "Principal",
                                   lockdown_principal (args->signer_arn, replaced));
  else
    json_object_set_string_member (statement, "Principal", "*");
  json_array_add_string_element (actions, "s3:GetObject");
  json_array_add_string_element (actions, "s3:PutObject");
  json_object_set_array_member (statement, "Action", actions);
  json_array_add_string_element (resources, objects);
  json_array_add_string_element (resources, marker);
  json_object_set_array_member (statement, "Resource", resources);

  if (args->mode == PG_LOCKDOWN_ANY)
    {
      JsonObject *condition = query_string_condition ();

      if (args->exempt_arns != NULL && args->exempt_arns[0] != NULL)
        {
          JsonObject *not_like = json_object_new ();
          JsonArray *arns = json_array_new ();

          for (guint i = 0; args->exempt_arns[i]; i++)
            json_array_add_string_element (arns, args->exempt_arns[i]);
          json_object_set_array_member (not_like, "aws:PrincipalArn", arns);
          json_object_set_object_member (condition, "ArnNotLike", not_like);
        }
      json_object_set_object_member (statement, "Condition", condition);
    }

  return statement;
}

static gboolean
legacy_lockdown_covers (PgPolicy     *self,
                        JsonArray    *statements,
                        LockdownArgs *args)
{
  gboolean legacy = FALSE;

  for (guint i = 0; i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (!_pg_policy_statement_ours (self, node, args->bucket, &ours)
          || ours.kind != OURS_LOCKDOWN || ours.mode != args->mode)
        continue;
      if (ours.marked)
        return FALSE;
      legacy |= args->mode == PG_LOCKDOWN_ANY
                || string_member_contains (json_object_get_object_member (
                                             json_node_get_object (node), "Principal"),
                                           "AWS", args->signer_arn);
    }

  return legacy;
}

static gboolean
lockdown_edit (PgPolicy  *self,
               gpointer   data,
               GError   **error)
{
  LockdownArgs *args = data;
  const char *base = args->mode == PG_LOCKDOWN_SIGNER ? SID_LOCKDOWN "Signer"
                                                      : SID_LOCKDOWN "Any";
  g_autoptr(JsonArray) statements = NULL;
  g_autofree char *sid = NULL;
  gboolean replaced = FALSE;

  /* Nothing to switch off: the document stays exactly as it is (a lone statement included). */
  if (!args->enabled && !pg_policy_get_lockdown (self, args->bucket, args->mode))
    return TRUE;

  statements = _pg_policy_get_statements (self, TRUE);

  /* On already, as an earlier version wrote it, for the same principal: it stays as it is. */
  if (args->enabled && legacy_lockdown_covers (self, statements, args))
    return TRUE;

  /* Ours of this mode are replaced in place (the first) or dropped (any further ones). */
  for (guint i = 0; i < json_array_get_length (statements);)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (!_pg_policy_statement_ours (self, node, args->bucket, &ours)
          || ours.kind != OURS_LOCKDOWN || ours.mode != args->mode)
        {
          i++;
          continue;
        }

      /* One that an earlier version wrote is switched off, never rewritten. */
      if (args->enabled && !ours.marked)
        {
          i++;
          continue;
        }

      if (args->enabled && !replaced)
        {
          json_node_take_object (node, lockdown_statement (self, args,
                                                           _pg_policy_statement_sid (node),
                                                           node));
          replaced = TRUE;
          i++;
        }
      else
        {
          json_array_remove_element (statements, i);
        }
    }

  if (!args->enabled || replaced)
    return TRUE;

  /* Appended after everybody else's statements. */
  sid = _pg_policy_free_sid (statements, base);
  if (sid == NULL)
    return variant_exhausted (base, error);
  json_array_add_object_element (statements, lockdown_statement (self, args, sid, NULL));

  return TRUE;
}

/**
 * pg_policy_set_lockdown:
 * @mode: %PG_LOCKDOWN_SIGNER denies the signer every object of the bucket (works wherever
 *   bucket policies evaluate principals); %PG_LOCKDOWN_ANY denies every presigned request
 *   (only AWS evaluates `s3:authType`), except for principals matching @exempt_arns
 * @exempt_arns: (nullable): %PG_LOCKDOWN_ANY only: administrators whose own presigned requests
 *   (console downloads) keep working; never the signer
 *
 * Switches one "block every link of this bucket" statement on or off.
 */
gboolean
pg_policy_set_lockdown (PgPolicy            *self,
                        const char          *bucket,
                        PgLockdownMode       mode,
                        gboolean             enabled,
                        const char          *signer_arn,
                        const char * const  *exempt_arns,
                        GError             **error)
{
  LockdownArgs args = { bucket, mode, enabled, signer_arn, exempt_arns };

  g_return_val_if_fail (self != NULL, FALSE);

  if (!pg_policy_check_target (bucket, NULL,
                               enabled && mode == PG_LOCKDOWN_SIGNER
                               ? (signer_arn ? signer_arn : "") : NULL,
                               error))
    return FALSE;

  for (guint i = 0; enabled && exempt_arns != NULL && exempt_arns[i]; i++)
    {
      if (!pg_policy_arn_is_valid (exempt_arns[i]))
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("“%s” is not an ARN. Exemptions name users or roles, such as "
                         "“arn:aws:iam::123456789012:role/Admin”."), exempt_arns[i]);
          return FALSE;
        }

      if (signer_arn != NULL && g_pattern_match_simple (exempt_arns[i], signer_arn))
        {
          g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                       _("The signer cannot be exempted: its links could then never be "
                         "blocked."));
          return FALSE;
        }
    }

  return edit_checked (self, lockdown_edit, &args, 0, error);
}

/* Whether a statement of ours blocks every link of the bucket in @mode. */
gboolean
pg_policy_get_lockdown (PgPolicy       *self,
                        const char     *bucket,
                        PgLockdownMode  mode)
{
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      Ours ours;

      if (_pg_policy_statement_ours (self, json_array_get_element (statements, i), bucket, &ours)
          && ours.kind == OURS_LOCKDOWN && ours.mode == mode)
        return TRUE;
    }

  return FALSE;
}

/* ---- Prune ------------------------------------------------------------------------------- */

typedef struct
{
  const char *bucket;
  char       *oldest;     /* revocations dated before this day go */
  char       *hour;       /* sessions' statements named after this hour or before go */
  gboolean    legacy;     /* also what earlier versions wrote (an explicit prune) */
} PruneArgs;

static gboolean
is_prunable (PgPolicy  *self,
             JsonNode  *node,
             PruneArgs *args)
{
  Ours ours;

  if (!_pg_policy_statement_ours (self, node, args->bucket, &ours)
      || (!ours.marked && !args->legacy))
    return FALSE;

  if (ours.kind == OURS_REVOKED)
    return strcmp (ours.date, args->oldest) < 0;

  return ours.kind == OURS_SESSIONS && strcmp (ours.until, args->hour) <= 0;
}

static guint
prune (PgPolicy   *self,
       const char *bucket,
       GDateTime  *now,
       gboolean    legacy)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);
  g_autofree char *oldest = format_day (now, PG_POLICY_PRUNE_DAYS);
  g_autofree char *hour = g_date_time_format (utc, "%Y%m%d%H");
  PruneArgs args = { bucket, oldest, hour, legacy };
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);
  gboolean any = FALSE;
  guint pruned = 0;

  for (guint i = 0; statements && !any && i < json_array_get_length (statements); i++)
    any = is_prunable (self, json_array_get_element (statements, i), &args);

  if (!any)
    return 0;

  /* Only now may a lone statement become a list: nothing changes when nothing is pruned. */
  g_clear_pointer (&statements, json_array_unref);
  statements = _pg_policy_get_statements (self, TRUE);
  for (guint i = 0; i < json_array_get_length (statements);)
    {
      if (is_prunable (self, json_array_get_element (statements, i), &args))
        {
          json_array_remove_element (statements, i);
          pruned++;
        }
      else
        {
          i++;
        }
    }

  return pruned;
}

/**
 * pg_policy_prune:
 * @bucket: the bucket of the policy
 * @now: today
 *
 * Drops our dated statements from more than %PG_POLICY_PRUNE_DAYS days ago and our sessions'
 * statements whose links have all expired: every link they concern has expired by now. An
 * explicit prune (the "policy prune" command): statements that earlier versions wrote go too.
 *
 * Returns: how many statements went.
 */
guint
pg_policy_prune (PgPolicy   *self,
                 const char *bucket,
                 GDateTime  *now)
{
  return prune (self, bucket, now, TRUE);
}

/**
 * pg_policy_prune_expired:
 *
 * What every write of ours does first: pg_policy_prune(), for the statements that carry our
 * marker only.
 *
 * Returns: how many statements went.
 */
guint
pg_policy_prune_expired (PgPolicy   *self,
                         const char *bucket,
                         GDateTime  *now)
{
  return prune (self, bucket, now, FALSE);
}

/* ---- Our folder: the signers may not write it -------------------------------------------- */

typedef struct
{
  const char *bucket;
  const char *arn;
} GuardArgs;

static JsonObject *
find_guard (PgPolicy   *self,
            JsonArray  *statements,
            const char *bucket)
{
  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      Ours ours;

      if (_pg_policy_statement_ours (self, node, bucket, &ours) && ours.kind == OURS_GUARD)
        return json_node_get_object (node);
    }

  return NULL;
}

static gboolean
guard_edit (PgPolicy  *self,
            gpointer   data,
            GError   **error)
{
  GuardArgs *args = data;
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, TRUE);
  JsonObject *statement = find_guard (self, statements, args->bucket);
  g_autofree char *folder = NULL;
  g_autofree char *marker = NULL;
  g_autofree char *sid = NULL;
  JsonArray *actions;
  JsonArray *resources;

  if (statement != NULL)
    {
      string_list_add (principals_of (statement), args->arn);
      return TRUE;
    }

  sid = _pg_policy_free_sid (statements, SID_GUARD);
  if (sid == NULL)
    return variant_exhausted (SID_GUARD, error);

  folder = _pg_policy_folder (self, args->bucket);
  marker = _pg_policy_marker (self, args->bucket);
  statement = json_object_new ();
  actions = json_array_new ();
  resources = json_array_new ();
  json_object_set_string_member (statement, "Sid", sid);
  json_object_set_string_member (statement, "Effect", "Deny");
  json_object_set_object_member (statement, "Principal", signer_principal (args->arn));
  json_array_add_string_element (actions, "s3:PutObject");
  json_array_add_string_element (actions, "s3:DeleteObject");
  json_object_set_array_member (statement, "Action", actions);
  json_array_add_string_element (resources, folder);
  json_array_add_string_element (resources, marker);
  json_object_set_array_member (statement, "Resource", resources);
  json_array_add_object_element (statements, statement);

  return TRUE;
}

/**
 * pg_policy_guard_folder:
 * @principal_arn: the signer, or the signing role; never the managing key
 *
 * Makes sure our standing statement denies @principal_arn writing and deleting in our folder
 * (.presign-guard/: lock, link records, pages, copies, activity), which only the managing key
 * writes: a leaked signing key cannot forge our bookkeeping. Every edit keeps it; it goes only
 * with the last other statement of ours, by unrevoke or lockdown off (see
 * pg_policy_release_guard()). Nothing changes when it would not fit.
 */
gboolean
pg_policy_guard_folder (PgPolicy    *self,
                        const char  *bucket,
                        const char  *principal_arn,
                        GError     **error)
{
  GuardArgs args = { bucket, principal_arn };

  g_return_val_if_fail (self != NULL, FALSE);

  if (!pg_policy_check_target (bucket, NULL, principal_arn ? principal_arn : "", error))
    return FALSE;

  if (pg_policy_get_guard (self, bucket, principal_arn))
    return TRUE;

  return edit_checked (self, guard_edit, &args, 0, error);
}

/* Whether our standing statement denies @principal_arn writing in our folder. */
gboolean
pg_policy_get_guard (PgPolicy   *self,
                     const char *bucket,
                     const char *principal_arn)
{
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);
  JsonObject *statement = find_guard (self, statements, bucket);

  return statement != NULL
         && string_member_contains (json_object_get_object_member (statement, "Principal"),
                                    "AWS", principal_arn);
}

/**
 * pg_policy_release_guard:
 *
 * After an unrevoke or a lockdown off: when no other statement of ours is left, our standing
 * statement goes too, and the bucket policy is what it was before we ever wrote to it.
 *
 * Returns: whether it went.
 */
gboolean
pg_policy_release_guard (PgPolicy   *self,
                         const char *bucket)
{
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);
  guint guard = G_MAXUINT;

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      Ours ours;

      if (!_pg_policy_statement_ours (self, json_array_get_element (statements, i), bucket,
                                      &ours))
        continue;
      if (ours.kind != OURS_GUARD)
        return FALSE;
      guard = i;
    }

  if (guard == G_MAXUINT)
    return FALSE;

  json_array_remove_element (statements, guard);

  return TRUE;
}
