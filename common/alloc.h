/*
 * alloc.h: memory that is always there. Each call returns the memory asked for, or, when the system has
 * none left, prints "pgpagebench: error: out of memory" through log.c and exits with status 1, as
 * PostgreSQL's pg_malloc does. One rule for every module, so no caller carries an out-of-memory branch.
 */
#ifndef PGPB_ALLOC_H
#define PGPB_ALLOC_H

#include <stddef.h>

void *pgpb_malloc(size_t size);
void *pgpb_calloc(size_t n, size_t size); /* zeroed; n * size checked for overflow */
void *pgpb_realloc(void *p, size_t size);
void *pgpb_reallocarray(void *p, size_t n, size_t size); /* n * size checked for overflow */
char *pgpb_strdup(const char *s);
/* Zeroed n * size bytes aligned to align (a power of two, e.g. a cache line for per-thread slots). */
void *pgpb_aligned_calloc(size_t align, size_t n, size_t size);

#endif
