/*
 * refund: take electricity back and return the money (退电).
 */
#include "common.h"

static const char usage[] =
    "usage: refund [-d FILE] [-o FMT] [--lang zh|en]\n"
    "              [-m METHOD] [--ref REF] [--receipt FILE|-]\n"
    "              [--template FILE] [--copies N] [--remark TEXT]\n"
    "              [--account | --meter | --room] TARGET AMOUNT\n"
    "       refund [-d FILE] [-o FMT] [--each] [--rejects FILE] [-m METHOD] FILE|-\n";

int
main(int argc, char **argv)
{
	return money_main(argc, argv, "refund", usage, PP_ACT_REFUND,
	    pp_refund);
}
