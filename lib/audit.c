/*
 * audit.c: the append-only, hash-chained log of every invocation that
 * writes.  verify.c walks the same chain.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int
pp_audit_text(int64_t id, int64_t time, const char *login, const char *tool,
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
 * which is what the buffer is sized for.
 */
int
pp_audit_join(int argc, char *const *argv, char **out)
{
	size_t len = 1, at = 0;
	char *s;
	const char *p;
	int i;

	*out = NULL;
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (n > (SIZE_MAX - len - 3) / 4)
			return PP_EINTERNAL;
		len += n * 4 + 3;
	}
	if ((s = malloc(len)) == NULL)
		return PP_EINTERNAL;
	for (i = 0; i < argc; i++) {
		int quote = argv[i][0] == '\0' ||
		    strpbrk(argv[i], " \t\n'\"\\$`;&|<>*?[](){}#~") != NULL;

		if (i)
			s[at++] = ' ';
		if (quote)
			s[at++] = '\'';
		for (p = argv[i]; *p; p++) {
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
	return PP_OK;
}

int
pp_audit_append(pp_db *db, const char *tool, int argc, char *const *argv,
    int exitcode, const char *summary)
{
	sqlite3_stmt *st;
	char prev[65] = "", hash[65], head[96] = "", *args, *text = NULL;
	int64_t id, now = pp_now();
	int rc;

	if (pp_audit_join(argc, argv, &args) != PP_OK)
		return pp_fail(db, PP_EINTERNAL, "out of memory");
	if ((rc = pp_tx_begin(db)) != PP_OK)
		goto out;
	if ((st = pp_stmt(db, "SELECT id, hash FROM audit ORDER BY id DESC "
	    "LIMIT 1")) == NULL) {
		rc = PP_EINTERNAL;
		goto fail;
	}
	id = 1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0) + 1;
		pp_col_text(st, 1, prev, sizeof(prev));
	}
	sqlite3_reset(st);
	/* The ledger's last row, "serial:hash", anchors the ledger's end. */
	if ((st = pp_stmt(db, "SELECT serial || ':' || hash FROM ledger ORDER "
	    "BY id DESC LIMIT 1")) == NULL) {
		rc = PP_EINTERNAL;
		goto fail;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		pp_col_text(st, 0, head, sizeof(head));
	sqlite3_reset(st);
	if ((rc = pp_audit_text(id, now, db->login, tool, args, exitcode,
	    summary, head, &text)) != PP_OK ||
	    (rc = pp_chain_hash(prev, text, hash)) != PP_OK)
		goto fail;
	if ((rc = pp_exec(db, "INSERT INTO audit(id, time, login, tool, args, "
	    "exit, summary, ledger_head, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?)", "iitttittt", id, now, db->login, tool, args,
	    (int64_t)exitcode, summary, head, hash)) != PP_OK)
		goto fail;
	rc = pp_tx_commit(db);
	goto out;
fail:
	pp_tx_rollback(db);
out:
	free(text);
	free(args);
	return rc;
}
