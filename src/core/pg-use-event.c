/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-use-event"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-sigv4.h"
#include "pg-use-event.h"

/* A request S3 served, as a watcher sees it. The ops log of Ceph RGW is written by the server
 * but names what clients sent (a URI, a user agent): every field is read as untrusted text. */

PgUseEvent *
pg_use_event_new (void)
{
  return g_new0 (PgUseEvent, 1);
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
 * @line: one line of the Ceph RGW ops log (a JSON object)
 * @id: the event's id (the line's place in the log)
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
