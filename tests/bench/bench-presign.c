/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-presign"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg-presign.h"

/* Presigns N download links with our core and N/20 with botocore (the reference, run as a child
 * process on the same machine in the same run), and prints both rates and their ratio. Each
 * side runs ROUNDS times and keeps its best round, which filters out a busy machine.
 *
 *   bench-presign [--count N] [--rounds ROUNDS] [--reference PYTHON SCRIPT] */

static double
our_rate (guint count)
{
  g_autoptr(PgEndpoint) endpoint = pg_endpoint_new (NULL, "eu-west-1", FALSE, NULL);
  g_autoptr(PgCredentials) credentials = NULL;
  gint64 start;
  gint64 elapsed;
  gsize total = 0;

  credentials = pg_credentials_new ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                    NULL, NULL, NULL);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *key = g_strdup_printf ("reports/%u/日本語 a+b.pdf", i);
      g_autofree char *url = NULL;
      PgPresignOptions options = {
        .method = PG_METHOD_GET,
        .bucket = "examplebucket",
        .key = key,
        .expires = 3600,
      };

      url = pg_presign_url (endpoint, credentials, &options, NULL);
      g_assert (url != NULL);
      total += strlen (url);
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert (total > 0);

  return count / (elapsed / (double) G_USEC_PER_SEC);
}

static double
reference_rate (const char *python,
                const char *script,
                guint       count,
                guint       rounds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *count_text = g_strdup_printf ("%u", count);
  g_autofree char *rounds_text = g_strdup_printf ("%u", rounds);
  g_autofree char *output = NULL;
  const char *argv[] = { python, script, count_text, rounds_text, NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &output, NULL,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("bench-presign: the botocore reference failed: %s\n", error->message);
      exit (1);
    }

  return g_ascii_strtod (output, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("--reference PYTHON SCRIPT");
  g_autoptr(GError) error = NULL;
  gboolean reference = FALSE;
  int count = 100000;
  int rounds = 5;
  double ours = 0;
  double theirs;
  const GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "URLs to presign with our core", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds per side; the best counts", "ROUNDS" },
    { "reference", 0, 0, G_OPTION_ARG_NONE, &reference, "Compare with botocore", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count < 1 || rounds < 1
      || (reference && argc != 3))
    {
      g_printerr ("usage: bench-presign [--count N] [--rounds ROUNDS] "
                  "[--reference PYTHON SCRIPT]\n");
      return 2;
    }

  /* One warm-up round so both sides are measured hot. */
  our_rate (100);
  for (int i = 0; i < rounds; i++)
    ours = MAX (ours, our_rate (count));
  printf ("presign-guard core: %d URLs × %d rounds, best %.0f URLs/s\n", count, rounds, ours);

  if (reference)
    {
      guint reference_count = MAX (1, count / 20);

      theirs = reference_rate (argv[1], argv[2], reference_count, rounds);
      printf ("botocore:           %u URLs × %d rounds, best %.0f URLs/s\n", reference_count,
              rounds, theirs);
      printf ("ratio:              %.1f× botocore (target ≥ 50×)\n", ours / theirs);
    }

  return 0;
}
