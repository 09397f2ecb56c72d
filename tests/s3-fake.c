/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "s3-fake"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "s3-fake.h"

static void
reply (SoupServerMessage *message,
       guint              status,
       const char        *code)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = soup_date_time_to_string (now, SOUP_DATE_HTTP);

  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Date", date);
  soup_server_message_set_status (message, status, NULL);
  if (code != NULL && soup_server_message_get_method (message) != SOUP_METHOD_HEAD)
    {
      g_autofree char *xml = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                              "<Error><Code>%s</Code><Message></Message></Error>",
                                              code);

      soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_COPY, xml,
                                        strlen (xml));
    }
}

static gboolean
list_contains (JsonNode   *node,
               const char *value,
               gboolean    wildcards)
{
  JsonArray *array;

  if (node == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      const char *text = json_node_get_string (node);

      if (text == NULL)
        return FALSE;
      if (wildcards && g_str_has_suffix (text, "*"))
        return strncmp (text, value, strlen (text) - 1) == 0;
      return g_str_equal (text, value);
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (list_contains (json_array_get_element (array, i), value, wildcards))
        return TRUE;
    }

  return FALSE;
}

static gboolean
principal_matches (JsonNode   *principal,
                   const char *arn)
{
  if (principal == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (principal))
    return g_strcmp0 (json_node_get_string (principal), "*") == 0;

  if (!JSON_NODE_HOLDS_OBJECT (principal))
    return FALSE;

  return list_contains (json_object_get_member (json_node_get_object (principal), "AWS"), arn,
                        FALSE)
         || list_contains (json_object_get_member (json_node_get_object (principal), "AWS"), "*",
                           FALSE);
}

/* Whether @patterns (a string or a list) has one that @value is like ("*" and "?"). */
static gboolean
list_like (JsonNode   *patterns,
           const char *value)
{
  JsonArray *array;

  if (patterns != NULL && JSON_NODE_HOLDS_VALUE (patterns))
    return json_node_get_string (patterns) != NULL
           && g_pattern_match_simple (json_node_get_string (patterns), value);

  if (patterns == NULL || !JSON_NODE_HOLDS_ARRAY (patterns))
    return FALSE;

  array = json_node_get_array (patterns);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (list_like (json_array_get_element (array, i), value))
        return TRUE;
    }

  return FALSE;
}

/* Only the conditions Presign Guard writes are understood — StringEquals on s3:authType
 * (presigned), StringLike on aws:userid (which session) — and all must hold; any other makes a
 * statement not apply. @userid: the requester's, or %NULL to leave aws:userid out. */
static gboolean
condition_holds (JsonNode   *condition,
                 const char *userid)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *test;

  if (condition == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (condition))
    return FALSE;

  json_object_iter_init (&iter, json_node_get_object (condition));
  while (json_object_iter_next (&iter, &name, &test))
    {
      JsonObject *keys = JSON_NODE_HOLDS_OBJECT (test) ? json_node_get_object (test) : NULL;

      if (keys == NULL || json_object_get_size (keys) != 1)
        return FALSE;
      if (g_str_equal (name, "StringEquals")
          && g_strcmp0 (json_object_get_string_member_with_default (keys, "s3:authType", NULL),
                        "REST-QUERY-STRING") == 0)
        continue;
      if (g_str_equal (name, "StringLike") && json_object_has_member (keys, "aws:userid")
          && (userid == NULL
              || list_like (json_object_get_member (keys, "aws:userid"), userid)))
        continue;
      return FALSE;
    }

  return TRUE;
}

/* What aws:userid is for requests of @principal: "ROLEID:NAME" for a session, the user's id
 * otherwise. */
static char *
userid_of (const char *principal)
{
  if (principal != NULL
      && (strstr (principal, ":assumed-role/") != NULL
          || strstr (principal, ":federated-user/") != NULL))
    return g_strconcat ("AROAFAKE:", strrchr (principal, '/') + 1, NULL);

  return g_strdup ("AIDAFAKE");
}

/* How many Deny statements of the stored policy refuse @action on @key to @principal, whose
 * requests carry @userid (%NULL, %NULL: to whomever they name). */
static guint
count_denials (S3Fake     *fake,
               const char *principal,
               const char *userid,
               const char *action,
               const char *key)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *arn = g_strdup_printf ("arn:aws:s3:::%s/%s", fake->bucket, key);
  JsonNode *statements;
  guint n = 0;

  if (fake->policy == NULL || !(root = json_from_string (fake->policy, NULL))
      || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  statements = json_object_get_member (json_node_get_object (root), "Statement");
  if (statements == NULL || !JSON_NODE_HOLDS_ARRAY (statements))
    return 0;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (statements)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (statements), i);
      JsonObject *statement;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      statement = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (statement, "Effect", NULL),
                     "Deny") == 0
          && (principal == NULL
              || principal_matches (json_object_get_member (statement, "Principal"), principal))
          && list_contains (json_object_get_member (statement, "Action"), action, FALSE)
          && list_contains (json_object_get_member (statement, "Resource"), arn, TRUE)
          && condition_holds (json_object_get_member (statement, "Condition"), userid))
        n++;
    }

  return n;
}

/* Whether the stored policy denies @principal @action on @key: a Deny naming it (or anyone). */
gboolean
s3_fake_denies_principal (S3Fake     *fake,
                          const char *principal,
                          const char *action,
                          const char *key)
{
  g_autofree char *userid = userid_of (principal);

  return count_denials (fake, principal, userid, action, key) > 0;
}

/* How many Deny statements refuse @action on @key, whomever they name. */
guint
s3_fake_count_denials (S3Fake     *fake,
                       const char *action,
                       const char *key)
{
  return count_denials (fake, NULL, NULL, action, key);
}

/* Whether the stored policy denies the signer @action on @key. */
gboolean
s3_fake_denies (S3Fake     *fake,
                const char *action,
                const char *key)
{
  return s3_fake_denies_principal (fake, fake->signer_arn, action, key);
}

/* The session whose key is @access_key_id, if STS started one. */
static S3FakeSession *
session_of_key (S3Fake     *fake,
                const char *access_key_id)
{
  for (guint i = 0; i < fake->sessions->len; i++)
    {
      S3FakeSession *session = g_ptr_array_index (fake->sessions, i);

      if (g_str_equal (session->access_key_id, access_key_id))
        return session;
    }

  return NULL;
}

static void
session_free (S3FakeSession *session)
{
  g_free (session->name);
  g_free (session->role_arn);
  g_free (session->arn);
  g_free (session->access_key_id);
  g_free (session);
}

static void
presigned (S3Fake            *fake,
           SoupServerMessage *message,
           const char        *method,
           const char        *key,
           S3FakeSession     *session)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *action = g_str_equal (method, "PUT") ? "s3:PutObject" : "s3:GetObject";
  GBytes *object = g_hash_table_lookup (fake->objects, key);
  g_autofree char *userid = session != NULL ? userid_of (session->arn) : NULL;

  fake->presigned++;

  if (fake->presign_error != NULL)
    {
      reply (message, SOUP_STATUS_FORBIDDEN, fake->presign_error);
      return;
    }

  if (fake->missing_key_404 && object == NULL && !g_str_equal (method, "PUT"))
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
      return;
    }

  if (session != NULL ? count_denials (fake, session->arn, userid, action, key) > 0
                       || count_denials (fake, session->role_arn, userid, action, key) > 0
                     : s3_fake_denies (fake, action, key))
    {
      reply (message, SOUP_STATUS_FORBIDDEN, "AccessDenied");
      return;
    }

  if (g_str_equal (method, "PUT"))
    {
      const char *md5 = soup_message_headers_get_one (headers, "Content-MD5");
      g_autofree char *digest = NULL;

      if (md5 != NULL)
        {
          g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
          guint8 raw[16];
          gsize length = sizeof raw;

          g_checksum_update (checksum, (const guchar *) body->data, body->length);
          g_checksum_get_digest (checksum, raw, &length);
          digest = g_base64_encode (raw, length);
        }
      if (digest != NULL && !g_str_equal (digest, md5))
        {
          reply (message, SOUP_STATUS_BAD_REQUEST, "BadDigest");
          return;
        }
      g_hash_table_insert (fake->objects, g_strdup (key), g_bytes_new (body->data, body->length));
      g_hash_table_remove (fake->dispositions, key);
      if (soup_message_headers_get_one (headers, "Content-Disposition") != NULL)
        g_hash_table_insert (fake->dispositions, g_strdup (key),
                             g_strdup (soup_message_headers_get_one (headers,
                                                                     "Content-Disposition")));
      reply (message, SOUP_STATUS_OK, NULL);
      return;
    }

  if (object == NULL)
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
      return;
    }

  reply (message, SOUP_STATUS_OK, NULL);
  if (g_hash_table_contains (fake->dispositions, key))
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Content-Disposition",
                                  g_hash_table_lookup (fake->dispositions, key));
  if (g_str_equal (method, "GET"))
    soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (object, NULL),
                                      MIN (g_bytes_get_size (object), 1));
}

static void
bucket_policy (S3Fake            *fake,
               SoupServerMessage *message,
               const char        *method)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);

  if (g_str_equal (method, "GET"))
    {
      fake->policy_reads++;
      if (fake->policy_read_status != 0)
        {
          reply (message, fake->policy_read_status, "InternalError");
          return;
        }
      if (fake->policy == NULL)
        {
          reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchBucketPolicy");
          return;
        }
      reply (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                        fake->policy, strlen (fake->policy));
      return;
    }

  fake->policy_writes++;
  g_clear_pointer (&fake->policy, g_free);
  if (g_str_equal (method, "PUT"))
    fake->policy = g_strndup (body->data, body->length);
  if (fake->policy_hook != NULL)
    fake->policy_hook (fake, fake->policy_writes, fake->policy_hook_data);
  reply (message, SOUP_STATUS_NO_CONTENT, NULL);
}

/* The bucket's lifecycle rules, kept as written. */
static void
bucket_lifecycle (S3Fake            *fake,
                  SoupServerMessage *message,
                  const char        *method)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);

  if (g_str_equal (method, "GET"))
    {
      if (fake->lifecycle == NULL)
        {
          reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchLifecycleConfiguration");
          return;
        }
      reply (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_COPY,
                                        fake->lifecycle, strlen (fake->lifecycle));
      return;
    }

  g_clear_pointer (&fake->lifecycle, g_free);
  if (g_str_equal (method, "PUT"))
    fake->lifecycle = g_strndup (body->data, body->length);
  reply (message, g_str_equal (method, "PUT") ? SOUP_STATUS_OK : SOUP_STATUS_NO_CONTENT, NULL);
}

/* CopyObject: @source is "/BUCKET/KEY", escaped. */
static void
copy_object (S3Fake            *fake,
             SoupServerMessage *message,
             const char        *source,
             const char        *key)
{
  g_autofree char *decoded = g_uri_unescape_string (source, NULL);
  g_autofree char *prefix = g_strdup_printf ("/%s/", fake->bucket);
  static const char result[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                               "<CopyObjectResult><ETag>\"0\"</ETag></CopyObjectResult>";
  GBytes *stored;

  if (decoded == NULL || !g_str_has_prefix (decoded, prefix)
      || !(stored = g_hash_table_lookup (fake->objects, decoded + strlen (prefix))))
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
      return;
    }

  g_hash_table_insert (fake->objects, g_strdup (key), g_bytes_ref (stored));
  reply (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_STATIC, result,
                                    strlen (result));
}

/* STS at the server's root, AssumeRole only: a session of the role named, its principal
 * arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/NAME (the same for the same name). */
static void
sts (S3Fake            *fake,
     SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autofree char *text = g_strndup (body->data, body->length);
  g_autoptr(GHashTable) form = soup_form_decode (text);
  const char *action = g_hash_table_lookup (form, "Action");
  const char *role_arn = g_hash_table_lookup (form, "RoleArn");
  const char *name = g_hash_table_lookup (form, "RoleSessionName");
  g_auto(GStrv) fields = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) expiration = g_date_time_add_hours (now, 1);
  g_autofree char *expires = NULL;
  g_autofree char *xml = NULL;
  S3FakeSession *session;
  const char *role_name;

  if (role_arn != NULL)
    fields = g_strsplit (role_arn, ":", 6);
  if (g_strcmp0 (action, "AssumeRole") != 0 || name == NULL || fields == NULL
      || g_strv_length (fields) != 6 || !g_str_has_prefix (fields[5], "role/"))
    {
      reply (message, SOUP_STATUS_BAD_REQUEST, "ValidationError");
      return;
    }

  role_name = strrchr (fields[5], '/') + 1;
  session = g_new0 (S3FakeSession, 1);
  session->name = g_strdup (name);
  session->role_arn = g_strdup (role_arn);
  session->arn = g_strdup_printf ("arn:%s:sts::%s:assumed-role/%s/%s", fields[1], fields[4],
                                  role_name, name);
  session->access_key_id = g_strdup_printf ("ASIAFAKE%04u", fake->sessions->len + 1);
  g_ptr_array_add (fake->sessions, session);

  expires = g_date_time_format_iso8601 (expiration);
  xml = g_markup_printf_escaped ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                 "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
                                 "<AccessKeyId>%s</AccessKeyId>"
                                 "<SecretAccessKey>secret-%s</SecretAccessKey>"
                                 "<SessionToken>token-%s</SessionToken>"
                                 "<Expiration>%s</Expiration></Credentials>"
                                 "<AssumedRoleUser><Arn>%s</Arn>"
                                 "<AssumedRoleId>AROAFAKE:%s</AssumedRoleId></AssumedRoleUser>"
                                 "</AssumeRoleResult></AssumeRoleResponse>",
                                 session->access_key_id, session->access_key_id,
                                 session->access_key_id, expires, session->arn, name);
  reply (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "text/xml", SOUP_MEMORY_COPY, xml, strlen (xml));
}

static void
object (S3Fake            *fake,
        SoupServerMessage *message,
        const char        *method,
        const char        *key)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  GBytes *stored = g_hash_table_lookup (fake->objects, key);
  gboolean lock = g_str_has_prefix (key, ".presign-guard/");

  if (g_str_equal (method, "PUT"))
    {
      const char *copy_source = soup_message_headers_get_one (headers, "x-amz-copy-source");

      if (fake->put_refused_prefix != NULL && g_str_has_prefix (key, fake->put_refused_prefix))
        {
          fake->put_refusals++;
          reply (message, fake->put_refused_status,
                 fake->put_refused_status == SOUP_STATUS_FORBIDDEN ? "AccessDenied"
                                                                   : "InternalError");
          return;
        }
      if (lock && fake->lock_put_status != 0)
        {
          reply (message, fake->lock_put_status,
                 fake->lock_put_status == SOUP_STATUS_FORBIDDEN ? "AccessDenied" : "InternalError");
          return;
        }
      if (g_strcmp0 (soup_message_headers_get_one (headers, "If-None-Match"), "*") == 0
          && stored != NULL)
        {
          reply (message, SOUP_STATUS_PRECONDITION_FAILED, "PreconditionFailed");
          return;
        }
      if (copy_source != NULL)
        {
          copy_object (fake, message, copy_source, key);
          return;
        }
      fake->lock_creates += lock;
      g_hash_table_insert (fake->objects, g_strdup (key), g_bytes_new (body->data, body->length));
      g_hash_table_remove (fake->dispositions, key);
      if (soup_message_headers_get_one (headers, "Content-Disposition") != NULL)
        g_hash_table_insert (fake->dispositions, g_strdup (key),
                             g_strdup (soup_message_headers_get_one (headers,
                                                                     "Content-Disposition")));
      reply (message, SOUP_STATUS_OK, NULL);
      return;
    }

  if (g_str_equal (method, "DELETE"))
    {
      if (fake->delete_refused_prefix != NULL
          && g_str_has_prefix (key, fake->delete_refused_prefix))
        {
          reply (message, SOUP_STATUS_FORBIDDEN, "AccessDenied");
          return;
        }
      fake->lock_deletes += lock && stored != NULL;
      g_hash_table_remove (fake->objects, key);
      g_hash_table_remove (fake->dispositions, key);
      reply (message, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  fake->heads += g_str_equal (method, "HEAD");
  if (stored == NULL)
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
      return;
    }

  reply (message, SOUP_STATUS_OK, NULL);
  if (g_hash_table_contains (fake->dispositions, key))
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Content-Disposition",
                                  g_hash_table_lookup (fake->dispositions, key));
  if (g_str_equal (method, "GET"))
    soup_server_message_set_response (message, "application/octet-stream", SOUP_MEMORY_COPY,
                                      g_bytes_get_data (stored, NULL), g_bytes_get_size (stored));
}

/* ListObjectsV2, one page: the keys under the prefix, in order. */
static void
list_objects (S3Fake            *fake,
              SoupServerMessage *message,
              GHashTable        *query)
{
  const char *prefix = g_hash_table_lookup (query, "prefix");
  g_autoptr(GString) xml = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                                         "<ListBucketResult><IsTruncated>false</IsTruncated>");
  g_autofree GStrv keys = (GStrv) g_hash_table_get_keys_as_array (fake->objects, NULL);

  fake->lists++;
  qsort (keys, g_strv_length (keys), sizeof (char *), (GCompareFunc) g_strcmp0);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *escaped = NULL;

      if (prefix != NULL && !g_str_has_prefix (keys[i], prefix))
        continue;
      escaped = g_markup_escape_text (keys[i], -1);
      g_string_append_printf (xml, "<Contents><Key>%s</Key><Size>%" G_GSIZE_FORMAT "</Size>"
                              "<LastModified>2026-11-29T08:00:00.000Z</LastModified>"
                              "<ETag>\"0\"</ETag></Contents>", escaped,
                              g_bytes_get_size (g_hash_table_lookup (fake->objects, keys[i])));
    }
  g_string_append (xml, "</ListBucketResult>");
  reply (message, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (message, "application/xml", SOUP_MEMORY_COPY, xml->str,
                                    xml->len);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *message,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  S3Fake *fake = user_data;
  const char *method = soup_server_message_get_method (message);
  g_autofree char *decoded = g_uri_unescape_string (path, NULL);
  g_autofree char *prefix = g_strdup_printf ("/%s", fake->bucket);
  const char *key;

  fake->requests++;

  if (g_strcmp0 (decoded, "/") == 0 && g_str_equal (method, "POST"))
    {
      sts (fake, message);
      return;
    }

  if (decoded == NULL || !g_str_has_prefix (decoded, prefix))
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchBucket");
      return;
    }

  key = decoded + strlen (prefix);
  key = *key == '/' ? key + 1 : key;

  if (query != NULL && g_hash_table_contains (query, "X-Amz-Credential"))
    {
      const char *credential = g_hash_table_lookup (query, "X-Amz-Credential");
      g_autofree char *key_id = g_strndup (credential, strcspn (credential, "/"));
      S3FakeSession *session = session_of_key (fake, key_id);

      g_free (fake->last_presigned_key_id);
      fake->last_presigned_key_id = g_steal_pointer (&key_id);
      if (session == NULL && !g_str_has_prefix (credential, fake->signer_key_id))
        reply (message, SOUP_STATUS_FORBIDDEN, "InvalidAccessKeyId");
      else
        presigned (fake, message, method, key, session);
      return;
    }

  if (query != NULL && g_hash_table_contains (query, "policy"))
    bucket_policy (fake, message, method);
  else if (query != NULL && g_hash_table_contains (query, "lifecycle"))
    bucket_lifecycle (fake, message, method);
  else if (query != NULL && g_hash_table_contains (query, "list-type") && *key == '\0')
    list_objects (fake, message, query);
  else if (g_str_equal (method, "HEAD") && fake->head_status != 0)
    {
      fake->heads++;
      reply (message, fake->head_status, "InternalError");
    }
  else
    object (fake, message, method, key);
}

S3Fake *
s3_fake_new (const char *bucket,
             const char *signer_key_id,
             const char *signer_arn)
{
  S3Fake *fake = g_new0 (S3Fake, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->bucket = g_strdup (bucket);
  fake->signer_key_id = g_strdup (signer_key_id);
  fake->signer_arn = g_strdup (signer_arn);
  fake->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_bytes_unref);
  fake->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) session_free);
  fake->dispositions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, server_cb, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fake->server);
  fake->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return fake;
}

void
s3_fake_free (S3Fake *fake)
{
  /* Let the server see the clients' connections close, so it lets go of them. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_free (fake->url);
  g_free (fake->bucket);
  g_free (fake->signer_key_id);
  g_free (fake->signer_arn);
  g_free (fake->policy);
  g_free (fake->lifecycle);
  g_hash_table_unref (fake->objects);
  g_hash_table_unref (fake->dispositions);
  g_ptr_array_unref (fake->sessions);
  g_free (fake->last_presigned_key_id);
  g_free (fake);
}

void
s3_fake_set_policy (S3Fake     *fake,
                    const char *policy)
{
  g_free (fake->policy);
  fake->policy = g_strdup (policy);
}

void
s3_fake_put_object (S3Fake     *fake,
                    const char *key,
                    const char *contents)
{
  g_hash_table_insert (fake->objects, g_strdup (key), g_bytes_new (contents, strlen (contents)));
}

/* A file as a partner's upload stores it: with the name it had. */
void
s3_fake_put_sent_file (S3Fake     *fake,
                       const char *key,
                       const char *contents,
                       const char *disposition)
{
  s3_fake_put_object (fake, key, contents);
  g_hash_table_insert (fake->dispositions, g_strdup (key), g_strdup (disposition));
}

gboolean
s3_fake_has_object (S3Fake     *fake,
                    const char *key)
{
  return g_hash_table_contains (fake->objects, key);
}
