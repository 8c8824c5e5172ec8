/*
 * ingest.c: our half of bench/ingest: how fast the gateway hub client (src/gateway/hub.h, on a
 * libuv loop) takes in a srm-sim flood of GatewayQuote and GatewayUserOrder records, each one
 * parsed and decoded by src/wire/ into a struct srm_event and checked here.
 * Usage: bench-ingest PORT ACCOUNT CONTRACT NQUOTES NORDERS [CA_FILE] (a running srm-sim on
 * 127.0.0.1; with CA_FILE over https/wss, trusting it). Prints one JSON line {client, quotes,
 * orders, seconds, cpu_seconds} (cpu: this process, user + system, from the flood request to
 * the last event); bench/ingest.sh runs both clients.
 */
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

#include "benchutil.h"
#include "gateway/hub.h"
#include "util/log.h"

struct bench {
	uv_loop_t loop;
	uv_timer_t guard;
	struct gw_ws *ws;
	struct gw_hub *user, *market;
	int port;
	int64_t account;
	const char *contract;
	long want_quotes, want_orders;
	long quotes, orders, bad;
	int connected, barriers;
	bool failed, done;
	const char *ca;           /* TLS: the CA to trust; NULL: plain */
	double t0, t1, c0, c1;
};

/* This process's CPU time (user + system) in seconds. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static void finish(struct bench *b, bool failed)
{
	b->failed = b->failed || failed;
	uv_stop(&b->loop);
}

/* Every event is a struct srm_event decoded by src/wire/: check what the flood sent. */
static void on_event(struct gw_hub *hub, const struct srm_event *ev, void *ud)
{
	struct bench *b = ud;

	(void)hub;
	if (ev->kind == EV_QUOTE) {
		const struct px_quote *q = &ev->u.quote;

		if (strcmp(q->contract_id, b->contract) != 0 || !isfinite(q->best_bid) ||
		    !isfinite(q->best_ask) || q->best_ask <= q->best_bid || q->timestamp <= 0)
			b->bad++;
		b->quotes++;
	} else if (ev->kind == EV_ORDER) {
		const struct px_order *o = &ev->u.order;

		if (o->account_id != b->account || o->status != PX_OS_OPEN ||
		    o->type != PX_OT_LIMIT || !isfinite(o->limit_price) || o->size != 1)
			b->bad++;
		b->orders++;
	} else {
		b->bad++;
	}
	if (b->quotes + b->orders == b->want_quotes + b->want_orders && !b->done) {
		b->t1 = bench_now_s();
		b->c1 = cpu_s();
		b->done = true;
		finish(b, false);
	}
}

/* Both barrier invocations completed: the subscriptions are in place; flood now. */
static void on_barrier(struct gw_hub *hub, const char *error, const cJSON *result, void *ud)
{
	struct bench *b = ud;

	(void)hub;
	(void)result;
	if (error != NULL) {
		fprintf(stderr, "bench-ingest: subscribe failed: %s\n", error);
		finish(b, true);
		return;
	}
	if (++b->barriers < 2)
		return;
	b->t0 = bench_now_s();
	b->c0 = cpu_s();
	if (bench_flood(b->port, (long long)b->account, b->contract, b->want_quotes,
			b->want_orders) != 0)
		finish(b, true);
}

static void on_state(struct gw_hub *hub, enum gw_hub_state st, bool resync, void *ud)
{
	struct bench *b = ud;
	cJSON *args;

	if (st != GW_HUB_CONNECTED)
		return;
	if (resync) {
		fprintf(stderr, "bench-ingest: a hub reconnected during the run\n");
		finish(b, true);
		return;
	}
	args = cJSON_CreateArray();
	/* Invocations complete in order: this one completes after the remembered subscriptions. */
	if (hub == b->user) {
		cJSON_AddItemToArray(args, cJSON_CreateNumber((double)b->account));
		gw_hub_invoke(hub, "SubscribeOrders", args, on_barrier, b);
	} else {
		cJSON_AddItemToArray(args, cJSON_CreateString(b->contract));
		gw_hub_invoke(hub, "SubscribeContractQuotes", args, on_barrier, b);
	}
}

static void on_guard(uv_timer_t *t)
{
	struct bench *b = t->data;

	fprintf(stderr, "bench-ingest: timeout: %ld quotes, %ld orders received\n", b->quotes,
		b->orders);
	finish(b, true);
}

static void run_for(struct bench *b, int ms)
{
	double end = bench_now_s() + ms / 1000.0;

	while (bench_now_s() < end) {
		uv_run(&b->loop, UV_RUN_NOWAIT);
		uv_sleep(2);
	}
}

static struct gw_hub *hub_open(struct bench *b, enum gw_hub_kind kind, const char *token)
{
	struct gw_hub_opts o;
	struct srm_err err = { 0 };
	char url[128];
	struct gw_hub *h;

	memset(&o, 0, sizeof(o));
	snprintf(url, sizeof(url), "%s://127.0.0.1:%d/hubs/%s", b->ca ? "https" : "http", b->port,
		 kind == GW_HUB_USER ? "user" : "market");
	o.kind = kind;
	o.ws = b->ws;
	o.url = url;
	o.reconnect_max_ms = 1000;
	o.on_event = on_event;
	o.on_state = on_state;
	o.ud = b;
	h = gw_hub_new(&b->loop, &o, &err);
	if (h == NULL) {
		fprintf(stderr, "bench-ingest: gw_hub_new: %s\n", err.msg);
		return NULL;
	}
	gw_hub_set_token(h, token);
	return h;
}

int main(int argc, char **argv)
{
	struct bench b;
	struct srm_err err = { 0 };
	long port, acc;
	char *tok;

	memset(&b, 0, sizeof(b));
	if ((argc != 6 && argc != 7) || !bench_parse_long(argv[1], 1, 65535, &port) ||
	    !bench_parse_long(argv[2], 1, 1L << 40, &acc) ||
	    !bench_parse_long(argv[4], 0, 100000000, &b.want_quotes) ||
	    !bench_parse_long(argv[5], 0, 100000000, &b.want_orders) ||
	    b.want_quotes + b.want_orders == 0) {
		fprintf(stderr, "usage: bench-ingest PORT ACCOUNT CONTRACT NQUOTES NORDERS [CA_FILE]\n");
		return 2;
	}
	b.port = (int)port;
	b.account = acc;
	b.contract = argv[3];
	b.ca = argc == 7 ? argv[6] : NULL;
	if (b.ca != NULL)
		bench_use_tls(b.ca);
	log_set_level(LOG_ERROR); /* teardown "connection lost" lines are noise here */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tok = bench_login(b.port);
	if (tok == NULL)
		return 1;
	uv_loop_init(&b.loop);
	b.ws = gw_ws_new(&b.loop, b.ca, &err);
	if (b.ws == NULL) {
		fprintf(stderr, "bench-ingest: gw_ws_new: %s\n", err.msg);
		return 1;
	}
	b.user = hub_open(&b, GW_HUB_USER, tok);
	b.market = hub_open(&b, GW_HUB_MARKET, tok);
	free(tok);
	if (b.user == NULL || b.market == NULL)
		return 1;
	/* What the daemon does: remembered subscriptions, then start. */
	const char *ids[1] = { b.contract };
	if (gw_hub_subscribe_account(b.user, b.account) != 0 ||
	    gw_hub_set_quotes(b.market, ids, 1) != 0 || gw_hub_start(b.user) != 0 ||
	    gw_hub_start(b.market) != 0) {
		fprintf(stderr, "bench-ingest: cannot start the hubs\n");
		return 1;
	}
	uv_timer_init(&b.loop, &b.guard);
	b.guard.data = &b;
	uv_timer_start(&b.guard, on_guard, 120000, 0);
	uv_run(&b.loop, UV_RUN_DEFAULT);

	struct gw_hub_stats su, sm;
	gw_hub_stats(b.user, &su);
	gw_hub_stats(b.market, &sm);
	gw_hub_free(b.user);
	gw_hub_free(b.market);
	uv_timer_stop(&b.guard);
	run_for(&b, 100); /* the hubs close, then the context goes */
	gw_ws_free(b.ws);
	run_for(&b, 50);
	uv_close((uv_handle_t *)&b.guard, NULL);
	uv_run(&b.loop, UV_RUN_NOWAIT);
	uv_loop_close(&b.loop);
	curl_global_cleanup();
	if (b.failed || !b.done)
		return 1;
	if (b.bad > 0 || su.malformed + sm.malformed > 0) {
		fprintf(stderr, "bench-ingest: %ld events with unexpected content, %llu malformed\n",
			b.bad, (unsigned long long)(su.malformed + sm.malformed));
		return 1;
	}
	printf("{\"client\":\"srm gw_hub\",\"quotes\":%ld,\"orders\":%ld,\"seconds\":%.6f,"
	       "\"cpu_seconds\":%.6f,\"records\":%llu}\n", b.quotes, b.orders, b.t1 - b.t0,
	       b.c1 - b.c0, (unsigned long long)(su.records + sm.records));
	return 0;
}
