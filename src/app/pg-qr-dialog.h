/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GdkTexture *pg_qr_texture_new (const char  *text,
                               GError     **error);
GtkWindow  *pg_qr_dialog_new  (GtkWindow   *parent,
                               const char  *title,
                               const char  *url,
                               GError     **error);

G_END_DECLS
