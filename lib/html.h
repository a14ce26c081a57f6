/*
 * html.h: the resident's pages, inside the library: a page built up in
 * memory (html.c), the charts drawn into it as inline SVG (chart.c), and
 * what the pages show of an account (resident.c).
 */
#ifndef PP_HTML_H
#define PP_HTML_H

#include "internal.h"

/* ---- html.c: a page in memory ------------------------------------------ */

/* A growing text; oom is set, and the rest dropped, when memory runs out. */
struct pp__html {
	char	*s;
	size_t	 len, cap;
	int	 oom;
};

/*
 * Append fmt: %s is text, escaped for an element or a quoted attribute
 * (& < > " '), %S markup taken as it is, %d an int, %D an int64_t, %% a %.
 */
void	 pp__html_fmt(struct pp__html *h, const char *fmt, ...);
void	 pp__html_text(struct pp__html *h, const char *s);
void	 pp__html_raw(struct pp__html *h, const char *s);
void	 pp__html_free(struct pp__html *h);

/* ---- chart.c: inline SVG ------------------------------------------------ */

/* A bar or a point: known 0 draws a gap, not a zero. */
struct pp__chart_point {
	int64_t	 wh;
	int	 known;
	char	 label[16];	/* under the axis: "12-03", "00:30" */
	char	 title[128];	/* its tooltip */
	char	 href[160];	/* a bar's link, or "" */
};

/*
 * The daily-use bars, each linked to its href, with the energy axis in
 * kWh and the day labels; and a day's curve: one polyline for each run of
 * known points and a circle for each, the gaps left empty.
 */
void	 pp__chart_bars(struct pp__html *h, const struct pp__chart_point *p,
	    size_t n);
void	 pp__chart_curve(struct pp__html *h, const struct pp__chart_point *p,
	    size_t n);

/* ---- resident.c: what the pages show of an account ----------------------- */

#define PP_RES_METERS	16

struct pp__res_meter {
	char	 meter[PP_KEYMAX];
	char	 room[PP_KEYMAX];
	char	 relay[16];		/* closed, tripped, or "" unknown */
	char	 state[16];		/* ok, timeout, error, lost, unknown */
	int64_t	 reading_time;		/* its last good reading, 0 none */
	int64_t	 energy_wh;		/* that reading's counter */
	int	 wallet;		/* billing: meter, its own wallet */
	int	 has_balance;
	int64_t	 meter_balance;		/* what that wallet read */
};

struct pp__resident {
	int64_t	 id;
	char	 account[PP_KEYMAX];
	char	 name[PP_NAMEMAX];
	int	 open;
	int64_t	 balance;		/* fen, as report accounts has it */
	int64_t	 as_of;			/* the last good reading, 0 none */
	size_t	 nmeters;
	struct pp__res_meter meters[PP_RES_METERS];
};

/* An account and its meters now: PP_EDATA when there is no such account. */
int	 pp__resident_get(pp_db *db, const char *account,
	    struct pp__resident *r);
/*
 * The energy of the account's meters over [from, to) by unit, each meter
 * counted only while it was the account's; free *b.
 */
int	 pp__resident_use(pp_db *db, int64_t account_id, int64_t from,
	    int64_t to, enum pp__unit unit, struct pp__bucket **b, long *n);
/* The account's ledger rows, newest first, at most max; free *ids. */
int	 pp__resident_ledger(pp_db *db, int64_t account_id, size_t max,
	    int64_t **ids, size_t *n);
/* A receipt of the account by serial: PP_EDATA when it is not one. */
int	 pp__resident_receipt(pp_db *db, int64_t account_id,
	    const char *serial, pp_entry *e);

/* ---- webstatic.c: the pages' stylesheet and script ---------------------- */

extern const char pp__web_css[];
extern const char pp__web_js[];

#endif
