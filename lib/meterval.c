/*
 * meterval.c: what a meter shows, as typed values, and how each is
 * written in a column.  poll.c (meter-read) and command.c (meter-ctl
 * read) return these values; the tools print them through the row
 * formatters, which call pp__meter_value_text.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "field.h"

static const char *const link_names[] = {
	[PP_LINK_NONE] = "",
	[PP_LINK_UNKNOWN] = "unknown",
	[PP_LINK_OK] = "ok",
	[PP_LINK_BUSY] = "busy",
	[PP_LINK_TIMEOUT] = "timeout",
	[PP_LINK_ERROR] = "error",
	[PP_LINK_LOST] = "lost",
};

/* The value names of the profiles (profile.c), in enum pp_mv's order. */
static const char *const mv_names[PP_MV_COUNT] = {
	[PP_MV_ENERGY] = "energy_kwh",
	[PP_MV_IMPORT] = "import_kwh",
	[PP_MV_PEAK] = "energy_peak_kwh",
	[PP_MV_VALLEY] = "energy_valley_kwh",
	[PP_MV_POWER] = "power_w",
	[PP_MV_VOLTAGE] = "voltage_v",
	[PP_MV_CURRENT] = "current_a",
	[PP_MV_PF] = "pf",
	[PP_MV_FREQ] = "freq_hz",
	[PP_MV_BALANCE] = "balance",
	[PP_MV_BUY_COUNT] = "buy_count",
	[PP_MV_RELAY] = "relay",
	[PP_MV_KEEP] = "keep",
	[PP_MV_MODE] = "mode",
	[PP_MV_STATUS] = "status",
	[PP_MV_PRICE] = "price",
	[PP_MV_ALARM1] = "alarm1",
	[PP_MV_ALARM2] = "alarm2",
	[PP_MV_OVERLOAD] = "overload_w",
	[PP_MV_CLOCK] = "clock",
};

const char *
pp__link_name(enum pp_link link)
{
	return link_names[link];
}

enum pp_link
pp__link_parse(const char *s)
{
	size_t i;

	for (i = PP_LINK_UNKNOWN; i < sizeof(link_names) /
	    sizeof(link_names[0]); i++)
		if (strcmp(s, link_names[i]) == 0)
			return (enum pp_link)i;
	return PP_LINK_NONE;
}

/* The field of a whole-number value; NULL for relay, keep and mode. */
static int64_t *
mv_slot(struct pp_meter_values *mv, enum pp_mv k)
{
	switch (k) {
	case PP_MV_ENERGY:	return &mv->energy_wh;
	case PP_MV_IMPORT:	return &mv->import_wh;
	case PP_MV_PEAK:	return &mv->peak_wh;
	case PP_MV_VALLEY:	return &mv->valley_wh;
	case PP_MV_POWER:	return &mv->power_w;
	case PP_MV_VOLTAGE:	return &mv->voltage;
	case PP_MV_CURRENT:	return &mv->current;
	case PP_MV_PF:		return &mv->pf;
	case PP_MV_FREQ:	return &mv->freq;
	case PP_MV_BALANCE:	return &mv->balance;
	case PP_MV_BUY_COUNT:	return &mv->buy_count;
	case PP_MV_STATUS:	return &mv->status;
	case PP_MV_PRICE:	return &mv->price;
	case PP_MV_ALARM1:	return &mv->alarm1;
	case PP_MV_ALARM2:	return &mv->alarm2;
	case PP_MV_OVERLOAD:	return &mv->overload_w;
	case PP_MV_CLOCK:	return &mv->clock;
	default:		return NULL;
	}
}

void
pp__meter_values_set(struct pp_meter_values *mv, const struct pp__values *v)
{
	int64_t x, *slot;
	int k;

	memset(mv, 0, sizeof(*mv));
	for (k = 0; k < PP_MV_COUNT; k++) {
		if (!pp__values_get(v, mv_names[k], &x))
			continue;
		mv->has |= 1u << k;
		if ((slot = mv_slot(mv, (enum pp_mv)k)) != NULL)
			*slot = x;
		else if (k == PP_MV_RELAY)
			mv->relay = x ? PP_RELAY_CLOSED : PP_RELAY_TRIPPED;
		else if (k == PP_MV_KEEP)
			mv->keep = x != 0;
		else
			mv->mode = x ? PP_MODE_PREPAY : PP_MODE_MANUAL;
	}
}

/* The column a value is printed in; -1 when name is no value. */
static int
mv_index(const char *name)
{
	int k;

	for (k = 0; k < PP_MV_COUNT; k++)
		if (strcmp(mv_names[k], name) == 0)
			return k;
	return -1;
}

void
pp__meter_value_text(const struct pp_meter_values *mv, const char *name,
    char *buf, size_t len)
{
	int64_t *slot, x;
	int k = mv_index(name);

	buf[0] = '\0';
	if (k < 0 || !(mv->has & 1u << k))
		return;
	/* mv_slot only points; nothing is written through it here. */
	if ((slot = mv_slot((struct pp_meter_values *)mv, (enum pp_mv)k)) !=
	    NULL)
		x = *slot;
	else if (k == PP_MV_RELAY)
		x = mv->relay == PP_RELAY_CLOSED;
	else if (k == PP_MV_KEEP)
		x = mv->keep;
	else
		x = mv->mode == PP_MODE_PREPAY;
	pp__value_format(name, x, buf, len);
}
