/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "pg-cli.h"

int
pg_cli_fail (int         exit_code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, always: scripts read the first line of stderr. */
  g_strdelimit (message, "\n", ' ');
  fprintf (stderr, "presign-guard-cli: %s\n", message);

  return exit_code;
}

int
pg_cli_fail_error (int           exit_code,
                   const GError *error)
{
  return pg_cli_fail (exit_code, "%s", error->message);
}

/**
 * pg_cli_parse:
 * @exit_code: (out): set when this returns %FALSE
 *
 * Parses the options of a command; a wrong option is a usage error.
 */
gboolean
pg_cli_parse (GOptionContext   *context,
              int              *argc,
              char           ***argv,
              int              *exit_code)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = pg_cli_fail (PG_CLI_EXIT_USAGE, "%s", error->message);
      return FALSE;
    }

  return TRUE;
}

void
pg_cli_add_endpoint_options (GOptionContext       *context,
                             PgCliEndpointOptions *options)
{
  const GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &options->endpoint,
      N_("S3-compatible server instead of Amazon S3"), N_("URL") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &options->region,
      N_("Region (default: AWS_REGION, AWS_DEFAULT_REGION or us-east-1)"), N_("REGION") },
    { "path-style", 0, 0, G_OPTION_ARG_NONE, &options->path_style,
      N_("Put the bucket in the path, not the host name"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

PgEndpoint *
pg_cli_endpoint_new (PgCliEndpointOptions  *options,
                     GError               **error)
{
  const char *region = options->region;

  if (region == NULL)
    region = g_getenv ("AWS_REGION");
  if (region == NULL)
    region = g_getenv ("AWS_DEFAULT_REGION");
  if (region == NULL)
    region = "us-east-1";

  return pg_endpoint_new (options->endpoint, region, options->path_style, error);
}

void
pg_cli_endpoint_options_clear (PgCliEndpointOptions *options)
{
  g_clear_pointer (&options->endpoint, g_free);
  g_clear_pointer (&options->region, g_free);
}

/* ISO 8601 in UTC, the form scripts parse most easily. */
char *
pg_cli_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}
