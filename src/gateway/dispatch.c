/* dispatch.c: hub records -> src/wire decoders -> events (see dispatch.h). */
#include "gateway/dispatch.h"

#include <limits.h>
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

static void user_event(enum ev_kind kind, const char *target, const struct wj *args,
		       struct srm_event *ev, size_t cap, struct gw_disp_res *res)
{
	struct srm_err err = {0};
	struct wj arg;
	size_t n = 0;

	if (!wj_item(args, 0, &arg)) {
		malformed(res, target, "no arguments");
		return;
	}
	if (wire_decode_user_event_v(kind, &arg, ev, cap, &n, &err) != 0) {
		malformed(res, target, err.msg);
		return;
	}
	res->n = n;
}

static void quote_event(const struct wj *args, struct srm_event *ev, size_t cap,
			struct gw_disp_res *res)
{
	struct srm_err err = {0};
	struct wj cid, data;

	wj_item(args, 0, &cid);
	if (!wj_item(args, 1, &data) || cid.t != WJ_STRING || cid.str == NULL || cap < 1) {
		malformed(res, "GatewayQuote", "expected arguments [contractId, data]");
		return;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_QUOTE;
	if (wire_decode_quote_v(cid.str, &data, &ev->u.quote, &err) != 0) {
		malformed(res, "GatewayQuote", err.msg);
		return;
	}
	res->n = 1;
}

void gw_dispatch_invocation(const struct wj *rec, struct srm_event *ev, size_t cap,
			    struct gw_disp_res *res)
{
	struct wj target, args;
	enum ev_kind kind;

	memset(res, 0, sizeof(*res));
	wj_member(rec, "target", &target);
	wj_member(rec, "arguments", &args);
	if (target.t != WJ_STRING || target.str == NULL || args.t != WJ_ARRAY) {
		malformed(res, "invocation", "expected string 'target' and array 'arguments'");
		return;
	}
	if (strcmp(target.str, "GatewayQuote") == 0) {
		quote_event(&args, ev, cap, res);
		return;
	}
	if (wire_event_kind(target.str, &kind) == 0 && kind <= EV_TRADE && kind != EV_QUOTE) {
		user_event(kind, target.str, &args, ev, cap, res);
		return;
	}
	res->rc = GW_DISP_IGNORED;
	res->logout = strcmp(target.str, "GatewayLogout") == 0;
	strlcpy_s(res->target, target.str, sizeof(res->target));
}

/* A number's value as cJSON's valueint has it: saturated, then truncated. */
static int valueint(double v)
{
	if (v >= INT_MAX)
		return INT_MAX;
	if (v <= (double)INT_MIN)
		return INT_MIN;
	return (int)v;
}

void gw_dispatch_record(struct gw_fastjson *fj, const char *rec, size_t len,
			struct srm_event *ev, size_t cap, struct gw_record *out)
{
	struct wj root, type;

	memset(out, 0, sizeof(*out));
	if (fj != NULL && gw_fastjson_parse(fj, rec, len, &root) == 0 &&
	    wj_member(&root, "type", &type) && type.t == WJ_NUMBER && valueint(type.num) == 1) {
		out->type = 1;
		out->fast = true;
		gw_dispatch_invocation(&root, ev, cap, &out->res);
		return;
	}
	out->tree = cJSON_ParseWithLength(rec, len);
	wj_from_cjson(out->tree, &root);
	if (root.t != WJ_OBJECT) {
		out->type = -1;
		malformed(&out->res, "record", "not a JSON object");
	} else if (!wj_member(&root, "type", &type) || type.t != WJ_NUMBER) {
		out->type = -1;
		malformed(&out->res, "record", "no numeric 'type'");
	} else if (type.num < 0) {
		/* -1 is this record's "malformed" (SignalR's types are 1 to 9): never a value's */
		out->type = -1;
		malformed(&out->res, "record", "'type' out of range");
	} else {
		out->type = valueint(type.num);
		if (out->type == 1)
			gw_dispatch_invocation(&root, ev, cap, &out->res);
	}
	if (out->type == -1) {
		cJSON_Delete(out->tree);
		out->tree = NULL;
	}
}
