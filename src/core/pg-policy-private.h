/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "pg-policy.h"

G_BEGIN_DECLS

/* Shared by the document model (pg-policy.c) and the edits (pg-policy-edit.c). */

#define SID_REVOKED    PG_POLICY_SID_PREFIX "Revoked"
#define SID_SESSIONS   SID_REVOKED "SessionsUntil"
#define SID_LOCKDOWN   PG_POLICY_SID_PREFIX "Lockdown"
#define SID_GUARD      PG_POLICY_SID_PREFIX "SignersMayNotWrite"
#define QUERY_TAG      "Query"
#define VARIANT_TAG    "N"
#define POLICY_VERSION "2012-10-17"

struct _PgPolicy
{
  JsonNode *root;       /* an object, or NULL when the bucket has no policy */
  char     *partition;  /* "aws", "aws-cn", … */
  gboolean  literal;    /* write "*", "?" and "$" of keys as ${*}, ${?} and ${$} */
};

typedef enum {
  OURS_REVOKED,
  OURS_LOCKDOWN,
  OURS_SESSIONS,
  OURS_GUARD,
} OursKind;

/* What one of our statements is, read from its Sid and confirmed by its shape. */
typedef struct
{
  OursKind       kind;
  PgPolicyAction action;      /* OURS_REVOKED */
  gboolean       query_only;  /* OURS_REVOKED: only presigned requests (one identity) */
  char           date[9];     /* OURS_REVOKED: YYYYMMDD, UTC */
  char           until[11];   /* OURS_SESSIONS: YYYYMMDDHH, UTC, when its links have expired */
  PgLockdownMode mode;        /* OURS_LOCKDOWN */
  gboolean       marked;      /* carries our marker; without it, written by an earlier version */
} Ours;

JsonArray  *_pg_policy_get_statements  (PgPolicy    *self,
                                        gboolean     create);
const char *_pg_policy_statement_sid   (JsonNode    *node);
gboolean    _pg_policy_statement_ours  (PgPolicy    *self,
                                        JsonNode    *node,
                                        const char  *bucket,
                                        Ours        *ours);
JsonNode   *_pg_policy_deep_copy       (JsonNode    *node);
char       *_pg_policy_free_sid        (JsonArray   *statements,
                                        const char  *base);
const char *_pg_policy_action_name     (PgPolicyAction action);
char       *_pg_policy_bucket_objects  (PgPolicy    *self,
                                        const char  *bucket);
char       *_pg_policy_marker          (PgPolicy    *self,
                                        const char  *bucket);
char       *_pg_policy_folder          (PgPolicy    *self,
                                        const char  *bucket);
JsonNode   *_pg_policy_node_take_object (JsonObject *object);
JsonNode   *_pg_policy_node_take_array (JsonArray   *array);

G_END_DECLS
