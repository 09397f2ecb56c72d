/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-use-event"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-presigned-url.h"
#include "pg-sigv4.h"
#include "pg-use-event.h"

/* A request S3 served, as a watcher sees it. The ops log of Ceph RGW is written by the server
 * but names what clients sent (a URI, a user agent): every field is read as untrusted text. */

PgUseEvent *
pg_use_event_new (void)
{
  return g_new0 (PgUseEvent, 1);
}

G_DEFINE_BOXED_TYPE (PgUseEvent, pg_use_event, pg_use_event_copy, pg_use_event_free)

/* Returns: (transfer full): a copy of @self, that lives on its own */
PgUseEvent *
pg_use_event_copy (const PgUseEvent *self)
{
  PgUseEvent *copy = g_memdup2 (self, sizeof *self);

  copy->id = g_strdup (self->id);
  copy->bucket = g_strdup (self->bucket);
  copy->key = g_strdup (self->key);
  copy->method = g_strdup (self->method);
  copy->access_key_id = g_strdup (self->access_key_id);
  copy->remote_addr = g_strdup (self->remote_addr);
  copy->digest = g_strdup (self->digest);
  copy->user_agent = g_strdup (self->user_agent);
  copy->error_code = g_strdup (self->error_code);

  return copy;
}

void
pg_use_event_free (PgUseEvent *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->bucket);
  g_free (self->key);
  g_free (self->method);
  g_free (self->access_key_id);
  g_free (self->remote_addr);
  g_free (self->digest);
  g_free (self->user_agent);
  g_free (self->error_code);
  g_free (self);
}

/* The value of @name in a query string (decoded), or %NULL. */
static char *
query_value (const char *query,
             const char *name)
{
  g_auto(GStrv) pairs = g_strsplit (query, "&", -1);
  gsize name_length = strlen (name);

  for (guint i = 0; pairs[i] != NULL; i++)
    if (strncmp (pairs[i], name, name_length) == 0 && pairs[i][name_length] == '=')
      return g_uri_unescape_string (pairs[i] + name_length + 1, NULL);

  return NULL;
}

/**
 * pg_use_event_from_ops_log:
 * @line: one request of the Ceph RGW ops log (a JSON object)
 * @id: the event's id (the request's place in the log)
 *
 * Reads a request from the ops log: bucket, object (from the URI: path style or virtual-hosted),
 * method, status, address, time, and for a presigned request its signing key and time.
 *
 * Returns: (nullable): the request, or %NULL when the line is not one
 */
PgUseEvent *
pg_use_event_from_ops_log (const char *line,
                           gsize       length,
                           const char *id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PgUseEvent) self = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_auto(GStrv) request = NULL;
  g_autofree char *path = NULL;
  g_autofree char *credential = NULL;
  g_autofree char *amz_date = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *prefix = NULL;
  JsonObject *object;
  const char *uri;
  const char *query;
  const char *status;

  if (length == 0 || !json_parser_load_from_data (parser, line, (gssize) length, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  object = json_node_get_object (json_parser_get_root (parser));
  uri = json_object_get_string_member_with_default (object, "uri", NULL);
  status = json_object_get_string_member_with_default (object, "http_status", NULL);
  if (uri == NULL || status == NULL
      || json_object_get_string_member_with_default (object, "bucket", NULL) == NULL)
    return NULL;

  /* "GET /bucket/a%20b.pdf?X-Amz-…&X-Amz-Signature=… HTTP/1.1" (Ceph 16 writes the query
   * string twice, joined by "?": the first is the request's). */
  request = g_strsplit (uri, " ", 3);
  if (g_strv_length (request) < 2 || request[1][0] != '/')
    return NULL;

  self = pg_use_event_new ();
  self->id = g_strdup (id);
  self->bucket = g_strdup (json_object_get_string_member (object, "bucket"));
  self->method = g_strdup (request[0]);
  self->status = (guint) g_ascii_strtoull (status, NULL, 10);
  self->remote_addr = g_strdup (json_object_get_string_member_with_default (object,
                                                                            "remote_addr",
                                                                            NULL));
  self->user_agent = g_strdup (json_object_get_string_member_with_default (object, "user_agent",
                                                                           NULL));
  self->error_code = g_strdup (json_object_get_string_member_with_default (object, "error_code",
                                                                           NULL));
  if (self->error_code != NULL && *self->error_code == '\0')
    g_clear_pointer (&self->error_code, g_free);
  if (json_object_has_member (object, "bytes_sent")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "bytes_sent"))
      && json_node_get_value_type (json_object_get_member (object, "bytes_sent")) == G_TYPE_INT64)
    self->bytes_sent = (guint64) MAX (json_object_get_int_member (object, "bytes_sent"), 0);
  time = g_date_time_new_from_iso8601 (json_object_get_string_member_with_default (object,
                                                                                  "time", ""),
                                       NULL);
  self->time = time != NULL ? g_date_time_to_unix (time) : 0;

  query = strchr (request[1], '?');
  path = query != NULL ? g_strndup (request[1], query - request[1]) : g_strdup (request[1]);
  prefix = g_strconcat ("/", self->bucket, "/", NULL);
  self->key = g_uri_unescape_string (g_str_has_prefix (path, prefix) ? path + strlen (prefix)
                                                                     : path + 1, NULL);
  if (self->key == NULL)
    return NULL;

  if (query != NULL)
    {
      g_autofree char *first = NULL;
      const char *end = strchr (query + 1, '?');

      first = end != NULL ? g_strndup (query + 1, end - query - 1) : g_strdup (query + 1);
      self->presigned = strstr (first, "X-Amz-Signature=") != NULL;
      credential = query_value (first, "X-Amz-Credential");
      amz_date = query_value (first, "X-Amz-Date");
      signature = query_value (first, "X-Amz-Signature");
      self->digest = pg_link_digest_of_signature (signature);
    }

  if (self->presigned && credential != NULL && strchr (credential, '/') != NULL)
    self->access_key_id = g_strndup (credential, strchr (credential, '/') - credential);
  else
    self->access_key_id = g_strdup (json_object_get_string_member_with_default (object,
                                                                                "access_key_id",
                                                                                NULL));
  if (self->presigned && (amz_date == NULL || !pg_sigv4_parse_time (amz_date, &self->signed_at)))
    return NULL;

  return g_steal_pointer (&self);
}

/* The length of the JSON object @data begins with (braces counted outside strings), or 0 when
 * it is not whole within @length. A newline before its end means it never will be (Ceph escapes
 * newlines in strings): *@broken is then where the newline is. */
static gsize
object_length (const char *data,
               gsize       length,
               gsize      *broken)
{
  gsize depth = 0;
  gboolean in_string = FALSE;

  *broken = 0;
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n')
        {
          *broken = i;
          return 0;
        }
      if (in_string)
        {
          if (data[i] == '\\' && i + 1 < length && data[i + 1] != '\n')
            i++;
          else if (data[i] == '"')
            in_string = FALSE;
        }
      else if (data[i] == '"')
        in_string = TRUE;
      else if (data[i] == '{')
        depth++;
      else if (data[i] == '}' && --depth == 0)
        return i + 1;
    }

  return 0;
}

/**
 * pg_use_events_from_ops_log:
 * @data: what was read of the Ceph RGW ops log
 * @id_prefix: what the events' ids begin with (the log's identity)
 * @offset: where @data begins in the log
 * @used: (out): how much of @data was read through; the rest is still being written
 *
 * Ceph writes the requests it logs in batches: the JSON objects of a batch one right after
 * another, a newline after the batch. A line holds one request or several ("{…}{…}"), and a
 * request is whole once its closing brace is written; each whole one is read. A request longer
 * than %PG_OPS_LOG_MAX_REQUEST bytes is passed over (no request of a link is). An event's id is
 * @id_prefix and its request's place in the log.
 *
 * Returns: (transfer container) (element-type PgUseEvent): the requests
 */
GPtrArray *
pg_use_events_from_ops_log (const char *data,
                            gsize       length,
                            const char *id_prefix,
                            guint64     offset,
                            gsize      *used)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  gsize start = 0;

  *used = 0;
  while (start < length)
    {
      g_autofree char *id = NULL;
      PgUseEvent *event;
      gsize object;
      gsize broken;

      /* Between requests: newlines, and whatever else is passed over. */
      if (data[start] != '{')
        {
          if (data[start++] == '\n')
            *used = start;
          continue;
        }
      object = object_length (data + start, length - start, &broken);
      if (object == 0 && broken == 0)
        break;
      if (object == 0)
        {
          start += broken + 1;
          *used = start;
          continue;
        }
      id = g_strdup_printf ("%s:%" G_GUINT64_FORMAT, id_prefix, offset + start);
      if (object <= PG_OPS_LOG_MAX_REQUEST
          && (event = pg_use_event_from_ops_log (data + start, object, id)) != NULL)
        g_ptr_array_add (events, event);
      start += object;
      *used = start;
    }

  return events;
}

static const char *
member_string (JsonObject *object,
               const char *path)
{
  g_auto(GStrv) names = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (object == NULL || !(node = json_object_get_member (object, names[i])))
        return NULL;
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }

  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static gint64
parse_iso8601 (const char *text)
{
  g_autoptr(GDateTime) time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? g_date_time_to_unix (time) : 0;
}

/**
 * pg_use_event_from_eventbridge:
 * @json: an EventBridge event, as an SQS message's body: a CloudTrail data event ("AWS API Call
 *   via CloudTrail", GetObject or PutObject) or an S3 notification ("Object Created")
 * @id: the event's id (the message's)
 *
 * Returns: (nullable): the request or the arrival it tells of, or %NULL when it is neither
 */
PgUseEvent *
pg_use_event_from_eventbridge (const char *json,
                               const char *id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PgUseEvent) self = NULL;
  JsonObject *event;
  JsonObject *detail;
  const char *type;

  if (json == NULL || *json == '\0' || !json_parser_load_from_data (parser, json, -1, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  event = json_node_get_object (json_parser_get_root (parser));
  type = member_string (event, "detail-type");
  if (g_strcmp0 (member_string (event, "source"), "aws.s3") != 0 || type == NULL
      || !json_object_has_member (event, "detail")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (event, "detail")))
    return NULL;
  detail = json_object_get_object_member (event, "detail");

  self = pg_use_event_new ();
  self->id = g_strdup (id);

  if (g_str_equal (type, "Object Created"))
    {
      self->object_created = TRUE;
      self->bucket = g_strdup (member_string (detail, "bucket.name"));
      self->key = g_strdup (member_string (detail, "object.key"));
      self->method = g_strdup ("PUT");
      self->remote_addr = g_strdup (member_string (detail, "source-ip-address"));
      self->time = parse_iso8601 (member_string (event, "time"));
      self->status = 200;
    }
  else if (g_str_equal (type, "AWS API Call via CloudTrail"))
    {
      const char *name = member_string (detail, "eventName");
      const char *amz_date = member_string (detail, "requestParameters.X-Amz-Date");

      self->bucket = g_strdup (member_string (detail, "requestParameters.bucketName"));
      self->key = g_strdup (member_string (detail, "requestParameters.key"));
      self->method = g_strdup (g_strcmp0 (name, "GetObject") == 0 ? "GET"
                               : g_strcmp0 (name, "PutObject") == 0 ? "PUT" : "OTHER");
      self->access_key_id = g_strdup (member_string (detail, "userIdentity.accessKeyId"));
      self->presigned = g_strcmp0 (member_string (detail,
                                                  "additionalEventData.AuthenticationMethod"),
                                   "QueryString") == 0;
      self->remote_addr = g_strdup (member_string (detail, "sourceIPAddress"));
      self->time = parse_iso8601 (member_string (detail, "eventTime"));
      /* A data event is written for requests S3 served; refusals carry an error code. */
      self->status = member_string (detail, "errorCode") != NULL ? 403 : 200;
      self->error_code = g_strdup (member_string (detail, "errorCode"));
      self->user_agent = g_strdup (member_string (detail, "userAgent"));
      if (self->presigned && (amz_date == NULL || !pg_sigv4_parse_time (amz_date,
                                                                        &self->signed_at)))
        return NULL;
    }
  else
    {
      return NULL;
    }

  if (self->bucket == NULL || self->key == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

/* A key as S3's notifications on AWS write it: URL-encoded, a space as "+". */
static char *
form_decode (const char *text)
{
  g_autofree char *spaces = g_strdelimit (g_strdup (text), "+", ' ');

  return g_uri_unescape_string (spaces, NULL);
}

/**
 * pg_use_events_from_s3_notification:
 * @json: the body of an S3 event notification ({"Records": [...]}), as Ceph RGW posts it to an
 *   HTTP endpoint (or AWS to SNS/SQS)
 *
 * Reads the arrivals it tells of ("ObjectCreated:*"). Anyone who can reach the endpoint can
 * post one: each is a hint (the watcher asks S3 whether the file is there).
 *
 * Returns: (transfer full) (element-type PgUseEvent): the arrivals, perhaps none
 */
GPtrArray *
pg_use_events_from_s3_notification (const char *json,
                                    gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_use_event_free);
  JsonNode *records;

  if (json == NULL || length == 0 || !json_parser_load_from_data (parser, json, (gssize) length,
                                                                  NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || !(records = json_object_get_member (json_node_get_object (json_parser_get_root (parser)),
                                             "Records"))
      || !JSON_NODE_HOLDS_ARRAY (records))
    return events;

  for (guint i = 0; i < json_array_get_length (json_node_get_array (records)); i++)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (records), i);
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *name = record ? member_string (record, "eventName") : NULL;
      const char *key = record ? member_string (record, "s3.object.key") : NULL;
      const char *bucket = record ? member_string (record, "s3.bucket.name") : NULL;
      const char *sequencer = record ? member_string (record, "s3.object.sequencer") : NULL;
      g_autoptr(PgUseEvent) event = NULL;

      if (name == NULL || !g_str_has_prefix (name, "ObjectCreated:") || key == NULL
          || bucket == NULL)
        continue;

      event = pg_use_event_new ();
      event->object_created = TRUE;
      event->hint = TRUE;
      event->bucket = g_strdup (bucket);
      /* Ceph writes the key as it is; AWS URL-encodes it. */
      event->key = g_strcmp0 (member_string (record, "eventSource"), "aws:s3") == 0
                   ? form_decode (key) : g_strdup (key);
      if (event->key == NULL)
        continue;
      event->method = g_strdup ("PUT");
      event->status = 200;
      event->time = parse_iso8601 (member_string (record, "eventTime"));
      event->remote_addr = g_strdup (member_string (record, "requestParameters.sourceIPAddress"));
      if (event->remote_addr != NULL && *event->remote_addr == '\0')
        g_clear_pointer (&event->remote_addr, g_free);
      if (sequencer == NULL)
        sequencer = member_string (record, "eventTime");
      event->id = g_strdup_printf ("notification:%s:%s:%s", bucket, key,
                                   sequencer ? sequencer : "");
      g_ptr_array_add (events, g_steal_pointer (&event));
    }

  return events;
}
