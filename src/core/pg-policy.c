/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-policy"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-endpoint.h"
#include "pg-error.h"
#include "pg-policy-private.h"

/* The bucket policy as a document: parsing, copying, comparing, size, and telling our
 * statements from everybody else's. The edits are in pg-policy-edit.c. Pure: no I/O.
 *
 * Our statements (Sids of ASCII letters and digits, dates and hours in UTC):
 *
 *   PresignGuardRevokedGet20261128       Deny one principal (the signer) s3:GetObject on the
 *                                        listed objects; each principal has its own ("…N2")
 *   PresignGuardRevokedPutQuery20261128  the same for s3:PutObject, limited to presigned
 *                                        (query string) requests: signer and manager are one
 *   PresignGuardRevokedSessionsUntil2026112816
 *                                        Deny s3:GetObject to every link signed in one of the
 *                                        listed sessions of its own ("aws:userid" is
 *                                        "ROLEID:pg-<link id>"; patterns "*:pg-<first 13
 *                                        characters of the id>*", about 22 bytes a link); gone
 *                                        once the hour it is named after has passed, when every
 *                                        link it concerns has expired
 *   PresignGuardLockdownSigner           Deny the signer (and the signing role) both actions on
 *                                        every object
 *   PresignGuardLockdownAny              Deny every presigned request (AWS only)
 *   PresignGuardSignersMayNotWrite       Deny the signer and the signing role s3:PutObject and
 *                                        s3:DeleteObject in .presign-guard/, which only the
 *                                        managing key writes
 *
 * Our marker: every statement we write also lists the object ".presign-guard/ours" of the
 * bucket among its resources (PG_POLICY_MARKER_KEY). Nobody lists an object in our folder by
 * accident, and denying the signer an object that never exists changes nothing.
 *
 * A Sid alone proves nothing: anybody can write a statement called PresignGuardLockdownSigner
 * that *allows* something, or copy our format exactly. A statement is ours only when its Sid
 * reads as one of the above, it carries the marker, and its whole shape is one we write —
 * Deny, our principal form, our action(s), resources inside this bucket, our condition or none,
 * and no other member. Everything else is foreign and is never changed, pruned or deleted.
 * Statements that earlier versions wrote have the same shape without the marker: they are read
 * (a revocation still counts as one), and only an explicit command about them — unrevoke,
 * lockdown off, policy prune — takes them away; no other edit touches them. When a foreign
 * statement already uses the Sid we want, ours gets a variant of it ("…N2"), so no two
 * statements share a Sid. */

#define MAX_VARIANT 999
#define MAX_ARN_BYTES 2048

G_DEFINE_BOXED_TYPE (PgPolicy, pg_policy, pg_policy_copy, pg_policy_free)

/* ---- Small JSON helpers ------------------------------------------------------------------ */

/* json_node_init_object() and _init_array() take a reference of their own; these take ours. */
JsonNode *
_pg_policy_node_take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);

  return node;
}

JsonNode *
_pg_policy_node_take_array (JsonArray *array)
{
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_node_take_array (node, array);

  return node;
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* json_node_copy() shares objects and arrays; a backup or a scratch copy must not. */
JsonNode *
_pg_policy_deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *copy = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (copy, name, _pg_policy_deep_copy (member));

      return _pg_policy_node_take_object (copy);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      JsonArray *copy = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, _pg_policy_deep_copy (json_array_get_element (array, i)));

      return _pg_policy_node_take_array (copy);
    }

  return json_node_copy (node);
}

/* ---- The document ------------------------------------------------------------------------ */

/* Whether every name and string in the document is UTF-8. json-glib reads escapes JSON does not
 * have ("\202" as a byte), and a document written back with such bytes would be damaged, a
 * foreign statement with it. Iterative, however deep the document. */
static gboolean
is_valid_text (JsonNode *root)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_ptr_array_add (pending, root);
  while (pending->len > 0)
    {
      JsonNode *node = g_ptr_array_steal_index_fast (pending, pending->len - 1);

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *member;

          json_object_iter_init (&iter, json_node_get_object (node));
          while (json_object_iter_next (&iter, &name, &member))
            {
              if (!g_utf8_validate (name, -1, NULL))
                return FALSE;
              g_ptr_array_add (pending, member);
            }
        }
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (pending, json_array_get_element (array, i));
        }
      else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
               && !g_utf8_validate (json_node_get_string (node), -1, NULL))
        {
          return FALSE;
        }
    }

  return TRUE;
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

      if (!is_valid_text (json_parser_get_root (parser)))
        {
          g_set_error_literal (error, PG_ERROR, PG_ERROR_FAILED,
                               _("The bucket policy holds text that is not UTF-8. It was left as "
                                 "it is."));
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
  copy->root = self->root ? _pg_policy_deep_copy (self->root) : NULL;

  return copy;
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

/* Whether keys' wildcard characters are written so that AWS takes them literally (the
 * default); see pg_policy_object_arn(). */
void
pg_policy_set_escape_wildcards (PgPolicy *self,
                                gboolean  escape)
{
  self->literal = escape;
}

/**
 * _pg_policy_get_statements:
 * @create: make the document and its list when there are none, and turn a lone statement
 *   object into a list of one, so the result can be changed
 *
 * Returns: (transfer full) (nullable): the statements. Without @create a lone statement comes
 *   back in a list of its own that is not the document's: read it, do not change the list.
 */
JsonArray *
_pg_policy_get_statements (PgPolicy *self,
                           gboolean  create)
{
  JsonObject *root;
  JsonNode *statement;

  if (self->root == NULL)
    {
      if (!create)
        return NULL;

      self->root = _pg_policy_node_take_object (json_object_new ());
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
      if (!create)
        return array;
      json_object_set_array_member (root, "Statement", array);
    }

  return json_array_ref (json_object_get_array_member (root, "Statement"));
}

/* A copy of @node in which every list of one is that one value: AWS hands a policy back with
 * such lists shortened ("AWS": ["arn"] becomes "AWS": "arn"), and IAM reads both alike. Iterative,
 * however deep the document. */
static JsonNode *
normalized (JsonNode *node)
{
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  JsonNode *top = _pg_policy_deep_copy (node);

  g_ptr_array_add (pending, top);
  while (pending->len > 0)
    {
      JsonNode *next = g_ptr_array_steal_index_fast (pending, pending->len - 1);

      if (JSON_NODE_HOLDS_OBJECT (next))
        {
          JsonObject *object = json_node_get_object (next);
          g_autoptr(GList) names = json_object_get_members (object);

          for (GList *l = names; l != NULL; l = l->next)
            {
              g_autofree char *name = g_strdup (l->data);
              JsonNode *member = json_object_get_member (object, name);

              if (JSON_NODE_HOLDS_ARRAY (member)
                  && json_array_get_length (json_node_get_array (member)) == 1)
                {
                  json_object_set_member (object, name,
                                          json_node_copy (json_array_get_element (
                                            json_node_get_array (member), 0)));
                  member = json_object_get_member (object, name);
                }
              g_ptr_array_add (pending, member);
            }
        }
      else if (JSON_NODE_HOLDS_ARRAY (next))
        {
          JsonArray *array = json_node_get_array (next);

          for (guint i = 0; i < json_array_get_length (array); i++)
            g_ptr_array_add (pending, json_array_get_element (array, i));
        }
    }

  return top;
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

/* Equal as documents: a lone statement equals a list holding just that statement, a string
 * equals a list holding just that string, wherever they are. */
gboolean
pg_policy_equal (PgPolicy *self,
                 PgPolicy *other)
{
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;

  if (pg_policy_is_empty (self) || pg_policy_is_empty (other))
    return pg_policy_is_empty (self) == pg_policy_is_empty (other);

  a = normalized (self->root);
  b = normalized (other->root);

  return json_node_equal (a, b);
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

/* ---- Names ------------------------------------------------------------------------------- */

/**
 * pg_policy_signer_arn_hint:
 * @aws: for Amazon S3 rather than another server (Ceph RGW)
 *
 * One sentence, translated, on what the signer's ARN looks like on that kind of server.
 */
const char *
pg_policy_signer_arn_hint (gboolean aws)
{
  if (aws)
    return _("On Amazon S3, a signing user’s ARN looks like "
             "“arn:aws:iam::123456789012:user/presign-signer” (IAM → Users → the user → ARN).");

  return _("On Ceph, a signing subuser’s ARN looks like “arn:aws:iam:::user/OWNER:SUBUSER”: "
           "OWNER is the user who owns the bucket, SUBUSER the subuser whose key signs links "
           "(radosgw-admin user info --uid OWNER).");
}

/**
 * pg_policy_arn_is_valid:
 *
 * Whether @arn reads as an ARN a policy can name: "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
 * with a partition, a service and a resource (region and account may be empty, as on Ceph), in
 * printable ASCII without spaces, quotes or backslashes.
 */
gboolean
pg_policy_arn_is_valid (const char *arn)
{
  g_auto(GStrv) parts = NULL;

  if (arn == NULL || !g_str_has_prefix (arn, "arn:") || strlen (arn) > MAX_ARN_BYTES)
    return FALSE;

  for (const char *p = arn; *p; p++)
    {
      if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\\')
        return FALSE;
    }

  parts = g_strsplit (arn, ":", 6);

  return g_strv_length (parts) == 6 && *parts[1] != '\0' && *parts[2] != '\0'
         && *parts[5] != '\0';
}

/**
 * pg_policy_check_target:
 * @bucket: the bucket the policy belongs to
 * @key: (nullable): an object key, when the change concerns one object
 * @signer_arn: (nullable): the signer's ARN, when the change names it
 *
 * Checks what a policy change is about before anything is changed or sent: a bucket name, a
 * key of 1 to 1,024 bytes of UTF-8 and an ARN.
 */
gboolean
pg_policy_check_target (const char  *bucket,
                        const char  *key,
                        const char  *signer_arn,
                        GError     **error)
{
  if (!pg_bucket_name_is_valid (bucket))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a bucket name. Bucket names have 3 to 63 letters, digits, "
                     "dots or hyphens."), bucket ? bucket : "");
      return FALSE;
    }

  if (key != NULL && !pg_object_key_is_valid (key, error))
    return FALSE;

  if (signer_arn != NULL && !pg_policy_arn_is_valid (signer_arn))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not the ARN of the signer. %s %s"), signer_arn,
                   pg_policy_signer_arn_hint (TRUE), pg_policy_signer_arn_hint (FALSE));
      return FALSE;
    }

  return TRUE;
}

const char *
_pg_policy_action_name (PgPolicyAction action)
{
  return action == PG_POLICY_ACTION_GET ? "s3:GetObject" : "s3:PutObject";
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

char *
_pg_policy_bucket_objects (PgPolicy   *self,
                           const char *bucket)
{
  return g_strdup_printf ("arn:%s:s3:::%s/*", self->partition, bucket);
}

/* The resource that marks a statement as ours; see the top of this file. */
char *
_pg_policy_marker (PgPolicy   *self,
                   const char *bucket)
{
  return g_strdup_printf ("arn:%s:s3:::%s/" PG_POLICY_MARKER_KEY, self->partition, bucket);
}

/* Every object of our folder. */
char *
_pg_policy_folder (PgPolicy   *self,
                   const char *bucket)
{
  return g_strdup_printf ("arn:%s:s3:::%s/" PG_POLICY_FOLDER "*", self->partition, bucket);
}

/* ---- Which statements are ours ----------------------------------------------------------- */

const char *
_pg_policy_statement_sid (JsonNode *node)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  return node_string (json_object_get_member (json_node_get_object (node), "Sid"));
}

/* "", or "N" and a number from 2 to 999: the variant of a Sid a foreign statement took first. */
static gboolean
is_variant (const char *p)
{
  gsize digits;

  if (*p == '\0')
    return TRUE;

  if (!g_str_has_prefix (p, VARIANT_TAG))
    return FALSE;

  p += strlen (VARIANT_TAG);
  digits = strspn (p, "0123456789");

  return digits >= 1 && digits <= 3 && p[digits] == '\0' && p[0] != '0'
         && !(digits == 1 && p[0] == '1');
}

/* Whether @sid reads as one of ours; says which. The shape is checked separately. */
static gboolean
parse_sid (const char *sid,
           Ours       *ours)
{
  const char *p;

  memset (ours, 0, sizeof *ours);

  if (sid == NULL)
    return FALSE;

  if (g_str_has_prefix (sid, SID_GUARD))
    {
      ours->kind = OURS_GUARD;
      return is_variant (sid + strlen (SID_GUARD));
    }

  if (g_str_has_prefix (sid, SID_SESSIONS))
    {
      p = sid + strlen (SID_SESSIONS);
      ours->kind = OURS_SESSIONS;
      if (strspn (p, "0123456789") != 10)
        return FALSE;
      memcpy (ours->until, p, 10);
      ours->until[10] = '\0';
      return is_variant (p + 10);
    }

  if (g_str_has_prefix (sid, SID_LOCKDOWN))
    {
      p = sid + strlen (SID_LOCKDOWN);
      ours->kind = OURS_LOCKDOWN;
      if (g_str_has_prefix (p, "Signer"))
        {
          ours->mode = PG_LOCKDOWN_SIGNER;
          p += strlen ("Signer");
        }
      else if (g_str_has_prefix (p, "Any"))
        {
          ours->mode = PG_LOCKDOWN_ANY;
          p += strlen ("Any");
        }
      else
        {
          return FALSE;
        }

      return is_variant (p);
    }

  if (!g_str_has_prefix (sid, SID_REVOKED))
    return FALSE;

  ours->kind = OURS_REVOKED;
  p = sid + strlen (SID_REVOKED);
  if (g_str_has_prefix (p, "Get"))
    ours->action = PG_POLICY_ACTION_GET;
  else if (g_str_has_prefix (p, "Put"))
    ours->action = PG_POLICY_ACTION_PUT;
  else
    return FALSE;
  p += 3;

  if (g_str_has_prefix (p, QUERY_TAG))
    {
      ours->query_only = TRUE;
      p += strlen (QUERY_TAG);
    }

  if (strspn (p, "0123456789") != 8)
    return FALSE;

  memcpy (ours->date, p, 8);
  ours->date[8] = '\0';

  return is_variant (p + 8);
}

typedef gboolean (*StringCheck) (const char *value, gpointer data);

/* A string, or a non-empty list of strings, each passing @check. */
static gboolean
is_string_list (JsonNode    *node,
                StringCheck  check,
                gpointer     data)
{
  JsonArray *array;

  if (node == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (node))
    return node_string (node) != NULL && check (node_string (node), data);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  if (json_array_get_length (array) == 0)
    return FALSE;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *value = node_string (json_array_get_element (array, i));

      if (value == NULL || !check (value, data))
        return FALSE;
    }

  return TRUE;
}

static gboolean
is_principal_name (const char *value,
                   gpointer    data)
{
  /* AWS may show a deleted principal by its unique id instead of its ARN; never a wildcard. */
  return *value != '\0' && strchr (value, '*') == NULL;
}

static gboolean
is_non_empty (const char *value,
              gpointer    data)
{
  return *value != '\0';
}

static gboolean
is_equal_string (const char *value,
                 gpointer    data)
{
  return g_str_equal (value, data);
}

static gboolean
is_object_in (const char *value,
              gpointer    prefix)
{
  return g_str_has_prefix (value, prefix) && strlen (value) > strlen (prefix);
}

static gboolean
is_get_or_put (const char *value,
               gpointer    data)
{
  return g_str_equal (value, "s3:GetObject") || g_str_equal (value, "s3:PutObject");
}

/* {"AWS": "arn…"} or {"AWS": ["arn…", …]} and nothing else. */
static gboolean
is_signer_principal (JsonNode *node)
{
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  object = json_node_get_object (node);

  return json_object_get_size (object) == 1
         && is_string_list (json_object_get_member (object, "AWS"), is_principal_name, NULL);
}

/* {"StringEquals": {"s3:authType": "REST-QUERY-STRING"}} */
static gboolean
is_query_condition (JsonObject *condition)
{
  JsonNode *equals = json_object_get_member (condition, "StringEquals");
  JsonObject *object;

  if (equals == NULL || !JSON_NODE_HOLDS_OBJECT (equals))
    return FALSE;

  object = json_node_get_object (equals);

  return json_object_get_size (object) == 1
         && g_strcmp0 (node_string (json_object_get_member (object, "s3:authType")),
                       "REST-QUERY-STRING") == 0;
}

static gboolean
is_lockdown_any_condition (JsonNode *node)
{
  JsonObject *condition;
  JsonNode *not_like;
  guint expected = 1;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  condition = json_node_get_object (node);
  if (!is_query_condition (condition))
    return FALSE;

  /* Exemptions by principal, when there are any. */
  not_like = json_object_get_member (condition, "ArnNotLike");
  if (not_like != NULL)
    {
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (not_like))
        return FALSE;
      object = json_node_get_object (not_like);
      if (json_object_get_size (object) != 1
          || !is_string_list (json_object_get_member (object, "aws:PrincipalArn"),
                              is_non_empty, NULL))
        return FALSE;
      expected++;
    }

  return json_object_get_size (condition) == expected;
}

static gboolean
has_only_members (JsonObject *object,
                  gboolean    with_condition)
{
  static const char *allowed[] = { "Sid", "Effect", "Principal", "Action", "Resource" };
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    {
      gboolean known = with_condition && g_str_equal (name, "Condition");

      for (guint i = 0; !known && i < G_N_ELEMENTS (allowed); i++)
        known = g_str_equal (name, allowed[i]);
      if (!known)
        return FALSE;
    }

  return json_object_has_member (object, "Principal") && json_object_has_member (object, "Action")
         && json_object_has_member (object, "Resource");
}

static gboolean
is_lockdown_actions (JsonNode *node)
{
  JsonArray *array;

  if (!is_string_list (node, is_get_or_put, NULL) || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);

  return json_array_get_length (array) == 2
         && !g_str_equal (json_array_get_string_element (array, 0),
                          json_array_get_string_element (array, 1));
}

/* A list of one, or the value itself. */
static gboolean
is_single_string (JsonNode   *node,
                  const char *value)
{
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node)
      && json_array_get_length (json_node_get_array (node)) != 1)
    return FALSE;

  return is_string_list (node, is_equal_string, (gpointer) value);
}

/* How many strings of a list (or a lone string) equal @value. */
static guint
count_equal (JsonNode   *node,
             const char *value)
{
  guint n = 0;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    return g_strcmp0 (node_string (node), value) == 0;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return 0;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    n += g_strcmp0 (node_string (json_array_get_element (json_node_get_array (node), i)),
                    value) == 0;

  return n;
}

/* A list of exactly @a and @b, in either order. */
static gboolean
is_pair (JsonNode   *node,
         const char *a,
         const char *b)
{
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
         && json_array_get_length (json_node_get_array (node)) == 2
         && count_equal (node, a) == 1 && count_equal (node, b) == 1;
}

static gboolean
is_session_pattern (const char *value,
                    gpointer    data)
{
  return g_str_has_prefix (value, "*:") && value[2] != '\0' && value[2] != '*';
}

/* {"StringLike": {"aws:userid": ["*:pg-…*", …]}} */
static gboolean
is_sessions_condition (JsonNode *node)
{
  JsonObject *condition;
  JsonNode *like;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;

  condition = json_node_get_object (node);
  like = json_object_get_member (condition, "StringLike");
  if (json_object_get_size (condition) != 1 || like == NULL || !JSON_NODE_HOLDS_OBJECT (like)
      || json_object_get_size (json_node_get_object (like)) != 1)
    return FALSE;

  return is_string_list (json_object_get_member (json_node_get_object (like), "aws:userid"),
                         is_session_pattern, NULL);
}

static gboolean
is_guard_actions (JsonNode *node)
{
  return is_pair (node, "s3:PutObject", "s3:DeleteObject");
}

/**
 * _pg_policy_statement_ours:
 * @bucket: the bucket of the policy: our resources lie inside it
 * @ours: (out): what the statement is, when it is ours
 *
 * Whether @node is a statement this project wrote: its Sid and its whole shape say so.
 */
gboolean
_pg_policy_statement_ours (PgPolicy   *self,
                           JsonNode   *node,
                           const char *bucket,
                           Ours       *ours)
{
  JsonObject *statement;
  JsonNode *condition;

  if (!parse_sid (_pg_policy_statement_sid (node), ours))
    return FALSE;

  statement = json_node_get_object (node);
  condition = json_object_get_member (statement, "Condition");

  if (g_strcmp0 (node_string (json_object_get_member (statement, "Effect")), "Deny") != 0)
    return FALSE;

  if (ours->kind == OURS_REVOKED)
    {
      g_autofree char *prefix = g_strdup_printf ("arn:%s:s3:::%s/", self->partition, bucket);
      g_autofree char *marker = _pg_policy_marker (self, bucket);
      JsonNode *resource = json_object_get_member (statement, "Resource");
      guint markers = count_equal (resource, marker);

      /* Marked: the marker once, among objects; never the marker alone. */
      ours->marked = markers == 1;
      if (markers > 1 || (ours->marked && !JSON_NODE_HOLDS_ARRAY (resource))
          || (ours->marked && json_array_get_length (json_node_get_array (resource)) < 2))
        return FALSE;

      return has_only_members (statement, ours->query_only)
             && is_signer_principal (json_object_get_member (statement, "Principal"))
             && is_single_string (json_object_get_member (statement, "Action"),
                                  _pg_policy_action_name (ours->action))
             && is_string_list (resource, is_object_in, prefix)
             && (!ours->query_only
                 || (condition != NULL && JSON_NODE_HOLDS_OBJECT (condition)
                     && json_object_get_size (json_node_get_object (condition)) == 1
                     && is_query_condition (json_node_get_object (condition))));
    }

  if (ours->kind == OURS_SESSIONS)
    {
      g_autofree char *objects = _pg_policy_bucket_objects (self, bucket);
      g_autofree char *marker = _pg_policy_marker (self, bucket);

      ours->marked = TRUE;
      return has_only_members (statement, TRUE)
             && g_strcmp0 (node_string (json_object_get_member (statement, "Principal")), "*") == 0
             && is_single_string (json_object_get_member (statement, "Action"), "s3:GetObject")
             && is_pair (json_object_get_member (statement, "Resource"), objects, marker)
             && is_sessions_condition (condition);
    }

  if (ours->kind == OURS_GUARD)
    {
      g_autofree char *folder = _pg_policy_folder (self, bucket);
      g_autofree char *marker = _pg_policy_marker (self, bucket);

      ours->marked = TRUE;
      return has_only_members (statement, FALSE)
             && is_signer_principal (json_object_get_member (statement, "Principal"))
             && is_guard_actions (json_object_get_member (statement, "Action"))
             && is_pair (json_object_get_member (statement, "Resource"), folder, marker);
    }

  {
    g_autofree char *objects = _pg_policy_bucket_objects (self, bucket);
    g_autofree char *marker = _pg_policy_marker (self, bucket);
    JsonNode *resource = json_object_get_member (statement, "Resource");
    gboolean any = ours->mode == PG_LOCKDOWN_ANY;

    ours->marked = is_pair (resource, objects, marker);
    if (!has_only_members (statement, any)
        || !is_lockdown_actions (json_object_get_member (statement, "Action"))
        || !(ours->marked || is_single_string (resource, objects)))
      return FALSE;

    if (any)
      return g_strcmp0 (node_string (json_object_get_member (statement, "Principal")), "*") == 0
             && is_lockdown_any_condition (condition);

    return is_signer_principal (json_object_get_member (statement, "Principal"));
  }
}

static gboolean
sid_taken (JsonArray  *statements,
           const char *sid)
{
  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      if (g_strcmp0 (_pg_policy_statement_sid (json_array_get_element (statements, i)), sid) == 0)
        return TRUE;
    }

  return FALSE;
}

/**
 * _pg_policy_free_sid:
 * @base: the Sid we would like, e.g. "PresignGuardRevokedGet20261128"
 *
 * Returns: (nullable): @base, or its first variant ("…N2", "…N3", …) no statement uses.
 */
char *
_pg_policy_free_sid (JsonArray  *statements,
                     const char *base)
{
  if (!sid_taken (statements, base))
    return g_strdup (base);

  for (guint n = 2; n <= MAX_VARIANT; n++)
    {
      g_autofree char *sid = g_strdup_printf ("%s" VARIANT_TAG "%u", base, n);

      if (!sid_taken (statements, sid))
        return g_steal_pointer (&sid);
    }

  return NULL;
}

/**
 * pg_policy_count_ours:
 * @bucket: the bucket of the policy
 *
 * Returns: how many statements are ours, by Sid and shape; the rest is somebody else's.
 */
guint
pg_policy_count_ours (PgPolicy   *self,
                      const char *bucket)
{
  g_autoptr(JsonArray) statements = _pg_policy_get_statements (self, FALSE);
  guint n = 0;

  for (guint i = 0; statements && i < json_array_get_length (statements); i++)
    {
      Ours ours;

      n += _pg_policy_statement_ours (self, json_array_get_element (statements, i), bucket, &ours);
    }

  return n;
}
