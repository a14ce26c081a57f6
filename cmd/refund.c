/*
 * refund: take electricity back and return the money (退电).
 */
#include "common.h"

static const char usage[] =
    "usage: refund [-d FILE] [-o FMT] [--bom] [-m METHOD] [--ref REF]\n"
    "              [--receipt FILE|-] [--template FILE] [--copies N]\n"
    "              [--remark TEXT] [--account | --meter | --room]\n"
    "              TARGET AMOUNT\n"
    "       refund [-d FILE] [-o FMT] [--bom] [--each] [--rejects FILE]\n"
    "              [-m METHOD] FILE|-\n";

int
main(int argc, char **argv)
{
	return money_main(argc, argv, "refund", usage, pp_refund);
}
