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

#endif
