/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-link"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pg-error.h"
#include "pg-link.h"
#include "pg-presigned-url.h"
#include "pg-activity.h"
#include "pg-received.h"
#include "pg-upload-page.h"

/* A link as remembered: metadata only. The URL itself is a bearer secret and is never stored;
 * SigV4 is deterministic, so the same URL is derived again from these fields and the signer's
 * secret whenever it is needed.
 *
 * An upload page link (pg_link_new_upload_page()) is one link made of several objects: the page
 * (a download of .presign-guard/pages/ID.html, what the partner receives) and the keys the files
 * go to, each with a strict single-use upload. It is revoked, and expires, as one. */

struct _PgLink
{
  GObject      parent_instance;

  char        *id;
  char        *account_id;
  char        *bucket;
  char        *key;
  PgMethod     method;
  gint64       signed_at;
  guint        expires;
  char        *access_key_id;
  gboolean     if_none_match;
  char        *filename;
  char        *content_type;
  char        *signer_arn;
  char        *digest;      /* its fingerprint: a hash of its signature */
  char        *role_arn;
  char        *session_name;
  char        *copy_of;
  PgLinkArming arming;      /* closes after its first use */
  gint64       grace;
  guint        uses;        /* …or after this many whole downloads (0: one, of any kind) */
  guint64      size;        /* the file's size when it was made, for whole downloads */
  guint        downloads;   /* the whole downloads a watcher counted */
  gint64       used_at;
  char        *used_by;
  gint64       closed_at;   /* closed after that use, by a watcher */
  char        *page_key;
  GStrv        upload_keys;
  GPtrArray   *received;    /* PgReceivedFile: what partners sent through it */
  gboolean     blocked;     /* its bucket's lockdown is on (as last seen; not kept) */
  PgActivity  *activity;    /* what was done with it, as last read from its bucket; not kept */
  gboolean     quiet;       /* no desktop notification when it is used */
  char        *label;       /* whom or what it is for, as the user wrote it */
  PgLinkState  state;
};

G_DEFINE_FINAL_TYPE (PgLink, pg_link, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_ARMING,
  PROP_GRACE,
  PROP_USED_AT,
  PROP_USED_BY,
  PROP_CLOSED_AT,
  PROP_N_RECEIVED,
  PROP_BLOCKED,
  PROP_ACTIVITY,
  PROP_NOTIFY_USE,
  PROP_DOWNLOADS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
pg_link_finalize (GObject *object)
{
  PgLink *self = PG_LINK (object);

  g_free (self->id);
  g_free (self->account_id);
  g_free (self->bucket);
  g_free (self->key);
  g_free (self->access_key_id);
  g_free (self->filename);
  g_free (self->content_type);
  g_free (self->signer_arn);
  g_free (self->digest);
  g_free (self->role_arn);
  g_free (self->session_name);
  g_free (self->copy_of);
  g_free (self->used_by);
  g_free (self->page_key);
  g_strfreev (self->upload_keys);
  g_clear_pointer (&self->received, g_ptr_array_unref);
  g_clear_pointer (&self->activity, pg_activity_free);
  g_free (self->label);

  G_OBJECT_CLASS (pg_link_parent_class)->finalize (object);
}

static void
pg_link_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  PgLink *self = PG_LINK (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_ARMING:
      g_value_set_enum (value, self->arming);
      break;

    case PROP_GRACE:
      g_value_set_int64 (value, self->grace);
      break;

    case PROP_USED_AT:
      g_value_set_int64 (value, self->used_at);
      break;

    case PROP_USED_BY:
      g_value_set_string (value, self->used_by);
      break;

    case PROP_CLOSED_AT:
      g_value_set_int64 (value, self->closed_at);
      break;

    case PROP_N_RECEIVED:
      g_value_set_uint (value, pg_link_get_n_received (self));
      break;

    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;

    case PROP_ACTIVITY:
      g_value_set_boxed (value, self->activity);
      break;

    case PROP_NOTIFY_USE:
      g_value_set_boolean (value, !self->quiet);
      break;

    case PROP_DOWNLOADS:
      g_value_set_uint (value, self->downloads);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pg_link_class_init (PgLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pg_link_finalize;
  object_class->get_property = pg_link_get_property;

  /* What the link can do now; see pg_link_get_state_at() for expiry, which is not notified. */
  properties [PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PG_TYPE_LINK_STATE, PG_LINK_ACTIVE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether it closes itself after its first use, and after how long (a download's grace). */
  properties [PROP_ARMING] =
    g_param_spec_enum ("arming", NULL, NULL, PG_TYPE_LINK_ARMING, PG_LINK_ARMING_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_GRACE] =
    g_param_spec_int64 ("grace", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* What a watcher saw: the first use (Unix time, 0 before), from where, and its closing. */
  properties [PROP_USED_AT] =
    g_param_spec_int64 ("used-at", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_USED_BY] =
    g_param_spec_string ("used-by", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CLOSED_AT] =
    g_param_spec_int64 ("closed-at", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_N_RECEIVED] =
    g_param_spec_uint ("n-received", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Every request made with it, as the watchers wrote it into its bucket (PgActivity, NULL
   * before it was read). */
  properties [PROP_ACTIVITY] =
    g_param_spec_boxed ("activity", NULL, NULL, PG_TYPE_ACTIVITY,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* For a link closing after several downloads: how many whole ones a watcher counted. */
  properties [PROP_DOWNLOADS] =
    g_param_spec_uint ("downloads", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Whether its first use is told on the desktop ("Tell me when it is used"). */
  properties [PROP_NOTIFY_USE] =
    g_param_spec_boolean ("notify-use", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pg_link_init (PgLink *self)
{
}

/**
 * pg_link_new:
 * @options: what the link was signed with, with the signing time it was signed at
 * @access_key_id: the signer's access key id
 */
PgLink *
pg_link_new (const char             *account_id,
             const PgPresignOptions *options,
             const char             *access_key_id)
{
  PgLink *self = g_object_new (PG_TYPE_LINK, NULL);

  self->id = g_uuid_string_random ();
  self->account_id = g_strdup (account_id);
  self->bucket = g_strdup (options->bucket);
  self->key = g_strdup (options->key);
  self->method = options->method;
  self->signed_at = (options->signing_time != 0 ? options->signing_time
                                               : g_get_real_time () / G_USEC_PER_SEC)
                    + options->clock_offset;
  self->expires = options->expires;
  self->access_key_id = g_strdup (access_key_id);
  self->if_none_match = options->if_none_match;
  self->filename = g_strdup (options->filename);
  self->content_type = g_strdup (options->content_type);

  return self;
}

/**
 * pg_link_new_for_session:
 * @id: the link's id, the one its session is named by
 * @session: the link's own session, whose credentials it is signed with
 *
 * A download link signed in a session of its own (pg-link-session.c): revoking it denies that
 * session alone.
 */
PgLink *
pg_link_new_for_session (const char             *account_id,
                         const char             *id,
                         const PgPresignOptions *options,
                         const char             *role_arn,
                         const char             *session_name,
                         PgAssumedRole          *session)
{
  PgLink *self = pg_link_new (account_id, options,
                              pg_credentials_get_access_key_id (session->credentials));

  g_free (self->id);
  self->id = g_strdup (id);
  self->signer_arn = g_strdup (session->arn);
  self->role_arn = g_strdup (role_arn);
  self->session_name = g_strdup (session_name);

  return self;
}

/**
 * pg_link_new_for_copy:
 * @id: the link's id, the one its copy is named by
 * @options: what the link was signed with: its key is the copy's
 * @copy_of: the file the copy is of
 *
 * A download link to a private copy of a file (pg-link-copy.c): revoking it denies the copy
 * alone, and removing it deletes the copy.
 */
PgLink *
pg_link_new_for_copy (const char             *account_id,
                      const char             *id,
                      const PgPresignOptions *options,
                      const char             *access_key_id,
                      const char             *copy_of)
{
  PgLink *self = pg_link_new (account_id, options, access_key_id);

  g_free (self->id);
  self->id = g_strdup (id);
  self->copy_of = g_strdup (copy_of);

  return self;
}

/* The file a link to a private copy shares; %NULL for any other link. */
const char *
pg_link_get_copy_of (PgLink *self)
{
  return self->copy_of;
}

/* The file the link shares, as its owner knows it: the original of a private copy (whose own
 * key is pg_link_get_key()). */
const char *
pg_link_get_file_key (PgLink *self)
{
  return self->copy_of != NULL ? self->copy_of : self->key;
}

/* How exactly the link can be revoked: its own session, its private copy, or its file. */
PgLinkPrecision
pg_link_get_precision (PgLink *self)
{
  if (self->session_name != NULL)
    return PG_LINK_PRECISION_SESSION;
  if (self->copy_of != NULL)
    return PG_LINK_PRECISION_COPY;

  return PG_LINK_PRECISION_OBJECT;
}

/* Whether revoking the link can close it alone, and no other link to its file. */
gboolean
pg_link_can_revoke_alone (PgLink *self)
{
  return pg_link_get_precision (self) != PG_LINK_PRECISION_OBJECT;
}

/**
 * pg_link_set_arming:
 * @arming: whether the link closes itself after its first use (a watcher sees the use)
 * @grace: for a download link, the seconds between its first use and its closing
 */
void
pg_link_set_arming (PgLink       *self,
                    PgLinkArming  arming,
                    gint64        grace)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->arming != arming)
    {
      self->arming = arming;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ARMING]);
    }
  if (self->grace != grace)
    {
      self->grace = grace;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_GRACE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

PgLinkArming
pg_link_get_arming (PgLink *self)
{
  return self->arming;
}

/**
 * pg_link_set_uses:
 * @uses: how many whole downloads an armed download link allows before it closes (1 to
 *   %PG_LINK_MAX_USES; 1 is its first download of any kind)
 * @size: the file's size now, in bytes (a download counts whole once that many bytes were sent)
 */
void
pg_link_set_uses (PgLink  *self,
                  guint    uses,
                  guint64  size)
{
  self->uses = CLAMP (uses, 1, PG_LINK_MAX_USES);
  self->size = size;
}

guint
pg_link_get_uses (PgLink *self)
{
  return MAX (self->uses, 1);
}

guint64
pg_link_get_size (PgLink *self)
{
  return self->size;
}

/* The whole downloads a watcher counted so far (links of more than one use). */
guint
pg_link_get_downloads (PgLink *self)
{
  return self->downloads;
}

void
pg_link_set_downloads (PgLink *self,
                       guint   downloads)
{
  if (self->downloads == downloads)
    return;

  self->downloads = downloads;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DOWNLOADS]);
}

gint64
pg_link_get_grace (PgLink *self)
{
  return self->grace;
}

/**
 * pg_link_set_use:
 * @used_at: when its first use was seen (Unix time)
 * @used_by: (nullable): from which address
 * @closed_at: when a watcher closed it after that use, verified; 0 while it is not
 *
 * What a watcher saw of an armed link (from the link's record). A link closed after its use is
 * Revoked.
 */
void
pg_link_set_use (PgLink     *self,
                 gint64      used_at,
                 const char *used_by,
                 gint64      closed_at)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->used_at != used_at)
    {
      self->used_at = used_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_USED_AT]);
    }
  if (g_strcmp0 (self->used_by, used_by) != 0)
    {
      g_free (self->used_by);
      self->used_by = g_strdup (used_by);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_USED_BY]);
    }
  if (self->closed_at != closed_at)
    {
      self->closed_at = closed_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CLOSED_AT]);
    }
  if (closed_at != 0)
    pg_link_set_state (self, PG_LINK_REVOKED);
  g_object_thaw_notify (G_OBJECT (self));
}

gint64
pg_link_get_used_at (PgLink *self)
{
  return self->used_at;
}

const char *
pg_link_get_used_by (PgLink *self)
{
  return self->used_by;
}

gint64
pg_link_get_closed_at (PgLink *self)
{
  return self->closed_at;
}

/* The link's own signing session, pg-<id>; %NULL for a link revoked with its object. */
const char *
pg_link_get_session_name (PgLink *self)
{
  return self->session_name;
}

/* The role of the link's session. */
const char *
pg_link_get_role_arn (PgLink *self)
{
  return self->role_arn;
}

/**
 * pg_link_new_upload_page:
 * @options: the upload of the first file: a strict single-use PUT, with its signing time
 * @upload_keys: every key the page uploads to, the first being @options' key
 *
 * A link whose partner gets a page to send up to as many files as @upload_keys has.
 */
PgLink *
pg_link_new_upload_page (const char             *account_id,
                         const PgPresignOptions *options,
                         const char             *access_key_id,
                         const char * const     *upload_keys)
{
  PgLink *self;

  g_return_val_if_fail (options->method == PG_METHOD_PUT && options->if_none_match, NULL);
  g_return_val_if_fail (upload_keys && g_strcmp0 (upload_keys[0], options->key) == 0, NULL);

  self = pg_link_new (account_id, options, access_key_id);
  self->page_key = pg_upload_page_key (self->id);
  self->upload_keys = g_strdupv ((char **) upload_keys);

  return self;
}

const char *
pg_link_get_id (PgLink *self)
{
  return self->id;
}

const char *
pg_link_get_account_id (PgLink *self)
{
  return self->account_id;
}

const char *
pg_link_get_bucket (PgLink *self)
{
  return self->bucket;
}

const char *
pg_link_get_key (PgLink *self)
{
  return self->key;
}

PgMethod
pg_link_get_method (PgLink *self)
{
  return self->method;
}

gboolean
pg_link_is_upload (PgLink *self)
{
  return self->method == PG_METHOD_PUT;
}

gint64
pg_link_get_signed_at (PgLink *self)
{
  return self->signed_at;
}

guint
pg_link_get_expires (PgLink *self)
{
  return self->expires;
}

gint64
pg_link_get_expires_at (PgLink *self)
{
  return self->signed_at + self->expires;
}

const char *
pg_link_get_access_key_id (PgLink *self)
{
  return self->access_key_id;
}

gboolean
pg_link_get_if_none_match (PgLink *self)
{
  return self->if_none_match;
}

const char *
pg_link_get_filename (PgLink *self)
{
  return self->filename;
}

const char *
pg_link_get_content_type (PgLink *self)
{
  return self->content_type;
}

/* The page the partner opens, for an upload page link; %NULL for other links. */
const char *
pg_link_get_page_key (PgLink *self)
{
  return self->page_key;
}

/* Every key an upload page link uploads to; %NULL for other links. */
const char * const *
pg_link_get_upload_keys (PgLink *self)
{
  return (const char * const *) self->upload_keys;
}

/**
 * pg_link_get_targets:
 *
 * What revoking the link takes back: its object and action, or for an upload page link the
 * page (downloads) and every upload key (uploads).
 *
 * Returns: (transfer container): a #GArray of #PgPolicyTarget pointing into @self
 */
GArray *
pg_link_get_targets (PgLink *self)
{
  GArray *targets = g_array_new (FALSE, FALSE, sizeof (PgPolicyTarget));

  if (self->page_key != NULL)
    {
      PgPolicyTarget page = { self->page_key, PG_POLICY_ACTION_GET };

      g_array_append_val (targets, page);
      for (guint i = 0; self->upload_keys[i] != NULL; i++)
        {
          PgPolicyTarget upload = { self->upload_keys[i], PG_POLICY_ACTION_PUT };

          g_array_append_val (targets, upload);
        }
    }
  else
    {
      PgPolicyTarget target = { self->key, pg_link_is_upload (self) ? PG_POLICY_ACTION_PUT
                                                                    : PG_POLICY_ACTION_GET };

      g_array_append_val (targets, target);
    }

  return targets;
}

/* The principal the signing key belongs to, when it was known at signing time. */
const char *
pg_link_get_signer_arn (PgLink *self)
{
  return self->signer_arn;
}

void
pg_link_set_signer_arn (PgLink     *self,
                        const char *signer_arn)
{
  g_free (self->signer_arn);
  self->signer_arn = g_strdup (signer_arn);
}

/* Whom or what the link is for ("ACME, Kenji Sato"), as the user wrote it; %NULL for none. */
const char *
pg_link_get_label (PgLink *self)
{
  return self->label;
}

void
pg_link_set_label (PgLink     *self,
                   const char *label)
{
  g_autofree char *clean = label ? g_strstrip (g_strdup (label)) : NULL;

  g_free (self->label);
  self->label = clean && *clean && g_utf8_validate (clean, -1, NULL)
                ? g_utf8_substring (clean, 0, MIN (g_utf8_strlen (clean, -1), PG_LINK_MAX_LABEL))
                : NULL;
}

/* Whether the link's bucket is locked down ("Block every link"), as last seen. */
gboolean
pg_link_get_blocked (PgLink *self)
{
  return self->blocked;
}

void
pg_link_set_blocked (PgLink   *self,
                     gboolean  blocked)
{
  if (self->blocked == !!blocked)
    return;

  self->blocked = !!blocked;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BLOCKED]);
}

/* Returns: (nullable): every request made with the link, as last read from its bucket */
const PgActivity *
pg_link_get_activity (PgLink *self)
{
  return self->activity;
}

/**
 * pg_link_set_activity:
 * @activity: (nullable): the link's activity as its bucket holds it now
 *
 * Returns: whether it changed (it is notified then)
 */
gboolean
pg_link_set_activity (PgLink           *self,
                      const PgActivity *activity)
{
  if (activity == NULL && self->activity == NULL)
    return FALSE;
  if (activity != NULL && self->activity != NULL && activity->dropped == self->activity->dropped
      && activity->events->len == self->activity->events->len)
    {
      guint i = 0;

      while (i < activity->events->len
             && g_str_equal (((PgActivityEvent *) activity->events->pdata[i])->id,
                             ((PgActivityEvent *) self->activity->events->pdata[i])->id))
        i++;
      if (i == activity->events->len)
        return FALSE;
    }

  g_clear_pointer (&self->activity, pg_activity_free);
  self->activity = activity != NULL ? pg_activity_copy (activity) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ACTIVITY]);

  return TRUE;
}

/* Whether the link's first use is told on the desktop (the default). */
gboolean
pg_link_get_notify_use (PgLink *self)
{
  return !self->quiet;
}

void
pg_link_set_notify_use (PgLink   *self,
                        gboolean  notify_use)
{
  if (self->quiet == !notify_use)
    return;

  self->quiet = !notify_use;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_NOTIFY_USE]);
}

/**
 * pg_link_get_received:
 *
 * Returns: (transfer none) (nullable) (element-type PgReceivedFile): the files partners sent
 *   through this upload link or page, as last looked at; %NULL before
 */
GPtrArray *
pg_link_get_received (PgLink *self)
{
  return self->received;
}

guint
pg_link_get_n_received (PgLink *self)
{
  return self->received != NULL ? self->received->len : 0;
}

/* How many files the link takes: one for an upload link, up to as many as its page says. */
guint
pg_link_get_n_uploads (PgLink *self)
{
  if (!pg_link_is_upload (self))
    return 0;

  return self->upload_keys != NULL ? g_strv_length (self->upload_keys) : 1;
}

/* The keys the link uploads to: its page's, or its own. */
GStrv
pg_link_dup_upload_keys (PgLink *self)
{
  const char *single[] = { self->key, NULL };

  return g_strdupv (self->upload_keys != NULL ? self->upload_keys : (char **) single);
}

/* Remembers what arrived (the same files again change nothing). */
void
pg_link_set_received (PgLink    *self,
                      GPtrArray *files)
{
  guint before = pg_link_get_n_received (self);
  gboolean same = self->received != NULL && files != NULL && before == files->len;

  for (guint i = 0; same && i < files->len; i++)
    {
      PgReceivedFile *a = g_ptr_array_index (self->received, i);
      PgReceivedFile *b = g_ptr_array_index (files, i);

      same = g_str_equal (a->key, b->key) && g_str_equal (a->name, b->name)
             && a->size == b->size && a->time == b->time;
    }
  if (same)
    return;

  g_clear_pointer (&self->received, g_ptr_array_unref);
  self->received = files != NULL ? g_ptr_array_ref (files) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_RECEIVED]);
}

/* The link's fingerprint (see pg_link_digest_of_signature()), when known. */
const char *
pg_link_get_digest (PgLink *self)
{
  return self->digest;
}

void
pg_link_set_digest (PgLink     *self,
                    const char *digest)
{
  g_free (self->digest);
  self->digest = pg_link_digest_is_valid (digest) ? g_strdup (digest) : NULL;
}

/**
 * pg_link_shares_fate:
 *
 * Whether revoking @self also closes @other: the same object, the same action, signed by the
 * same identity (the same principal when both know it, else the same access key). A revocation
 * denies the signer one action on one object, so every such link dies with it.
 */
gboolean
pg_link_shares_fate (PgLink *self,
                     PgLink *other)
{
  g_autoptr(GArray) targets = pg_link_get_targets (self);

  for (guint i = 0; i < targets->len; i++)
    {
      PgPolicyTarget *target = &g_array_index (targets, PgPolicyTarget, i);

      if (pg_link_matches (other, self->bucket, target->key,
                           target->action == PG_POLICY_ACTION_PUT, self->access_key_id,
                           self->signer_arn))
        return TRUE;
    }

  return FALSE;
}

static gboolean
concerns (PgLink     *self,
          const char *key,
          gboolean    upload)
{
  if (self->page_key == NULL)
    return g_strcmp0 (self->key, key) == 0 && pg_link_is_upload (self) == upload;

  if (!upload)
    return g_strcmp0 (self->page_key, key) == 0;

  return key != NULL && g_strv_contains ((const char * const *) self->upload_keys, key);
}

/**
 * pg_link_matches:
 * @upload: whether the revocation concerns uploads (s3:PutObject) rather than downloads
 * @access_key_id: the signing key
 * @signer_arn: (nullable): the principal of the signing key, when known
 *
 * Whether a revocation of @upload on this object for this signer closes @self.
 */
gboolean
pg_link_matches (PgLink     *self,
                 const char *bucket,
                 const char *key,
                 gboolean    upload,
                 const char *access_key_id,
                 const char *signer_arn)
{
  if (g_strcmp0 (self->bucket, bucket) != 0 || !concerns (self, key, upload))
    return FALSE;

  if (self->signer_arn != NULL && signer_arn != NULL)
    return g_str_equal (self->signer_arn, signer_arn);

  return g_strcmp0 (self->access_key_id, access_key_id) == 0;
}

PgLinkState
pg_link_get_state (PgLink *self)
{
  return self->state;
}

/* The state as it stands at @now: an active link past its lifetime is expired. */
PgLinkState
pg_link_get_state_at (PgLink *self,
                      gint64  now)
{
  if (self->state == PG_LINK_ACTIVE && now >= pg_link_get_expires_at (self))
    return PG_LINK_EXPIRED;

  return self->state;
}

void
pg_link_set_state (PgLink      *self,
                   PgLinkState  state)
{
  g_return_if_fail (PG_IS_LINK (self));

  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
}

static gboolean
check_signer (PgLink         *self,
              PgCredentials  *signer,
              GError        **error)
{
  if (g_strcmp0 (pg_credentials_get_access_key_id (signer), self->access_key_id) == 0)
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               "link signed by %s, not %s", self->access_key_id,
               pg_credentials_get_access_key_id (signer));
  return FALSE;
}

/**
 * pg_link_derive_url:
 * @signer: the credentials the link was signed with (checked against the stored key id)
 *
 * Signs the link again with the stored time: the same URL as the first time. For an upload
 * page link, this is the page: what the partner receives.
 */
char *
pg_link_derive_url (PgLink         *self,
                    PgEndpoint     *endpoint,
                    PgCredentials  *signer,
                    GError        **error)
{
  PgPresignOptions options = {
    .method = self->method,
    .bucket = self->bucket,
    .key = self->key,
    .expires = self->expires,
    .signing_time = self->signed_at,
    .if_none_match = self->if_none_match,
    .content_type = self->content_type,
    .filename = self->filename,
  };

  if (!check_signer (self, signer, error))
    return NULL;

  if (self->page_key != NULL)
    {
      options.method = PG_METHOD_GET;
      options.key = self->page_key;
      options.if_none_match = FALSE;
      options.content_type = NULL;
      options.filename = NULL;
    }

  return pg_presign_url (endpoint, signer, &options, error);
}

/**
 * pg_link_derive_upload_urls:
 *
 * The upload URLs of an upload link, derived again: one for a plain upload link, one per file
 * for an upload page link (the ones in the page).
 *
 * Returns: (transfer full): the URLs, or %NULL with @error set
 */
GStrv
pg_link_derive_upload_urls (PgLink         *self,
                            PgEndpoint     *endpoint,
                            PgCredentials  *signer,
                            GError        **error)
{
  g_autoptr(GStrvBuilder) urls = g_strv_builder_new ();
  const char *single[] = { self->key, NULL };
  const char * const *keys = self->upload_keys ? (const char * const *) self->upload_keys
                                               : single;

  g_return_val_if_fail (pg_link_is_upload (self), NULL);

  if (!check_signer (self, signer, error))
    return NULL;

  for (guint i = 0; keys[i] != NULL; i++)
    {
      PgPresignOptions options = {
        .method = PG_METHOD_PUT,
        .bucket = self->bucket,
        .key = keys[i],
        .expires = self->expires,
        .signing_time = self->signed_at,
        .if_none_match = self->if_none_match,
        .content_type = self->content_type,
      };
      g_autofree char *url = pg_presign_url (endpoint, signer, &options, error);

      if (url == NULL)
        return NULL;
      g_strv_builder_add (urls, url);
    }

  return g_strv_builder_end (urls);
}

static const char *state_names[] = {
  "active", "used", "revoking", "revoked", "revoke-unverified", "expired", "dead-on-arrival",
};

JsonNode *
_pg_link_to_json (PgLink *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "account");
  json_builder_add_string_value (builder, self->account_id);
  json_builder_set_member_name (builder, "bucket");
  json_builder_add_string_value (builder, self->bucket);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, self->key);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, pg_method_to_string (self->method));
  json_builder_set_member_name (builder, "signed-at");
  json_builder_add_int_value (builder, self->signed_at);
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, self->expires);
  json_builder_set_member_name (builder, "access-key-id");
  json_builder_add_string_value (builder, self->access_key_id);
  json_builder_set_member_name (builder, "if-none-match");
  json_builder_add_boolean_value (builder, self->if_none_match);
  if (self->filename != NULL)
    {
      json_builder_set_member_name (builder, "filename");
      json_builder_add_string_value (builder, self->filename);
    }
  if (self->content_type != NULL)
    {
      json_builder_set_member_name (builder, "content-type");
      json_builder_add_string_value (builder, self->content_type);
    }
  if (self->signer_arn != NULL)
    {
      json_builder_set_member_name (builder, "signer-arn");
      json_builder_add_string_value (builder, self->signer_arn);
    }
  if (self->label != NULL)
    {
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, self->label);
    }
  if (self->quiet)
    {
      json_builder_set_member_name (builder, "notify-use");
      json_builder_add_boolean_value (builder, FALSE);
    }
  if (self->digest != NULL)
    {
      json_builder_set_member_name (builder, "digest");
      json_builder_add_string_value (builder, self->digest);
    }
  if (self->copy_of != NULL)
    {
      json_builder_set_member_name (builder, "copy-of");
      json_builder_add_string_value (builder, self->copy_of);
    }
  if (self->arming != PG_LINK_ARMING_NONE)
    {
      json_builder_set_member_name (builder, "armed");
      json_builder_add_string_value (builder, pg_link_arming_to_string (self->arming));
      json_builder_set_member_name (builder, "grace");
      json_builder_add_int_value (builder, self->grace);
    }
  if (self->uses > 1)
    {
      json_builder_set_member_name (builder, "uses");
      json_builder_add_int_value (builder, self->uses);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) MIN (self->size, G_MAXINT64));
      json_builder_set_member_name (builder, "downloads");
      json_builder_add_int_value (builder, self->downloads);
    }
  if (self->used_at != 0)
    {
      json_builder_set_member_name (builder, "used-at");
      json_builder_add_int_value (builder, self->used_at);
      json_builder_set_member_name (builder, "used-by");
      json_builder_add_string_value (builder, self->used_by ? self->used_by : "");
      json_builder_set_member_name (builder, "closed-at");
      json_builder_add_int_value (builder, self->closed_at);
    }
  if (self->session_name != NULL)
    {
      json_builder_set_member_name (builder, "session-name");
      json_builder_add_string_value (builder, self->session_name);
    }
  if (self->role_arn != NULL)
    {
      json_builder_set_member_name (builder, "role-arn");
      json_builder_add_string_value (builder, self->role_arn);
    }
  if (self->page_key != NULL)
    {
      json_builder_set_member_name (builder, "page-key");
      json_builder_add_string_value (builder, self->page_key);
      json_builder_set_member_name (builder, "upload-keys");
      json_builder_begin_array (builder);
      for (guint i = 0; self->upload_keys[i] != NULL; i++)
        json_builder_add_string_value (builder, self->upload_keys[i]);
      json_builder_end_array (builder);
    }
  if (self->received != NULL)
    {
      json_builder_set_member_name (builder, "received");
      json_builder_add_value (builder, pg_received_files_to_json (self->received));
    }
  json_builder_set_member_name (builder, "state");
  /* A revocation still under way is remembered as not proven. */
  json_builder_add_string_value (builder, state_names[self->state == PG_LINK_REVOKING
                                                      ? PG_LINK_REVOKE_UNVERIFIED
                                                      : self->state]);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* An upload page link's page and keys; %FALSE when they are there but not whole. */
static gboolean
read_page (PgLink     *self,
           JsonObject *object)
{
  g_autoptr(GStrvBuilder) keys = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (object, "upload-keys");
  const char *page_key = json_object_get_string_member_with_default (object, "page-key", NULL);
  JsonArray *array;

  if (page_key == NULL && node == NULL)
    return TRUE;

  if (!pg_upload_page_is_page_key (page_key) || node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return FALSE;
      g_strv_builder_add (keys, json_node_get_string (element));
    }

  self->page_key = g_strdup (page_key);
  self->upload_keys = g_strv_builder_end (keys);

  return self->upload_keys[0] != NULL && g_strcmp0 (self->upload_keys[0], self->key) == 0;
}

/* Returns NULL for an entry that lacks what a link needs. */
PgLink *
_pg_link_new_from_json (JsonNode *node)
{
  g_autoptr(PgLink) self = NULL;
  JsonObject *object;
  const char *method;
  const char *state;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;

  object = json_node_get_object (node);
  self = g_object_new (PG_TYPE_LINK, NULL);
  self->id = g_strdup (json_object_get_string_member_with_default (object, "id", NULL));
  self->account_id = g_strdup (json_object_get_string_member_with_default (object, "account",
                                                                           NULL));
  self->bucket = g_strdup (json_object_get_string_member_with_default (object, "bucket", NULL));
  self->key = g_strdup (json_object_get_string_member_with_default (object, "key", NULL));
  self->signed_at = json_object_get_int_member_with_default (object, "signed-at", 0);
  self->expires = json_object_get_int_member_with_default (object, "expires", 0);
  self->access_key_id = g_strdup (json_object_get_string_member_with_default (object,
                                                                              "access-key-id",
                                                                              NULL));
  self->if_none_match = json_object_get_boolean_member_with_default (object, "if-none-match",
                                                                     FALSE);
  self->filename = g_strdup (json_object_get_string_member_with_default (object, "filename",
                                                                         NULL));
  self->content_type = g_strdup (json_object_get_string_member_with_default (object,
                                                                             "content-type",
                                                                             NULL));
  self->signer_arn = g_strdup (json_object_get_string_member_with_default (object, "signer-arn",
                                                                           NULL));
  self->session_name = g_strdup (json_object_get_string_member_with_default (object,
                                                                             "session-name",
                                                                             NULL));
  self->role_arn = g_strdup (json_object_get_string_member_with_default (object, "role-arn",
                                                                         NULL));
  self->copy_of = g_strdup (json_object_get_string_member_with_default (object, "copy-of",
                                                                        NULL));
  pg_link_set_digest (self, json_object_get_string_member_with_default (object, "digest", NULL));
  pg_link_set_label (self, json_object_get_string_member_with_default (object, "label", NULL));
  self->quiet = !json_object_get_boolean_member_with_default (object, "notify-use", TRUE);
  if (json_object_has_member (object, "received"))
    self->received = pg_received_files_from_json (json_object_get_member (object, "received"));
  self->arming = pg_link_arming_from_string (
                   json_object_get_string_member_with_default (object, "armed", NULL));
  self->grace = json_object_get_int_member_with_default (object, "grace", 0);
  self->uses = (guint) CLAMP (json_object_get_int_member_with_default (object, "uses", 1), 1,
                              PG_LINK_MAX_USES);
  self->size = (guint64) MAX (json_object_get_int_member_with_default (object, "size", 0), 0);
  self->downloads = (guint) CLAMP (json_object_get_int_member_with_default (object, "downloads",
                                                                            0), 0, G_MAXINT);
  self->used_at = json_object_get_int_member_with_default (object, "used-at", 0);
  self->used_by = g_strdup (json_object_get_string_member_with_default (object, "used-by",
                                                                        NULL));
  self->closed_at = json_object_get_int_member_with_default (object, "closed-at", 0);
  method = json_object_get_string_member_with_default (object, "method", NULL);
  state = json_object_get_string_member_with_default (object, "state", "active");
  if (!read_page (self, object))
    return NULL;

  if (self->id == NULL || self->bucket == NULL || self->key == NULL
      || self->access_key_id == NULL || self->signed_at <= 0 || self->expires == 0
      || !pg_method_from_string (method, &self->method))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (state, state_names[i]))
        self->state = i;
    }

  return g_steal_pointer (&self);
}

/* ---- Naming ------------------------------------------------------------------------------ */

/**
 * pg_link_make_upload_key:
 * @folder: (nullable): where uploads go, e.g. "incoming/"
 * @pattern: (nullable): e.g. "{date}-{time}-{id}/{name}" (the default); a pattern without {id}
 *   gets "-{id}" added to its first part, since no two upload links may share a key
 * @name: (nullable): the file name the partner's file is stored under
 * @now: the time the key is dated with, in UTC
 *
 * "incoming/" + "20261128-104200-3fa9c1/contract.pdf": a key no other link shares, so revoking
 * one upload link never touches another.
 */
char *
pg_link_make_upload_key (const char *folder,
                         const char *pattern,
                         const char *name,
                         GDateTime  *now)
{
  g_autofree char *date = g_date_time_format (now, "%Y%m%d");
  g_autofree char *time = g_date_time_format (now, "%H%M%S");
  g_autofree char *id = g_strdup_printf ("%06x", g_random_int () & 0xffffff);
  g_autofree char *clean_folder = g_strstrip (g_strdup (folder ? folder : ""));
  g_autoptr(GString) key = g_string_new (clean_folder);

  if (pattern == NULL || *pattern == '\0')
    pattern = "{date}-{time}-{id}/{name}";

  if (key->len > 0 && !g_str_has_suffix (key->str, "/"))
    g_string_append_c (key, '/');

  g_string_append (key, pattern);
  if (strstr (pattern, "{id}") == NULL)
    {
      const char *slash = strchr (key->str + strlen (clean_folder), '/');

      g_string_insert (key, slash ? slash - key->str : (gssize) key->len, "-{id}");
    }
  if (strstr (pattern, "{name}") == NULL)
    g_string_append (key, "/{name}");

  g_string_replace (key, "{date}", date, 0);
  g_string_replace (key, "{time}", time, 0);
  g_string_replace (key, "{id}", id, 0);
  g_string_replace (key, "{name}", name && *name ? name : "upload", 0);

  return g_string_free (g_steal_pointer (&key), FALSE);
}

/**
 * pg_link_make_upload_page_keys:
 * @n_files: how many files the page takes
 *
 * The keys of an upload page's files: one new folder under @folder (named as
 * pg_link_make_upload_key() names it), with "file-1", "file-2"… in it. The partner's own file
 * names travel with the uploads (Content-Disposition), not in the keys, which are signed before
 * anybody knows them.
 */
GStrv
pg_link_make_upload_page_keys (const char *folder,
                               guint       n_files,
                               GDateTime  *now)
{
  g_autofree char *first = pg_link_make_upload_key (folder, NULL, "file-1", now);
  g_autofree char *prefix = g_strndup (first, pg_link_key_basename (first) - first);
  GStrv keys = g_new0 (char *, n_files + 1);

  for (guint i = 0; i < n_files; i++)
    keys[i] = g_strdup_printf ("%sfile-%u", prefix, i + 1);

  return keys;
}

/**
 * pg_link_check_upload_target:
 * @endpoint: (nullable): the server, for its wildcards; %NULL to check only the folder
 * @key: an upload link's key, or an upload page's folder
 *
 * Where a partner may upload: never into our own folder (records, pages, copies, the lock),
 * and, where the server reads "*" and "?" in a policy as wildcards (anything but AWS), never
 * under a name with them: such an upload link or page could not be revoked alone.
 */
gboolean
pg_link_check_upload_target (PgEndpoint  *endpoint,
                             const char  *key,
                             GError     **error)
{
  if (key != NULL && g_str_has_prefix (key, PG_POLICY_FOLDER))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_INVALID_ARGUMENT,
                   _("Uploads cannot go into “%s”: that folder holds Presign Guard’s own records. "
                     "Choose another folder."), PG_POLICY_FOLDER);
      return FALSE;
    }

  if (key != NULL && strpbrk (key, "*?") != NULL
      && endpoint != NULL && !pg_endpoint_is_aws (endpoint))
    {
      g_set_error (error, PG_ERROR, PG_ERROR_UNSUPPORTED,
                   _("This server reads “*” and “?” in “%s” as wildcards, so uploads there "
                     "could not be taken back alone. Choose a name without them."), key);
      return FALSE;
    }

  return TRUE;
}

/* The last part of a key: "a/b/report.pdf" → "report.pdf". */
const char *
pg_link_key_basename (const char *key)
{
  const char *slash = strrchr (key, '/');

  return slash && slash[1] ? slash + 1 : key;
}

/**
 * pg_link_fresh_copy_key:
 * @now: the time the copy is named after, in local time
 *
 * A new key next to @key for a fresh copy of a revoked file: "a/report (20261128-140200).pdf".
 * Sharing the copy leaves the revocation of the old key, and so of its leaked links, in place.
 */
char *
pg_link_fresh_copy_key (const char *key,
                        GDateTime  *now)
{
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  const char *name = pg_link_key_basename (key);
  g_autofree char *dir = g_strndup (key, name - key);
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot && dot != name ? g_strndup (name, dot - name) : g_strdup (name);

  return g_strdup_printf ("%s%s (%s)%s", dir, stem, stamp, dot && dot != name ? dot : "");
}

/**
 * pg_link_partner_instructions:
 *
 * PowerShell and curl commands that upload a file with @url, with the headers the link was
 * signed for, and the file's own name as its Content-Disposition (not signed: S3 keeps it with
 * the object, and the app shows and saves the file under it, as for an upload page's files).
 */
char *
pg_link_partner_instructions (PgLink     *self,
                              const char *url)
{
  const char *curl_header = self->if_none_match ? " -H \"If-None-Match: *\"" : "";
  const char *ps_header = self->if_none_match ? "\"If-None-Match\"=\"*\"; " : "";
  g_autofree char *curl_type = self->content_type
                               ? g_strdup_printf (" -H \"Content-Type: %s\"", self->content_type)
                               : g_strdup ("");
  g_autofree char *ps_type = self->content_type
                             ? g_strdup_printf (" -ContentType \"%s\"", self->content_type)
                             : g_strdup ("");

  return g_strdup_printf ("PowerShell:\n"
                          "$file = Get-Item \"C:\\path\\to\\file\"\n"
                          "Invoke-WebRequest -Uri \"%s\" -Method Put -InFile $file.FullName%s "
                          "-Headers @{%s\"Content-Disposition\"=(\"attachment; "
                          "filename*=UTF-8''\" + [uri]::EscapeDataString($file.Name))}\n"
                          "\n"
                          "curl:\n"
                          "file=\"/path/to/file\"\n"
                          "curl%s%s -H \"Content-Disposition: attachment; "
                          "filename=\\\"${file##*/}\\\"\" -T \"$file\" \"%s\"\n",
                          url, ps_type, ps_header, curl_header, curl_type, url);
}
