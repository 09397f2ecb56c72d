/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "pg-application.h"
#include "pg-link-row.h"
#include "pg-window-private.h"

G_BEGIN_DECLS

/* What every UI test shares: the application, its window and the bucket of the run, made once by
 * ui_init() and used by the tests in the order main() registers them (each test starts where the
 * one before it left the window). */

extern PgApplication *ui_app;
/* The window the helpers work on: the first one, or a second one a test opens for a while. */
extern PgWindow      *ui_window;
extern char          *ui_bucket;
/* The signing role, in a run against a gateway with STS; NULL otherwise. */
extern char          *ui_role_arn;
/* The desktop notifications the app sent, as "title\nbody", oldest first. */
extern GPtrArray     *ui_notifications;

typedef gboolean (*UiCondition) (gpointer data);

gboolean          ui_notified           (gpointer      text);
gboolean          ui_init               (int          *argc,
                                         char       ***argv);
void              ui_shutdown           (void);

void              ui_wait_until         (UiCondition   condition,
                                         gpointer      data,
                                         const char   *what);
gboolean          ui_frames_drawn       (gpointer      counter);

GtkWidget        *ui_child              (gpointer      widget,
                                         GType         type,
                                         const char   *name);
GtkWidget        *ui_named              (gpointer      widget,
                                         const char   *name);
gpointer          ui_find_toplevel      (GType         type);
gboolean          ui_toplevel_shown     (gpointer      type);
gboolean          ui_toplevel_gone      (gpointer      type);
void              ui_click              (GtkWidget    *button);
void              ui_set_text           (gpointer      dialog,
                                         GType         type,
                                         const char   *row,
                                         const char   *text);
void              ui_find_widgets       (GtkWidget    *widget,
                                         GType         type,
                                         GPtrArray    *found);
GtkWindow        *ui_find_details       (void);
AdwMessageDialog *ui_find_question      (const char   *start);
gboolean          ui_question_shown     (gpointer      start);
void              ui_screenshot         (GtkWidget    *widget,
                                         const char   *name);

void              ui_choose_file        (GFile        *file);
void              ui_choose_name        (GFile        *folder,
                                         const char   *name);
gboolean          ui_files_listed       (gpointer      data);
void              ui_select_file        (const char   *key);
gboolean          ui_lockdown_is        (gpointer      wanted);

PgLink           *ui_newest_link        (void);
PgLink           *ui_make_download_link (const char   *key);
PgLinkRow        *ui_row_for            (PgLink       *link);
guint             ui_send_file          (const char   *url,
                                         const char   *body,
                                         const char   *name);
gboolean          ui_row_says           (gpointer      data);
gboolean          ui_row_shown          (gpointer      link);
char             *ui_copy_link          (PgLink       *link);
void              ui_clipboard_read_cb  (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data);
gboolean          ui_revoke_done        (gpointer      link);
gboolean          ui_link_active        (gpointer      link);
gboolean          ui_link_removed       (gpointer      link);
gboolean          ui_service_idle       (gpointer      data);

guint             ui_fetch              (const char   *method,
                                         const char   *url,
                                         const char   *body,
                                         const char   *if_none_match);
goffset           ui_fetch_size         (const char   *key);

G_END_DECLS
