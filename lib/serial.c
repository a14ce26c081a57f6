/*
 * serial.c: the receipt number (doc/design.md, "Money"): YYYYMMDD of
 * the local day and a 6-digit sequence.
 */
#include <string.h>

#include "internal.h"

int
pp_serial_check(const char *s)
{
	return strlen(s) == 14 && strspn(s, "0123456789") == 14 ? PP_OK :
	    PP_EDATA;
}
