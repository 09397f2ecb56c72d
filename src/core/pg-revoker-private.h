/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "pg-lease.h"
#include "pg-revoker.h"

G_BEGIN_DECLS

/* The revoker's insides, shared by its two files (internal to the core):
 *
 *   pg-revoker.c        the object, the lease and the read-modify-write cycles
 *   pg-revoker-proof.c  requests signed like the link, before and after a change, and the
 *                       re-check once the proof held */

#define MAX_CYCLES              5
#define DEFAULT_VERIFY_SECONDS  30
#define DEFAULT_SETTLE_MS       100
#define AWS_SETTLE_MS           1000
#define FIRST_PROBE_DELAY_MS    50
#define MAX_PROBE_DELAY_MS      2000
#define PROBE_BODY_MISMATCH     "presign-guard probe"
#define MD5_OF_NOTHING          "1B2M2Y8AsgTpgAmY7PhCfg=="

struct _PgRevoker
{
  GObject        parent_instance;

  PgS3Client    *manager;
  PgCredentials *signer;
  char          *signer_arn;
  gboolean       same_identity;
  guint          verify_seconds;
  guint          settle_ms;
  guint          lease_seconds;
  guint          wait_limit;
  char          *notice;
  PgRevokeStats  stats;
};

typedef enum {
  OP_REVOKE,
  OP_UNREVOKE,
  OP_LOCKDOWN,
  OP_PRUNE,
} Op;

typedef enum {
  EXPECT_NOTHING,
  EXPECT_REFUSED,
  EXPECT_ALLOWED,
} Expectation;

/* What a request signed by the signer met. */
typedef enum {
  PROBE_ALLOWED,     /* past authorization: 2xx, 404 (no such key), 416, 400 (bad digest) */
  PROBE_DENIED,      /* 403 AccessDenied: refused by a policy */
  PROBE_BAD_KEY,     /* the signer's key itself was not accepted */
  PROBE_OTHER,       /* anything else: a busy or broken server */
} ProbeOutcome;

/* One object and action the job is about; a lockdown has one, without a key. */
typedef struct
{
  char           *key;
  PgPolicyAction  action;
  gboolean        missing;    /* the baseline found no such object */
  gboolean        baseline;   /* needs a baseline probe before the write */
} Target;

typedef struct
{
  Op              op;
  char           *bucket;
  GArray         *targets;    /* of Target */
  guint           current;    /* the target being probed */
  PgLockdownMode  mode;
  gboolean        enabled;
  GStrv           exempt;
  char           *probe_key;
  Expectation     expect;

  PgLease        *lease;
  gint64          started;
  guint           cycle;
  gboolean        written;
  gboolean        baseline_done;
  gboolean        rechecked;
  gboolean        final_check;
  guint           unmet;
  gint64          proof_started;
  guint           probe_delay;
} Job;

static inline Target *
_pg_revoker_target (Job *job)
{
  return &g_array_index (job->targets, Target, job->current);
}

void          _pg_revoker_job_end              (GTask        *task,
                                                GError       *error);
gboolean      _pg_revoker_job_end_if_cancelled (GTask        *task);
void          _pg_revoker_cycle_start          (GTask        *task);
gboolean      _pg_revoker_is_aws               (PgRevoker    *self);
double        _pg_revoker_seconds_since        (gint64        started);
PgPolicy     *_pg_revoker_apply_to_stored      (PgRevoker    *self,
                                                Job          *job,
                                                const char   *text,
                                                PgPolicy    **before,
                                                gboolean     *changed,
                                                GError      **error);
void          _pg_revoker_probe                (GTask        *task,
                                                GAsyncReadyCallback callback);
ProbeOutcome  _pg_revoker_classify             (guint         status,
                                                const char   *code);
GError       *_pg_revoker_signer_error         (PgRevoker    *self,
                                                Job          *job,
                                                guint         status,
                                                const char   *code);
void          _pg_revoker_prove                (GTask        *task);
void          _pg_revoker_store_policy         (GTask        *task,
                                                PgPolicy     *policy,
                                                GAsyncReadyCallback callback);
gboolean      _pg_revoker_store_policy_finish  (GTask        *task,
                                                GAsyncResult *result,
                                                GError      **error);

G_END_DECLS
