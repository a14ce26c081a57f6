/*
 * audit.c: the append-only, hash-chained log of every invocation that
 * writes.  verify.c walks the same chain.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
pp__audit_text(int64_t id, int64_t time, const char *login, const char *tool,
    const char *args, int64_t exitcode, const char *summary,
    const char *ledger_head, char **out)
{
	return asprintf(out, "%lld\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%lld\x1f%s"
	    "\x1f%s", (long long)id, (long long)time, login, tool, args,
	    (long long)exitcode, summary, ledger_head) < 0 ? PP_EINTERNAL :
	    PP_OK;
}

/*
 * Arguments joined with spaces, each quoted as sh(1) would need it, so
 * that the entry reads as the command that was run.  A quote inside a
 * quoted argument takes four bytes ('\'') and the quotes around it two,
 * which is what the buffer is sized for.  A database URI's password is
 * shown as *** (pp__uri_masked): every operator may read the log, and
 * it keeps what it is given for good.
 */
int
pp__audit_join(int argc, char *const *argv, char **out)
{
	size_t len = 1, at = 0;
	char **arg, *s = NULL;
	const char *p;
	int i, rc = PP_EINTERNAL;

	*out = NULL;
	if ((arg = calloc((size_t)argc + 1, sizeof(*arg))) == NULL)
		return PP_EINTERNAL;
	for (i = 0; i < argc; i++) {
		size_t n;

		if ((arg[i] = pp__uri_masked(argv[i])) == NULL)
			goto done;
		n = strlen(arg[i]);
		if (n > (SIZE_MAX - len - 3) / 4)
			goto done;
		len += n * 4 + 3;
	}
	if ((s = malloc(len)) == NULL)
		goto done;
	for (i = 0; i < argc; i++) {
		int quote = arg[i][0] == '\0' ||
		    strpbrk(arg[i], " \t\n'\"\\$`;&|<>*?[](){}#~") != NULL;

		if (i)
			s[at++] = ' ';
		if (quote)
			s[at++] = '\'';
		for (p = arg[i]; *p; p++) {
			if (*p == '\'' && quote) {
				memcpy(s + at, "'\\''", 4);
				at += 4;
			} else
				s[at++] = (*p == '\n' || *p == '\t') ? ' ' : *p;
		}
		if (quote)
			s[at++] = '\'';
	}
	s[at] = '\0';
	*out = s;
	rc = PP_OK;
done:
	for (i = 0; i < argc; i++)
		free(arg[i]);
	free(arg);
	return rc;
}

/*
 * Append the entry inside the caller's transaction: the change it records
 * and the entry commit together or not at all (doc/design.md, "Audit").
 */
static int
audit_write(pp_db *db, int exitcode, const char *summary)
{
	pp__st *st;
	char prev[65] = "", hash[65], head[96] = "", *text = NULL;
	char *args = NULL, *said = NULL;
	int64_t id, now = pp_now();
	int rc;

	if ((st = pp__stmt(db, "SELECT id, hash FROM audit ORDER BY id DESC "
	    "LIMIT 1")) == NULL)
		return pp__errcode(db);
	id = 1;
	if (pp__step(st) == PP__ROW) {
		id = pp__col_int64(st, 0) + 1;
		pp__col_text(st, 1, prev, sizeof(prev));
	}
	pp__reset(st);
	/* The ledger's last row, "serial:hash", anchors the ledger's end. */
	if ((st = pp__stmt(db, "SELECT serial || ':' || hash FROM ledger ORDER "
	    "BY id DESC LIMIT 1")) == NULL)
		return pp__errcode(db);
	if (pp__step(st) == PP__ROW)
		pp__col_text(st, 0, head, sizeof(head));
	pp__reset(st);
	/*
	 * Arguments (and a summary naming them) in invalid UTF-8 are kept
	 * with U+FFFD for each bad byte, on either engine: a PostgreSQL text
	 * holds nothing else, and the entry is hashed as it is stored.
	 */
	if (pp__utf8_fix(db->audit_args, &args) != PP_OK ||
	    pp__utf8_fix(summary, &said) != PP_OK) {
		free(args);
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	}
	if ((rc = pp__audit_text(id, now, db->login, db->audit_tool,
	    args ? args : db->audit_args, exitcode, said ? said : summary,
	    head, &text)) != PP_OK) {
		free(args);
		free(said);
		return pp__fail(db, rc, "out of memory");
	}
	rc = pp__chain_hash(prev, text, hash);
	free(text);
	if (rc != PP_OK) {
		free(args);
		free(said);
		return pp__fail(db, rc, "audit log: hash failed");
	}
	rc = pp__exec(db, "INSERT INTO audit(id, time, login, tool, args, "
	    "exit, summary, ledger_head, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)", "iitttittt", id, now, db->login, db->audit_tool,
	    args ? args : db->audit_args, (int64_t)exitcode, said ? said :
	    summary, head, hash);
	free(args);
	free(said);
	if (rc != PP_OK)
		return rc;
	db->audited++;
	return PP_OK;
}

/* The summary of what the transaction did: its ledger rows and notes. */
static void
tally_summary(pp_db *db, char *buf, size_t len)
{
	const struct pp__audit_tally *t = &db->tally;
	char amount[PP_NUMBUF];
	int n = 0;

	buf[0] = '\0';
	if (t->entries == 1)
		n = snprintf(buf, len, "%s", t->one);
	else if (t->entries > 1)
		n = snprintf(buf, len, "%ld entries %s..%s amount %s",
		    t->entries, t->first, t->last,
		    pp_money_format(t->amount, amount));
	if (t->note[0] && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, "%s%s", n ? "; " : "", t->note);
	if (buf[0] == '\0')
		snprintf(buf, len, "%lld rows changed", (long long)
		    (pp__total_changes(db) - db->changes_at_begin));
}

static int
audit_precommit(pp_db *db)
{
	char summary[512];

	tally_summary(db, summary, sizeof(summary));
	return audit_write(db, PP_OK, summary);
}

/* What db's entries record from now on; args is already joined. */
static int
audit_as(pp_db *db, const char *tool, char *args)
{
	free(db->audit_tool);
	free(db->audit_args);
	db->audit_args = args;
	db->audit_tool = NULL;
	if (args == NULL || (db->audit_tool = strdup(tool)) == NULL)
		return pp__fail(db, PP_EINTERNAL, "out of memory");
	db->precommit = audit_precommit;
	return PP_OK;
}

int
pp_audit_begin(pp_db *db, const char *tool, int argc, char *const *argv)
{
	char *args;

	return audit_as(db, tool, pp__audit_join(argc, argv, &args) == PP_OK ?
	    args : NULL);
}

int
pp__audit_inherit(pp_db *db, const pp_db *from)
{
	if (from->audit_tool == NULL)
		return PP_OK;
	return audit_as(db, from->audit_tool, strdup(from->audit_args));
}

int
pp_audit_wrote(const pp_db *db)
{
	return db->audited;
}

int
pp_audit_record(pp_db *db, int exitcode, const char *summary)
{
	int rc;

	if (db->audit_tool == NULL)
		return pp__fail(db, PP_EINTERNAL, "audit log: no invocation");
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((rc = audit_write(db, exitcode, summary)) != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	/* The entry is the whole change: no second entry for it. */
	db->changes_at_begin = pp__total_changes(db);
	return pp__tx_commit(db);
}

void
pp__audit_count(pp_db *db, const char *kind, const char *serial,
    const char *account, int64_t amount)
{
	struct pp__audit_tally *t = &db->tally;
	char yuan[PP_NUMBUF];

	if (t->entries++ == 0) {
		snprintf(t->first, sizeof(t->first), "%s", serial);
		snprintf(t->one, sizeof(t->one), "%s %s account %s amount %s",
		    kind, serial, account, pp_money_format(amount, yuan));
	}
	snprintf(t->last, sizeof(t->last), "%s", serial);
	t->amount += amount;
}

void
pp__audit_note(pp_db *db, const char *fmt, ...)
{
	struct pp__audit_tally *t = &db->tally;
	size_t at = strlen(t->note);
	va_list ap;

	if (at + 3 >= sizeof(t->note))
		return;
	if (at) {
		memcpy(t->note + at, "; ", 3);
		at += 2;
	}
	va_start(ap, fmt);
	vsnprintf(t->note + at, sizeof(t->note) - at, fmt, ap);
	va_end(ap);
}
