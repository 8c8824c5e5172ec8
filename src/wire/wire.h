/*
 * wire.h: ProjectX JSON <-> domain structs (shared/projectx-api.md §4-§10), built on cJSON.
 * Decoders check every field's type explicitly, ignore unknown fields, and reject missing
 * required fields, wrong types, non-finite or out-of-range numbers, non-integral ids,
 * over-long strings and invalid UTF-8 with a precise message: "GatewayUserTrade: field
 * 'size': expected an integer, got string". Errors: 0 / -1 + struct srm_err.
 */
#ifndef SRM_WIRE_WIRE_H
#define SRM_WIRE_WIRE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "model/action.h"
#include "model/event.h"
#include "util/err.h"

/* Map a hub target / replay event name to a kind: "GatewayUserTrade" -> EV_TRADE; -1 if unknown. */
int wire_event_kind(const char *name, enum ev_kind *out);
/* The gateway's name of a kind ("GatewayUserOrder", ..., "Contract"). */
const char *wire_event_name(enum ev_kind k);

/* Single objects (flat shape). */
int wire_decode_account(const cJSON *j, struct px_account *out, struct srm_err *err);
int wire_decode_order(const cJSON *j, struct px_order *out, struct srm_err *err);
int wire_decode_position(const cJSON *j, struct px_position *out, struct srm_err *err);
int wire_decode_trade(const cJSON *j, struct px_trade *out, struct srm_err *err);
int wire_decode_contract(const cJSON *j, struct px_contract *out, struct srm_err *err);
/* GatewayQuote: contract id is the hub's first argument, data the second. */
int wire_decode_quote(const char *contract_id, const cJSON *data, struct px_quote *out,
		      struct srm_err *err);

/*
 * A user-hub event argument of kind EV_ACCOUNT/ORDER/POSITION/TRADE, or a Contract, in any
 * of the three shapes seen in the wild: a flat object, a list of them, or
 * {"action":N,"data":{...}} (API reference §10.2). Decodes up to cap events into out and
 * sets *n. A bad element fails the whole payload (nothing partial is returned).
 */
int wire_decode_user_event(enum ev_kind kind, const cJSON *arg, struct srm_event *out, size_t cap,
			   size_t *n, struct srm_err *err);

/*
 * The same two decoders on a JSON view (wire/json.h) of whichever parser read the record: the
 * hub's fast path. Same checks, same messages.
 */
struct wj;
int wire_decode_quote_v(const char *contract_id, const struct wj *data, struct px_quote *out,
			struct srm_err *err);
int wire_decode_user_event_v(enum ev_kind kind, const struct wj *arg, struct srm_event *out,
			     size_t cap, size_t *n, struct srm_err *err);

/* Encoders: the gateway's own JSON for each model (used by srm-sim and tests). Caller frees. */
cJSON *wire_encode_account(const struct px_account *a);
cJSON *wire_encode_order(const struct px_order *r);
cJSON *wire_encode_position(const struct px_position *p);
cJSON *wire_encode_trade(const struct px_trade *t);
cJSON *wire_encode_contract(const struct px_contract *c);
/* The `data` object of GatewayQuote (the contract id travels as the first argument). */
cJSON *wire_encode_quote(const struct px_quote *q);

/* An action as one JSON object line (no newline) into buf: `srm replay`'s output, the CLI's
 * events. Returns the length or -1. */
int action_to_json(const struct srm_action *a, char *buf, size_t cap);

/* REST request bodies (API reference §3-§6). Caller frees. */
cJSON *wire_req_login_key(const char *user, const char *api_key);
cJSON *wire_req_account_search(bool only_active);
cJSON *wire_req_account_id(int64_t account_id); /* searchOpen (orders, positions) */
cJSON *wire_req_contract_by_id(const char *contract_id);
cJSON *wire_req_trade_search(int64_t account_id, srm_ms start, srm_ms end /* 0: none */);
cJSON *wire_req_order_search(int64_t account_id, srm_ms start, srm_ms end /* 0: none */);
cJSON *wire_req_close_contract(int64_t account_id, const char *contract_id);
cJSON *wire_req_partial_close(int64_t account_id, const char *contract_id, int size);
cJSON *wire_req_cancel(int64_t account_id, int64_t order_id);
/* Order/place: prices PX_NULL when absent. */
cJSON *wire_req_place(int64_t account_id, const char *contract_id, int type, int side, int size,
		      double limit_price, double stop_price, const char *custom_tag);
cJSON *wire_req_modify(int64_t account_id, int64_t order_id, int size, double limit_price,
		       double stop_price);

/*
 * The REST envelope: success, errorCode, errorMessage (API reference §2). Fills the fields
 * and returns 0 when the envelope is well-formed (even if success is false), -1 otherwise.
 */
struct wire_envelope {
	bool success;
	int error_code;
	char error_message[256];
};
int wire_decode_envelope(const cJSON *j, struct wire_envelope *out, struct srm_err *err);

/* Helpers for other JSON readers (IPC, sim): explicit type checks, ids through valuedouble. */
int wire_get_int64(const cJSON *obj, const char *field, bool required, int64_t *out,
		   struct srm_err *err);
int wire_get_int(const cJSON *obj, const char *field, bool required, int min, int max, int *out,
		 struct srm_err *err);
int wire_get_double(const cJSON *obj, const char *field, bool required, bool nullable, double *out,
		    struct srm_err *err);
int wire_get_bool(const cJSON *obj, const char *field, bool required, bool *out,
		  struct srm_err *err);
int wire_get_string(const cJSON *obj, const char *field, bool required, bool nullable, char *out,
		    size_t cap, struct srm_err *err);
int wire_get_time(const cJSON *obj, const char *field, bool required, srm_ms *out,
		  struct srm_err *err);

#endif
