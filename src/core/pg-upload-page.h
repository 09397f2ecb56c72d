/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where upload pages live in a bucket: one object per link, named after the link. */
#define PG_UPLOAD_PAGE_PREFIX         ".presign-guard/pages/"
#define PG_UPLOAD_PAGE_CONTENT_TYPE   "text/html; charset=utf-8"
/* The most files one page takes: each has a presigned PUT of its own in the page. */
#define PG_UPLOAD_PAGE_MAX_FILES      20
/* The largest object one PUT may create on Amazon S3 (5 GiB); the page refuses larger files. */
#define PG_UPLOAD_PAGE_MAX_FILE_BYTES G_GUINT64_CONSTANT (5368709120)
/* The largest page read back from a bucket. */
#define PG_UPLOAD_PAGE_MAX_BYTES      (1024 * 1024)
/* The sender's note, in characters. */
#define PG_UPLOAD_PAGE_MAX_NOTE       2000

/**
 * PgUploadPageContent:
 * @folder: the folder the files go to, as the partner sees it
 * @note: (nullable): a note from the sender
 * @label: (nullable): whom the page is for
 * @expires_at: when the links end (Unix time)
 * @upload_keys: the keys the files are stored under, one per file
 * @upload_urls: a strict single-use presigned PUT for each key, in the same order
 */
typedef struct
{
  const char         *folder;
  const char         *note;
  const char         *label;
  gint64              expires_at;
  const char * const *upload_keys;
  const char * const *upload_urls;
} PgUploadPageContent;

GBytes   *pg_upload_page_render      (const PgUploadPageContent  *content,
                                      GError                    **error);
char     *pg_upload_page_key         (const char                 *link_id);
gboolean  pg_upload_page_is_page_key (const char                 *key);
GStrv     pg_upload_page_read_keys   (GBytes                     *page,
                                      GError                    **error);

G_END_DECLS
