/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-activity"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-activity.h"
#include "pg-error.h"
#include "pg-link-record.h"
#include "pg-text.h"

/* What happened to a link, request by request, as the watchers saw it: kept in the bucket under
 * our folder for every colleague's app and the command line, bounded, and with nothing in it
 * that would open the link again (no signature, no key). Everything in it came from clients
 * (an address, a user agent) and from whoever could write our folder: read as untrusted text,
 * and shown through pg_text_sanitize(). */

#define FORMAT "presign-guard activity 1"
/* The longest text kept of a request's fields, in bytes. */
#define MAX_ID 256
#define MAX_FIELD 512

/* @text cut to @max bytes at most, on a character's edge; %NULL for %NULL or "". */
static char *
bounded (const char *text,
         gsize       max)
{
  const char *end;

  if (text == NULL || *text == '\0')
    return NULL;
  if (!g_utf8_validate (text, -1, &end))
    return pg_text_sanitize (text);
  if (strlen (text) <= max)
    return g_strdup (text);

  end = text + max;
  while (end > text && (*end & 0xc0) == 0x80)
    end--;

  return g_strndup (text, end - text);
}

G_DEFINE_BOXED_TYPE (PgActivityEvent, pg_activity_event, pg_activity_event_copy,
                     pg_activity_event_free)

/**
 * pg_activity_event_new_for_use:
 * @use: a request a watcher saw made with a link
 *
 * What the request came to: a download served (200, or 206 for a part), an upload stored, a
 * refusal (any 4xx or 5xx, with S3's error code), or another request.
 *
 * Returns: (transfer full): the event
 */
PgActivityEvent *
pg_activity_event_new_for_use (const PgUseEvent *use)
{
  PgActivityEvent *self = g_new0 (PgActivityEvent, 1);

  self->id = bounded (use->id, MAX_ID);
  self->time = use->time;
  self->status = use->status;
  /* Our own proof says who it is; whoever says so is shown as such, never hidden, and can
   * pass for it only with what is not a download. */
  if (g_strcmp0 (use->user_agent, PG_ACTIVITY_CHECK_AGENT) == 0
      && use->status != 200 && use->status != 206)
    self->kind = PG_ACTIVITY_CHECK;
  else if (use->status >= 400)
    self->kind = PG_ACTIVITY_REFUSED;
  else if (g_strcmp0 (use->method, "GET") == 0 && (use->status == 200 || use->status == 206))
    self->kind = PG_ACTIVITY_DOWNLOAD;
  else if (g_strcmp0 (use->method, "PUT") == 0 && use->status >= 200 && use->status < 300)
    self->kind = PG_ACTIVITY_UPLOAD;
  else
    self->kind = PG_ACTIVITY_OTHER;
  self->error_code = bounded (use->error_code, MAX_FIELD);
  self->remote_addr = bounded (use->remote_addr, MAX_FIELD);
  self->bytes = self->kind == PG_ACTIVITY_DOWNLOAD ? use->bytes_sent : 0;
  self->user_agent = bounded (use->user_agent, MAX_FIELD);

  return self;
}

PgActivityEvent *
pg_activity_event_copy (const PgActivityEvent *self)
{
  PgActivityEvent *copy = g_memdup2 (self, sizeof *self);

  copy->id = g_strdup (self->id);
  copy->error_code = g_strdup (self->error_code);
  copy->remote_addr = g_strdup (self->remote_addr);
  copy->user_agent = g_strdup (self->user_agent);

  return copy;
}

void
pg_activity_event_free (PgActivityEvent *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->error_code);
  g_free (self->remote_addr);
  g_free (self->user_agent);
  g_free (self);
}

static const char *const kind_names[] = { "download", "upload", "refused", "other", "check" };

/* "download", "upload", "refused" or "other": the words of the command line and the file. */
const char *
pg_activity_kind_to_string (PgActivityKind kind)
{
  return (guint) kind < G_N_ELEMENTS (kind_names) ? kind_names[kind] : "other";
}

static gboolean
kind_from_string (const char     *text,
                  PgActivityKind *kind)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (text, kind_names[i]))
      {
        *kind = (PgActivityKind) i;
        return TRUE;
      }

  return FALSE;
}

/* A field of a line: written out where it could pass for another field or line (tabs, line
 * ends, controls); for CSV quoted when it has a comma, a quote or a space at an end. */
static void
append_field (GString          *line,
              const char       *text,
              PgActivityFormat  format)
{
  g_autofree char *safe = pg_text_sanitize (text);

  if (line->len > 0)
    g_string_append_c (line, format == PG_ACTIVITY_CSV ? ',' : '\t');
  if (format == PG_ACTIVITY_TSV)
    {
      g_autofree char *tabs = NULL;
      g_auto(GStrv) parts = g_strsplit (safe, "\t", -1);

      tabs = g_strjoinv ("\\t", parts);
      g_string_append (line, tabs);
    }
  else if (strpbrk (safe, ",\"") != NULL || g_ascii_isspace (*safe)
           || (*safe != '\0' && g_ascii_isspace (safe[strlen (safe) - 1])))
    {
      g_auto(GStrv) parts = g_strsplit (safe, "\"", -1);
      g_autofree char *doubled = g_strjoinv ("\"\"", parts);

      g_string_append_printf (line, "\"%s\"", doubled);
    }
  else
    {
      g_string_append (line, safe);
    }
}

/**
 * pg_activity_format_header:
 *
 * Returns: the names of the columns of pg_activity_event_format(), as a line of @format
 */
const char *
pg_activity_format_header (PgActivityFormat format)
{
  return format == PG_ACTIVITY_CSV ? "time,kind,status,error,address,bytes,user_agent"
                                   : "time\tkind\tstatus\terror\taddress\tbytes\tuser_agent";
}

/**
 * pg_activity_event_format:
 *
 * One line of @format for the event: time (ISO 8601, UTC), kind, status, S3's error code,
 * source address, bytes, user agent; a field the source did not give is empty.
 *
 * Returns: (transfer full): the line, without its line end
 */
char *
pg_activity_event_format (const PgActivityEvent *self,
                          PgActivityFormat       format)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (self->time);
  g_autofree char *when = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;
  g_autofree char *status = g_strdup_printf ("%u", self->status);
  g_autofree char *bytes = g_strdup_printf ("%" G_GUINT64_FORMAT, self->bytes);
  GString *line = g_string_new (NULL);

  append_field (line, when != NULL ? when : "", format);
  append_field (line, pg_activity_kind_to_string (self->kind), format);
  append_field (line, status, format);
  append_field (line, self->error_code ? self->error_code : "", format);
  append_field (line, self->remote_addr ? self->remote_addr : "", format);
  append_field (line, bytes, format);
  append_field (line, self->user_agent ? self->user_agent : "", format);

  return g_string_free (line, FALSE);
}

/* ---- A link's activity ------------------------------------------------------------------ */

PgActivity *
pg_activity_new (void)
{
  PgActivity *self = g_new0 (PgActivity, 1);

  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_activity_event_free);

  return self;
}

PgActivity *
pg_activity_copy (const PgActivity *self)
{
  PgActivity *copy = pg_activity_new ();

  copy->dropped = self->dropped;
  for (guint i = 0; i < self->events->len; i++)
    g_ptr_array_add (copy->events, pg_activity_event_copy (g_ptr_array_index (self->events, i)));

  return copy;
}

void
pg_activity_free (PgActivity *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->events);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PgActivity, pg_activity, pg_activity_copy, pg_activity_free)

/**
 * pg_activity_add:
 * @event: a request made with the link
 *
 * Keeps @event in its place by time (the oldest first), unless an event of its id is there
 * already (two watchers, a source read again). Beyond %PG_ACTIVITY_MAX_EVENTS the oldest go,
 * and are counted in @dropped.
 *
 * Returns: whether @event was new
 */
gboolean
pg_activity_add (PgActivity            *self,
                 const PgActivityEvent *event)
{
  guint at = self->events->len;

  g_return_val_if_fail (event->id != NULL, FALSE);

  for (guint i = 0; i < self->events->len; i++)
    if (g_str_equal (((PgActivityEvent *) g_ptr_array_index (self->events, i))->id, event->id))
      return FALSE;

  while (at > 0 && ((PgActivityEvent *) g_ptr_array_index (self->events, at - 1))->time
                   > event->time)
    at--;
  g_ptr_array_insert (self->events, (int) at, pg_activity_event_copy (event));

  while (self->events->len > PG_ACTIVITY_MAX_EVENTS)
    {
      g_ptr_array_remove_index (self->events, 0);
      self->dropped++;
    }

  return TRUE;
}

/**
 * pg_activity_merge:
 * @other: the same link's activity as another writer left it
 *
 * Adds what @other has that @self has not (see pg_activity_add()); of the two counts of events
 * let go, the larger stands, with those let go now.
 *
 * Returns: how many events were new
 */
guint
pg_activity_merge (PgActivity       *self,
                   const PgActivity *other)
{
  guint64 dropped = self->dropped;
  guint added = 0;

  self->dropped = 0;
  for (guint i = 0; i < other->events->len; i++)
    added += pg_activity_add (self, g_ptr_array_index (other->events, i));
  self->dropped += MAX (dropped, other->dropped);

  return added;
}

/* How many events of @kind the link has (of those kept). */
guint
pg_activity_count (const PgActivity *self,
                   PgActivityKind    kind)
{
  guint n = 0;

  for (guint i = 0; i < self->events->len; i++)
    n += ((PgActivityEvent *) g_ptr_array_index (self->events, i))->kind == kind;

  return n;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

/**
 * pg_activity_to_bytes:
 *
 * Returns: (transfer full): the activity as the bucket keeps it (JSON)
 */
GBytes *
pg_activity_to_bytes (const PgActivity *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  add_string (builder, "format", FORMAT);
  json_builder_set_member_name (builder, "dropped");
  json_builder_add_int_value (builder, (gint64) MIN (self->dropped, G_MAXINT64));
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->events->len; i++)
    {
      PgActivityEvent *event = g_ptr_array_index (self->events, i);
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (event->time);
      g_autofree char *when = time ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ") : NULL;

      json_builder_begin_object (builder);
      add_string (builder, "id", event->id);
      add_string (builder, "time", when);
      add_string (builder, "kind", pg_activity_kind_to_string (event->kind));
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, event->status);
      add_string (builder, "error", event->error_code);
      add_string (builder, "from", event->remote_addr);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, (gint64) MIN (event->bytes, G_MAXINT64));
      add_string (builder, "agent", event->user_agent);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);

  return g_bytes_new_take (text, strlen (text));
}

/* @name of @object when it is a string, else %NULL. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* @name of @object when it is a whole number from 0 to @max, else -1. */
static gint64
number_member (JsonObject *object,
               const char *name,
               gint64      max)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  value = json_node_get_int (node);

  return value >= 0 && value <= max ? value : -1;
}

static PgActivityEvent *
event_from_json (JsonNode *node)
{
  g_autoptr(PgActivityEvent) event = g_new0 (PgActivityEvent, 1);
  g_autoptr(GDateTime) time = NULL;
  JsonObject *object;
  gint64 status;
  gint64 bytes;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  time = string_member (object, "time") != NULL
         ? g_date_time_new_from_iso8601 (string_member (object, "time"), NULL) : NULL;
  status = number_member (object, "status", 999);
  bytes = number_member (object, "bytes", G_MAXINT64);
  if (string_member (object, "id") == NULL || time == NULL || status < 0 || bytes < 0
      || !kind_from_string (string_member (object, "kind"), &event->kind))
    return NULL;

  event->id = bounded (string_member (object, "id"), MAX_ID);
  event->time = g_date_time_to_unix (time);
  event->status = (guint) status;
  event->bytes = (guint64) bytes;
  event->error_code = bounded (string_member (object, "error"), MAX_FIELD);
  event->remote_addr = bounded (string_member (object, "from"), MAX_FIELD);
  event->user_agent = bounded (string_member (object, "agent"), MAX_FIELD);

  return event->id != NULL ? g_steal_pointer (&event) : NULL;
}

/**
 * pg_activity_new_from_bytes:
 * @bytes: an activity as the bucket keeps it
 *
 * Reads an activity back: at most %PG_ACTIVITY_MAX_SIZE bytes and %PG_ACTIVITY_MAX_EVENTS
 * events; an event that is not whole is left out (and counted as let go), anything that is not
 * an activity at all is an error.
 *
 * Returns: (transfer full) (nullable): the activity, or %NULL with @error set
 */
PgActivity *
pg_activity_new_from_bytes (GBytes  *bytes,
                            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PgActivity) self = pg_activity_new ();
  JsonObject *object;
  JsonNode *events;
  gint64 dropped;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size > PG_ACTIVITY_MAX_SIZE || data == NULL
      || !json_parser_load_from_data (parser, data, (gssize) size, NULL)
      || json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
      || g_strcmp0 (string_member (json_node_get_object (json_parser_get_root (parser)),
                                   "format"), FORMAT) != 0)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_FAILED,
                   _("This is not a link’s activity of this version of Presign Guard."));
      return NULL;
    }

  object = json_node_get_object (json_parser_get_root (parser));
  events = json_object_get_member (object, "events");
  dropped = number_member (object, "dropped", G_MAXINT64);
  self->dropped = dropped > 0 ? (guint64) dropped : 0;
  if (events != NULL && JSON_NODE_HOLDS_ARRAY (events))
    {
      JsonArray *array = json_node_get_array (events);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autoptr(PgActivityEvent) event = event_from_json (json_array_get_element (array, i));

          if (event == NULL || !pg_activity_add (self, event))
            self->dropped++;
        }
    }

  return g_steal_pointer (&self);
}

/**
 * pg_activity_to_text:
 *
 * The whole activity in @format, oldest first: for CSV a header line and CRLF line ends (RFC
 * 4180, what spreadsheets read), for TSV one line per event and nothing else. The command
 * line prints it and the app exports it: the same text.
 *
 * Returns: (transfer full): the text
 */
char *
pg_activity_to_text (const PgActivity *self,
                     PgActivityFormat  format)
{
  const char *end = format == PG_ACTIVITY_CSV ? "\r\n" : "\n";
  GString *text = g_string_new (NULL);

  if (format == PG_ACTIVITY_CSV)
    g_string_append_printf (text, "%s%s", pg_activity_format_header (format), end);
  for (guint i = 0; i < self->events->len; i++)
    {
      g_autofree char *line = pg_activity_event_format (g_ptr_array_index (self->events, i),
                                                        format);

      g_string_append_printf (text, "%s%s", line, end);
    }

  return g_string_free (text, FALSE);
}

/**
 * pg_activity_key:
 * @link_id: a link's id (see pg_link_id_is_valid())
 *
 * Returns: (transfer full) (nullable): where the bucket keeps the link's activity, or %NULL for
 *   an id that is not one
 */
char *
pg_activity_key (const char *link_id)
{
  if (link_id == NULL || !pg_link_id_is_valid (link_id))
    return NULL;

  return g_strconcat (PG_ACTIVITY_PREFIX, link_id, ".json", NULL);
}
