/*
 * websession.c: prepay-web's sessions and bindings (doc/design.md,
 * "Residents").  A session is a random 256-bit token in a cookie; the
 * database keeps only its SHA-256 and an expiry that slides with use.  A
 * session binds accounts by their number and a check the office holds:
 * the last four digits of the phone on file, or a one-time code sent by
 * the site's notice command.  Every refusal looks the same and is
 * counted; the counts limit the tries per account and per client.
 * Session bookkeeping writes outside any transaction and so is not
 * audited; a binding, an unbinding and a notice threshold are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "web.h"

#define BIND_WINDOW	PP_BIND_WINDOW
/* A one-time code: its life, its tries, and how many per window. */
#define CODE_LIFE	(10 * 60)
#define CODE_TRIES	5
#define CODE_PER_WINDOW	3
/* A session's last use is written at most this often, seconds. */
#define SEEN_EVERY	60

static int
token_ok(const char *t)
{
	size_t i;

	if (t == NULL || strlen(t) != PP_WEB_TOKEN - 1)
		return 0;
	for (i = 0; t[i]; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' &&
		    t[i] <= 'f')))
			return 0;
	return 1;
}

static int
token_new(pp_db *db, char token[PP_WEB_TOKEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char r[32];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return pp__fail(db, PP_EINTERNAL, "no random bytes");
	for (i = 0; i < sizeof(r); i++) {
		token[2 * i] = hex[r[i] >> 4];
		token[2 * i + 1] = hex[r[i] & 15];
	}
	token[64] = '\0';
	OPENSSL_cleanse(r, sizeof(r));
	return PP_OK;
}

/* Expired sessions and their bindings go. */
static int
purge(pp_db *db)
{
	int rc;

	if ((rc = pp__exec(db, "DELETE FROM web_bindings WHERE session_id IN "
	    "(SELECT id FROM web_sessions WHERE expires <= ?)", "i",
	    pp_now())) != PP_OK)
		return rc;
	return pp__exec(db, "DELETE FROM web_sessions WHERE expires <= ?",
	    "i", pp_now());
}

int
pp__web_session_find(pp_db *db, const struct pp__web_conf *c,
    const char *token, int64_t *session, int *slid)
{
	char hash[65];
	pp__st *st;
	int64_t id = 0, expires = 0, seen = 0, now = pp_now();
	int rc;

	*session = 0;
	*slid = 0;
	if (!token_ok(token))
		return PP_OK;
	if ((rc = pp__sha256_hex(token, hash)) != PP_OK)
		return pp__fail(db, rc, "session: hash failed");
	if ((st = pp__stmt(db, "SELECT id, expires, seen FROM web_sessions "
	    "WHERE hash = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_text(st, 1, hash);
	if ((rc = pp__step(st)) == PP__ROW) {
		id = pp__col_int64(st, 0);
		expires = pp__col_int64(st, 1);
		seen = pp__col_int64(st, 2);
	}
	pp__reset(st);
	if (rc != PP__ROW && rc != PP__DONE)
		return pp__sqlfail(db, "session");
	if (id == 0)
		return PP_OK;
	if (expires <= now)
		return purge(db);
	*session = id;
	if (now - seen < SEEN_EVERY)
		return PP_OK;
	*slid = 1;
	return pp__exec(db, "UPDATE web_sessions SET seen = ?, expires = ? "
	    "WHERE id = ?", "iii", now, now + (int64_t)c->session_days * 86400,
	    id);
}

void
pp__web_cookie(const struct pp__web_conf *c, const char *token, char *buf,
    size_t len)
{
	snprintf(buf, len, "pp_session=%s; HttpOnly; SameSite=Lax; Path=/; "
	    "Max-Age=%lld%s", token ? token : "", token ? (long long)
	    c->session_days * 86400 : 0LL, c->secure ? "; Secure" : "");
}

int
pp__web_session_end(pp_db *db, int64_t session)
{
	int rc;

	if ((rc = pp__exec(db, "DELETE FROM web_bindings WHERE session_id = ?",
	    "i", session)) != PP_OK)
		return rc;
	return pp__exec(db, "DELETE FROM web_sessions WHERE id = ?", "i",
	    session);
}

/* A new session, inside the caller's transaction; its token. */
static int
session_new(pp_db *db, const struct pp__web_conf *c, int64_t *session,
    char token[PP_WEB_TOKEN])
{
	char hash[65];
	int rc;

	if ((rc = token_new(db, token)) != PP_OK)
		return rc;
	if ((rc = pp__sha256_hex(token, hash)) != PP_OK)
		return pp__fail(db, rc, "session: hash failed");
	return pp__query_int(db, session, "INSERT INTO web_sessions(hash, "
	    "created, seen, expires) VALUES (?, ?, ?, ?) RETURNING id", "tiii",
	    hash, pp_now(), pp_now(), pp_now() + (int64_t)c->session_days *
	    86400);
}

/*
 * The seconds until key (account or client) is under its limit again;
 * 0 when it is under now.
 */
static int
limited(pp_db *db, const char *column_sql, const char *key, int max,
    int *retry_after)
{
	pp__st *st;
	int64_t t;

	*retry_after = 0;
	if ((st = pp__stmt(db, column_sql)) == NULL)
		return pp__errcode(db);
	pp__bind_text(st, 1, key);
	pp__bind_int64(st, 2, pp_now() - BIND_WINDOW);
	pp__bind_int64(st, 3, max - 1);
	if (pp__step(st) == PP__ROW) {
		t = pp__col_int64(st, 0) + BIND_WINDOW - pp_now();
		*retry_after = t < 1 ? 1 : (int)t;
	}
	pp__reset(st);
	return PP_OK;
}

/* Over either limit: PP_EBUSY, *retry_after the longer wait. */
static int
over_limits(pp_db *db, const char *account, const char *client,
    int *retry_after)
{
	int a, b, rc;

	if ((rc = limited(db, "SELECT time FROM bind_failures WHERE account = "
	    "?1 AND time > ?2 ORDER BY time DESC LIMIT 1 OFFSET ?3", account,
	    PP_BIND_PER_ACCOUNT, &a)) != PP_OK ||
	    (rc = limited(db, "SELECT time FROM bind_failures WHERE client = "
	    "?1 AND time > ?2 ORDER BY time DESC LIMIT 1 OFFSET ?3", client,
	    PP_BIND_PER_CLIENT, &b)) != PP_OK)
		return rc;
	if ((*retry_after = a > b ? a : b) > 0)
		return pp__fail(db, PP_EBUSY, "account \"%s\" from %s: too "
		    "many failed binds", account, client);
	return PP_OK;
}

/* The account as typed, made safe and short, for the failures' table. */
static const char *
typed(const char *account, char buf[PP_KEYMAX])
{
	return pp__quote(buf, PP_KEYMAX, account);
}

static int
count_failure(pp_db *db, const char *account, const char *client)
{
	return pp__exec(db, "INSERT INTO bind_failures(time, account, client) "
	    "VALUES (?, ?, ?)", "itt", pp_now(), account, client);
}

/* The account a check may bind: open, with a phone; 0 when none. */
static int
bindable(pp_db *db, const char *account, int64_t *id, char phone[PP_KEYMAX])
{
	pp__st *st;

	*id = 0;
	if ((st = pp__stmt(db, "SELECT id, phone FROM accounts WHERE account "
	    "= ? AND state = 'open' AND phone <> ''")) == NULL)
		return pp__errcode(db);
	pp__bind_text(st, 1, account);
	if (pp__step(st) == PP__ROW) {
		*id = pp__col_int64(st, 0);
		pp__col_text(st, 1, phone, PP_KEYMAX);
	}
	pp__reset(st);
	return PP_OK;
}

/* n ASCII digits exactly. */
static int
digits(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789") == n;
}

/* The check against the phone's last four digits. */
static int
phone4_ok(const char *phone, const char *check)
{
	char last[5] = "";
	size_t n = 0, i = strlen(phone);

	while (i > 0 && n < 4) {
		i--;
		if (phone[i] >= '0' && phone[i] <= '9')
			last[3 - n++] = phone[i];
	}
	return n == 4 && digits(check, 4) && CRYPTO_memcmp(last, check, 4) ==
	    0;
}

/* The check against the account's live code, which it uses or tries. */
static int
code_ok(pp_db *db, int64_t account_id, const char *check, int *ok)
{
	pp__st *st;
	char hash[65], want[65] = "";
	int64_t id = 0;
	int rc;

	*ok = 0;
	if ((st = pp__stmt(db, "SELECT id, hash FROM bind_codes WHERE "
	    "account_id = ? AND used IS NULL AND expires > ? AND tries < ? "
	    "ORDER BY id DESC LIMIT 1")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, account_id);
	pp__bind_int64(st, 2, pp_now());
	pp__bind_int64(st, 3, CODE_TRIES);
	if (pp__step(st) == PP__ROW) {
		id = pp__col_int64(st, 0);
		pp__col_text(st, 1, want, sizeof(want));
	}
	pp__reset(st);
	if (id == 0 || !digits(check, 6))
		return PP_OK;
	if ((rc = pp__sha256_hex(check, hash)) != PP_OK)
		return pp__fail(db, rc, "code: hash failed");
	*ok = CRYPTO_memcmp(hash, want, 64) == 0;
	if (*ok)
		return pp__exec(db, "UPDATE bind_codes SET used = ? WHERE "
		    "id = ?", "ii", pp_now(), id);
	return pp__exec(db, "UPDATE bind_codes SET tries = tries + 1 WHERE id "
	    "= ?", "i", id);
}

/* The binding written, with a new session when there is none. */
static int
bind_write(pp_db *db, const struct pp__web_conf *c, int64_t account_id,
    const struct pp__web_bind_req *req, int64_t *session,
    char token[PP_WEB_TOKEN])
{
	int64_t s = *session, id;
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if ((s == 0 && (rc = session_new(db, c, &s, token)) != PP_OK) ||
	    (rc = pp__exec(db, "INSERT INTO web_bindings(session_id, "
	    "account_id, created, client, seen) VALUES (?1, ?2, ?3, ?4, ?3) "
	    "ON CONFLICT(session_id, account_id) DO UPDATE SET created = ?3, "
	    "seen = ?3, client = ?4", "iiit", s, account_id, pp_now(),
	    req->client)) != PP_OK ||
	    (rc = pp__query_int(db, &id, "SELECT id FROM web_bindings WHERE "
	    "session_id = ? AND account_id = ?", "ii", s, account_id)) !=
	    PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	pp__audit_note(db, "account %s bound by binding %lld from %s",
	    req->account, (long long)id, req->client);
	if ((rc = pp__tx_commit(db)) == PP_OK)
		*session = s;
	return rc;
}

int
pp__web_bind(pp_db *db, const struct pp__web_conf *c,
    const struct pp__web_bind_req *req, int64_t *session,
    char token[PP_WEB_TOKEN], int *retry_after)
{
	char key[PP_KEYMAX], phone[PP_KEYMAX] = "";
	int64_t id;
	int rc, ok = 0;

	token[0] = '\0';
	typed(req->account, key);
	if ((rc = over_limits(db, key, req->client, retry_after)) != PP_OK)
		return rc;
	if ((rc = bindable(db, req->account, &id, phone)) != PP_OK)
		return rc;
	if (id && c->bind_code)
		rc = code_ok(db, id, req->check, &ok);
	else if (id)
		ok = phone4_ok(phone, req->check);
	if (rc != PP_OK)
		return rc;
	if (!ok) {
		if ((rc = count_failure(db, key, req->client)) != PP_OK)
			return rc;
		return pp__fail(db, PP_EPERM, "account \"%s\" from %s: bind "
		    "refused", key, req->client);
	}
	if (*session == 0 && (rc = purge(db)) != PP_OK)
		return rc;
	return bind_write(db, c, id, req, session, token);
}

/* A uniform 6-digit code. */
static int
code_new(pp_db *db, char code[7])
{
	uint32_t r;

	do {
		if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
			return pp__fail(db, PP_EINTERNAL, "no random bytes");
	} while (r >= UINT32_MAX - UINT32_MAX % 1000000);
	snprintf(code, 7, "%06u", (unsigned)(r % 1000000));
	return PP_OK;
}

int
pp__web_bind_code(pp_db *db, const struct pp__web_conf *c,
    const char *account, const char *client, int *retry_after)
{
	char key[PP_KEYMAX], phone[PP_KEYMAX] = "", code[7], hash[65];
	char text[PP_TEXTMAX], err[PP_ERRMAX];
	int64_t id, recent = 0;
	int rc;

	if (!c->bind_code || !c->notify[0])
		return pp__fail(db, PP_ECONFIG, "the site binds by the phone's "
		    "last four digits, not by codes");
	typed(account, key);
	if ((rc = over_limits(db, key, client, retry_after)) != PP_OK)
		return rc;
	if ((rc = bindable(db, account, &id, phone)) != PP_OK || id == 0 ||
	    (rc = pp__query_int(db, &recent, "SELECT count(*) FROM bind_codes "
	    "WHERE account_id = ? AND created > ?", "ii", id, pp_now() -
	    BIND_WINDOW)) != PP_OK || recent >= CODE_PER_WINDOW)
		return rc;
	if ((rc = code_new(db, code)) != PP_OK ||
	    (rc = pp__sha256_hex(code, hash)) != PP_OK)
		return rc;
	if ((rc = pp__exec(db, "INSERT INTO bind_codes(account_id, hash, "
	    "created, expires) VALUES (?, ?, ?, ?)", "itii", id, hash,
	    pp_now(), pp_now() + CODE_LIFE)) != PP_OK)
		return rc;
	snprintf(text, sizeof(text), "您的电费账户 %s 绑定验证码："
	    "%s，%d 分钟内有效。如非本人操作，"
	    "请忽略。", account, code, CODE_LIFE / 60);
	rc = pp__notify_send(c->notify, "bind_code", account, phone, text, err,
	    sizeof(err));
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != PP_OK)
		return pp__fail(db, PP_EUNREACH, "account %s: the code was not "
		    "sent: %s", account, err);
	return PP_OK;
}

int
pp__web_binding(pp_db *db, int64_t session, const char *account,
    int64_t *binding)
{
	pp__st *st;
	int64_t seen = 0;

	*binding = 0;
	if (session == 0 || account == NULL)
		return PP_OK;
	if ((st = pp__stmt(db, "SELECT b.id, b.seen FROM web_bindings b JOIN "
	    "accounts a ON a.id = b.account_id WHERE b.session_id = ? AND "
	    "a.account = ?")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, session);
	pp__bind_text(st, 2, account);
	if (pp__step(st) == PP__ROW) {
		*binding = pp__col_int64(st, 0);
		seen = pp__col_int64(st, 1);
	}
	pp__reset(st);
	if (*binding == 0 || pp_now() - seen < SEEN_EVERY)
		return PP_OK;
	return pp__exec(db, "UPDATE web_bindings SET seen = ? WHERE id = ?",
	    "ii", pp_now(), *binding);
}

int
pp__web_bound(pp_db *db, int64_t session, const char *account)
{
	int64_t binding;
	int rc;

	if ((rc = pp__web_binding(db, session, account, &binding)) != PP_OK)
		return -rc;
	return binding != 0;
}

int
pp__web_accounts(pp_db *db, int64_t session, char (**list)[PP_KEYMAX],
    size_t *n)
{
	pp__st *st;
	size_t cap = 0;
	int rc;

	*list = NULL;
	*n = 0;
	if ((st = pp__stmt(db, "SELECT a.account FROM web_bindings b JOIN "
	    "accounts a ON a.id = b.account_id WHERE b.session_id = ? ORDER "
	    "BY b.id")) == NULL)
		return pp__errcode(db);
	pp__bind_int64(st, 1, session);
	while ((rc = pp__step(st)) == PP__ROW) {
		if (pp_grow(list, &cap, *n + 1, sizeof(**list)) != PP_OK) {
			pp__reset(st);
			return pp__fail(db, PP_EINTERNAL, "out of memory");
		}
		pp__col_text(st, 0, (*list)[(*n)++], PP_KEYMAX);
	}
	pp__reset(st);
	if (rc != PP__DONE)
		return pp__sqlfail(db, "bindings");
	return PP_OK;
}

int
pp__web_notice_get(pp_db *db, const char *account, int64_t *below)
{
	*below = -1;
	if (pp__query_int(db, below, "SELECT n.below FROM notice_settings n "
	    "JOIN accounts a ON a.id = n.account_id WHERE a.account = ?", "t",
	    account) == PP_EINTERNAL)
		return PP_EINTERNAL;
	return PP_OK;
}

int
pp__web_notice_set(pp_db *db, const char *account, int64_t below,
    int64_t binding)
{
	char amount[PP_NUMBUF];
	int rc;

	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if (below > 0)
		rc = pp__exec(db, "INSERT INTO notice_settings(account_id, "
		    "below, binding_id, time) SELECT id, ?2, ?3, ?4 FROM "
		    "accounts WHERE account = ?1 ON CONFLICT(account_id) DO "
		    "UPDATE SET below = ?2, binding_id = ?3, time = ?4", "tiii",
		    account, below, binding, pp_now());
	else
		rc = pp__exec(db, "DELETE FROM notice_settings WHERE "
		    "account_id = (SELECT id FROM accounts WHERE account = ?)",
		    "t", account);
	if (rc != PP_OK) {
		pp__tx_rollback(db);
		return rc;
	}
	if (below > 0)
		pp__audit_note(db, "account %s: low-balance notice below %s, "
		    "set by binding %lld", account, pp_money_format(below,
		    amount), (long long)binding);
	else
		pp__audit_note(db, "account %s: low-balance notice off, set by "
		    "binding %lld", account, (long long)binding);
	return pp__tx_commit(db);
}

int
pp_unbind(pp_db *db, const char *account, const int64_t *ids, size_t nids,
    long *removed)
{
	int64_t id, n;
	size_t i;
	int rc;

	*removed = 0;
	if ((rc = pp__tx_begin(db)) != PP_OK)
		return rc;
	if (account && (rc = pp__query_int(db, &id, "SELECT id FROM accounts "
	    "WHERE account = ?", "t", account)) != PP_OK) {
		pp__tx_rollback(db);
		return rc == PP_EDATA ? pp__fail(db, rc, "no account \"%s\"",
		    pp_q(account)) : rc;
	}
	if (account && ((rc = pp__query_int(db, &n, "SELECT count(*) FROM "
	    "web_bindings WHERE account_id = ?", "i", id)) != PP_OK ||
	    (rc = pp__exec(db, "DELETE FROM web_bindings WHERE account_id = ?",
	    "i", id)) != PP_OK))
		goto fail;
	if (account) {
		*removed = (long)n;
		pp__audit_note(db, "account %s: %ld bindings revoked", account,
		    *removed);
	}
	for (i = 0; i < nids; i++) {
		if ((rc = pp__query_int(db, &n, "SELECT account_id FROM "
		    "web_bindings WHERE id = ?", "i", ids[i])) != PP_OK) {
			if (rc == PP_EDATA)
				pp__fail(db, rc, "no binding %lld",
				    (long long)ids[i]);
			goto fail;
		}
		if ((rc = pp__exec(db, "DELETE FROM web_bindings WHERE id = ?",
		    "i", ids[i])) != PP_OK)
			goto fail;
		(*removed)++;
		pp__audit_note(db, "binding %lld revoked", (long long)ids[i]);
	}
	return pp__tx_commit(db);
fail:
	pp__tx_rollback(db);
	*removed = 0;
	return rc;
}
