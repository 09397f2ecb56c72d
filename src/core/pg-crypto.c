/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "pg-crypto"

#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "pg-crypto.h"

#define SHA256_BLOCK 64

/* OpenSSL 3 looks algorithms up in its provider tables on every one-shot call, which costs more
 * than hashing a short string. Fetching the digest once keeps signing fast. */
static EVP_MD *
sha256 (void)
{
  static EVP_MD *md;

  if (g_once_init_enter (&md))
    {
      EVP_MD *fetched = EVP_MD_fetch (NULL, "SHA256", NULL);

      g_assert (fetched != NULL);
      g_once_init_leave (&md, fetched);
    }

  return md;
}

static void
digest_parts (const void *first,
              gsize       first_length,
              const void *second,
              gsize       second_length,
              guint8      out[PG_SHA256_LENGTH])
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned int out_length = PG_SHA256_LENGTH;

  if (ctx == NULL
      || !EVP_DigestInit_ex (ctx, sha256 (), NULL)
      || !EVP_DigestUpdate (ctx, first, first_length)
      || (second_length > 0 && !EVP_DigestUpdate (ctx, second, second_length))
      || !EVP_DigestFinal_ex (ctx, out, &out_length))
    g_error ("SHA-256 failed in OpenSSL");

  EVP_MD_CTX_free (ctx);
}

void
pg_sha256 (const void *data,
           gsize       length,
           guint8      digest[PG_SHA256_LENGTH])
{
  digest_parts (data, length, NULL, 0, digest);
}

/* HMAC as in RFC 2104: H((K ^ opad) || H((K ^ ipad) || data)). */
void
pg_hmac_sha256 (const guint8 *key,
                gsize         key_length,
                const void   *data,
                gsize         length,
                guint8        mac[PG_SHA256_LENGTH])
{
  guint8 block[SHA256_BLOCK] = { 0 };
  guint8 pad[SHA256_BLOCK];
  guint8 inner[PG_SHA256_LENGTH];

  if (key_length > SHA256_BLOCK)
    pg_sha256 (key, key_length, block);
  else
    memcpy (block, key, key_length);

  for (guint i = 0; i < SHA256_BLOCK; i++)
    pad[i] = block[i] ^ 0x36;
  digest_parts (pad, sizeof pad, data, length, inner);

  for (guint i = 0; i < SHA256_BLOCK; i++)
    pad[i] = block[i] ^ 0x5c;
  digest_parts (pad, sizeof pad, inner, sizeof inner, mac);

  explicit_bzero (block, sizeof block);
  explicit_bzero (pad, sizeof pad);
  explicit_bzero (inner, sizeof inner);
}

void
pg_hex_encode (const guint8 *data,
               gsize         length,
               char         *out)
{
  static const char hex[] = "0123456789abcdef";

  for (gsize i = 0; i < length; i++)
    {
      out[2 * i] = hex[data[i] >> 4];
      out[2 * i + 1] = hex[data[i] & 0xf];
    }
  out[2 * length] = '\0';
}
