/*
 * codec.h: the protocol-codec layer of libprepay: exact decimal scales,
 * meter profiles and their register codec, gateway links and DL/T 645 key
 * files.  Nothing here opens the database or sees YAML, so that the frame
 * codec (dlt645.h) can be fuzzed on its own and the simulator can share
 * the codecs, and only them (doc/design.md, "Layers").
 */
#ifndef PP_CODEC_H
#define PP_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "prepay.h"

struct tm;
/* The local calendar fields of t (time.c); PP_EDATA past time_t. */
int	 pp__local_tm(int64_t t, struct tm *tm);

/* ---- profile.c: meter register maps --------------------------------- */

enum pp__regtype { PP_REG_U16, PP_REG_S16, PP_REG_U32, PP_REG_S32,
	PP_REG_F32, PP_REG_BCD };

#define PP_NAMELEN	32
#define PP_MAXVALUES	48
#define PP_MAXWRITES	16
#define PP_MAXFIELDS	8
/* A plan never needs more requests than values. */
#define PP_MAXREQS	PP_MAXVALUES
#define PP_MAXUNREAD	16
#define PP_MAXBLOCKS	16	/* DL/T 645 data blocks of a profile */

/* A decimal scale as an exact fraction: 0.01 is 1/100. */
struct pp__scale {
	int64_t	num, den;
};

/* One value the meter shows, in the registers of one function code. */
struct pp__pvalue {
	char		name[PP_NAMELEN];
	int		fc;		/* 3 holding, 4 input */
	int		address;
	enum pp__regtype	type;
	int		words;		/* registers it takes */
	struct pp__scale	scale;		/* registers to natural units */
	/* protocol dlt645: bytes [offset, offset + bytes) of DI's data */
	uint32_t	di;
	int		offset, bytes;
	int		flags;		/* PP_645_SIGNED */
	uint32_t	mask;		/* a status word: (word & mask) != 0 */
	int		invert;		/* ... == 0 instead */
	int		slow;		/* class slow: read every Nth poll */
};

/* One field of a write: a constant, or a command's argument. */
struct pp__pfield {
	enum pp__regtype	type;
	int		words;
	struct pp__scale	scale;
	char		arg[PP_NAMELEN];	/* "" for a constant */
	int64_t		value;
	/* protocol dlt645: each field is a write (0x14) of its own DI */
	uint32_t	di;
	int		bytes, flags;
};

/* A value to read back after a write, equal to a constant or an argument. */
struct pp__confirm {
	char	value[PP_NAMELEN];
	char	arg[PP_NAMELEN];	/* "" for a constant */
	int64_t	equals;
};

struct pp__pwrite {
	char			name[16];
	int			fc;		/* 6 or 16 */
	int			address;
	int			nfields;
	struct pp__pfield	fields[PP_MAXFIELDS];
	int			nconfirm;
	struct pp__confirm	confirm[PP_MAXFIELDS];
	int			relay;		/* dlt645: N1 of a 0x1C */
	int			broadcast;	/* dlt645: time by 0x08 */
};

struct pp__profile {
	char			name[PP_KEYMAX];
	char			protocol[16];
	int			high_first;	/* word order of 32-bit values */
	int			max_gap;	/* cap on registers read through;
						   -1: none */
	int			nunread;	/* ranges the meter refuses */
	struct pp__unread {
		int	fc, from, to;		/* registers from..to */
	}			unread[PP_MAXUNREAD];
	int			nvalues;
	struct pp__pvalue	values[PP_MAXVALUES];
	/* dlt645: the data blocks (DI1 FF) the meter type answers */
	int			nblocks;
	uint32_t		blocks[PP_MAXBLOCKS];
	int			nwrites;
	struct pp__pwrite	writes[PP_MAXWRITES];
};

/* One read request: registers [address, address + count) of fc. */
struct pp__request {
	int	fc, address, count;
};

/* Where profiles live: $PREPAY_PROFILES, else the installed directory. */
const char *pp__profile_dir(void);
int	 pp__profile_load(const char *name, struct pp__profile *p, char *err,
	    size_t errlen);
const struct pp__pvalue *pp__profile_value(const struct pp__profile *p,
	    const char *name);
const struct pp__pwrite *pp__profile_write(const struct pp__profile *p,
	    const char *command);
/*
 * The mask of p's values to read (bit i: p->values[i]): the fast class,
 * or with all every value (doc/design.md, "Value classes").
 */
uint64_t pp__profile_class_mask(const struct pp__profile *p, int all);
/* Does a read of count registers of fc from address avoid p's unreadable? */
int	 pp__profile_readable(const struct pp__profile *p, int fc, int address,
	    int count);
/*
 * Our integer units per natural unit of a value name (kWh: 1000 Wh), or 0
 * for a name we do not know.
 */
int64_t	 pp__value_factor(const char *name);
/* A value in our integer units as text: "230.5", "closed", "12.30". */
void	 pp__value_format(const char *name, int64_t v, char *buf, size_t len);
/* Registers to our integer units, and back. */
int	 pp__regs_decode(int high_first, enum pp__regtype type, int words,
	    struct pp__scale scale, int64_t factor, const uint16_t *regs,
	    int64_t *out);
int	 pp__regs_encode(int high_first, enum pp__regtype type, int words,
	    struct pp__scale scale, int64_t factor, int64_t value,
	    uint16_t *regs);

/* ---- link.c: serial ports and TCP converters, byte by byte ------------ */

/* A gateway's address: tcp://HOST:PORT or serial:/dev/X?baud=...&... */
struct pp__link_addr {
	int	tcp;
	char	host[256], port[8];
	char	device[256];
	long	baud;		/* serial settings; 0: not given */
	char	parity;		/* 'N', 'E', 'O' */
	int	data, stop;
};

/* PP_EDATA with err ("\"ADDRESS\": why") for an address of no use. */
int	 pp__link_addr_parse(const char *address, struct pp__link_addr *a,
	    char *err, size_t errlen);
/* The protocol's settings for what the address leaves out. */
void	 pp__link_addr_defaults(struct pp__link_addr *a, long baud, char parity,
	    int data, int stop);
/* A raw, non-blocking serial port, or a connected TCP socket; -1 and err. */
int	 pp__link_serial_open(const struct pp__link_addr *a, char *err,
	    size_t errlen);
int	 pp__link_tcp_open(const struct pp__link_addr *a, int ms, char *err,
	    size_t errlen);
int64_t	 pp__link_now_ms(void);
/* All n bytes within ms, or -1 with errno. */
int	 pp__link_write(int fd, const uint8_t *b, size_t n, int ms);
/*
 * What has come within ms (0: nothing), at most cap bytes; -1 with errno
 * when the link broke (ECONNRESET: the peer hung up).
 */
ssize_t	 pp__link_read(int fd, uint8_t *b, size_t cap, int ms);
/* Drop whatever is waiting: a late answer is not the next one's. */
void	 pp__link_drain(int fd);

/* ---- plan.c: a profile's reads that take the least bus time ---------- */

/* A bus's timing: the RTU side's baud and the meters' turnaround. */
struct pp__timing {
	long	baud;
	int	turnaround_ms;
};

/* The plan of a set of values: its requests and the values each carries. */
struct pp__plan {
	int			n;
	struct pp__request	req[PP_MAXREQS];
	uint64_t		carries[PP_MAXREQS];	/* bit i: values[i] */
	int64_t			us;		/* bus time of them all */
};

/*
 * The timing of a gateway at address: a serial address's baud, else the
 * one the site gives (0: none), else 9600; turnaround_ms as given.
 */
void	 pp__plan_timing(const char *address, long baud, int turnaround_ms,
	    struct pp__timing *t);
/* The bus time of one read of count registers, in microseconds. */
int64_t	 pp__plan_request_us(const struct pp__timing *t, int count);
/*
 * The requests that read the values of mask (bit i: p->values[i]) in the
 * least bus time under the limits (doc/design.md, "Request plans").
 */
void	 pp__plan_make(const struct pp__profile *p, uint64_t mask,
	    const struct pp__timing *t, struct pp__plan *plan);
/* The mask of every value of p. */
uint64_t pp__plan_all(const struct pp__profile *p);

/* ---- keys.c: DL/T 645 passwords, from a key file outside the database -- */

struct pp_keys;

/*
 * The key file: $PREPAY_KEYS, else the database's path with ".keys".
 * Returns buf.
 */
char	*pp__keys_path(const char *dbpath, char *buf, size_t len);
/*
 * Load a key file (see prepay-profile(5)).  PP_ECONFIG with err: no such
 * file, a file that group or others may read or write (it must be mode
 * 0600), or a line that does not parse (FILE:LINE: why).  PP_EBUSY: the
 * file is another login's, and a login that can read it must send.
 */
int	 pp__keys_load(const char *path, struct pp_keys **keys, char *err,
	    size_t errlen);
void	 pp__keys_free(struct pp_keys *keys);
/*
 * The password PA P0 P1 P2 and operator code C0..C3 for a meter: its own
 * line, else its gateway's, else "gateway *".  PP_ECONFIG with err when
 * there is none, or when the level (98, 99) needs the utility's ESAM.
 */
int	 pp__keys_find(const struct pp_keys *keys, const char *gateway,
	    const char *meter, uint8_t pw[4], uint8_t op[4], char *err,
	    size_t errlen);
/* Does a line of the file hold for the meter, as pp__keys_find looks? */
int	 pp__keys_listed(const struct pp_keys *keys, const char *gateway,
	    const char *meter);

#endif /* PP_CODEC_H */
