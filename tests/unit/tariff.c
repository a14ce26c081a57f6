/*
 * tariff: hand-worked prices.  Prices are in 0.0001 yuan/kWh, energy in
 * Wh, so Wh x price is exactly 1e-7 yuan; 1 yuan is 10^7.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "tap.h"

#define YUAN	10000000LL

/* Local time in Asia/Shanghai. */
static int64_t
at(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static struct pp__tariff_version
flat(int64_t effective, int64_t price)
{
	struct pp__tariff_version v;

	memset(&v, 0, sizeof(v));
	v.effective = effective;
	v.spec.price = price;
	return v;
}

/* Zhejiang: peak 08:00-22:00 at 0.5680, valley 22:00-08:00 at 0.2880. */
static struct pp__tariff_version
zhejiang(int64_t effective, int tiers)
{
	struct pp__tariff_version v;

	memset(&v, 0, sizeof(v));
	v.effective = effective;
	v.spec.price = -1;
	v.spec.nwin = 2;
	snprintf(v.spec.win[0].name, sizeof(v.spec.win[0].name), "peak");
	v.spec.win[0].from = 8 * 60;
	v.spec.win[0].to = 22 * 60;
	v.spec.win[0].price = 5680;
	snprintf(v.spec.win[1].name, sizeof(v.spec.win[1].name), "valley");
	v.spec.win[1].from = 22 * 60;
	v.spec.win[1].to = 8 * 60;
	v.spec.win[1].price = 2880;
	if (tiers) {
		/* Yearly: to 2760 kWh +0, to 4800 kWh +0.05, above +0.30. */
		snprintf(v.spec.period, sizeof(v.spec.period), "year");
		v.spec.nstep = 3;
		v.spec.step[0].upto_wh = 2760000;
		v.spec.step[0].add = 0;
		v.spec.step[1].upto_wh = 4800000;
		v.spec.step[1].add = 500;
		v.spec.step[2].upto_wh = -1;
		v.spec.step[2].add = 3000;
	}
	return v;
}

int
main(void)
{
	struct pp__tariff_version v[2];
	struct pp__charge c;
	int64_t t, used, total, one_go, wh, day;
	int i, rc;

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();

	/* Flat: 10 kWh at 0.5380 is 10000 x 5380 = 53,800,000 = 5.38 yuan. */
	v[0] = flat(at(2026, 1, 1, 0, 0), 5380);
	rc = pp__tariff_price(v, 1, at(2026, 3, 1, 0, 0), at(2026, 3, 2, 0, 0),
	    10000, 0, &c);
	is_int(rc, PP_OK, "flat: priced");
	is_int(c.cost_e7, 53800000, "flat: 10 kWh at 0.5380 = 5.38 yuan");

	/* A meter's own price overrides its tariff: the caller passes it as
	 * a flat version.  10 kWh at 0.6000 = 10000 x 6000 = 6.00 yuan. */
	v[0] = flat(at(2026, 1, 1, 0, 0), 6000);
	pp__tariff_price(v, 1, at(2026, 3, 1, 0, 0), at(2026, 3, 2, 0, 0),
	    10000, 0, &c);
	is_int(c.cost_e7, 6 * YUAN, "per-meter price: 10 kWh at 0.6000 = 6.00");

	/* Time-of-use across midnight: 23:00 to 01:00 is all valley.
	 * 2 kWh x 0.2880 = 2000 x 2880 = 5,760,000 = 0.576 yuan. */
	v[0] = zhejiang(at(2026, 1, 1, 0, 0), 0);
	pp__tariff_price(v, 1, at(2026, 3, 1, 23, 0), at(2026, 3, 2, 1, 0),
	    2000,
	    0, &c);
	is_int(c.cost_e7, 5760000, "tou across midnight: 2 kWh valley = 0.576");
	is_int(c.nparts, 1, "... in one part");
	is_str(c.part[0].window, "valley", "... the valley");

	/* An interval split at the 22:00 boundary: 21:00 to 23:00, 2 kWh
	 * shared by time: 1 kWh peak (1000 x 5680 = 5,680,000) and 1 kWh
	 * valley (1000 x 2880 = 2,880,000): 8,560,000 = 0.856 yuan. */
	pp__tariff_price(v, 1, at(2026, 3, 1, 21, 0), at(2026, 3, 1, 23, 0),
	    2000,
	    0, &c);
	is_int(c.cost_e7, 8560000, "split at 22:00: 1 kWh peak + 1 kWh valley");
	is_int(c.nparts, 2, "... in two parts");
	is_int(c.part[0].wh, 1000, "... 1000 Wh in the first");

	/* A yearly tier crossed inside one interval: 2759.5 kWh used, then
	 * 1 kWh at flat 0.5380 with Zhejiang's tiers: 500 Wh at +0 (500 x
	 * 5380 = 2,690,000) and 500 Wh at +0.05 (500 x 5880 = 2,940,000):
	 * 5,630,000 = 0.563 yuan. */
	v[0] = zhejiang(at(2026, 1, 1, 0, 0), 1);
	v[0].spec.nwin = 0;
	v[0].spec.price = 5380;
	used = 2759500;
	pp__tariff_price(v, 1, at(2026, 6, 1, 0, 0), at(2026, 6, 1, 1, 0), 1000,
	    used, &c);
	is_int(c.cost_e7, 5630000, "a tier crossed inside an interval: 0.563");
	is_int(c.nparts, 2, "... split at 2760 kWh");

	/* The accumulator starts again with the year: an interval from
	 * 2026-12-31 23:00 to 2027-01-01 01:00, 2 kWh, with 5000 kWh used in
	 * 2026: 1 kWh at +0.30 (1000 x 8380 = 8,380,000) and 1 kWh in 2027
	 * at +0 (1000 x 5380 = 5,380,000): 13,760,000 = 1.376 yuan. */
	pp__tariff_price(v, 1, at(2026, 12, 31, 23, 0), at(2027, 1, 1, 1, 0),
	    2000, 5000000, &c);
	is_int(c.cost_e7, 13760000, "the tier accumulator restarts each year");

	/* Zhejiang time-of-use and tiers over a whole year (2025 has 365
	 * days) of hourly readings of 1 kWh: 24 kWh a day, 14 of them peak.
	 * 2760 kWh is day 115 exactly, 4800 kWh day 200 exactly:
	 *   days   1-115: 1610 kWh peak at 0.5680, 1150 valley at 0.2880
	 *   days 116-200: 1190 kWh peak at 0.6180,  850 valley at 0.3380
	 *   days 201-365: 2310 kWh peak at 0.8680, 1650 valley at 0.5880
	 * = 914.48 + 331.20 + 735.42 + 287.30 + 2005.08 + 970.20
	 * = 5243.68 yuan. */
	v[0] = zhejiang(at(2025, 1, 1, 0, 0), 1);
	total = 0;
	used = 0;
	for (t = at(2025, 1, 1, 0, 0); t < at(2026, 1, 1, 0, 0); t += 3600) {
		if (pp__tariff_price(v, 1, t, t + 3600, 1000, used, &c) !=
		    PP_OK)
			break;
		used += 1000;
		total += c.cost_e7;
	}
	is_int(used, 8760000, "a year of hours: 8760 kWh");
	is_int(total, 524368 * YUAN / 100, "Zhejiang tou + tiers over a year: "
	    "5243.68 yuan");

	/* A price change in the middle of a month: 0.5380 until 2026-11-15
	 * 12:00, then 0.6000.  Nov 15 00:00 to Nov 16 00:00, 24 kWh shared by
	 * time: 12 kWh x 5380 = 64,560,000 and 12 kWh x 6000 = 72,000,000:
	 * 136,560,000 = 13.656 yuan. */
	v[0] = flat(at(2026, 11, 1, 0, 0), 5380);
	v[1] = flat(at(2026, 11, 15, 12, 0), 6000);
	pp__tariff_price(v, 2, at(2026, 11, 15, 0, 0), at(2026, 11, 16, 0, 0),
	    24000, 0, &c);
	is_int(c.cost_e7, 136560000, "a price change mid-interval: 13.656 yuan");
	pp__tariff_price(v, 2, at(2026, 11, 10, 0, 0), at(2026, 11, 11, 0, 0),
	    24000, 0, &c);
	is_int(c.cost_e7, 24000 * 5380, "... energy before it keeps the old "
	    "price");

	/* Shares add up to the energy whatever the boundaries. */
	v[0] = zhejiang(at(2026, 1, 1, 0, 0), 1);
	pp__tariff_price(v, 1, at(2026, 3, 1, 7, 13), at(2026, 3, 3, 22, 47),
	    12347, 2759990, &c);
	for (i = 0, wh = 0; i < c.nparts; i++)
		wh += c.part[i].wh;
	is_int(wh, 12347, "the parts add up to the energy, to the Wh");
	is_int(c.wh, 12347, "... and so does the total");

	/* No drift: a month of half-hourly readings of random size, flat
	 * with yearly tiers, priced interval by interval, equals the month's
	 * energy priced in one go (tiers depend on the running total only),
	 * so the daily sums can never drift from the month's charge. */
	srand(20261120);
	for (i = 0; i < 20; i++) {
		int64_t start = at(2026, 3, 1, 0, 0), u0;

		v[0] = zhejiang(at(2026, 1, 1, 0, 0), 1);
		v[0].spec.nwin = 0;
		v[0].spec.price = 5380;
		u0 = used = (int64_t)(rand() % 5000) * 1000;
		total = 0;
		wh = 0;
		for (t = start, day = 0; t < at(2026, 4, 1, 0, 0); t += 1800) {
			int64_t e = rand() % 1500;

			pp__tariff_price(v, 1, t, t + 1800, e, used, &c);
			used += e;
			wh += e;
			total += c.cost_e7;
			day += c.cost_e7;
		}
		pp__tariff_price(v, 1, start, at(2026, 4, 1, 0, 0), wh, u0, &c);
		one_go = c.cost_e7;
		if (total != one_go) {
			ok(0, "no drift, run %d: %lld != %lld", i,
			    (long long)total, (long long)one_go);
			break;
		}
	}
	ok(i == 20, "no drift in 20 random months of half-hourly readings");

	/* The meter's own rate counters beat sharing by time.  07:00 to
	 * 09:00 with 3 kWh, of which the meter counted 2 kWh peak and 1 kWh
	 * valley: 2000 x 5680 + 1000 x 2880 = 11,360,000 + 2,880,000 =
	 * 14,240,000.  (By time it would be 1.5 + 1.5 kWh: 12,840,000.) */
	{
		const char *names[2] = { "peak", "valley" };
		int64_t rates[2] = { 2000, 1000 };

		v[0] = zhejiang(at(2026, 1, 1, 0, 0), 0);
		rc = pp__tariff_price_rates(v, 1, at(2026, 3, 1, 7, 0),
		    at(2026, 3, 1, 9, 0), 3000, names, rates, 2, 0, &c);
		is_int(rc, PP_OK, "rates: priced");
		is_int(c.cost_e7, 14240000, "rates: 2 kWh peak + 1 kWh valley, "
		    "as the meter counted them");
		/* 3.5 kWh in all: the 0.5 kWh the rates leave is shared by
		 * time, 250 Wh valley (720,000) and 250 Wh peak (1,420,000):
		 * 14,240,000 + 2,140,000 = 16,380,000. */
		pp__tariff_price_rates(v, 1, at(2026, 3, 1, 7, 0),
		    at(2026, 3, 1, 9, 0), 3500, names, rates, 2, 0, &c);
		is_int(c.cost_e7, 16380000, "rates: what they leave goes by "
		    "time");
		/* Counters that round up past the total share it in their
		 * proportions: 2990 Wh as 2:1 is 1993 Wh peak (11,320,240)
		 * and 997 Wh valley (2,871,360): 14,191,600. */
		pp__tariff_price_rates(v, 1, at(2026, 3, 1, 7, 0),
		    at(2026, 3, 1, 9, 0), 2990, names, rates, 2, 0, &c);
		is_int(c.cost_e7, 14191600, "rates above the total share it in "
		    "their proportions");
		is_int(c.wh, 2990, "... to the Wh");
		/* With tiers, the rates run through the thresholds in turn:
		 * 2759.5 kWh used; peak 2 kWh: 500 Wh at 5680 (2,840,000) +
		 * 1500 Wh at 6180 (9,270,000); valley 1 kWh at 3380
		 * (3,380,000): 15,490,000. */
		v[0] = zhejiang(at(2026, 1, 1, 0, 0), 1);
		pp__tariff_price_rates(v, 1, at(2026, 3, 1, 7, 0),
		    at(2026, 3, 1, 9, 0), 3000, names, rates, 2, 2759500, &c);
		is_int(c.cost_e7, 15490000, "rates and tiers together");
	}

	/* Refusals. */
	v[0] = flat(at(2026, 1, 1, 0, 0), 5380);
	is_int(pp__tariff_price(v, 1, at(2025, 12, 31, 0, 0),
	    at(2026, 1, 2, 0, 0), 100, 0, &c), PP_EDATA,
	    "energy from before the first version is not priced");
	is_int(pp__tariff_price(v, 1, at(2026, 3, 1, 0, 0), at(2026, 3, 1, 0,
	    0),
	    500, 0, &c), PP_OK, "an interval of no time is priced at its start");
	is_int(c.cost_e7, 500 * 5380, "... all of it");
	return done_testing();
}
