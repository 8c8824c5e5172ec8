/* rest.c: ProjectX REST over libcurl multi on libuv: token, budget, retries, breakers. */
#include "gateway/http.h"
#include "gateway/rest.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/token.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

#define RESP_MAX (16u << 20) /* largest response body accepted */

/* Per-endpoint facts: path, payload field, whether a repeat is harmless, code names. */
struct ep_def {
	const char *path;
	const char *payload;
	bool idempotent;
	const char *const *codes;
	int ncodes;
};

static const char *const codes_login[] = {
	"Success", "UserNotFound", "PasswordVerificationFailed", "InvalidCredentials",
	"AppNotFound", "AppVerificationFailed", "InvalidDevice", "AgreementsNotSigned",
	"UnknownError", "ApiSubscriptionNotFound", "ApiKeyAuthenticationDisabled"};
static const char *const codes_validate[] = {
	"Success", "InvalidSession", "SessionNotFound", "ExpiredToken", "UnknownError"};
static const char *const codes_success[] = {"Success"};
static const char *const codes_by_id[] = {"Success", "ContractNotFound"};
static const char *const codes_account[] = {"Success", "AccountNotFound"};
static const char *const codes_close[] = {
	"Success", "AccountNotFound", "PositionNotFound", "ContractNotFound", "ContractNotActive",
	"OrderRejected", "OrderPending", "UnknownError", "AccountRejected"};
static const char *const codes_partial[] = {
	"Success", "AccountNotFound", "PositionNotFound", "ContractNotFound", "ContractNotActive",
	"InvalidCloseSize", "OrderRejected", "OrderPending", "UnknownError", "AccountRejected"};
static const char *const codes_place[] = {
	"Success", "AccountNotFound", "OrderRejected", "InsufficientFunds", "AccountViolation",
	"OutsideTradingHours", "OrderPending", "UnknownError", "ContractNotFound",
	"ContractNotActive", "AccountRejected"};
static const char *const codes_cancel[] = {
	"Success", "AccountNotFound", "OrderNotFound", "Rejected", "Pending", "UnknownError",
	"AccountRejected"};
static const char *const codes_modify[] = {
	"Success", "AccountNotFound", "OrderNotFound", "Rejected", "Pending", "UnknownError",
	"AccountRejected", "ContractNotFound"};

#define CODES(a) (a), (int)(sizeof(a) / sizeof((a)[0]))

/* API reference §2-§7 (SW-Sep25 error enums). */
static const struct ep_def ep_defs[GW_EP_COUNT] = {
	[GW_EP_LOGIN_KEY] = {"/api/Auth/loginKey", "token", true, CODES(codes_login)},
	[GW_EP_VALIDATE] = {"/api/Auth/validate", "newToken", true, CODES(codes_validate)},
	[GW_EP_ACCOUNT_SEARCH] = {"/api/Account/search", "accounts", true, CODES(codes_success)},
	[GW_EP_CONTRACT_SEARCH] = {"/api/Contract/search", "contracts", true, CODES(codes_success)},
	[GW_EP_CONTRACT_SEARCH_BY_ID] = {"/api/Contract/searchById", "contract", true,
					 CODES(codes_by_id)},
	[GW_EP_POSITION_SEARCH_OPEN] = {"/api/Position/searchOpen", "positions", true,
					CODES(codes_account)},
	[GW_EP_POSITION_CLOSE] = {"/api/Position/closeContract", NULL, true, CODES(codes_close)},
	/* a repeated partial close would close more than asked */
	[GW_EP_POSITION_PARTIAL_CLOSE] = {"/api/Position/partialCloseContract", NULL, false,
					  CODES(codes_partial)},
	[GW_EP_ORDER_SEARCH] = {"/api/Order/search", "orders", true, CODES(codes_account)},
	[GW_EP_ORDER_SEARCH_OPEN] = {"/api/Order/searchOpen", "orders", true, CODES(codes_account)},
	/* a repeated place would place a second order */
	[GW_EP_ORDER_PLACE] = {"/api/Order/place", "orderId", false, CODES(codes_place)},
	[GW_EP_ORDER_CANCEL] = {"/api/Order/cancel", NULL, true, CODES(codes_cancel)},
	[GW_EP_ORDER_MODIFY] = {"/api/Order/modify", NULL, true, CODES(codes_modify)},
	[GW_EP_TRADE_SEARCH] = {"/api/Trade/search", "trades", true, CODES(codes_account)},
};

static const char *const status_names[] = {
	"ok", "api", "http", "auth", "rate", "server", "net", "timeout", "breaker", "proto",
	"cancelled"};

struct gw_call {
	struct gw_call *next, *prev;
	struct gw_rest *rest;
	enum gw_endpoint ep;
	enum gw_prio prio;
	bool auth;           /* internal login / validate */
	char *body;
	gw_rest_cb cb;
	void *ud;
	int attempts;
	bool auth_retried;
	bool probe;          /* the breaker's half-open probe */
	int64_t not_before;
	int64_t created;
	uint64_t token_gen;
	enum gw_status last_status;
	int last_http;
	char last_msg[160];
	CURL *easy;
	struct curl_slist *hdrs;
	char *resp;
	size_t resp_len, resp_cap;
	char errbuf[CURL_ERROR_SIZE];
};

struct call_list {
	struct gw_call *head, *tail;
	int n;
};

struct gw_rest {
	uv_loop_t *loop;
	struct http_multi *http;        /* curl's multi on the loop (http.c) */
	uv_timer_t pump_timer, refresh_timer;
	int open_handles;
	bool closing;
	struct gw_rest_opts o;
	char *base_url, *username, *api_key, *ca_file;
	char *token;
	uint64_t token_gen;
	int64_t token_exp;
	bool token_ok;
	bool auth_busy;
	bool started;
	bool pumping;                   /* pump() is running: a call made meanwhile waits for the timer */
	int64_t auth_fail_until;
	struct call_list queue[GW_PRIO_COUNT];
	struct call_list inflight;
	struct gw_budget budget;
	struct gw_breaker breakers[GW_EP_COUNT];
	uint64_t rng;
	struct gw_rest_stats st;
};

const char *gw_endpoint_path(enum gw_endpoint ep)
{
	return (unsigned)ep < GW_EP_COUNT ? ep_defs[ep].path : "?";
}

const char *gw_error_name(enum gw_endpoint ep, int code)
{
	if ((unsigned)ep >= GW_EP_COUNT || code < 0 || code >= ep_defs[ep].ncodes)
		return NULL;
	return ep_defs[ep].codes[code];
}

enum gw_goal gw_goal(const struct gw_result *res)
{
	const char *n = res->error_name;

	if (res->status == GW_OK)
		return GW_GOAL_DONE;
	if (res->status != GW_EAPI || n == NULL)
		return GW_GOAL_FAILED;
	if ((res->ep == GW_EP_POSITION_CLOSE || res->ep == GW_EP_POSITION_PARTIAL_CLOSE) &&
	    strcmp(n, "PositionNotFound") == 0)
		return GW_GOAL_ALREADY;
	if (res->ep == GW_EP_ORDER_CANCEL && strcmp(n, "OrderNotFound") == 0)
		return GW_GOAL_ALREADY;
	if (strcmp(n, "ContractNotFound") == 0)
		return GW_GOAL_NO_CONTRACT;
	return GW_GOAL_FAILED;
}

const char *gw_status_name(enum gw_status s)
{
	return (unsigned)s <= GW_ECANCELLED ? status_names[s] : "?";
}

static void list_push(struct call_list *l, struct gw_call *c)
{
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->n++;
}

static void list_push_front(struct call_list *l, struct gw_call *c)
{
	c->prev = NULL;
	c->next = l->head;
	if (l->head)
		l->head->prev = c;
	else
		l->tail = c;
	l->head = c;
	l->n++;
}

static void list_del(struct call_list *l, struct gw_call *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->next = c->prev = NULL;
	l->n--;
}

static int64_t wall_ms(void)
{
	return clock_wall_ms();
}

static int64_t now_ms(struct gw_rest *r)
{
	uv_update_time(r->loop);
	return (int64_t)uv_now(r->loop);
}

static void pump_cb(uv_timer_t *t);
static void start_login(struct gw_rest *r);
static void start_refresh(struct gw_rest *r);

static void schedule_pump(struct gw_rest *r, int64_t delay)
{
	if (r->closing)
		return;
	if (delay < 0)
		delay = 0;
	if (uv_is_active((uv_handle_t *)&r->pump_timer) &&
	    (int64_t)uv_timer_get_due_in(&r->pump_timer) <= delay)
		return;
	uv_timer_start(&r->pump_timer, pump_cb, (uint64_t)delay, 0);
}

static void call_free(struct gw_call *c)
{
	if (c->easy)
		curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->hdrs);
	free(c->body);
	free(c->resp);
	free(c);
}

static void auth_done(struct gw_rest *r, struct gw_call *c, const struct gw_result *res);

/* Deliver the final result and free the call (it is on no list). */
/* NOLINTNEXTLINE(misc-no-recursion): a failed login fails the calls waiting for it, once */
static void complete(struct gw_call *c, struct gw_result *res)
{
	struct gw_rest *r = c->rest;

	res->ep = c->ep;
	res->attempts = c->attempts;
	res->elapsed_ms = now_ms(r) - c->created;
	if (res->status != GW_OK && res->status != GW_ECANCELLED)
		log_debug("rest", "call failed | path=%s prio=%s status=%s http=%d code=%d "
			  "attempts=%d err=\"%s\"", ep_defs[c->ep].path, gw_prio_name(c->prio),
			  gw_status_name(res->status), res->http_status, res->error_code,
			  c->attempts, res->message);
	if (c->auth)
		auth_done(r, c, res);
	else if (c->cb)
		c->cb(r, res, c->ud);
	call_free(c);
}

/* NOLINTNEXTLINE(misc-no-recursion): a failed login fails the calls waiting for it, once */
static void complete_simple(struct gw_call *c, enum gw_status st, int http, const char *msg)
{
	struct gw_result res;

	memset(&res, 0, sizeof(res));
	res.status = st;
	res.http_status = http;
	strlcpy_s(res.message, msg ? msg : "", sizeof(res.message));
	complete(c, &res);
}

/* Fail every queued user call (no token could be had). */
/* NOLINTNEXTLINE(misc-no-recursion): a failed login fails the calls waiting for it, once */
static void fail_waiting(struct gw_rest *r, enum gw_status st, const char *msg)
{
	for (int p = 0; p < GW_PRIO_COUNT; p++) {
		struct gw_call *c = r->queue[p].head, *next;

		for (; c != NULL; c = next) {
			next = c->next;
			if (c->auth)
				continue;
			list_del(&r->queue[p], c);
			complete_simple(c, st, 0, msg);
		}
	}
}

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct gw_call *c = ud;
	size_t n = size * nmemb;

	if (c->resp_len + n + 1 > RESP_MAX)
		return 0; /* CURLE_WRITE_ERROR */
	xgrow(&c->resp, &c->resp_cap, c->resp_len + n + 1, 0);
	memcpy(c->resp + c->resp_len, ptr, n);
	c->resp_len += n;
	c->resp[c->resp_len] = '\0';
	return n;
}

/* Start one attempt of c on the wire. Returns -1 if curl refused it. */
static int dispatch(struct gw_rest *r, struct gw_call *c)
{
	char url[1024], hdr[1200];
	CURL *e;

	snprintf(url, sizeof(url), "%s%s", r->base_url, ep_defs[c->ep].path);
	e = curl_easy_init();
	if (e == NULL)
		return -1;
	c->easy = e;
	c->resp_len = 0;
	c->errbuf[0] = '\0';
	c->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	c->hdrs = curl_slist_append(c->hdrs, "accept: text/plain");
	c->hdrs = curl_slist_append(c->hdrs, "Expect:");
	if (c->ep != GW_EP_LOGIN_KEY && r->token != NULL) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", r->token);
		c->hdrs = curl_slist_append(c->hdrs, hdr);
		explicit_bzero(hdr, sizeof(hdr));
	}
	c->token_gen = r->token_gen;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->hdrs);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body ? c->body : "");
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(c->body ? strlen(c->body) : 0));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, r->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, r->o.total_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, r->ca_file);
	if (http_multi_add(r->http, e) != 0) {
		curl_easy_cleanup(e);
		c->easy = NULL;
		curl_slist_free_all(c->hdrs);
		c->hdrs = NULL;
		return -1;
	}
	c->attempts++;
	r->st.sent++;
	list_push(&r->inflight, c);
	log_debug("rest", "send | path=%s prio=%s attempt=%d", ep_defs[c->ep].path,
		  gw_prio_name(c->prio), c->attempts);
	return 0;
}

/* Send what may go now, highest class first; re-arm the pump for the rest. */
static void pump(struct gw_rest *r)
{
	int64_t now = now_ms(r), wake = -1;
	bool blocked = false;
	int sent = 0;

	if (r->closing || r->pumping)
		return;
	r->pumping = true;
	if (r->started && !r->token_ok && !r->auth_busy) {
		bool waiting = false;

		for (int p = 0; p < GW_PRIO_COUNT; p++)
			waiting |= r->queue[p].n > 0;
		if (waiting) {
			if (now < r->auth_fail_until) {
				fail_waiting(r, GW_EAUTH, "not logged in (last login failed)");
			} else if (r->token != NULL) {
				start_refresh(r);
			} else {
				start_login(r);
			}
		}
	}
	for (int p = 0; p < GW_PRIO_COUNT && !blocked; p++) {
		struct gw_call *c = r->queue[p].head, *next;

		for (; c != NULL; c = next) {
			int64_t w;

			next = c->next;
			if (!c->auth && (!r->token_ok || !r->started))
				continue;
			if (c->not_before > now) {
				if (wake < 0 || c->not_before - now < wake)
					wake = c->not_before - now;
				continue;
			}
			w = gw_budget_wait(&r->budget, c->prio, now);
			if (w > 0) {
				/* strict priority: lower classes wait behind this one */
				if (wake < 0 || w < wake)
					wake = w;
				blocked = true;
				break;
			}
			list_del(&r->queue[p], c);
			if (!gw_breaker_allow(&r->breakers[c->ep], now)) {
				char msg[96];

				snprintf(msg, sizeof(msg), "circuit breaker open for %s",
					 ep_defs[c->ep].path);
				complete_simple(c, GW_EBREAKER, 0, msg);
				continue;
			}
			c->probe = r->breakers[c->ep].state == GW_BREAKER_HALF_OPEN;
			gw_budget_take(&r->budget, c->prio, now);
			if (dispatch(r, c) < 0) {
				if (c->probe)
					gw_breaker_release(&r->breakers[c->ep]);
				complete_simple(c, GW_ENET, 0, "curl refused the request");
			} else {
				sent++;
			}
		}
	}
	r->pumping = false;
	if (wake >= 0)
		schedule_pump(r, wake);
	/* on the wire now, not at curl's 0 ms timer after everything else this loop turn does */
	if (sent > 0)
		http_multi_kick(r->http);
}

static void pump_cb(uv_timer_t *t)
{
	pump(t->data);
}

/* Put c back in its queue after a retryable failure, or finish it if out of attempts. */
static void retry_or_fail(struct gw_rest *r, struct gw_call *c, enum gw_status st, int http,
			  const char *msg, bool retryable, int64_t base)
{
	int64_t delay;

	if (!retryable || c->attempts >= r->o.max_attempts || r->closing) {
		complete_simple(c, st, http, msg);
		return;
	}
	delay = gw_backoff_ms(base, r->o.backoff_cap_ms, c->attempts - 1, &r->rng);
	c->not_before = now_ms(r) + delay;
	r->st.retries++;
	log_info("rest", "retrying | path=%s prio=%s status=%s http=%d attempt=%d delay_ms=%lld",
		 ep_defs[c->ep].path, gw_prio_name(c->prio), gw_status_name(st), http, c->attempts,
		 (long long)delay);
	list_push(&r->queue[c->prio], c);
	schedule_pump(r, delay);
}

/* One attempt finished: classify, retry, or complete. c is off every list. */
static void attempt_done(struct gw_rest *r, struct gw_call *c, CURLcode cc)
{
	struct gw_breaker *br = &r->breakers[c->ep];
	int64_t now = now_ms(r);
	int64_t base = c->prio == GW_PRIO_ENFORCE ? r->o.enforce_backoff_ms : r->o.backoff_base_ms;
	long http = 0;
	char msg[256];

	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	if (cc != CURLE_OK) {
		bool timeout = cc == CURLE_OPERATION_TIMEDOUT;
		bool not_sent = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST;
		long sent = 0;

		/* nothing of the request went out: repeating it is always safe */
		curl_easy_getinfo(c->easy, CURLINFO_REQUEST_SIZE, &sent);
		if (sent == 0)
			not_sent = true;
		snprintf(msg, sizeof(msg), "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
		curl_easy_cleanup(c->easy);
		c->easy = NULL;
		curl_slist_free_all(c->hdrs);
		c->hdrs = NULL;
		if (cc == CURLE_WRITE_ERROR) {
			gw_breaker_success(br);
			complete_simple(c, GW_EPROTO, (int)http, "response too large");
			return;
		}
		gw_breaker_failure(br, now);
		if (timeout)
			r->st.timeouts++;
		else
			r->st.net_errors++;
		log_warn("rest", "request failed | path=%s prio=%s attempt=%d err=\"%s\"",
			 ep_defs[c->ep].path, gw_prio_name(c->prio), c->attempts, msg);
		/* A request that may have been received is repeated only when that is harmless. */
		retry_or_fail(r, c, timeout ? GW_ETIMEOUT : GW_ENET, 0, msg,
			      not_sent || ep_defs[c->ep].idempotent, r->o.backoff_base_ms);
		return;
	}
	curl_easy_cleanup(c->easy);
	c->easy = NULL;
	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	if (http == 401) {
		gw_breaker_success(br);
		if (c->auth || c->auth_retried) {
			complete_simple(c, GW_EAUTH, 401, "unauthorized");
			return;
		}
		/* One refresh and one retry (API reference §2: 401 for a missing/expired token). */
		c->auth_retried = true;
		if (c->token_gen == r->token_gen) {
			r->token_ok = false;
			log_info("rest", "token rejected, refreshing | path=%s", ep_defs[c->ep].path);
		}
		list_push_front(&r->queue[c->prio], c);
		schedule_pump(r, 0);
		return;
	}
	if (http == 429) {
		if (c->probe)
			gw_breaker_release(br);
		r->st.http_429++;
		gw_budget_on_429(&r->budget, now, r->o.pause_429_ms);
		snprintf(msg, sizeof(msg), "HTTP 429 from %s", ep_defs[c->ep].path);
		retry_or_fail(r, c, GW_ERATE, 429, msg, true, base);
		return;
	}
	if (http >= 500) {
		r->st.http_5xx++;
		gw_breaker_failure(br, now);
		snprintf(msg, sizeof(msg), "HTTP %ld from %s", http, ep_defs[c->ep].path);
		retry_or_fail(r, c, GW_ESERVER, (int)http, msg, true, base);
		return;
	}
	gw_breaker_success(br);
	if (http != 200) {
		snprintf(msg, sizeof(msg), "HTTP %ld from %s", http, ep_defs[c->ep].path);
		complete_simple(c, GW_EHTTP, (int)http, msg);
		return;
	}
	{
		struct gw_result res;
		struct wire_envelope env;
		struct srm_err err = {0};
		cJSON *j = cJSON_ParseWithLength(c->resp ? c->resp : "", c->resp_len);

		memset(&res, 0, sizeof(res));
		res.http_status = 200;
		if (j == NULL || wire_decode_envelope(j, &env, &err) != 0) {
			res.status = GW_EPROTO;
			snprintf(res.message, sizeof(res.message), "bad envelope from %s: %.180s",
				 ep_defs[c->ep].path, j ? err.msg : "not JSON");
		} else {
			res.json = j;
			res.error_code = env.error_code;
			if (ep_defs[c->ep].payload != NULL)
				res.payload = cJSON_GetObjectItemCaseSensitive(j,
									       ep_defs[c->ep].payload);
			if (env.success) {
				res.status = GW_OK;
			} else {
				res.status = GW_EAPI;
				res.error_name = gw_error_name(c->ep, env.error_code);
				if (env.error_message[0])
					strlcpy_s(res.message, env.error_message,
						  sizeof(res.message));
				else
					snprintf(res.message, sizeof(res.message), "%s",
						 res.error_name ? res.error_name : "unknown error");
			}
		}
		complete(c, &res);
		cJSON_Delete(j);
	}
}

/* A request finished (http.c): its attempt is judged, then the queue moves. */
static void http_done(void *owner, CURL *easy, CURLcode cc)
{
	struct gw_rest *r = owner;
	struct gw_call *c = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
	if (c == NULL)
		return;
	list_del(&r->inflight, c);
	attempt_done(r, c, cc);
	schedule_pump(r, 0);
}

static void rest_closed(struct gw_rest *r)
{
	if (--r->open_handles == 0 && r->closing) {
		free(r->base_url);
		free(r->username);
		if (r->api_key) {
			explicit_bzero(r->api_key, strlen(r->api_key));
			free(r->api_key);
		}
		if (r->token) {
			explicit_bzero(r->token, strlen(r->token));
			free(r->token);
		}
		free(r->ca_file);
		free(r);
	}
}

static void on_handle_closed(uv_handle_t *h)
{
	rest_closed(h->data);
}

static void on_http_closed(void *arg)
{
	rest_closed(arg);
}

static struct gw_call *call_new(struct gw_rest *r, enum gw_endpoint ep, cJSON *body,
				enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	struct gw_call *c = xcalloc(1, sizeof(*c));

	c->rest = r;
	c->ep = ep;
	c->prio = prio;
	c->cb = cb;
	c->ud = ud;
	c->created = now_ms(r);
	if (body != NULL) {
		c->body = cJSON_PrintUnformatted(body);
		cJSON_Delete(body);
	}
	return c;
}

static void start_auth_call(struct gw_rest *r, enum gw_endpoint ep, cJSON *body)
{
	struct gw_call *c = call_new(r, ep, body, GW_PRIO_ENFORCE, NULL, NULL);

	c->auth = true;
	r->auth_busy = true;
	/* ahead of everything: nothing else can go without a token */
	list_push_front(&r->queue[GW_PRIO_ENFORCE], c);
	schedule_pump(r, 0);
}

static void start_login(struct gw_rest *r)
{
	if (r->auth_busy || r->closing)
		return;
	r->st.logins++;
	log_info("rest", "logging in | user=%s api_key=%s", r->username,
		 secret_str((struct secret){r->api_key}));
	start_auth_call(r, GW_EP_LOGIN_KEY, wire_req_login_key(r->username, r->api_key));
}

static void start_refresh(struct gw_rest *r)
{
	if (r->auth_busy || r->closing)
		return;
	if (r->token == NULL) {
		start_login(r);
		return;
	}
	r->st.refreshes++;
	log_info("rest", "refreshing token | token=%s", secret_str((struct secret){r->token}));
	start_auth_call(r, GW_EP_VALIDATE, NULL);
}

static void refresh_timer_cb(uv_timer_t *t)
{
	start_refresh(t->data);
}

static void adopt_token(struct gw_rest *r, const char *tok)
{
	struct srm_err err = {0};
	int64_t exp = 0, delay;

	if (r->token) {
		explicit_bzero(r->token, strlen(r->token));
		free(r->token);
	}
	r->token = xstrdup(tok);
	r->token_gen++;
	r->token_ok = true;
	r->auth_fail_until = 0;
	if (gw_jwt_exp(tok, &exp, &err) == 0) {
		r->token_exp = exp;
		delay = gw_token_refresh_delay_ms(wall_ms(), exp);
	} else {
		/* Not a JWT we can read: the gateway's tokens last 24 h (API reference §3). */
		r->token_exp = 0;
		delay = 3600 * 1000;
		log_warn("rest", "token expiry unknown, refreshing hourly | reason=\"%s\"", err.msg);
	}
	log_info("rest", "token adopted | exp=%lld refresh_in_ms=%lld", (long long)exp,
		 (long long)delay);
	uv_timer_start(&r->refresh_timer, refresh_timer_cb, (uint64_t)delay, 0);
	if (r->o.on_token)
		r->o.on_token(r, r->token, r->o.ud);
	schedule_pump(r, 0);
}

/* NOLINTNEXTLINE(misc-no-recursion): a failed login fails the calls waiting for it, once */
static void auth_done(struct gw_rest *r, struct gw_call *c, const struct gw_result *res)
{
	const cJSON *tok = res->payload;
	bool good = res->status == GW_OK && cJSON_IsString(tok) && tok->valuestring[0] != '\0';

	r->auth_busy = false;
	if (r->closing)
		return;
	if (good) {
		adopt_token(r, tok->valuestring);
		return;
	}
	if (c->ep == GW_EP_VALIDATE) {
		log_warn("rest", "token refresh failed, logging in again | status=%s http=%d "
			 "code=%d", gw_status_name(res->status), res->http_status, res->error_code);
		start_login(r);
		return;
	}
	log_error("rest", "login failed | status=%s http=%d code=%d name=%s err=\"%s\"",
		  gw_status_name(res->status), res->http_status, res->error_code,
		  res->error_name ? res->error_name : "-", res->message);
	r->token_ok = false;
	r->auth_fail_until = now_ms(r) + 5000;
	{
		struct gw_result copy = *res;

		copy.ep = GW_EP_LOGIN_KEY;
		if (copy.status == GW_OK)
			copy.status = GW_EPROTO; /* success without a token */
		fail_waiting(r, GW_EAUTH, "login failed");
		if (r->o.on_auth_fail)
			r->o.on_auth_fail(r, &copy, r->o.ud);
	}
}

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_ALL);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

struct gw_rest *gw_rest_new(uv_loop_t *loop, const struct gw_rest_opts *opts, struct srm_err *err)
{
	static uv_once_t once = UV_ONCE_INIT;
	struct gw_rest *r;
	size_t blen;

	if (opts == NULL || opts->base_url == NULL || opts->username == NULL ||
	    opts->api_key == NULL) {
		srm_err_set(err, SRM_EINVAL, "gateway: base_url, username and api_key are required");
		return NULL;
	}
	if (strncmp(opts->base_url, "http://", 7) != 0 && strncmp(opts->base_url, "https://", 8) != 0) {
		srm_err_set(err, SRM_EINVAL, "gateway: api_url: expected http(s)://..., got \"%s\"",
			    opts->base_url);
		return NULL;
	}
	uv_once(&once, global_init);
	r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->o = *opts;
	if (r->o.connect_timeout_ms <= 0)
		r->o.connect_timeout_ms = 5000;
	if (r->o.total_timeout_ms <= 0)
		r->o.total_timeout_ms = 15000;
	if (r->o.max_attempts <= 0)
		r->o.max_attempts = 4;
	if (r->o.backoff_base_ms <= 0)
		r->o.backoff_base_ms = 250;
	if (r->o.backoff_cap_ms <= 0)
		r->o.backoff_cap_ms = 8000;
	if (r->o.enforce_backoff_ms <= 0)
		r->o.enforce_backoff_ms = 20;
	if (r->o.pause_429_ms <= 0)
		r->o.pause_429_ms = 1000;
	r->base_url = xstrdup(opts->base_url);
	blen = strlen(r->base_url);
	while (blen > 0 && r->base_url[blen - 1] == '/')
		r->base_url[--blen] = '\0';
	r->username = xstrdup(opts->username);
	r->api_key = xstrdup(opts->api_key);
	r->ca_file = dup_or_null(opts->ca_file);
	r->o.base_url = r->o.username = r->o.api_key = r->o.ca_file = NULL;
	r->rng = opts->seed ? opts->seed : (uint64_t)wall_ms() ^ (uint64_t)(uintptr_t)r;
	gw_budget_init(&r->budget, &opts->budget);
	for (int i = 0; i < GW_EP_COUNT; i++)
		gw_breaker_init(&r->breakers[i], &opts->breaker);
	r->http = http_multi_new(loop, http_done, r, 16L);
	if (r->http == NULL) {
		srm_err_set(err, SRM_ENOMEM, "gateway: curl_multi_init failed");
		free(r->base_url);
		free(r->username);
		free(r->api_key);
		free(r->ca_file);
		free(r);
		return NULL;
	}
	uv_timer_init(loop, &r->pump_timer);
	uv_timer_init(loop, &r->refresh_timer);
	r->pump_timer.data = r->refresh_timer.data = r;
	r->open_handles = 3; /* the two timers and the multi */
	return r;
}

void gw_rest_free(struct gw_rest *r)
{
	struct gw_call *c;

	if (r == NULL || r->closing)
		return;
	r->closing = true;
	/* NOLINTBEGIN(clang-analyzer-unix.Malloc): each call leaves the list before it is freed */
	while ((c = r->inflight.head) != NULL) {
		list_del(&r->inflight, c);
		http_multi_remove(r->http, c->easy);
		if (c->probe)
			gw_breaker_release(&r->breakers[c->ep]);
		complete_simple(c, GW_ECANCELLED, 0, "shut down");
	}
	for (int p = 0; p < GW_PRIO_COUNT; p++)
		while ((c = r->queue[p].head) != NULL) {
			list_del(&r->queue[p], c);
			complete_simple(c, GW_ECANCELLED, 0, "shut down");
		}
	/* NOLINTEND(clang-analyzer-unix.Malloc) */
	http_multi_free(r->http, on_http_closed, r);
	r->http = NULL;
	uv_timer_stop(&r->pump_timer);
	uv_timer_stop(&r->refresh_timer);
	uv_close((uv_handle_t *)&r->pump_timer, on_handle_closed);
	uv_close((uv_handle_t *)&r->refresh_timer, on_handle_closed);
}

int gw_rest_start(struct gw_rest *r)
{
	if (r == NULL || r->closing)
		return -1;
	r->started = true;
	if (!r->token_ok)
		start_login(r);
	return 0;
}

void gw_rest_refresh(struct gw_rest *r)
{
	if (r != NULL && !r->closing)
		start_refresh(r);
}

const char *gw_rest_token(const struct gw_rest *r)
{
	return r && r->token ? r->token : "";
}

enum gw_breaker_state gw_rest_breaker(struct gw_rest *r, enum gw_endpoint ep)
{
	if ((unsigned)ep >= GW_EP_COUNT)
		return GW_BREAKER_CLOSED;
	return gw_breaker_state_at(&r->breakers[ep], now_ms(r));
}

void gw_rest_stats(struct gw_rest *r, struct gw_rest_stats *out)
{
	*out = r->st;
	for (int p = 0; p < GW_PRIO_COUNT; p++)
		out->queued[p] = r->queue[p].n;
	out->in_flight = r->inflight.n;
	out->budget_used = gw_budget_used(&r->budget, now_ms(r));
	out->have_token = r->token_ok;
	out->token_exp = r->token_exp;
}

int gw_rest_call(struct gw_rest *r, enum gw_endpoint ep, cJSON *body, enum gw_prio prio,
		 gw_rest_cb cb, void *ud)
{
	struct gw_call *c;

	if (r == NULL || r->closing || (unsigned)ep >= GW_EP_COUNT || ep == GW_EP_LOGIN_KEY ||
	    ep == GW_EP_VALIDATE || (unsigned)prio >= GW_PRIO_COUNT) {
		cJSON_Delete(body);
		return -1;
	}
	c = call_new(r, ep, body, prio, cb, ud);
	list_push(&r->queue[prio], c);
	/*
	 * An enforcement goes out at once (it never waits for the budget): whatever else the
	 * caller does in this loop turn (publishing, logging, the rest of the hub frame) comes
	 * after the request is on the wire. Other classes wait for the pump's timer.
	 */
	if (prio == GW_PRIO_ENFORCE && !r->pumping)
		pump(r);
	else
		schedule_pump(r, 0);
	return 0;
}

int gw_account_search(struct gw_rest *r, bool only_active, enum gw_prio prio, gw_rest_cb cb,
		      void *ud)
{
	return gw_rest_call(r, GW_EP_ACCOUNT_SEARCH, wire_req_account_search(only_active), prio,
			    cb, ud);
}

int gw_contract_search(struct gw_rest *r, const char *text, bool live, enum gw_prio prio,
		       gw_rest_cb cb, void *ud)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "searchText", text ? text : "");
	cJSON_AddBoolToObject(b, "live", live);
	return gw_rest_call(r, GW_EP_CONTRACT_SEARCH, b, prio, cb, ud);
}

int gw_contract_search_by_id(struct gw_rest *r, const char *contract_id, enum gw_prio prio,
			     gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_CONTRACT_SEARCH_BY_ID, wire_req_contract_by_id(contract_id),
			    prio, cb, ud);
}

int gw_position_search_open(struct gw_rest *r, int64_t account_id, enum gw_prio prio,
			    gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_POSITION_SEARCH_OPEN, wire_req_account_id(account_id), prio,
			    cb, ud);
}

int gw_position_close(struct gw_rest *r, int64_t account_id, const char *contract_id,
		      enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_POSITION_CLOSE, wire_req_close_contract(account_id,
									   contract_id),
			    prio, cb, ud);
}

int gw_position_partial_close(struct gw_rest *r, int64_t account_id, const char *contract_id,
			      int size, enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_POSITION_PARTIAL_CLOSE,
			    wire_req_partial_close(account_id, contract_id, size), prio, cb, ud);
}

int gw_order_search_open(struct gw_rest *r, int64_t account_id, enum gw_prio prio, gw_rest_cb cb,
			 void *ud)
{
	return gw_rest_call(r, GW_EP_ORDER_SEARCH_OPEN, wire_req_account_id(account_id), prio, cb,
			    ud);
}

int gw_order_search(struct gw_rest *r, int64_t account_id, srm_ms start, srm_ms end,
		    enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_ORDER_SEARCH, wire_req_order_search(account_id, start, end),
			    prio, cb, ud);
}

int gw_order_place(struct gw_rest *r, int64_t account_id, const char *contract_id, int type,
		   int side, int size, double limit_price, double stop_price, const char *tag,
		   enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_ORDER_PLACE,
			    wire_req_place(account_id, contract_id, type, side, size, limit_price,
					   stop_price, tag),
			    prio, cb, ud);
}

int gw_order_cancel(struct gw_rest *r, int64_t account_id, int64_t order_id, enum gw_prio prio,
		    gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_ORDER_CANCEL, wire_req_cancel(account_id, order_id), prio, cb,
			    ud);
}

int gw_order_modify(struct gw_rest *r, int64_t account_id, int64_t order_id, int size,
		    double limit_price, double stop_price, enum gw_prio prio, gw_rest_cb cb,
		    void *ud)
{
	return gw_rest_call(r, GW_EP_ORDER_MODIFY,
			    wire_req_modify(account_id, order_id, size, limit_price, stop_price),
			    prio, cb, ud);
}

int gw_trade_search(struct gw_rest *r, int64_t account_id, srm_ms start, srm_ms end,
		    enum gw_prio prio, gw_rest_cb cb, void *ud)
{
	return gw_rest_call(r, GW_EP_TRADE_SEARCH, wire_req_trade_search(account_id, start, end),
			    prio, cb, ud);
}

int gw_result_events(const struct gw_result *res, struct srm_event *out, size_t cap, size_t *n,
		     struct srm_err *err)
{
	enum ev_kind kind;

	*n = 0;
	if (res->status != GW_OK)
		return srm_err_set(err, SRM_EINVAL, "%s: no successful result",
				   gw_endpoint_path(res->ep));
	switch (res->ep) {
	case GW_EP_ACCOUNT_SEARCH:
		kind = EV_ACCOUNT;
		break;
	case GW_EP_ORDER_SEARCH:
	case GW_EP_ORDER_SEARCH_OPEN:
		kind = EV_ORDER;
		break;
	case GW_EP_POSITION_SEARCH_OPEN:
		kind = EV_POSITION;
		break;
	case GW_EP_TRADE_SEARCH:
		kind = EV_TRADE;
		break;
	case GW_EP_CONTRACT_SEARCH:
	case GW_EP_CONTRACT_SEARCH_BY_ID:
		kind = EV_CONTRACT;
		break;
	default:
		return srm_err_set(err, SRM_EINVAL, "%s: no rows", gw_endpoint_path(res->ep));
	}
	if (res->payload == NULL)
		return srm_err_set(err, SRM_EMISSING, "%s: field '%s' missing",
				   gw_endpoint_path(res->ep), ep_defs[res->ep].payload);
	if (res->ep == GW_EP_CONTRACT_SEARCH_BY_ID && !cJSON_IsObject(res->payload))
		return srm_err_set(err, SRM_EINVAL, "%s: field 'contract': expected an object",
				   gw_endpoint_path(res->ep));
	if (res->ep != GW_EP_CONTRACT_SEARCH_BY_ID && !cJSON_IsArray(res->payload))
		return srm_err_set(err, SRM_EINVAL, "%s: field '%s': expected an array",
				   gw_endpoint_path(res->ep), ep_defs[res->ep].payload);
	return wire_decode_user_event(kind, res->payload, out, cap, n, err);
}

size_t gw_result_rows(const struct gw_result *res)
{
	if (res->status != GW_OK || res->payload == NULL)
		return 0;
	if (cJSON_IsArray(res->payload))
		return (size_t)cJSON_GetArraySize(res->payload);
	return cJSON_IsObject(res->payload) ? 1 : 0;
}

int gw_result_order_id(const struct gw_result *res, int64_t *id, struct srm_err *err)
{
	if (res->status != GW_OK || res->json == NULL)
		return srm_err_set(err, SRM_EINVAL, "Order/place: no successful result");
	return wire_get_int64(res->json, "orderId", true, id, err);
}
