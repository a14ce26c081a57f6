/*
 * codec.h: what the protocol codecs (dlt645.c, the register decoding of
 * profile.c) share, and no more: the result codes of prepay.h and exact
 * decimal scales.  A codec sees no database and no YAML, so that it can be
 * fuzzed, and used by meter-sim, on its own (doc/DESIGN.md, "Layers").
 */
#ifndef PP_CODEC_H
#define PP_CODEC_H

#include <stdint.h>

#include "prepay.h"

/* A decimal scale as an exact fraction: 0.01 is 1/100. */
struct pp_scale {
	int64_t	num, den;
};

#endif /* PP_CODEC_H */
