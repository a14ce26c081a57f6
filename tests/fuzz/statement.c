/*
 * statement: a payment platform's daily statement, read as pay-statement
 * reads one, against an empty database.  The input's first byte says
 * whose it is (even: WeChat Pay's trade bill; odd: Alipay's GBK business
 * detail statement) and, by its second bit, whether --date gives the day;
 * the rest is the file.  A bad statement is exit 65 with a message; a good
 * one, with no order and no ledger row, is one difference for each of its
 * trades: an unknown order for a payment, a refund for a refund.  See
 * fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);

static pp_db	*db;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("TZ", "Asia/Shanghai", 0);
	check(pp_db_open(&db, ":memory:", PP_DB_CREATE) == PP_OK);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pp_stmt_req req;
	struct pp_stmt_result res;
	size_t i;
	int rc;

	if (size < 1)
		return 0;
	memset(&req, 0, sizeof(req));
	req.channel = data[0] & 1 ? PP_CHANNEL_ALIPAY : PP_CHANNEL_WECHAT;
	req.day = data[0] & 2 ? 1795050000 : -1;
	req.name = "statement.csv";
	if ((req.fp = fopen(fuzz_file("statement.csv", data + 1, size - 1,
	    0600), "r")) == NULL)
		abort();
	rc = pp_statement_check(db, &req, &res);
	fclose(req.fp);
	check(rc == PP_OK || rc == PP_EDATA);
	if (rc != PP_OK) {
		check(pp_errmsg(db)[0] != '\0' && res.diffs == NULL);
		return 0;
	}
	check(pp__day_at(res.day, 0, 0) == res.day);
	check(res.agreed == 0 && res.posted == 0);
	check(res.ndiffs == (size_t)(res.payments + res.refunds));
	for (i = 0; i < res.ndiffs; i++) {
		check(strcmp(res.diffs[i].diff, "unknown_order") == 0 ||
		    strcmp(res.diffs[i].diff, "refund") == 0);
		check(res.diffs[i].statement_amount > 0);
		check(res.diffs[i].ref[0] != '\0');
	}
	pp_stmt_free(&res);
	return 0;
}
