/* bench/engine.c: events/s through engine_apply with all twelve rules on, 100 accounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "engine/engine.h"
#include "util/strutil.h"
#include "util/tz.h"

#define N_ACCTS 100

static const struct {
	const char *id, *name;
	double tick, value, px;
} contracts[] = {
	{"CON.F.US.EP.Z26", "ESZ6", 0.25, 12.5, 6000},
	{"CON.F.US.MES.Z26", "MESZ6", 0.25, 1.25, 6000},
	{"CON.F.US.ENQ.Z26", "NQZ6", 0.25, 5, 21000},
	{"CON.F.US.MNQ.Z26", "MNQZ6", 0.25, 0.5, 21000},
	{"CON.F.US.CLE.Z26", "CLZ6", 0.01, 10, 70},
	{"CON.F.US.GCE.Z26", "GCZ6", 0.1, 10, 2400},
};
#define N_CONTRACTS (sizeof(contracts) / sizeof(contracts[0]))

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A realistic mix: ~85% quotes, then orders, positions, fills, account updates. */
static void make_stream(struct srm_event *ev, srm_ms *ts, size_t n, srm_ms t0)
{
	double px[N_CONTRACTS];
	int64_t order_id = 1, fill_id = 1;
	int64_t open_order[N_ACCTS + 1] = {0};
	size_t open_contract[N_ACCTS + 1] = {0};

	for (size_t c = 0; c < N_CONTRACTS; c++)
		px[c] = contracts[c].px;
	for (size_t i = 0; i < n; i++) {
		uint64_t r = next();
		unsigned kind = (unsigned)(r % 100);
		int64_t acct = 1 + (int64_t)((r >> 16) % N_ACCTS);
		/* quotes move every contract; an account trades its home contract (and 1 in 8 a second) */
		size_t c = kind < 85 ? (size_t)((r >> 8) % N_CONTRACTS)
				     : ((size_t)acct + ((r >> 8) % 8 == 0 ? 1 : 0)) % N_CONTRACTS;
		struct srm_event *e = &ev[i];

		memset(e, 0, sizeof(*e));
		ts[i] = t0 + (srm_ms)(i / 50); /* 50 events per ms: 50,000 events/s of market time */
		if (kind < 85) {
			px[c] += ((int)((r >> 24) % 3) - 1) * contracts[c].tick;
			e->kind = EV_QUOTE;
			strlcpy_s(e->u.quote.contract_id, contracts[c].id, SRM_ID_MAX);
			e->u.quote.best_bid = px[c] - contracts[c].tick;
			e->u.quote.best_ask = px[c];
			e->u.quote.last_price = px[c];
			e->u.quote.timestamp = ts[i];
		} else if (kind < 92) {
			/* a new working order, or the end (fill/cancel) of the account's last one */
			bool end = open_order[acct] != 0 && (r >> 32) % 2;

			e->kind = EV_ORDER;
			if (end) {
				c = open_contract[acct];
				e->u.order.id = open_order[acct];
				open_order[acct] = 0;
			} else {
				e->u.order.id = order_id++;
				if (open_order[acct] == 0) {
					open_order[acct] = e->u.order.id;
					open_contract[acct] = c;
				}
			}
			e->u.order.account_id = acct;
			strlcpy_s(e->u.order.contract_id, contracts[c].id, SRM_ID_MAX);
			e->u.order.status = end ? ((r >> 36) % 2 ? PX_OS_FILLED : PX_OS_CANCELLED)
						: (open_order[acct] == e->u.order.id ? PX_OS_OPEN : PX_OS_FILLED);
			e->u.order.type = (r >> 33) % 2 ? PX_OT_LIMIT : PX_OT_STOP;
			e->u.order.side = (int)((r >> 34) % 2);
			e->u.order.size = 1 + (int)((r >> 35) % 2);
			e->u.order.limit_price = px[c];
			e->u.order.stop_price = px[c] - 10 * contracts[c].tick;
			e->u.order.filled_price = PX_NULL;
		} else if (kind < 96) {
			e->kind = EV_POSITION;
			e->u.position.id = acct * 100 + (int64_t)c;
			e->u.position.account_id = acct;
			strlcpy_s(e->u.position.contract_id, contracts[c].id, SRM_ID_MAX);
			e->u.position.type = (r >> 32) % 2 ? PX_PT_LONG : PX_PT_SHORT;
			e->u.position.size = (int)((r >> 33) % 4);
			e->u.position.average_price = px[c];
		} else if (kind < 99) {
			e->kind = EV_TRADE;
			e->u.trade.id = fill_id++;
			e->u.trade.account_id = acct;
			strlcpy_s(e->u.trade.contract_id, contracts[c].id, SRM_ID_MAX);
			e->u.trade.created = ts[i];
			e->u.trade.price = px[c];
			e->u.trade.profit_and_loss = (r >> 32) % 2 ? PX_NULL : (double)((int)((r >> 40) % 200) - 100);
			e->u.trade.fees = 0.37;
			e->u.trade.side = (int)((r >> 34) % 2);
			e->u.trade.size = 1;
		} else {
			e->kind = EV_ACCOUNT;
			e->u.account.id = acct;
			snprintf(e->u.account.name, SRM_NAME_MAX, "50KTC-%lld", (long long)acct);
			e->u.account.balance = 50000;
			e->u.account.can_trade = true;
		}
	}
}

/* Counters of the run: actions decided, events fed back. */
static size_t n_actions, n_fed_back;
static int64_t fb_order = 1000000000;

/*
 * One event into the engine, and the gateway's answer to what it decided fed back as events
 * in turn, as a real executor would (a close makes the position flat, a cancel ends the
 * order, a stop appears; and the executor's report of each answer): the answers' own
 * decisions are answered too, up to a depth of 4. Without it a breach would hold forever
 * and every event would re-decide it.
 */
static void feed(struct engine *eng, const struct srm_event *ev, srm_ms now, int depth)
{
	struct act_list l = engine_apply(eng, ev, now);
	struct srm_event fb[128];
	size_t nfb = 0;

	n_actions += l.n;
	if (depth >= 4)
		return;
	for (size_t k = 0; k < l.n && nfb + 8 < 64; k++) {
		const struct srm_action *a = &l.v[k];
		const struct acct *ac = engine_acct(eng, a->account_id);

		if (ac == NULL)
			continue;
		/* the executor's report of each request's answer, as srmd feeds it */
		if (a->kind != ACT_LOCKOUT && a->kind != ACT_UNLOCK && a->kind != ACT_ALERT &&
		    !a->dry_run) {
			struct srm_event *r = &fb[nfb++];

			memset(r, 0, sizeof(*r));
			r->kind = EV_ACTION_RESULT;
			r->u.result.account_id = a->account_id;
			r->u.result.kind = a->kind;
			strlcpy_s(r->u.result.contract_id, a->contract_id, SRM_ID_MAX);
			r->u.result.order_id = a->order_id;
			r->u.result.size = a->size;
			r->u.result.outcome = OUTCOME_OK;
		}
		if (a->kind == ACT_CLOSE_CONTRACT || a->kind == ACT_CLOSE_ALL || a->kind == ACT_PARTIAL_CLOSE) {
			for (size_t p = 0; p < ac->n_pos && nfb < 120; p++) {
				if (a->kind != ACT_CLOSE_ALL && strcmp(ac->pos[p].contract_id, a->contract_id) != 0)
					continue;
				struct srm_event *f = &fb[nfb++];

				memset(f, 0, sizeof(*f));
				f->kind = EV_POSITION;
				f->u.position.id = ac->pos[p].id;
				f->u.position.account_id = ac->id;
				strlcpy_s(f->u.position.contract_id, ac->pos[p].contract_id, SRM_ID_MAX);
			}
		} else if (a->kind == ACT_CANCEL_ORDER || a->kind == ACT_CANCEL_ALL) {
			for (size_t o = 0; o < ac->n_ord && nfb < 120; o++) {
				if (a->kind == ACT_CANCEL_ORDER && ac->ord[o].id != a->order_id)
					continue;
				struct srm_event *f = &fb[nfb++];

				memset(f, 0, sizeof(*f));
				f->kind = EV_ORDER;
				f->u.order.id = ac->ord[o].id;
				f->u.order.account_id = ac->id;
				strlcpy_s(f->u.order.contract_id, ac->ord[o].contract_id, SRM_ID_MAX);
				f->u.order.status = PX_OS_CANCELLED;
				f->u.order.limit_price = f->u.order.stop_price = f->u.order.filled_price = PX_NULL;
			}
		} else if (a->kind == ACT_PLACE_STOP) {
			struct srm_event *f = &fb[nfb++];

			memset(f, 0, sizeof(*f));
			f->kind = EV_ORDER;
			f->u.order.id = fb_order++;
			f->u.order.account_id = ac->id;
			strlcpy_s(f->u.order.contract_id, a->contract_id, SRM_ID_MAX);
			f->u.order.status = PX_OS_OPEN;
			f->u.order.type = PX_OT_STOP;
			f->u.order.side = a->side;
			f->u.order.size = a->size;
			f->u.order.stop_price = a->stop_price;
			f->u.order.limit_price = f->u.order.filled_price = PX_NULL;
		}
	}
	n_fed_back += nfb;
	for (size_t k = 0; k < nfb; k++)
		feed(eng, &fb[k], now, depth + 1);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 2000000;
	struct srm_config cfg;
	struct srm_err err;
	struct tz *zone = tz_load("America/Chicago", &err);
	srm_ms t0 = 1795532400000; /* 2026-11-24T15:00:00Z, a Tuesday */

	if (zone == NULL || n == 0) {
		fprintf(stderr, "bench-engine: %s\n", zone == NULL ? err.msg : "bad count");
		return 1;
	}
	memset(&cfg, 0, sizeof(cfg));
	config_rules_defaults(&cfg.rules);
	/* all twelve on */
	cfg.rules.max_unrealized_profit.enabled = true;
	cfg.rules.session_block_outside.enabled = true;
	cfg.rules.trade_management.enabled = true;
	cfg.rules.trade_management.trailing_enabled = true;
	cfg.daemon.reset_min = 17 * 60;
	cfg.daemon.quote_max_age_ms = 10000;

	struct srm_event *ev = calloc(n, sizeof(*ev));
	srm_ms *ts = calloc(n, sizeof(*ts));

	if (ev == NULL || ts == NULL) {
		fprintf(stderr, "bench-engine: out of memory\n");
		return 1;
	}
	make_stream(ev, ts, n, t0);

	struct engine *eng = engine_new(&cfg, zone, t0);

	for (size_t c = 0; c < N_CONTRACTS; c++) {
		struct srm_event ce = {.kind = EV_CONTRACT};

		strlcpy_s(ce.u.contract.id, contracts[c].id, SRM_ID_MAX);
		strlcpy_s(ce.u.contract.name, contracts[c].name, SRM_NAME_MAX);
		ce.u.contract.tick_size = contracts[c].tick;
		ce.u.contract.tick_value = contracts[c].value;
		engine_apply(eng, &ce, t0);
	}
	double start = now_s();

	for (size_t i = 0; i < n; i++)
		feed(eng, &ev[i], ts[i], 0);
	size_t actions = n_actions, fed_back = n_fed_back;
	double secs = now_s() - start;

	n += fed_back;
	struct engine_stats st = engine_stats(eng);

	printf("bench-engine: %zu events (%zu of them the gateway's answers to enforcement), %d accounts,"
	       " 12 rules on, %zu actions, %.3f s\n", n, fed_back, N_ACCTS, actions, secs);
	printf("events/s: %.0f\nns/event: %.1f\n", (double)n / secs, secs * 1e9 / (double)n);
	printf("fills dup %llu, timers fired %llu\n", (unsigned long long)st.fills_dup,
	       (unsigned long long)st.timers_fired);
	engine_free(eng);
	tz_free(zone);
	free(ev);
	free(ts);
	return 0;
}
