/*
 * sale: sell electricity (售电).
 */
#include "common.h"

static const char usage[] =
    "usage: sale [-d FILE] [-o FMT] [--lang zh|en]\n"
    "            [-m METHOD] [--ref REF] [--receipt FILE|-]\n"
    "            [--template FILE] [--copies N] [--remark TEXT]\n"
    "            [--account | --meter | --room] TARGET AMOUNT\n"
    "       sale [-d FILE] [-o FMT] [--each] [--rejects FILE] [-m METHOD] FILE|-\n";

int
main(int argc, char **argv)
{
	return money_main(argc, argv, "sale", usage, PP_ACT_SALE, pp_sale);
}
