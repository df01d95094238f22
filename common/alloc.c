/*
 * alloc.c: the allocation helpers of alloc.h. Out of memory is reported once, in the house style, and
 * ends the process with status 1 (a runtime failure); a size of 0 still returns a pointer to free.
 */
#include "common/alloc.h"
#include "common/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void *need(void *p)
{
	if (!p) {
		log_error("out of memory");
		exit(1);
	}
	return p;
}

void *pgpb_malloc(size_t size)
{
	return need(malloc(size ? size : 1));
}

void *pgpb_calloc(size_t n, size_t size)
{
	return need(calloc(n ? n : 1, size ? size : 1));
}

void *pgpb_realloc(void *p, size_t size)
{
	return need(realloc(p, size ? size : 1));
}

void *pgpb_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return need(NULL);
	return pgpb_realloc(p, n * size);
}

char *pgpb_strdup(const char *s)
{
	return need(strdup(s));
}

void *pgpb_aligned_calloc(size_t align, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return need(NULL);
	size_t bytes = n * size;
	if (bytes == 0)
		bytes = 1;
	bytes = (bytes + align - 1) / align * align; /* aligned_alloc wants a multiple of the alignment */
	void *p = need(aligned_alloc(align, bytes));
	memset(p, 0, bytes);
	return p;
}
