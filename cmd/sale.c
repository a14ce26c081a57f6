/*
 * sale: sell electricity (售电).
 */
#include "common.h"

static const char usage[] =
    "usage: sale [-d FILE] [-o FMT] [--bom] [-m METHOD] [--ref REF]\n"
    "            [--receipt FILE|-] [--template FILE] [--copies N]\n"
    "            [--remark TEXT] [--account | --meter | --room]\n"
    "            TARGET AMOUNT\n"
    "       sale [-d FILE] [-o FMT] [--bom] [--each] [--rejects FILE]\n"
    "            [-m METHOD] FILE|-\n";

int
main(int argc, char **argv)
{
	return money_main(argc, argv, "sale", usage, pp_sale);
}
