/*
 * grow.c: arrays that grow as rows come in.
 */
#include <stdlib.h>

#include "internal.h"

int
pp_grow(void *arrayp, size_t *cap, size_t need, size_t elem)
{
	void **array = arrayp;
	size_t n = *cap ? *cap : 16;
	void *grown;

	if (need <= *cap)
		return PP_OK;
	while (n < need)
		n *= 2;
	if ((grown = realloc(*array, n * elem)) == NULL)
		return PP_EINTERNAL;
	*array = grown;
	*cap = n;
	return PP_OK;
}
