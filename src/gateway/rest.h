/*
 * rest.h: the ProjectX REST client (API reference §2-§8) on libcurl's multi interface,
 * driven by the caller's libuv loop (sockets via uv_poll, curl's timer via uv_timer):
 * nothing blocks the loop. It owns the session token (login, refresh before `exp`, one
 * refresh + one retry on 401), the priority rate budget, retries with backoff + jitter on
 * 429/5xx/network errors, a circuit breaker per endpoint, connect and total timeouts.
 *
 * Errors: calls return 0 (queued) or -1 (shutting down / bad argument); every queued call
 * ends in exactly one callback with a struct gw_result. An envelope with success:false is
 * an answer (GW_EAPI, with the endpoint's code name), never retried.
 */
#ifndef SRM_GATEWAY_REST_H
#define SRM_GATEWAY_REST_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "model/event.h"
#include "gateway/budget.h"
#include "util/err.h"

enum gw_endpoint {
	GW_EP_LOGIN_KEY = 0,
	GW_EP_VALIDATE,
	GW_EP_ACCOUNT_SEARCH,
	GW_EP_CONTRACT_SEARCH,
	GW_EP_CONTRACT_SEARCH_BY_ID,
	GW_EP_POSITION_SEARCH_OPEN,
	GW_EP_POSITION_CLOSE,
	GW_EP_POSITION_PARTIAL_CLOSE,
	GW_EP_ORDER_SEARCH,
	GW_EP_ORDER_SEARCH_OPEN,
	GW_EP_ORDER_PLACE,
	GW_EP_ORDER_CANCEL,
	GW_EP_ORDER_MODIFY,
	GW_EP_TRADE_SEARCH,
	GW_EP_COUNT
};

/* "/api/Order/place". */
const char *gw_endpoint_path(enum gw_endpoint ep);
/* The reference's name of an endpoint's errorCode ("OrderNotFound"), or "Unknown(N)"-less NULL. */
const char *gw_error_name(enum gw_endpoint ep, int code);

enum gw_status {
	GW_OK = 0,
	GW_EAPI,       /* envelope success:false: error_code / error_name say why */
	GW_EHTTP,      /* an HTTP status that is not retried (400, 404, ...) */
	GW_EAUTH,      /* no token (login failed) or 401 after the one refresh + retry */
	GW_ERATE,      /* 429 until retries ran out */
	GW_ESERVER,    /* 5xx until retries ran out */
	GW_ENET,       /* network error until retries ran out */
	GW_ETIMEOUT,   /* connect or total timeout (not retried when the call is not idempotent) */
	GW_EBREAKER,   /* the endpoint's circuit breaker is open: not sent */
	GW_EPROTO,     /* the response is not a valid envelope */
	GW_ECANCELLED, /* shut down before an answer */
};

/* "ok", "api", "http", ... */
const char *gw_status_name(enum gw_status s);

/*
 * What an answer means for the goal of the request, read from the endpoint's own error
 * names (the codes differ per endpoint: PositionNotFound is 2 for closeContract,
 * ContractNotFound is 1 for searchById).
 */
enum gw_goal {
	GW_GOAL_DONE = 0,      /* success */
	GW_GOAL_ALREADY,       /* a close or cancel found nothing left to do: the goal holds */
	GW_GOAL_NO_CONTRACT,   /* the gateway does not know the contract */
	GW_GOAL_FAILED,        /* anything else */
};
struct gw_result;
enum gw_goal gw_goal(const struct gw_result *res);

struct gw_result {
	enum gw_endpoint ep;
	enum gw_status status;
	int http_status;        /* 0 when no response */
	int error_code;         /* envelope errorCode */
	const char *error_name; /* its name for this endpoint, or NULL */
	char message[256];      /* errorMessage, or what went wrong */
	const cJSON *json;      /* the whole envelope (GW_OK, GW_EAPI); valid during the callback */
	const cJSON *payload;   /* the endpoint's payload field ("accounts", "orderId", ...) or NULL */
	int attempts;
	int64_t elapsed_ms;
};

struct gw_rest;
typedef void (*gw_rest_cb)(struct gw_rest *rest, const struct gw_result *res, void *ud);
/* A new token was adopted (login or refresh): hubs reconnect with it. */
typedef void (*gw_token_cb)(struct gw_rest *rest, const char *token, void *ud);
/* Authentication failed for good (bad key, login unreachable): res says why. */
typedef void (*gw_auth_fail_cb)(struct gw_rest *rest, const struct gw_result *res, void *ud);

struct gw_rest_opts {
	const char *base_url;       /* "https://api.topstepx.com" (no trailing slash needed) */
	const char *username;
	const char *api_key;        /* copied; never logged */
	const char *ca_file;        /* extra CA bundle (tests), NULL: system CAs */
	long connect_timeout_ms;    /* default 5000 */
	long total_timeout_ms;      /* default 15000 */
	int max_attempts;           /* per call, including the first; default 4 */
	int64_t backoff_base_ms;    /* default 250 */
	int64_t backoff_cap_ms;     /* default 8000 */
	int64_t enforce_backoff_ms; /* ENFORCE's base after 429/5xx: the least possible; default 20 */
	int64_t pause_429_ms;       /* lower classes pause after a 429; default 1000 */
	struct gw_budget_cfg budget;
	struct gw_breaker_cfg breaker;
	uint64_t seed;              /* jitter; 0: from the clock */
	gw_token_cb on_token;
	gw_auth_fail_cb on_auth_fail;
	void *ud;
};

struct gw_rest_stats {
	int queued[GW_PRIO_COUNT];
	int in_flight;
	int budget_used;            /* calls in the current window */
	uint64_t sent, retries, http_429, http_5xx, net_errors, timeouts, logins, refreshes;
	bool have_token;
	int64_t token_exp;          /* unix seconds, 0 if unknown */
};

/* Create a client on loop (nothing is sent until gw_rest_start). NULL + err on bad options. */
struct gw_rest *gw_rest_new(uv_loop_t *loop, const struct gw_rest_opts *opts, struct srm_err *err);
/*
 * Cancel every pending call (callbacks with GW_ECANCELLED, in this call), close the handles
 * and free: the memory goes when the loop has run the close callbacks. NULL is fine.
 */
void gw_rest_free(struct gw_rest *rest);
/* Log in (Auth/loginKey); calls queued before a token is held wait for it. */
int gw_rest_start(struct gw_rest *rest);
/* Refresh the token now (Auth/validate, falling back to a fresh login). */
void gw_rest_refresh(struct gw_rest *rest);
/* The current token ("" if none): for the hubs' access_token; never log it. */
const char *gw_rest_token(const struct gw_rest *rest);
/* The state of an endpoint's breaker (for `srm status`). */
enum gw_breaker_state gw_rest_breaker(struct gw_rest *rest, enum gw_endpoint ep);
void gw_rest_stats(struct gw_rest *rest, struct gw_rest_stats *out);

/* Generic call: body is taken (freed by the client; NULL: no body). */
int gw_rest_call(struct gw_rest *rest, enum gw_endpoint ep, cJSON *body, enum gw_prio prio,
		 gw_rest_cb cb, void *ud);

/* Typed helpers (request bodies from src/wire/). */
int gw_account_search(struct gw_rest *r, bool only_active, enum gw_prio prio, gw_rest_cb cb,
		      void *ud);
int gw_contract_search(struct gw_rest *r, const char *text, bool live, enum gw_prio prio,
		       gw_rest_cb cb, void *ud);
int gw_contract_search_by_id(struct gw_rest *r, const char *contract_id, enum gw_prio prio,
			     gw_rest_cb cb, void *ud);
int gw_position_search_open(struct gw_rest *r, int64_t account_id, enum gw_prio prio,
			    gw_rest_cb cb, void *ud);
int gw_position_close(struct gw_rest *r, int64_t account_id, const char *contract_id,
		      enum gw_prio prio, gw_rest_cb cb, void *ud);
int gw_position_partial_close(struct gw_rest *r, int64_t account_id, const char *contract_id,
			      int size, enum gw_prio prio, gw_rest_cb cb, void *ud);
int gw_order_search_open(struct gw_rest *r, int64_t account_id, enum gw_prio prio, gw_rest_cb cb,
			 void *ud);
int gw_order_search(struct gw_rest *r, int64_t account_id, srm_ms start, srm_ms end,
		    enum gw_prio prio, gw_rest_cb cb, void *ud);
/* Prices PX_NULL when absent; tag NULL or "" for none. */
int gw_order_place(struct gw_rest *r, int64_t account_id, const char *contract_id, int type,
		   int side, int size, double limit_price, double stop_price, const char *tag,
		   enum gw_prio prio, gw_rest_cb cb, void *ud);
int gw_order_cancel(struct gw_rest *r, int64_t account_id, int64_t order_id, enum gw_prio prio,
		    gw_rest_cb cb, void *ud);
int gw_order_modify(struct gw_rest *r, int64_t account_id, int64_t order_id, int size,
		    double limit_price, double stop_price, enum gw_prio prio, gw_rest_cb cb,
		    void *ud);
int gw_trade_search(struct gw_rest *r, int64_t account_id, srm_ms start, srm_ms end,
		    enum gw_prio prio, gw_rest_cb cb, void *ud);

/*
 * Decode a successful search result's rows into events (accounts, orders, positions,
 * trades, contracts; Contract/searchById gives one). A bad row fails the whole result.
 */
int gw_result_events(const struct gw_result *res, struct srm_event *out, size_t cap, size_t *n,
		     struct srm_err *err);
/* How many rows a successful search result holds (what gw_result_events needs room for). */
size_t gw_result_rows(const struct gw_result *res);
/* Order/place: the new order id. */
int gw_result_order_id(const struct gw_result *res, int64_t *id, struct srm_err *err);

#endif
