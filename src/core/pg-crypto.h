/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PG_SHA256_LENGTH 32

/* Internal to the core: SHA-256 and HMAC-SHA-256 on OpenSSL with the digest fetched once. */
void pg_sha256          (const void   *data,
                         gsize         length,
                         guint8        digest[PG_SHA256_LENGTH]);
void pg_hmac_sha256     (const guint8 *key,
                         gsize         key_length,
                         const void   *data,
                         gsize         length,
                         guint8        mac[PG_SHA256_LENGTH]);
void pg_hex_encode      (const guint8 *data,
                         gsize         length,
                         char         *out);

G_END_DECLS
