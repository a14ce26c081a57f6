/*
 * dlt645.h: the DL/T 645-2007 frame codec, as the standard writes it.
 *
 * On the wire a frame is
 *
 *	[FE FE FE FE] 68 A0 A1 A2 A3 A4 A5 68 C L DATA... CS 16
 *
 * with the address lowest byte first, every DATA byte carried +0x33, and CS
 * the byte sum mod 256 from the first 68 up to the byte before CS.  A
 * struct pp__645_frame holds the data as the meter means it: the 0x33 is
 * already taken off.  Multi-byte numbers in the data (DI, BCD values,
 * passwords, times) are lowest byte first as well.
 *
 * Nothing here does I/O; the driver puts the bytes on the bus.
 */
#ifndef PP_DLT645_H
#define PP_DLT645_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define PP_645_DATAMAX	200	/* L: the most data a frame carries */
#define PP_645_PREAMBLE	4	/* the most FE bytes before a frame */
/* The longest frame, FE preamble included: 4 + 12 + 200. */
#define PP_645_FRAMEMAX	(PP_645_PREAMBLE + 12 + PP_645_DATAMAX)

/* pp__645_decode: the buffer holds no whole frame yet; read on. */
#define PP_645_MORE	(-1)

struct pp__645_frame {
	uint8_t	addr[6];		/* A0..A5, lowest byte first */
	uint8_t	control;		/* C */
	uint8_t	len;			/* L, at most PP_645_DATAMAX */
	uint8_t	data[PP_645_DATAMAX];	/* without the +0x33 */
};

/* ---- control codes -------------------------------------------------- */

/* C: bit 7 direction, bit 6 error reply, bit 5 follow-up, bits 0-4 code. */
#define PP_645_C_REPLY	0x80	/* sent by the meter */
#define PP_645_C_ERROR	0x40	/* an error reply: data is the error byte */
#define PP_645_C_MORE	0x20	/* follow-up frames come (0x12 reads them) */
#define PP_645_C_CODE	0x1F

enum {
	PP_645_TIME = 0x08,		/* broadcast time sync, no reply */
	PP_645_READ = 0x11,		/* replies 0x91, 0xB1, 0xD1 */
	PP_645_READ_MORE = 0x12,	/* replies 0x92, 0xB2, 0xD2 */
	PP_645_READ_ADDR = 0x13,	/* reply 0x93 */
	PP_645_WRITE = 0x14,		/* replies 0x94, 0xD4 */
	PP_645_RELAY = 0x1C		/* replies 0x9C, 0xDC */
};

/* N1 of a relay control frame (0x1C). */
enum {
	PP_645_TRIP = 0x1A,		/* 跳闸 */
	PP_645_CLOSE_ALLOW = 0x1B,	/* 合闸允许: the user presses the key */
	PP_645_CLOSE = 0x1C,		/* 直接合闸 */
	PP_645_KEEP = 0x3A,		/* 保电: never trip */
	PP_645_KEEP_OFF = 0x3B		/* 保电解除 */
};

/* The bits of an error reply's error byte (ERR). */
enum {
	PP_645_ERR_OTHER = 0x01,
	PP_645_ERR_NODATA = 0x02,
	PP_645_ERR_PASSWORD = 0x04,
	PP_645_ERR_BAUD = 0x08,
	PP_645_ERR_ZONES = 0x10,
	PP_645_ERR_PERIODS = 0x20,
	PP_645_ERR_RATES = 0x40,
	PP_645_ERR_RESERVED = 0x80
};

/* ---- frames --------------------------------------------------------- */

/*
 * Put f on the wire after preamble (0-4) FE bytes: *n bytes of out.
 * PP_EUSAGE for a preamble out of range, PP_EDATA for f->len past
 * PP_645_DATAMAX, PP_EINTERNAL when cap is too small (PP_645_FRAMEMAX
 * always does).
 */
int	 pp__645_encode(const struct pp__645_frame *f, int preamble,
	    uint8_t *out, size_t cap, size_t *n);

/*
 * Find the first frame in buf[0..n).  Bytes before the first 68, FE among
 * them, are skipped.  Returns
 *
 *	PP_OK		a frame in *f; *used bytes (through its 16) are done;
 *	PP_645_MORE	no whole frame yet: read on; the first *used bytes
 *			are no frame's and may be dropped;
 *	PP_EDATA	the 68 at *used - 1 starts no good frame (no second
 *			68, L past 200, a bad CS, no 16): err says which.
 *
 * A reader drops *used bytes and calls again, after PP_EDATA too, since a
 * 68 in line noise looks like a frame's start.  *used is at least 1 after
 * PP_OK and PP_EDATA, so such a loop always ends.  buf is never read at or
 * past n; err may be NULL.
 */
int	 pp__645_decode(const uint8_t *buf, size_t n, struct pp__645_frame *f,
	    size_t *used, char *err, size_t errlen);

/* ---- addresses ------------------------------------------------------ */

#define PP_645_ADDRBUF	13	/* 12 characters and the NUL */

extern const uint8_t pp_645_addr_wild[6];	/* AA x 6: anyone (0x13) */
extern const uint8_t pp_645_addr_broadcast[6];	/* 99 x 6: everyone */

/*
 * The meter number as printed on the meter, most significant digit first,
 * "002241020208", into A0..A5 (08 02 02 41 22 00).  Fewer than 12 digits
 * are padded with 0 in front, as the standard says.  A leading run of AA
 * bytes is the wildcard for the digits not given: "AAAAAAAAAAAA",
 * "AAAA41020208".  PP_EDATA with err otherwise.
 */
int	 pp__645_addr_parse(const char *text, uint8_t addr[6], char *err,
	    size_t errlen);
/* 12 characters, most significant first; a byte of no BCD shows in hex. */
char	*pp__645_addr_format(const uint8_t addr[6], char buf[PP_645_ADDRBUF]);
int	 pp__645_addr_is_broadcast(const uint8_t addr[6]);
/*
 * The address a reply comes from answers the address asked: equal, where
 * an AA byte asked matches any BCD byte.  A reply never comes from a
 * wildcard or broadcast address.
 */
int	 pp__645_addr_match(const uint8_t asked[6], const uint8_t got[6]);

/* ---- data identifiers ----------------------------------------------- */

#define PP_645_DIBUF	9

/* "04000402" (DI3 DI2 DI1 DI0, hex) into DI0..DI3: 02 04 00 04. */
int	 pp__645_di_parse(const char *text, uint8_t di[4], char *err,
	    size_t errlen);
char	*pp__645_di_format(const uint8_t di[4], char buf[PP_645_DIBUF]);
/* The DI as the number it is written as, 0x04000402, and back. */
uint32_t pp__645_di_get(const uint8_t di[4]);
void	 pp__645_di_put(uint32_t v, uint8_t di[4]);

/* ---- data blocks ----------------------------------------------------- */

/*
 * A data block of the standard: DI1 FF asks, in one reply, the items
 * DI1 = first .. first + count - 1 of the same DI3 DI2 DI0, each of the
 * item's bytes, in that order.  0001FF00 is forward active energy, total
 * and rates 1-4: 00010000, 00010100 ... 00010400, 4 bytes each.  A meter
 * with fewer rates sends fewer items; the reply's length tells.
 */
struct pp__645_block {
	uint32_t	 di;		/* the block's DI, DI1 = FF */
	int		 first, count;	/* DI1 of its first item; items */
	int		 bytes;		/* each item's */
	const char	*what;
};

/* The block of DI (DI1 FF); NULL for one the standard does not define. */
const struct pp__645_block *pp__645_block_find(uint32_t di);
/* The item of b that di is (0, 1, ...), or -1 for none. */
int	 pp__645_block_item(const struct pp__645_block *b, uint32_t di);

/* ---- BCD values ----------------------------------------------------- */

/*
 * In DL/T 645-2007 energy, current, power, power factor and the combined
 * energy are signed: the highest bit of the highest byte is the sign, and
 * the rest is the magnitude in BCD.  Other values are plain BCD.
 */
#define PP_645_SIGNED	1

/*
 * nbytes (1-8) of BCD at p, lowest byte first, into the integer it spells
 * (no decimal point): 78 56 34 12 is 12345678.  PP_EDATA when a nibble is
 * above 9; with PP_645_SIGNED, the top bit is the sign instead.
 */
int	 pp__645_bcd_get(const uint8_t *p, int nbytes, int flags, int64_t *raw);
/* And back; PP_EDATA when raw does not fit (or is negative unsigned). */
int	 pp__645_bcd_put(int64_t raw, int nbytes, int flags, uint8_t *p);

/*
 * A value in our integer units: raw * scale * factor, rounded half away
 * from zero, as pp__regs_decode() does.  XXXXXX.XX kWh is nbytes 4, scale
 * 1/100, factor 1000: 78 56 34 12 is 123456.78 kWh, 123456780 Wh.
 * PP_EDATA for a non-BCD nibble or a value past int64.
 */
int	 pp__645_value_get(const uint8_t *p, int nbytes, int flags,
	    struct pp__scale scale, int64_t factor, int64_t *out);
int	 pp__645_value_put(int64_t value, int nbytes, int flags,
	    struct pp__scale scale, int64_t factor, uint8_t *p);
/*
 * A data format as the standard writes it, "XXXXXX.XX", "XX.XXXX", "NNNN":
 * an even number of digits (X or N), at most 16, with at most one point.
 * Gives its bytes and its scale (0.01 is 1/100); PP_ECONFIG otherwise.
 */
int	 pp__645_format_parse(const char *fmt, int *nbytes,
	    struct pp__scale *scale);

/* nbytes (1-8) at p as an unsigned number, lowest byte first: a status word. */
uint64_t pp__645_bin_get(const uint8_t *p, int nbytes);

/* ---- times ---------------------------------------------------------- */

/* A local wall time, year 2000-2099: what YYMMDDhhmmss can say. */
struct pp__645_time {
	int	year, month, day, hour, min, sec;
};

/* The local time of Unix seconds t; PP_EDATA outside 2000-2099. */
int	 pp__645_time_local(int64_t t, struct pp__645_time *tm);
/* ssmmhhDDMMYY, 6 BCD bytes lowest first; PP_EDATA for no real time. */
int	 pp__645_time_put(const struct pp__645_time *tm, uint8_t out[6]);
int	 pp__645_time_get(const uint8_t in[6], struct pp__645_time *tm);

/* ---- passwords and operator codes ----------------------------------- */

/*
 * A password "PPPPPPPP" of 8 hex digits: the level PA then P2 P1 P0, so
 * "02123456" goes on the wire as PA P0 P1 P2 = 02 56 34 12.  Levels 98
 * and 99 need the utility's encryption machine (ESAM identity
 * authentication) and are refused with PP_ECONFIG, saying so; other bad
 * text is PP_EDATA.
 */
int	 pp__645_password_parse(const char *text, uint8_t pw[4], char *err,
	    size_t errlen);
/* An operator code of 8 hex digits, C3 first, into C0..C3. */
int	 pp__645_operator_parse(const char *text, uint8_t op[4], char *err,
	    size_t errlen);

/* ---- request builders ----------------------------------------------- */

/* 0x11: read DI. */
void	 pp__645_build_read(struct pp__645_frame *f, const uint8_t addr[6],
	    const uint8_t di[4]);
/* 0x12: the follow-up frame seq (1, 2, ...) of a read of DI. */
void	 pp__645_build_read_more(struct pp__645_frame *f, const uint8_t addr[6],
	    const uint8_t di[4], uint8_t seq);
/* 0x13: who is there, to AA x 6; one meter on the bus answers. */
void	 pp__645_build_read_addr(struct pp__645_frame *f);
/*
 * 0x14: write n bytes of data (already in meter form, lowest byte first)
 * to DI, with a password PA P0 P1 P2 and an operator code C0..C3.
 * PP_EDATA when the frame would pass PP_645_DATAMAX.
 */
int	 pp__645_build_write(struct pp__645_frame *f, const uint8_t addr[6],
	    const uint8_t di[4], const uint8_t pw[4], const uint8_t op[4],
	    const uint8_t *data, size_t n);
/* 0x08: set every meter's clock, to 99 x 6; PP_EDATA for no real time. */
int	 pp__645_build_time(struct pp__645_frame *f,
	    const struct pp__645_time *tm);
/*
 * 0x1C: relay control N1 (PP_645_TRIP...), N2 (reserved, 00), valid until
 * the time N3..N8.  PP_EDATA for an N1 not listed above or no real time.
 */
int	 pp__645_build_relay(struct pp__645_frame *f, const uint8_t addr[6],
	    const uint8_t pw[4], const uint8_t op[4], uint8_t n1, uint8_t n2,
	    const struct pp__645_time *until);

/* ---- replies -------------------------------------------------------- */

/*
 * Does rep answer req?  It must come from the meter, with req's code and
 * from the address asked (pp__645_addr_match), and a read reply must echo
 * the DI (and a follow-up its sequence number).  Returns PP_OK (*more
 * set when follow-up frames come), or PP_EDATA: an error reply (*errbyte
 * is its error byte, -1 for any other refusal) or a reply that does not
 * fit; err says which.  more and errbyte may be NULL.
 */
int	 pp__645_reply_check(const struct pp__645_frame *req,
	    const struct pp__645_frame *rep, int *more, int *errbyte,
	    char *err, size_t errlen);

/* The data of a read reply (0x91, 0xB1, 0x92, 0xB2) past its DI. */
const uint8_t *pp__645_reply_data(const struct pp__645_frame *rep,
	    size_t *n);

/* ---- texts ---------------------------------------------------------- */

/*
 * The meaning of an error byte, every bit set in it, in one line:
 * "no data requested or data not found; password error or no authority".
 * The text lives until the thread's next call.
 */
const char *pp__645_error_text(uint8_t err);
/* The same into buf; returns buf. */
char	*pp__645_error_format(uint8_t err, char *buf, size_t len);
/* "read", "read reply", "relay control error reply", ... */
const char *pp__645_control_text(uint8_t control);
/* "trip", "close allowed", ...; NULL for an unknown N1. */
const char *pp__645_relay_text(uint8_t n1);

#endif /* PP_DLT645_H */
