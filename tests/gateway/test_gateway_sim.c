/*
 * test_gateway_sim.c: the gateway client (REST + hubs) against the real srm-sim over real
 * sockets, plain and TLS: login, every REST call and its error mapping, 401 refresh, token
 * expiry, 429 storm priority, 5xx and the breaker, timeouts, cancellation, hub events,
 * drop/stall -> reconnect + resubscribe + resync, redaction of secrets in logs.
 * Usage: test_gateway_sim PATH/TO/srm-sim
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "gateway/hub.h"
#include "gateway/rest.h"
#include "util/log.h"
#include "util/strutil.h"

#define API_KEY "sekrit-Key-0123456789"
#define ACCOUNT 10001

#include "check.h"

static uv_loop_t loop;
static uv_timer_t heartbeat;
static int64_t hb_last, hb_max_gap;
static const char *sim_exe;
static char tmpdir[256];
static char seen_tokens[32][1024];
static int nseen_tokens;
static char contract[64]; /* the MNQ contract id */

/* ---- the simulator process ---- */

struct simproc {
	pid_t pid;
	int port;
	bool tls;
	char base[128];
	char ca[512];
};

static int sim_start(struct simproc *sp, const char *const *extra, const char *cert,
		     const char *key, const char *ca)
{
	char out[512], line[256];
	const char *argv[32];
	int argc = 0;

	memset(sp, 0, sizeof(*sp));
	snprintf(out, sizeof(out), "%s/sim-%d.out", tmpdir, rand());
	argv[argc++] = sim_exe;
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--key";
	argv[argc++] = API_KEY;
	for (; extra && *extra && argc < 24; extra++)
		argv[argc++] = *extra;
	if (cert) {
		argv[argc++] = "--tls-cert";
		argv[argc++] = cert;
		argv[argc++] = "--tls-key";
		argv[argc++] = key;
		sp->tls = true;
		strlcpy_s(sp->ca, ca, sizeof(sp->ca));
	}
	argv[argc] = NULL;
	sp->pid = fork();
	if (sp->pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execv(sim_exe, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(out, "r");

		if (f != NULL) {
			while (fgets(line, sizeof(line), f)) {
				if (strncmp(line, "listening on 127.0.0.1:", 23) == 0) {
					sp->port = (int)strtol(line + 23, NULL, 10);
					break;
				}
			}
			fclose(f);
		}
		if (sp->port > 0)
			break;
		usleep(10000);
	}
	if (sp->port <= 0) {
		fprintf(stderr, "srm-sim did not start (see %s)\n", out);
		kill(sp->pid, SIGKILL);
		waitpid(sp->pid, NULL, 0);
		return -1;
	}
	snprintf(sp->base, sizeof(sp->base), "%s://127.0.0.1:%d", cert ? "https" : "http",
		 sp->port);
	return 0;
}

static void sim_stop(struct simproc *sp)
{
	if (sp->pid > 0) {
		kill(sp->pid, SIGTERM);
		for (int i = 0; i < 200; i++) {
			if (waitpid(sp->pid, NULL, WNOHANG) == sp->pid) {
				sp->pid = 0;
				return;
			}
			usleep(10000);
		}
		kill(sp->pid, SIGKILL);
		waitpid(sp->pid, NULL, 0);
		sp->pid = 0;
	}
}

struct buf {
	char *p;
	size_t n;
};

static size_t buf_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;
	char *np = realloc(b->p, b->n + n + 1);

	if (np == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->n, ptr, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

/* The control API (test side: a plain blocking request while our loop is not running). */
static cJSON *ctl(struct simproc *sp, const char *method, const char *path, const char *body)
{
	CURL *e = curl_easy_init();
	struct buf b = {0};
	char url[512];
	long code = 0;
	cJSON *j = NULL;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

	snprintf(url, sizeof(url), "%s%s", sp->base, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
	if (sp->tls)
		curl_easy_setopt(e, CURLOPT_CAINFO, sp->ca);
	if (curl_easy_perform(e) == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200 && b.p)
			j = cJSON_Parse(b.p);
	}
	if (j == NULL)
		fprintf(stderr, "control %s %s failed: HTTP %ld %s\n", method, path, code,
			b.p ? b.p : "");
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	free(b.p);
	return j;
}

static void ctl_ok(struct simproc *sp, const char *method, const char *path, const char *body)
{
	cJSON *j = ctl(sp, method, path, body);

	CHECK(j != NULL);
	cJSON_Delete(j);
}

static int64_t last_seq(struct simproc *sp)
{
	cJSON *j = ctl(sp, "GET", "/sim/state", NULL);
	int64_t v = j ? (int64_t)cJSON_GetObjectItem(j, "lastRequestSeq")->valuedouble : 0;

	cJSON_Delete(j);
	return v;
}

/* Requests logged after seq (caller frees). */
static cJSON *requests_since(struct simproc *sp, int64_t seq)
{
	char path[64];
	cJSON *j, *arr;

	snprintf(path, sizeof(path), "/sim/requests?since=%lld", (long long)seq);
	j = ctl(sp, "GET", path, NULL);
	if (j == NULL)
		return cJSON_CreateArray();
	arr = cJSON_DetachItemFromObject(j, "requests");
	cJSON_Delete(j);
	return arr;
}

/* How many logged entries match a path/target (and, if args != NULL, printed arguments). */
static int count_req(const cJSON *reqs, const char *name, const char *args)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, reqs) {
		const cJSON *p = cJSON_GetObjectItem(it, "path");
		const cJSON *t = cJSON_GetObjectItem(it, "target");
		const char *nm = cJSON_IsString(p) ? p->valuestring :
				 cJSON_IsString(t) ? t->valuestring : "";

		if (strcmp(nm, name) != 0)
			continue;
		if (args != NULL) {
			char *s = cJSON_PrintUnformatted(cJSON_GetObjectItem(it, "arguments"));
			bool m = s && strcmp(s, args) == 0;

			free(s);
			if (!m)
				continue;
		}
		n++;
	}
	return n;
}

/* ---- driving the loop ---- */

static void hb_cb(uv_timer_t *t)
{
	int64_t now = (int64_t)uv_now(t->loop);

	if (hb_last && now - hb_last > hb_max_gap)
		hb_max_gap = now - hb_last;
	hb_last = now;
}

typedef bool (*pred_fn)(void *arg);

static bool run_until(pred_fn pred, void *arg, int timeout_ms)
{
	uint64_t deadline;

	uv_update_time(&loop);
	deadline = uv_now(&loop) + (uint64_t)timeout_ms;
	hb_last = (int64_t)uv_now(&loop);
	hb_max_gap = 0;
	while (!(pred && pred(arg)) && uv_now(&loop) < deadline)
		uv_run(&loop, UV_RUN_ONCE);
	return pred ? pred(arg) : true;
}

static void run_for(int ms)
{
	run_until(NULL, NULL, ms);
}

/* ---- REST results ---- */

static int completion_seq;

struct res {
	bool done;
	int order;
	struct gw_result r;
	struct srm_event ev[64];
	size_t nev;
	int decode_rc;
	int64_t order_id;
};

static void res_cb(struct gw_rest *rest, const struct gw_result *r, void *ud)
{
	struct res *x = ud;
	struct srm_err err = {0};

	(void)rest;
	x->done = true;
	x->order = ++completion_seq;
	x->r = *r;
	x->decode_rc = -1;
	if (r->status == GW_OK) {
		if (r->ep == GW_EP_ORDER_PLACE)
			x->decode_rc = gw_result_order_id(r, &x->order_id, &err);
		else if (r->payload != NULL)
			x->decode_rc = gw_result_events(r, x->ev, 64, &x->nev, &err);
		if (x->decode_rc != 0 && r->payload != NULL)
			fprintf(stderr, "decode %s: %s\n", gw_endpoint_path(r->ep), err.msg);
	}
	x->r.json = x->r.payload = NULL;
}

static bool res_done(void *a)
{
	return ((struct res *)a)->done;
}

static bool wait_res(struct res *x)
{
	return run_until(res_done, x, 15000);
}

/* ---- client context, wired as the daemon wires it ---- */

struct ctx {
	struct gw_rest *rest;
	struct gw_hub *user, *market;
	struct gw_ws *ws;
	int tokens;
	int auth_fails;
	struct gw_result auth_res;
	int kinds[EV_KIND_COUNT];
	struct srm_event last[EV_KIND_COUNT];
	int resyncs[2], connected[2];
	bool saw_cant_trade;
};

static void on_token(struct gw_rest *rest, const char *tok, void *ud)
{
	struct ctx *c = ud;

	(void)rest;
	c->tokens++;
	if (nseen_tokens < 32)
		strlcpy_s(seen_tokens[nseen_tokens++], tok, sizeof(seen_tokens[0]));
	if (c->user) {
		gw_hub_set_token(c->user, tok);
		gw_hub_start(c->user);
	}
	if (c->market) {
		gw_hub_set_token(c->market, tok);
		gw_hub_start(c->market);
	}
}

static void on_auth_fail(struct gw_rest *rest, const struct gw_result *res, void *ud)
{
	struct ctx *c = ud;

	(void)rest;
	c->auth_fails++;
	c->auth_res = *res;
	c->auth_res.json = c->auth_res.payload = NULL;
}

static void on_event(struct gw_hub *hub, const struct srm_event *ev, void *ud)
{
	struct ctx *c = ud;

	(void)hub;
	c->kinds[ev->kind]++;
	c->last[ev->kind] = *ev;
	if (ev->kind == EV_ACCOUNT && ev->u.account.id == ACCOUNT && !ev->u.account.can_trade)
		c->saw_cant_trade = true;
}

static void on_state(struct gw_hub *hub, enum gw_hub_state st, bool resync, void *ud)
{
	struct ctx *c = ud;
	int i = hub == c->user ? 0 : 1;

	if (st == GW_HUB_CONNECTED) {
		c->connected[i]++;
		if (resync)
			c->resyncs[i]++;
	}
}

static struct gw_rest *rest_new(struct simproc *sp, struct ctx *c, const char *key,
				const struct gw_rest_opts *tweak)
{
	struct gw_rest_opts o;
	struct srm_err err = {0};
	struct gw_rest *r;

	if (tweak)
		o = *tweak;
	else
		memset(&o, 0, sizeof(o));
	o.base_url = sp->base;
	o.username = "demo";
	o.api_key = key;
	if (sp->tls && o.ca_file == NULL)
		o.ca_file = sp->ca;
	if (o.ca_file && strcmp(o.ca_file, "-") == 0)
		o.ca_file = NULL; /* system CAs */
	o.seed = 7;
	o.on_token = on_token;
	o.on_auth_fail = on_auth_fail;
	o.ud = c;
	r = gw_rest_new(&loop, &o, &err);
	if (r == NULL)
		fprintf(stderr, "gw_rest_new: %s\n", err.msg);
	c->rest = r;
	return r;
}

static bool have_token(void *a)
{
	return ((struct ctx *)a)->tokens > 0;
}

static bool auth_failed(void *a)
{
	return ((struct ctx *)a)->auth_fails > 0;
}

static void rest_done(struct ctx *c)
{
	gw_rest_free(c->rest);
	c->rest = NULL;
	run_for(20); /* close callbacks */
}

static void find_contract(struct simproc *sp)
{
	cJSON *j = ctl(sp, "GET", "/sim/state", NULL), *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "contracts")) {
		const char *id = cJSON_GetObjectItem(it, "id")->valuestring;

		if (strstr(id, ".MNQ.") != NULL)
			strlcpy_s(contract, id, sizeof(contract));
	}
	cJSON_Delete(j);
}

/* ---- tests ---- */

static void t_login(struct simproc *sp)
{
	struct ctx c = {0};
	struct res a = {0}, q = {0};
	struct gw_rest_stats st;

	fprintf(stderr, "-- login good and bad key\n");
	rest_new(sp, &c, API_KEY, NULL);
	CHECK(gw_rest_start(c.rest) == 0);
	gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &a); /* waits for the token */
	CHECK(run_until(have_token, &c, 5000));
	CHECK(strlen(gw_rest_token(c.rest)) > 20);
	gw_rest_stats(c.rest, &st);
	CHECK(st.have_token);
	CHECK(st.token_exp > time(NULL) + 3600);
	CHECK(wait_res(&a));
	CHECK(a.r.status == GW_OK);
	CHECK(a.nev >= 2);
	CHECK(a.ev[0].kind == EV_ACCOUNT && a.ev[0].u.account.id == ACCOUNT);
	CHECK(a.ev[0].u.account.can_trade);
	rest_done(&c);

	memset(&c, 0, sizeof(c));
	rest_new(sp, &c, "wrong-key", NULL);
	gw_rest_start(c.rest);
	gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &q);
	CHECK(run_until(auth_failed, &c, 5000));
	CHECK(c.tokens == 0);
	CHECK(c.auth_res.status == GW_EAPI);
	CHECK(c.auth_res.error_code == 3);
	CHECK(c.auth_res.error_name && strcmp(c.auth_res.error_name, "InvalidCredentials") == 0);
	CHECK(wait_res(&q));
	CHECK(q.r.status == GW_EAUTH);
	rest_done(&c);
}

/* Issue one call through fn and wait for it. */
#define CALL(x, expr) \
	do { \
		memset(&(x), 0, sizeof(x)); \
		CHECK((expr) == 0); \
		CHECK(wait_res(&(x))); \
	} while (0)

static bool api_err(const struct res *x, int code, const char *name)
{
	if (x->r.status != GW_EAPI || x->r.error_code != code || x->r.error_name == NULL ||
	    strcmp(x->r.error_name, name) != 0) {
		fprintf(stderr, "  expected %d %s, got status=%s code=%d name=%s msg=%s\n", code,
			name, gw_status_name(x->r.status), x->r.error_code,
			x->r.error_name ? x->r.error_name : "-", x->r.message);
		return false;
	}
	return true;
}

static void t_rest_calls(struct simproc *sp)
{
	struct ctx c = {0};
	struct res x;
	int64_t limit_id;
	srm_ms start = (srm_ms)time(NULL) * 1000 - 3600 * 1000;
	bool found;

	fprintf(stderr, "-- every REST call: success and error mapping\n");
	ctl_ok(sp, "POST", "/sim/reset", "{}");
	rest_new(sp, &c, API_KEY, NULL);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));

	CALL(x, gw_account_search(c.rest, true, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev >= 2);

	CALL(x, gw_contract_search(c.rest, "MNQ", false, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev >= 1);
	found = false;
	for (size_t i = 0; i < x.nev; i++)
		found |= x.ev[i].kind == EV_CONTRACT && strcmp(x.ev[i].u.contract.id, contract) == 0;
	CHECK(found);

	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev == 1);
	CHECK(x.ev[0].u.contract.tick_size == 0.25 && x.ev[0].u.contract.tick_value == 0.5);
	CALL(x, gw_contract_search_by_id(c.rest, "CON.F.US.NOPE.Z26", GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(api_err(&x, 1, "ContractNotFound"));

	/* a position: market buy 2 */
	CALL(x, gw_order_place(c.rest, ACCOUNT, contract, 2, 0, 2, NAN, NAN, NULL, GW_PRIO_ENFORCE,
			       res_cb, &x));
	CHECK(x.r.status == GW_OK && x.order_id > 0);
	CALL(x, gw_order_place(c.rest, 999, contract, 2, 0, 1, NAN, NAN, NULL, GW_PRIO_ENFORCE,
			       res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));
	CALL(x, gw_order_place(c.rest, ACCOUNT, "CON.F.US.NOPE.Z26", 2, 0, 1, NAN, NAN, NULL,
			       GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(api_err(&x, 8, "ContractNotFound"));

	CALL(x, gw_position_search_open(c.rest, ACCOUNT, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev == 1);
	CHECK(x.ev[0].kind == EV_POSITION && x.ev[0].u.position.size == 2 &&
	      x.ev[0].u.position.type == PX_PT_LONG);
	CALL(x, gw_position_search_open(c.rest, 999, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));

	/* a resting limit order far below the market: search, modify, cancel */
	CALL(x, gw_order_place(c.rest, ACCOUNT, contract, 1, 0, 1, 1000.0, NAN, "gw-test",
			       GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.order_id > 0);
	limit_id = x.order_id;
	CALL(x, gw_order_search_open(c.rest, ACCOUNT, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK);
	found = false;
	for (size_t i = 0; i < x.nev; i++)
		found |= x.ev[i].u.order.id == limit_id && x.ev[i].u.order.limit_price == 1000.0;
	CHECK(found);
	CALL(x, gw_order_search_open(c.rest, 999, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));
	CALL(x, gw_order_modify(c.rest, ACCOUNT, limit_id, 1, 1001.0, NAN, GW_PRIO_ENFORCE, res_cb,
				&x));
	CHECK(x.r.status == GW_OK);
	CALL(x, gw_order_modify(c.rest, ACCOUNT, 987654, 1, 1001.0, NAN, GW_PRIO_ENFORCE, res_cb,
				&x));
	CHECK(api_err(&x, 2, "OrderNotFound"));
	CALL(x, gw_order_cancel(c.rest, ACCOUNT, limit_id, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(x.r.status == GW_OK);
	CALL(x, gw_order_cancel(c.rest, ACCOUNT, 987654, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(api_err(&x, 2, "OrderNotFound"));
	CALL(x, gw_order_cancel(c.rest, 999, limit_id, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));

	/* partial close 1 of 2, bad sizes, close the rest, close again */
	CALL(x, gw_position_partial_close(c.rest, ACCOUNT, contract, 1, GW_PRIO_ENFORCE, res_cb,
					  &x));
	CHECK(x.r.status == GW_OK);
	CALL(x, gw_position_partial_close(c.rest, ACCOUNT, contract, 0, GW_PRIO_ENFORCE, res_cb,
					  &x));
	CHECK(api_err(&x, 5, "InvalidCloseSize"));
	CALL(x, gw_position_partial_close(c.rest, ACCOUNT, "CON.F.US.NOPE.Z26", 1, GW_PRIO_ENFORCE,
					  res_cb, &x));
	CHECK(api_err(&x, 3, "ContractNotFound"));
	CALL(x, gw_position_close(c.rest, ACCOUNT, contract, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(x.r.status == GW_OK);
	CALL(x, gw_position_close(c.rest, ACCOUNT, contract, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(api_err(&x, 2, "PositionNotFound"));
	CALL(x, gw_position_close(c.rest, 999, contract, GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));
	CALL(x, gw_position_search_open(c.rest, ACCOUNT, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev == 0);

	/* history */
	CALL(x, gw_trade_search(c.rest, ACCOUNT, start, 0, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev == 3);
	{
		int closing = 0;

		for (size_t i = 0; i < x.nev; i++)
			closing += !isnan(x.ev[i].u.trade.profit_and_loss);
		CHECK(closing == 2);
	}
	CALL(x, gw_trade_search(c.rest, 999, start, 0, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));
	CALL(x, gw_order_search(c.rest, ACCOUNT, start, 0, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev >= 4);
	CALL(x, gw_order_search(c.rest, 999, start, 0, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(api_err(&x, 1, "AccountNotFound"));
	/* an HTTP 400 (the body misses a required field) is an answer, not retried */
	CALL(x, gw_rest_call(c.rest, GW_EP_ORDER_SEARCH, cJSON_CreateObject(), GW_PRIO_RECONCILE,
			     res_cb, &x));
	CHECK(x.r.status == GW_EHTTP && x.r.http_status == 400 && x.r.attempts == 1);
	rest_done(&c);
}

static void t_401(struct simproc *sp)
{
	struct ctx c = {0};
	struct res x;
	int64_t seq;
	cJSON *reqs;

	fprintf(stderr, "-- 401: one refresh and one retry\n");
	rest_new(sp, &c, API_KEY, NULL);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));
	seq = last_seq(sp);
	ctl_ok(sp, "POST", "/sim/fault", "{\"kind\":\"reject_auth\",\"count\":1}");
	CALL(x, gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 2);
	CHECK(c.tokens == 2);
	reqs = requests_since(sp, seq);
	CHECK(count_req(reqs, "/api/Auth/validate", NULL) == 1);
	CHECK(count_req(reqs, "/api/Account/search", NULL) == 2);
	cJSON_Delete(reqs);
	/* the refresh is refused too (Auth/validate 401): fall back to a fresh login */
	seq = last_seq(sp);
	ctl_ok(sp, "POST", "/sim/fault", "{\"kind\":\"reject_auth\",\"count\":2}");
	CALL(x, gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 2);
	CHECK(c.tokens == 3);
	reqs = requests_since(sp, seq);
	CHECK(count_req(reqs, "/api/Auth/validate", NULL) == 1);
	CHECK(count_req(reqs, "/api/Auth/loginKey", NULL) == 1);
	cJSON_Delete(reqs);
	ctl_ok(sp, "DELETE", "/sim/fault", NULL);
	rest_done(&c);
}

static bool two_tokens(void *a)
{
	return ((struct ctx *)a)->tokens >= 3;
}

static bool three_connects(void *a)
{
	struct ctx *c = a;

	return c->connected[0] >= 3 && c->connected[1] >= 3;
}

static struct gw_hub *hub_new(struct simproc *sp, struct ctx *c, enum gw_hub_kind kind,
			      const char *ca)
{
	struct gw_hub_opts o;
	struct srm_err err = {0};
	char url[256];
	struct gw_hub *h;

	memset(&o, 0, sizeof(o));
	snprintf(url, sizeof(url), "%s/hubs/%s", sp->base, kind == GW_HUB_USER ? "user" : "market");
	if (c->ws == NULL) {
		c->ws = gw_ws_new(&loop, ca ? ca : (sp->tls ? sp->ca : NULL), &err);
		if (c->ws == NULL) {
			fprintf(stderr, "gw_ws_new: %s\n", err.msg);
			return NULL;
		}
	}
	o.ws = c->ws;
	o.kind = kind;
	o.url = url;
	o.ping_ms = 300;
	o.server_timeout_ms = 1500;
	o.handshake_timeout_ms = 1000;
	o.invoke_timeout_ms = 2000;
	o.reconnect_min_ms = 100;
	o.reconnect_max_ms = 800;
	o.seed = 3;
	o.on_event = on_event;
	o.on_state = on_state;
	o.ud = c;
	h = gw_hub_new(&loop, &o, &err);
	if (h == NULL)
		fprintf(stderr, "gw_hub_new: %s\n", err.msg);
	return h;
}

static void hubs_done(struct ctx *c)
{
	gw_hub_free(c->user);
	gw_hub_free(c->market);
	c->user = c->market = NULL;
	if (c->rest)
		gw_rest_free(c->rest);
	c->rest = NULL;
	run_for(200);
	gw_ws_free(c->ws);
	c->ws = NULL;
	run_for(50);
}

static bool both_connected(void *a)
{
	struct ctx *c = a;

	return gw_hub_state(c->user) == GW_HUB_CONNECTED &&
	       gw_hub_state(c->market) == GW_HUB_CONNECTED;
}

static void t_token_expiry(void)
{
	const char *extra[] = {"--token-ttl", "3", "--quote-interval-ms", "0", "--ping-ms", "200",
			       NULL};
	struct simproc sp;
	struct ctx c = {0};
	struct res x;
	cJSON *reqs;
	struct gw_hub_stats us;

	fprintf(stderr, "-- token expiry: refresh before exp, hubs reconnect with the new token\n");
	if (sim_start(&sp, extra, NULL, NULL, NULL) != 0) {
		CHECK(!"sim start");
		return;
	}
	rest_new(&sp, &c, API_KEY, NULL);
	c.user = hub_new(&sp, &c, GW_HUB_USER, NULL);
	c.market = hub_new(&sp, &c, GW_HUB_MARKET, NULL);
	gw_hub_subscribe_accounts(c.user);
	gw_rest_start(c.rest);
	CHECK(run_until(both_connected, &c, 5000));
	/* 3 s tokens are refreshed at 3/4 of their life: two refreshes within 5 s */
	CHECK(run_until(two_tokens, &c, 6000));
	CHECK(run_until(three_connects, &c, 3000));
	gw_hub_stats(c.user, &us);
	CHECK(us.connects >= 3);
	CALL(x, gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 1);
	reqs = requests_since(&sp, 0);
	CHECK(count_req(reqs, "/api/Auth/validate", NULL) >= 2);
	CHECK(count_req(reqs, "/api/Auth/loginKey", NULL) == 1);
	CHECK(count_req(reqs, "SubscribeAccounts", NULL) >= 3);
	cJSON_Delete(reqs);
	/* an expired token that could not be refreshed in time: validate gets 401 -> login */
	gw_hub_stop(c.user);
	gw_hub_stop(c.market);
	{
		struct res y;
		int before = c.tokens;

		ctl_ok(&sp, "POST", "/sim/fault", "{\"kind\":\"reject_auth\",\"count\":2}");
		CALL(y, gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &y));
		CHECK(y.r.status == GW_OK);
		CHECK(c.tokens == before + 1);
		reqs = requests_since(&sp, 0);
		CHECK(count_req(reqs, "/api/Auth/loginKey", NULL) == 2);
		cJSON_Delete(reqs);
	}
	hubs_done(&c);
	sim_stop(&sp);
}

static void t_429_storm(struct simproc *sp)
{
	struct ctx c = {0};
	struct res look[4], enf, x;
	struct gw_rest_opts o = {0};
	int64_t seq;
	cJSON *reqs, *it;
	const char *first_ok = NULL;
	double enf_ts = 0, first_lookup_ok_ts = 0;

	fprintf(stderr, "-- 429 storm: enforcement gets through first\n");
	ctl_ok(sp, "POST", "/sim/reset", "{}");
	o.max_attempts = 6;
	rest_new(sp, &c, API_KEY, &o);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));
	CALL(x, gw_order_place(c.rest, ACCOUNT, contract, 2, 0, 1, NAN, NAN, NULL, GW_PRIO_ENFORCE,
			       res_cb, &x));
	CHECK(x.r.status == GW_OK);
	seq = last_seq(sp);
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"http\",\"path\":\"/api/*\",\"status\":429,\"count\":5}");
	completion_seq = 0;
	memset(look, 0, sizeof(look));
	memset(&enf, 0, sizeof(enf));
	for (int i = 0; i < 4; i++)
		gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &look[i]);
	gw_position_close(c.rest, ACCOUNT, contract, GW_PRIO_ENFORCE, res_cb, &enf);
	CHECK(wait_res(&enf));
	for (int i = 0; i < 4; i++)
		CHECK(wait_res(&look[i]));
	CHECK(enf.r.status == GW_OK);
	CHECK(enf.order == 1);
	for (int i = 0; i < 4; i++)
		CHECK(look[i].r.status == GW_OK && look[i].r.attempts >= 2);
	reqs = requests_since(sp, seq);
	cJSON_ArrayForEach(it, reqs) {
		const cJSON *p = cJSON_GetObjectItem(it, "path");

		if (!cJSON_IsString(p) || cJSON_GetObjectItem(it, "status")->valueint != 200)
			continue;
		if (first_ok == NULL)
			first_ok = p->valuestring;
		if (strcmp(p->valuestring, "/api/Position/closeContract") == 0)
			enf_ts = cJSON_GetObjectItem(it, "tsNs")->valuedouble;
		else if (first_lookup_ok_ts == 0)
			first_lookup_ok_ts = cJSON_GetObjectItem(it, "tsNs")->valuedouble;
	}
	CHECK(first_ok && strcmp(first_ok, "/api/Position/closeContract") == 0);
	CHECK(enf_ts > 0 && first_lookup_ok_ts > enf_ts);
	/* the enforcement call backed off the least: its success came well before the lookups' */
	CHECK(enf.r.elapsed_ms < 500);
	CHECK(count_req(reqs, "/api/Position/closeContract", NULL) >= 2);
	cJSON_Delete(reqs);
	ctl_ok(sp, "DELETE", "/sim/fault", NULL);
	rest_done(&c);
}

static void t_breaker(struct simproc *sp)
{
	struct ctx c = {0};
	struct res x;
	struct gw_rest_opts o = {0};
	int64_t seq;
	cJSON *reqs;

	fprintf(stderr, "-- 5xx bursts: retries, the breaker opens and closes\n");
	o.max_attempts = 3;
	o.backoff_base_ms = 20;
	o.backoff_cap_ms = 100;
	o.enforce_backoff_ms = 10;
	o.breaker.fail_threshold = 3;
	o.breaker.open_ms = 400;
	o.breaker.open_max_ms = 2000;
	rest_new(sp, &c, API_KEY, &o);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));
	/* a short burst is ridden out by retries */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"http\",\"path\":\"/api/Contract/searchById\",\"status\":500,\"count\":2}");
	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 3);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH_BY_ID) == GW_BREAKER_CLOSED);
	/* a dead endpoint: the breaker opens and stops the hammering */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"http\",\"path\":\"/api/Contract/searchById\",\"status\":503,\"count\":-1}");
	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_ESERVER && x.r.http_status == 503 && x.r.attempts == 3);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH_BY_ID) == GW_BREAKER_OPEN);
	seq = last_seq(sp);
	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_EBREAKER && x.r.attempts == 0);
	/* other endpoints are not affected */
	CALL(x, gw_contract_search(c.rest, "ES", false, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_OK);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH) == GW_BREAKER_CLOSED);
	reqs = requests_since(sp, seq);
	CHECK(count_req(reqs, "/api/Contract/searchById", NULL) == 0);
	cJSON_Delete(reqs);
	/* half-open probe fails: open again */
	run_for(450);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH_BY_ID) == GW_BREAKER_HALF_OPEN);
	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status != GW_OK);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH_BY_ID) == GW_BREAKER_OPEN);
	/* the endpoint recovers: the next probe closes it */
	ctl_ok(sp, "DELETE", "/sim/fault", NULL);
	run_for(900);
	CALL(x, gw_contract_search_by_id(c.rest, contract, GW_PRIO_LOOKUP, res_cb, &x));
	CHECK(x.r.status == GW_OK);
	CHECK(gw_rest_breaker(c.rest, GW_EP_CONTRACT_SEARCH_BY_ID) == GW_BREAKER_CLOSED);
	rest_done(&c);
}

static void t_timeouts(struct simproc *sp)
{
	struct ctx c = {0};
	struct res x, pend[3];
	struct gw_rest_opts o = {0};

	fprintf(stderr, "-- slow responses, timeouts, the loop never blocks, cancellation\n");
	ctl_ok(sp, "POST", "/sim/reset", "{}");
	o.total_timeout_ms = 400;
	o.max_attempts = 2;
	o.backoff_base_ms = 20;
	rest_new(sp, &c, API_KEY, &o);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));
	/* slow but within the timeout */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"latency\",\"path\":\"/api/Order/searchOpen\",\"ms\":200,\"count\":1}");
	CALL(x, gw_order_search_open(c.rest, ACCOUNT, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 1 && x.r.elapsed_ms >= 190);
	CHECK(hb_max_gap < 100);
	/* too slow: an idempotent search is retried */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"latency\",\"path\":\"/api/Order/searchOpen\",\"ms\":1500,\"count\":1}");
	CALL(x, gw_order_search_open(c.rest, ACCOUNT, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.r.attempts == 2 && x.r.elapsed_ms >= 400);
	CHECK(hb_max_gap < 100);
	/* too slow: Order/place is not repeated (it may have been placed) */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"latency\",\"path\":\"/api/Order/place\",\"ms\":1500,\"count\":1}");
	CALL(x, gw_order_place(c.rest, ACCOUNT, contract, 1, 0, 1, 1000.0, NAN, NULL,
			       GW_PRIO_ENFORCE, res_cb, &x));
	CHECK(x.r.status == GW_ETIMEOUT && x.r.attempts == 1);
	CHECK(hb_max_gap < 100);
	/* shutdown cancels what is pending, in flight or queued */
	ctl_ok(sp, "POST", "/sim/fault",
	       "{\"kind\":\"latency\",\"path\":\"/api/Account/search\",\"ms\":3000,\"count\":-1}");
	memset(pend, 0, sizeof(pend));
	for (int i = 0; i < 3; i++)
		gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &pend[i]);
	run_for(100);
	gw_rest_free(c.rest);
	c.rest = NULL;
	for (int i = 0; i < 3; i++)
		CHECK(pend[i].done && pend[i].r.status == GW_ECANCELLED);
	run_for(20);
	ctl_ok(sp, "DELETE", "/sim/fault", NULL);
}

struct kind_wait {
	struct ctx *c;
	int kind;
	int n;
};

static bool got_kind(void *a)
{
	struct kind_wait *w = a;

	return w->c->kinds[w->kind] >= w->n;
}

static bool wait_kind(struct ctx *c, int kind, int n)
{
	struct kind_wait w = {c, kind, n};

	return run_until(got_kind, &w, 5000);
}

struct inv {
	bool done;
	char err[128];
	bool ok;
};

static void inv_cb(struct gw_hub *hub, const char *error, const cJSON *result, void *ud)
{
	struct inv *v = ud;

	(void)hub;
	(void)result;
	v->done = true;
	v->ok = error == NULL;
	strlcpy_s(v->err, error ? error : "", sizeof(v->err));
}

static bool inv_done(void *a)
{
	return ((struct inv *)a)->done;
}

static bool resynced(void *a)
{
	struct ctx *c = a;

	return c->resyncs[0] >= 1 && c->resyncs[1] >= 1 && both_connected(c);
}

static bool resynced2(void *a)
{
	struct ctx *c = a;

	return c->resyncs[0] >= 2 && c->resyncs[1] >= 2 && both_connected(c);
}

static void trader_buy(struct simproc *sp, int side)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"accountId\":%d,\"contractId\":\"%s\",\"type\":2,\"side\":%d,\"size\":1}",
		 ACCOUNT, contract, side);
	ctl_ok(sp, "POST", "/sim/trader/order", body);
}

static void push_quote(struct simproc *sp, double bid)
{
	char body[256];

	snprintf(body, sizeof(body), "{\"contractId\":\"%s\",\"bid\":%.2f,\"ask\":%.2f}", contract,
		 bid, bid + 0.25);
	ctl_ok(sp, "POST", "/sim/quote", body);
}

static void t_hubs(struct simproc *sp, const char *label)
{
	struct ctx c = {0};
	int64_t seq;
	cJSON *reqs;
	char args[128];
	const char *ids[1] = {contract};
	struct inv v;
	struct gw_hub_stats us, ms;
	int q;

	fprintf(stderr, "-- hubs%s: connect, subscribe, every event kind, drop, stall\n", label);
	ctl_ok(sp, "POST", "/sim/reset", "{}");
	seq = last_seq(sp);
	rest_new(sp, &c, API_KEY, NULL);
	c.user = hub_new(sp, &c, GW_HUB_USER, NULL);
	c.market = hub_new(sp, &c, GW_HUB_MARKET, NULL);
	CHECK(c.user && c.market);
	if (!c.user || !c.market) {
		hubs_done(&c);
		return;
	}
	gw_hub_subscribe_accounts(c.user);
	gw_hub_subscribe_account(c.user, ACCOUNT);
	gw_hub_set_quotes(c.market, ids, 1);
	gw_rest_start(c.rest);
	CHECK(run_until(both_connected, &c, 5000));
	CHECK(c.resyncs[0] == 0 && c.resyncs[1] == 0);
	run_for(200); /* completions of the subscriptions */
	reqs = requests_since(sp, seq);
	snprintf(args, sizeof(args), "[%d]", ACCOUNT);
	CHECK(count_req(reqs, "SubscribeAccounts", NULL) == 1);
	CHECK(count_req(reqs, "SubscribeOrders", args) == 1);
	CHECK(count_req(reqs, "SubscribePositions", args) == 1);
	CHECK(count_req(reqs, "SubscribeTrades", args) == 1);
	snprintf(args, sizeof(args), "[\"%s\"]", contract);
	CHECK(count_req(reqs, "SubscribeContractQuotes", args) == 1);
	cJSON_Delete(reqs);
	gw_hub_stats(c.user, &us);
	CHECK(us.invoke_errors == 0);

	/* every event kind */
	push_quote(sp, 25000.00);
	CHECK(wait_kind(&c, EV_QUOTE, 1));
	CHECK(strcmp(c.last[EV_QUOTE].u.quote.contract_id, contract) == 0);
	CHECK(c.last[EV_QUOTE].u.quote.best_bid == 25000.00);
	trader_buy(sp, 0);
	CHECK(wait_kind(&c, EV_ORDER, 1));
	CHECK(wait_kind(&c, EV_TRADE, 1));
	CHECK(wait_kind(&c, EV_POSITION, 1));
	CHECK(c.last[EV_POSITION].u.position.size == 1);
	CHECK(c.last[EV_TRADE].u.trade.account_id == ACCOUNT);
	CHECK(!c.saw_cant_trade);
	q = c.kinds[EV_ACCOUNT];
	ctl_ok(sp, "POST", "/sim/account", "{\"accountId\":10001,\"canTrade\":false}");
	CHECK(wait_kind(&c, EV_ACCOUNT, q + 1));
	CHECK(c.saw_cant_trade);
	ctl_ok(sp, "POST", "/sim/account", "{\"accountId\":10001,\"canTrade\":true}");
	CHECK(wait_kind(&c, EV_ACCOUNT, q + 2));

	/* invocations: blocking with completion (ok and error), non-blocking */
	memset(&v, 0, sizeof(v));
	CHECK(gw_hub_invoke(c.user, "SubscribeAccounts", NULL, inv_cb, &v) == 0);
	CHECK(run_until(inv_done, &v, 3000) && v.ok);
	memset(&v, 0, sizeof(v));
	CHECK(gw_hub_invoke(c.user, "NoSuchMethod", NULL, inv_cb, &v) == 0);
	CHECK(run_until(inv_done, &v, 3000) && !v.ok && v.err[0] != '\0');
	seq = last_seq(sp);
	CHECK(gw_hub_send(c.user, "SubscribeAccounts", NULL) == 0);
	run_for(200);
	reqs = requests_since(sp, seq);
	CHECK(count_req(reqs, "SubscribeAccounts", NULL) == 1);
	cJSON_Delete(reqs);

	/* quotes: unsubscribe when no longer wanted */
	seq = last_seq(sp);
	gw_hub_set_quotes(c.market, NULL, 0);
	CHECK(!gw_hub_has_quote(c.market, contract));
	run_for(200);
	reqs = requests_since(sp, seq);
	CHECK(count_req(reqs, "UnsubscribeContractQuotes", args) == 1);
	cJSON_Delete(reqs);
	q = c.kinds[EV_QUOTE];
	push_quote(sp, 25001.00);
	run_for(300);
	CHECK(c.kinds[EV_QUOTE] == q);
	gw_hub_set_quotes(c.market, ids, 1);
	run_for(100);
	push_quote(sp, 25002.00);
	CHECK(wait_kind(&c, EV_QUOTE, q + 1));

	/* drop_hubs: reconnect, resubscribe, resync */
	seq = last_seq(sp);
	ctl_ok(sp, "POST", "/sim/fault", "{\"kind\":\"drop_hubs\"}");
	CHECK(run_until(resynced, &c, 8000));
	run_for(200);
	reqs = requests_since(sp, seq);
	snprintf(args, sizeof(args), "[%d]", ACCOUNT);
	CHECK(count_req(reqs, "SubscribeAccounts", NULL) == 1);
	CHECK(count_req(reqs, "SubscribeOrders", args) == 1);
	CHECK(count_req(reqs, "SubscribeTrades", args) == 1);
	CHECK(count_req(reqs, "SubscribePositions", args) == 1);
	snprintf(args, sizeof(args), "[\"%s\"]", contract);
	CHECK(count_req(reqs, "SubscribeContractQuotes", args) == 1);
	cJSON_Delete(reqs);
	{
		int o = c.kinds[EV_ORDER];

		trader_buy(sp, 1);
		CHECK(wait_kind(&c, EV_ORDER, o + 1));
		q = c.kinds[EV_QUOTE];
		push_quote(sp, 25003.00);
		CHECK(wait_kind(&c, EV_QUOTE, q + 1));
	}

	/* stall_hubs: nothing arrives -> server timeout -> reconnect, resubscribe, resync */
	gw_hub_stats(c.user, &us);
	seq = last_seq(sp);
	ctl_ok(sp, "POST", "/sim/fault", "{\"kind\":\"stall_hubs\",\"ms\":2500}");
	CHECK(run_until(resynced2, &c, 12000));
	gw_hub_stats(c.user, &ms);
	CHECK(ms.disconnects > us.disconnects);
	CHECK(ms.pings_sent > 0);
	run_for(200);
	reqs = requests_since(sp, seq);
	snprintf(args, sizeof(args), "[%d]", ACCOUNT);
	CHECK(count_req(reqs, "SubscribeOrders", args) >= 1);
	cJSON_Delete(reqs);
	{
		int o = c.kinds[EV_ORDER];

		trader_buy(sp, 0);
		CHECK(wait_kind(&c, EV_ORDER, o + 1));
	}
	gw_hub_stats(c.market, &ms);
	CHECK(ms.malformed == 0);
	CHECK(ms.events >= 3);
	hubs_done(&c);
}

static bool subs_settled(void *a)
{
	struct gw_hub_subs s;

	gw_hub_subs(a, &s);
	return s.wanted > 0 && s.confirmed == s.wanted && s.failed == 0;
}

static bool subs_failed(void *a)
{
	struct gw_hub_subs s;

	gw_hub_subs(a, &s);
	return s.failed > 0 && s.confirmed + s.failed == s.wanted;
}

static bool order_on(void *a)
{
	const struct ctx *c = a;

	return c->kinds[EV_ORDER] > 0 && c->last[EV_ORDER].u.order.account_id == ACCOUNT + 1499;
}

/*
 * What a hub calls watched is what the server confirmed: 1,500 accounts (4,501 subscriptions,
 * far past the 512 invocations that may await completion) all confirmed, and the last one's
 * events arrive; refused and unanswered subscriptions are counted, retried with backoff and
 * confirmed afterwards; past the caps a subscription is refused to the caller, not dropped.
 */
static void t_hub_subs(void)
{
	const char *extra[] = {"--accounts", "1500", "--quote-interval-ms", "0", "--ping-ms", "200",
			       NULL};
	struct simproc sp;
	struct ctx c = {0};
	struct gw_hub_subs s;
	char body[256];
	int64_t seq;
	cJSON *reqs;

	fprintf(stderr, "-- hub subscriptions: 1,500 accounts, refusals, timeouts, caps\n");
	if (sim_start(&sp, extra, NULL, NULL, NULL) != 0) {
		CHECK(!"sim start");
		return;
	}
	rest_new(&sp, &c, API_KEY, NULL);
	c.user = hub_new(&sp, &c, GW_HUB_USER, NULL);
	CHECK(c.user != NULL);
	if (c.user == NULL) {
		hubs_done(&c);
		sim_stop(&sp);
		return;
	}
	gw_hub_subscribe_accounts(c.user);
	for (int i = 0; i < 1500; i++)
		CHECK(gw_hub_subscribe_account(c.user, ACCOUNT + i) == 0);
	gw_hub_subs(c.user, &s);
	CHECK(s.wanted == 4501 && s.confirmed == 0 && s.accounts == 1500);
	gw_rest_start(c.rest);
	CHECK(run_until(subs_settled, c.user, 30000));
	gw_hub_subs(c.user, &s);
	CHECK(s.confirmed == 4501 && s.failed == 0 && s.refused == 0);
	snprintf(body, sizeof(body),
		 "{\"accountId\":%d,\"contractId\":\"%s\",\"type\":1,\"side\":0,\"size\":1,"
		 "\"limitPrice\":1000}", ACCOUNT + 1499, contract);
	ctl_ok(&sp, "POST", "/sim/trader/order", body);
	CHECK(run_until(order_on, &c, 5000));

	/* refused on the next connection: counted, never confirmed, asked again, then confirmed */
	ctl_ok(&sp, "POST", "/sim/fault",
	       "{\"kind\":\"hub_refuse\",\"target\":\"SubscribeTrades\",\"count\":3}");
	ctl_ok(&sp, "POST", "/sim/fault", "{\"kind\":\"drop_hubs\"}");
	CHECK(run_until(subs_failed, c.user, 10000));
	gw_hub_subs(c.user, &s);
	CHECK(s.failed == 3 && s.confirmed == 4498);
	CHECK(strstr(s.last_error, "SubscribeTrades") != NULL &&
	      strstr(s.last_error, "fault injected") != NULL);
	CHECK(run_until(subs_settled, c.user, 8000));

	/* never answered: the invocation timeout fails it; then asked again */
	ctl_ok(&sp, "POST", "/sim/fault",
	       "{\"kind\":\"hub_silent\",\"target\":\"SubscribeOrders\",\"count\":1}");
	seq = last_seq(&sp);
	CHECK(gw_hub_unsubscribe_account(c.user, ACCOUNT) == 0);
	CHECK(gw_hub_subscribe_account(c.user, ACCOUNT) == 0);
	CHECK(run_until(subs_failed, c.user, 6000));
	gw_hub_subs(c.user, &s);
	CHECK(s.failed == 1 && strstr(s.last_error, "timeout") != NULL);
	CHECK(run_until(subs_settled, c.user, 8000));
	reqs = requests_since(&sp, seq);
	snprintf(body, sizeof(body), "[%d]", ACCOUNT);
	CHECK(count_req(reqs, "UnsubscribeOrders", body) == 1);
	CHECK(count_req(reqs, "UnsubscribePositions", body) == 1);
	CHECK(count_req(reqs, "SubscribeOrders", body) == 2);
	cJSON_Delete(reqs);
	hubs_done(&c);
	sim_stop(&sp);

	/* the caps: refused to the caller and counted (no connection needed) */
	memset(&c, 0, sizeof(c));
	c.user = hub_new(&sp, &c, GW_HUB_USER, NULL);
	c.market = hub_new(&sp, &c, GW_HUB_MARKET, NULL);
	CHECK(c.user != NULL && c.market != NULL);
	if (c.user != NULL && c.market != NULL) {
		static char ids[513][24];
		const char *idp[513];

		for (int i = 0; i < 4096; i++)
			CHECK(gw_hub_subscribe_account(c.user, 1 + i) == 0);
		CHECK(gw_hub_subscribe_account(c.user, 5000) == -1);
		CHECK(gw_hub_subscribe_account(c.user, 4096) == 0); /* kept already */
		gw_hub_subs(c.user, &s);
		CHECK(s.refused == 1 && s.accounts == 4096 && s.wanted == 3 * 4096);
		for (int i = 0; i < 513; i++) {
			snprintf(ids[i], sizeof(ids[i]), "CON.F.US.X%d.Z26", i);
			idp[i] = ids[i];
		}
		CHECK(gw_hub_set_quotes(c.market, idp, 513) == -1);
		gw_hub_subs(c.market, &s);
		CHECK(s.refused == 1 && s.wanted == 512);
		CHECK(gw_hub_set_quotes(c.market, idp, 512) == 0);
		gw_hub_subs(c.market, &s);
		CHECK(s.refused == 0 && s.wanted == 512);
	}
	hubs_done(&c);
}

static int gen_certs(char *ca, char *cert, char *key, size_t cap)
{
	char cmd[4096];

	snprintf(ca, cap, "%s/ca.pem", tmpdir);
	snprintf(cert, cap, "%s/srv.pem", tmpdir);
	snprintf(key, cap, "%s/srv.key", tmpdir);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout ca.key -out ca.pem -days 2 -subj /CN=srm-test-ca 2>/dev/null && "
		 "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout srv.key -out srv.csr -subj /CN=localhost 2>/dev/null && "
		 "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
		 "extendedKeyUsage=serverAuth\\n' > ext.cnf && "
		 "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		 "-out srv.pem -days 2 -extfile ext.cnf 2>/dev/null",
		 tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void t_tls(void)
{
	char ca[512], cert[512], key[512];
	const char *extra[] = {"--quote-interval-ms", "0", "--ping-ms", "200", NULL};
	struct simproc sp;
	struct ctx c = {0};
	struct gw_rest_opts o = {0};
	struct res x;

	fprintf(stderr, "-- TLS with a test CA (https + wss)\n");
	if (gen_certs(ca, cert, key, sizeof(ca)) != 0) {
		CHECK(!"openssl could not make the test CA");
		return;
	}
	if (sim_start(&sp, extra, cert, key, ca) != 0) {
		CHECK(!"sim start (tls)");
		return;
	}
	rest_new(&sp, &c, API_KEY, NULL);
	gw_rest_start(c.rest);
	CHECK(run_until(have_token, &c, 5000));
	CALL(x, gw_account_search(c.rest, false, GW_PRIO_RECONCILE, res_cb, &x));
	CHECK(x.r.status == GW_OK && x.nev >= 2);
	rest_done(&c);
	t_hubs(&sp, " over TLS");

	/* without the test CA (system CAs only) the server is not trusted */
	memset(&c, 0, sizeof(c));
	o.ca_file = "-";
	o.max_attempts = 1;
	rest_new(&sp, &c, API_KEY, &o);
	gw_rest_start(c.rest);
	CHECK(run_until(auth_failed, &c, 5000));
	CHECK(c.auth_res.status == GW_ENET);
	rest_done(&c);
	sim_stop(&sp);
}

static bool file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	bool found = false;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	const char *extra[] = {"--quote-interval-ms", "0", "--ping-ms", "200", NULL};
	struct simproc sp;
	char logpath[512];
	FILE *logf;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH/TO/srm-sim\n", argv[0]);
		return 2;
	}
	sim_exe = argv[1];
	if (access(sim_exe, X_OK) != 0) {
		fprintf(stderr, "srm-sim not found at %s\n", sim_exe);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/srm-gw-test-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/client.log", tmpdir);
	logf = fopen(logpath, "w");
	log_set_stream(logf);
	log_set_level(LOG_DEBUG);
	curl_global_init(CURL_GLOBAL_ALL);
	uv_loop_init(&loop);
	uv_timer_init(&loop, &heartbeat);
	uv_timer_start(&heartbeat, hb_cb, 5, 5);

	if (sim_start(&sp, extra, NULL, NULL, NULL) != 0)
		return 1;
	find_contract(&sp);
	CHECK(contract[0] != '\0');
	t_login(&sp);
	t_rest_calls(&sp);
	t_401(&sp);
	t_429_storm(&sp);
	t_breaker(&sp);
	t_timeouts(&sp);
	t_hubs(&sp, "");
	t_hub_subs();
	sim_stop(&sp);
	t_token_expiry();
	t_tls();

	/* secrets never reach the log */
	fflush(logf);
	CHECK(!file_contains(logpath, API_KEY));
	CHECK(nseen_tokens > 5);
	for (int i = 0; i < nseen_tokens; i++)
		CHECK(!file_contains(logpath, seen_tokens[i]));
	CHECK(file_contains(logpath, "mod=hub-user msg=\"reconnecting\""));

	uv_timer_stop(&heartbeat);
	uv_close((uv_handle_t *)&heartbeat, NULL);
	run_for(50);
	uv_run(&loop, UV_RUN_NOWAIT);
	if (uv_loop_close(&loop) != 0) {
		fprintf(stderr, "loop still has handles:\n");
		uv_print_all_handles(&loop, stderr);
		CHECK(!"all handles closed");
	}
	curl_global_cleanup();
	log_set_stream(NULL);
	fclose(logf);
	fprintf(stderr, "%d checks, %d failed (client log: %s)\n", checks, failures, logpath);
	if (failures == 0) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return failures ? 1 : 0;
}
