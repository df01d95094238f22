/*
 * pbkdf2.h: PBKDF2-HMAC-SHA256 and Django's password hash format, the one cryptographic piece datagen
 * needs (every generated user gets the same Django-valid password). A floor of datagen: it uses only
 * common/sha256.
 */
#ifndef PGPB_DATAGEN_PBKDF2_H
#define PGPB_DATAGEN_PBKDF2_H

#include <stddef.h>
#include <stdint.h>

void datagen_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt, size_t saltlen, uint32_t iterations,
                           unsigned char *out, size_t outlen);
/* Django's "pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>" (salt: [A-Za-z0-9]). */
void datagen_django_hash(const char *password, const char *salt, uint32_t iterations, char *out, size_t len);

#endif
