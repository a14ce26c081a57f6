/*
 * sim.c: meter-sim's model of a site.  Every meter of the site file has a
 * load (a base load, an evening peak and noise, in simulated time), its
 * energy counters, a relay, keep-power, prepaid mode and, when its
 * profile reads a balance and can recharge it, a wallet with a purchase
 * count.  Requests are answered through the meter's profile, at the
 * moment they arrive; the state of every meter can be saved and loaded
 * again.  A gateway's meters speak Modbus (a unit each) or DL/T 645-2007
 * (an address each), never both.  The servers that put the model on the
 * wire are in simnet.c and sim645.c.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "dlt645.h"
#include "sim.h"
#include "siteparse.h"

/* The status word (see meter-sim(1)). */
#define ST_WALLET	0x0001	/* tripped by the wallet */
#define ST_COMMAND	0x0002	/* tripped by a command */
#define ST_ALARM1	0x0004	/* balance at or below alarm 1 */
#define ST_ALARM2	0x0008	/* balance at or below alarm 2 */
#define ST_OVERLOAD	0x0010	/* power above the overload threshold */
#define ST_ARREARS	0x0020	/* balance at or below zero */
#define ST_KEEP		0x0040	/* keep-power is on */
#define ST_LATCHED	(ST_WALLET | ST_COMMAND)

/* Modbus exception codes. */
#define EX_FUNCTION	0x01	/* illegal function */
#define EX_ADDRESS	0x02	/* illegal data address */
#define EX_VALUE	0x03	/* illegal data value */

#define MAXUNIT		247
#define MAXADDR645	12	/* digits of a DL/T 645 address */

/* Status word 3 (DI 04000503) of DL/T 645-2007, the bits we model. */
#define DI_STATUS3	0x04000503u
#define S3_RELAY_OPEN	0x0010	/* the relay is open */
#define S3_RELAY_CMD	0x0040	/* a trip command holds it open */
#define S3_KEEP		0x1000	/* keep-power is on */

/* What the key file says of a DL/T 645 meter's password. */
enum password { PW_ANY, PW_KEY, PW_ESAM };

/* 1 fen in units of 1e-7 yuan. */
#define E7_PER_FEN	100000

struct meter {
	char		 meter[PP_KEYMAX];
	int		 unit;		/* Modbus */
	uint8_t		 addr[6];	/* DL/T 645, A0..A5 */
	enum password	 pwkind;	/* DL/T 645 */
	uint8_t		 pw[4];		/* PA P0 P1 P2, with PW_KEY */
	const struct pp__profile *prof;
	int		 dead;
	int		 noblocks;	/* --no-blocks: refuses data blocks */
	int		 wallet;	/* the profile reads a balance */
	uint64_t	 h;		/* the meter's seed */
	int64_t		 base_w, peak_w, volt, pf;
	/* The state: simulated time of the last update, and the counters. */
	double		 t;
	double		 frac;		/* Wh not counted yet */
	int64_t		 energy, peak, valley;	/* Wh */
	int64_t		 balance;	/* fen */
	int64_t		 used_e7;	/* used, not yet a whole fen */
	int64_t		 buy_count;
	int64_t		 price, alarm1, alarm2, overload_w;
	int64_t		 clock_off;
	int		 relay, keep, mode, status;
};

struct gateway {
	char		 name[PP_KEYMAX];
	char		 address[256];
	int		 dlt645;	/* else Modbus */
	struct pp__link_addr link;	/* the device may be --tty's */
	int		 tty;
	int		 down;
	struct meter	*meters;
	size_t		 nmeters, cap;
	struct meter	*unit[MAXUNIT + 1];
	pthread_mutex_t	 lock;
	int		 locked;	/* the mutex was initialized */
};

struct ppsim__model {
	struct gateway	 *gw;
	size_t		  ngw;
	struct pp__profile **prof;
	size_t		  nprof;
	uint64_t	  seed;
	int64_t		  credit;
	double		  speed;
	double		  t0;		/* simulated time at m0 */
	struct timespec	  m0;
	FILE		 *log;		/* --log: a line an exchange */
};

/* ---- numbers and time ------------------------------------------------- */

static uint64_t
mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t
hash_text(const char *s)
{
	uint64_t h = 0xCBF29CE484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001B3ULL;
	return h;
}

/* The k-th random number of a meter at a moment n. */
static uint64_t
draw(const struct meter *m, uint64_t k, int64_t n)
{
	return mix(m->h ^ mix(k * 0xD6E8FEB86659FD93ULL + (uint64_t)n));
}

static double
sim_now(const ppsim__model *s)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return s->t0 + ((double)(ts.tv_sec - s->m0.tv_sec) +
	    (double)(ts.tv_nsec - s->m0.tv_nsec) / 1e9) * s->speed;
}

/* Minutes east of UTC at t. */
static int64_t
utc_offset_min(double t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff / 60;
}

static int64_t
minute_of_day(int64_t minute, int64_t off)
{
	int64_t m = (minute + off) % 1440;

	return m < 0 ? m + 1440 : m;
}

/* ---- the load model --------------------------------------------------- */

/* The load in W during one simulated minute, relay closed. */
static int64_t
load_w(const struct meter *m, int64_t minute, int64_t mod)
{
	int64_t w = m->base_w;

	if (mod >= 18 * 60 && mod < 23 * 60)
		w += m->peak_w;
	/* Noise: 85% to 115%. */
	return w * (85 + (int64_t)(draw(m, 1, minute) % 31)) / 100;
}

static void
count_wh(struct meter *m, double wh, int64_t mod)
{
	int64_t whole, fen;

	m->frac += wh;
	if (m->frac < 1)
		return;
	whole = (int64_t)m->frac;
	m->frac -= (double)whole;
	m->energy += whole;
	if (mod >= 8 * 60 && mod < 22 * 60)
		m->peak += whole;
	else
		m->valley += whole;
	if (!m->wallet)
		return;
	/* A Wh at a price of 0.0001 yuan/kWh costs 1e-7 yuan. */
	m->used_e7 += whole * m->price;
	fen = m->used_e7 / E7_PER_FEN;
	m->balance -= fen;
	m->used_e7 -= fen * E7_PER_FEN;
}

/* In prepaid mode the meter trips itself at zero, unless kept on. */
static void
wallet_check(struct meter *m)
{
	if (m->wallet && m->mode && !m->keep && m->relay && m->balance <= 0) {
		m->relay = 0;
		m->status |= ST_WALLET;
	}
}

/* Bring a meter up to simulated time t, a minute at most a step. */
static void
advance(struct meter *m, double t)
{
	int64_t off, minute;
	double end;

	if (t > m->t) {
		off = utc_offset_min(m->t);
		while (m->t < t) {
			minute = (int64_t)floor(m->t / 60);
			end = (double)(minute + 1) * 60;
			if (end > t)
				end = t;
			if (end <= m->t)	/* rounding: never loop */
				break;
			if (m->relay) {
				int64_t mod = minute_of_day(minute, off);

				count_wh(m, (double)load_w(m, minute, mod) *
				    (end - m->t) / 3600, mod);
			}
			m->t = end;
			wallet_check(m);
		}
		m->t = t;
	}
	wallet_check(m);
}

static int64_t
power_now(const struct meter *m, double t)
{
	int64_t minute = (int64_t)floor(t / 60);

	if (!m->relay)
		return 0;
	return load_w(m, minute, minute_of_day(minute, utc_offset_min(t)));
}

static int64_t
volt_now(const struct meter *m, double t)
{
	return m->volt + (int64_t)(draw(m, 2, (int64_t)t) % 21) - 10;
}

static int64_t
pf_now(const struct meter *m, double t)
{
	int64_t pf = m->pf + (int64_t)(draw(m, 3, (int64_t)t) % 11) - 5;

	return pf < 900 ? 900 : pf > 990 ? 990 : pf;
}

static int
status_now(const struct meter *m, double t)
{
	int st = m->status & ST_LATCHED;

	if (m->wallet) {
		if (m->balance <= m->alarm1)
			st |= ST_ALARM1;
		if (m->balance <= m->alarm2)
			st |= ST_ALARM2;
		if (m->balance <= 0)
			st |= ST_ARREARS;
	}
	if (m->overload_w > 0 && power_now(m, t) > m->overload_w)
		st |= ST_OVERLOAD;
	if (m->keep)
		st |= ST_KEEP;
	return st;
}

/* A value the profile names, in our integer units, at time t. */
static int64_t
value_of(const struct meter *m, const char *name, double t)
{
	int64_t p, v, pf;

	if (strcmp(name, "energy_kwh") == 0 || strcmp(name, "import_kwh") == 0)
		return m->energy;
	if (strcmp(name, "energy_peak_kwh") == 0)
		return m->peak;
	if (strcmp(name, "energy_valley_kwh") == 0)
		return m->valley;
	if (strcmp(name, "power_w") == 0)
		return power_now(m, t);
	if (strcmp(name, "voltage_v") == 0)
		return volt_now(m, t);
	if (strcmp(name, "current_a") == 0) {
		p = power_now(m, t);
		v = volt_now(m, t);
		pf = pf_now(m, t);
		/* mA = W * 1000 / (V * pf), with V in 0.1 V, pf in 0.001 */
		return (p * 10000000 + v * pf / 2) / (v * pf);
	}
	if (strcmp(name, "pf") == 0)
		return pf_now(m, t);
	if (strcmp(name, "freq_hz") == 0)
		return 4995 + (int64_t)(draw(m, 4, (int64_t)t) % 11);
	if (strcmp(name, "balance") == 0)
		return m->balance;
	if (strcmp(name, "overdraft") == 0)
		return m->balance < 0 ? -m->balance : 0;
	if (strcmp(name, "buy_count") == 0)
		return m->buy_count;
	if (strcmp(name, "relay") == 0)
		return m->relay;
	if (strcmp(name, "keep") == 0)
		return m->keep;
	if (strcmp(name, "mode") == 0)
		return m->mode;
	if (strcmp(name, "status") == 0)
		return status_now(m, t);
	if (strcmp(name, "price") == 0)
		return m->price;
	if (strcmp(name, "alarm1") == 0)
		return m->alarm1;
	if (strcmp(name, "alarm2") == 0)
		return m->alarm2;
	if (strcmp(name, "overload_w") == 0)
		return m->overload_w;
	if (strcmp(name, "clock") == 0)
		return (int64_t)floor(t) + m->clock_off;
	/* energy_sharp_kwh, energy_flat_kwh, hoard */
	return 0;
}

static int
is_counter(const char *name)
{
	return strncmp(name, "energy", 6) == 0 ||
	    strcmp(name, "import_kwh") == 0;
}

/* A counter shows whole steps of the unit it is shown in, as a meter does. */
static int64_t
whole_steps(const char *name, struct pp__scale scale, int64_t factor,
    int64_t x)
{
	int64_t q;

	if (is_counter(name) && (scale.num * factor) % scale.den == 0 &&
	    (q = scale.num * factor / scale.den) > 1)
		x -= x % q;
	return x;
}

/* The registers [address, address + count) of fc; unnamed ones are 0. */
static void
read_regs(const struct meter *m, double t, int fc, int address, int count,
    uint16_t *regs)
{
	const struct pp__profile *p = m->prof;
	const struct pp__pvalue *v;
	uint16_t w[4];
	int64_t x, factor;
	int i, a;

	memset(regs, 0, sizeof(regs[0]) * (size_t)count);
	for (v = p->values; v < p->values + p->nvalues; v++) {
		if (v->fc != fc || v->address + v->words <= address ||
		    v->address >= address + count)
			continue;
		factor = pp__value_factor(v->name);
		x = value_of(m, v->name, t);
		if (v->type != PP_REG_F32)
			x = whole_steps(v->name, v->scale, factor, x);
		memset(w, 0, sizeof(w));
		if (pp__regs_encode(p->high_first, v->type, v->words, v->scale,
		    factor, x, w) != PP_OK)
			memset(w, 0, sizeof(w));
		for (i = 0; i < v->words; i++) {
			a = v->address + i;
			if (a >= address && a < address + count)
				regs[a - address] = w[i];
		}
	}
}

/* ---- writes ----------------------------------------------------------- */

struct args {
	int		n;
	const char	*name[PP_MAXFIELDS];
	int64_t		value[PP_MAXFIELDS];
};

static int
arg(const struct args *a, const char *name, int64_t *v)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->name[i], name) == 0) {
			*v = a->value[i];
			return 1;
		}
	return 0;
}

/* The fields of w from data: 1 when its constants match. */
static int
decode_fields(const struct pp__profile *p, const struct pp__pwrite *w,
    const uint16_t *data, struct args *a)
{
	const struct pp__pfield *f;
	int64_t v;
	int at = 0;

	a->n = 0;
	for (f = w->fields; f < w->fields + w->nfields; f++) {
		if (pp__regs_decode(p->high_first, f->type, f->words, f->scale,
		    f->arg[0] ? pp__value_factor(f->arg) : 1, data + at, &v) !=
		    PP_OK)
			return 0;
		at += f->words;
		if (f->arg[0] == '\0') {
			if (v != f->value)
				return 0;
			continue;
		}
		a->name[a->n] = f->arg;
		a->value[a->n++] = v;
	}
	return 1;
}

/* Apply command w; 0 or a Modbus exception code. */
static int
apply(struct meter *m, const struct pp__pwrite *w, const struct args *a,
    double t)
{
	int64_t v, amount, count;

	if (strcmp(w->name, "trip") == 0) {
		/* Keep-power: the relay stays closed. */
		if (!m->keep) {
			m->relay = 0;
			m->status = (m->status & ~ST_WALLET) | ST_COMMAND;
		}
	} else if (strcmp(w->name, "close") == 0) {
		m->relay = 1;
		m->status &= ~ST_LATCHED;
	} else if (strcmp(w->name, "keep") == 0)
		m->keep = 1;
	else if (strcmp(w->name, "unkeep") == 0)
		m->keep = 0;
	else if (strcmp(w->name, "prepay") == 0)
		m->mode = 1;
	else if (strcmp(w->name, "manual") == 0)
		m->mode = 0;
	else if (strcmp(w->name, "price") == 0) {
		if (!arg(a, "price", &v) || v < 0)
			return EX_VALUE;
		m->price = v;
	} else if (strcmp(w->name, "settings") == 0) {
		if ((arg(a, "alarm1", &v) && v < 0) ||
		    (arg(a, "alarm2", &v) && v < 0) ||
		    (arg(a, "overload_w", &v) && v < 0))
			return EX_VALUE;
		if (arg(a, "alarm1", &v))
			m->alarm1 = v;
		if (arg(a, "alarm2", &v))
			m->alarm2 = v;
		if (arg(a, "overload_w", &v))
			m->overload_w = v;
	} else if (strcmp(w->name, "time") == 0) {
		if (!arg(a, "clock", &v))
			return EX_VALUE;
		m->clock_off = v - (int64_t)floor(t);
	} else if (strcmp(w->name, "recharge") == 0) {
		/* The purchase count makes a recharge exactly once. */
		if (!arg(a, "amount", &amount) ||
		    !arg(a, "buy_count", &count) || count != m->buy_count + 1 ||
		    (amount < 0 && -amount > m->balance))
			return EX_VALUE;
		m->balance += amount;
		m->buy_count = count;
		if (m->balance > 0 && (m->status & ST_WALLET)) {
			m->relay = 1;
			m->status &= ~ST_WALLET;
		}
	}
	wallet_check(m);
	return 0;
}

static int
write_regs(struct meter *m, double t, int fc, int address, int count,
    const uint16_t *data)
{
	const struct pp__profile *p = m->prof;
	const struct pp__pwrite *w, *match = NULL;
	struct args a;
	int used = 0, at = 0, words, i;

	for (w = p->writes; w < p->writes + p->nwrites; w++) {
		if (w->fc != fc)
			continue;
		used = 1;
		if (w->address != address)
			continue;
		at = 1;
		for (i = words = 0; i < w->nfields; i++)
			words += w->fields[i].words;
		if (words == count && decode_fields(p, w, data, &a)) {
			match = w;
			break;
		}
	}
	if (!used)
		return EX_FUNCTION;
	if (!at)
		return EX_ADDRESS;
	if (match == NULL)
		return EX_VALUE;
	return apply(m, match, &a, t);
}

/* ---- requests --------------------------------------------------------- */

int
ppsim__model_answers(const ppsim__model *s, size_t i, int unit)
{
	const struct meter *m;

	if (i >= s->ngw || unit < 1 || unit > MAXUNIT)
		return 0;
	m = s->gw[i].unit[unit];
	return m != NULL && !m->dead;
}

static int
request(struct meter *m, double t, int fc, int address, int count,
    const uint16_t *data, uint16_t *regs)
{
	advance(m, t);
	switch (fc) {
	case 3:
	case 4:
		if (count < 1 || count > 125)
			return EX_VALUE;
		/* As a real meter refuses to read across its gaps. */
		if (address < 0 || address + count > 65536 ||
		    !pp__profile_readable(m->prof, fc, address, count))
			return EX_ADDRESS;
		read_regs(m, t, fc, address, count, regs);
		return 0;
	case 6:
	case 16:
		if (count < 1 || count > (fc == 6 ? 1 : 123))
			return EX_VALUE;
		if (address < 0 || address + count > 65536)
			return EX_ADDRESS;
		return write_regs(m, t, fc, address, count, data);
	default:
		return EX_FUNCTION;
	}
}

int
ppsim__model_request(ppsim__model *s, size_t i, int unit, int fc, int address,
    int count, const uint16_t *data, uint16_t *regs)
{
	struct gateway *g;
	struct meter *m;
	double t;
	size_t k;
	int rc = PPSIM_SILENT;

	if (i >= s->ngw || unit < 0 || unit > MAXUNIT)
		return PPSIM_SILENT;
	g = &s->gw[i];
	pthread_mutex_lock(&g->lock);
	t = sim_now(s);
	if (unit == 0) {
		/* A broadcast: every meter takes a write; none answers. */
		if (fc == 6 || fc == 16)
			for (k = 0; k < g->nmeters; k++)
				if (!g->meters[k].dead)
					(void)request(&g->meters[k], t, fc,
					    address, count, data, regs);
	} else if ((m = g->unit[unit]) != NULL && !m->dead) {
		rc = request(m, t, fc, address, count, data, regs);
		/* --log: "GATEWAY METER fc 3 0x0000 14". */
		if (s->log != NULL)
			fprintf(s->log, "%s %s fc %d 0x%04X %d\n", g->name,
			    m->meter, fc, address, count);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* ---- DL/T 645 requests ------------------------------------------------ */

/* Unix seconds of a meter's local wall time; -1 for none. */
static int64_t
unix_of(const struct pp__645_time *w)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = w->year - 1900;
	tm.tm_mon = w->month - 1;
	tm.tm_mday = w->day;
	tm.tm_hour = w->hour;
	tm.tm_min = w->min;
	tm.tm_sec = w->sec;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t;
}

/* The meter's own clock: simulated time and what a time sync set. */
static int64_t
clock_of(const struct meter *m, double t)
{
	return (int64_t)floor(t) + m->clock_off;
}

static unsigned
status3(const struct meter *m)
{
	unsigned w = 0;

	if (!m->relay)
		w |= S3_RELAY_OPEN;
	if (m->status & ST_COMMAND)
		w |= S3_RELAY_CMD;
	if (m->keep)
		w |= S3_KEEP;
	return w;
}

/*
 * The one live meter that answers asked (AA bytes match any digit); NULL
 * for none, and for several, whose replies would collide on the bus.
 */
static struct meter *
addressed(const struct gateway *g, const uint8_t asked[6])
{
	struct meter *m, *found = NULL;

	for (m = g->meters; m < g->meters + g->nmeters; m++) {
		if (m->dead || !pp__645_addr_match(asked, m->addr))
			continue;
		if (found != NULL)
			return NULL;
		found = m;
	}
	return found;
}

/* A request for a meter: a frame from a master, to one address. */
static int
is_request(const struct pp__645_frame *req)
{
	return (req->control & ~PP_645_C_CODE) == 0 &&
	    !pp__645_addr_is_broadcast(req->addr);
}

/* Plain passwords of level 02 and 04 are all prepay sends. */
static int
password_ok(const struct meter *m, const uint8_t pw[4])
{
	switch (m->pwkind) {
	case PW_KEY:
		return memcmp(pw, m->pw, sizeof(m->pw)) == 0;
	case PW_ESAM:
		return 0;
	default:
		return pw[0] == 0x02 || pw[0] == 0x04;
	}
}

/* The field of a write that writes DI, and its write; NULL for none. */
static const struct pp__pfield *
field_of(const struct pp__profile *p, uint32_t di, const struct pp__pwrite **wp)
{
	const struct pp__pwrite *w;
	const struct pp__pfield *f;

	for (w = p->writes; w < p->writes + p->nwrites; w++)
		for (f = w->fields; f < w->fields + w->nfields; f++)
			if (f->di == di) {
				*wp = w;
				return f;
			}
	return NULL;
}

/* 0x11: the values of DI into rep's data after the DI; an error byte. */
static int
read_645(const struct meter *m, double t, uint32_t di,
    struct pp__645_frame *rep)
{
	const struct pp__profile *p = m->prof;
	const struct pp__pvalue *v;
	const struct pp__pfield *f;
	const struct pp__pwrite *w;
	uint8_t *d = rep->data + 4;
	int64_t x, factor;
	unsigned word;
	int end = 0;

	memset(d, 0, PP_645_DATAMAX - 4);
	for (v = p->values; v < p->values + p->nvalues; v++) {
		if (v->di != di)
			continue;
		if (v->offset + v->bytes > end)
			end = v->offset + v->bytes;
		if (v->mask) {
			/* Several values may be bits of one status word. */
			word = (unsigned)pp__645_bin_get(d + v->offset, 2);
			if (di == DI_STATUS3)
				word |= status3(m);
			if ((value_of(m, v->name, t) != 0) != v->invert)
				word |= v->mask;
			d[v->offset] = (uint8_t)word;
			d[v->offset + 1] = (uint8_t)(word >> 8);
			continue;
		}
		factor = pp__value_factor(v->name);
		x = whole_steps(v->name, v->scale, factor,
		    value_of(m, v->name, t));
		/* What the format cannot show (a negative balance) is 0. */
		if (pp__645_value_put(x, v->bytes, v->flags, v->scale, factor,
		    d + v->offset) != PP_OK)
			memset(d + v->offset, 0, (size_t)v->bytes);
	}
	/* A parameter the profile only writes (rates 2-4's prices) reads. */
	if (end == 0 && (f = field_of(p, di, &w)) != NULL && f->arg[0]) {
		factor = pp__value_factor(f->arg);
		if (pp__645_value_put(value_of(m, f->arg, t), f->bytes,
		    f->flags, f->scale, factor, d) != PP_OK)
			memset(d, 0, (size_t)f->bytes);
		end = f->bytes;
	}
	if (end == 0)
		return PP_645_ERR_NODATA;
	pp__645_di_put(di, rep->data);
	rep->len = (uint8_t)(4 + end);
	return 0;
}

/*
 * 0x11 of a data block (DI1 FF): each item's data in turn, as its own
 * read gives it; an item the meter lacks is zeros, a block none of whose
 * items it has is no data.  A meter of --no-blocks answers no block.
 */
static int
read_block_645(const struct meter *m, double t,
    const struct pp__645_block *b, struct pp__645_frame *rep)
{
	struct pp__645_frame item;
	uint32_t di;
	int k, have = 0;

	if (m->noblocks || 4 + b->count * b->bytes > PP_645_DATAMAX)
		return PP_645_ERR_NODATA;
	memset(rep->data, 0, PP_645_DATAMAX);
	for (k = 0; k < b->count; k++) {
		di = (b->di & 0xFFFF00FFu) | (uint32_t)(b->first + k) << 8;
		if (read_645(m, t, di, &item) != 0)
			continue;
		memcpy(rep->data + 4 + k * b->bytes, item.data + 4,
		    (size_t)(item.len - 4 < b->bytes ? item.len - 4 :
		    b->bytes));
		have = 1;
	}
	if (!have)
		return PP_645_ERR_NODATA;
	pp__645_di_put(b->di, rep->data);
	rep->len = (uint8_t)(4 + b->count * b->bytes);
	return 0;
}

/* 0x11: a data identifier or a block of them. */
static int
read_any_645(const struct meter *m, double t, uint32_t di,
    struct pp__645_frame *rep)
{
	const struct pp__645_block *b = pp__645_block_find(di);

	return b != NULL ? read_block_645(m, t, b, rep) : read_645(m, t, di,
	    rep);
}

/* 0x14: DI, password, operator code, then one field's value. */
static int
write_645(struct meter *m, double t, const struct pp__645_frame *req)
{
	const struct pp__pwrite *w;
	const struct pp__pfield *f;
	struct args a;
	int64_t v;

	if (req->len < 12)
		return PP_645_ERR_OTHER;
	if (!password_ok(m, req->data + 4))
		return PP_645_ERR_PASSWORD;
	if ((f = field_of(m->prof, pp__645_di_get(req->data), &w)) == NULL)
		return PP_645_ERR_NODATA;
	if (req->len != 12 + f->bytes || pp__645_value_get(req->data + 12,
	    f->bytes, f->flags, f->scale, f->arg[0] ? pp__value_factor(f->arg) :
	    1, &v) != PP_OK)
		return PP_645_ERR_OTHER;
	/* The command, with just this one argument. */
	a.n = 0;
	if (f->arg[0] == '\0') {
		if (v != f->value)
			return PP_645_ERR_OTHER;
	} else {
		a.name[0] = f->arg;
		a.value[0] = v;
		a.n = 1;
	}
	return apply(m, w, &a, t) == 0 ? 0 : PP_645_ERR_OTHER;
}

/* 0x1C: password, operator code, N1, N2, valid until N3..N8. */
static int
relay_645(struct meter *m, double t, const struct pp__645_frame *req)
{
	const struct pp__profile *p = m->prof;
	const struct pp__pwrite *w;
	struct pp__645_time until;
	struct args a;
	int64_t end;

	if (req->len < 16)
		return PP_645_ERR_OTHER;
	if (!password_ok(m, req->data))
		return PP_645_ERR_PASSWORD;
	/* A command that arrives after its time is void. */
	if (pp__645_time_get(req->data + 10, &until) != PP_OK ||
	    (end = unix_of(&until)) == -1 || end < clock_of(m, t))
		return PP_645_ERR_OTHER;
	for (w = p->writes; w < p->writes + p->nwrites; w++)
		if (w->relay != 0 && w->relay == req->data[8])
			break;
	if (w == p->writes + p->nwrites)
		return PP_645_ERR_OTHER;
	a.n = 0;
	return apply(m, w, &a, t) == 0 ? 0 : PP_645_ERR_OTHER;
}

/* 0x08 to 99 x 6: every live meter takes the time; nobody answers. */
static void
time_645(struct gateway *g, double t, const struct pp__645_frame *req)
{
	struct pp__645_time when;
	struct meter *m;
	int64_t at;

	if (req->len < 6 || pp__645_time_get(req->data, &when) != PP_OK ||
	    (at = unix_of(&when)) == -1)
		return;
	for (m = g->meters; m < g->meters + g->nmeters; m++)
		if (!m->dead) {
			advance(m, t);
			m->clock_off = at - (int64_t)floor(t);
		}
}

/* --log: "GATEWAY METER read 0001FF00", "... error 02" when refused. */
static void
log_645(const ppsim__model *s, const struct gateway *g, const struct meter *m,
    const struct pp__645_frame *req, int err)
{
	const char *what;
	char di[PP_645_DIBUF] = "";

	if (s->log == NULL)
		return;
	what = pp__645_control_text(req->control);
	if ((req->control == PP_645_READ || req->control == PP_645_READ_MORE ||
	    req->control == PP_645_WRITE) && req->len >= 4)
		pp__645_di_format(req->data, di);
	if (err)
		fprintf(s->log, "%s %s %s%s%s error %02X\n", g->name, m->meter,
		    what, di[0] ? " " : "", di, (unsigned)err);
	else
		fprintf(s->log, "%s %s %s%s%s\n", g->name, m->meter, what,
		    di[0] ? " " : "", di);
}

int
ppsim__model_645_answers(const ppsim__model *s, size_t i,
    const struct pp__645_frame *req)
{
	if (i >= s->ngw || !s->gw[i].dlt645 || !is_request(req))
		return 0;
	return addressed(&s->gw[i], req->addr) != NULL;
}

int
ppsim__model_645(ppsim__model *s, size_t i, const struct pp__645_frame *req,
    int refuse, struct pp__645_frame *rep)
{
	const uint8_t code = req->control & PP_645_C_CODE;
	struct gateway *g;
	struct meter *m;
	double t;
	int err = 0, rc = 0;

	if (i >= s->ngw || !s->gw[i].dlt645)
		return PPSIM_SILENT;
	g = &s->gw[i];
	pthread_mutex_lock(&g->lock);
	t = sim_now(s);
	if (pp__645_addr_is_broadcast(req->addr)) {
		if (req->control == PP_645_TIME)
			time_645(g, t, req);
		rc = PPSIM_SILENT;
	} else if (!is_request(req) || code == PP_645_TIME ||
	    (m = addressed(g, req->addr)) == NULL)
		rc = PPSIM_SILENT;
	else {
		advance(m, t);
		memset(rep, 0, sizeof(*rep));
		memcpy(rep->addr, m->addr, sizeof(rep->addr));
		rep->control = PP_645_C_REPLY | code;
		if (refuse)
			err = refuse;
		else if (code == PP_645_READ)
			err = req->len < 4 ? PP_645_ERR_OTHER :
			    read_any_645(m, t, pp__645_di_get(req->data), rep);
		else if (code == PP_645_READ_ADDR) {
			memcpy(rep->data, m->addr, sizeof(m->addr));
			rep->len = sizeof(m->addr);
		} else if (code == PP_645_WRITE)
			err = write_645(m, t, req);
		else if (code == PP_645_RELAY)
			err = relay_645(m, t, req);
		else if (code == PP_645_READ_MORE)
			err = PP_645_ERR_NODATA;	/* no reply has more */
		else
			err = PP_645_ERR_OTHER;
		if (err) {
			rep->control |= PP_645_C_ERROR;
			rep->data[0] = (uint8_t)err;
			rep->len = 1;
		}
		log_645(s, g, m, req, err);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

size_t
ppsim__model_ngateways(const ppsim__model *s)
{
	return s->ngw;
}

void
ppsim__model_gateway(const ppsim__model *s, size_t i,
    struct ppsim__gateway *out)
{
	const struct gateway *g = &s->gw[i];

	memset(out, 0, sizeof(*out));
	out->name = g->name;
	out->address = g->address;
	out->dlt645 = g->dlt645;
	out->tcp = g->link.tcp;
	out->host = g->link.host;
	out->port = g->link.port;
	out->device = g->link.device;
	out->tty = g->tty;
	out->baud = g->link.baud;
	out->parity = g->link.parity;
	out->data = g->link.data;
	out->stop = g->link.stop;
	out->down = g->down;
	out->nmeters = g->nmeters;
}

/* ---- the site file ---------------------------------------------------- */

/*
 * What a new meter has from its factory where the site file sets nothing:
 * prepay's own commands set these later (meter-ctl price, settings).
 */
#define FACTORY_PRICE		5380	/* 0.5380 yuan/kWh */
#define FACTORY_ALARM1		2000	/* 20.00 yuan */
#define FACTORY_ALARM2		500	/* 5.00 yuan */
#define FACTORY_OVERLOAD_W	2200

/* The model being built from a parsed site (pp__site_parse). */
struct loader {
	const struct pp__site *site;
	char		*err;
	size_t		 errlen;
	ppsim__model	*s;
	int64_t		 price, alarm1, alarm2, overload_w;
};

#define bad(l, line, key, ...) \
	pp__site_error((l)->site, (line), (key), (l)->err, (l)->errlen, \
	    __VA_ARGS__)

static const struct pp__profile *
profile(struct loader *l, const struct pp__site_meter *sm, int *rc)
{
	ppsim__model *s = l->s;
	struct pp__profile *p, **grown;
	char why[PP_ERRMAX];
	size_t i;

	for (i = 0; i < s->nprof; i++)
		if (strcmp(s->prof[i]->name, sm->profile) == 0)
			return s->prof[i];
	if ((p = malloc(sizeof(*p))) == NULL ||
	    (grown = realloc(s->prof, (s->nprof + 1) * sizeof(*grown))) ==
	    NULL) {
		free(p);
		snprintf(l->err, l->errlen, "out of memory");
		*rc = PP_EINTERNAL;
		return NULL;
	}
	s->prof = grown;
	if ((*rc = pp__profile_load(sm->profile, p, why, sizeof(why))) !=
	    PP_OK) {
		free(p);
		*rc = bad(l, sm->profile_line, "profile", "%s", why);
		return NULL;
	}
	s->prof[s->nprof++] = p;
	return p;
}

static struct meter *
find_meter(ppsim__model *s, const char *meter)
{
	size_t i, k;

	for (i = 0; i < s->ngw; i++)
		for (k = 0; k < s->gw[i].nmeters; k++)
			if (strcmp(s->gw[i].meters[k].meter, meter) == 0)
				return &s->gw[i].meters[k];
	return NULL;
}

static struct gateway *
find_gateway(ppsim__model *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ngw; i++)
		if (strcmp(s->gw[i].name, name) == 0)
			return &s->gw[i];
	return NULL;
}

/* A fresh meter, from the seed and its number. */
static void
meter_init(ppsim__model *s, struct meter *m)
{
	uint64_t r;

	m->h = mix(s->seed ^ hash_text(m->meter));
	m->base_w = 30 + (int64_t)(draw(m, 10, 0) % 171);
	m->peak_w = 300 + (int64_t)(draw(m, 11, 0) % 1201);
	m->volt = 2210 + (int64_t)(draw(m, 12, 0) % 131);
	m->pf = 905 + (int64_t)(draw(m, 13, 0) % 81);
	/* 1000 to 5000 kWh, 55% to 75% of it at peak hours. */
	m->energy = 1000000 + (int64_t)(draw(m, 14, 0) % 4000001);
	r = draw(m, 15, 0);
	m->peak = m->energy * (55 + (int64_t)(r % 21)) / 100;
	m->valley = m->energy - m->peak;
	/* A new prepaid meter holds what the factory put in, often none. */
	m->balance = s->credit;
	m->relay = 1;
	m->mode = 1;
	wallet_check(m);
}

/* A Modbus meter answers on its unit, one a meter on the bus. */
static int
modbus_place(struct loader *l, struct gateway *g,
    const struct pp__site_meter *sm, struct meter *m)
{
	const struct meter *o;

	if (sm->unit == 0)
		return bad(l, sm->line, "unit", "missing");
	for (o = g->meters; o < g->meters + g->nmeters; o++)
		if (o->unit == (int)sm->unit)
			return bad(l, sm->unit_line, "unit", "%lld is already "
			    "meter %s on gateway %s", (long long)sm->unit,
			    o->meter, g->name);
	m->unit = (int)sm->unit;
	return PP_OK;
}

/*
 * Where a meter answers on its gateway's bus: a Modbus unit, or a DL/T
 * 645 address, which is its address: key, else its meter number.  These
 * are the simulated bus's own rules; site-load checks the database's.
 */
static int
bus_place(struct loader *l, struct gateway *g,
    const struct pp__site_meter *sm, struct meter *m)
{
	char why[PP_ERRMAX], shown[PP_645_ADDRBUF];
	const char *addr, *key;
	const struct meter *o;
	size_t len;
	long line;

	if (!g->dlt645)
		return modbus_place(l, g, sm, m);
	if (sm->unit_line)
		return bad(l, sm->unit_line, "unit", "a DL/T 645 meter answers "
		    "on its address, not a unit");
	addr = sm->address ? sm->address : m->meter;
	key = sm->address ? "address" : "meter";
	line = sm->address ? sm->address_line : sm->meter_line;
	len = strlen(addr);
	/* Only digits: AA wildcards are for masters, not for a meter. */
	if (len == 0 || len > MAXADDR645 ||
	    strspn(addr, "0123456789") != len) {
		if (addr == m->meter)
			return bad(l, line, key, "%s is no DL/T 645 address: "
			    "give the meter an address: of 1 to %d decimal "
			    "digits", addr, MAXADDR645);
		return bad(l, line, key, "\"%s\": use 1 to %d decimal digits",
		    addr, MAXADDR645);
	}
	if (pp__645_addr_parse(addr, m->addr, why, sizeof(why)) != PP_OK)
		return bad(l, line, key, "%s", why);
	for (o = g->meters; o < g->meters + g->nmeters; o++)
		if (memcmp(o->addr, m->addr, sizeof(m->addr)) == 0)
			return bad(l, line, key, "address %s is already meter "
			    "%s on gateway %s", pp__645_addr_format(m->addr,
			    shown), o->meter, g->name);
	return PP_OK;
}

/* Its price, alarms and overload: its own, else its tariff's, the site's. */
static void
meter_settings(struct loader *l, const struct pp__site_meter *sm,
    struct meter *m)
{
	const struct pp__site_tariff *t;

	m->price = l->price;
	if (sm->tariff && (t = pp__site_tariff(l->site, sm->tariff)) != NULL &&
	    t->spec.price >= 0)
		m->price = t->spec.price;
	m->alarm1 = l->alarm1;
	m->alarm2 = l->alarm2;
	m->overload_w = l->overload_w;
	if (sm->price >= 0)
		m->price = sm->price;
	if (sm->alarm1 >= 0)
		m->alarm1 = sm->alarm1;
	if (sm->alarm2 >= 0)
		m->alarm2 = sm->alarm2;
	if (sm->overload_w >= 0)
		m->overload_w = sm->overload_w;
}

static int
load_meter(struct loader *l, struct gateway *g,
    const struct pp__site_meter *sm)
{
	struct meter *m, *grown;
	int rc = PP_OK, dlt645;

	if (g->nmeters == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		if ((grown = realloc(g->meters, g->cap * sizeof(*grown))) ==
		    NULL) {
			snprintf(l->err, l->errlen, "out of memory");
			return PP_EINTERNAL;
		}
		g->meters = grown;
	}
	/* Filled in place; it counts once it is whole. */
	m = &g->meters[g->nmeters];
	memset(m, 0, sizeof(*m));
	snprintf(m->meter, sizeof(m->meter), "%s", sm->meter);
	if ((m->prof = profile(l, sm, &rc)) == NULL)
		return rc;
	/* One bus speaks one protocol: the first meter's. */
	dlt645 = strcmp(m->prof->protocol, "dlt645") == 0;
	if (g->nmeters == 0)
		g->dlt645 = dlt645;
	else if (g->dlt645 != dlt645)
		return bad(l, sm->profile_line, "profile", "gateway %s mixes "
		    "modbus and dlt645 meters", g->name);
	if ((rc = bus_place(l, g, sm, m)) != PP_OK)
		return rc;
	/*
	 * A wallet of its own that trips the meter needs a way to fill it;
	 * a balance alone (dlt645-1p, remote cost control) is only shown.
	 */
	m->wallet = pp__profile_value(m->prof, "balance") != NULL &&
	    pp__profile_write(m->prof, "recharge") != NULL;
	meter_init(l->s, m);
	meter_settings(l, sm, m);
	g->nmeters++;
	return PP_OK;
}

static int
load_gateway(struct loader *l, const struct pp__site_gateway *sg)
{
	struct gateway *g = &l->s->gw[l->s->ngw++];
	size_t i;
	int rc;

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", sg->name);
	snprintf(g->address, sizeof(g->address), "%s", sg->address);
	g->link = sg->link;
	for (i = sg->first; i < sg->first + sg->nmeters; i++)
		if ((rc = load_meter(l, g, &l->site->meters[i])) != PP_OK)
			return rc;
	/* What the address leaves out, the bus's protocol gives. */
	if (g->dlt645)
		pp__link_addr_defaults(&g->link, 2400, 'E', 8, 1);
	else
		pp__link_addr_defaults(&g->link, 9600, 'N', 8, 1);
	return PP_OK;
}

/* The model of every gateway and meter of the site file at path. */
static int
load_site(ppsim__model *s, const char *path, char *err, size_t errlen)
{
	const struct pp__site_defaults *d;
	struct pp__site *site;
	struct loader l;
	size_t i;
	int rc = PP_OK;

	if ((rc = pp__site_parse(path, &site, err, errlen)) != PP_OK)
		goto out;
	d = &site->defaults;
	memset(&l, 0, sizeof(l));
	l.site = site;
	l.err = err;
	l.errlen = errlen;
	l.s = s;
	l.price = d->price >= 0 ? d->price : FACTORY_PRICE;
	l.alarm1 = d->alarm1 >= 0 ? d->alarm1 : FACTORY_ALARM1;
	l.alarm2 = d->alarm2 >= 0 ? d->alarm2 : FACTORY_ALARM2;
	l.overload_w = d->overload_w >= 0 ? d->overload_w : FACTORY_OVERLOAD_W;
	if (site->ngateways > 0 &&
	    (s->gw = calloc(site->ngateways, sizeof(*s->gw))) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = PP_EINTERNAL;
		goto out;
	}
	for (i = 0; i < site->ngateways; i++)
		if ((rc = load_gateway(&l, &site->gateways[i])) != PP_OK)
			goto out;
out:
	pp__site_free(site);
	return rc;
}

/* ---- options ---------------------------------------------------------- */

/* Each name of the comma lists in v; fn returns a PP code. */
static int
each_name(ppsim__model *s, const char *const *v, size_t n, const char *opt,
    int (*fn)(ppsim__model *, const char *, const char *, char *, size_t),
    char *err, size_t errlen)
{
	char name[PP_KEYMAX];
	const char *p;
	size_t i, len;
	int rc;

	for (i = 0; i < n; i++)
		for (p = v[i]; ; p += len + 1) {
			len = strcspn(p, ",");
			if (len == 0 || len >= sizeof(name)) {
				snprintf(err, errlen, "%s %s: use NAME,...",
				    opt, v[i]);
				return PP_EUSAGE;
			}
			memcpy(name, p, len);
			name[len] = '\0';
			if ((rc = fn(s, name, opt, err, errlen)) != PP_OK)
				return rc;
			if (p[len] == '\0')
				break;
		}
	return PP_OK;
}

/* The meter an option names; NULL with err when the site has none. */
static struct meter *
option_meter(ppsim__model *s, const char *name, const char *opt, char *err,
    size_t errlen)
{
	struct meter *m;

	if ((m = find_meter(s, name)) == NULL)
		snprintf(err, errlen, "%s %s: no such meter in the site", opt,
		    name);
	return m;
}

static int
set_dead(ppsim__model *s, const char *name, const char *opt, char *err,
    size_t errlen)
{
	struct meter *m;

	if ((m = option_meter(s, name, opt, err, errlen)) == NULL)
		return PP_EDATA;
	m->dead = 1;
	return PP_OK;
}

static int
set_noblocks(ppsim__model *s, const char *name, const char *opt, char *err,
    size_t errlen)
{
	struct meter *m;

	if ((m = option_meter(s, name, opt, err, errlen)) == NULL)
		return PP_EDATA;
	if (strcmp(m->prof->protocol, "dlt645") != 0) {
		snprintf(err, errlen, "%s %s: not a DL/T 645 meter", opt,
		    name);
		return PP_EDATA;
	}
	m->noblocks = 1;
	return PP_OK;
}

static int
set_down(ppsim__model *s, const char *name, const char *opt, char *err,
    size_t errlen)
{
	struct gateway *g;

	if ((g = find_gateway(s, name)) == NULL) {
		snprintf(err, errlen, "%s %s: no such gateway in the site",
		    opt, name);
		return PP_EDATA;
	}
	g->down = 1;
	return PP_OK;
}

static int
set_tty(ppsim__model *s, const char *spec, char *err, size_t errlen)
{
	char name[PP_KEYMAX];
	const char *eq = strchr(spec, '=');
	struct gateway *g;
	size_t n;

	if (eq == NULL || eq == spec || eq[1] == '\0' ||
	    (n = (size_t)(eq - spec)) >= sizeof(name)) {
		snprintf(err, errlen, "--tty %s: use GATEWAY=DEVICE", spec);
		return PP_EUSAGE;
	}
	memcpy(name, spec, n);
	name[n] = '\0';
	if ((g = find_gateway(s, name)) == NULL) {
		snprintf(err, errlen, "--tty %s: no such gateway in the site",
		    spec);
		return PP_EDATA;
	}
	if (g->link.tcp) {
		snprintf(err, errlen, "--tty %s: gateway %s is %s, not a "
		    "serial gateway", spec, name, g->address);
		return PP_EUSAGE;
	}
	if (strlen(eq + 1) >= sizeof(g->link.device)) {
		snprintf(err, errlen, "--tty %s: device name too long", spec);
		return PP_EUSAGE;
	}
	snprintf(g->link.device, sizeof(g->link.device), "%s", eq + 1);
	g->tty = 1;
	return PP_OK;
}

/* ---- the state file --------------------------------------------------- */

/* The fields of a state line, in the order they are written. */
#define NFIELDS	15
static const char *const fields[NFIELDS] = { "energy", "peak", "valley",
	"balance", "used_e7", "buy_count", "relay", "keep", "mode", "price",
	"alarm1", "alarm2", "overload_w", "status", "clock_off" };

static int64_t *
field(struct meter *m, size_t i)
{
	int64_t *p[NFIELDS] = { &m->energy, &m->peak, &m->valley, &m->balance,
	    &m->used_e7, &m->buy_count, NULL, NULL, NULL, &m->price,
	    &m->alarm1, &m->alarm2, &m->overload_w, NULL, &m->clock_off };

	return p[i];
}

static int *
flag(struct meter *m, size_t i)
{
	switch (i) {
	case 6:
		return &m->relay;
	case 7:
		return &m->keep;
	case 8:
		return &m->mode;
	case 13:
		return &m->status;
	}
	return NULL;
}

static int
state_load(ppsim__model *s, const char *path, char *err, size_t errlen)
{
	FILE *fp;
	char *line = NULL, *p, *tok, *eq, *end, *save;
	size_t cap = 0, i;
	long lineno = 0;
	struct meter *m;
	long long v;
	int rc = PP_OK;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return PP_OK;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PP_ENOINPUT;
	}
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\0')
			continue;
		tok = strtok_r(p, " \t", &save);
		/* A meter no longer in the site is left out. */
		if ((m = find_meter(s, tok)) == NULL)
			continue;
		while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
			if ((eq = strchr(tok, '=')) == NULL)
				goto bad;
			*eq = '\0';
			errno = 0;
			v = strtoll(eq + 1, &end, 10);
			if (*end || end == eq + 1 || errno)
				goto bad;
			for (i = 0; i < NFIELDS && strcmp(fields[i], tok); i++)
				;
			if (i == NFIELDS)
				continue;
			if (field(m, i))
				*field(m, i) = v;
			else if (v < 0 || v > 0xFFFF)
				goto bad;
			else
				*flag(m, i) = (int)v;
		}
		m->relay = m->relay != 0;
		m->keep = m->keep != 0;
		m->mode = m->mode != 0;
		m->status &= ST_LATCHED;
		if (m->used_e7 < 0 || m->used_e7 >= E7_PER_FEN)
			m->used_e7 = 0;
		continue;
bad:
		snprintf(err, errlen, "%s:%ld: expected METER NAME=NUMBER...",
		    path, lineno);
		rc = PP_EDATA;
		break;
	}
	if (rc == PP_OK && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = PP_ENOINPUT;
	}
	free(line);
	fclose(fp);
	return rc;
}

int
ppsim__model_save(ppsim__model *s, const char *path, char *err, size_t errlen)
{
	char tmp[1100];
	FILE *fp;
	struct gateway *g;
	struct meter *m;
	double t;
	size_t i, k, f;
	int fd, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: name too long", path);
		return PP_ENOINPUT;
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return PP_ENOINPUT;
	}
	fprintf(fp, "# meter-sim state: METER NAME=NUMBER...; see "
	    "meter-sim(1)\n");
	for (i = 0; i < s->ngw; i++) {
		g = &s->gw[i];
		pthread_mutex_lock(&g->lock);
		t = sim_now(s);
		for (k = 0; k < g->nmeters; k++) {
			m = &g->meters[k];
			advance(m, t);
			fprintf(fp, "%s", m->meter);
			for (f = 0; f < NFIELDS; f++)
				fprintf(fp, " %s=%lld", fields[f], field(m, f) ?
				    (long long)*field(m, f) :
				    (long long)*flag(m, f));
			fputc('\n', fp);
		}
		pthread_mutex_unlock(&g->lock);
	}
	ok = fflush(fp) == 0 && (fd = fileno(fp)) >= 0 && fsync(fd) == 0;
	if (fclose(fp) != 0 || !ok || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return PP_ENOINPUT;
	}
	return PP_OK;
}

/* ---- open and close --------------------------------------------------- */

/*
 * Each DL/T 645 meter's password from the key file: what its line gives
 * (its own, its gateway's or "gateway *"), nothing a meter with no line
 * needs, and none that opens a meter whose line wants ESAM.
 */
static int
passwords(ppsim__model *s, const char *path, char *err, size_t errlen)
{
	struct pp_keys *keys;
	struct gateway *g;
	struct meter *m;
	uint8_t op[4];
	char why[PP_ERRMAX];
	size_t i;
	int rc;

	if ((rc = pp__keys_load(path, &keys, err, errlen)) != PP_OK)
		return rc;
	for (i = 0; i < s->ngw; i++) {
		g = &s->gw[i];
		for (m = g->meters; g->dlt645 && m < g->meters + g->nmeters;
		    m++) {
			if (!pp__keys_listed(keys, g->name, m->meter))
				m->pwkind = PW_ANY;
			else if (pp__keys_find(keys, g->name, m->meter, m->pw,
			    op, why, sizeof(why)) == PP_OK)
				m->pwkind = PW_KEY;
			else
				m->pwkind = PW_ESAM;
		}
	}
	pp__keys_free(keys);
	return PP_OK;
}

int
ppsim__model_open(ppsim__model **sp, const struct ppsim_opts *o, char *err,
    size_t errlen)
{
	ppsim__model *s;
	struct gateway *g;
	struct meter *m;
	struct timespec now;
	size_t i, k;
	int rc;

	*sp = NULL;
	if (o->speed <= 0 || !isfinite(o->speed) || o->baud < 0 ||
	    o->delay_ms < 0 || !(o->drop >= 0 && o->drop <= 1) ||
	    !(o->crc >= 0 && o->crc <= 1) ||
	    !(o->exception >= 0 && o->exception <= 1) ||
	    !(o->garbage >= 0 && o->garbage <= 1) ||
	    !(o->split >= 0 && o->split <= 1)) {
		snprintf(err, errlen, "bad option value");
		return PP_EUSAGE;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return PP_EINTERNAL;
	}
	tzset();
	s->seed = o->seed;
	s->credit = o->credit;
	s->speed = o->speed;
	clock_gettime(CLOCK_MONOTONIC, &s->m0);
	/*
	 * Simulated time starts at the library's now, so that PREPAY_NOW
	 * fixes the hour the load model sees; the wall clock gives only
	 * the fraction of the second.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	s->t0 = (double)pp_now() + (double)now.tv_nsec / 1e9;
	if ((rc = load_site(s, o->site, err, errlen)) != PP_OK)
		goto fail;
	for (i = 0; i < s->ngw; i++) {
		g = &s->gw[i];
		if (pthread_mutex_init(&g->lock, NULL) != 0) {
			snprintf(err, errlen, "cannot create a lock");
			rc = PP_EINTERNAL;
			goto fail;
		}
		g->locked = 1;
		for (k = 0; k < g->nmeters; k++) {
			m = &g->meters[k];
			m->t = s->t0;
			if (!g->dlt645)
				g->unit[m->unit] = m;
		}
	}
	if (o->keys && (rc = passwords(s, o->keys, err, errlen)) != PP_OK)
		goto fail;
	if ((rc = each_name(s, o->dead, o->ndead, "--dead", set_dead, err,
	    errlen)) != PP_OK ||
	    (rc = each_name(s, o->down, o->ndown, "--down", set_down, err,
	    errlen)) != PP_OK ||
	    (rc = each_name(s, o->noblocks, o->nnoblocks, "--no-blocks",
	    set_noblocks, err, errlen)) != PP_OK)
		goto fail;
	if (o->log && (s->log = fopen(o->log, "a")) == NULL) {
		snprintf(err, errlen, "--log %s: %s", o->log, strerror(errno));
		rc = PP_EUSAGE;
		goto fail;
	}
	if (s->log)
		setvbuf(s->log, NULL, _IOLBF, 0);
	for (i = 0; i < o->ntty; i++)
		if ((rc = set_tty(s, o->tty[i], err, errlen)) != PP_OK)
			goto fail;
	if (o->state && (rc = state_load(s, o->state, err, errlen)) != PP_OK)
		goto fail;
	*sp = s;
	return PP_OK;
fail:
	ppsim__model_close(s);
	return rc;
}

void
ppsim__model_close(ppsim__model *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->ngw; i++) {
		if (s->gw[i].locked)
			pthread_mutex_destroy(&s->gw[i].lock);
		free(s->gw[i].meters);
	}
	free(s->gw);
	if (s->log)
		fclose(s->log);
	for (i = 0; i < s->nprof; i++)
		free(s->prof[i]);
	free(s->prof);
	free(s);
}
