/*
 * fastjson.h: the hub hot path's JSON parser, simdjson's DOM behind a C API (fastjson.cpp, the
 * project's one C++ file), giving JSON views (wire/json.h) to the same src/wire decoders.
 * It takes a record only where its reading is exactly cJSON's; for anything else it declines
 * and the caller parses the record with cJSON, which then decides (accepts, or says what is
 * wrong): records over the length cap, JSON simdjson rejects (invalid UTF-8, trailing bytes,
 * numbers out of double range, bad escapes ...), nesting deeper than cJSON's limit, and
 * texts where the two could differ: an integer "-0" (simdjson drops its sign), a number
 * token of 64 bytes or more (cJSON refuses those), a \u escape of a surrogate.
 */
#ifndef SRM_GATEWAY_FASTJSON_H
#define SRM_GATEWAY_FASTJSON_H

#include <stddef.h>

#include "wire/json.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GW_FASTJSON_MAX (32u * 1024) /* longer records go to cJSON */

struct gw_fastjson;

/* A parser for records of at most max_len bytes (0: GW_FASTJSON_MAX). NULL on no memory. */
struct gw_fastjson *gw_fastjson_new(size_t max_len);
void gw_fastjson_free(struct gw_fastjson *fj);
/*
 * Parse one record: 0 and *root (valid until the next call) when taken, -1 when declined
 * (the caller parses it with cJSON).
 */
int gw_fastjson_parse(struct gw_fastjson *fj, const char *p, size_t n, struct wj *root);

#ifdef __cplusplus
}
#endif

#endif
