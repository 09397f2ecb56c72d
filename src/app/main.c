/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "presign-guard"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pg-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PgApplication) app = NULL;
  const char *localedir = g_getenv ("PRESIGN_GUARD_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* An uninstalled build (the demo, screenshots) points at its own catalogues. */
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pg_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
