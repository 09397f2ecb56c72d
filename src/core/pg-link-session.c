/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link-session"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pg-activity.h"
#include "pg-error.h"
#include "pg-link-session.h"
#include "pg-policy.h"
#include "pg-presigned-url.h"

/* A signing session per link: each download link signed with the temporary credentials of its
 * own STS session (RoleSessionName pg-<link id>) of a signing role. A bucket policy can name
 * that session's principal, so one link is revoked while every other link to the same file
 * keeps working. The session's secret is needed only to sign; revoking and proving start a
 * new session of the same name, whose principal is the same. The link's record in the bucket
 * (pg-link-record.c) maps a pasted URL — its temporary access key ID — to its session. */

/* ---- Signing ---------------------------------------------------------------------------- */

static char *allow_document (const char         *principal,
                             const char * const *actions,
                             const char         *resource);

/**
 * pg_link_session_name:
 * @federated: for a federated user (a day-long link) rather than a session of the signing role
 *
 * The name of the session a link is signed in: "pg-" and the link's id; a federated user's (at
 * most 32 characters) drops the id's dashes.
 */
char *
pg_link_session_name (const char *link_id,
                      gboolean    federated)
{
  g_autoptr(GString) name = g_string_new ("pg-");

  if (!federated)
    return g_strconcat ("pg-", link_id, NULL);

  for (const char *p = link_id; *p != '\0' && name->len < 32; p++)
    if (*p != '-')
      g_string_append_c (name, *p);

  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* What a link's federated session may do: read its one file. */
static char *
federated_policy (PgS3Client *client,
                  const char *bucket,
                  const char *key)
{
  static const char *actions[] = { "s3:GetObject", NULL };
  PgEndpoint *endpoint = pg_s3_client_get_endpoint (client);
  g_autofree char *resource = pg_policy_object_arn (pg_endpoint_get_partition (endpoint), bucket,
                                                    key, pg_endpoint_is_aws (endpoint));

  return allow_document (NULL, actions, resource);
}

typedef struct
{
  PgS3Client       *manager;
  PgS3Client       *signer;
  char             *role_arn;
  char             *bucket;
  char             *key;
  char             *content_type;
  char             *filename;
  PgPresignOptions  options;
  PgLinkRecord     *record;
  PgAssumedRole    *session;
  char             *url;
} Signing;

static void
signing_free (Signing *signing)
{
  g_object_unref (signing->manager);
  g_object_unref (signing->signer);
  g_free (signing->role_arn);
  g_free (signing->bucket);
  g_free (signing->key);
  g_free (signing->content_type);
  g_free (signing->filename);
  pg_link_record_free (signing->record);
  pg_assumed_role_free (signing->session);
  g_free (signing->url);
  g_free (signing);
}

static void
record_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Signing *signing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_link_record_save_finish (result, &error))
    {
      g_prefix_error (&error, "%s ", _("The link’s record could not be written to the bucket, so "
                                       "it could not be revoked alone: the link is not given."));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, g_strdup (signing->url), g_free);
}

static void
session_started_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Signing *signing = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  PgAssumedRole *session = pg_s3_client_assume_role_finish (PG_S3_CLIENT (source), result,
                                                            &error);
  PgLinkRecord *record = signing->record;

  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  signing->session = session;

  /* Signed at a time of its own, which the link remembers: the same URL can be made again. */
  if (signing->options.signing_time == 0)
    signing->options.signing_time = pg_s3_client_get_now (signing->manager);
  signing->options.clock_offset = 0;
  signing->url = pg_presign_url (pg_s3_client_get_endpoint (signing->manager),
                                 session->credentials, &signing->options, &error);
  if (signing->url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  record->session_arn = g_strdup (session->arn);
  record->access_key_id = g_strdup (pg_credentials_get_access_key_id (session->credentials));
  record->created = signing->options.signing_time;
  record->expires = signing->options.signing_time + signing->options.expires;
  record->digest = pg_link_digest_of_url (signing->url);

  pg_link_record_save_async (record, signing->manager, g_task_get_cancellable (task),
                             record_saved_cb, g_object_ref (task));
}

/**
 * pg_link_session_sign_async:
 * @manager: a client with the managing key, which writes the link's record
 * @signer: a client with the signer's own key, which starts the link's session
 * @role_arn: the signing role (see pg_signer_role_setup_async())
 * @link_id: (nullable): the link's id, when it has one already
 *
 * Makes a download link that can be revoked alone: a session of @role_arn for this link only
 * (for more than 12 hours, up to 36, a federated session of the signer's own key: AWS only),
 * the link signed with its credentials, and its record written to the bucket.
 * pg_link_session_sign_finish() gives the URL once the record is in the bucket.
 */
void
pg_link_session_sign_async (PgS3Client             *manager,
                            PgS3Client             *signer,
                            const char             *role_arn,
                            const char             *link_id,
                            const PgPresignOptions *options,
                            GCancellable           *cancellable,
                            GAsyncReadyCallback     callback,
                            gpointer                user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Signing *signing;
  PgLinkRecord *record;

  g_task_set_source_tag (task, pg_link_session_sign_async);

  if (options->method != PG_METHOD_GET)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("Only download links are signed in a session of their own: an "
                                 "upload link has a file name of its own, and revoking it never "
                                 "closes another."));
      return;
    }
  if (options->expires > PG_LINK_FEDERATION_MAX_SECONDS)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("A link with a signing session of its own lasts at most 36 "
                                 "hours (129,600 seconds; more than 12 hours only on AWS), not "
                                 "%u seconds. For longer, make it a private copy."),
                               options->expires);
      return;
    }
  if (role_arn == NULL || !g_str_has_prefix (role_arn, "arn:"))
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("A signing role is needed, as an ARN such as "
                                 "arn:aws:iam::123456789012:role/presign-guard-links."));
      return;
    }

  signing = g_new0 (Signing, 1);
  signing->manager = g_object_ref (manager);
  signing->signer = g_object_ref (signer);
  signing->role_arn = g_strdup (role_arn);
  signing->options = *options;
  signing->options.bucket = signing->bucket = g_strdup (options->bucket);
  signing->options.key = signing->key = g_strdup (options->key);
  signing->options.content_type = signing->content_type = g_strdup (options->content_type);
  signing->options.filename = signing->filename = g_strdup (options->filename);
  signing->options.content_md5 = NULL;
  g_task_set_task_data (task, signing, (GDestroyNotify) signing_free);

  record = signing->record = pg_link_record_new ();
  record->id = link_id != NULL ? g_strdup (link_id) : g_uuid_string_random ();
  record->bucket = g_strdup (options->bucket);
  record->key = g_strdup (options->key);
  record->action = g_strdup ("get");
  record->precision = PG_LINK_PRECISION_SESSION;
  record->creator = g_strdup (pg_credentials_get_access_key_id (
                                pg_s3_client_get_credentials (signer)));

  /* Longer than a role's session: a federated session of the signer's own key (AWS). */
  if (options->expires > PG_LINK_SESSION_MAX_SECONDS)
    {
      g_autofree char *policy = federated_policy (manager, options->bucket, options->key);

      record->session_name = pg_link_session_name (record->id, TRUE);
      pg_s3_client_get_federation_token_async (signer, record->session_name, policy,
                                               options->expires, cancellable,
                                               session_started_cb, g_steal_pointer (&task));
      return;
    }

  record->role_arn = g_strdup (role_arn);
  record->session_name = pg_link_session_name (record->id, FALSE);
  pg_s3_client_assume_role_async (signer, role_arn, record->session_name,
                                  MAX (options->expires, PG_LINK_SESSION_MIN_SECONDS),
                                  cancellable, session_started_cb, g_steal_pointer (&task));
}

/**
 * pg_link_session_sign_finish:
 * @record: (out) (optional) (transfer full): the link's record
 * @session: (out) (optional) (transfer full): the link's session, its credentials the ones
 *   that make the same URL again
 *
 * Returns: the link's URL, signed at the record's creation time
 */
char *
pg_link_session_sign_finish (GAsyncResult   *result,
                             PgLinkRecord  **record,
                             PgAssumedRole **session,
                             GError        **error)
{
  char *url = g_task_propagate_pointer (G_TASK (result), error);
  Signing *signing = g_task_get_task_data (G_TASK (result));

  if (record != NULL)
    *record = url != NULL ? g_steal_pointer (&signing->record) : NULL;
  if (session != NULL)
    *session = url != NULL ? g_steal_pointer (&signing->session) : NULL;

  return url;
}

/* ---- Revoking one link ------------------------------------------------------------------ */

/* Whether @session_arn is a federated user's (GetFederationToken), not a role's session. */
gboolean
pg_link_session_is_federated (const char *session_arn)
{
  return session_arn != NULL && strstr (session_arn, ":federated-user/") != NULL;
}

/* ---- A session of the role, for a revoker --------------------------------------------- */

typedef struct
{
  PgS3Client *manager;
  char       *role_arn;
  char       *expected_arn;
  gboolean    deny_role;
} SessionStart;

static void
session_start_free (SessionStart *start)
{
  g_object_unref (start->manager);
  g_free (start->role_arn);
  g_free (start->expected_arn);
  g_free (start);
}

static void
session_started_for_revoker_cb (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SessionStart *start = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PgAssumedRole) session = pg_s3_client_assume_role_finish (PG_S3_CLIENT (source),
                                                                      result, &error);

  if (session == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Another role would be another principal: its Deny would not touch the link. */
  if (start->expected_arn != NULL && g_strcmp0 (session->arn, start->expected_arn) != 0)
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                               _("The link was signed in the session %s, but the role given "
                                 "starts %s. Nothing was changed."),
                               start->expected_arn, session->arn);
      return;
    }

  g_task_return_pointer (task, pg_revoker_new (start->manager, session->credentials,
                                               start->deny_role ? start->role_arn
                                                                : session->arn),
                         g_object_unref);
}

static void
start_session_for_revoker (PgS3Client          *manager,
                           PgS3Client          *signer,
                           const char          *role_arn,
                           const char          *bucket,
                           const char          *key,
                           const char          *session_name,
                           const char          *expected_arn,
                           gboolean             deny_role,
                           gpointer             source_tag,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SessionStart *start = g_new0 (SessionStart, 1);

  g_task_set_source_tag (task, source_tag);
  start->manager = g_object_ref (manager);
  start->role_arn = g_strdup (role_arn);
  start->expected_arn = g_strdup (expected_arn);
  start->deny_role = deny_role;
  g_task_set_task_data (task, start, (GDestroyNotify) session_start_free);

  /* A federated session (no role): the same name is the same principal, allowed the file. */
  if (role_arn == NULL)
    {
      g_autofree char *policy = federated_policy (manager, bucket, key);

      pg_s3_client_get_federation_token_async (signer, session_name, policy,
                                               PG_LINK_SESSION_MIN_SECONDS, cancellable,
                                               session_started_for_revoker_cb, task);
      return;
    }

  pg_s3_client_assume_role_async (signer, role_arn, session_name, PG_LINK_SESSION_MIN_SECONDS,
                                  cancellable, session_started_for_revoker_cb, task);
}

/**
 * pg_link_session_revoker_for_async:
 * @role_arn: (nullable): the link's signing role; %NULL for a federated session
 * @bucket: the link's bucket
 * @key: the link's file, which a federated session is allowed to read
 * @session_name: the link's session, pg-<id>
 * @session_arn: (nullable): the principal the link was signed as, to check the role gives it
 *
 * A revoker for one link signed in a session of its own, when that session's keys are not at
 * hand: a new session of the same name is the same principal; its Deny names that session
 * alone, and its proof is signed in it. pg_link_session_revoker_for_finish() gives it.
 */
void
pg_link_session_revoker_for_async (PgS3Client          *manager,
                                   PgS3Client          *signer,
                                   const char          *role_arn,
                                   const char          *bucket,
                                   const char          *key,
                                   const char          *session_name,
                                   const char          *session_arn,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  start_session_for_revoker (manager, signer, role_arn, bucket, key, session_name, session_arn,
                             FALSE,
                             pg_link_session_revoker_for_async, cancellable, callback, user_data);
}

PgRevoker *
pg_link_session_revoker_for_finish (GAsyncResult  *result,
                                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pg_link_session_role_revoker_async:
 * @role_arn: the signing role
 *
 * A revoker that names the signing role itself, which denies every session of it (every link
 * signed one by one), proven with a request signed in a session of the role: what a lockdown
 * adds to the signer's. pg_link_session_role_revoker_finish() gives it.
 */
void
pg_link_session_role_revoker_async (PgS3Client          *manager,
                                    PgS3Client          *signer,
                                    const char          *role_arn,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  start_session_for_revoker (manager, signer, role_arn, NULL, NULL, "pg-lockdown", NULL, TRUE,
                             pg_link_session_role_revoker_async, cancellable, callback,
                             user_data);
}

PgRevoker *
pg_link_session_role_revoker_finish (GAsyncResult  *result,
                                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The signing role ------------------------------------------------------------------- */

static char *
compact_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* {"Version":"2012-10-17","Statement":[{"Effect":"Allow", @principal, "Action":[@actions],
 * @resource}]} — compact: Ceph's IAM refuses documents with spaces. */
static char *
allow_document (const char         *principal,
                const char * const *actions,
                const char         *resource)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Version");
  json_builder_add_string_value (builder, "2012-10-17");
  json_builder_set_member_name (builder, "Statement");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Effect");
  json_builder_add_string_value (builder, "Allow");
  if (principal != NULL)
    {
      json_builder_set_member_name (builder, "Principal");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "AWS");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, principal);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "Action");
  json_builder_begin_array (builder);
  for (guint i = 0; actions[i] != NULL; i++)
    json_builder_add_string_value (builder, actions[i]);
  json_builder_end_array (builder);
  if (resource != NULL)
    {
      json_builder_set_member_name (builder, "Resource");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, resource);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return compact_json (root);
}

/* Who may start sessions of the signing role: the signer's own identity, nobody else. */
char *
pg_signer_role_trust_policy (const char *signer_arn)
{
  static const char *actions[] = { "sts:AssumeRole", NULL };

  return allow_document (signer_arn, actions, NULL);
}

static char *signer_permissions (const char *partition,
                                  const char *bucket,
                                  gboolean    federation);

/* What a session may do: read and write the objects of one bucket, nothing else — and never
 * write or delete in our folder (.presign-guard/: lock, link records, pages, copies, activity),
 * which only the managing key writes. Compact: Ceph's IAM refuses documents with spaces. */
char *
pg_signer_role_permissions (const char *partition,
                            const char *bucket)
{
  return signer_permissions (partition, bucket, FALSE);
}

/* What the signing user's key may do: the same, and start federated sessions (AWS: links of 12
 * to 36 hours revoked one by one). Starting sessions of the signing role needs nothing here:
 * the role's trust policy names the user. */
char *
pg_signer_user_permissions (const char *partition,
                            const char *bucket)
{
  return signer_permissions (partition, bucket, TRUE);
}

static char *
signer_permissions (const char *partition,
                    const char *bucket,
                    gboolean    federation)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *objects = g_strdup_printf ("arn:%s:s3:::%s/*", partition, bucket);
  g_autofree char *folder = g_strdup_printf ("arn:%s:s3:::%s/" PG_POLICY_FOLDER "*", partition,
                                             bucket);
  g_autofree char *activity = g_strdup_printf ("arn:%s:s3:::%s/" PG_ACTIVITY_PREFIX "*",
                                               partition, bucket);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Version");
  json_builder_add_string_value (builder, "2012-10-17");
  json_builder_set_member_name (builder, "Statement");
  json_builder_begin_array (builder);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Effect");
  json_builder_add_string_value (builder, "Allow");
  json_builder_set_member_name (builder, "Action");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "s3:GetObject");
  json_builder_add_string_value (builder, "s3:PutObject");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Resource");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, objects);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Effect");
  json_builder_add_string_value (builder, "Deny");
  json_builder_set_member_name (builder, "Action");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "s3:PutObject");
  json_builder_add_string_value (builder, "s3:DeleteObject");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "Resource");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, folder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  /* Who used which link, from where: the managing key's to read, not the signer's. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "Effect");
  json_builder_add_string_value (builder, "Deny");
  json_builder_set_member_name (builder, "Action");
  json_builder_add_string_value (builder, "s3:GetObject");
  json_builder_set_member_name (builder, "Resource");
  json_builder_add_string_value (builder, activity);
  json_builder_end_object (builder);

  if (federation)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "Effect");
      json_builder_add_string_value (builder, "Allow");
      json_builder_set_member_name (builder, "Action");
      json_builder_add_string_value (builder, "sts:GetFederationToken");
      json_builder_set_member_name (builder, "Resource");
      json_builder_add_string_value (builder, "*");
      json_builder_end_object (builder);
    }

  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);

  return compact_json (root);
}

typedef struct
{
  char *role_name;
  char *permissions;
  char *arn;
} Setup;

static void
setup_free (Setup *setup)
{
  g_free (setup->role_name);
  g_free (setup->permissions);
  g_free (setup->arn);
  g_free (setup);
}

static void
permissions_set_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Setup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_put_role_policy_finish (PG_S3_CLIENT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (setup->arn), g_free);
}

static void
role_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Setup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  PgS3Client *manager = PG_S3_CLIENT (source);
  GCancellable *cancellable = g_task_get_cancellable (task);

  setup->arn = pg_s3_client_role_finish (manager, result, &error);

  /* Made before: the same role, its permissions set again. */
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_ENTITY_EXISTS))
    {
      pg_s3_client_get_role_async (manager, setup->role_name, cancellable, role_cb,
                                   g_steal_pointer (&task));
      return;
    }
  if (setup->arn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_s3_client_put_role_policy_async (manager, setup->role_name, "presign-guard-links",
                                      setup->permissions, cancellable, permissions_set_cb,
                                      g_steal_pointer (&task));
}

/**
 * pg_signer_role_setup_async:
 * @manager: a client with a key that may create IAM roles
 * @signer_arn: the signer's own identity, the only one trusted to start sessions
 *
 * Creates the signing role (or finds it, when it exists) with sessions of up to 12 hours, and
 * sets what its sessions may do in @bucket. pg_signer_role_setup_finish() gives its ARN.
 */
void
pg_signer_role_setup_async (PgS3Client          *manager,
                            const char          *role_name,
                            const char          *signer_arn,
                            const char          *bucket,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Setup *setup = g_new0 (Setup, 1);
  g_autofree char *trust = pg_signer_role_trust_policy (signer_arn);

  g_task_set_source_tag (task, pg_signer_role_setup_async);
  setup->role_name = g_strdup (role_name);
  setup->permissions = pg_signer_role_permissions (
    pg_endpoint_get_partition (pg_s3_client_get_endpoint (manager)), bucket);
  g_task_set_task_data (task, setup, (GDestroyNotify) setup_free);

  pg_s3_client_create_role_async (manager, role_name, trust, PG_LINK_SESSION_MAX_SECONDS,
                                  cancellable, role_cb, task);
}

/* Returns: the role's ARN */
char *
pg_signer_role_setup_finish (GAsyncResult  *result,
                             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- The signing user (AWS) ------------------------------------------------------------------ */

typedef struct
{
  char          *user_name;
  char          *permissions;
  char          *arn;
  char          *key_id;
  char          *secret;
} UserSetup;

static void
user_setup_free (UserSetup *setup)
{
  g_free (setup->user_name);
  g_free (setup->permissions);
  g_free (setup->arn);
  g_free (setup->key_id);
  pg_credentials_wipe_export (setup->secret);
  g_free (setup);
}

static void
user_key_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UserSetup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!pg_s3_client_create_access_key_finish (PG_S3_CLIENT (source), result, &setup->key_id,
                                              &setup->secret, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
user_permissions_set_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UserSetup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!pg_s3_client_put_user_policy_finish (PG_S3_CLIENT (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  pg_s3_client_create_access_key_async (PG_S3_CLIENT (source), setup->user_name, cancellable,
                                        user_key_cb, g_steal_pointer (&task));
}

static void
user_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  UserSetup *setup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  PgS3Client *manager = PG_S3_CLIENT (source);
  GCancellable *cancellable = g_task_get_cancellable (task);

  setup->arn = pg_s3_client_user_finish (manager, result, &error);

  /* Made before: the same user, its permissions set again, a key of its own for this account. */
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_ENTITY_EXISTS))
    {
      pg_s3_client_get_user_async (manager, setup->user_name, cancellable, user_cb,
                                   g_steal_pointer (&task));
      return;
    }
  if (g_error_matches (error, PG_S3_ERROR, PG_S3_ERROR_NOT_SUPPORTED))
    {
      g_task_return_new_error (task, PG_ERROR, PG_ERROR_UNSUPPORTED,
                               _("This server cannot make users. On Ceph, the gateway’s "
                                 "administrator makes the signing key as a subuser of the "
                                 "bucket’s owner: radosgw-admin subuser create --uid OWNER "
                                 "--subuser OWNER:presign --key-type s3 --gen-access-key "
                                 "--gen-secret --access full"));
      return;
    }
  if (setup->arn == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pg_s3_client_put_user_policy_async (manager, setup->user_name, "presign-guard-signer",
                                      setup->permissions, cancellable, user_permissions_set_cb,
                                      g_steal_pointer (&task));
}

/**
 * pg_signer_user_setup_async:
 * @manager: a client with a key that may create IAM users and their keys
 * @user_name: the user's name in IAM, e.g. "presign-signer"
 *
 * Makes the signing key on AWS: an IAM user (or the one of that name), allowed to read and write
 * @bucket's files but never our folder, and to start federated sessions; then a new access key
 * of it. pg_signer_user_setup_finish() gives the key and the user's ARN.
 */
void
pg_signer_user_setup_async (PgS3Client          *manager,
                            const char          *user_name,
                            const char          *bucket,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  UserSetup *setup = g_new0 (UserSetup, 1);

  g_task_set_source_tag (task, pg_signer_user_setup_async);
  setup->user_name = g_strdup (user_name);
  setup->permissions = pg_signer_user_permissions (
    pg_endpoint_get_partition (pg_s3_client_get_endpoint (manager)), bucket);
  g_task_set_task_data (task, setup, (GDestroyNotify) user_setup_free);

  pg_s3_client_create_user_async (manager, user_name, cancellable, user_cb, task);
}

/**
 * pg_signer_user_setup_finish:
 * @arn: (out): the user's ARN, whom revocations name
 * @access_key_id: (out): the new access key's ID
 * @secret: (out): its secret, shown this once by the server; wipe it with
 *   pg_credentials_wipe_export()
 */
gboolean
pg_signer_user_setup_finish (GAsyncResult  *result,
                             char         **arn,
                             char         **access_key_id,
                             char         **secret,
                             GError       **error)
{
  UserSetup *setup;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pg_signer_user_setup_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  setup = g_task_get_task_data (G_TASK (result));
  *arn = g_strdup (setup->arn);
  *access_key_id = g_strdup (setup->key_id);
  *secret = g_strdup (setup->secret);

  return TRUE;
}
