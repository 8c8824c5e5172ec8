/*
 * dispatch.h: one hub record (after the handshake) to what it is, and an invocation (SignalR
 * type 1) to events through the src/wire decoders: GatewayQuote (market hub: [contractId,
 * data]) and GatewayUserAccount/Order/Position/Trade (user hub: one argument, in any of the
 * shapes wire_decode_user_event takes). Invocations are read by the fast parser (fastjson.h)
 * when it takes them, else by cJSON; either way through the same decoders, with the same
 * results (tests/gateway/test_fastjson.c holds them to that). Pure: no I/O, no logging; the
 * hub delivers and counts what it returns.
 */
#ifndef SRM_GATEWAY_DISPATCH_H
#define SRM_GATEWAY_DISPATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "gateway/fastjson.h"
#include "model/event.h"
#include "wire/json.h"

enum gw_disp_rc {
	GW_DISP_EVENTS = 0,   /* n events decoded into ev[] */
	GW_DISP_MALFORMED,    /* what + why say what was wrong; nothing is delivered */
	GW_DISP_IGNORED,      /* a well-formed target we do not use (target says which) */
};

struct gw_disp_res {
	enum gw_disp_rc rc;
	size_t n;
	char what[32];        /* MALFORMED: "record", "invocation", "GatewayQuote", a target */
	char why[256];
	char target[64];      /* IGNORED: the target, bounded */
	bool logout;          /* IGNORED: it was GatewayLogout */
};

/* One record, read. */
struct gw_record {
	int type;             /* SignalR type (as cJSON's valueint reads it); -1: malformed */
	bool fast;            /* read by the fast parser */
	cJSON *tree;          /* the cJSON tree when cJSON read it (the caller deletes it) */
	struct gw_disp_res res; /* type 1, or malformed (-1) */
};

/* Decode one invocation record (an object) into at most cap events. */
void gw_dispatch_invocation(const struct wj *rec, struct srm_event *ev, size_t cap,
			    struct gw_disp_res *res);
/*
 * Read one record: with fj (may be NULL: cJSON only) when it takes it, else cJSON; type 1
 * is decoded into ev[cap] and out->res, other types are left to the caller in out->tree.
 */
void gw_dispatch_record(struct gw_fastjson *fj, const char *rec, size_t len,
			struct srm_event *ev, size_t cap, struct gw_record *out);

#endif
