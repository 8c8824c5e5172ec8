/* alerts.c: the trader's alert channels and the heartbeat (see alerts.h, docs/ALERTS.md). */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "daemon/alerts.h"
#include "daemon/desktop.h"
#include "daemon/srmd.h"
#include "gateway/http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define QUEUE_CAP 128              /* per channel; a storm beyond the rate is coalesced first */
#define TRIES_MAX 5                /* then the alert is journaled as not delivered */
#define RETRY_BASE_MS 1000
#define RETRY_CAP_MS 60000
#define SEND_TIMEOUT_MS 10000
#define PUMP_MS 250
#define CLOSE_GRACE_MS 2000

enum chan_kind { CH_WEBHOOK = 0, CH_NTFY, CH_COMMAND, CH_DESKTOP, CH_COUNT };
static const char *const chan_names[CH_COUNT + 1] = { "webhook", "ntfy", "command", "desktop",
						      "none" };

struct alert {
	enum alert_event ev;
	int64_t account;
	char name[SRM_NAME_MAX];
	char rule[16];
	char reason[256];
	srm_ms ts;
	size_t n_values;                /* measured values for scripts ("values" of the JSON) */
	struct alert_value values[ALERT_VALUES_MAX];
};

struct chan {
	enum chan_kind kind;
	bool on;
	struct alert q[QUEUE_CAP];
	size_t head, n;
	bool busy;                  /* one delivery in flight */
	int tries;
	uint64_t next_try_ms;
	uint64_t sent_at[600];      /* a ring of the last sends, for the per-minute rate */
	size_t sent_n, sent_i;
	uint64_t coalesced;         /* held back by the rate since the last summary */
	struct alert last_coalesced;
	CURL *easy;
	struct curl_slist *hdrs;
	uv_process_t proc;
	uv_pipe_t in;
	uv_timer_t kill_timer;
	bool proc_live;
	char *body;
};

struct alerts {
	struct srmd *d;
	const struct srm_config *cfg;
	struct http_multi *http;
	uv_timer_t pump, beat;
	struct chan ch[CH_COUNT];
	bool guard_bad;             /* guard_degraded was said */
	uint64_t bad_since_ms;
	bool closing;
	uint64_t close_deadline_ms;
	CURL *beat_easy;
	struct desktop *desk;
	bool desk_nobus_said;       /* "no session bus" was logged (once, until there is one) */
	uint64_t stats[4];          /* queued, delivered, failed, coalesced */
	int open_handles;
};

static uint64_t mono_ms(void)
{
	return clock_mono_ns() / 1000000;
}

/* The urgent ones: ntfy's priority 5, the desktop's critical urgency, past the rate limit. */
static bool critical(enum alert_event ev)
{
	return ev == AE_LOCKOUT || ev == AE_ENFORCEMENT_FAILED || ev == AE_GUARD_DEGRADED ||
	       ev == AE_DAEMON_STOPPING || ev == AE_ENFORCED;
}

static bool wanted(const struct alerts *al, enum alert_event ev)
{
	return al->cfg->alerts.events == 0 || (al->cfg->alerts.events & (1u << ev));
}

/* ---- the bodies ---------------------------------------------------------------------- */

static char *alert_json(const struct alert *a)
{
	cJSON *o = cJSON_CreateObject();
	char ts[40];
	char *s;

	cJSON_AddStringToObject(o, "event", alert_event_names[a->ev]);
	if (a->account != 0) {
		cJSON_AddNumberToObject(o, "account", (double)a->account);
		cJSON_AddStringToObject(o, "accountName", a->name);
	}
	if (a->rule[0] != '\0')
		cJSON_AddStringToObject(o, "rule", a->rule);
	cJSON_AddStringToObject(o, "reason", a->reason);
	if (a->n_values > 0) {
		cJSON *v = cJSON_AddObjectToObject(o, "values");

		for (size_t i = 0; i < a->n_values; i++)
			cJSON_AddNumberToObject(v, a->values[i].key, a->values[i].value);
	}
	cJSON_AddStringToObject(o, "ts", iso_format_short(a->ts, ts, sizeof(ts)));
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void title_of(const struct alert *a, char *buf, size_t cap)
{
	if (a->account != 0)
		snprintf(buf, cap, "SRM %s: account %" PRId64 "%s%s", alert_event_names[a->ev],
			 a->account, a->rule[0] ? " " : "", a->rule);
	else
		snprintf(buf, cap, "SRM %s", alert_event_names[a->ev]);
}

/* The hex HMAC-SHA256 of body with key (the webhook's X-SRM-Signature). */
static void hmac_hex(const char *key, const char *body, char *out, size_t cap)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	out[0] = '\0';
	if (HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, strlen(body), mac,
		 &len) == NULL)
		return;
	for (unsigned int i = 0; i < len && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, cap - 2 * i, "%02x", mac[i]);
}

/* ---- delivery ------------------------------------------------------------------------ */

static void deliver_done(struct alerts *al, struct chan *c, bool ok, const char *why);

static void http_done(void *owner, CURL *easy, CURLcode cc)
{
	struct alerts *al = owner;
	long status = 0;

	if (easy == al->beat_easy) {
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status < 200 || status >= 300)
			log_warn("alerts", "heartbeat not taken | status=%ld err=\"%s\"", status,
				 curl_easy_strerror(cc));
		curl_easy_cleanup(easy);
		al->beat_easy = NULL;
		return;
	}
	for (int k = 0; k < CH_COUNT; k++) {
		struct chan *c = &al->ch[k];
		char why[128];

		if (c->easy != easy)
			continue;
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		snprintf(why, sizeof(why), "%s", cc != CURLE_OK ? curl_easy_strerror(cc) : "");
		if (cc == CURLE_OK && (status < 200 || status >= 300))
			snprintf(why, sizeof(why), "HTTP %ld", status);
		curl_slist_free_all(c->hdrs);
		c->hdrs = NULL;
		curl_easy_cleanup(easy);
		c->easy = NULL;
		free(c->body);
		c->body = NULL;
		deliver_done(al, c, why[0] == '\0', why);
		return;
	}
}

/* The receivers' answers are not read (curl would print them on stdout: the log). */
static size_t discard(const char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static int post(struct alerts *al, struct chan *c, const char *url, const char *body,
		struct curl_slist *hdrs)
{
	CURL *e = curl_easy_init();

	if (e == NULL) {
		curl_slist_free_all(hdrs);
		return -1;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)SEND_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "srm-alerts");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	c->easy = e;
	c->hdrs = hdrs;
	if (http_multi_add(al->http, e) != 0) {
		curl_slist_free_all(hdrs);
		curl_easy_cleanup(e);
		c->easy = NULL;
		c->hdrs = NULL;
		return -1;
	}
	return 0;
}

static void handle_closed(uv_handle_t *h);

static void proc_closed(uv_handle_t *h)
{
	handle_closed(h);
}

static void proc_exit(uv_process_t *p, int64_t status, int sig)
{
	struct chan *c = p->data;
	struct alerts *al = c->kill_timer.data;
	char why[64] = "";

	uv_timer_stop(&c->kill_timer);
	if (status != 0 || sig != 0)
		snprintf(why, sizeof(why), "exit %lld signal %d", (long long)status, sig);
	c->proc_live = false;
	p->data = al;
	uv_close((uv_handle_t *)p, proc_closed);
	deliver_done(al, c, why[0] == '\0', why);
}

static void kill_cb(uv_timer_t *t)
{
	struct chan *c = (struct chan *)(void *)((char *)t - offsetof(struct chan, kill_timer));

	if (c->proc_live)
		uv_process_kill(&c->proc, SIGKILL);
}

static void write_done(uv_write_t *w, int status)
{
	struct chan *c = w->data;

	(void)status;
	free(w);
	free(c->body);
	c->body = NULL;
	uv_close((uv_handle_t *)&c->in, proc_closed);
}

static int run_command(struct alerts *al, struct chan *c, char *body)
{
	const struct srm_config *cfg = al->cfg;
	char *argv[CFG_MAX_ARGV + 1];
	uv_stdio_container_t io[3];
	uv_process_options_t po = {0};

	for (size_t i = 0; i < cfg->alerts.n_command; i++)
		argv[i] = cfg->alerts.command[i];
	argv[cfg->alerts.n_command] = NULL;
	uv_pipe_init(al->d->loop, &c->in, 0);
	c->in.data = al;
	al->open_handles++;
	io[0].flags = UV_CREATE_PIPE | UV_READABLE_PIPE;
	io[0].data.stream = (uv_stream_t *)&c->in;
	io[1].flags = UV_IGNORE;
	io[2].flags = UV_IGNORE;
	po.file = argv[0];
	po.args = argv;
	po.stdio = io;
	po.stdio_count = 3;
	po.exit_cb = proc_exit;
	c->proc.data = c;
	if (uv_spawn(al->d->loop, &c->proc, &po) != 0) {
		uv_close((uv_handle_t *)&c->in, proc_closed);
		free(body);
		return -1;
	}
	al->open_handles++;
	c->proc_live = true;
	c->body = body;
	uv_timer_start(&c->kill_timer, kill_cb, SEND_TIMEOUT_MS, 0);
	uv_write_t *w = xcalloc(1, sizeof(*w));
	uv_buf_t b = uv_buf_init(body, (unsigned)strlen(body));

	w->data = c;
	if (uv_write(w, (uv_stream_t *)&c->in, &b, 1, write_done) != 0) {
		free(w);
		uv_close((uv_handle_t *)&c->in, proc_closed);
	}
	return 0;
}

/* Start delivering the channel's head. */
static void send_head(struct alerts *al, struct chan *c)
{
	const struct srm_config *cfg = al->cfg;
	const struct alert *a = &c->q[c->head];
	char *body = alert_json(a), url[1024], hdr[512];
	struct curl_slist *h = NULL;
	char fail[200] = "could not start";
	int rc = -1;

	if (body == NULL)
		return;
	c->busy = true;
	switch (c->kind) {
	case CH_WEBHOOK:
		h = curl_slist_append(h, "Content-Type: application/json");
		if (cfg->alerts.webhook_secret != NULL && cfg->alerts.webhook_secret[0] != '\0') {
			char mac[2 * EVP_MAX_MD_SIZE + 1];

			hmac_hex(cfg->alerts.webhook_secret, body, mac, sizeof(mac));
			snprintf(hdr, sizeof(hdr), "X-SRM-Signature: sha256=%s", mac);
			h = curl_slist_append(h, hdr);
		}
		rc = post(al, c, cfg->alerts.webhook_url, body, h);
		free(body);
		break;
	case CH_NTFY: {
		char title[160];

		title_of(a, title, sizeof(title));
		snprintf(url, sizeof(url), "%s/%s", cfg->alerts.ntfy_url, cfg->alerts.ntfy_topic);
		snprintf(hdr, sizeof(hdr), "Title: %s", title);
		h = curl_slist_append(h, hdr);
		h = curl_slist_append(h, critical(a->ev) ? "Priority: 5" : "Priority: 3");
		h = curl_slist_append(h, critical(a->ev) ? "Tags: rotating_light" : "Tags: warning");
		if (cfg->alerts.ntfy_token != NULL && cfg->alerts.ntfy_token[0] != '\0') {
			snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", cfg->alerts.ntfy_token);
			h = curl_slist_append(h, hdr);
			explicit_bzero(hdr, sizeof(hdr));
		}
		rc = post(al, c, url, a->reason, h);
		free(body);
		break;
	}
	case CH_COMMAND:
		rc = run_command(al, c, body);
		break;
	case CH_DESKTOP: {
		char title[160];

		/* the title and the reason only: no config value (a key, a token) is ever in them */
		title_of(a, title, sizeof(title));
		rc = desktop_notify(al->desk, title, a->reason, critical(a->ev), fail, sizeof(fail));
		free(body);
		break;
	}
	case CH_COUNT:
		free(body);
		break;
	}
	if (rc != 0)
		deliver_done(al, c, false, fail);
}

static void pop(struct chan *c)
{
	c->head = (c->head + 1) % QUEUE_CAP;
	c->n--;
	c->tries = 0;
}

static void deliver_done(struct alerts *al, struct chan *c, bool ok, const char *why)
{
	c->busy = false;
	if (c->n == 0)
		return; /* nothing was at the head (never happens: send_head needs one) */

	struct alert *a = &c->q[c->head];

	if (ok) {
		al->stats[1]++;
		c->sent_at[c->sent_i] = mono_ms();
		c->sent_i = (c->sent_i + 1) % (sizeof(c->sent_at) / sizeof(c->sent_at[0]));
		if (c->sent_n < sizeof(c->sent_at) / sizeof(c->sent_at[0]))
			c->sent_n++;
		pop(c);
		return;
	}
	if (++c->tries < TRIES_MAX && !al->closing) {
		uint64_t delay = (uint64_t)RETRY_BASE_MS << (c->tries - 1);

		c->next_try_ms = mono_ms() + (delay > RETRY_CAP_MS ? RETRY_CAP_MS : delay);
		log_warn("alerts", "not delivered; will try again | channel=%s event=%s try=%d why=\"%s\"",
			 chan_names[c->kind], alert_event_names[a->ev], c->tries, why);
		return;
	}
	/* given up: the journal keeps it (srm history shows it) */
	char text[400];

	al->stats[2]++;
	snprintf(text, sizeof(text), "alert not delivered by %s after %d tries (%s): %s: %s",
		 chan_names[c->kind], c->tries, why, alert_event_names[a->ev], a->reason);
	log_error("alerts", "%s", text);
	if (al->d->st != NULL)
		store_note(al->d->st, srmd_now(), a->account, "alert_undelivered", text, NULL);
	pop(c);
}

/* Sends in the last minute (the rate). */
static size_t sent_last_minute(const struct chan *c, uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < c->sent_n; i++)
		if (now - c->sent_at[i] < 60000)
			n++;
	return n;
}

static void enqueue(struct alerts *al, struct chan *c, const struct alert *a)
{
	if (c->n == QUEUE_CAP) {
		/* full: the oldest not being sent makes room (counted as coalesced) */
		size_t victim = (c->head + (c->busy ? 1 : 0)) % QUEUE_CAP;

		c->last_coalesced = c->q[victim];
		for (size_t i = victim; i != (c->head + c->n - 1) % QUEUE_CAP; i = (i + 1) % QUEUE_CAP)
			c->q[i] = c->q[(i + 1) % QUEUE_CAP];
		c->n--;
		c->coalesced++;
		al->stats[3]++;
	}
	c->q[(c->head + c->n) % QUEUE_CAP] = *a;
	c->n++;
	al->stats[0]++;
}

static void pump_cb(uv_timer_t *t)
{
	struct alerts *al = t->data;
	uint64_t now = mono_ms();
	bool idle = true;

	for (int k = 0; k < CH_COUNT; k++) {
		struct chan *c = &al->ch[k];
		bool room = sent_last_minute(c, now) < (size_t)al->cfg->alerts.per_minute;

		if (!c->on)
			continue;
		/* a storm held back: one summary when the rate allows */
		if (room && c->coalesced > 0 && !c->busy && c->n == 0) {
			struct alert s = c->last_coalesced;

			s.ev = c->last_coalesced.ev;
			snprintf(s.reason, sizeof(s.reason), "%" PRIu64 " more alerts were held back by the "
				 "rate limit; the last: %.150s", c->coalesced, c->last_coalesced.reason);
			s.ts = srmd_now();
			c->coalesced = 0;
			enqueue(al, c, &s);
		}
		if (c->n > 0 || c->busy)
			idle = false;
		/* the rate holds back the ordinary ones; enforcement, lockouts and a blind guard go out */
		if (c->busy || c->n == 0 || now < c->next_try_ms ||
		    (!room && !critical(c->q[c->head].ev) && !al->closing))
			continue;
		send_head(al, c);
	}
	if (al->closing && (idle || now >= al->close_deadline_ms)) {
		uv_timer_stop(&al->pump);
		for (int k = 0; k < CH_COUNT; k++)
			if (al->ch[k].proc_live)
				uv_process_kill(&al->ch[k].proc, SIGKILL);
	}
}

/* ---- the heartbeat ------------------------------------------------------------------- */

static void beat_cb(uv_timer_t *t)
{
	struct alerts *al = t->data;
	char url[1100];
	CURL *e;

	if (al->beat_easy != NULL || al->cfg->alerts.heartbeat_url == NULL)
		return;
	snprintf(url, sizeof(url), "%s%s", al->cfg->alerts.heartbeat_url, al->guard_bad ? "/fail" : "");
	e = curl_easy_init();
	if (e == NULL)
		return;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)SEND_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "srm-heartbeat");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	al->beat_easy = e;
	if (http_multi_add(al->http, e) != 0) {
		curl_easy_cleanup(e);
		al->beat_easy = NULL;
	}
}

/* ---- the desktop --------------------------------------------------------------------- */

static void desk_done(void *ud, bool ok, const char *why)
{
	struct alerts *al = ud;

	deliver_done(al, &al->ch[CH_DESKTOP], ok, why);
}

/*
 * Is there a session bus? Without one (a server, WSL 2, a system service) the desktop
 * channel is skipped with one log line, not retried; said again once a bus is back and gone.
 */
static bool desk_bus_ok(struct alerts *al)
{
	char why[160];
	bool ok = desktop_available(al->desk, why, sizeof(why));

	if (!ok && !al->desk_nobus_said)
		log_warn("alerts", "desktop notifications skipped | why=\"%s\"", why);
	else if (ok && al->desk_nobus_said)
		log_info("alerts", "a session bus is there: desktop notifications go out");
	al->desk_nobus_said = !ok;
	return ok;
}

/* ---- the API ------------------------------------------------------------------------- */

void alerts_configure(struct alerts *al, const struct srm_config *cfg)
{
	al->cfg = cfg;
	al->ch[CH_WEBHOOK].on = cfg->alerts.webhook_url != NULL;
	al->ch[CH_NTFY].on = cfg->alerts.ntfy_url != NULL && cfg->alerts.ntfy_topic != NULL;
	al->ch[CH_COMMAND].on = cfg->alerts.n_command > 0;
	al->ch[CH_DESKTOP].on = cfg->alerts.desktop;
	if (cfg->alerts.desktop)
		(void)desk_bus_ok(al);
	uv_timer_stop(&al->beat);
	if (cfg->alerts.heartbeat_url != NULL && !al->closing)
		uv_timer_start(&al->beat, beat_cb, 0, (uint64_t)cfg->alerts.heartbeat_ms);
}

static void handle_closed(uv_handle_t *h)
{
	struct alerts *al = h->data;

	if (--al->open_handles == 0 && al->closing)
		free(al);
}

struct alerts *alerts_new(struct srmd *d)
{
	struct alerts *al = xcalloc(1, sizeof(*al));

	al->d = d;
	al->http = http_multi_new(d->loop, http_done, al, 4);
	al->desk = desktop_new(d->loop, desk_done, al);
	uv_timer_init(d->loop, &al->pump);
	uv_timer_init(d->loop, &al->beat);
	al->pump.data = al->beat.data = al;
	for (int k = 0; k < CH_COUNT; k++) {
		al->ch[k].kind = (enum chan_kind)k;
		uv_timer_init(d->loop, &al->ch[k].kill_timer);
		al->ch[k].kill_timer.data = al;
	}
	al->open_handles = 2 + CH_COUNT;
	alerts_configure(al, d->cfg);
	uv_timer_start(&al->pump, pump_cb, PUMP_MS, PUMP_MS);
	return al;
}

static void emit(struct alerts *al, struct alert *pa);

static void emit_v(struct alerts *al, enum alert_event ev, int64_t account, const char *rule,
		   const struct alert_value *v, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));

/* One alert: the reason from fmt, a rule (NULL: none), values (n 0: none). */
static void emit_v(struct alerts *al, enum alert_event ev, int64_t account, const char *rule,
		   const struct alert_value *v, size_t n, const char *fmt, va_list ap)
{
	struct alert a = { .ev = ev, .account = account, .ts = srmd_now() };

	if (al == NULL || al->closing || !wanted(al, ev))
		return;
	vsnprintf(a.reason, sizeof(a.reason), fmt, ap);
	if (rule != NULL)
		strlcpy_s(a.rule, rule, sizeof(a.rule));
	a.n_values = n < ALERT_VALUES_MAX ? n : ALERT_VALUES_MAX;
	if (a.n_values > 0)
		memcpy(a.values, v, a.n_values * sizeof(*v));
	emit(al, &a);
}

void alerts_emit(struct alerts *al, enum alert_event ev, int64_t account, const char *rule,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_v(al, ev, account, rule, NULL, 0, fmt, ap);
	va_end(ap);
}

void alerts_emit_values(struct alerts *al, enum alert_event ev, int64_t account,
			const struct alert_value *v, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_v(al, ev, account, NULL, v, n, fmt, ap);
	va_end(ap);
}

static void emit(struct alerts *al, struct alert *pa)
{
	struct alert a = *pa;
	int64_t account = a.account;
	enum alert_event ev = a.ev;

	if (account != 0) {
		const struct acct *x = engine_acct(al->d->eng, account);

		if (x != NULL)
			strlcpy_s(a.name, x->name, sizeof(a.name));
	}
	for (int k = 0; k < CH_COUNT; k++) {
		struct chan *c = &al->ch[k];

		if (!c->on || (k == CH_DESKTOP && !desk_bus_ok(al)))
			continue;
		/* over the rate: held back and counted (a storm becomes one summary) */
		if (!critical(ev) && sent_last_minute(c, mono_ms()) + c->n >=
					     (size_t)al->cfg->alerts.per_minute) {
			c->coalesced++;
			c->last_coalesced = a;
			al->stats[3]++;
			continue;
		}
		enqueue(al, c, &a);
	}
}

void alerts_guard(struct alerts *al, bool guarded, const char *reason)
{
	uint64_t now = mono_ms();

	if (al == NULL)
		return;
	if (guarded) {
		al->bad_since_ms = 0;
		if (al->guard_bad) {
			al->guard_bad = false;
			alerts_emit(al, AE_GUARD_RESTORED, 0, NULL, "SRM guards your accounts again");
		}
		return;
	}
	if (al->bad_since_ms == 0)
		al->bad_since_ms = now;
	if (!al->guard_bad && now - al->bad_since_ms >= (uint64_t)al->cfg->alerts.guard_after_ms) {
		al->guard_bad = true;
		alerts_emit(al, AE_GUARD_DEGRADED, 0, NULL, "SRM is NOT guarding your accounts: %s",
			    reason != NULL && reason[0] ? reason : "unknown");
	}
}

static void free_later(uv_timer_t *t)
{
	struct alerts *al = t->data;

	if (uv_is_active((uv_handle_t *)&al->pump))
		return; /* still delivering */
	uv_timer_stop(t);
	http_multi_free(al->http, NULL, NULL);
	al->http = NULL;
	desktop_close(al->desk); /* what is in flight is dropped, as curl's below */
	al->desk = NULL;
	for (int k = 0; k < CH_COUNT; k++) {
		if (al->ch[k].easy != NULL) {
			curl_slist_free_all(al->ch[k].hdrs);
			curl_easy_cleanup(al->ch[k].easy);
		}
		free(al->ch[k].body);
		uv_close((uv_handle_t *)&al->ch[k].kill_timer, handle_closed);
	}
	if (al->beat_easy != NULL)
		curl_easy_cleanup(al->beat_easy);
	uv_close((uv_handle_t *)&al->pump, handle_closed);
	uv_close((uv_handle_t *)&al->beat, handle_closed); /* the last close frees al */
}

void alerts_close(struct alerts *al)
{
	if (al == NULL || al->closing)
		return;
	al->closing = true;
	al->close_deadline_ms = mono_ms() + CLOSE_GRACE_MS;
	uv_timer_stop(&al->beat);
	/* the beat timer waits for the pump to finish, then frees (it is reused as the waiter) */
	uv_timer_start(&al->beat, free_later, 50, 50);
}

void alerts_stats(const struct alerts *al, uint64_t out[4])
{
	for (int i = 0; i < 4; i++)
		out[i] = al != NULL ? al->stats[i] : 0;
}
