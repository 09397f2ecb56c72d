/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>

#include "pg-s3-private.h"

/* A query API call of @service: the NULL-terminated name and value pairs, as a form. */
G_GNUC_NULL_TERMINATED static Call *
form_call_new (const char *service,
               gboolean    idempotent,
               ...)
{
  Call *call = _pg_s3_call_new ("POST", NULL, NULL, idempotent);
  GString *form = g_string_new (NULL);
  g_autoptr(GBytes) body = NULL;
  const char *name;
  va_list args;

  va_start (args, idempotent);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      if (form->len > 0)
        g_string_append_c (form, '&');
      g_string_append_uri_escaped (form, name, NULL, FALSE);
      g_string_append_c (form, '=');
      g_string_append_uri_escaped (form, value, NULL, FALSE);
    }
  va_end (args);

  g_free (call->service);
  call->service = g_strdup (service);
  body = g_string_free_to_bytes (form);
  _pg_s3_call_set_body (call, body, "application/x-www-form-urlencoded; charset=utf-8");

  return call;
}

/* The answer of a query API call, as XML. */
static PgXmlNode *
form_reply (PgS3Client    *self,
            GAsyncResult  *result,
            GError       **error)
{
  g_autoptr(Reply) reply = _pg_s3_call_finish (self, result, error);

  return reply != NULL ? _pg_s3_reply_xml (reply, error) : NULL;
}

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

/* ---- STS AssumeRole --------------------------------------------------------------------- */

void
pg_assumed_role_free (PgAssumedRole *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->credentials, pg_credentials_unref);
  g_free (self->arn);
  g_free (self);
}

/* What a session's answer is called: AssumeRole's, or GetFederationToken's. */
typedef struct
{
  const char *result;
  const char *user;
  char       *refusal;   /* said when the key may not start the session */
} SessionAnswer;

static void
session_answer_free (SessionAnswer *answer)
{
  g_free (answer->refusal);
  g_free (answer);
}

static void
session_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SessionAnswer *expected = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgXmlNode) xml = form_reply (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgAssumedRole) role = NULL;
  g_autoptr(GDateTime) expiration = NULL;
  PgXmlNode *answer;
  PgXmlNode *credentials;
  const char *arn;

  if (xml == NULL)
    {
      /* Ceph answers "Unknown" to a key the role does not trust. */
      g_task_return_new_error (task, PG_S3_ERROR,
                               error->domain == PG_S3_ERROR ? error->code : PG_S3_ERROR_FAILED,
                               "%s (%s)", expected->refusal, error->message);
      return;
    }

  answer = pg_xml_child (xml, expected->result);
  credentials = pg_xml_child (answer, "Credentials");
  arn = pg_xml_child_text (pg_xml_child (answer, expected->user), "Arn");
  if (pg_xml_child_text (credentials, "Expiration") != NULL)
    expiration = g_date_time_new_from_iso8601 (pg_xml_child_text (credentials, "Expiration"),
                                               NULL);

  role = g_new0 (PgAssumedRole, 1);
  role->credentials = pg_credentials_new (pg_xml_child_text (credentials, "AccessKeyId"),
                                          pg_xml_child_text (credentials, "SecretAccessKey"),
                                          pg_xml_child_text (credentials, "SessionToken"),
                                          expiration, NULL);
  if (role->credentials == NULL || arn == NULL || !g_str_has_prefix (arn, "arn:")
      || pg_credentials_get_session_token (role->credentials) == NULL)
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                               _("The server answered without a session."));
      return;
    }
  role->arn = g_strdup (arn);

  g_task_return_pointer (task, g_steal_pointer (&role), (GDestroyNotify) pg_assumed_role_free);
}

static void
start_session (PgS3Client          *self,
               Call                *call,
               const char          *result,
               const char          *user,
               char                *refusal,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SessionAnswer *answer = g_new0 (SessionAnswer, 1);

  /* Both finish alike. */
  g_task_set_source_tag (task, pg_s3_client_assume_role_async);
  answer->result = result;
  answer->user = user;
  answer->refusal = refusal;
  g_task_set_task_data (task, answer, (GDestroyNotify) session_answer_free);
  _pg_s3_call_async (self, call, cancellable, session_cb, task);
}

/**
 * pg_s3_client_assume_role_async:
 * @session_name: what the session is called (2 to 64 of `[A-Za-z0-9_=,.@-]`); its principal
 *   ARN ends with it
 * @seconds: how long the session lasts, 900 to the role's maximum
 *
 * Starts a session of @role_arn with this client's key (STS AssumeRole): temporary credentials
 * whose links a bucket policy can name apart from any other session's.
 */
void
pg_s3_client_assume_role_async (PgS3Client          *self,
                                const char          *role_arn,
                                const char          *session_name,
                                guint                seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *duration = g_strdup_printf ("%u", seconds);
  Call *call = form_call_new ("sts", TRUE, "Action", "AssumeRole", "Version", "2011-06-15",
                              "RoleArn", role_arn, "RoleSessionName", session_name,
                              "DurationSeconds", duration, NULL);

  start_session (self, call, "AssumeRoleResult", "AssumedRoleUser",
                 g_strdup_printf (_("The signing key may not start a session of the signing "
                                    "role %s."), role_arn),
                 cancellable, callback, user_data);
}

/**
 * pg_s3_client_get_federation_token_async:
 * @name: the federated user's name (2 to 32 of `[A-Za-z0-9_=,.@-]`); its principal ARN ends
 *   with it
 * @policy: what the session may do (compact JSON): without one, AWS grants nothing
 * @seconds: how long the session lasts, 900 to 129,600 (36 hours)
 *
 * Starts a session of this client's own key, which must be an IAM user's (STS
 * GetFederationToken): its principal is arn:aws:sts::ACCOUNT:federated-user/@name.
 * pg_s3_client_assume_role_finish() gives it.
 */
void
pg_s3_client_get_federation_token_async (PgS3Client          *self,
                                         const char          *name,
                                         const char          *policy,
                                         guint                seconds,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autofree char *duration = g_strdup_printf ("%u", seconds);
  Call *call = form_call_new ("sts", TRUE, "Action", "GetFederationToken",
                              "Version", "2011-06-15", "Name", name, "Policy", policy,
                              "DurationSeconds", duration, NULL);

  start_session (self, call, "GetFederationTokenResult", "FederatedUser",
                 g_strdup (_("The signing key may not start a federated session, which a "
                             "link of more than 12 hours in a session of its own needs (an IAM "
                             "user’s key, on AWS). Make it a private copy instead.")),
                 cancellable, callback, user_data);
}

PgAssumedRole *
pg_s3_client_assume_role_finish (PgS3Client    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- IAM roles -------------------------------------------------------------------------- */

/* Where an IAM answer holds the ARN of the role or user it is about. */
typedef struct
{
  const char *result;    /* e.g. "CreateRoleResult" */
  const char *entity;    /* "Role" or "User" */
} EntityReply;

static const EntityReply create_role_reply = { "CreateRoleResult", "Role" };
static const EntityReply get_role_reply = { "GetRoleResult", "Role" };
static const EntityReply create_user_reply = { "CreateUserResult", "User" };
static const EntityReply get_user_reply = { "GetUserResult", "User" };

static void
entity_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgXmlNode) xml = form_reply (PG_S3_CLIENT (source), result, &error);
  const EntityReply *reply = g_task_get_task_data (task);
  const char *arn;

  if (xml == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  arn = pg_xml_child_text (pg_xml_child (pg_xml_child (xml, reply->result), reply->entity),
                           "Arn");
  if (arn == NULL || !g_str_has_prefix (arn, "arn:"))
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                               g_str_equal (reply->entity, "Role")
                               ? _("The server answered without the role’s ARN.")
                               : _("The server answered without the user’s ARN."));
      return;
    }

  g_task_return_pointer (task, g_strdup (arn), g_free);
}

/**
 * pg_s3_client_create_role_async:
 * @trust_policy: who may start sessions of the role, as compact JSON (Ceph refuses spaces)
 *
 * Creates an IAM role; pg_s3_client_role_finish() gives its ARN, or
 * %PG_S3_ERROR_ENTITY_EXISTS.
 */
void
pg_s3_client_create_role_async (PgS3Client          *self,
                                const char          *role_name,
                                const char          *trust_policy,
                                guint                max_session_seconds,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *seconds = g_strdup_printf ("%u", max_session_seconds);
  Call *call = form_call_new ("iam", FALSE, "Action", "CreateRole", "Version", "2010-05-08",
                              "RoleName", role_name, "Path", "/",
                              "AssumeRolePolicyDocument", trust_policy,
                              "MaxSessionDuration", seconds, NULL);

  g_task_set_source_tag (task, pg_s3_client_role_finish);
  g_task_set_task_data (task, (gpointer) &create_role_reply, NULL);
  _pg_s3_call_async (self, call, cancellable, entity_cb, task);
}

/* The ARN of an existing role, or %PG_S3_ERROR_NO_SUCH_ENTITY: pg_s3_client_role_finish(). */
void
pg_s3_client_get_role_async (PgS3Client          *self,
                             const char          *role_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = form_call_new ("iam", TRUE, "Action", "GetRole", "Version", "2010-05-08",
                              "RoleName", role_name, NULL);

  g_task_set_source_tag (task, pg_s3_client_role_finish);
  g_task_set_task_data (task, (gpointer) &get_role_reply, NULL);
  _pg_s3_call_async (self, call, cancellable, entity_cb, task);
}

/* Returns: the role's ARN */
char *
pg_s3_client_role_finish (PgS3Client    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sets the inline policy @policy_name of a role: what its sessions may do (compact JSON). */
void
pg_s3_client_put_role_policy_async (PgS3Client          *self,
                                    const char          *role_name,
                                    const char          *policy_name,
                                    const char          *policy,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Call *call = form_call_new ("iam", TRUE, "Action", "PutRolePolicy", "Version", "2010-05-08",
                              "RoleName", role_name, "PolicyName", policy_name,
                              "PolicyDocument", policy, NULL);

  _pg_s3_call_boolean_async (self, call, pg_s3_client_put_role_policy_async, cancellable,
                             callback, user_data);
}

gboolean
pg_s3_client_put_role_policy_finish (PgS3Client    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_role_policy_async, error);
}

/* ---- IAM users: the signing key made where the managing key may ------------------------------ */

/* Creates an IAM user; pg_s3_client_user_finish() gives its ARN, or
 * %PG_S3_ERROR_ENTITY_EXISTS. */
void
pg_s3_client_create_user_async (PgS3Client          *self,
                                const char          *user_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = form_call_new ("iam", FALSE, "Action", "CreateUser", "Version", "2010-05-08",
                              "UserName", user_name, "Path", "/", NULL);

  g_task_set_source_tag (task, pg_s3_client_user_finish);
  g_task_set_task_data (task, (gpointer) &create_user_reply, NULL);
  _pg_s3_call_async (self, call, cancellable, entity_cb, task);
}

/* The ARN of an existing user, or %PG_S3_ERROR_NO_SUCH_ENTITY: pg_s3_client_user_finish(). */
void
pg_s3_client_get_user_async (PgS3Client          *self,
                             const char          *user_name,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = form_call_new ("iam", TRUE, "Action", "GetUser", "Version", "2010-05-08",
                              "UserName", user_name, NULL);

  g_task_set_source_tag (task, pg_s3_client_user_finish);
  g_task_set_task_data (task, (gpointer) &get_user_reply, NULL);
  _pg_s3_call_async (self, call, cancellable, entity_cb, task);
}

/* Returns: the user's ARN */
char *
pg_s3_client_user_finish (PgS3Client    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sets the inline policy @policy_name of a user: what its key may do (compact JSON). */
void
pg_s3_client_put_user_policy_async (PgS3Client          *self,
                                    const char          *user_name,
                                    const char          *policy_name,
                                    const char          *policy,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  Call *call = form_call_new ("iam", TRUE, "Action", "PutUserPolicy", "Version", "2010-05-08",
                              "UserName", user_name, "PolicyName", policy_name,
                              "PolicyDocument", policy, NULL);

  _pg_s3_call_boolean_async (self, call, pg_s3_client_put_user_policy_async, cancellable,
                             callback, user_data);
}

gboolean
pg_s3_client_put_user_policy_finish (PgS3Client    *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_put_user_policy_async, error);
}

typedef struct
{
  char *id;
  char *secret;
} AccessKey;

static void
access_key_free (AccessKey *key)
{
  g_free (key->id);
  pg_credentials_wipe_export (key->secret);
  g_free (key);
}

static void
access_key_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgXmlNode) xml = form_reply (PG_S3_CLIENT (source), result, &error);
  g_autoptr(PgCredentials) usable = NULL;
  PgXmlNode *node;
  AccessKey *key;

  if (xml == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  node = pg_xml_child (pg_xml_child (xml, "CreateAccessKeyResult"), "AccessKey");
  usable = pg_credentials_new (pg_xml_child_text (node, "AccessKeyId"),
                               pg_xml_child_text (node, "SecretAccessKey"), NULL, NULL, &error);
  if (usable == NULL)
    {
      g_task_return_new_error (task, PG_S3_ERROR, PG_S3_ERROR_FAILED,
                               _("The server answered without a usable access key: %s"),
                               error->message);
      return;
    }

  key = g_new0 (AccessKey, 1);
  key->id = g_strdup (pg_xml_child_text (node, "AccessKeyId"));
  key->secret = g_strdup (pg_xml_child_text (node, "SecretAccessKey"));
  g_task_return_pointer (task, key, (GDestroyNotify) access_key_free);
}

/* A new access key of a user: pg_s3_client_create_access_key_finish() gives it. Its secret is
 * shown by the server this once only. */
void
pg_s3_client_create_access_key_async (PgS3Client          *self,
                                      const char          *user_name,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Call *call = form_call_new ("iam", FALSE, "Action", "CreateAccessKey", "Version",
                              "2010-05-08", "UserName", user_name, NULL);

  g_task_set_source_tag (task, pg_s3_client_create_access_key_async);
  _pg_s3_call_async (self, call, cancellable, access_key_cb, task);
}

/**
 * pg_s3_client_create_access_key_finish:
 * @access_key_id: (out): the new key's ID
 * @secret: (out): its secret; wipe it with pg_credentials_wipe_export()
 */
gboolean
pg_s3_client_create_access_key_finish (PgS3Client    *self,
                                       GAsyncResult  *result,
                                       char         **access_key_id,
                                       char         **secret,
                                       GError       **error)
{
  AccessKey *key;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == pg_s3_client_create_access_key_async, FALSE);

  if (!(key = g_task_propagate_pointer (G_TASK (result), error)))
    return FALSE;

  *access_key_id = g_steal_pointer (&key->id);
  *secret = g_steal_pointer (&key->secret);
  access_key_free (key);

  return TRUE;
}

/* ---- SQS: a queue of events --------------------------------------------------------------- */

void
pg_queue_message_free (PgQueueMessage *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->receipt_handle);
  g_free (self->body);
  g_free (self);
}

static void
messages_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PgXmlNode) xml = form_reply (PG_S3_CLIENT (source), result, &error);
  g_autoptr(GPtrArray) messages = NULL;
  PgXmlNode *answer;

  if (xml == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) pg_queue_message_free);
  answer = pg_xml_child (xml, "ReceiveMessageResult");
  for (guint i = 0; answer != NULL && i < answer->children->len; i++)
    {
      PgXmlNode *node = g_ptr_array_index (answer->children, i);
      PgQueueMessage *message;

      if (!g_str_equal (node->name, "Message") || pg_xml_child_text (node, "ReceiptHandle") == NULL
          || pg_xml_child_text (node, "Body") == NULL)
        continue;

      message = g_new0 (PgQueueMessage, 1);
      message->id = g_strdup (pg_xml_child_text (node, "MessageId"));
      message->receipt_handle = g_strdup (pg_xml_child_text (node, "ReceiptHandle"));
      message->body = g_strdup (pg_xml_child_text (node, "Body"));
      g_ptr_array_add (messages, message);
    }

  g_task_return_pointer (task, g_steal_pointer (&messages), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pg_s3_client_receive_messages_async:
 * @queue_url: the queue (its URL, as SQS gives it)
 * @wait_seconds: how long SQS may wait for a message (long polling), 0 to 20
 *
 * Takes up to 10 messages from an SQS queue; they come back after the queue's visibility
 * timeout unless pg_s3_client_delete_message_async() deletes them (once handled).
 */
void
pg_s3_client_receive_messages_async (PgS3Client          *self,
                                     const char          *queue_url,
                                     guint                wait_seconds,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *wait = g_strdup_printf ("%u", MIN (wait_seconds, 20));
  Call *call = form_call_new ("sqs", FALSE, "Action", "ReceiveMessage", "Version", "2012-11-05",
                              "QueueUrl", queue_url, "MaxNumberOfMessages", "10",
                              "WaitTimeSeconds", wait, NULL);

  g_task_set_source_tag (task, pg_s3_client_receive_messages_async);
  _pg_s3_call_async (self, call, cancellable, messages_cb, task);
}

/* Returns: (transfer container): the messages, PgQueueMessage */
GPtrArray *
pg_s3_client_receive_messages_finish (PgS3Client    *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Deletes a message that was handled. */
void
pg_s3_client_delete_message_async (PgS3Client          *self,
                                   const char          *queue_url,
                                   const char          *receipt_handle,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Call *call = form_call_new ("sqs", TRUE, "Action", "DeleteMessage", "Version", "2012-11-05",
                              "QueueUrl", queue_url, "ReceiptHandle", receipt_handle, NULL);

  _pg_s3_call_boolean_async (self, call, pg_s3_client_delete_message_async, cancellable,
                             callback, user_data);
}

gboolean
pg_s3_client_delete_message_finish (PgS3Client    *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _pg_s3_boolean_finish (self, result, pg_s3_client_delete_message_async, error);
}
