/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "pg-endpoint.h"

G_BEGIN_DECLS

#define PG_TYPE_ACCOUNT (pg_account_get_type ())

G_DECLARE_FINAL_TYPE (PgAccount, pg_account, PG, ACCOUNT, GObject)

/**
 * PgAccountInfo:
 * @name: what the user calls it
 * @endpoint_url: (nullable): an S3-compatible server, or %NULL for Amazon S3
 * @region: the signing region
 * @path_style: buckets in the path rather than the host name
 * @bucket: the bucket the account works with
 * @manager_key_id: the managing access key id
 * @signer_key_id: (nullable): a separate signing access key id, %NULL to sign with the manager's
 * @signer_arn: (nullable): the signer's ARN where STS cannot tell it
 * @token_expires: when temporary managing keys expire (seconds since the epoch), 0 if they do not
 * @signer_role_arn: (nullable): the role whose sessions sign links one by one (see
 *   pg_signer_role_setup_async()), %NULL to sign with the signer's key
 * @ops_log_path: (nullable): the gateway's ops log file, read by the app to see the uses of
 *   links armed "close after first use" (Ceph RGW, on the gateway's host)
 * @uses_queue_url: (nullable): an SQS queue fed with the bucket's uses (AWS)
 *
 * Everything about an account but its secrets, which live in the keyring.
 */
typedef struct
{
  const char *name;
  const char *endpoint_url;
  const char *region;
  gboolean    path_style;
  const char *bucket;
  const char *manager_key_id;
  const char *signer_key_id;
  const char *signer_arn;
  gint64      token_expires;
  const char *signer_role_arn;
  const char *ops_log_path;
  const char *uses_queue_url;
} PgAccountInfo;

PgAccount   *pg_account_new                 (const PgAccountInfo  *info);
PgAccount   *pg_account_new_edited          (PgAccount            *edited,
                                             const PgAccountInfo  *info);
const char  *pg_account_get_id              (PgAccount            *self);
const char  *pg_account_get_name            (PgAccount            *self);
const char  *pg_account_get_endpoint_url    (PgAccount            *self);
const char  *pg_account_get_region          (PgAccount            *self);
gboolean     pg_account_get_path_style      (PgAccount            *self);
const char  *pg_account_get_bucket          (PgAccount            *self);
const char  *pg_account_get_manager_key_id  (PgAccount            *self);
const char  *pg_account_get_signer_key_id   (PgAccount            *self);
gboolean     pg_account_has_separate_signer (PgAccount            *self);
const char  *pg_account_get_signer_arn      (PgAccount            *self);
const char  *pg_account_get_signer_role_arn (PgAccount            *self);
gint64       pg_account_get_token_expires   (PgAccount            *self);
const char  *pg_account_get_ops_log_path    (PgAccount            *self);
const char  *pg_account_get_uses_queue_url  (PgAccount            *self);
PgEndpoint  *pg_account_create_endpoint     (PgAccount            *self,
                                             GError              **error);

GPtrArray   *pg_accounts_load               (const char           *path,
                                             GError              **error);
gboolean     pg_accounts_save               (const char           *path,
                                             GPtrArray            *accounts,
                                             GError              **error);

G_END_DECLS
