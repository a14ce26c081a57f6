/*
 * web.h: prepay-web's pieces, inside the library (doc/design.md,
 * "Residents").  The server (web.c) reads a request whole, finds its
 * session, and hands it to the JSON API and the platforms' notifications
 * (webapi.c: every path under /api/ and /pay/) or to the pages
 * (webpage.c: every other path).  Sessions, bindings and their limits are
 * websession.c's.  No piece prints: each fills a response the server
 * sends.
 */
#ifndef PP_WEB_H
#define PP_WEB_H

#include "internal.h"

/*
 * The server's settings: the site file's web: section (webconf.c), read
 * when prepay-web starts; defaults for what it leaves out.
 */
#define PP_WEB_PROXYMAX	16
struct pp__web_conf {
	char	 listen[128];		/* ADDR:PORT */
	/* Addresses whose X-Forwarded-For and X-Real-IP are believed. */
	char	 trusted[PP_WEB_PROXYMAX][64];
	size_t	 ntrusted;
	int	 bind_code;		/* bind_check: code, else phone4 */
	int	 session_days;		/* sliding */
	char	 public_url[256];	/* "" when none */
	int	 secure;		/* public_url is https: Secure cookies */
	char	 notify[1024];		/* the notice command, "" when none */
};

/* One request, read whole before it is handled. */
struct pp__web_req {
	pp_db		*db;
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* decoded, without the query string */
	const char	*body;		/* the raw body, NUL-terminated */
	size_t		 len;
	const char	*client;	/* the client's address */
	int64_t		 session;	/* the session's row id, 0 for none */
	/* A query-string argument of the request, or NULL. */
	const char	*(*arg)(const struct pp__web_req *req,
			    const char *name);
	/* A request header, or NULL. */
	const char	*(*header)(const struct pp__web_req *req,
			    const char *name);
	void		*conn;		/* the server's, for arg and header */
	const struct pp__web_conf *conf;
	/* The session's cookie value as it came, for the server only. */
	const char	*token;
};

/* One response: the server sends it and frees body. */
#define PP_WEB_HDRMAX	512
struct pp__web_resp {
	int	 status;		/* HTTP status */
	const char *type;		/* "text/html; charset=utf-8", ... */
	char	*body;			/* malloc'd */
	size_t	 len;
	char	 location[PP_WEB_HDRMAX];	/* a redirect's, or "" */
	char	 cookie[PP_WEB_HDRMAX];		/* Set-Cookie's value, or "" */
	int	 retry_after;		/* seconds, for a 429; 0: none */
	/* Why a refusal or failure, one line for the log; no secret. */
	char	 log[PP_ERRMAX];
};

/* webpage.c: a page for a resident, for every path not under /api/, /pay/. */
int	 pp__web_page(const struct pp__web_req *req, struct pp__web_resp *resp);

/* webapi.c: the JSON API and the platforms' notifications. */
int	 pp__web_api(const struct pp__web_req *req, struct pp__web_resp *resp);

/*
 * websession.c: whether a session has bound an account: 1 bound, 0 not,
 * or -PP_E... (a negative code, the message set) on an error.
 */
int	 pp__web_bound(pp_db *db, int64_t session, const char *account);
/* The accounts a session has bound, in the order bound; free *list. */
int	 pp__web_accounts(pp_db *db, int64_t session,
	    char (**list)[PP_KEYMAX], size_t *n);

/* webconf.c: the defaults; a web: mapping read over them. */
void	 pp__web_conf_default(struct pp__web_conf *c);
int	 pp__web_conf_parse(struct pp__yaml *y, const yaml_node_t *map,
	    struct pp__web_conf *c);
/* The web: section of a site file (or of a file of that section alone). */
int	 pp__web_conf_load(const char *path, struct pp__web_conf *c, char *err,
	    size_t errlen);

/* websession.c: sessions by their cookie's token (64 hex digits). */
#define PP_WEB_TOKEN	65
/*
 * The session of a token, its expiry slid forward: *session 0 when the
 * token names none or an expired one (purged).  *slid: the expiry moved,
 * so that the cookie is sent again.
 */
int	 pp__web_session_find(pp_db *db, const struct pp__web_conf *c,
	    const char *token, int64_t *session, int *slid);
/* The Set-Cookie value for token, or one that ends the cookie (NULL). */
void	 pp__web_cookie(const struct pp__web_conf *c, const char *token,
	    char *buf, size_t len);
/* End a session and its bindings. */
int	 pp__web_session_end(pp_db *db, int64_t session);

/*
 * Bind account to the session (a new one when *session is 0, its token
 * then in token): PP_OK; PP_EPERM for a wrong check, an unknown or closed
 * account or one without a phone, alike; PP_EBUSY over the limits, with
 * *retry_after in seconds.  A refusal is counted in bind_failures.
 */
struct pp__web_bind_req {
	const char	*account;
	const char	*check;
	const char	*client;
};
int	 pp__web_bind(pp_db *db, const struct pp__web_conf *c,
	    const struct pp__web_bind_req *req, int64_t *session,
	    char token[PP_WEB_TOKEN], int *retry_after);
/*
 * Send a one-time code for account by the notice command: PP_OK whether
 * or not the account could take one (nothing learned), PP_EBUSY over the
 * limits, PP_ECONFIG when the site binds by phone or has no command.
 */
int	 pp__web_bind_code(pp_db *db, const struct pp__web_conf *c,
	    const char *account, const char *client, int *retry_after);
/* The binding of a bound account for its session: its id. */
int	 pp__web_binding(pp_db *db, int64_t session, const char *account,
	    int64_t *binding);
/* A resident's low-balance threshold: fen, -1 when none set. */
int	 pp__web_notice_get(pp_db *db, const char *account, int64_t *below);
int	 pp__web_notice_set(pp_db *db, const char *account, int64_t below,
	    int64_t binding);

#endif
