/*
 * plan.c: the read requests of a Modbus profile that take the least bus
 * time.  Every request costs its frames, its two silent gaps and the
 * meter's turnaround; every register read through costs two characters.
 * With the values sorted by function code and address, the best plan is
 * a partition of them into contiguous runs, which a dynamic program finds
 * exactly in O(n^2) (doc/design.md, "Request plans").
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/*
 * An RTU read: the request frame (unit, fc, address, count, CRC) and the
 * reply (unit, fc, byte count, the registers, CRC), in characters.
 */
#define REQUEST_CHARS	8
#define REPLY_CHARS	5
#define BITS_PER_CHAR	11	/* start, 8 data, parity or a second stop */
#define GAP_BITS	77	/* two 3.5-character silences */

/* A run's cost in microsecond-bauds: exact integers for the comparison. */
static int64_t
cost(const struct pp__timing *t, int count)
{
	return (int64_t)((REQUEST_CHARS + REPLY_CHARS + 2 * count) *
	    BITS_PER_CHAR + GAP_BITS) * 1000000 +
	    (int64_t)t->turnaround_ms * 1000 * t->baud;
}

int64_t
pp__plan_request_us(const struct pp__timing *t, int count)
{
	return (cost(t, count) + t->baud / 2) / t->baud;
}

void
pp__plan_timing(const char *address, long baud, int turnaround_ms,
    struct pp__timing *t)
{
	struct pp__link_addr a;
	char err[PP_ERRMAX];

	t->baud = baud > 0 ? baud : 9600;
	t->turnaround_ms = turnaround_ms;
	/* A serial port's baud is the line's, whatever else is said. */
	if (pp__link_addr_parse(address, &a, err, sizeof(err)) == PP_OK &&
	    !a.tcp && a.baud > 0)
		t->baud = a.baud;
}

uint64_t
pp__plan_all(const struct pp__profile *p)
{
	return p->nvalues >= 64 ? ~(uint64_t)0 :
	    ((uint64_t)1 << p->nvalues) - 1;
}

struct item {
	int	fc, from, end;		/* registers [from, end) */
	int	value;			/* its index in p->values */
};

static int
by_fc_address(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->fc != y->fc)
		return x->fc - y->fc;
	if (x->from != y->from)
		return x->from - y->from;
	return x->end - y->end;
}

/* The best plan's runs, walked back from its last break. */
static void
emit(const struct item *it, const int *start, int n, struct pp__plan *plan)
{
	int stack[PP_MAXVALUES + 1], depth = 0, j, i, k;

	for (j = n; j > 0; j = start[j])
		stack[depth++] = j;
	plan->n = 0;
	while (depth > 0) {
		struct pp__request *r = &plan->req[plan->n];
		int end = 0;

		j = stack[--depth];
		i = start[j];
		plan->carries[plan->n] = 0;
		for (k = i; k < j; k++) {
			if (it[k].end > end)
				end = it[k].end;
			plan->carries[plan->n] |= (uint64_t)1 << it[k].value;
		}
		r->fc = it[i].fc;
		r->address = it[i].from;
		r->count = end - it[i].from;
		plan->n++;
	}
}

void
pp__plan_make(const struct pp__profile *p, uint64_t mask,
    const struct pp__timing *t, struct pp__plan *plan)
{
	struct item it[PP_MAXVALUES];
	int64_t best[PP_MAXVALUES + 1], total;
	int start[PP_MAXVALUES + 1], n = 0, i, j, end;

	for (i = 0; i < p->nvalues; i++)
		if (mask & (uint64_t)1 << i) {
			it[n].fc = p->values[i].fc;
			it[n].from = p->values[i].address;
			it[n].end = p->values[i].address + p->values[i].words;
			it[n].value = i;
			n++;
		}
	qsort(it, (size_t)n, sizeof(it[0]), by_fc_address);
	best[0] = 0;
	for (j = 1; j <= n; j++)
		best[j] = -1;
	/*
	 * best[j]: the least cost of the first j values.  A run from i on
	 * grows until a limit stops it, and every limit, once broken, stays
	 * broken as the run grows: another function code, more than 125
	 * registers, an unreadable register, a gap over the cap.
	 */
	for (i = 0; i < n; i++) {
		if (best[i] < 0)
			continue;
		for (j = i, end = it[i].end; j < n; j++) {
			if (it[j].fc != it[i].fc || (p->max_gap >= 0 &&
			    it[j].from - end > p->max_gap))
				break;
			if (it[j].end > end)
				end = it[j].end;
			if (end - it[i].from > 125 || !pp__profile_readable(p,
			    it[i].fc, it[i].from, end - it[i].from))
				break;
			total = best[i] + cost(t, end - it[i].from);
			if (best[j + 1] < 0 || total < best[j + 1]) {
				best[j + 1] = total;
				start[j + 1] = i;
			}
		}
	}
	/* Each value alone is readable (profile.c), so best[n] is found. */
	emit(it, start, n, plan);
	plan->us = (best[n] + t->baud / 2) / t->baud;
}
