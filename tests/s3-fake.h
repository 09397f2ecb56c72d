/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A small in-process S3 for unit tests: one bucket, path style, objects in memory (listed in
 * one page, by prefix; copied server-side), a bucket policy that is stored and enforced for
 * presigned requests (Deny statements naming the signer or a session, or anyone whose aws:userid
 * is like a pattern; exact or trailing-"*" resources), lifecycle rules stored as written,
 * conditional creation, STS AssumeRole at the root (sessions whose presigned requests are their
 * own principal's, and their role's), and knobs to misbehave. It does not check signatures; the
 * integration tests do that against a real server. */

typedef struct _S3Fake S3Fake;

/* A session STS started (AssumeRole). A presigned request signed with its key is its principal's,
 * and its role's: a Deny naming either refuses it. */
typedef struct
{
  char *name;               /* RoleSessionName */
  char *role_arn;
  char *arn;                /* arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/NAME */
  char *access_key_id;
} S3FakeSession;

/* Called after each bucket policy write, with the stored text; may change it (a concurrent
 * writer). */
typedef void (*S3FakePolicyHook) (S3Fake *fake, guint writes, gpointer user_data);

struct _S3Fake
{
  SoupServer       *server;
  char             *url;
  char             *bucket;
  char             *signer_key_id;     /* presigned requests with this key are the signer's */
  char             *signer_arn;        /* …and are this principal to the policy */
  char             *policy;            /* NULL: none */
  char             *lifecycle;         /* NULL: none */
  GHashTable       *objects;           /* key → GBytes */
  GHashTable       *dispositions;      /* key → Content-Disposition it was stored with */
  GPtrArray        *sessions;          /* S3FakeSession, in the order they were started */

  /* Misbehaviour. */
  const char       *presign_error;     /* e.g. "SignatureDoesNotMatch" for every presigned one */
  guint             lock_put_status;   /* answer to writes under ".presign-guard/" (0: normal) */
  gboolean          missing_key_404;   /* answer 404 to a missing key before the policy */
  guint             policy_read_status; /* answer to reads of the policy (0: normal) */
  guint             head_status;       /* answer to the manager's HeadObject (0: normal) */
  const char       *put_refused_prefix; /* writes of keys under it are refused… */
  guint             put_refused_status; /* …with this status (403: AccessDenied) */
  const char       *delete_refused_prefix; /* deletes of keys under it are refused (403) */
  S3FakePolicyHook  policy_hook;
  gpointer          policy_hook_data;

  /* Counters. */
  guint             requests;
  guint             policy_reads;
  guint             policy_writes;
  guint             presigned;
  guint             lock_creates;
  guint             lock_deletes;
  guint             heads;
  guint             lists;
  guint             put_refusals;
  char             *last_presigned_key_id; /* who signed the latest presigned request */
};

S3Fake     *s3_fake_new            (const char  *bucket,
                                    const char  *signer_key_id,
                                    const char  *signer_arn);
void        s3_fake_free           (S3Fake      *fake);
void        s3_fake_set_policy     (S3Fake      *fake,
                                    const char  *policy);
void        s3_fake_put_object     (S3Fake      *fake,
                                    const char  *key,
                                    const char  *contents);
void        s3_fake_put_sent_file  (S3Fake      *fake,
                                    const char  *key,
                                    const char  *contents,
                                    const char  *disposition);
gboolean    s3_fake_has_object     (S3Fake      *fake,
                                    const char  *key);
gboolean    s3_fake_denies         (S3Fake      *fake,
                                    const char  *action,
                                    const char  *key);
gboolean    s3_fake_denies_principal (S3Fake    *fake,
                                      const char *principal,
                                      const char *action,
                                      const char *key);
guint       s3_fake_count_denials  (S3Fake      *fake,
                                    const char  *action,
                                    const char  *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (S3Fake, s3_fake_free)

G_END_DECLS
