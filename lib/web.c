/*
 * web.c: prepay-web's server on libmicrohttpd (doc/design.md,
 * "Residents").  A pool of threads serves; each has its own database
 * handle.  A request is read whole (a body past WEB_BODYMAX is 413),
 * its client found (a trusted proxy's forwarded address), its session
 * found by the cookie; then the JSON API and the notifications
 * (webapi.c: /api/ and /pay/) or the pages (webpage.c) fill the response,
 * which goes out with the security headers every answer has.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "web.h"

#define WEB_BODYMAX	(64 * 1024)
#define WEB_THREADS	8
#define WEB_CONNMAX	512
#define WEB_TIMEOUT	30	/* seconds a connection may idle */
#define WEB_DRAIN	10	/* seconds the requests in flight may take */

struct pp_web {
	struct MHD_Daemon	*mhd;
	int			 fd;	/* the listening socket */
	struct pp__web_conf	 conf;
	char			 dbpath[1024];
	char			 address[160];
	char			*const *argv;
	int			 argc;
	void			(*log)(void *, const char *);
	void			*arg;
	pthread_key_t		 key;	/* the thread's pp_db */
	pthread_mutex_t		 lock;
	pp_db			**dbs;	/* every handle opened */
	size_t			 ndbs, capdbs;
	long			 busy;	/* requests in flight */
};

/* One connection's request as it is read. */
struct conn {
	char	*body;
	size_t	 len, cap;
	int	 too_big;
	int	 counted;
};

static void
web_log(struct pp_web *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
web_log(struct pp_web *w, const char *fmt, ...)
{
	char line[PP_ERRMAX * 2], safe[PP_ERRMAX * 2];
	va_list ap;

	if (w->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->log(w->arg, pp_oneline(safe, sizeof(safe), line));
}

/* db, closed, off the list the server closes at its end. */
static void
thread_db_drop(struct pp_web *w, pp_db *db)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->ndbs && w->dbs[i] != db; i++)
		;
	if (i < w->ndbs)
		w->dbs[i] = w->dbs[--w->ndbs];
	pthread_mutex_unlock(&w->lock);
	pthread_setspecific(w->key, NULL);
	pp_db_close(db);
}

/*
 * This thread's database handle, opened on its first request, and again
 * after its server was lost: a PostgreSQL server restarted, or a standby
 * promoted behind a URI naming both hosts (doc/postgresql.md, "Standby"),
 * is found again without restarting the web.
 */
static pp_db *
thread_db(struct pp_web *w)
{
	pp_db *db = pthread_getspecific(w->key);
	int rc;

	if (db && pp_db_lost(db)) {
		web_log(w, "the database server was lost: connecting again");
		thread_db_drop(w, db);
		db = NULL;
	}
	if (db)
		return db;
	if ((rc = pp_db_open(&db, w->dbpath, 0)) != PP_OK ||
	    (rc = pp_audit_begin(db, "prepay-web", w->argc, w->argv)) !=
	    PP_OK) {
		web_log(w, "%s", db ? pp_errmsg(db) : "out of memory");
		pp_db_close(db);
		return NULL;
	}
	/* Its writes are the web's; a payment's are its channel's. */
	snprintf(db->login, sizeof(db->login), "web");
	pthread_mutex_lock(&w->lock);
	if (pp_grow(&w->dbs, &w->capdbs, w->ndbs + 1, sizeof(*w->dbs)) !=
	    PP_OK) {
		pthread_mutex_unlock(&w->lock);
		pp_db_close(db);
		return NULL;
	}
	w->dbs[w->ndbs++] = db;
	pthread_mutex_unlock(&w->lock);
	pthread_setspecific(w->key, db);
	return db;
}

static const char *
req_arg(const struct pp__web_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

static const char *
req_header(const struct pp__web_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* The peer's address, numeric. */
static void
peer(struct MHD_Connection *c, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(buf, len, "unknown");
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || (sa = ci->client_addr) == NULL)
		return;
	if (getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), buf, len,
	    NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "unknown");
}

/* The last address of a forwarded list, when it is one. */
static int
forwarded(const char *list, char *buf, size_t len)
{
	unsigned char a[sizeof(struct in6_addr)];
	const char *s = strrchr(list, ',');
	char one[64];
	size_t n;

	s = s ? s + 1 : list;
	s += strspn(s, " \t");
	n = strcspn(s, " \t");
	if (n == 0 || n >= sizeof(one))
		return 0;
	memcpy(one, s, n);
	one[n] = '\0';
	if (inet_pton(AF_INET, one, a) != 1 && inet_pton(AF_INET6, one, a) !=
	    1)
		return 0;
	snprintf(buf, len, "%s", one);
	return 1;
}

/*
 * The client: the peer, or, when the peer is a trusted proxy, the
 * address it forwarded (X-Forwarded-For's last, else X-Real-IP).
 */
static void
client_of(const struct pp_web *w, struct MHD_Connection *c, char *buf,
    size_t len)
{
	const char *v;
	size_t i;

	peer(c, buf, len);
	for (i = 0; i < w->conf.ntrusted; i++)
		if (strcmp(buf, w->conf.trusted[i]) == 0)
			break;
	if (i == w->conf.ntrusted)
		return;
	if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Forwarded-For")) && forwarded(v, buf, len))
		return;
	if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "X-Real-IP")))
		forwarded(v, buf, len);
}

/* A response of the server's own (413, 500, ...), in JSON. */
static void
own_answer(struct pp__web_resp *resp, int status, const char *message)
{
	resp->status = status;
	resp->type = "application/json";
	free(resp->body);
	if (asprintf(&resp->body, "{\"code\":\"FAIL\",\"message\":\"%s\"}",
	    message) < 0)
		resp->body = NULL;
	resp->len = resp->body ? strlen(resp->body) : 0;
	snprintf(resp->log, sizeof(resp->log), "%s", message);
}

static int
is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	    strncmp(path, "/pay/", 5) == 0;
}

/*
 * A request the database failed: 503 when another try may succeed (busy,
 * or its server lost, which the thread's next request connects to
 * again), else 500.  The log has the why; the answer only what.
 */
static void
db_failed(struct pp__web_req *req, struct pp__web_resp *resp, int rc,
    const char *what)
{
	if (pp_db_lost(req->db))
		own_answer(resp, 503, "the database server was lost");
	else
		own_answer(resp, rc == PP_EBUSY ? 503 : 500, what);
}

/* Find the session, hand the request on, refresh the cookie if it slid. */
static void
dispatch(struct pp_web *w, struct pp__web_req *req, struct pp__web_resp *resp)
{
	int slid = 0, rc;

	if ((rc = pp__web_session_find(req->db, &w->conf, req->token,
	    &req->session, &slid)) != PP_OK) {
		web_log(w, "session: %s", pp_errmsg(req->db));
		db_failed(req, resp, rc, "the session could not be read");
		return;
	}
	rc = is_api(req->path) ? pp__web_api(req, resp) :
	    pp__web_page(req, resp);
	if (rc != PP_OK) {
		web_log(w, "%s %s: %s", req->method, req->path,
		    pp_errmsg(req->db));
		db_failed(req, resp, rc, "internal error");
		resp->log[0] = '\0';
		return;
	}
	if (slid && req->session && resp->cookie[0] == '\0')
		pp__web_cookie(&w->conf, req->token, resp->cookie,
		    sizeof(resp->cookie));
}

static int
add(struct MHD_Response *r, const char *name, const char *value)
{
	return MHD_add_response_header(r, name, value) == MHD_YES;
}

/* The response with the headers every answer has. */
static enum MHD_Result
send_resp(struct MHD_Connection *c, const char *path,
    struct pp__web_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char n[16];
	int ok;

	r = MHD_create_response_from_buffer(resp->len, resp->body ? resp->body :
	    "", resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(resp->body);
		return MHD_NO;
	}
	resp->body = NULL;
	ok = add(r, "X-Content-Type-Options", "nosniff") &&
	    add(r, "X-Frame-Options", "DENY") &&
	    add(r, "Referrer-Policy", "same-origin") &&
	    add(r, "Content-Security-Policy", "default-src 'self'; "
	    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
	/* The pages link the static files by a version of their content. */
	if (ok)
		ok = add(r, "Cache-Control", strncmp(path, "/static/", 8) != 0 ||
		    resp->status != 200 ? "no-store" :
		    "public, max-age=31536000, immutable");
	if (ok && resp->type)
		ok = add(r, "Content-Type", resp->type);
	if (ok && resp->location[0])
		ok = add(r, "Location", resp->location);
	if (ok && resp->cookie[0])
		ok = add(r, "Set-Cookie", resp->cookie);
	if (ok && resp->retry_after > 0) {
		snprintf(n, sizeof(n), "%d", resp->retry_after);
		ok = add(r, "Retry-After", n);
	}
	ret = ok ? MHD_queue_response(c, (unsigned)resp->status, r) : MHD_NO;
	MHD_destroy_response(r);
	return ret;
}

/* Take a piece of the body; past the limit it is dropped, and 413. */
static void
take_body(struct conn *cn, const char *data, size_t size)
{
	char *grown;
	size_t cap;

	if (cn->too_big || cn->len + size > WEB_BODYMAX) {
		cn->too_big = 1;
		return;
	}
	if (cn->len + size + 1 > cn->cap) {
		cap = cn->cap ? cn->cap : 4096;
		while (cap < cn->len + size + 1)
			cap *= 2;
		if ((grown = realloc(cn->body, cap)) == NULL) {
			cn->too_big = 1;
			return;
		}
		cn->body = grown;
		cn->cap = cap;
	}
	memcpy(cn->body + cn->len, data, size);
	cn->len += size;
	cn->body[cn->len] = '\0';
}

/* A request's first call: its state, and a Content-Length too large. */
static struct conn *
conn_new(struct pp_web *w, struct MHD_Connection *c)
{
	struct conn *cn;
	const char *cl;

	if ((cn = calloc(1, sizeof(*cn))) == NULL)
		return NULL;
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > WEB_BODYMAX)
		cn->too_big = 1;
	pthread_mutex_lock(&w->lock);
	w->busy++;
	pthread_mutex_unlock(&w->lock);
	cn->counted = 1;
	return cn;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct pp_web *w = cls;
	struct conn *cn = *con_cls;
	struct pp__web_req req;
	struct pp__web_resp resp;
	char client[64];

	(void)version;
	if (cn == NULL) {
		if ((*con_cls = cn = conn_new(w, c)) == NULL)
			return MHD_NO;
		/* Too large by its Content-Length: 413 before it comes. */
		if (!cn->too_big)
			return MHD_YES;
	}
	if (*upload_size) {
		take_body(cn, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	client_of(w, c, client, sizeof(client));
	if (cn->too_big)
		own_answer(&resp, 413, "the body is larger than 64 KiB");
	else if ((req.db = thread_db(w)) == NULL)
		own_answer(&resp, 503, "the database cannot be opened");
	else {
		req.method = method;
		req.path = url;
		req.body = cn->body ? cn->body : "";
		req.len = cn->len;
		req.client = client;
		req.arg = req_arg;
		req.header = req_header;
		req.conn = c;
		req.conf = &w->conf;
		req.token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND,
		    "pp_session");
		dispatch(w, &req, &resp);
	}
	if (resp.status == 0)
		own_answer(&resp, 500, "no answer");
	if (resp.log[0])
		web_log(w, "%s %s %s: %d: %s", client, method, url, resp.status,
		    resp.log);
	return send_resp(c, url, &resp);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct pp_web *w = cls;
	struct conn *cn = *con_cls;

	(void)c;
	(void)toe;
	if (cn == NULL)
		return;
	if (cn->counted) {
		pthread_mutex_lock(&w->lock);
		w->busy--;
		pthread_mutex_unlock(&w->lock);
	}
	free(cn->body);
	free(cn);
	*con_cls = NULL;
}

/* ADDR:PORT or [ADDR6]:PORT into a socket address. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[128], *end;
	const char *colon;
	unsigned long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		colon++;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || port > 65535)
		return -1;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*sl = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* Bind and listen; the address as it came out (port 0: the one given). */
static int
listen_on(struct pp_web *w, const char *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[INET6_ADDRSTRLEN], port[8];
	int one = 1;

	if (parse_listen(addr, &ss, &sl) != 0) {
		snprintf(err, errlen, "listen \"%s\": give ADDR:PORT or "
		    "[ADDR6]:PORT", pp_q(addr));
		return PP_EUSAGE;
	}
	if ((w->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
	    -1 || setsockopt(w->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) == -1 || bind(w->fd, (struct sockaddr *)&ss, sl) == -1
	    || listen(w->fd, 128) == -1 || getsockname(w->fd,
	    (struct sockaddr *)&ss, &sl) == -1 || getnameinfo((struct sockaddr
	    *)&ss, sl, host, sizeof(host), port, sizeof(port), NI_NUMERICHOST |
	    NI_NUMERICSERV) != 0) {
		snprintf(err, errlen, "listen %s: %s", pp_q(addr),
		    strerror(errno));
		return PP_EUNREACH;
	}
	snprintf(w->address, sizeof(w->address), ss.ss_family == AF_INET6 ?
	    "[%s]:%s" : "%s:%s", host, port);
	return PP_OK;
}

/* The database must open, and be migrated, before anyone is served. */
static int
db_check(struct pp_web *w, char *err, size_t errlen)
{
	pp_db *db;
	int rc;

	if ((rc = pp_db_open(&db, w->dbpath, 0)) != PP_OK)
		snprintf(err, errlen, "%s", db ? pp_errmsg(db) :
		    "out of memory");
	pp_db_close(db);
	return rc;
}

static void
web_free(struct pp_web *w)
{
	size_t i;

	for (i = 0; i < w->ndbs; i++)
		pp_db_close(w->dbs[i]);
	free(w->dbs);
	if (w->fd != -1)
		close(w->fd);
	pthread_key_delete(w->key);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int
pp_web_start(const struct pp_web_opts *o, pp_web **wp, char *err,
    size_t errlen)
{
	struct pp_web *w;
	int rc;

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return PP_EINTERNAL;
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	pthread_key_create(&w->key, NULL);
	w->argc = o->argc;
	w->argv = o->argv;
	w->log = o->log;
	w->arg = o->arg;
	snprintf(w->dbpath, sizeof(w->dbpath), "%s", o->dbpath);
	pp__web_conf_default(&w->conf);
	if ((o->config && (rc = pp__web_conf_load(o->config, &w->conf, err,
	    errlen)) != PP_OK) || (rc = db_check(w, err, errlen)) != PP_OK ||
	    (rc = listen_on(w, o->listen ? o->listen : w->conf.listen, err,
	    errlen)) != PP_OK) {
		web_free(w);
		return rc;
	}
	w->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, handle, w,
	    MHD_OPTION_LISTEN_SOCKET, w->fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)WEB_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNMAX,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, w,
	    MHD_OPTION_END);
	if (w->mhd == NULL) {
		snprintf(err, errlen, "listen %s: the HTTP server did not "
		    "start", w->address);
		web_free(w);
		return PP_EINTERNAL;
	}
	*wp = w;
	return PP_OK;
}

const char *
pp_web_address(const pp_web *w)
{
	return w->address;
}

void
pp_web_stop(pp_web *w)
{
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	long busy;
	int i;

	if (w == NULL)
		return;
	/* No new connection; those open finish what they asked. */
	if (MHD_quiesce_daemon(w->mhd) != MHD_INVALID_SOCKET)
		w->fd = -1;
	for (i = 0; i < WEB_DRAIN * 50; i++) {
		pthread_mutex_lock(&w->lock);
		busy = w->busy;
		pthread_mutex_unlock(&w->lock);
		if (busy == 0)
			break;
		nanosleep(&tick, NULL);
	}
	MHD_stop_daemon(w->mhd);
	web_free(w);
}
