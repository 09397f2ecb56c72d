/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-bad-input"

#include "config.h"

#include <string.h>

#include "pg-error.h"
#include "pg-policy.h"
#include "pg-presign.h"
#include "pg-presigned-url.h"
#include "pg-text.h"

/* A table of bad input for every field a person or a script fills in: each gives a GError with
 * a sentence — never a crash, never a link or a policy made of it. */

static void
assert_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == PG_ERROR);
  g_assert_cmpuint (strlen (error->message), >, 10);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
test_bad_endpoints (void)
{
  static const char *urls[] = {
    "", "s3.example.com", "ftp://s3.example.com", "http://", "http://h%2Fx", "http://a%0Ab",
    "http://h:0", "http://h:65536", "http://h:-1", "http://user:pw@h", "http://h/path",
    "http://h?q=1", "http://h#f", "http://h y", "http://h\n", "http://\x1b[2J",
    "http://[::1", "http://exa mple.com", "javascript:alert(1)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (urls[i], "us-east-1", TRUE, &error);

      if (endpoint != NULL)
        g_error ("accepted “%s”", urls[i]);
      assert_sentence (error);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (NULL, "eu west 1", FALSE, &error);

    g_assert_null (endpoint);
    assert_sentence (error);
  }
}

static void
test_bad_credentials (void)
{
  struct {
    const char *id;
    const char *secret;
    const char *token;
  } cases[] = {
    { "", "secret", NULL },
    { "AKID", "", NULL },
    { " AKID", "secret", NULL },
    { "AK ID", "secret", NULL },
    { "AKID\n", "secret", NULL },
    { "AKID", "sec ret", NULL },
    { "AKID", "secret\x1b", NULL },
    { "AKID", "secret", "to ken" },
    { "ＡＫＩＤ", "secret", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      PgCredentials *credentials = pg_credentials_new (cases[i].id, cases[i].secret,
                                                       cases[i].token, NULL, &error);

      if (credentials != NULL)
        g_error ("accepted case %u", i);
      g_assert_true (g_error_matches (error, PG_ERROR, PG_ERROR_INVALID_CREDENTIALS));
    }
}

static void
test_bad_links (void)
{
  g_autofree char *long_key = g_strnfill (1025, 'k');
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new ("http://127.0.0.1:7480", "us-east-1", TRUE,
                                                    NULL);
  g_autoptr(PgCredentials) signer = pg_credentials_new ("AKID", "secret", NULL, NULL, NULL);
  struct {
    const char *bucket;
    const char *key;
    guint       expires;
    const char *content_type;
  } cases[] = {
    { "demo", "", 60, NULL },
    { "demo", long_key, 60, NULL },
    { "demo", "\xff\xfe", 60, NULL },
    { "demo", "k", 0, NULL },
    { "demo", "k", 604801, NULL },
    { "demo", "k", G_MAXUINT, NULL },
    { "", "k", 60, NULL },
    { "ab", "k", 60, NULL },
    { "a b", "k", 60, NULL },
    { "a/b", "k", 60, NULL },
    { "bucket\n", "k", 60, NULL },
    { "demo", "k", 60, "text/plain\r\nX-Injected: 1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      PgPresignOptions options = {
        .method = PG_METHOD_PUT, .bucket = cases[i].bucket, .key = cases[i].key,
        .expires = cases[i].expires, .content_type = cases[i].content_type,
      };

      url = pg_presign_url (endpoint, signer, &options, &error);
      if (url != NULL)
        g_error ("signed case %u: %s", i, url);
      assert_sentence (error);
    }

  /* Awkward but valid: control characters, dot segments, wildcards make working links. */
  {
    static const char *keys[] = { "a\nb", "a/../b", "./x", "report*.pdf", "\x1b[2J" };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autoptr(GError) error = NULL;
        PgPresignOptions options = { .method = PG_METHOD_GET, .bucket = "demo", .key = keys[i],
                                     .expires = 60 };
        g_autofree char *url = pg_presign_url (endpoint, signer, &options, &error);
        g_autoptr(PgPresignedUrl) parsed = NULL;

        g_assert_no_error (error);
        g_assert_null (strpbrk (url, "\n\r\x1b "));
        parsed = pg_presigned_url_parse (url, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (pg_presigned_url_get_key (parsed), ==, keys[i]);
      }
  }
}

static void
test_bad_pasted_links (void)
{
  static const char *urls[] = {
    "", "not a link", "https://", "https://h/k", "https://h/k?X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "https://h/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F2026%2Fr%2Fs3"
    "%2Faws4_request&X-Amz-Date=20261128T000000Z&X-Amz-Expires=99999999&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=00",
    "https://h/%ZZ?X-Amz-Algorithm=AWS4-HMAC-SHA256",
    "https://h/b/\xff?X-Amz-Algorithm=AWS4-HMAC-SHA256",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PgPresignedUrl) parsed = pg_presigned_url_parse (urls[i], &error);

      g_assert_null (parsed);
      assert_sentence (error);
    }
}

static void
test_bad_policy_targets (void)
{
  g_autofree char *long_key = g_strnfill (1025, 'k');
  struct {
    const char *bucket;
    const char *key;
    const char *arn;
  } cases[] = {
    { "", "k", "arn:aws:iam::1:user/s" },
    { "de", "k", "arn:aws:iam::1:user/s" },
    { "demo", "", "arn:aws:iam::1:user/s" },
    { "demo", long_key, "arn:aws:iam::1:user/s" },
    { "demo", "k", "" },
    { "demo", "k", "arn:aws" },
    { "demo", "k", "arn:aws:iam::1:user/a\"b" },
    { "demo", "k", "arn:aws:iam::1:user/a\nb" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pg_policy_check_target (cases[i].bucket, cases[i].key, cases[i].arn,
                                              &error));
      assert_sentence (error);
    }
}

static void
test_sanitize (void)
{
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain 日本語", "plain 日本語" },
    { "a\nb\r\tc", "a\\x0ab\\x0d\\x09c" },
    { "\x1b[2J", "\\x1b[2J" },
    { "x\xc2\x9by", "x\\x9by" },
    { "\xe2\x80\xae" "txt", "\\u202etxt" },
    { "bad\xff", "bad\\xff" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = pg_text_sanitize (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

/* @text with a "|" where a line may break between two characters, as far as the phrases say. */
static char *
mark_breaks (const char *text)
{
  g_autoptr(GArray) spans = pg_text_phrase_spans (text);
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gsize at = p - text;
      gboolean inside = FALSE;

      for (guint i = 0; i < spans->len; i += 2)
        inside |= g_array_index (spans, gsize, i) < at && at < g_array_index (spans, gsize, i + 1);
      if (p != text && !inside)
        g_string_append_c (out, '|');
      g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

/* Japanese lines break between phrases: never inside a word (削除, リンク), never before the
 * kana that end it or a stop (。), never after an opening bracket. */
static void
test_phrases (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "リンクを削除しますか？", "リンクを|削除しますか？" },
    { "このファイルの新しいリンクを作ります。", "この|ファイルの|新しい|リンクを|作ります。" },
    { "「契約書」を送りました。相手に届きます。", "「契約書」を|送りました。|相手に|届きます。" },
    /* Between letters the toolkit's own rules decide (no break inside "PDF" there). */
    { "3件のファイル、PDFファイル", "3件の|ファイル、|P|D|Fファイル" },
    /* A compound verb is two phrases to this rule: the one cut it allows in a word. */
    { "受け取りました", "受け|取りました" },
  };
  g_autoptr(GArray) latin = pg_text_phrase_spans ("Delete this link? It stops working.");
  g_autoptr(GArray) broken = pg_text_phrase_spans ("削除\xff");
  g_autoptr(GArray) named = pg_text_phrase_spans ("「contract final.pdf」を共有");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = mark_breaks (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  /* Text without Japanese keeps the toolkit's rules; text that is not UTF-8 too. */
  g_assert_cmpuint (latin->len, ==, 0);
  g_assert_cmpuint (broken->len, ==, 0);
  /* A file name inside brackets may still break at its space (a long name must fit), but not
   * next to the brackets or before the particle. */
  g_assert_cmpuint (named->len, ==, 6);
  g_assert_cmpuint (g_array_index (named, gsize, 0), ==, 0);
  g_assert_cmpuint (g_array_index (named, gsize, 1), ==, strlen ("「c"));
  g_assert_cmpuint (g_array_index (named, gsize, 2), ==, strlen ("「contract final.pd"));
  g_assert_cmpuint (g_array_index (named, gsize, 3), ==, strlen ("「contract final.pdf」を"));
  g_assert_cmpuint (g_array_index (named, gsize, 4), ==, strlen ("「contract final.pdf」を"));
  g_assert_cmpuint (g_array_index (named, gsize, 5), ==, strlen ("「contract final.pdf」を共有"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pg/bad-input/endpoints", test_bad_endpoints);
  g_test_add_func ("/pg/bad-input/credentials", test_bad_credentials);
  g_test_add_func ("/pg/bad-input/links", test_bad_links);
  g_test_add_func ("/pg/bad-input/pasted-links", test_bad_pasted_links);
  g_test_add_func ("/pg/bad-input/policy-targets", test_bad_policy_targets);
  g_test_add_func ("/pg/bad-input/sanitize", test_sanitize);
  g_test_add_func ("/pg/text/phrases", test_phrases);

  return g_test_run ();
}
