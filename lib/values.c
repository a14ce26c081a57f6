/*
 * values.c: the named values a driver reads from a meter and writes to it
 * (relay, balance, buy_count...), and the value a profile's write field
 * takes from them.  The drivers (modbus.c, dlt645bus.c) and the command
 * runner share these, below the bus that picks a driver (bus.c).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "field.h"

int
pp__values_get(const struct pp__values *vs, const char *name, int64_t *v)
{
	int i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->item[i].name, name) == 0) {
			*v = vs->item[i].v;
			return 1;
		}
	return 0;
}

void
pp__values_set(struct pp__values *vs, const char *name, int64_t v)
{
	int i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->item[i].name, name) == 0) {
			vs->item[i].v = v;
			return;
		}
	if (vs->n < PP_MAXVALUES) {
		snprintf(vs->item[vs->n].name, sizeof(vs->item[0].name), "%s",
		    name);
		vs->item[vs->n++].v = v;
	}
}

int
pp__field_value(const struct pp__pwrite *w, const struct pp__pfield *f,
    const struct pp__values *args, int64_t *v, int64_t *factor, char *err,
    size_t errlen)
{
	*v = f->value;
	*factor = 1;
	if (f->arg[0] == '\0')
		return PP_OK;
	if (!pp__values_get(args, f->arg, v)) {
		snprintf(err, errlen, "%s needs %s", w->name, f->arg);
		return PP_EUSAGE;
	}
	*factor = pp__value_factor(f->arg);
	return PP_OK;
}
