/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-upload-page"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-catalog.h"
#include "pg-core-resources.h"
#include "pg-crypto.h"
#include "pg-error.h"
#include "pg-presign.h"
#include "pg-upload-page.h"

/* The page a partner opens to send files: one HTML document, its style and script inline, made
 * from the template in the core's resources. It talks to nobody but the bucket it was loaded
 * from, so its Content-Security-Policy allows exactly its own two inline blocks (by hash) and
 * requests to its own origin.
 *
 * What varies from page to page — the upload links, the folder, the note, the expiry and the
 * strings of both languages — travels in one JSON block that the script reads and puts into the
 * page as text. The JSON is escaped so that no value can end the block early: "<", ">", "&" and
 * the two JavaScript line terminators are written as \u escapes. */

#define RESOURCE_DIR "/io/github/presignguard/core/upload-page/"

/* The page's messages. Their English is the msgid; every language comes from the project's
 * catalogues, whatever language the sender's desktop speaks. */
static const struct {
  const char *id;
  const char *text;
} messages[] = {
  /* Translators: the heading of the page a partner opens in a web browser to send files */
  { "title", N_("Send files") },
  { "intro", N_("Files you send here go straight to the storage of the person who sent you "
                "this page. Nothing is stored anywhere else.") },
  { "limit-one", N_("You can send one file.") },
  /* Translators: {count} is a number of files, 2 or more */
  { "limit-many", N_("You can send up to {count} files.") },
  /* Translators: {folder} is a folder name in the sender's storage */
  { "destination", N_("They go to the folder “{folder}”.") },
  /* Translators: {label} is whom the page was made for, as the sender wrote it */
  { "for", N_("This page is for {label}.") },
  /* Translators: {time} is a date and time, written in the page's language */
  { "expiry", N_("This page works until {time}.") },
  { "note-label", N_("A note from the sender") },
  { "drop-one", N_("Drop a file here, or choose one.") },
  { "drop-many", N_("Drop files here, or choose them.") },
  { "choose-one", N_("Choose a File…") },
  { "choose-many", N_("Choose Files…") },
  { "files-label", N_("Files to send") },
  { "send", N_("Send") },
  /* Translators: the accessible name of a progress bar; {name} is a file name */
  { "progress", N_("Progress of {name}") },
  { "cancel", N_("Cancel") },
  { "retry", N_("Try Again") },
  { "remove", N_("Remove") },
  { "ready", N_("Ready to send.") },
  /* Translators: {name} is a file name; 5 GB is the largest file one upload can carry */
  { "too-large", N_("“{name}” is larger than 5 GB, the most one upload can carry. Ask the "
                    "sender for another way.") },
  { "only-one", N_("Only one file can be sent through this page.") },
  /* Translators: {count} is a number of files, 2 or more */
  { "only-some", N_("Only {count} files can be sent through this page.") },
  { "used-up", N_("Every upload of this page has been used.") },
  /* Translators: {percent} is a number from 0 to 100 */
  { "sending", N_("Sending… {percent}%") },
  { "network", N_("The connection failed. Check your network and try again.") },
  { "cancelled", N_("Cancelled.") },
  { "sent", N_("Sent.") },
  { "already-used", N_("This link was already used: a file was sent through it before. Ask the "
                       "sender for a new link.") },
  { "closed", N_("This link was closed or has expired. Ask the sender for a new link.") },
  /* Translators: {status} is an HTTP status number such as 500 */
  { "server", N_("The storage answered with error {status}. Try again in a moment.") },
  { "all-sent", N_("Everything was sent. You can close this page.") },
  /* Translators: {count} is a number of files */
  { "sent-summary", N_("Files sent: {count}.") },
};

/* The page's languages, and what the page says when scripts are off. */
static const char *languages[] = { "en", "ja" };
#define NOSCRIPT_TEXT N_("This page needs JavaScript to send files. Turn it on, or ask the " \
                         "sender for another way.")

static GBytes *
load_resource (const char  *name,
               GError     **error)
{
  g_autofree char *path = g_strconcat (RESOURCE_DIR, name, NULL);

  return g_resource_lookup_data (pg_core_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                 error);
}

static char *
resource_text (const char  *name,
               GError     **error)
{
  g_autoptr(GBytes) bytes = load_resource (name, error);

  return bytes ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)) : NULL;
}

/* A CSP source for an inline block: its SHA-256, in base64. */
static char *
csp_hash (const char *text)
{
  guint8 digest[32];
  g_autofree char *base64 = NULL;

  pg_sha256 (text, strlen (text), digest);
  base64 = g_base64_encode (digest, sizeof digest);

  return g_strdup_printf ("'sha256-%s'", base64);
}

/* JSON text that may stand inside a <script> element: nothing in it can close the element or
 * start a comment, whatever the values held. */
static char *
escape_json_for_script (const char *json)
{
  GString *out = g_string_sized_new (strlen (json) + 64);

  for (const char *p = json; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '<':
          g_string_append (out, "\\u003c");
          break;
        case '>':
          g_string_append (out, "\\u003e");
          break;
        case '&':
          g_string_append (out, "\\u0026");
          break;
        case '\xe2':
          /* U+2028 and U+2029 end a line in older JavaScript. */
          if (p[1] == '\x80' && (p[2] == '\xa8' || p[2] == '\xa9'))
            {
              g_string_append (out, p[2] == '\xa8' ? "\\u2028" : "\\u2029");
              p += 2;
              break;
            }
          G_GNUC_FALLTHROUGH;
        default:
          g_string_append_c (out, *p);
        }
    }

  return g_string_free (out, FALSE);
}

/* The catalogue of each of the page's languages. English is its own msgids when its catalogue is
 * missing; another language without its catalogue is left out, and the page offers only the
 * languages it has. */
static void
load_catalogs (PgCatalog **catalogs)
{
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      g_autoptr(GError) error = NULL;

      catalogs[l] = pg_catalog_load (NULL, languages[l], &error);
      if (catalogs[l] == NULL)
        g_debug ("no catalogue for %s: %s", languages[l], error->message);
    }
}

static gboolean
has_language (PgCatalog **catalogs,
              guint       l)
{
  return catalogs[l] != NULL || g_str_equal (languages[l], "en");
}

static void
add_strings (JsonBuilder  *builder,
             PgCatalog   **catalogs)
{
  json_builder_set_member_name (builder, "strings");
  json_builder_begin_object (builder);
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      if (!has_language (catalogs, l))
        continue;

      json_builder_set_member_name (builder, languages[l]);
      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
        {
          json_builder_set_member_name (builder, messages[i].id);
          json_builder_add_string_value (builder,
                                         pg_catalog_lookup (catalogs[l], messages[i].text));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
}

/* @msgid in every language the page has, one after the other, escaped for HTML text. */
static char *
all_languages (PgCatalog  **catalogs,
               const char  *msgid,
               const char  *separator)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  g_autofree char *joined = NULL;

  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      if (has_language (catalogs, l))
        g_ptr_array_add (texts, (gpointer) pg_catalog_lookup (catalogs[l], msgid));
    }
  g_ptr_array_add (texts, NULL);
  joined = g_strjoinv (separator, (char **) texts->pdata);

  return g_markup_escape_text (joined, -1);
}

static char *
config_json (const PgUploadPageContent  *content,
             PgCatalog                 **catalogs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, content->folder ? content->folder : "");
  json_builder_set_member_name (builder, "note");
  json_builder_add_string_value (builder, content->note ? content->note : "");
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, content->label ? content->label : "");
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, content->expires_at);
  json_builder_set_member_name (builder, "contentType");
  json_builder_add_string_value (builder, PG_UPLOAD_CONTENT_TYPE);
  json_builder_set_member_name (builder, "maxBytes");
  json_builder_add_int_value (builder, (gint64) PG_UPLOAD_PAGE_MAX_FILE_BYTES);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; content->upload_keys[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, content->upload_keys[i]);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, content->upload_urls[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_strings (builder, catalogs);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static gboolean
check_content (const PgUploadPageContent  *content,
               GError                    **error)
{
  guint n_keys = content->upload_keys ? g_strv_length ((char **) content->upload_keys) : 0;
  guint n_urls = content->upload_urls ? g_strv_length ((char **) content->upload_urls) : 0;

  if (n_keys == 0 || n_keys > PG_UPLOAD_PAGE_MAX_FILES || n_keys != n_urls)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("An upload page takes 1 to %d files."), PG_UPLOAD_PAGE_MAX_FILES);
      return FALSE;
    }

  if ((content->folder && !g_utf8_validate (content->folder, -1, NULL))
      || (content->note && !g_utf8_validate (content->note, -1, NULL)))
    {
      g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                           _("The folder and the note must be text (UTF-8)."));
      return FALSE;
    }

  if (content->note && g_utf8_strlen (content->note, -1) > PG_UPLOAD_PAGE_MAX_NOTE)
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("The note is too long: at most %d characters."), PG_UPLOAD_PAGE_MAX_NOTE);
      return FALSE;
    }

  return TRUE;
}

/* Replaces each @NAME@ of @template once, left to right, with its value: text put in is never
 * looked at again, so a value that holds "@SCRIPT@" stays as it is. */
static char *
fill_template (const char         *template,
               const char * const *names,
               const char * const *values)
{
  GString *out = g_string_sized_new (strlen (template) * 2);
  const char *p = template;

  while (*p != '\0')
    {
      const char *at = strchr (p, '@');
      gboolean replaced = FALSE;

      if (at == NULL)
        {
          g_string_append (out, p);
          break;
        }

      g_string_append_len (out, p, at - p);
      for (guint i = 0; names[i] != NULL; i++)
        {
          gsize len = strlen (names[i]);

          if (strncmp (at + 1, names[i], len) == 0 && at[len + 1] == '@')
            {
              g_string_append (out, values[i]);
              p = at + len + 2;
              replaced = TRUE;
              break;
            }
        }
      if (!replaced)
        {
          g_string_append_c (out, '@');
          p = at + 1;
        }
    }

  return g_string_free (out, FALSE);
}

/**
 * pg_upload_page_render:
 *
 * Makes the page for @content. Refuses more than %PG_UPLOAD_PAGE_MAX_FILES files, a note longer
 * than %PG_UPLOAD_PAGE_MAX_NOTE characters and text that is not UTF-8.
 *
 * Returns: (transfer full): the page, UTF-8 HTML
 */
GBytes *
pg_upload_page_render (const PgUploadPageContent  *content,
                       GError                    **error)
{
  g_autofree char *template = NULL;
  g_autofree char *style = NULL;
  g_autofree char *script = NULL;
  g_autofree char *json = NULL;
  g_autofree char *config = NULL;
  g_autofree char *csp = NULL;
  g_autofree char *script_hash = NULL;
  g_autofree char *style_hash = NULL;
  g_autofree char *title = NULL;
  g_autofree char *noscript = NULL;
  PgCatalog *catalogs[G_N_ELEMENTS (languages)] = { NULL, };
  const char *names[] = { "CSP", "TITLE", "STYLE", "NOSCRIPT", "CONFIG", "SCRIPT", NULL };
  const char *values[G_N_ELEMENTS (names)];
  char *page;

  if (!check_content (content, error))
    return NULL;

  if (!(template = resource_text ("page.html", error))
      || !(style = resource_text ("page.css", error))
      || !(script = resource_text ("page.js", error)))
    return NULL;

  load_catalogs (catalogs);
  json = config_json (content, catalogs);
  config = escape_json_for_script (json);
  script_hash = csp_hash (script);
  style_hash = csp_hash (style);
  csp = g_strdup_printf ("default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
                         "img-src 'none'; base-uri 'none'; form-action 'none'",
                         script_hash, style_hash);

  /* Before the script runs (or when it cannot), the page speaks all its languages. */
  title = all_languages (catalogs, messages[0].text, " · ");
  noscript = all_languages (catalogs, NOSCRIPT_TEXT, " ");
  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    g_clear_pointer (&catalogs[l], pg_catalog_free);

  values[0] = csp;
  values[1] = title;
  values[2] = style;
  values[3] = noscript;
  values[4] = config;
  values[5] = script;
  values[6] = NULL;
  page = fill_template (template, names, values);

  return g_bytes_new_take (page, strlen (page));
}

/* The key of the page of link @link_id. */
char *
pg_upload_page_key (const char *link_id)
{
  return g_strconcat (PG_UPLOAD_PAGE_PREFIX, link_id, ".html", NULL);
}

gboolean
pg_upload_page_is_page_key (const char *key)
{
  return key != NULL && g_str_has_prefix (key, PG_UPLOAD_PAGE_PREFIX)
         && g_str_has_suffix (key, ".html")
         && strchr (key + strlen (PG_UPLOAD_PAGE_PREFIX), '/') == NULL;
}

/**
 * pg_upload_page_read_keys:
 * @page: a page as pg_upload_page_render() made it
 *
 * The keys a page uploads to, read back from the page itself: how a page link found by its URL
 * alone (on another computer, say) is revoked whole.
 *
 * Returns: (transfer full): the keys, or %NULL when @page is not an upload page
 */
GStrv
pg_upload_page_read_keys (GBytes  *page,
                          GError **error)
{
  static const char open_tag[] = "<script type=\"application/json\" id=\"pg-config\">";
  gsize size;
  const char *data = g_bytes_get_data (page, &size);
  g_autofree char *text = g_strndup (data ? data : "", size);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  const char *start = strstr (text, open_tag);
  char *end = start ? strstr (start, "</script>") : NULL;
  JsonObject *root;
  JsonArray *files;
  guint n = 0;

  if (end == NULL)
    goto invalid;

  *end = '\0';
  start += strlen (open_tag);
  if (!json_parser_load_from_data (parser, start, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto invalid;

  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "files")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "files")))
    goto invalid;

  files = json_object_get_array_member (root, "files");
  n = json_array_get_length (files);
  if (n == 0 || n > PG_UPLOAD_PAGE_MAX_FILES)
    goto invalid;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      const char *key = JSON_NODE_HOLDS_OBJECT (node)
                        ? json_object_get_string_member_with_default (
                            json_node_get_object (node), "key", NULL)
                        : NULL;

      if (key == NULL || *key == '\0')
        goto invalid;
      g_strv_builder_add (keys, key);
    }

  return g_strv_builder_end (keys);

invalid:
  g_set_error_literal (error, PG_ERROR, PG_ERROR_INVALID_URL,
                       _("This is not an upload page of Presign Guard, or it was changed."));
  return NULL;
}
