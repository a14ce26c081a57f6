/*
 * bindings.c: report bindings, the residents' bindings of accounts that
 * prepay-web keeps (doc/design.md, "Residents"), for the office to see
 * and revoke (acct-unbind(1)).
 */
#include "report.h"

static const pp_column binding_columns[] = {
	{ "binding", PP_COL_INT }, { "account", PP_COL_TEXT },
	{ "client", PP_COL_TEXT }, { "bound", PP_COL_TIME },
	{ "last_seen", PP_COL_TIME }, { "expires", PP_COL_TIME },
};

const struct pp_report pp__report_bindings = {
	.info = { "bindings", "[--account A]", PP_OPERAND_NONE, 0 },
	.cols = binding_columns,
	.ncols = PP__NELEM(binding_columns),
	.sql = "SELECT b.id, a.account, b.client, b.created, b.seen, "
	    "s.expires FROM web_bindings b JOIN accounts a ON a.id = "
	    "b.account_id JOIN web_sessions s ON s.id = b.session_id WHERE "
	    "(?1 IS NULL OR a.account = ?1) ORDER BY b.id",
	.binds = { PP__BIND_ACCOUNT },
	.what = "bindings",
};
