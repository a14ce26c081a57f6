/*
 * receipt: a receipt template (@@ placeholders) read from its file and
 * rendered for a sale, in one to nine copies.  The first byte chooses the
 * copies (0 and 10 are refused), the next eight the amount; the rest is
 * the template.  A template without @@ comes out as it is, and each copy
 * is a form feed apart.  See fuzz.h.
 */
#include "internal.h"
#include "fuzz.h"

static size_t
count(const char *s, int c)
{
	size_t n = 0;

	for (; (s = strchr(s, c)) != NULL; s++)
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pp_entry e;
	char err[PP_ERRMAX], *tmpl, *out;
	const char *path;
	int copies, rc;

	if (size < 9)
		return 0;
	copies = data[0] % 11;
	memset(&e, 0, sizeof(e));
	memcpy(&e.amount, data + 1, sizeof(e.amount));
	/* No amount of the ledger is INT64_MIN fen: it has no opposite. */
	if (e.amount == INT64_MIN)
		e.amount = INT64_MAX;
	e.balance = e.amount / 3;
	e.time = 1700000000;
	e.buy_count = 7;
	snprintf(e.serial, sizeof(e.serial), "20240301000017");
	snprintf(e.kind, sizeof(e.kind), "%s", data[0] & 0x80 ? "reverse" :
	    "sale");
	snprintf(e.account, sizeof(e.account), "A001");
	snprintf(e.name, sizeof(e.name), "张三");
	snprintf(e.meter, sizeof(e.meter), "0101070722");
	snprintf(e.room, sizeof(e.room), "152101");
	snprintf(e.method, sizeof(e.method), "cash");
	snprintf(e.operator, sizeof(e.operator), "zhang");
	snprintf(e.remark, sizeof(e.remark), "@@Remark @@");
	path = fuzz_file("receipt.tmpl", data + 9, size - 9, 0600);
	if (pp_receipt_load(path, &tmpl, err, sizeof(err)) != PP_OK) {
		check(err[0] != '\0');
		tmpl = NULL;
	}
	rc = pp_receipt_render(&e, "示例校区", tmpl, copies, &out, err,
	    sizeof(err));
	if (copies < 1 || copies > 9) {
		check(rc == PP_EUSAGE);
		free(tmpl);
		return 0;
	}
	check(rc == PP_OK);
	if (tmpl != NULL) {
		check(count(out, '\f') == (size_t)(copies - 1) +
		    (size_t)copies * count(tmpl, '\f'));
		if (copies == 1 && strstr(tmpl, "@@") == NULL)
			check(strcmp(out, tmpl) == 0);
	}
	free(out);
	free(tmpl);
	return 0;
}
