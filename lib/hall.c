/*
 * hall.c: a cashier's money operation end to end: post the entry in its
 * own transaction, then deliver it: the recharge to the meter's own
 * wallet, and the arrears trips a sale has paid up closed.  The money is
 * recorded first; a meter that does not answer leaves the recharge
 * pending for meter-read (doc/design.md, "Money").
 */
#include <string.h>

#include "internal.h"
#include "field.h"

/* How long a cashier's sale waits for a busy bus, in milliseconds. */
#define SALE_BUS_WAIT	10000
/* How long a close waits to read the meter's wallet. */
#define CLOSE_BUS_WAIT	30000

int
pp_hall_post(pp_db *db, int (*run)(pp_db *, pp_entry *, void *),
    void *arg, pp_entry *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = run(db, out, arg)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	return pp__tx_commit(db);
}

/* How many closes after payment the account's meters wait for. */
#define PAID_CLOSES "FROM commands c JOIN meters m ON m.id = c.meter_id " \
	"JOIN accounts a ON a.id = m.account_id WHERE a.account = ? AND " \
	"c.action = 'close' AND c.reason = 'paid' AND c.state IN " \
	"('pending', 'sent')"

/*
 * After the commands were sent: the meters whose close after payment
 * still waits, and how many of those due before went through.
 */
static void
paid_closes(pp_db *db, pp_entry *e, int64_t due)
{
	pp__st *st;
	int64_t left = 0;

	e->closing[0] = '\0';
	if ((st = pp__stmt(db, "SELECT count(*), coalesce(group_concat("
	    "m.meter, ';'), '') " PAID_CLOSES)) == NULL)
		return;
	pp__bind_copy(st, 1, e->account);
	if (pp__step(st) == PP__ROW) {
		left = pp__col_int64(st, 0);
		pp__col_text(st, 1, e->closing, sizeof(e->closing));
	}
	pp__reset(st);
	e->closed = due > left ? (int)(due - left) : 0;
}

int
pp_hall_deliver(pp_db *db, pp_entry *e, char *msg, size_t msglen)
{
	int64_t due = 0;
	int rc = PP_OK;

	msg[0] = '\0';
	/* The money is in; now the meter's own wallet gets it, if it can. */
	if (e->pending && e->command_id) {
		rc = pp__command_send(db, e->command_id, SALE_BUS_WAIT, msg,
		    msglen);
		if (rc == PP_OK)
			e->pending = 0;
	}
	/*
	 * A sale that pays up arrears closes the meters they cut off, before
	 * its receipt is printed; one that waits is said (e->closing).
	 */
	if (strcmp(e->kind, "sale") != 0 || e->replayed)
		return rc;
	if (pp__query_int(db, &due, "SELECT count(*) " PAID_CLOSES, "t",
	    e->account) != PP_OK)
		due = 0;
	if (!e->pending)
		pp__commands_send_account(db, e->account, SALE_BUS_WAIT);
	paid_closes(db, e, due);
	return rc;
}

static int
close_posted(pp_db *db, pp_entry *out, void *arg)
{
	const struct pp_close_req *c = arg;

	return pp__account_close(db, c->account, c->method, c->ref, c->remark,
	    c->meter_balance, out);
}

int
pp_hall_close(pp_db *db, const struct pp_close_req *req,
    pp_entry *out)
{
	struct pp_close_req c = *req;
	int rc;

	memset(out, 0, sizeof(*out));
	/* A meter that keeps the wallet says what is left to refund. */
	if (c.meter_balance == PP_NO_WALLET && (rc =
	    pp__account_wallet_read(db, c.account, CLOSE_BUS_WAIT,
	    &c.meter_balance)) != PP_OK)
		return rc;
	return pp_hall_post(db, close_posted, &c, out);
}
