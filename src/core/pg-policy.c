/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-policy"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-policy.h"

/* The bucket policy engine: pure functions on a JSON document, no I/O.
 *
 * Our statements are recognised by their Sid, which starts with "PresignGuard":
 *
 *   PresignGuardRevokedGet20261128       Deny the signer s3:GetObject on the listed objects
 *   PresignGuardRevokedPutQuery20261128  the same for s3:PutObject, limited to presigned
 *                                        (query string) requests: signer and manager are one
 *   PresignGuardLockdownSigner           Deny the signer both actions on every object
 *   PresignGuardLockdownAny              Deny every presigned request (AWS only)
 *
 * Everything else in the document is somebody else's and is left exactly as it is. */

#define SID_REVOKED  PG_POLICY_SID_PREFIX "Revoked"
#define SID_LOCKDOWN PG_POLICY_SID_PREFIX "Lockdown"
#define QUERY_TAG    "Query"
#define POLICY_VERSION "2012-10-17"

struct _PgPolicy
{
  JsonNode *root;       /* an object, or NULL when the bucket has no policy */
  char     *partition;  /* "aws", "aws-cn", … */
  gboolean  literal;    /* write "*", "?" and "$" of keys as ${*}, ${?} and ${$} */
};

G_DEFINE_BOXED_TYPE (PgPolicy, pg_policy, pg_policy_copy, pg_policy_free)

typedef struct
{
  gboolean       revoked;
  PgPolicyAction action;
  gboolean       query_only;
  char           date[9];
  gboolean       lockdown;
  PgLockdownMode mode;
} SidInfo;

gboolean
pg_policy_sid_is_ours (const char *sid)
{
  return sid != NULL && g_str_has_prefix (sid, PG_POLICY_SID_PREFIX);
}

static gboolean
parse_sid (const char *sid,
           SidInfo    *info)
{
  const char *p;

  memset (info, 0, sizeof *info);

  if (!pg_policy_sid_is_ours (sid))
    return FALSE;

  if (g_str_has_prefix (sid, SID_LOCKDOWN))
    {
      p = sid + strlen (SID_LOCKDOWN);
      info->lockdown = TRUE;
      if (strcmp (p, "Signer") == 0)
        info->mode = PG_LOCKDOWN_SIGNER;
      else if (strcmp (p, "Any") == 0)
        info->mode = PG_LOCKDOWN_ANY;
      else
        return FALSE;
      return TRUE;
    }

  if (!g_str_has_prefix (sid, SID_REVOKED))
    return FALSE;

  p = sid + strlen (SID_REVOKED);
  if (g_str_has_prefix (p, "Get"))
    info->action = PG_POLICY_ACTION_GET;
  else if (g_str_has_prefix (p, "Put"))
    info->action = PG_POLICY_ACTION_PUT;
  else
    return FALSE;
  p += 3;

  if (g_str_has_prefix (p, QUERY_TAG))
    {
      info->query_only = TRUE;
      p += strlen (QUERY_TAG);
    }

  if (strlen (p) != 8 || strspn (p, "0123456789") != 8)
    return FALSE;

  memcpy (info->date, p, 9);
  info->revoked = TRUE;

  return TRUE;
}

static const char *
action_name (PgPolicyAction action)
{
  return action == PG_POLICY_ACTION_GET ? "s3:GetObject" : "s3:PutObject";
}

static char *
format_day (GDateTime *now,
            int        days_back)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (now);
  g_autoptr(GDateTime) day = g_date_time_add_days (utc, -days_back);

  return g_date_time_format (day, "%Y%m%d");
}

/* IAM treats "*", "?" and "$" in a Resource as wildcards and variables; AWS reads ${*}, ${?}
 * and ${$} as the characters themselves. Servers that do not (Ceph RGW) get the key as it is:
 * its wildcards then match the key itself and, unavoidably, similar keys too. */
char *
pg_policy_object_arn (const char *partition,
                      const char *bucket,
                      const char *key,
                      gboolean    escape_wildcards)
{
  GString *arn = g_string_new ("arn:");

  g_string_append (arn, partition ? partition : "aws");
  g_string_append (arn, ":s3:::");
  g_string_append (arn, bucket);
  g_string_append_c (arn, '/');

  for (const char *p = key; *p; p++)
    {
      if (escape_wildcards && (*p == '*' || *p == '?' || *p == '$'))
        g_string_append_printf (arn, "${%c}", *p);
      else
        g_string_append_c (arn, *p);
    }

  return g_string_free (arn, FALSE);
}

static char *
bucket_objects_arn (PgPolicy   *self,
                    const char *bucket)
{
  return g_strdup_printf ("arn:%s:s3:::%s/*", self->partition, bucket);
}

/* json_node_copy() shares objects and arrays; a backup or a scratch copy must not. */
static JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (copy, name, deep_copy (member));

      return json_node_init_object (json_node_alloc (), copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, deep_copy (json_array_get_element (array, i)));

      return json_node_init_array (json_node_alloc (), copy);
    }

  return json_node_copy (node);
}

/**
 * pg_policy_new:
 * @json: (nullable): the bucket policy as S3 returned it, or %NULL when the bucket has none
 * @partition: (nullable): the ARN partition of the bucket, "aws" when %NULL
 *
 * Returns: (transfer full): the policy, or %NULL with @error set when @json is not a policy
 *   document.
 */
PgPolicy *
pg_policy_new (const char  *json,
               const char  *partition,
               GError     **error)
{
  g_autoptr(PgPolicy) self = g_new0 (PgPolicy, 1);

  self->partition = g_strdup (partition ? partition : "aws");
  self->literal = TRUE;

  if (json != NULL && *json != '\0')
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) local_error = NULL;
      JsonNode *statement = NULL;

      if (!json_parser_load_from_data (parser, json, -1, &local_error))
        {
          g_set_error (error, PG_ERROR, PG_ERROR_FAILED,
                       _("The bucket policy is not valid JSON: %s"), local_error->message);
          return NULL;
        }

      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                               _("The bucket policy is not a policy document."));
          return NULL;
        }

      self->root = json_parser_steal_root (parser);
      statement = json_object_get_member (json_node_get_object (self->root), "Statement");
      if (statement != NULL && !JSON_NODE_HOLDS_ARRAY (statement)
          && !JSON_NODE_HOLDS_OBJECT (statement))
        {
          g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                               _("The bucket policy's statements are not a list."));
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

PgPolicy *
pg_policy_copy (PgPolicy *self)
{
  PgPolicy *copy = g_new0 (PgPolicy, 1);

  copy->partition = g_strdup (self->partition);
  copy->literal = self->literal;
  copy->root = self->root ? deep_copy (self->root) : NULL;

  return copy;
}

/* Whether keys' wildcard characters are written so that AWS takes them literally (the
 * default); see pg_policy_object_arn(). */
void
pg_policy_set_escape_wildcards (PgPolicy *self,
                                gboolean  escape)
{
  self->literal = escape;
}

void
pg_policy_free (PgPolicy *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->root, json_node_unref);
  g_free (self->partition);
  g_free (self);
}

/* The statements as an array. A lone statement object is wrapped in an array when @create (or
 * a change) needs it; with @create a document is made when there is none. */
static JsonArray *
get_statements (PgPolicy *self,
                gboolean  create)
{
  JsonObject *root;
  JsonNode *statement;

  if (self->root == NULL)
    {
      if (!create)
        return NULL;

      self->root = json_node_init_object (json_node_alloc (), json_object_new ());
      json_object_set_string_member (json_node_get_object (self->root), "Version",
                                     POLICY_VERSION);
    }

  root = json_node_get_object (self->root);
  statement = json_object_get_member (root, "Statement");

  if (statement == NULL)
    {
      if (!create)
        return NULL;
      json_object_set_array_member (root, "Statement", json_array_new ());
    }
  else if (JSON_NODE_HOLDS_OBJECT (statement))
    {
      JsonArray *array = json_array_new ();

      json_array_add_element (array, json_node_copy (statement));
      json_object_set_array_member (root, "Statement", array);
    }

  return json_object_get_array_member (root, "Statement");
}

static const char *
statement_sid (JsonNode *node)
{
  JsonObject *object;
  JsonNode *sid;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  sid = json_object_get_member (object, "Sid");

  if (sid == NULL || json_node_get_value_type (sid) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (sid);
}

static JsonObject *
find_statement (JsonArray  *statements,
                const char *sid)
{
  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);

      if (g_strcmp0 (statement_sid (node), sid) == 0)
        return json_node_get_object (node);
    }

  return NULL;
}

static void
remove_statement (JsonArray  *statements,
                  const char *sid)
{
  for (guint i = 0; i < json_array_get_length (statements); i++)
    {
      if (g_strcmp0 (statement_sid (json_array_get_element (statements, i)), sid) == 0)
        {
          json_array_remove_element (statements, i);
          return;
        }
    }
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

static gboolean
string_list_contains (JsonArray  *array,
                      const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
string_list_add (JsonArray  *array,
                 const char *value)
{
  if (!string_list_contains (array, value))
    json_array_add_string_element (array, value);
}

static gboolean
string_list_remove (JsonArray  *array,
                    const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && g_strcmp0 (json_node_get_string (node), value) == 0)
        {
          json_array_remove_element (array, i);
          return TRUE;
        }
    }

  return FALSE;
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

char *
pg_policy_to_json (PgPolicy *self,
                   gboolean  pretty)
{
  g_autoptr(JsonGenerator) generator = NULL;

  if (pg_policy_is_empty (self))
    return NULL;

  generator = json_generator_new ();
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, self->root);

  return json_generator_to_data (generator, NULL);
}

/**
 * pg_policy_is_empty:
 *
 * Whether the document has no statement at all; such a policy is deleted, not written.
 */
gboolean
pg_policy_is_empty (PgPolicy *self)
{
  JsonNode *statement;

  if (self->root == NULL)
    return TRUE;

  statement = json_object_get_member (json_node_get_object (self->root), "Statement");
  if (statement == NULL)
    return TRUE;

  return JSON_NODE_HOLDS_ARRAY (statement)
         && json_array_get_length (json_node_get_array (statement)) == 0;
}

gboolean
pg_policy_equal (PgPolicy *self,
                 PgPolicy *other)
{
  if (pg_policy_is_empty (self) || pg_policy_is_empty (other))
    return pg_policy_is_empty (self) == pg_policy_is_empty (other);

  return json_node_equal (self->root, other->root);
}

gboolean
pg_policy_check_size (PgPolicy  *self,
                      GError   **error)
{
  g_autofree char *json = pg_policy_to_json (self, FALSE);
  gsize size = json ? strlen (json) : 0;

  if (size > PG_POLICY_MAX_BYTES)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_POLICY_TOO_LARGE,
                   _("The bucket policy would grow to %zu bytes, more than the %d that S3 "
                     "allows. Nothing was changed. Revoked links expire after 7 days; "
                     "older revocations are removed automatically."),
                   size, PG_POLICY_MAX_BYTES);
      return FALSE;
    }

  return TRUE;
}

/* Runs @edit on a copy; the result replaces the document only when it succeeds and fits. */
typedef gboolean (*EditFunc) (PgPolicy *self, gpointer data, GError **error);

static gboolean
edit_checked (PgPolicy  *self,
              EditFunc   edit,
              gpointer   data,
              GError   **error)
{
  JsonNode *backup = self->root ? deep_copy (self->root) : NULL;

  if (!edit (self, data, error) || !pg_policy_check_size (self, error))
    {
      g_clear_pointer (&self->root, json_node_unref);
      self->root = backup;
      return FALSE;
    }

  g_clear_pointer (&backup, json_node_unref);

  return TRUE;
}

typedef struct
{
  const char     *bucket;
  const char     *key;
  PgPolicyAction  action;
  const char     *signer_arn;
  gboolean        same_identity;
  GDateTime      *now;
} RevokeArgs;

static gboolean
revoke_edit (PgPolicy  *self,
             gpointer   data,
             GError   **error)
{
  RevokeArgs *args = data;
  g_autofree char *day = format_day (args->now, 0);
  g_autofree char *sid = NULL;
  g_autofree char *resource = pg_policy_object_arn (self->partition, args->bucket, args->key,
                                                       self->literal);
  JsonArray *statements;
  JsonObject *statement;

  pg_policy_prune (self, args->now);

  sid = g_strconcat (SID_REVOKED, args->action == PG_POLICY_ACTION_GET ? "Get" : "Put",
                     args->same_identity ? QUERY_TAG : "", day, NULL);
  statements = get_statements (self, TRUE);
  statement = find_statement (statements, sid);

  if (statement == NULL)
    {
      JsonArray *resources = json_array_new ();

      statement = json_object_new ();
      json_object_set_string_member (statement, "Sid", sid);
      json_object_set_string_member (statement, "Effect", "Deny");
      json_object_set_object_member (statement, "Principal", signer_principal (args->signer_arn));
      json_object_set_string_member (statement, "Action", action_name (args->action));
      json_array_add_string_element (resources, resource);
      json_object_set_array_member (statement, "Resource", resources);
      if (args->same_identity)
        json_object_set_object_member (statement, "Condition", query_string_condition ());
      json_array_add_object_element (statements, statement);
      return TRUE;
    }

  /* All links of the day share one statement; a second signer joins its principals. */
  {
    JsonObject *principal;

    if (!json_object_has_member (statement, "Principal")
        || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (statement, "Principal")))
      json_object_set_object_member (statement, "Principal", json_object_new ());
    principal = json_object_get_object_member (statement, "Principal");
    string_list_add (string_list_member (principal, "AWS"), args->signer_arn);
  }
  string_list_add (string_list_member (statement, "Resource"), resource);

  return TRUE;
}

/**
 * pg_policy_revoke:
 * @signer_arn: the principal that signs links, e.g. "arn:aws:iam::123456789012:user/signer"
 * @same_identity: whether the signer also manages the bucket; then only presigned requests
 *   are denied (a condition only AWS evaluates)
 * @now: today, in any time zone; our statement is dated in UTC
 *
 * Denies the signer @action on one object: the object's ARN joins today's statement. Our
 * statements older than %PG_POLICY_PRUNE_DAYS days are pruned first. Nothing changes when the
 * result would not fit into a bucket policy.
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
  g_return_val_if_fail (bucket != NULL && key != NULL, FALSE);
  g_return_val_if_fail (now != NULL, FALSE);

  if (signer_arn == NULL || !g_str_has_prefix (signer_arn, "arn:"))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not the ARN of the signer. It looks like "
                     "“arn:aws:iam::123456789012:user/presign-signer”."),
                   signer_arn ? signer_arn : "");
      return FALSE;
    }

  return edit_checked (self, revoke_edit, &args, error);
}

/**
 * pg_policy_unrevoke:
 *
 * Takes the object out of every statement of ours that denies @action on it; statements left
 * with no object go.
 *
 * Returns: whether anything changed.
 */
gboolean
pg_policy_unrevoke (PgPolicy       *self,
                    const char     *bucket,
                    const char     *key,
                    PgPolicyAction  action)
{
  g_autofree char *resource = pg_policy_object_arn (self->partition, bucket, key, self->literal);
  JsonArray *statements = get_statements (self, FALSE);
  gboolean changed = FALSE;

  for (guint i = 0; statements && i < json_array_get_length (statements);)
    {
      JsonNode *node = json_array_get_element (statements, i);
      SidInfo info;
      JsonObject *statement;
      JsonArray *resources;

      if (!parse_sid (statement_sid (node), &info) || !info.revoked || info.action != action)
        {
          i++;
          continue;
        }

      statement = json_node_get_object (node);
      resources = string_list_member (statement, "Resource");
      changed |= string_list_remove (resources, resource);

      if (json_array_get_length (resources) == 0)
        json_array_remove_element (statements, i);
      else
        i++;
    }

  return changed;
}

gboolean
pg_policy_is_revoked (PgPolicy       *self,
                      const char     *bucket,
                      const char     *key,
                      PgPolicyAction  action)
{
  g_autofree char *resource = pg_policy_object_arn (self->partition, bucket, key, self->literal);
  g_autoptr(PgPolicy) scratch = pg_policy_copy (self);
  JsonArray *statements = get_statements (scratch, FALSE);

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);
      SidInfo info;

      if (parse_sid (statement_sid (node), &info) && info.revoked && info.action == action
          && string_list_contains (string_list_member (json_node_get_object (node), "Resource"),
                                   resource))
        return TRUE;
    }

  return FALSE;
}

typedef struct
{
  const char         *bucket;
  PgLockdownMode      mode;
  gboolean            enabled;
  const char         *signer_arn;
  const char * const *exempt_arns;
} LockdownArgs;

static gboolean
lockdown_edit (PgPolicy  *self,
               gpointer   data,
               GError   **error)
{
  LockdownArgs *args = data;
  const char *sid = args->mode == PG_LOCKDOWN_SIGNER ? SID_LOCKDOWN "Signer" : SID_LOCKDOWN "Any";
  g_autofree char *resource = bucket_objects_arn (self, args->bucket);
  JsonArray *statements = get_statements (self, args->enabled);
  JsonObject *statement;
  JsonArray *actions;

  if (!args->enabled)
    {
      if (statements != NULL)
        remove_statement (statements, sid);
      return TRUE;
    }

  statement = json_object_new ();
  json_object_set_string_member (statement, "Sid", sid);
  json_object_set_string_member (statement, "Effect", "Deny");
  if (args->mode == PG_LOCKDOWN_SIGNER)
    json_object_set_object_member (statement, "Principal", signer_principal (args->signer_arn));
  else
    json_object_set_string_member (statement, "Principal", "*");
  actions = json_array_new ();
  json_array_add_string_element (actions, "s3:GetObject");
  json_array_add_string_element (actions, "s3:PutObject");
  json_object_set_array_member (statement, "Action", actions);
  json_object_set_string_member (statement, "Resource", resource);

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

  /* Replace in place, or append after everybody else's statements. */
  for (guint i = 0; i < json_array_get_length (statements); i++)
    {
      JsonNode *node = json_array_get_element (statements, i);

      if (g_strcmp0 (statement_sid (node), sid) == 0)
        {
          json_node_take_object (node, statement);
          return TRUE;
        }
    }

  json_array_add_object_element (statements, statement);

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
  g_return_val_if_fail (bucket != NULL, FALSE);

  if (enabled && mode == PG_LOCKDOWN_SIGNER
      && (signer_arn == NULL || !g_str_has_prefix (signer_arn, "arn:")))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not the ARN of the signer. It looks like "
                     "“arn:aws:iam::123456789012:user/presign-signer”."),
                   signer_arn ? signer_arn : "");
      return FALSE;
    }

  for (guint i = 0; enabled && exempt_arns != NULL && exempt_arns[i]; i++)
    {
      if (!g_str_has_prefix (exempt_arns[i], "arn:"))
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

  return edit_checked (self, lockdown_edit, &args, error);
}

gboolean
pg_policy_get_lockdown (PgPolicy       *self,
                        PgLockdownMode  mode)
{
  g_autoptr(PgPolicy) scratch = pg_policy_copy (self);

  return find_statement (get_statements (scratch, FALSE),
                         mode == PG_LOCKDOWN_SIGNER ? SID_LOCKDOWN "Signer"
                                                    : SID_LOCKDOWN "Any") != NULL;
}

/**
 * pg_policy_prune:
 * @now: today
 *
 * Drops our dated statements from more than %PG_POLICY_PRUNE_DAYS days ago: every link signed
 * before them has expired by now.
 *
 * Returns: how many statements went.
 */
guint
pg_policy_prune (PgPolicy  *self,
                 GDateTime *now)
{
  g_autofree char *oldest = format_day (now, PG_POLICY_PRUNE_DAYS);
  JsonArray *statements = get_statements (self, FALSE);
  guint pruned = 0;

  for (guint i = 0; statements && i < json_array_get_length (statements);)
    {
      SidInfo info;

      if (parse_sid (statement_sid (json_array_get_element (statements, i)), &info)
          && info.revoked && strcmp (info.date, oldest) < 0)
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
