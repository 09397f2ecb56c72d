/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-qr-dialog"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

#include "pg-application.h"
#include "pg-qr-dialog.h"
#include "pg-toolkit.h"

#define MODULE_PIXELS 6
#define QUIET_ZONE    4

/**
 * pg_qr_texture_new:
 *
 * Encodes @text as a QR code (error correction level M), black on white with the standard
 * quiet zone, each module @MODULE_PIXELS pixels wide.
 */
GdkTexture *
pg_qr_texture_new (const char  *text,
                   GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  QRcode *code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  int modules;
  int side;
  guint8 *pixels;

  if (code == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("This link is too long for a QR code."));
      return NULL;
    }

  modules = code->width + 2 * QUIET_ZONE;
  side = modules * MODULE_PIXELS;
  /* RGB: GTK 4.8 has no grey-only memory format. */
  pixels = g_malloc (side * side * 3);
  memset (pixels, 0xff, side * side * 3);

  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      {
        if (!(code->data[y * code->width + x] & 1))
          continue;
        for (int dy = 0; dy < MODULE_PIXELS; dy++)
          memset (pixels + (((y + QUIET_ZONE) * MODULE_PIXELS + dy) * side
                            + (x + QUIET_ZONE) * MODULE_PIXELS) * 3, 0, MODULE_PIXELS * 3);
      }

  QRcode_free (code);
  bytes = g_bytes_new_take (pixels, side * side * 3);

  return gdk_memory_texture_new (side, side, GDK_MEMORY_R8G8B8, bytes, side * 3);
}

/* A small window with the link as a QR code, for a phone to scan. */
GtkWindow *
pg_qr_dialog_new (GtkWindow   *parent,
                  const char  *title,
                  const char  *url,
                  GError     **error)
{
  g_autoptr(GdkTexture) texture = pg_qr_texture_new (url, error);
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *picture;
  GtkWidget *header;
  GtkWidget *caption;

  if (texture == NULL)
    return NULL;

  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), _("QR Code"));
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  pg_close_on_escape (GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 520);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);

  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_vexpand (picture, TRUE);
  gtk_widget_set_margin_start (picture, 24);
  gtk_widget_set_margin_end (picture, 24);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code of the link"), -1);
  gtk_box_append (GTK_BOX (box), picture);

  caption = gtk_label_new (title);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_margin_bottom (caption, 24);
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), caption);

  adw_window_set_content (ADW_WINDOW (window), box);

  return GTK_WINDOW (window);
}
