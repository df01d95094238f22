/*
 * pbkdf2.c: HMAC-SHA256 (RFC 2104) and PBKDF2 (RFC 8018) on common/sha256.c, just enough to write the
 * Django password hash every generated user gets, so the users can log in to a Django app sharing the
 * database. Kept here rather than linking libcrypto for one hash computed once per load.
 */
#include "datagen/pbkdf2.h"
#include "common/sha256.h"

#include <stdio.h>
#include <string.h>

/* HMAC with the inner and outer pads hashed once: PBKDF2 restarts from these states every iteration. */
struct hmac {
	struct sha256 inner, outer;
};

static void hmac_init(struct hmac *m, const void *key, size_t keylen)
{
	unsigned char k[64] = { 0 }, pad[64];
	if (keylen > 64)
		sha256(key, keylen, k);
	else
		memcpy(k, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	sha256_init(&m->inner);
	sha256_update(&m->inner, pad, 64);
	for (int i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	sha256_init(&m->outer);
	sha256_update(&m->outer, pad, 64);
}

static void hmac_run(const struct hmac *m, const void *a, size_t alen, const void *b, size_t blen,
                     unsigned char out[32])
{
	struct sha256 s = m->inner;
	sha256_update(&s, a, alen);
	if (blen)
		sha256_update(&s, b, blen);
	unsigned char ih[32];
	sha256_final(&s, ih);
	s = m->outer;
	sha256_update(&s, ih, 32);
	sha256_final(&s, out);
}

void datagen_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt, size_t saltlen, uint32_t iterations,
                           unsigned char *out, size_t outlen)
{
	struct hmac m;
	hmac_init(&m, pass, passlen);
	for (uint32_t block = 1; outlen; block++) {
		unsigned char be[4] = { (unsigned char)(block >> 24), (unsigned char)(block >> 16),
			                (unsigned char)(block >> 8), (unsigned char)block };
		unsigned char u[32], t[32];
		hmac_run(&m, salt, saltlen, be, 4, u);
		memcpy(t, u, 32);
		for (uint32_t i = 1; i < iterations; i++) {
			hmac_run(&m, u, 32, NULL, 0, u);
			for (int j = 0; j < 32; j++)
				t[j] ^= u[j];
		}
		size_t n = outlen < 32 ? outlen : 32;
		memcpy(out, t, n);
		out += n, outlen -= n;
	}
}

void datagen_django_hash(const char *password, const char *salt, uint32_t iterations, char *out, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char dk[32];
	datagen_pbkdf2_sha256(password, strlen(password), salt, strlen(salt), iterations, dk, sizeof dk);
	char enc[48];
	size_t o = 0;
	for (size_t i = 0; i < 32; i += 3) {
		uint32_t v = (uint32_t)dk[i] << 16 | (i + 1 < 32 ? (uint32_t)dk[i + 1] << 8 : 0) | (i + 2 < 32 ? dk[i + 2] : 0);
		enc[o++] = b64[(v >> 18) & 63];
		enc[o++] = b64[(v >> 12) & 63];
		enc[o++] = i + 1 < 32 ? b64[(v >> 6) & 63] : '=';
		enc[o++] = i + 2 < 32 ? b64[v & 63] : '=';
	}
	enc[o] = '\0';
	snprintf(out, len, "pbkdf2_sha256$%u$%s$%s", iterations, salt, enc);
}
