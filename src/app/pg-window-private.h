/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-link-service.h"
#include "pg-window.h"

G_BEGIN_DECLS

/* What a download opens once it is in. */
typedef enum {
  PG_WINDOW_OPEN_NONE,
  PG_WINDOW_OPEN_FILE,
  PG_WINDOW_OPEN_FOLDER,
} PgWindowOpen;

/* The main window, in four files that share this structure:
 *
 *   pg-window.c          the window: the account's session, the lockdown switch, toasts, and the
 *                        service's job signals routed to the parts below
 *   pg-window-browser.c  the bucket browser: listing, folders, search, dropped files
 *   pg-window-links.c    the links: the list, Revoke, Remove, arming, new links
 *   pg-window-share.c    a link shared: Copy, E-mail, QR, Details; received files opened, saved
 *
 * The window only shows and forwards. Every job and every link rule is the link service's, which
 * acts through the account context of the window's session: the window asks, listens to the
 * service's signals and its links' properties while it is open, and stops listening in dispose.
 * Work it waits for is cancelled in dispose (docs/architecture.md, the lifetime idiom). */

struct _PgWindow
{
  AdwApplicationWindow  parent_instance;

  PgLinkService        *service;
  PgSession            *session;
  GCancellable         *cancellable;
  GCancellable         *list_cancellable;
  gboolean              lockdown_busy;
  char                 *prefix;
  GListStore           *files;
  GtkSingleSelection   *files_selection;
  GtkFilterListModel   *links_filtered;
  GtkSingleSelection   *links_selection;
  GHashTable           *expiry_notified;
  guint                 expiry_timer;
  guint                 received_timer;
  gboolean              notice_shown;

  AdwToastOverlay      *toasts;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  AdwStatusPage        *problem_page;
  GtkLabel             *path_label;
  GtkSearchEntry       *search_entry;
  GtkColumnView        *files_view;
  GtkStack             *links_stack;
  GtkListView          *links_view;
  GtkWidget            *watcher_bar;
  GtkLabel             *watcher_summary;
  GtkLabel             *watcher_label;
  guint                 focus_tick;
  guint                 focus_tries;
  GtkWidget            *new_link_button;
  GtkWidget            *new_link_squeezer;
  GtkSwitch            *lockdown_switch;
  GtkSpinner           *lockdown_spinner;
  GtkWidget            *files_scroller;
  AdwStatusPage        *files_empty;
  GtkPopoverMenu       *files_menu;
  GtkRevealer          *upload_revealer;
  GtkLabel             *upload_label;
  GtkProgressBar       *upload_progress;
  AdwLeaflet           *leaflet;
  GtkWidget            *browser_pane;
  GtkToggleButton      *files_toggle;
  GtkToggleButton      *links_toggle;
  GtkWidget            *pane_switcher;
};

PgApplication *_pg_window_get_app           (PgWindow        *self);
AdwToast      *_pg_window_toast_new         (const char      *text);
const char    *_pg_window_get_bucket        (PgWindow        *self);
PgAccountContext *_pg_window_get_context    (PgWindow        *self);
void           _pg_window_show_problem      (PgWindow        *self,
                                             const GError    *error);
void           _pg_window_refresh           (PgWindow        *self);
void           _pg_window_check_received    (PgWindow        *self);
void           _pg_window_show_links        (PgWindow        *self);
void           _pg_window_download          (PgWindow        *self,
                                             const char      *key,
                                             GFile           *destination,
                                             PgWindowOpen     open);

void           _pg_window_browser_class_init (GtkWidgetClass *widget_class);
void           _pg_window_browser_init      (PgWindow        *self);
void           _pg_window_browser_list      (PgWindow        *self);
void           _pg_window_browser_job       (PgWindow        *self,
                                             PgLinkJob       *job,
                                             guint            signal);

PgLink        *_pg_window_link_from_parameter (PgWindow      *self,
                                             GVariant        *parameter);
void           _pg_window_share_class_init  (GtkWidgetClass  *widget_class);

void           _pg_window_links_class_init  (GtkWidgetClass  *widget_class);
void           _pg_window_links_init        (PgWindow        *self);
void           _pg_window_links_session_changed (PgWindow    *self);
void           _pg_window_links_job_finished (PgWindow       *self,
                                             PgLinkJob       *job);
void           _pg_window_open_link_dialog  (PgWindow        *self,
                                             gboolean         upload,
                                             const char      *key);

/* Which of the service's signals a job arrives with. */
enum {
  PG_WINDOW_JOB_STARTED,
  PG_WINDOW_JOB_PROGRESS,
  PG_WINDOW_JOB_FINISHED,
};

G_END_DECLS
