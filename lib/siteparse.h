/*
 * siteparse.h: the site model.  pp__site_parse reads a site file
 * (prepay.yaml(5)) into a checked struct pp__site, every error given as
 * "file:line: key: why"; pp__site_store (site.c, internal.h) writes one
 * into the database.  site-load does both; meter-sim builds its model
 * from the parse alone.
 */
#ifndef PP_SITEPARSE_H
#define PP_SITEPARSE_H

#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "codec.h"
#include "prepay.h"
#include "tariffspec.h"

/* A meter as the site file or a meters CSV gives it. */
struct pp__site_meter {
	const char	*meter, *profile, *floor, *room, *tariff, *billing;
	const char	*address;	/* DL/T 645; NULL: none given */
	const char	*building;	/* NULL: its gateway's */
	const char	*gateway;
	int64_t		 unit;		/* Modbus; 0: none given */
	int64_t		 price, alarm1, alarm2, overload_w;	/* -1: none */
	/* Lines in the file: its mapping, and its keys' values (0: none). */
	long		 line, meter_line, profile_line, unit_line;
	long		 address_line;
};

struct pp__site_gateway {
	const char	*name, *address;
	const char	*poller;		/* NULL: any host's */
	struct pp__link_addr link;
	int64_t		 timeout_ms, retries;
	int64_t		 baud, turnaround_ms;	/* baud 0: the default */
	size_t		 first, nmeters;	/* its meters in meters[] */
	long		 line;
};

struct pp__site_building {
	const char	*name;
	size_t		 first, ngateways;	/* in gateways[] */
};

struct pp__site_operator {
	const char	*login, *role;
	const char	*name;		/* shown on receipts; NULL: none */
};

struct pp__site_tariff {
	const char		*name;
	struct pp__tariff_spec	 spec;
};

/* The notices' texts, one template per alarm kind, in this order. */
#define PP_SITE_MESSAGES	"low1", "low2", "arrears", "overload", \
	"voltage", "lost", "gateway", "mismatch", "counter", "command", \
	"unfunded"
#define PP_SITE_NMSG		11

/* defaults: what the file gives; -1 or NULL: not given. */
struct pp__site_defaults {
	int64_t		 price, alarm1, alarm2, max_balance, max_sale;
	int64_t		 overload_w, poll_minutes, lost_after, command_alarm;
	int64_t		 poll_seconds, slow_every;
	const char	*voltage_band, *no_trip, *sms_to;
	const char	*msg[PP_SITE_NMSG];
};

/* A platform public key, by the serial that names it. */
struct pp__site_paykey {
	const char	*serial, *file;
};

/*
 * payments: (doc/design.md, "Money"): the identifiers, and the key files
 * by absolute name, never their contents.  The files are checked when the
 * site file is read: the secrets mode 0640 or stricter, every key one
 * that parses, the APIv3 key 32 bytes.  has_*: that part is given.
 */
struct pp__site_payments {
	int		 has, has_wechat, has_alipay;
	const char	*notify_base;
	const char	*mchid, *appid, *apiv3_key_file, *merchant_key_file;
	const char	*api_base;
	const char	*merchant_serial;	/* NULL: not given */
	struct pp__site_paykey	*keys;
	size_t		 nkeys, capkeys;
	const char	*app_id, *public_key_file, *private_key_file;
	const char	*gateway;
	char		**owned;	/* the absolute names made */
	size_t		 nowned, capowned;
};

struct pp__site {
	const char		*path;
	const char		*name;		/* site:, NULL: none */
	struct pp__site_defaults	 defaults;
	int			 has_holidays;	/* the list replaces the stored */
	const char		**holidays;
	size_t			 nholidays;
	int			 has_operators;	/* the same */
	struct pp__site_operator	*operators;
	size_t			 noperators;
	struct pp__site_tariff	*tariffs;
	size_t			 ntariffs;
	struct pp__site_building	*buildings;
	size_t			 nbuildings;
	struct pp__site_gateway	*gateways;
	size_t			 ngateways;
	struct pp__site_meter	*meters;
	size_t			 nmeters;
	struct pp__site_payments	 payments;
	void			*priv;		/* the document it points into */
};

/* A tariff is whole: PP_ECONFIG with err saying why not. */
int	 pp__tariff_check(const struct pp__tariff_spec *t, char *err,
	    size_t errlen);

/*
 * Read and check a site file.  PP_ENOINPUT: it cannot be read;
 * PP_ECONFIG: it is wrong, and err says where and why; PP_EINTERNAL.
 * Free the site with pp__site_free, also after an error.
 */
int	 pp__site_parse(const char *path, struct pp__site **site, char *err,
	    size_t errlen);
void	 pp__site_free(struct pp__site *site);
/*
 * An error of the site's file at line, as the parse gives them, "file:
 * line: key: why", into err; PP_ECONFIG.
 */
int	 pp__site_error(const struct pp__site *site, long line, const char *key,
	    char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
struct pp__yaml;

/* payments: of the site file (paysite.c), into site->payments. */
int	 pp__site_payments(struct pp__yaml *y, const yaml_node_t *map,
	    struct pp__site *site);
void	 pp__site_payments_free(struct pp__site_payments *pay);

/* The tariff of that name, or NULL. */
const struct pp__site_tariff *pp__site_tariff(const struct pp__site *site,
	    const char *name);

#endif /* PP_SITEPARSE_H */
