/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-sigv4"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-credentials.h"
#include "pg-sigv4.h"

/* Runs every case of the AWS SigV4 test suite (tests/data/aws-signing-test-suite, Apache-2.0,
 * see its LICENSE and NOTICE) through our signer, in both the header and the query variant,
 * and compares canonical request, string to sign and signature byte for byte. No case is
 * skipped. */

typedef struct
{
  char    *method;
  char    *path;
  GPtrArray *query;    /* alternating decoded names and values */
  GPtrArray *headers;  /* alternating names and raw values */
  GBytes  *body;
} ParsedRequest;

static void
parsed_request_free (ParsedRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_ptr_array_unref (request->query);
  g_ptr_array_unref (request->headers);
  g_bytes_unref (request->body);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsedRequest, parsed_request_free)

static char *
read_case_file (const char *dir,
                const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* request.txt is an HTTP/1.1 request: a request line whose target may contain raw spaces and
 * UTF-8, header lines (a line starting with blanks continues the previous value), a blank
 * line and the body. */
static ParsedRequest *
parse_request (const char *text)
{
  ParsedRequest *request = g_new0 (ParsedRequest, 1);
  const char *line_end = strchr (text, '\n');
  g_autofree char *request_line = g_strndup (text, line_end ? line_end - text : (gssize) strlen (text));
  const char *first_space = strchr (request_line, ' ');
  const char *version = g_strrstr (request_line, " HTTP/");
  g_autofree char *target = NULL;
  const char *question;
  const char *p;

  g_assert_nonnull (first_space);
  g_assert_nonnull (version);

  request->method = g_strndup (request_line, first_space - request_line);
  target = g_strndup (first_space + 1, version - first_space - 1);
  request->query = g_ptr_array_new_with_free_func (g_free);
  request->headers = g_ptr_array_new_with_free_func (g_free);

  question = strchr (target, '?');
  request->path = g_strndup (target, question ? question - target : (gssize) strlen (target));
  if (question != NULL && question[1] != '\0')
    {
      g_auto(GStrv) pairs = g_strsplit (question + 1, "&", -1);

      for (guint i = 0; pairs[i]; i++)
        {
          const char *eq = strchr (pairs[i], '=');
          g_autofree char *name = eq ? g_strndup (pairs[i], eq - pairs[i]) : g_strdup (pairs[i]);

          g_ptr_array_add (request->query, g_uri_unescape_string (name, NULL));
          g_ptr_array_add (request->query, g_uri_unescape_string (eq ? eq + 1 : "", NULL));
        }
    }

  p = line_end ? line_end + 1 : text + strlen (text);
  while (*p != '\0' && *p != '\n')
    {
      const char *end = strchr (p, '\n');
      g_autofree char *line = g_strndup (p, end ? end - p : (gssize) strlen (p));

      if ((line[0] == ' ' || line[0] == '\t') && request->headers->len > 0)
        {
          char **value = (char **) &request->headers->pdata[request->headers->len - 1];
          char *joined = g_strconcat (*value, "\n", line, NULL);

          g_free (*value);
          *value = joined;
        }
      else
        {
          const char *colon = strchr (line, ':');

          g_assert_nonnull (colon);
          g_ptr_array_add (request->headers, g_strndup (line, colon - line));
          g_ptr_array_add (request->headers, g_strdup (colon + 1));
        }

      p = end ? end + 1 : p + strlen (p);
    }

  if (*p == '\n')
    p++;
  request->body = g_bytes_new (p, strlen (p));

  return request;
}

typedef struct
{
  char          *dir;
  PgCredentials *credentials;
  char          *region;
  char          *service;
  gint64         time;
  guint          expires;
  gboolean       normalize;
  gboolean       sign_body;
  gboolean       omit_session_token;
} Context;

static void
context_free (Context *context)
{
  g_free (context->dir);
  g_clear_pointer (&context->credentials, pg_credentials_unref);
  g_free (context->region);
  g_free (context->service);
  g_free (context);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Context, context_free)

static Context *
load_context (const char *dir)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *path = g_build_filename (dir, "context.json", NULL);
  Context *context = g_new0 (Context, 1);
  JsonObject *root;
  JsonObject *credentials;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  credentials = json_object_get_object_member (root, "credentials");

  context->dir = g_strdup (dir);
  context->credentials =
    pg_credentials_new (json_object_get_string_member (credentials, "access_key_id"),
                        json_object_get_string_member (credentials, "secret_access_key"),
                        json_object_get_string_member_with_default (credentials, "token", NULL),
                        NULL, &error);
  g_assert_no_error (error);
  context->region = g_strdup (json_object_get_string_member (root, "region"));
  context->service = g_strdup (json_object_get_string_member (root, "service"));
  time = g_date_time_new_from_iso8601 (json_object_get_string_member (root, "timestamp"), NULL);
  g_assert_nonnull (time);
  context->time = g_date_time_to_unix (time);
  context->expires = json_object_get_int_member (root, "expiration_in_seconds");
  context->normalize = json_object_get_boolean_member (root, "normalize");
  context->sign_body = json_object_get_boolean_member (root, "sign_body");
  context->omit_session_token =
    json_object_get_boolean_member_with_default (root, "omit_session_token", FALSE);

  return context;
}

static PgSigv4Request *
build_request (Context  *context,
               gboolean  header_variant)
{
  g_autofree char *text = read_case_file (context->dir, "request.txt");
  g_autoptr(ParsedRequest) parsed = parse_request (text);
  PgSigv4Flags flags = PG_SIGV4_ENCODED_PATH;
  const char *host = NULL;
  PgSigv4Request *request;
  gconstpointer body;
  gsize body_len;

  if (context->normalize)
    flags |= PG_SIGV4_NORMALIZE_PATH;
  if (context->omit_session_token)
    flags |= PG_SIGV4_OMIT_SESSION_TOKEN;
  if (context->sign_body && header_variant)
    flags |= PG_SIGV4_CONTENT_SHA256_HEADER;

  for (guint i = 0; i < parsed->headers->len; i += 2)
    {
      if (g_ascii_strcasecmp (parsed->headers->pdata[i], "Host") == 0)
        host = parsed->headers->pdata[i + 1];
    }
  g_assert_nonnull (host);

  request = pg_sigv4_request_new (parsed->method, host, parsed->path, flags);

  for (guint i = 0; i < parsed->headers->len; i += 2)
    {
      if (g_ascii_strcasecmp (parsed->headers->pdata[i], "Host") != 0)
        pg_sigv4_request_add_header (request, parsed->headers->pdata[i],
                                     parsed->headers->pdata[i + 1]);
    }

  for (guint i = 0; i < parsed->query->len; i += 2)
    pg_sigv4_request_add_query (request, parsed->query->pdata[i], parsed->query->pdata[i + 1]);

  body = g_bytes_get_data (parsed->body, &body_len);
  pg_sigv4_request_set_payload (request, body, body_len);

  return request;
}

static void
assert_file_equals (Context    *context,
                    const char *name,
                    const char *actual)
{
  g_autofree char *expected = read_case_file (context->dir, name);

  g_assert_cmpstr (actual, ==, expected);
}

static void
test_case_header (gconstpointer data)
{
  g_autoptr(Context) context = load_context (data);
  g_autoptr(PgSigv4Request) request = build_request (context, TRUE);
  g_autoptr(GError) error = NULL;
  g_autofree char *signed_request = read_case_file (context->dir, "header-signed-request.txt");
  g_autofree char *expected_authorization = NULL;
  const char *authorization_line;

  pg_sigv4_request_sign (request, context->credentials, context->region, context->service,
                         context->time, &error);
  g_assert_no_error (error);

  assert_file_equals (context, "header-canonical-request.txt",
                      pg_sigv4_request_get_canonical_request (request));
  assert_file_equals (context, "header-string-to-sign.txt",
                      pg_sigv4_request_get_string_to_sign (request));
  assert_file_equals (context, "header-signature.txt", pg_sigv4_request_get_signature (request));

  /* The signed request shows the Authorization header exactly. */
  authorization_line = strstr (signed_request, "\nAuthorization:");
  g_assert_nonnull (authorization_line);
  authorization_line += strlen ("\nAuthorization:");
  expected_authorization = g_strndup (authorization_line, strcspn (authorization_line, "\r\n"));
  g_assert_cmpstr (pg_sigv4_request_get_header (request, "Authorization"), ==,
                   expected_authorization);
}

static void
test_case_query (gconstpointer data)
{
  g_autoptr(Context) context = load_context (data);
  g_autoptr(PgSigv4Request) request = build_request (context, FALSE);
  g_autoptr(GError) error = NULL;
  g_autofree char *target = NULL;
  g_autofree char *signature_param = NULL;

  pg_sigv4_request_presign (request, context->credentials, context->region, context->service,
                            context->time, context->expires, &error);
  g_assert_no_error (error);

  assert_file_equals (context, "query-canonical-request.txt",
                      pg_sigv4_request_get_canonical_request (request));
  assert_file_equals (context, "query-string-to-sign.txt",
                      pg_sigv4_request_get_string_to_sign (request));
  assert_file_equals (context, "query-signature.txt", pg_sigv4_request_get_signature (request));

  target = pg_sigv4_request_get_path_and_query (request);
  signature_param = g_strconcat ("X-Amz-Signature=", pg_sigv4_request_get_signature (request), NULL);
  g_assert_nonnull (strstr (target, signature_param));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *suite = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_test_init (&argc, &argv, NULL);

  suite = g_test_build_filename (G_TEST_DIST, "data", "aws-signing-test-suite", "v4", NULL);
  dir = g_dir_open (suite, 0, NULL);
  g_assert_nonnull (dir);

  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >=, 38);

  for (guint i = 0; i < names->len; i++)
    {
      const char *case_name = g_ptr_array_index (names, i);
      g_autofree char *header_path = g_strdup_printf ("/sigv4/suite/header/%s", case_name);
      g_autofree char *query_path = g_strdup_printf ("/sigv4/suite/query/%s", case_name);
      char *case_dir = g_build_filename (suite, case_name, NULL);

      g_ptr_array_add (paths, case_dir);
      g_test_add_data_func (header_path, case_dir, test_case_header);
      g_test_add_data_func (query_path, case_dir, test_case_query);
    }

  return g_test_run ();
}
