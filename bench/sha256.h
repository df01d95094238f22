/* sha256.h: SHA-256 of a string, for meta.json's query hash (a small embedded implementation). */
#ifndef PGPB_SHA256_H
#define PGPB_SHA256_H

#include <stddef.h>

/* Writes the 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
