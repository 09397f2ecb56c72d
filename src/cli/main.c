/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "pg-cli.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "presign", pg_cli_presign, N_("Make a link to download or upload one file") },
  { "upload-page", pg_cli_upload_page,
    N_("Make a page for a partner to send files with a browser") },
  { "inspect", pg_cli_inspect, N_("Show what a link says about itself") },
  { "revoke", pg_cli_revoke, N_("Make the links to one file stop working") },
  { "unrevoke", pg_cli_unrevoke, N_("Let the links to one file work again") },
  { "lockdown", pg_cli_lockdown, N_("Block or unblock every link of a bucket") },
  { "policy", pg_cli_policy, N_("Show or prune the bucket policy") },
  { "ls", pg_cli_ls, N_("List the files of a bucket") },
  { "upload", pg_cli_upload, N_("Upload a file") },
  { "get", pg_cli_get, N_("Download a file, under the name it was sent with") },
  { "received", pg_cli_received,
    N_("List (and save) what partners sent through an upload link or page") },
  { "cp", pg_cli_cp, N_("Copy a file within its bucket") },
  { "rm", pg_cli_rm, N_("Delete a file") },
  { "mb", pg_cli_mb, N_("Create a bucket") },
  { "identity", pg_cli_identity, N_("Show whom the keys belong to") },
  { "check", pg_cli_check, N_("Test the keys on a bucket, as the app’s Test Connection does") },
  { "links", pg_cli_links, N_("List the links recorded in a bucket") },
  { "activity", pg_cli_activity, N_("Show who used a link, when and from where") },
  { "setup", pg_cli_setup, N_("Create the role that signs links one by one") },
  { "watch", pg_cli_watch, N_("Close armed links once they are used, until stopped") },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: presign-guard-cli COMMAND [OPTION…]"));
  fprintf (out, "%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-12s %s\n", commands[i].name, _(commands[i].summary));
  fprintf (out, "\n%s\n",
           _("Run “presign-guard-cli COMMAND --help” for the options of a command."));
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PRESIGN_GUARD_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* An uninstalled build (the demo, screenshots) points at its own catalogues. */
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("presign-guard-cli");

  if (argc < 2)
    {
      print_usage (stderr);
      return PG_CLI_EXIT_USAGE;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return PG_CLI_EXIT_OK;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("presign-guard-cli %s\n", PACKAGE_VERSION);
      return PG_CLI_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        return commands[i].run (argc - 1, argv + 1);
    }

  return pg_cli_fail (PG_CLI_EXIT_USAGE,
                      _("“%s” is not a command; see “presign-guard-cli --help”."), argv[1]);
}
