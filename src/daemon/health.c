/*
 * health.c: is SRM guarding, and what a restart must settle: the journal rows a kill -9
 * left unanswered, and a restart loop that must not burn the gateway's rate budget.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/srmd.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define UNSETTLED_MAX 1000
#define RESTART_WINDOW_MS 30000
#define RESTART_FREE 5              /* starts within the window before start-up waits */
#define START_DELAY_CAP_MS 30000

static const char *hub_word(struct gw_hub *h)
{
	if (h == NULL)
		return "down";
	switch (gw_hub_state(h)) {
	case GW_HUB_CONNECTED:
		return "connected";
	case GW_HUB_CONNECTING:
		return "connecting";
	default:
		return "disconnected";
	}
}

/*
 * A connected hub watches only what the server confirmed: an account or contract past the
 * hub's caps, a subscription refused or still unanswered, is a blind spot (the reason says).
 */
static bool subs_short(const struct gw_hub *h, const char *hub, const char *things, char *why,
		       size_t cap)
{
	struct gw_hub_subs s;

	gw_hub_subs(h, &s);
	if (s.refused > 0)
		snprintf(why, cap, "%s: %zu %s over its limit are not watched", hub, s.refused, things);
	else if (s.failed > 0)
		snprintf(why, cap, "%s: %zu of %zu subscriptions refused, asking again (%s)", hub,
			 s.failed, s.wanted, s.last_error);
	else if (s.confirmed < s.wanted)
		snprintf(why, cap, "%s: %zu of %zu subscriptions not yet confirmed", hub,
			 s.wanted - s.confirmed, s.wanted);
	else
		return false;
	return true;
}

bool srmd_guard(struct srmd *d, char *reason, size_t cap)
{
	char why[300] = "";
	struct gw_rest_stats rs = {0};

	char progress[96] = "";

	if (d->rest != NULL)
		gw_rest_stats(d->rest, &rs);
	size_t done, total;

	/* a long start-up (3 searches per account at 160 per 60 s) says how far it is */
	if (srmd_reconcile_progress(d, &done, &total) && total > 1)
		snprintf(progress, sizeof(progress), ": %zu of %zu accounts reconciled (those with "
			 "open positions or orders first)", done, total);
	if (d->phase == PH_STOPPING)
		strlcpy_s(why, "srmd is stopping", sizeof(why));
	else if (d->phase == PH_STARTING || d->phase == PH_LOGIN)
		snprintf(why, sizeof(why), "%s", d->last_error[0] ? d->last_error : "logging in to the gateway");
	else if (!rs.have_token)
		snprintf(why, sizeof(why), "no gateway session%s%s", d->last_error[0] ? ": " : "", d->last_error);
	else if (d->phase == PH_RECONCILE && d->recon_error[0] != '\0')
		snprintf(why, sizeof(why), "not reconciled: %s", d->recon_error);
	else if (d->phase == PH_RECONCILE || d->reconciles_pending > 0)
		snprintf(why, sizeof(why), "reconciling with the gateway (%s)%s", d->recon_why, progress);
	else if (d->resync_wanted)
		snprintf(why, sizeof(why), "not reconciled: %s; asking again", d->recon_error[0] ? d->recon_error : "a search failed");
	else if (gw_hub_state(d->user_hub) != GW_HUB_CONNECTED)
		snprintf(why, sizeof(why), "user hub %s: orders, fills and positions are not seen",
			 hub_word(d->user_hub));
	else if (gw_hub_state(d->market_hub) != GW_HUB_CONNECTED)
		snprintf(why, sizeof(why), "market hub %s: prices are not seen", hub_word(d->market_hub));
	if (why[0] == '\0' && !subs_short(d->user_hub, "user hub", "accounts", why, sizeof(why)))
		subs_short(d->market_hub, "market hub", "contracts", why, sizeof(why));
	bool ok = why[0] == '\0';

	if (ok != d->guard_ok || d->guard_since == 0) {
		if (d->guard_since != 0)
			log_warn("srmd", "%s | reason=\"%s\"", ok ? "guarded again" : "NOT GUARDED", ok ? "" : why);
		d->guard_ok = ok;
		d->guard_since = srmd_now();
	}
	if (reason != NULL)
		strlcpy_s(reason, why, cap);
	return ok;
}

/*
 * At start: every journal row without an answer is settled at once (a kill -9 came between
 * its send and its answer), so none stays pending forever; the gateway actions among them
 * are looked at again after the first reconcile.
 */
void srmd_settle_at_start(struct srmd *d)
{
	struct journal_row *rows = xcalloc(UNSETTLED_MAX, sizeof(*rows));
	struct srm_err err = {0};
	size_t n = 0;
	srm_ms now = srmd_now();

	if (store_journal_unanswered(d->st, rows, UNSETTLED_MAX, &n, &err) != 0) {
		log_error("store", "cannot read the journal's unanswered rows | err=\"%s\"", err.msg);
		free(rows);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct journal_row *r = &rows[i];
		const char *what = r->dry_run ? "dry_run" : "unknown: srmd restarted before the answer";

		if (strcmp(r->action, "lockout") == 0 || strcmp(r->action, "unlock") == 0 ||
		    strcmp(r->action, "alert") == 0)
			what = "recorded";
		else if (!r->dry_run) {
			d->unsettled = xreallocarray(d->unsettled, d->n_unsettled + 1, sizeof(*d->unsettled));
			d->unsettled[d->n_unsettled++] = r->id;
		}
		if (store_journal_outcome(d->st, r->id, now, what, 0, &err) != 0)
			log_error("store", "journal outcome not saved | err=\"%s\"", err.msg);
	}
	if (n == UNSETTLED_MAX &&
	    store_journal_settle_all(d->st, now, "unknown: srmd restarted before the answer", &err) != 0)
		log_error("store", "journal outcomes not saved | err=\"%s\"", err.msg);
	if (n > 0)
		log_warn("srmd", "the last run ended before some answers came; settled | rows=%zu", n);
	free(rows);
}

void srmd_settle_restart(struct srmd *d)
{
	struct srm_err err = {0};

	for (size_t i = 0; i < d->n_unsettled; i++) {
		struct journal_row r;
		char outcome[200];

		if (store_journal_get(d->st, d->unsettled[i], &r, &err) != 0)
			continue;
		const struct acct *a = engine_acct(d->eng, r.account_id);
		const struct pos *p = a != NULL && r.contract_id[0] ? acct_pos(a, r.contract_id) : NULL;

		if (strcmp(r.action, "cancel_order") == 0 || strcmp(r.action, "modify_stop") == 0)
			snprintf(outcome, sizeof(outcome), "unknown: srmd restarted before the answer; after the "
				 "restart order %" PRId64 " is %s", r.order_id,
				 a != NULL && acct_ord(a, r.order_id) != NULL ? "still working" : "no longer working");
		else if (strcmp(r.action, "cancel_all") == 0)
			snprintf(outcome, sizeof(outcome), "unknown: srmd restarted before the answer; after the "
				 "restart %zu orders are working", a != NULL ? a->n_ord : 0);
		else if (strcmp(r.action, "close_all") == 0)
			snprintf(outcome, sizeof(outcome), "unknown: srmd restarted before the answer; after the "
				 "restart %zu positions are open", a != NULL ? a->n_pos : 0);
		else if (r.contract_id[0] != '\0')
			snprintf(outcome, sizeof(outcome), "unknown: srmd restarted before the answer; after the "
				 "restart %s is %s", r.contract_id, p == NULL || p->qty == 0 ? "flat" : "open");
		else
			continue;
		if (p != NULL && p->qty != 0) {
			size_t n = strlen(outcome);

			snprintf(outcome + n, sizeof(outcome) - n, " (%d)", p->qty);
		}
		if (store_journal_outcome(d->st, r.id, srmd_now(), outcome, 0, &err) != 0)
			log_error("store", "journal outcome not saved | err=\"%s\"", err.msg);
	}
	free(d->unsettled);
	d->unsettled = NULL;
	d->n_unsettled = 0;
}

/* "t1,t2,..." of wall ms -> array; returns how many (at most cap). */
static size_t parse_times(const char *s, int64_t *out, size_t cap)
{
	size_t n = 0;

	while (*s != '\0' && n < cap) {
		char *end;
		long long v = strtoll(s, &end, 10);

		if (end == s)
			break;
		if (v > 0)
			out[n++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

uint64_t srmd_start_delay_ms(struct srmd *d)
{
	char buf[512], out[512];
	int64_t t[16];
	size_t n, len = 0, recent = 0;
	srm_ms now = srmd_now();
	uint64_t delay = 0;
	struct srm_err err = {0};

	store_meta_get(d->st, "recent_starts", buf, sizeof(buf));
	n = parse_times(buf, t, 15);
	for (size_t i = 0; i < n; i++)
		if (t[i] <= now && now - t[i] < RESTART_WINDOW_MS)
			recent++;
	if (recent >= RESTART_FREE) {
		unsigned k = (unsigned)(recent - RESTART_FREE);

		delay = 1000ull << (k > 5 ? 5 : k);
		log_warn("srmd", "started %zu times within 30 s: waiting before logging in, to spare "
			 "the gateway's rate budget | delay_ms=%llu", recent, (unsigned long long)delay);
	}
	/* the login backoff of the last run goes on across the restart */
	store_meta_get(d->st, "login_retry_at", buf, sizeof(buf));
	long long at = strtoll(buf, NULL, 10);

	if (at > now && (uint64_t)(at - now) > delay && at - now <= START_DELAY_CAP_MS) {
		delay = (uint64_t)(at - now);
		log_warn("srmd", "the last run could not log in: waiting out its backoff | delay_ms=%llu",
			 (unsigned long long)delay);
	}
	/* remember this start (the newest 15) */
	len = (size_t)snprintf(out, sizeof(out), "%lld", (long long)now);
	for (size_t i = 0; i < n && i < 14 && len < sizeof(out) - 24; i++)
		if (now - t[i] < RESTART_WINDOW_MS * 10)
			len += (size_t)snprintf(out + len, sizeof(out) - len, ",%lld", (long long)t[i]);
	if (store_meta_set(d->st, "recent_starts", out, &err) != 0)
		log_warn("store", "start not recorded | err=\"%s\"", err.msg);
	return delay > START_DELAY_CAP_MS ? START_DELAY_CAP_MS : delay;
}

void srmd_login_backoff_saved(struct srmd *d, srm_ms retry_at)
{
	char buf[32];
	struct srm_err err = {0};

	snprintf(buf, sizeof(buf), "%lld", (long long)retry_at);
	if (store_meta_set(d->st, "login_retry_at", buf, &err) != 0)
		log_warn("store", "login backoff not saved | err=\"%s\"", err.msg);
}

/* REST polls while blind: often enough to catch a breach, far under the gateway's budget. */
#define BLIND_POLL_MS 5000

static bool open_risk(const struct srmd *d)
{
	const struct acct *a;
	size_t i = 0;

	while ((a = engine_acct_next(d->eng, &i)) != NULL)
		if ((a->n_pos > 0 || a->n_ord > 0) && srmd_guarded(d, a->id, a->name))
			return true;
	return false;
}

#define SUBS_SLOW_MS 3000 /* subscriptions unanswered this long after a connect: blind */

/*
 * How much of every guarded account's events the user hub delivers: BLIND (down, a
 * subscription refused or timed out and not confirmed since, past the caps, or answers slower
 * than SUBS_SLOW_MS), SETTLING (connected, its subscriptions just asked), WHOLE.
 */
enum hub_view { HUB_WHOLE, HUB_SETTLING, HUB_BLIND };

static enum hub_view user_view(struct srmd *d, uint64_t now)
{
	struct gw_hub_subs s;

	if (gw_hub_state(d->user_hub) != GW_HUB_CONNECTED) {
		d->subs_short_ms = 0;
		return HUB_BLIND;
	}
	if (gw_hub_whole(d->user_hub)) {
		d->subs_short_ms = 0;
		return HUB_WHOLE;
	}
	gw_hub_subs(d->user_hub, &s);
	if (s.failed > 0 || s.refused > 0)
		return HUB_BLIND;
	if (d->subs_short_ms == 0)
		d->subs_short_ms = now;
	return now - d->subs_short_ms > SUBS_SLOW_MS ? HUB_BLIND : HUB_SETTLING;
}

void srmd_blind_poll(struct srmd *d)
{
	uint64_t now = srmd_mono_ns() / 1000000;
	enum hub_view v;

	if (d->user_hub == NULL || d->rest == NULL || d->phase != PH_GUARDING) {
		d->blind_since_ms = 0;
		return;
	}
	v = user_view(d, now);
	if (v == HUB_SETTLING)
		return; /* just connected: neither back yet nor blind longer */
	if (v == HUB_WHOLE) {
		if (d->blind_since_ms != 0)
			log_info("srmd", "the user hub is back: no more polling");
		d->blind_since_ms = 0;
		return;
	}
	if (d->blind_since_ms == 0) {
		d->blind_since_ms = now;
		d->blind_poll_ms = now + (uint64_t)d->cfg->alerts.guard_after_ms;
		return;
	}
	if (now < d->blind_poll_ms || d->reconciles_pending > 0 || !open_risk(d))
		return;
	d->blind_poll_ms = now + BLIND_POLL_MS;
	log_warn("srmd", "the user hub is down or refuses subscriptions with open risk: polling "
		 "positions and orders over REST");
	srmd_reconcile(d, "blind: the user hub misses events, polling REST");
}
