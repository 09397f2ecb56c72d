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

/* Only the one condition Presign Guard writes is understood; any other makes a statement not
 * apply. */
static gboolean
condition_holds (JsonNode *condition)
{
  JsonObject *object;
  JsonNode *equals;

  if (condition == NULL)
    return TRUE;

  object = json_node_get_object (condition);
  equals = json_object_get_member (object, "StringEquals");

  return json_object_get_size (object) == 1 && equals != NULL
         && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (equals),
                                                                   "s3:authType", NULL),
                       "REST-QUERY-STRING") == 0;
}

/* Whether the stored policy denies the signer @action on @key. */
gboolean
s3_fake_denies (S3Fake     *fake,
                const char *action,
                const char *key)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *arn = g_strdup_printf ("arn:aws:s3:::%s/%s", fake->bucket, key);
  JsonNode *statements;

  if (fake->policy == NULL || !(root = json_from_string (fake->policy, NULL))
      || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  statements = json_object_get_member (json_node_get_object (root), "Statement");
  if (statements == NULL || !JSON_NODE_HOLDS_ARRAY (statements))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (statements)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (statements), i);
      JsonObject *statement;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      statement = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (statement, "Effect", NULL),
                     "Deny") == 0
          && principal_matches (json_object_get_member (statement, "Principal"), fake->signer_arn)
          && list_contains (json_object_get_member (statement, "Action"), action, FALSE)
          && list_contains (json_object_get_member (statement, "Resource"), arn, TRUE)
          && condition_holds (json_object_get_member (statement, "Condition")))
        return TRUE;
    }

  return FALSE;
}

static void
presigned (S3Fake            *fake,
           SoupServerMessage *message,
           const char        *method,
           const char        *key)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  const char *action = g_str_equal (method, "PUT") ? "s3:PutObject" : "s3:GetObject";
  GBytes *object = g_hash_table_lookup (fake->objects, key);

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

  if (s3_fake_denies (fake, action, key))
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
      reply (message, SOUP_STATUS_OK, NULL);
      return;
    }

  if (object == NULL)
    {
      reply (message, SOUP_STATUS_NOT_FOUND, "NoSuchKey");
      return;
    }

  reply (message, SOUP_STATUS_OK, NULL);
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
      fake->lock_creates += lock;
      g_hash_table_insert (fake->objects, g_strdup (key), g_bytes_new (body->data, body->length));
      reply (message, SOUP_STATUS_OK, NULL);
      return;
    }

  if (g_str_equal (method, "DELETE"))
    {
      fake->lock_deletes += lock && stored != NULL;
      g_hash_table_remove (fake->objects, key);
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

      if (!g_str_has_prefix (credential, fake->signer_key_id))
        reply (message, SOUP_STATUS_FORBIDDEN, "InvalidAccessKeyId");
      else
        presigned (fake, message, method, key);
      return;
    }

  if (query != NULL && g_hash_table_contains (query, "policy"))
    bucket_policy (fake, message, method);
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
  g_hash_table_unref (fake->objects);
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

gboolean
s3_fake_has_object (S3Fake     *fake,
                    const char *key)
{
  return g_hash_table_contains (fake->objects, key);
}
