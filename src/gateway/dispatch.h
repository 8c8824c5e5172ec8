/*
 * dispatch.h: a hub invocation record (SignalR type 1) to events, through the src/wire
 * decoders: GatewayQuote (market hub: [contractId, data]) and GatewayUserAccount/Order/
 * Position/Trade (user hub: one argument, in any of the shapes wire_decode_user_event takes).
 * Pure: no I/O, no logging; the hub delivers and counts what it returns.
 */
#ifndef SRM_GATEWAY_DISPATCH_H
#define SRM_GATEWAY_DISPATCH_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/event.h"

enum gw_disp_rc {
	GW_DISP_EVENTS = 0,   /* n events decoded into ev[] */
	GW_DISP_MALFORMED,    /* what + why say what was wrong; nothing is delivered */
	GW_DISP_IGNORED,      /* a well-formed target we do not use (target says which) */
};

struct gw_disp_res {
	enum gw_disp_rc rc;
	size_t n;
	char what[32];        /* MALFORMED: "invocation", "GatewayQuote", a user-hub target */
	char why[256];
	char target[64];      /* IGNORED: the target, printable and bounded */
	bool logout;          /* IGNORED: it was GatewayLogout */
};

/* Decode one invocation record (a JSON object) into at most cap events. */
void gw_dispatch_invocation(const cJSON *rec, struct srm_event *ev, size_t cap,
			    struct gw_disp_res *res);

#endif
