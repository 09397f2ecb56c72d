/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-upload-page"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-catalog.h"
#include "pg-crypto.h"
#include "pg-error.h"
#include "pg-received.h"
#include "pg-upload-page.h"
#include "test-async.h"

/* The upload page as text: what a browser would parse. The page in a real browser is tested by
 * test-browser-upload.mjs; here, what can be checked without one — escaping, the CSP hashes, the
 * strings of both languages, and reading the keys back. */

static const char *hostile[] = {
  "</script><script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\"'`${x}{count}@SCRIPT@@CONFIG@",
  "<!-- <script> -->",
  "&amp;&lt;",
  "line\u2028break\u2029para",
  "\u202Egnp.exe\u202C",
  "日本語のフォルダ/報告書",
  "]]></script>\\u003c/script>",
};

static char *
between (const char *text,
         const char *open,
         const char *close)
{
  const char *start = strstr (text, open);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (open);
  end = strstr (start, close);
  g_assert_nonnull (end);

  return g_strndup (start, end - start);
}

static guint
count (const char *text,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (text, needle); p; p = strstr (p + 1, needle))
    n++;

  return n;
}

static char *
hash_source (const char *text)
{
  guint8 digest[32];
  g_autofree char *base64 = NULL;

  pg_sha256 (text, strlen (text), digest);
  base64 = g_base64_encode (digest, sizeof digest);

  return g_strdup_printf ("'sha256-%s'", base64);
}

static char *
render (const char  *folder,
        const char  *note,
        guint        n_files,
        GError     **error)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  g_auto(GStrv) key_list = NULL;
  g_auto(GStrv) url_list = NULL;
  g_autoptr(GBytes) page = NULL;
  PgUploadPageContent content = {
    .folder = folder,
    .note = note,
    .expires_at = 1767225600,
  };

  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *key = g_strdup_printf ("in/%s/file-%u", folder, i + 1);
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:7480/b/in/file-%u?X-Amz-Signature=%02u",
                                              i + 1, i);

      g_strv_builder_add (keys, key);
      g_strv_builder_add (urls, url);
    }
  key_list = g_strv_builder_end (keys);
  url_list = g_strv_builder_end (urls);
  content.upload_keys = (const char * const *) key_list;
  content.upload_urls = (const char * const *) url_list;

  page = pg_upload_page_render (&content, error);
  if (page == NULL)
    return NULL;

  return g_strndup (g_bytes_get_data (page, NULL), g_bytes_get_size (page));
}

static JsonObject *
read_config (const char *page,
             JsonParser *parser)
{
  g_autofree char *config = between (page, "<script type=\"application/json\" id=\"pg-config\">",
                                     "</script>");
  g_autoptr(GError) error = NULL;

  /* Nothing in the block can end it or open markup, whatever the values were. */
  g_assert_null (strchr (config, '<'));
  g_assert_null (strchr (config, '>'));
  g_assert_null (strchr (config, '&'));
  g_assert_null (strstr (config, "\u2028"));
  g_assert_null (strstr (config, "\u2029"));

  json_parser_load_from_data (parser, config, -1, &error);
  g_assert_no_error (error);

  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_values_escaped (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *page = render (hostile[i], hostile[i], 2, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *config;
      JsonArray *files;

      g_assert_no_error (error);

      /* The values come back exactly, through the JSON block only. */
      config = read_config (page, parser);
      g_assert_cmpstr (json_object_get_string_member (config, "folder"), ==, hostile[i]);
      g_assert_cmpstr (json_object_get_string_member (config, "note"), ==, hostile[i]);
      files = json_object_get_array_member (config, "files");
      g_assert_cmpuint (json_array_get_length (files), ==, 2);

      /* Two script elements (the data block and the code) and one style, however hostile the
       * values: none was opened or closed by a value. */
      g_assert_cmpuint (count (page, "<script"), ==, 2);
      g_assert_cmpuint (count (page, "</script"), ==, 2);
      g_assert_cmpuint (count (page, "<style"), ==, 1);
      g_assert_null (strstr (page, "<img"));
      g_assert_null (strstr (page, "<!-- <script"));
      /* Every placeholder of the template was filled, once: the values (which hold some) are
       * only in the data block. */
      g_assert_cmpuint (count (page, "'use strict'"), ==, 1);
      g_assert_cmpuint (count (page, "Content-Security-Policy"), ==, 1);
      {
        g_autofree char *block = between (page, "id=\"pg-config\">", "</script>");
        g_autofree char *rest = g_strdup (page);
        static const char *placeholders[] = { "@CSP@", "@TITLE@", "@STYLE@", "@NOSCRIPT@",
                                              "@CONFIG@", "@SCRIPT@" };

        memset (strstr (rest, block), ' ', strlen (block));
        for (guint p = 0; p < G_N_ELEMENTS (placeholders); p++)
          g_assert_null (strstr (rest, placeholders[p]));
      }
    }
}

static void
test_csp_matches_inline_code (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = render ("incoming", "Thanks!", 1, &error);
  g_autofree char *csp = NULL;
  g_autofree char *script = NULL;
  g_autofree char *style = NULL;
  g_autofree char *script_hash = NULL;
  g_autofree char *style_hash = NULL;
  const char *code;

  g_assert_no_error (error);
  csp = between (page, "http-equiv=\"Content-Security-Policy\" content=\"", "\"");
  style = between (page, "<style>", "</style>");
  code = strstr (page, "</script>\n<script>");
  g_assert_nonnull (code);
  script = between (code, "<script>", "</script>");
  script_hash = hash_source (script);
  style_hash = hash_source (style);

  /* Only our own inline blocks, only our own origin, nothing else. */
  g_assert_true (g_str_has_prefix (csp, "default-src 'none'; "));
  g_assert_nonnull (strstr (csp, script_hash));
  g_assert_nonnull (strstr (csp, style_hash));
  g_assert_nonnull (strstr (csp, "connect-src 'self'"));
  g_assert_null (strstr (csp, "unsafe"));
  g_assert_null (strstr (csp, "http"));
  g_assert_null (strstr (page, "src=\"http"));
  g_assert_null (strstr (page, "href=\"http"));
  g_assert_null (strstr (page, "@import"));
  g_assert_null (strstr (page, "url("));
}

static void
test_both_languages (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = render ("incoming", NULL, 3, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *config;
  JsonObject *strings;
  JsonObject *ja;
  JsonObject *en;
  GList *members;

  g_assert_no_error (error);
  config = read_config (page, parser);
  strings = json_object_get_object_member (config, "strings");
  g_assert_true (json_object_has_member (strings, "en"));

  /* The test environment points at the build's catalogues: Japanese must be there. */
  g_assert_true (json_object_has_member (strings, "ja"));
  en = json_object_get_object_member (strings, "en");
  ja = json_object_get_object_member (strings, "ja");
  g_assert_cmpuint (json_object_get_size (en), ==, json_object_get_size (ja));
  g_assert_cmpstr (json_object_get_string_member (en, "sent"), ==, "Sent.");

  members = json_object_get_members (en);
  for (GList *m = members; m; m = m->next)
    {
      const char *id = m->data;

      /* Every message is translated, and keeps its placeholders. */
      g_assert_cmpstr (json_object_get_string_member (ja, id), !=,
                       json_object_get_string_member (en, id));
      for (const char *p = strchr (json_object_get_string_member (en, id), '{'); p;
           p = strchr (p + 1, '{'))
        {
          g_autofree char *placeholder = g_strndup (p, strcspn (p, "}") + 1);

          g_assert_nonnull (strstr (json_object_get_string_member (ja, id), placeholder));
        }
    }
  g_list_free (members);

  /* Before the script runs, the title and the note for browsers without scripts speak both. */
  g_assert_nonnull (strstr (page, "<title>Send files · "));
  g_assert_cmpint (json_object_get_int_member (config, "maxBytes"), ==, 5368709120);
  g_assert_cmpint (json_object_get_int_member (config, "expires"), ==, 1767225600);
}

static void
test_read_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *page = render (hostile[0], NULL, 3, &error);
  g_autoptr(GBytes) bytes = g_bytes_new (page, strlen (page));
  g_auto(GStrv) keys = pg_upload_page_read_keys (bytes, &error);
  g_autofree char *first = g_strdup_printf ("in/%s/file-1", hostile[0]);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keys), ==, 3);
  g_assert_cmpstr (keys[0], ==, first);

  {
    static const char *not_pages[] = {
      "", "<html></html>", "<script type=\"application/json\" id=\"pg-config\">{}</script>",
      "<script type=\"application/json\" id=\"pg-config\">{\"files\":[]}</script>",
      "<script type=\"application/json\" id=\"pg-config\">{\"files\":[{\"key\":\"\"}]}</script>",
      "<script type=\"application/json\" id=\"pg-config\">{\"files\":[{\"key\":3}]}</script>",
      "<script type=\"application/json\" id=\"pg-config\">{\"files\":[1]}</script>",
      "<script type=\"application/json\" id=\"pg-config\">[]</script>",
      "<script type=\"application/json\" id=\"pg-config\">{\"files\":[{\"key\":\"a\"}]}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (not_pages); i++)
      {
        g_autoptr(GError) local = NULL;
        g_autoptr(GBytes) b = g_bytes_new (not_pages[i], strlen (not_pages[i]));
        g_auto(GStrv) none = pg_upload_page_read_keys (b, &local);

        g_assert_null (none);
        g_assert_error (local, PG_ERROR, PG_ERROR_INVALID_URL);
      }
  }
}

static void
test_refuses_bad_content (void)
{
  g_autofree char *long_note = NULL;
  GString *note = g_string_new (NULL);

  for (guint i = 0; i <= PG_UPLOAD_PAGE_MAX_NOTE; i++)
    g_string_append (note, "あ");
  long_note = g_string_free (note, FALSE);

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *page = render ("in", NULL, 0, &error);

    g_assert_null (page);
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *page = render ("in", NULL, PG_UPLOAD_PAGE_MAX_FILES + 1, &error);

    g_assert_null (page);
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *page = render ("in", long_note, 1, &error);

    g_assert_null (page);
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *page = render ("in\xff", NULL, 1, &error);

    g_assert_null (page);
    g_assert_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *page = render ("in", long_note + 3, PG_UPLOAD_PAGE_MAX_FILES, &error);

    g_assert_no_error (error);
    g_assert_nonnull (page);
  }
}

static void
test_page_keys (void)
{
  g_autofree char *key = pg_upload_page_key ("0b5c1b0e-1d1a-4f2e-9a0e-3f8c5c2a9d11");

  g_assert_cmpstr (key, ==, ".presign-guard/pages/0b5c1b0e-1d1a-4f2e-9a0e-3f8c5c2a9d11.html");
  g_assert_true (pg_upload_page_is_page_key (key));
  g_assert_false (pg_upload_page_is_page_key ("reports/page.html"));
  g_assert_false (pg_upload_page_is_page_key (".presign-guard/pages/a/b.html"));
  g_assert_false (pg_upload_page_is_page_key (".presign-guard/lock"));
  g_assert_false (pg_upload_page_is_page_key (NULL));
}

/* A damaged catalogue is refused whole: nothing read outside the file, nothing half read. */
static void
test_catalog_damaged (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PgCatalog) ja = pg_catalog_load (NULL, "ja", &error);
  g_autofree char *path = g_build_filename (pg_catalog_get_default_dir (), "ja", "LC_MESSAGES",
                                            GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *data = NULL;
  gsize size;

  g_assert_no_error (error);
  g_assert_cmpstr (pg_catalog_lookup (ja, "Send files"), !=, "Send files");
  g_assert_cmpstr (pg_catalog_lookup (ja, "no such message"), ==, "no such message");
  g_assert_cmpstr (pg_catalog_lookup (NULL, "Send"), ==, "Send");

  g_assert_true (g_file_get_contents (path, &data, &size, NULL));

  /* Every truncation, and a byte changed at every place of the header and the tables. */
  for (gsize cut = 0; cut < size; cut += (cut < 64 ? 1 : 997))
    {
      g_autoptr(GBytes) bytes = g_bytes_new (data, cut);
      g_autoptr(GError) local = NULL;
      g_autoptr(PgCatalog) catalog = pg_catalog_new_from_bytes (bytes, &local);

      /* A cut inside the strings may still leave every entry whole only at the very end. */
      if (catalog == NULL)
        g_assert_error (local, PG_ERROR, PG_ERROR_FAILED);
    }
  for (gsize at = 0; at < MIN (size, 4096); at++)
    {
      g_autofree char *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(PgCatalog) catalog = NULL;

      copy[at] ^= 0xff;
      bytes = g_bytes_new (copy, size);
      catalog = pg_catalog_new_from_bytes (bytes, NULL);
      if (catalog != NULL)
        (void) pg_catalog_lookup (catalog, "Send files");
    }
}

/* The names partners' files come back under (what the page sends, and what anyone with the
 * upload link could send instead): the file's own name, safe in a folder of ours. */
static void
test_received_names (void)
{
  static const struct { const char *disposition; const char *name; } cases[] = {
    { "attachment; filename*=UTF-8''Signed%20contract%20ACME.pdf", "Signed contract ACME.pdf" },
    { "attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%2012%E6%9C%88.xlsx",
      "請求書 12月.xlsx" },
    { "attachment; filename*=utf-8''a%2Bb%25.txt", "a+b%.txt" },
    /* filename* wins; a plain filename when it is the only one or unusable. */
    { "attachment; filename=\"plain.txt\"; filename*=UTF-8''better.txt", "better.txt" },
    { "attachment; filename=\"quoted \\\"name\\\".txt\"", "quoted \"name\".txt" },
    { "attachment; filename*=ISO-8859-1''caf%E9.txt; filename=cafe.txt", "cafe.txt" },
    /* Never a path, a hidden file or a disguised type (controls written out, "\" as "_"). */
    { "attachment; filename=\"../../.bashrc\"", "bashrc" },
    { "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd" },
    { "attachment; filename*=UTF-8''C%3A%5CUsers%5Cx%5Creport.pdf", "report.pdf" },
    { "attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe", "invoice_u202efdp.exe" },
    { "attachment; filename*=UTF-8''a%0Ab.txt", "a_x0ab.txt" },
    /* Nothing usable: the key's last part. */
    { "attachment; filename*=UTF-8''%FF%FE.txt", "file-1" },
    { "attachment; filename=\"...\"", "file-1" },
    { "inline", "file-1" },
    { NULL, "file-1" },
  };
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *long_disposition = NULL;
  g_autofree char *cut = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = pg_received_name_from_disposition (cases[i].disposition,
                                                                 "in/20261207-041504-77d017/file-1");

      g_assert_cmpstr (name, ==, cases[i].name);
    }

  /* Long names are cut to PG_RECEIVED_MAX_NAME bytes on a character's edge, extension kept. */
  for (guint i = 0; i < 150; i++)
    g_string_append (long_name, "%E5%A5%91");
  long_disposition = g_strdup_printf ("attachment; filename*=UTF-8''%s.pdf", long_name->str);
  cut = pg_received_name_from_disposition (long_disposition, "k");
  g_assert_cmpuint (strlen (cut), <=, PG_RECEIVED_MAX_NAME);
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_true (g_str_has_suffix (cut, ".pdf"));

  {
    g_autofree char *two = pg_received_numbered_name ("contract.pdf", 2);
    g_autofree char *plain = pg_received_numbered_name ("README", 3);

    g_assert_cmpstr (two, ==, "contract (2).pdf");
    g_assert_cmpstr (plain, ==, "README (3)");
  }

  /* Never over a file there, nor over one given out already and not written yet. */
  {
    g_autofree char *dir = g_dir_make_tmp ("pg-received-XXXXXX", NULL);
    g_autofree char *there = g_build_filename (dir, "a.pdf", NULL);
    g_autoptr(GFile) folder = g_file_new_for_path (dir);
    g_autoptr(GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GFile) first = NULL;
    g_autoptr(GFile) second = NULL;
    g_autoptr(GFile) other = NULL;
    g_autofree char *first_name = NULL;
    g_autofree char *second_name = NULL;
    g_autofree char *other_name = NULL;

    g_assert_true (g_file_set_contents (there, "there", -1, NULL));
    first = pg_received_free_destination (folder, "a.pdf", taken);
    second = pg_received_free_destination (folder, "a.pdf", taken);
    other = pg_received_free_destination (folder, "b.pdf", NULL);
    first_name = g_file_get_basename (first);
    second_name = g_file_get_basename (second);
    other_name = g_file_get_basename (other);
    g_assert_cmpstr (first_name, ==, "a (2).pdf");
    g_assert_cmpstr (second_name, ==, "a (3).pdf");
    g_assert_cmpstr (other_name, ==, "b.pdf");

    /* The same for a page's files at once, in a thread; and nothing once cancelled. */
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (
        (GDestroyNotify) pg_received_file_free);
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GAsyncResult) cancelled = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GPtrArray) destinations = NULL;
      g_autoptr(GError) error = NULL;
      static const char *const names[] = { "a.pdf", "a.pdf", "b.pdf" };
      static const char *const expected[] = { "a (2).pdf", "a (3).pdf", "b.pdf" };

      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          PgReceivedFile file = { .key = (char *) "in/file-1", .name = (char *) names[i] };

          g_ptr_array_add (files, pg_received_file_copy (&file));
        }
      pg_received_free_destinations_async (folder, files, NULL, test_store_result, &result);
      destinations = pg_received_free_destinations_finish (test_wait_for (&result), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (destinations->len, ==, 3);
      for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
        {
          g_autofree char *name = g_file_get_basename (g_ptr_array_index (destinations, i));

          g_assert_cmpstr (name, ==, expected[i]);
        }

      g_cancellable_cancel (cancellable);
      pg_received_free_destinations_async (folder, files, cancellable, test_store_result,
                                           &cancelled);
      g_assert_null (pg_received_free_destinations_finish (test_wait_for (&cancelled), &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    }
    g_unlink (there);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/upload-page/values-escaped", test_values_escaped);
  g_test_add_func ("/pg/upload-page/csp-matches-inline-code", test_csp_matches_inline_code);
  g_test_add_func ("/pg/upload-page/both-languages", test_both_languages);
  g_test_add_func ("/pg/upload-page/read-keys", test_read_keys);
  g_test_add_func ("/pg/upload-page/refuses-bad-content", test_refuses_bad_content);
  g_test_add_func ("/pg/upload-page/page-keys", test_page_keys);
  g_test_add_func ("/pg/upload-page/received-names", test_received_names);
  g_test_add_func ("/pg/catalog/damaged", test_catalog_damaged);

  return g_test_run ();
}
