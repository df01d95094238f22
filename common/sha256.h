/* sha256.h: SHA-256 (FIPS 180-4), streaming and one-shot: the query hash in meta.json and, through
 * HMAC/PBKDF2, the Django password hash datagen writes. Not used for anything secret. */
#ifndef PGPB_SHA256_H
#define PGPB_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	unsigned char block[64];
	size_t used;
	uint64_t total;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* One shot. */
void sha256(const void *data, size_t len, unsigned char out[32]);
/* One shot, as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
