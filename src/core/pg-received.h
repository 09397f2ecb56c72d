/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pg-s3-client.h"

G_BEGIN_DECLS

/* The longest name a received file is saved under, in bytes (most file systems take 255). */
#define PG_RECEIVED_MAX_NAME 200

/**
 * PgReceivedFile:
 * @key: the object it is stored as
 * @name: the name the partner's file had (from the upload's Content-Disposition), made safe as a
 *   file name; the key's last part when the upload carried none
 * @size: its size in bytes
 * @time: when it arrived (Unix time)
 *
 * A file a partner sent through an upload link or page.
 */
typedef struct
{
  char    *key;
  char    *name;
  guint64  size;
  gint64   time;
} PgReceivedFile;

#define PG_TYPE_RECEIVED_FILE (pg_received_file_get_type ())

GType           pg_received_file_get_type        (void) G_GNUC_CONST;
PgReceivedFile *pg_received_file_copy            (const PgReceivedFile  *self);
void            pg_received_file_free            (PgReceivedFile        *self);
PgReceivedFile *pg_received_file_new_for_object  (const PgS3Object      *object);
JsonNode       *pg_received_files_to_json        (GPtrArray             *files);
GPtrArray      *pg_received_files_from_json      (JsonNode              *node);
char           *pg_received_name_from_disposition (const char           *disposition,
                                                   const char           *key);
GFile          *pg_received_free_destination     (GFile                 *folder,
                                                  const char            *name,
                                                  GHashTable            *taken);
void            pg_received_free_destinations_async  (GFile               *folder,
                                                      GPtrArray           *files,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray      *pg_received_free_destinations_finish (GAsyncResult        *result,
                                                      GError             **error);
char           *pg_received_numbered_name        (const char            *name,
                                                  guint                  n);
void            pg_received_list_async           (PgS3Client            *client,
                                                  const char            *bucket,
                                                  const char * const    *keys,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
GPtrArray      *pg_received_list_finish          (GAsyncResult          *result,
                                                  GError               **error);
void            pg_received_list_for_url_async   (PgS3Client            *manager,
                                                  const char            *url,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
GPtrArray      *pg_received_list_for_url_finish  (GAsyncResult          *result,
                                                  GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PgReceivedFile, pg_received_file_free)

G_END_DECLS
