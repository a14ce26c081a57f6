/*
 * plan: the planner's dynamic program (lib/plan.c) against a brute force
 * over every choice of breaks between the sorted values, on random
 * profiles of overlapping values, two function codes, unreadable ranges
 * and caps, at random timings; and each plan's requests keep the limits
 * and carry every value whole.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tap.h"

#define N	11	/* 2^10 partitions a profile */

/* The rand48 of the test: a fixed seed, the same profiles every run. */
static unsigned short seed[3] = { 13, 645, 2026 };

static int
pick(int n)
{
	return (int)(nrand48(seed) % (unsigned long)n);
}

static void
random_profile(struct pp__profile *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "random");
	p->max_gap = pick(3) ? -1 : pick(20);
	p->nvalues = 2 + pick(N - 1);
	for (i = 0; i < p->nvalues; i++) {
		struct pp__pvalue *v = &p->values[i];

		v->fc = 3 + (pick(5) == 0);
		v->address = pick(160);
		v->words = 1 + pick(2);
	}
	/* Ranges that no value lies in, as the loader insists. */
	while (p->nunread < 3 && pick(2)) {
		struct pp__unread *u = &p->unread[p->nunread];

		u->fc = 3 + (pick(5) == 0);
		u->from = pick(160);
		u->to = u->from + pick(6);
		for (i = 0; i < p->nvalues; i++)
			if (p->values[i].fc == u->fc && p->values[i].address <=
			    u->to && u->from < p->values[i].address +
			    p->values[i].words)
				break;
		if (i == p->nvalues)
			p->nunread++;
		else
			break;
	}
}

/* The test's own reading of the ranges: does [from, from + n) touch one? */
static int
touches(const struct pp__profile *p, int fc, int from, int n)
{
	int i;

	for (i = 0; i < p->nunread; i++)
		if (p->unread[i].fc == fc && !(from + n - 1 < p->unread[i].from ||
		    from > p->unread[i].to))
			return 1;
	return 0;
}

/* (fc, address, words) as one number, for the order of the sort. */
static long
key(const struct pp__pvalue *v)
{
	return ((long)v->fc << 24) + ((long)v->address << 4) + v->words;
}

static int
by_address(const void *a, const void *b)
{
	long d = key(a) - key(b);

	return d < 0 ? -1 : d > 0;
}

/* The least bus time in microseconds over all 2^(n-1) partitions; -1: none. */
static double
brute(const struct pp__profile *p, const struct pp__timing *t)
{
	struct pp__pvalue v[PP_MAXVALUES];
	int n = p->nvalues, i, j, k, end;
	unsigned breaks;
	double best = -1, total, chars;

	memcpy(v, p->values, sizeof(v[0]) * (size_t)n);
	qsort(v, (size_t)n, sizeof(v[0]), by_address);
	for (breaks = 0; breaks < 1u << (n - 1); breaks++) {
		total = 0;
		for (i = 0, j = 1; j <= n && total >= 0; j++) {
			if (j < n && !(breaks >> (j - 1) & 1))
				continue;
			/* The run v[i..j): its own checks, its own frames. */
			end = v[i].address + v[i].words;
			for (k = i + 1; k < j && total >= 0; k++) {
				if (v[k].fc != v[i].fc || (p->max_gap >= 0 &&
				    v[k].address - end > p->max_gap))
					total = -1;
				if (v[k].address + v[k].words > end)
					end = v[k].address + v[k].words;
			}
			if (total < 0 || end - v[i].address > 125 ||
			    touches(p, v[i].fc, v[i].address, end -
			    v[i].address)) {
				total = -1;
				break;
			}
			chars = 8 + 5 + 2.0 * (end - v[i].address) + 7;
			total += chars * 11 * 1e6 / (double)t->baud +
			    t->turnaround_ms * 1000.0;
			i = j;
		}
		if (total >= 0 && (best < 0 || total < best))
			best = total;
	}
	return best;
}

/* Every request keeps the limits, and every value is in one, whole. */
static int
sound(const struct pp__profile *p, const struct pp__plan *plan)
{
	uint64_t seen = 0;
	int i, j;

	for (i = 0; i < plan->n; i++) {
		const struct pp__request *r = &plan->req[i];

		if (r->count < 1 || r->count > 125 || touches(p, r->fc,
		    r->address, r->count) || (seen & plan->carries[i]))
			return 0;
		seen |= plan->carries[i];
		for (j = 0; j < p->nvalues; j++)
			if ((plan->carries[i] >> j & 1) &&
			    (p->values[j].fc != r->fc || p->values[j].address <
			    r->address || p->values[j].address +
			    p->values[j].words > r->address + r->count))
				return 0;
	}
	return seen == pp__plan_all(p);
}

int
main(void)
{
	static const long bauds[] = { 1200, 2400, 9600, 19200, 115200 };
	struct pp__profile *p = malloc(sizeof(*p));
	struct pp__timing t;
	struct pp__plan plan;
	int round, optimal = 0, whole = 0, rounds = 400;
	double want;

	if (p == NULL)
		return 1;
	for (round = 0; round < rounds; round++) {
		random_profile(p);
		t.baud = bauds[pick(5)];
		t.turnaround_ms = pick(4) ? 1 : pick(200);
		pp__plan_make(p, pp__plan_all(p), &t, &plan);
		want = brute(p, &t);
		if (want >= 0 && plan.us >= want - 1 && plan.us <= want + 1)
			optimal++;
		else
			diag("round %d: plan %lld us, brute force %.1f us",
			    round, (long long)plan.us, want);
		whole += sound(p, &plan);
	}
	is_int(optimal, rounds, "the plan's time is the brute force's least, "
	    "within a microsecond's rounding, on 400 random profiles");
	is_int(whole, rounds, "every request keeps the limits and carries its "
	    "values whole, each value once");

	/* A subset: only the values asked for are planned. */
	memset(p, 0, sizeof(*p));
	p->max_gap = -1;
	p->nvalues = 3;
	p->values[0] = (struct pp__pvalue){ .fc = 4, .address = 0, .words = 2 };
	p->values[1] = (struct pp__pvalue){ .fc = 4, .address = 30, .words = 2 };
	p->values[2] = (struct pp__pvalue){ .fc = 4, .address = 0x156,
	    .words = 2 };
	t.baud = 9600;
	t.turnaround_ms = 1;
	pp__plan_make(p, 1u << 0 | 1u << 2, &t, &plan);
	ok(plan.n == 2 && plan.req[0].address == 0 && plan.req[0].count == 2 &&
	    plan.req[1].address == 0x156 && plan.carries[1] == 1u << 2,
	    "a mask of two values plans their two reads and nothing else");
	is_int(plan.us, 57000, "two reads of 2 registers at 9600 baud: 57 ms");
	is_int(pp__plan_request_us(&t, 125), 310375,
	    "a read of 125 registers at 9600 baud and 1 ms: 310.375 ms");
	free(p);
	return done_testing();
}
