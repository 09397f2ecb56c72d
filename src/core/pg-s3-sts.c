/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pg-s3-private.h"

/* ---- STS GetCallerIdentity ------------------------------------------------------------- */

static void
caller_identity_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Reply) reply = _pg_s3_call_finish (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgXmlNode) xml = NULL;
  const char *arn;

  if (reply == NULL || !(xml = _pg_s3_reply_xml (reply, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  arn = pg_xml_child_text (pg_xml_child (xml, "GetCallerIdentityResult"), "Arn");
  if (arn == NULL || !g_str_has_prefix (arn, "arn:"))
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED,
                               _("This server cannot tell who the key belongs to."));
      return;
    }

  g_task_return_pointer (task, g_strdup (arn), g_free);
}

/**
 * pg_s3_client_get_caller_identity_async:
 *
 * Asks STS whose key this client uses (GetCallerIdentity); the answer is the principal's ARN,
 * which bucket policies name.
 */
void
pg_s3_client_get_caller_identity_async (PgS3Client          *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = _pg_s3_call_new ("POST", NULL, NULL, TRUE);
  static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15";
  g_autoptr(GBytes) body = g_bytes_new_static (form, sizeof form - 1);

  g_task_set_source_tag (task, pg_s3_client_get_caller_identity_async);
  g_free (call->service);
  call->service = g_strdup ("sts");
  _pg_s3_call_set_body (call, body, "application/x-www-form-urlencoded; charset=utf-8");
  _pg_s3_call_async (self, call, cancellable, caller_identity_cb, task);
}

char *
pg_s3_client_get_caller_identity_finish (PgS3Client    *self,
                                         GAsyncResult  *result,
                                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
