/*
 * field.h: the field layer of libprepay, which the files that talk to
 * meters share: gateways and their buses, the protocol drivers, the
 * commands that go out and the readings that come in.  The codec and
 * domain layers below (profile.c, site.c, ...) do not include it.
 */
#ifndef PP_FIELD_H
#define PP_FIELD_H

#include "internal.h"

/* ---- bus.c: gateways, their locks, and the protocol interface --------- */

struct pp__gateway {
	int64_t	id;
	char	name[PP_KEYMAX];
	char	address[256];
	int	timeout_ms;
	int	retries;
	long	baud;		/* the RTU side's, for the plan; 0: default */
	int	turnaround_ms;
};

/* Values read from a meter, or a command's arguments, by value name. */
struct pp__values {
	int	n;
	struct {
		char	name[PP_NAMELEN];
		int64_t	v;
	} item[PP_MAXVALUES];
	/*
	 * A poll's read (readclass.c): the meter's fast-only polls after
	 * it, which the reading's transaction keeps (pp__meter_mirror).
	 */
	int	counted;
	int64_t	fast_polls;
};

int	 pp__values_get(const struct pp__values *vs, const char *name,
	    int64_t *v);
void	 pp__values_set(struct pp__values *vs, const char *name, int64_t v);

/* Where a meter answers on its bus. */
struct pp__station {
	char	meter[PP_KEYMAX];	/* its number: keys and messages */
	int	unit;			/* Modbus */
	char	address[16];		/* DL/T 645: 12 digits */
	uint32_t noblocks;		/* bit k: the meter refused the
					   profile's blocks[k] */
};

/* The columns holding a meter's number, unit and address into s. */
void	 pp__station_row(pp__st *st, int meter_col, int unit_col,
	    int address_col, struct pp__station *s);

/* Why an exchange failed. */
enum pp__fault { PP_FAULT_NONE, PP_FAULT_TIMEOUT, PP_FAULT_ERROR,
	PP_FAULT_DOWN };

struct pp__bus;

/*
 * A protocol driver.  read and write return PP_OK, or PP_EUNREACH with
 * the fault set (timeout, gateway down) or PP_EDATA (the meter answered
 * with an error); err says which.
 */
struct pp__driver {
	const char	*protocol;
	int	(*read)(struct pp__bus *bus, const struct pp__station *at,
		    const struct pp__profile *p, uint64_t mask,
		    struct pp__values *out, char *err, size_t errlen);
	int	(*write)(struct pp__bus *bus, const struct pp__station *at,
		    const struct pp__profile *p, const struct pp__pwrite *w,
		    const struct pp__values *args, char *err, size_t errlen);
	void	(*close)(struct pp__bus *bus);
	/* The address of the one meter on the bus; NULL: no such frame. */
	int	(*discover)(struct pp__bus *bus, char address[16], char *err,
		    size_t errlen);
};

struct pp__bus {
	struct pp__gateway	 gw;
	struct pp__lock		*lock;
	struct pp__lock		*turn;		/* its turnstile, or NULL */
	enum pp__fault		 fault;		/* of the last exchange */
	void			*modbus;	/* the drivers' own state */
	void			*dlt645;
	int			 exchanges;
	uint32_t		 refused;	/* the last read's blocks
						   refused, as noblocks */
	char			 dbpath[1024];	/* its key file is beside it */
};

extern const struct pp__driver pp_modbus_driver;
extern const struct pp__driver pp_dlt645_driver;

/*
 * Take the gateway's lock (lock.c: a flock next to a SQLite database, an
 * advisory lock on PostgreSQL), waiting up to wait_ms; PP_EBUSY when
 * another process keeps it.
 */
int	 pp__bus_open(const char *dbpath, const struct pp__gateway *gw,
	    int wait_ms, struct pp__bus **bus, char *err, size_t errlen);
void	 pp__bus_close(struct pp__bus *bus);
/* 1: another process waits at the gateway's turnstile for its bus. */
int	 pp__bus_wanted(struct pp__bus *bus);
const struct pp__driver *pp__driver_for(const struct pp__profile *p);
/* The address the one meter of the bus gives, with the retries. */
int	 pp__bus_discover(struct pp__bus *bus, const char *protocol,
	    char address[16], char *err, size_t errlen);
/* Read the values of mask (bit i: p->values[i]) with the gateway's retries. */
int	 pp__bus_read(struct pp__bus *bus, const struct pp__station *at,
	    const struct pp__profile *p, uint64_t mask, struct pp__values *out,
	    char *err, size_t errlen);
/*
 * readclass.c: a poll's read of a meter, meter_id at at: its fast class,
 * or every value when all is set or its turn has come (slow_every); the
 * blocks it refused lately are not asked, and a new refusal is kept.  On
 * PP_OK, out says how many fast-only polls the meter has had since one of
 * everything, for pp__meter_classes_store in the reading's transaction.
 */
int	 pp__meter_read(pp_db *db, struct pp__bus *bus, int64_t meter_id,
	    const struct pp__station *at, const struct pp__profile *p,
	    int all, struct pp__values *out, char *err, size_t errlen);
/*
 * Every value of the meter (meter-ctl read, a recharge's check, a swap),
 * not asking the blocks it refused lately, and keeping a new refusal.
 */
int	 pp__meter_read_all(pp_db *db, struct pp__bus *bus, int64_t meter_id,
	    const struct pp__station *at, const struct pp__profile *p,
	    struct pp__values *out, char *err, size_t errlen);
int	 pp__meter_classes_store(pp_db *db, int64_t meter_id,
	    const struct pp__values *v);
/* Write, then read back until every confirm value holds. */
int	 pp__bus_write(struct pp__bus *bus, const struct pp__station *at,
	    const struct pp__profile *p, const struct pp__pwrite *w,
	    const struct pp__values *args, struct pp__values *after, char *err,
	    size_t errlen);
/*
 * The value a write's field carries, a constant or the command's argument,
 * and the argument's units per natural unit; PP_EUSAGE when args lack it.
 */
int	 pp__field_value(const struct pp__pwrite *w, const struct pp__pfield *f,
	    const struct pp__values *args, int64_t *v, int64_t *factor,
	    char *err, size_t errlen);
/* Load a gateway by name or id. */
int	 pp__gateway_get(pp_db *db, int64_t id, struct pp__gateway *gw);

/*
 * poll.c: one reading given by hand (balance INT64_MIN: none).  A time
 * before the meter's last reading is refused, except PP_READ_NOW: taken
 * now, it is stamped no earlier than the last reading, as a poll is.
 */
#define PP_READ_NOW	INT64_MIN
int	 pp__reading_store(pp_db *db, int64_t meter_id, int64_t time,
	    int64_t energy_wh, int64_t balance);

/* ---- command.c ---------------------------------------------------- */

/* A queued command with what it takes to send it. */
struct pp__cmd {
	int64_t	id, meter_id, gateway_id, amount, buy_count;
	int	attempts;
	struct pp__station at;
	char	meter[PP_KEYMAX], profile[PP_KEYMAX], action[16];
	char	value[128];
};

/*
 * Send one command over an open bus and record the outcome: PP_OK done,
 * PP_EBUSY still pending, PP_EDATA refused (failed).
 */
int	 pp__command_run(pp_db *db, struct pp__bus *bus,
	    const struct pp__cmd *c, const struct pp__profile *p, char *msg,
	    size_t msglen);
/* Keep what a read shows of a meter's switches and wallet. */
int	 pp__meter_mirror(pp_db *db, int64_t meter_id,
	    const struct pp__values *v);
/* The commands due on a gateway, in the order they must go. */
int	 pp__commands_due(pp_db *db, int64_t gateway_id, struct pp__cmd **list,
	    int *n);

/*
 * Give up a recharge that will never be sent (its verdict, cancelled, as
 * after the meter's refusals), inside the caller's transaction: its money
 * stays on the account, an adjust 0.00 row says so, and the meter's later
 * purchases each take the count before theirs.
 */
int	 pp__recharge_cancel(pp_db *db, int64_t id, const char *why);

/* meterval.c: the values a meter shows, typed, and their column text. */
void	 pp__meter_values_set(struct pp_meter_values *mv,
	    const struct pp__values *v);
/* The text of the value column name ("" when the meter gave none). */
void	 pp__meter_value_text(const struct pp_meter_values *mv,
	    const char *name, char *buf, size_t len);

#endif /* PP_FIELD_H */
