/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-s3-client"

#include "config.h"

#include "pg-s3-private.h"

/* An asynchronous S3 client on libsoup 3. Every request is signed (SigV4, header form) right
 * before it is sent, with the clock offset last measured from a response's Date header, so a
 * retry or a request after a "clock skewed" answer carries a fresh, correct signature.
 *
 * Requests that can safely be repeated are retried on 5xx answers, "SlowDown", time-outs and
 * broken connections, with exponential backoff and jitter, a few times at most. */

G_DEFINE_FINAL_TYPE (PgS3Client, pg_s3_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (pg-s3-error-quark, pg_s3_error)

/* ---- Values ---------------------------------------------------------------------------- */

void
pg_s3_object_free (PgS3Object *object)
{
  if (object == NULL)
    return;

  g_free (object->key);
  g_clear_pointer (&object->last_modified, g_date_time_unref);
  g_free (object->etag);
  g_free (object->content_type);
  g_free (object->content_disposition);
  g_free (object);
}

void
pg_s3_listing_free (PgS3Listing *listing)
{
  if (listing == NULL)
    return;

  g_ptr_array_unref (listing->objects);
  g_ptr_array_unref (listing->prefixes);
  g_free (listing);
}

/* ---- Client ---------------------------------------------------------------------------- */

static void
pg_s3_client_finalize (GObject *object)
{
  PgS3Client *self = PG_S3_CLIENT (object);

  g_clear_pointer (&self->endpoint, pg_endpoint_unref);
  g_clear_pointer (&self->credentials, pg_credentials_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (pg_s3_client_parent_class)->finalize (object);
}

static void
pg_s3_client_class_init (PgS3ClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pg_s3_client_finalize;
}

static void
pg_s3_client_init (PgS3Client *self)
{
  self->attempts = DEFAULT_ATTEMPTS;
  self->base_delay_ms = DEFAULT_BASE_DELAY_MS;
  self->request_seconds = REQUEST_TIMEOUT_SECONDS;
  self->total_seconds = TOTAL_TIMEOUT_SECONDS;
  self->multipart_threshold = DEFAULT_MULTIPART_BYTES;
  self->copy_threshold = MAX_COPY_BYTES;
}

/**
 * pg_s3_client_new:
 * @session: (nullable): the application's session, or %NULL for a new one
 *
 * Returns: (transfer full): a client that acts as @credentials against @endpoint.
 */
PgS3Client *
pg_s3_client_new (PgEndpoint    *endpoint,
                  PgCredentials *credentials,
                  SoupSession   *session)
{
  PgS3Client *self;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (credentials != NULL, NULL);

  self = g_object_new (PG_TYPE_S3_CLIENT, NULL);
  self->endpoint = pg_endpoint_ref (endpoint);
  self->credentials = pg_credentials_ref (credentials);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_SECONDS,
                                                   "idle-timeout", REQUEST_TIMEOUT_SECONDS,
                                                   NULL);

  return self;
}

PgEndpoint *
pg_s3_client_get_endpoint (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->endpoint;
}

PgCredentials *
pg_s3_client_get_credentials (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->credentials;
}

SoupSession *
pg_s3_client_get_session (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), NULL);

  return self->session;
}

/* Seconds the server's clock is ahead of ours, as last measured. */
gint64
pg_s3_client_get_clock_offset (PgS3Client *self)
{
  g_return_val_if_fail (PG_IS_S3_CLIENT (self), 0);

  return self->clock_offset;
}

/* The server's idea of now, in seconds since the epoch. */
gint64
pg_s3_client_get_now (PgS3Client *self)
{
  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

void
pg_s3_client_set_retries (PgS3Client *self,
                          guint       attempts,
                          guint       base_delay_ms)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->attempts = MAX (1, attempts);
  self->base_delay_ms = base_delay_ms;
}

/**
 * pg_s3_client_set_timeouts:
 * @request_seconds: the longest one request may take, from connecting to the answer's last byte
 *   (60 by default; a request that sends a file gets more, as for an uplink of 16 KiB/s)
 * @total_seconds: the longest a call may take with all its retries (90 by default)
 *
 * A server that never answers, or answers a byte now and then, is given up on after these.
 */
void
pg_s3_client_set_timeouts (PgS3Client *self,
                           guint       request_seconds,
                           guint       total_seconds)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->request_seconds = MAX (request_seconds, 1);
  self->total_seconds = MAX (total_seconds, self->request_seconds);
}

guint
pg_s3_client_get_request_timeout (PgS3Client *self)
{
  return self->request_seconds;
}

/* Files larger than this go up in parts (at least 5 MiB each, as S3 requires). */
void
pg_s3_client_set_multipart_threshold (PgS3Client *self,
                                      guint64     bytes)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->multipart_threshold = MAX (bytes, MIN_PART_BYTES);
}

/* Objects larger than this are copied in parts (at least 5 MiB each); S3 copies at most 5 GiB
 * in one request. */
void
pg_s3_client_set_copy_threshold (PgS3Client *self,
                                 guint64     bytes)
{
  g_return_if_fail (PG_IS_S3_CLIENT (self));

  self->copy_threshold = CLAMP (bytes, MIN_PART_BYTES, MAX_COPY_BYTES);
}
