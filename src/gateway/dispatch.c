/* dispatch.c: invocation records -> src/wire decoders -> events (see dispatch.h). */
#include "gateway/dispatch.h"

#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "wire/wire.h"

static void malformed(struct gw_disp_res *res, const char *what, const char *why)
{
	res->rc = GW_DISP_MALFORMED;
	res->n = 0;
	strlcpy_s(res->what, what, sizeof(res->what));
	strlcpy_s(res->why, why, sizeof(res->why));
}

static void user_event(enum ev_kind kind, const char *target, const cJSON *args,
		       struct srm_event *ev, size_t cap, struct gw_disp_res *res)
{
	struct srm_err err = {0};
	size_t n = 0;

	if (cJSON_GetArraySize(args) < 1) {
		malformed(res, target, "no arguments");
		return;
	}
	if (wire_decode_user_event(kind, cJSON_GetArrayItem(args, 0), ev, cap, &n, &err) != 0) {
		malformed(res, target, err.msg);
		return;
	}
	res->n = n;
}

static void quote_event(const cJSON *args, struct srm_event *ev, size_t cap,
			struct gw_disp_res *res)
{
	struct srm_err err = {0};
	const cJSON *cid = cJSON_GetArrayItem(args, 0);

	if (cJSON_GetArraySize(args) < 2 || !cJSON_IsString(cid) || cap < 1) {
		malformed(res, "GatewayQuote", "expected arguments [contractId, data]");
		return;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_QUOTE;
	if (wire_decode_quote(cid->valuestring, cJSON_GetArrayItem(args, 1), &ev->u.quote,
			      &err) != 0) {
		malformed(res, "GatewayQuote", err.msg);
		return;
	}
	res->n = 1;
}

void gw_dispatch_invocation(const cJSON *rec, struct srm_event *ev, size_t cap,
			    struct gw_disp_res *res)
{
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(rec, "target");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(rec, "arguments");
	enum ev_kind kind;

	memset(res, 0, sizeof(*res));
	if (!cJSON_IsString(target) || !cJSON_IsArray(args)) {
		malformed(res, "invocation", "expected string 'target' and array 'arguments'");
		return;
	}
	if (strcmp(target->valuestring, "GatewayQuote") == 0) {
		quote_event(args, ev, cap, res);
		return;
	}
	if (wire_event_kind(target->valuestring, &kind) == 0 && kind <= EV_TRADE &&
	    kind != EV_QUOTE) {
		user_event(kind, target->valuestring, args, ev, cap, res);
		return;
	}
	res->rc = GW_DISP_IGNORED;
	res->logout = strcmp(target->valuestring, "GatewayLogout") == 0;
	strlcpy_s(res->target, target->valuestring, sizeof(res->target));
}
