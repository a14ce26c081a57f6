/*
 * onsite.c: readings taken by hand, and the meters whose display
 * disagrees with the record (机电不符).  A reading in a handheld list
 * is checked here, one rule for both of its uses: stored as a reading
 * that counts (poll.c), or kept apart as an on-site reading, which
 * counts nothing and is compared with the poll's record by
 * `report onsite` for the office to settle.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define ERR(code, ...)	pp__fail(db, code, __VA_ARGS__)

/*
 * The default tolerance of report onsite, in Wh.  A handheld reading is
 * taken after the poll it is compared with, at most a poll interval (30
 * minutes) later; a dormitory room draws at most about 2 kW, so up to
 * 1 kWh between them is use, and the display rounds to 0.01 kWh.  A real
 * disagreement (a counter that slips or runs fast, a meter changed
 * without meter-swap, a wrong meter on the account) is tens of kWh.
 */
#define ONSITE_TOLERANCE_WH	1000

int
pp__hand_reading(pp_db *db, const pp_csv *row, struct pp__hand_reading *h)
{
	const char *meter = pp__csv_get(row, "meter");
	const char *when = pp__csv_get(row, "time");
	const char *kwh = pp__csv_get(row, "energy_kwh");
	const char *balance = pp__csv_get(row, "balance");
	char err[PP_ERRMAX];
	int rc;

	memset(h, 0, sizeof(*h));
	h->balance = INT64_MIN;
	if (meter == NULL || when == NULL || kwh == NULL)
		return ERR(PP_EDATA, "the columns meter, time and energy_kwh "
		    "are required");
	if (pp_time_parse(when, &h->time, err, sizeof(err)) != PP_OK ||
	    pp_energy_parse(kwh, &h->energy_wh, err, sizeof(err)) != PP_OK ||
	    (balance && *balance && pp_money_parse(balance, PP_MONEY_SIGNED,
	    -1, &h->balance, err, sizeof(err)) != PP_OK))
		return ERR(PP_EDATA, "%s", err);
	if (h->time > pp_now() + 300)
		return ERR(PP_EDATA, "time %s is in the future", when);
	rc = pp__query_int(db, &h->meter_id, "SELECT id FROM meters WHERE "
	    "meter = ?", "t", meter);
	if (rc == PP_EDATA)
		return ERR(PP_EDATA, "meter %s: no such meter", pp_q(meter));
	return rc;
}

int
pp_onsite_import_row(pp_db *db, const pp_csv *row)
{
	struct pp__hand_reading h;
	int64_t seen;
	int rc;

	if ((rc = pp__hand_reading(db, row, &h)) != PP_OK)
		return rc;
	rc = pp__query_int(db, &seen, "SELECT energy_wh FROM onsite_readings "
	    "WHERE meter_id = ? AND time = ?", "ii", h.meter_id, h.time);
	if (rc == PP_OK)
		return ERR(PP_EDATA, "meter %s: an on-site reading at %s is "
		    "already imported", pp__csv_get(row, "meter"),
		    pp__csv_get(row, "time"));
	if (rc != PP_EDATA)
		return rc;
	return pp__exec(db, "INSERT INTO onsite_readings(meter_id, time, "
	    "energy_wh, balance, operator, imported) VALUES (?, ?, ?, "
	    "nullif(?, ?), ?, ?)", "iiiiiti", h.meter_id, h.time, h.energy_wh,
	    h.balance, (int64_t)INT64_MIN, db->login, pp_now());
}

/* ---- report onsite: on-site readings against the poll's record ---- */

static const pp_column onsite_cols[] = {
	{ "time", PP_COL_TIME }, { "meter", PP_COL_TEXT },
	{ "building", PP_COL_TEXT }, { "room", PP_COL_TEXT },
	{ "account", PP_COL_TEXT }, { "name", PP_COL_TEXT },
	{ "onsite_kwh", PP_COL_KWH }, { "polled", PP_COL_TIME },
	{ "polled_kwh", PP_COL_KWH }, { "diff_kwh", PP_COL_KWH },
	{ "price", PP_COL_PRICE }, { "diff_cost", PP_COL_MONEY },
};

static int
onsite_check(struct pp__run *run)
{
	const char *s = run->opts.tolerance;
	char err[PP_ERRMAX];

	run->tolerance_wh = ONSITE_TOLERANCE_WH;
	if (s && pp_energy_parse(s, &run->tolerance_wh, err, sizeof(err)) !=
	    PP_OK)
		return pp__fail(run->db, PP_EUSAGE, "--tolerance %s", err);
	return PP_OK;
}

/*
 * A row past the tolerance, with the difference priced under the
 * meter's tariff at the on-site time; a row within it is left out.
 */
static int
onsite_row(struct pp__run *run, pp__st *st, pp_cell *c)
{
	struct pp__tariff_version *v = NULL;
	struct pp__charge charge;
	int64_t diff, t = pp__col_int64(st, 0);
	int nv = 0;

	diff = pp__col_int64(st, 6) - pp__col_int64(st, 8);
	if (diff <= run->tolerance_wh && -diff <= run->tolerance_wh)
		return 0;
	c[9] = PP__INT(diff);
	if (pp__tariff_of_meter(run->db, pp__col_int64(st, 12), &v,
	    &nv) == PP_OK && nv > 0 && pp__tariff_price(v, nv, t, t,
	    diff < 0 ? -diff : diff, 0, &charge) == PP_OK) {
		c[10] = PP__INT(charge.nparts > 0 ? charge.part[0].price : 0);
		/* Rounded as the magnitude is, half away from zero. */
		c[11] = PP__INT(diff < 0 ? -pp__fen_round(charge.cost_e7) :
		    pp__fen_round(charge.cost_e7));
	}
	free(v);
	run->color = diff < 0 ? PP_COLOR_YELLOW : PP_COLOR_RED;
	return 1;
}

/*
 * Each on-site reading against the last reading a poll stored at or
 * before its time that counts (not flagged): nothing in between is
 * guessed.  An on-site reading with no such poll is not compared.
 */
#define POLLED_BEFORE \
	PP__READING_GOOD " AND r.status & 4 = 0 AND r.time <= o.time"
const struct pp_report pp__report_onsite = {
	.info = { "onsite", "[--tolerance KWH] [--from T] [--to T] "
	    "[--building B]", PP_OPERAND_NONE, 0 },
	.cols = onsite_cols,
	.ncols = PP__NELEM(onsite_cols),
	.sql = "SELECT o.time, m.meter, coalesce(b.name, ''), m.room, "
	    "coalesce(a.account, ''), coalesce(a.name, ''), o.energy_wh, "
	    "o.p_time, o.p_wh, NULL, NULL, NULL, m.id FROM (SELECT o.*, "
	    PP__READING_FIRST("r.time", "o.meter_id", POLLED_BEFORE, "DESC")
	    " AS p_time, " PP__READING_FIRST("r.energy_wh", "o.meter_id",
	    POLLED_BEFORE, "DESC") " AS p_wh FROM onsite_readings o WHERE "
	    "o.time >= ?2 AND o.time < ?3) o JOIN meters m ON m.id = "
	    "o.meter_id LEFT JOIN buildings b ON "
	    "b.id = m.building_id LEFT JOIN accounts a ON a.id = m.account_id "
	    "WHERE o.p_time IS NOT NULL AND (?1 IS NULL OR b.name = ?1) "
	    "ORDER BY o.time, b.id NULLS FIRST, m.meter",
	.binds = { PP__BIND_BUILDING, PP__BIND_FROM, PP__BIND_TO },
	.what = "onsite_readings",
	.check = onsite_check,
	.row = onsite_row,
};
