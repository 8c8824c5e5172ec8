/*
 * model.c: the second implementation of the engine's bookkeeping and of RULE-001/002/003/006
 * (RULE-001/002 with contract weights: counts in units of contracts x millionths),
 * written from SPEC (§4, §5, §7) and the decisions below; it shares no code with src/engine
 * (it uses src/model types, money_from_double and the util time-zone helpers). At every step
 * it folds the whole history again from item 0: linear scans, no incremental state.
 *
 * Decisions it follows (SPEC; docs/DECISIONS.md "Exposure", "P&L and counting",
 * "Enforcement"; the ones marked [not in DECISIONS] are the engine's, read from its code):
 *  - The engine's clock E: the latest item time, or further: a fill stamped at or after the
 *    next reset and at most 5 s after its item's time takes the clock to its stamp (the
 *    early reset happens then). E never goes back [not in DECISIONS]; a restart starts the
 *    new engine at the restart's time. Open times, RULE-006 windows and cooldown ends, the
 *    requests' ages and the guess's window are on E. Timers and lockout ends fire when an
 *    item's time (or such a stamp) reaches them, each at its deadline: a request a timer
 *    asked for is aged from the deadline (the stamp the engine gave it), not from the later
 *    item that let it fire (srmd's 100 ms cron fires timers on time; the driver has no cron).
 *  - Book: a position is keyed by (account, contract). The last event sets its signed size.
 *    A size-0 event whose id is not the open position's id is stale and ignored (no rule
 *    looks at it); a new id replaces the open position and is a new position (opened = E,
 *    it "grew" now). A position grows when it is new, changes sign, or its |size| rises.
 *  - Orders: the last event of an id wins; Filled/Cancelled/Expired/Rejected remove it;
 *    every other status stays in the book. Exposure: every status in the book but
 *    Suspended(8) (so Open, Pending, PendingCancel and unknown ones), with something left
 *    (size - fillVolume > 0) [an order with nothing left: not in DECISIONS].
 *  - An order "grows" when first seen, when a modify raises its remaining, and when it
 *    turns from Suspended into exposure (a bracket leg activated [not in DECISIONS]):
 *    newest-grown is cancelled first. An order in PendingCancel is still exposure and may
 *    be asked to cancel again (OrderNotFound counts as success).
 *  - RULE-001 close_all with positions alone over the limit: cancel every working order of
 *    the account but Suspended legs and market orders that only reduce (a close in
 *    progress, SRM's own or the trader's), other reducing ones included (cancel_all), and no
 *    worst-case cancel beside it in that judgement.
 *  - RULE-002's worst case of a symbol: the sum over its contracts of each contract's own
 *    net worst case; positions alone = sum of |size|.
 *  - RULE-001 is judged on the account at every order and position event of it (not a
 *    stale one) and at a recheck; RULE-002 on the event's symbol only [not in DECISIONS],
 *    at a recheck on every symbol.
 *  - Settle window [not in DECISIONS]: at a position event of contract C whose signed size
 *    changed by d, a worst case over its bound (max(limit, positions alone)) by no more
 *    than |d|, with a counting order in C on the side of the change, is not cancelled: the
 *    rule (RULE-001 for the account, RULE-002 for C's symbol) looks again at E + 300 ms and
 *    never waits then. The timer's cancels come in the step whose time reaches it. A
 *    restart forgets the timers (the reconcile's recheck judges instead).
 *  - A request the engine emitted is in flight until its EV_ACTION_RESULT (or 60 s): a
 *    cancel in flight is not expected again (SPEC §6 idempotence); a restart forgets them.
 *  - SRM's own fills (DECISIONS "RULE-006"): a close or partial close SRM asked for
 *    expects closing fills of that contract on the closing side of the position then, for
 *    its size (the position's for a close), within 10 s; another request within the window
 *    adds to what is left and restarts it [not in DECISIONS]. A new closing fill that
 *    matches is SRM's (it uses up what it matches), whoever sent it. The driver's truth is
 *    only compared with this guess (test_model.c: srmflip, srmcost), never with the engine.
 *  - Trading day: the resets are reset_min local on Sun..Thu dates that are not holidays.
 *    A fill belongs to the trading day of its stamp; the day's realized, fees and session
 *    count are over the fills (first event of an id; any voided event voids it) whose day
 *    is today. A fill more than 5 s ahead waits for its day.
 *  - RULE-006 minute/hour windows count today's fills only (the reset clears counters,
 *    SPEC §4) with stamps in (E - window, E + 5 s]; it is judged at the first, non-voided
 *    event of a trader's fill of today. The longest cooldown of the windows over wins
 *    (until_reset over durations); it replaces a lockout of the rule ending earlier only.
 *  - RULE-003 is judged at every trade and recheck event: today's realized (minus fees when
 *    include_fees) <= -loss_limit locks the account until the next reset.
 */
#include "model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define M_SKEW_MS 5000
#define M_MINUTE_MS 60000
#define M_HOUR_MS 3600000
#define M_REQ_STALE_MS 60000
#define M_SETTLE_MS 300
#define M_CLOSE_WINDOW_MS 10000
#define M_DAY_S 86400

struct m_pos {
	bool open;
	int64_t id;
	int qty;
	srm_ms opened;
	int grow;
};

struct m_ord {
	bool present;
	int64_t id;
	int ai, ci;
	int status, type, side, size, fv;
	int grow, seen_j;
	bool modgrow;
	srm_ms seen;
};

struct m_fill {
	int64_t id;
	int ai;
	srm_ms at, day;
	money_t pnl, fees;
	bool voided, srm;
	int sess;               /* what it adds to the session count (MV_EARLY's reversals: -1 or 0) */
};

struct m_infl {
	int64_t order_id;
	srm_ms at;
};

/* What SRM asked to close in a contract: the closing fills it expects (the guess of its own fills). */
struct m_close {
	bool valid;
	int side;               /* the closing side */
	int left;
	srm_ms at;
};

/* A settle timer (RULE-001 or RULE-002 looks again at the account / a contract's symbol). */
struct m_tmr {
	srm_ms at;
	int rule;               /* 1 or 2 */
	int ai, ci;
};

#define M_MAX_TMR 256

struct mstate {
	const struct mcfg *c;
	unsigned v;
	int sym[M_MAX_CONTRACTS];       /* symbols_init */
	srm_ms E, L, R;
	struct m_pos pos[M_MAX_ACCTS][M_MAX_CONTRACTS];
	int n_ord;
	struct m_ord ord[M_MAX_ORDERS];
	int n_fill;
	struct m_fill fill[M_MAX_FILLS];
	bool r003[M_MAX_ACCTS];
	int r006[M_MAX_ACCTS];
	srm_ms r006_until[M_MAX_ACCTS];
	int n_infl;
	struct m_infl infl[M_MAX_ORDERS];
	int n_tmr;
	struct m_tmr tmr[M_MAX_TMR];
	struct m_close cl[M_MAX_ACCTS][M_MAX_CONTRACTS];
	int guess;              /* SG_* of the last new fill */
	/* item k only: what its position event changed, and the rules that waited at it */
	int last_prev, last_qty;
	bool last_stale;
};

/* ---- calendar ---- */

static bool is_holiday(const struct mcfg *c, int32_t d)
{
	for (int i = 0; i < c->n_holidays; i++)
		if (c->holidays[i] == d)
			return true;
	return false;
}

void model_calendar(struct mcfg *c, srm_ms from, srm_ms to)
{
	struct tz_local a, b;

	tz_localtime(c->zone, from, &a);
	tz_localtime(c->zone, to, &b);
	c->n_resets = 0;
	for (int32_t d = a.days - 10; d <= b.days + 10 && c->n_resets < M_MAX_RESETS; d++) {
		int wd = weekday_from_days(d); /* 0 = Sunday */

		if (wd > 4 || is_holiday(c, d))
			continue;
		c->resets[c->n_resets++] = tz_local_to_utc(c->zone, (int64_t)d * M_DAY_S + c->reset_min * 60);
	}
}

static srm_ms cal_last(const struct mcfg *c, srm_ms t)
{
	srm_ms r = INT64_MIN;

	for (size_t i = 0; i < c->n_resets; i++)
		if (c->resets[i] <= t)
			r = c->resets[i];
	return r;
}

static srm_ms cal_next(const struct mcfg *c, srm_ms t)
{
	for (size_t i = 0; i < c->n_resets; i++)
		if (c->resets[i] > t)
			return c->resets[i];
	return INT64_MAX;
}

/* ---- indices ---- */

void model_annotate(const struct mcfg *c, struct hitem *it)
{
	int64_t acct = 0;
	const char *cid = NULL;

	it->ai = -1;
	it->ci = -1;
	if (it->kind != H_EVENT)
		return;
	switch (it->ev.kind) {
	case EV_ORDER:
		acct = it->ev.u.order.account_id;
		cid = it->ev.u.order.contract_id;
		break;
	case EV_POSITION:
		acct = it->ev.u.position.account_id;
		cid = it->ev.u.position.contract_id;
		break;
	case EV_TRADE:
		acct = it->ev.u.trade.account_id;
		cid = it->ev.u.trade.contract_id;
		break;
	case EV_ACTION_RESULT:
		acct = it->ev.u.result.account_id;
		cid = it->ev.u.result.contract_id;
		break;
	case EV_RECHECK:
		acct = it->ev.u.recheck.account_id;
		break;
	case EV_ACCOUNT:
		acct = it->ev.u.account.id;
		break;
	default:
		break;
	}
	for (int i = 0; i < c->n_accts; i++)
		if (c->accts[i] == acct)
			it->ai = (int8_t)i;
	for (int i = 0; cid != NULL && i < c->n_contracts; i++)
		if (strcmp(c->contract_id[i], cid) == 0)
			it->ci = (int8_t)i;
}

/* ---- orders and exposure ---- */

static bool terminal(int status)
{
	return status == PX_OS_FILLED || status == PX_OS_CANCELLED || status == PX_OS_EXPIRED ||
	       status == PX_OS_REJECTED;
}

static bool stays_in_book(const struct mstate *s, int status)
{
	if (terminal(status))
		return false;
	if ((s->v & MV_PCANCEL) && status != PX_OS_OPEN && status != PX_OS_PENDING &&
	    status != PX_OS_SUSPENDED)
		return false;
	return true;
}

static bool is_exposure(const struct mstate *s, int status)
{
	return status != PX_OS_SUSPENDED || (s->v & MV_SUSP);
}

static int remaining(const struct m_ord *o)
{
	int r = o->size - o->fv;

	return r > 0 ? r : 0;
}

/* What an order adds to the worst case (MV_PARTIAL: its fill volume taken off twice). */
static int exposure_left(const struct mstate *s, const struct m_ord *o)
{
	int sz, r;

	if (!(s->v & MV_PARTIAL))
		return remaining(o);
	sz = o->fv > 0 && o->fv < o->size ? o->size - o->fv : o->size;
	r = sz - (o->fv > 0 ? o->fv : 0);
	return r > 0 ? r : 0;
}

static bool reducing(const struct mstate *s, const struct m_ord *o)
{
	const struct m_pos *p = &s->pos[o->ai][o->ci];

	if (!p->open || p->qty == 0)
		return false;
	if (p->qty > 0)
		return o->side == PX_ASK && remaining(o) <= p->qty;
	return o->side == PX_BID && remaining(o) <= -p->qty;
}

static int find_ord(const struct mstate *s, int64_t id)
{
	for (int i = 0; i < s->n_ord; i++)
		if (s->ord[i].present && s->ord[i].id == id)
			return i;
	return -1;
}

/* The symbol of each contract is named by the first contract index with the same symbol. */
static void symbols_init(struct mstate *s, const struct mcfg *c)
{
	for (int ci = 0; ci < c->n_contracts; ci++) {
		s->sym[ci] = ci;
		for (int i = 0; i < ci; i++)
			if (strcmp(c->contract_sym[i], c->contract_sym[ci]) == 0) {
				s->sym[ci] = i;
				break;
			}
	}
}

/* RULE-002's limit of a symbol, in weighted units (contracts x M_PPM). */
static long symbol_limit(const struct mcfg *c, int sym)
{
	for (int i = 0; i < c->r002_n; i++)
		if (strcmp(c->r002_sym[i], c->contract_sym[sym]) == 0)
			return (long)c->r002_limit[i] * M_PPM;
	return (long)c->r002_default * M_PPM;
}

/* RULE-001's limit in weighted units. */
static long r001_units(const struct mcfg *c)
{
	return (long)c->r001_limit * M_PPM;
}

/*
 * Does order x count in a worst case: present, of the account (and symbol), exposure with
 * something left, not reducing, not excluded?
 */
static bool counts(const struct mstate *s, int i, int ai, int sym, const bool *excl)
{
	const struct m_ord *x = &s->ord[i];

	return x->present && x->ai == ai && (sym < 0 || s->sym[x->ci] == sym) &&
	       is_exposure(s, x->status) && exposure_left(s, x) > 0 && !(excl != NULL && excl[i]) &&
	       !reducing(s, x);
}

/*
 * Worst case of the account (sym < 0: RULE-001 as configured) or of one symbol (RULE-002:
 * the sum over its contracts of each contract's own net worst case) if every counted order
 * filled; *have is the positions alone. before: only orders seen no later than it count
 * (MV_EVONLY's projection), NULL: all.
 */
static long worst(const struct mstate *s, int ai, int sym, const bool *excl, const struct m_ord *before,
		  long *have)
{
	const struct mcfg *c = s->c;
	long n = 0, g = 0, b = 0, sl = 0, cb[M_MAX_CONTRACTS] = {0}, cs[M_MAX_CONTRACTS] = {0};
	bool gross = sym < 0 && c->r001_gross;

	for (int ci = 0; ci < c->n_contracts; ci++) {
		const struct m_pos *p = &s->pos[ai][ci];

		if (!p->open || (sym >= 0 && s->sym[ci] != sym))
			continue;
		n += p->qty * c->w[ci];
		g += labs((long)p->qty) * c->w[ci];
	}
	for (int i = 0; i < s->n_ord; i++) {
		const struct m_ord *x = &s->ord[i];

		if (!counts(s, i, ai, sym, excl))
			continue;
		if (before != NULL && !(x->seen < before->seen || (x->seen == before->seen && x->id <= before->id)))
			continue;
		long left = exposure_left(s, x) * c->w[x->ci];

		if (x->side == PX_BID) {
			b += left;
			cb[x->ci] += left;
		} else {
			sl += left;
			cs[x->ci] += left;
		}
	}
	*have = (gross || sym >= 0) ? g : labs(n);
	if (gross)
		return g + b + sl;
	if (sym >= 0) {
		long sum = 0;

		for (int ci = 0; ci < c->n_contracts; ci++) {
			long q = s->pos[ai][ci].open ? s->pos[ai][ci].qty * c->w[ci] : 0, up, down;

			if (s->sym[ci] != sym)
				continue;
			up = labs(q + cb[ci]);
			down = labs(q - cs[ci]);
			sum += up > down ? up : down;
		}
		return sum;
	}
	long up = labs(n + b), down = labs(n - sl);

	return up > down ? up : down;
}

/* ---- the cancels RULE-001/002 want ---- */

struct cset {
	size_t n;
	int64_t id[M_MAX_ORDERS];
};

static void cset_add(struct cset *cs, int64_t id)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->id[i] == id)
			return;
	if (cs->n < M_MAX_ORDERS)
		cs->id[cs->n++] = id;
}

/* Every working order of the account but Suspended legs and market orders that only reduce
 * (a close in progress) (RULE-001's close_all cancels them all). */
static void all_working(const struct mstate *s, int ai, struct cset *cs)
{
	for (int i = 0; i < s->n_ord; i++)
		if (s->ord[i].present && s->ord[i].ai == ai && is_exposure(s, s->ord[i].status) &&
		    !(s->ord[i].type == PX_OT_MARKET && reducing(s, &s->ord[i])))
			cset_add(cs, s->ord[i].id);
}

/* Cancel the newest-grown non-reducing orders until the worst case is back within max(limit, have). */
static void greedy(const struct mstate *s, int ai, int sym, long limit, struct cset *cs)
{
	bool excl[M_MAX_ORDERS];
	long have, w;

	memset(excl, 0, (size_t)s->n_ord * sizeof(excl[0]));
	w = worst(s, ai, sym, excl, NULL, &have);
	long thr = limit > have ? limit : have;

	while (w > thr) {
		int best = -1;

		for (int i = 0; i < s->n_ord; i++)
			if (counts(s, i, ai, sym, excl) && (best < 0 || s->ord[i].grow > s->ord[best].grow))
				best = i;
		if (best < 0)
			break;
		excl[best] = true;
		cset_add(cs, s->ord[best].id);
		w = worst(s, ai, sym, excl, NULL, &have);
	}
}

/*
 * The settle window: at a position event of contract ci that changed its signed size by dq,
 * an excess (over max(limit, positions)) no larger than |dq| with a counting order in ci on
 * the side of the change may be that order's fill whose own event has not come yet: the
 * cancel waits M_SETTLE_MS.
 */
static bool settle_wait(const struct mstate *s, int ai, int sym, long limit, int ci, int dq)
{
	long have, w, bound;

	if (dq == 0 || (s->v & MV_NOSETTLE))
		return false;
	w = worst(s, ai, sym, NULL, NULL, &have);
	bound = limit > have ? limit : have;
	if (w <= bound || w - bound > labs((long)dq) * s->c->w[ci])
		return false;
	for (int i = 0; i < s->n_ord; i++)
		if (counts(s, i, ai, sym, NULL) && s->ord[i].ci == ci &&
		    s->ord[i].side == (dq > 0 ? PX_BID : PX_ASK))
			return true;
	return false;
}

/* RULE-001 on the account; ci/dq: a position event's contract and change (dq 0: no wait). True: it waits. */
static bool judge001(const struct mstate *s, int ai, int ci, int dq, bool noposj, struct cset *cs)
{
	const struct mcfg *c = s->c;
	long have;

	(void)worst(s, ai, -1, NULL, NULL, &have);
	if (c->r001_close_all && have > r001_units(c)) {
		all_working(s, ai, cs); /* cancel_all, and no worst case beside it */
		return false;
	}
	if (noposj)
		return false;
	if (settle_wait(s, ai, -1, r001_units(c), ci, dq))
		return true;
	greedy(s, ai, -1, r001_units(c), cs);
	return false;
}

/* RULE-002 on one symbol. */
static bool judge002(const struct mstate *s, int ai, int sym, int ci, int dq, struct cset *cs)
{
	long lim = symbol_limit(s->c, sym);

	if (settle_wait(s, ai, sym, lim, ci, dq))
		return true;
	greedy(s, ai, sym, lim, cs);
	return false;
}

/* MV_EVONLY: an order event judges that order only, against the orders seen before it. */
static void legacy_order(const struct mstate *s, int ai, int64_t id, struct cset *cs)
{
	const struct mcfg *c = s->c;
	int oi = find_ord(s, id);
	long have, would;

	if (oi < 0)
		return;
	const struct m_ord *o = &s->ord[oi];

	if (!is_exposure(s, o->status) || reducing(s, o))
		return;
	would = worst(s, ai, -1, NULL, o, &have);
	if (would > r001_units(c) && would > have)
		cset_add(cs, id);
	int sym = s->sym[o->ci];

	would = worst(s, ai, sym, NULL, o, &have);
	if (would > symbol_limit(c, sym) && would > have)
		cset_add(cs, id);
}

static void close_all_part(const struct mstate *s, int ai, struct cset *cs)
{
	long have;

	(void)worst(s, ai, -1, NULL, NULL, &have);
	if (s->c->r001_close_all && have > r001_units(s->c))
		all_working(s, ai, cs);
}

/* The whole account: RULE-001 and every symbol's RULE-002 (a recheck, a close's answer judged again). */
static void judge_all(const struct mstate *s, int ai, struct cset *cs)
{
	unsigned seen_sym = 0;

	(void)judge001(s, ai, -1, 0, false, cs);
	for (int ci = 0; ci < s->c->n_contracts; ci++) {
		int sym = s->sym[ci];

		if (seen_sym & (1u << sym))
			continue;
		seen_sym |= 1u << sym;
		(void)judge002(s, ai, sym, -1, 0, cs);
	}
}

/* The event item k: RULE-001 on the account, RULE-002 on the event's symbol. */
static void judge(const struct mstate *s, const struct hitem *it, struct cset *cs)
{
	int ai = it->ai;

	if ((s->v & MV_EVONLY) && it->ev.kind == EV_ORDER) {
		close_all_part(s, ai, cs);
		legacy_order(s, ai, it->ev.u.order.id, cs);
		return;
	}
	if ((s->v & MV_EVONLY) && (it->ev.kind == EV_RECHECK || it->ev.kind == EV_ACTION_RESULT)) {
		close_all_part(s, ai, cs);
		for (int i = 0; i < s->n_ord; i++)
			if (s->ord[i].present && s->ord[i].ai == ai)
				legacy_order(s, ai, s->ord[i].id, cs);
		return;
	}
	switch (it->ev.kind) {
	case EV_ORDER:
		(void)judge001(s, ai, it->ci, 0, false, cs);
		(void)judge002(s, ai, s->sym[it->ci], it->ci, 0, cs);
		break;
	case EV_POSITION: {
		bool noposj = (s->v & MV_NOPOSJ) != 0;
		int dq = s->last_qty - s->last_prev;

		(void)judge001(s, ai, it->ci, dq, noposj, cs);
		if (!noposj)
			(void)judge002(s, ai, s->sym[it->ci], it->ci, dq, cs);
		break;
	}
	default:
		judge_all(s, ai, cs);
		break;
	}
}

/* After a position event of item j: the settle timers its rules armed. */
static void arm_settle(struct mstate *s, const struct hitem *it)
{
	const struct mcfg *c = s->c;
	int ai = it->ai, ci = it->ci, dq = s->last_qty - s->last_prev;
	long have;

	if (dq == 0 || (s->v & (MV_NOSETTLE | MV_NOPOSJ)) || s->n_tmr + 2 > M_MAX_TMR)
		return;
	(void)worst(s, ai, -1, NULL, NULL, &have);
	if (!(c->r001_close_all && have > r001_units(c)) && settle_wait(s, ai, -1, r001_units(c), ci, dq))
		s->tmr[s->n_tmr++] = (struct m_tmr){.at = s->E + M_SETTLE_MS, .rule = 1, .ai = ai, .ci = ci};
	if (settle_wait(s, ai, s->sym[ci], symbol_limit(c, s->sym[ci]), ci, dq))
		s->tmr[s->n_tmr++] = (struct m_tmr){.at = s->E + M_SETTLE_MS, .rule = 2, .ai = ai, .ci = ci};
}

/* Are the positions alone over RULE-001's limit, and over RULE-002's for each contract's symbol? */
static void over_flags(const struct mstate *s, int ai, bool *o1, unsigned *o2)
{
	const struct mcfg *c = s->c;
	long n = 0, g = 0, held[M_MAX_CONTRACTS] = {0};

	for (int ci = 0; ci < c->n_contracts; ci++) {
		const struct m_pos *p = &s->pos[ai][ci];

		if (!p->open)
			continue;
		n += p->qty * c->w[ci];
		g += labs((long)p->qty) * c->w[ci];
		held[s->sym[ci]] += labs((long)p->qty) * c->w[ci];
	}
	*o1 = (c->r001_gross ? g : labs(n)) > r001_units(c);
	*o2 = 0;
	for (int ci = 0; ci < c->n_contracts; ci++)
		if (held[s->sym[ci]] > symbol_limit(c, s->sym[ci]))
			*o2 |= 1u << ci;
}

/* ---- the fold ---- */

static void init_state(struct mstate *s, const struct mcfg *c, unsigned v, srm_ms t0)
{
	/* the order and fill tables are used up to their counts: only the rest is cleared */
	memset(s->pos, 0, sizeof(s->pos));
	memset(s->r003, 0, sizeof(s->r003));
	memset(s->r006, 0, sizeof(s->r006));
	memset(s->r006_until, 0, sizeof(s->r006_until));
	memset(s->cl, 0, sizeof(s->cl));
	s->n_ord = 0;
	s->n_fill = 0;
	s->n_infl = 0;
	s->n_tmr = 0;
	s->c = c;
	s->v = v;
	s->E = t0;
	s->L = cal_last(c, t0);
	s->R = cal_next(c, s->L);
}

static void day_totals(const struct mstate *s, int ai, money_t *realized, money_t *fees, int *session)
{
	*realized = 0;
	*fees = 0;
	*session = 0;
	for (int i = 0; i < s->n_fill; i++) {
		const struct m_fill *f = &s->fill[i];

		if (f->ai != ai || f->voided || f->day != s->L)
			continue;
		*realized += f->pnl;
		*fees += f->fees;
		*session += f->sess;
	}
}

static void check003(struct mstate *s, int ai)
{
	money_t r, f;
	int n;

	day_totals(s, ai, &r, &f, &n);
	if (s->c->r003_fees)
		r -= f;
	if (s->c->r003_loss > 0 && r <= -s->c->r003_loss)
		s->r003[ai] = true;
}

static void check006(struct mstate *s, int ai, srm_ms now)
{
	const struct mcfg *c = s->c;
	srm_ms hi = (s->v & MV_AHEAD) ? now : now + M_SKEW_MS, dur = 0, new_end, cur_end;
	int m = 0, h = 0, sess = 0, kind = UNTIL_NONE;

	for (int i = 0; i < s->n_fill; i++) {
		const struct m_fill *f = &s->fill[i];

		if (f->ai == ai && f->id == 0 && f->day == s->L) {
			sess += f->sess; /* MV_EARLY's reversal: the session count, not the windows */
			continue;
		}
		if (f->ai != ai || f->voided || f->srm || f->day != s->L)
			continue;
		sess++;
		if (f->at > now - M_MINUTE_MS && f->at <= hi)
			m++;
		if (f->at > now - M_HOUR_MS && f->at <= hi)
			h++;
	}
	if (c->r006_session > 0 && sess > c->r006_session) {
		kind = UNTIL_RESET;
	} else {
		if (c->r006_minute > 0 && m > c->r006_minute) {
			kind = UNTIL_TIME;
			dur = c->r006_cool_minute;
		}
		if (c->r006_hour > 0 && h > c->r006_hour && (kind == UNTIL_NONE || c->r006_cool_hour > dur)) {
			kind = UNTIL_TIME;
			dur = c->r006_cool_hour;
		}
	}
	if (kind == UNTIL_NONE)
		return;
	new_end = kind == UNTIL_RESET ? s->R : now + dur;
	cur_end = s->r006[ai] == UNTIL_NONE ? INT64_MIN : s->r006[ai] == UNTIL_RESET ? s->R : s->r006_until[ai];
	if (cur_end >= new_end)
		return;
	s->r006[ai] = kind;
	s->r006_until[ai] = kind == UNTIL_TIME ? new_end : 0;
}

/* A position event; false when it is stale (ignored: no rule looks at it). */
static bool apply_position(struct mstate *s, const struct hitem *it, int j)
{
	const struct px_position *pp = &it->ev.u.position;
	struct m_pos *p = &s->pos[it->ai][it->ci];
	int qty = pp->type == PX_PT_SHORT ? -pp->size : pp->size;

	s->last_prev = p->open ? p->qty : 0;
	s->last_qty = qty;
	if (qty == 0) {
		if (p->open && p->id != pp->id && !(s->v & MV_STALE0))
			return false;
		p->open = false;
		return true;
	}
	if (!p->open || (p->id != pp->id && !(s->v & MV_NEWID))) {
		p->open = true;
		p->id = pp->id;
		p->qty = qty;
		p->opened = s->E;
		p->grow = j;
		return true;
	}
	if ((p->qty > 0) != (qty > 0)) {
		p->opened = s->E;
		p->grow = j;
	} else if (abs(qty) > abs(p->qty)) {
		p->grow = j;
	}
	p->id = pp->id;
	p->qty = qty;
	return true;
}

static void apply_order(struct mstate *s, const struct hitem *it, int j)
{
	const struct px_order *po = &it->ev.u.order;
	int oi = find_ord(s, po->id);

	if (!stays_in_book(s, po->status)) {
		if (oi >= 0)
			s->ord[oi].present = false;
		return;
	}
	if (oi < 0) {
		for (int i = 0; i < s->n_ord && oi < 0; i++)
			if (!s->ord[i].present)
				oi = i; /* a slot of an order gone */
		if (oi < 0 && s->n_ord >= M_MAX_ORDERS)
			return;
		if (oi < 0)
			oi = s->n_ord++;
		memset(&s->ord[oi], 0, sizeof(s->ord[oi]));
		s->ord[oi].present = true;
		s->ord[oi].id = po->id;
		s->ord[oi].grow = j;
		s->ord[oi].seen_j = j;
		s->ord[oi].seen = s->E;
	} else {
		struct m_ord *o = &s->ord[oi];
		bool was_exp = is_exposure(s, o->status);
		int was_left = remaining(o);
		struct m_ord n = *o;

		n.size = po->size;
		n.fv = po->fill_volume;
		n.status = po->status;
		if (!was_exp && is_exposure(s, po->status)) {
			o->grow = j;
			o->modgrow = false;
		} else if (remaining(&n) > was_left) {
			o->grow = j;
			o->modgrow = true;
		}
	}
	struct m_ord *o = &s->ord[oi];

	o->ai = it->ai;
	o->ci = it->ci;
	o->status = po->status;
	o->type = po->type;
	o->side = po->side;
	o->size = po->size;
	o->fv = po->fill_volume;
}

/*
 * MV_EARLY: a fill counted in the old day (stamped after the reset, arrived before it) and
 * voided today is reversed from today's totals, as the engine's check of its stamp does.
 */
static void early_reversal(struct mstate *s, const struct m_fill *f)
{
	money_t r, fe;
	int n;

	if (s->n_fill >= M_MAX_FILLS)
		return;
	day_totals(s, f->ai, &r, &fe, &n);
	s->fill[s->n_fill++] = (struct m_fill){
		.id = 0, .ai = f->ai, .at = f->at, .day = s->L, .pnl = -f->pnl, .fees = -f->fees,
		.voided = false, .srm = true, .sess = !f->srm && n > 0 ? -1 : 0,
	};
}

/* MV_EARLY: a restart counts again every fill stamped today (store_load), however it was counted. */
static void early_restart(struct mstate *s)
{
	int k = 0;

	for (int i = 0; i < s->n_fill; i++) {
		struct m_fill *f = &s->fill[i];

		if (f->id == 0)
			continue; /* a reversal: the restore recounts from the fills themselves */
		if (f->at >= s->L)
			f->day = s->L;
		s->fill[k++] = *f;
	}
	s->n_fill = k;
}

/*
 * SRM asked to close (or partly close) a position (a request of the engine's, at its time
 * ts): it expects closing fills on the closing side of the position as it stands, for that
 * many contracts, within M_CLOSE_WINDOW_MS; a later request adds to what is still expected.
 */
static void expect_close(struct mstate *s, const struct hreq *q)
{
	int ai = -1, ci = -1;

	for (int i = 0; i < s->c->n_accts; i++)
		if (s->c->accts[i] == q->account_id)
			ai = i;
	for (int i = 0; i < s->c->n_contracts; i++)
		if (strcmp(s->c->contract_id[i], q->contract_id) == 0)
			ci = i;
	if (ai < 0 || ci < 0 || (q->kind != ACT_CLOSE_CONTRACT && q->kind != ACT_PARTIAL_CLOSE))
		return;
	const struct m_pos *p = &s->pos[ai][ci];
	struct m_close *c = &s->cl[ai][ci];
	int size = q->kind == ACT_PARTIAL_CLOSE ? q->size : abs(p->qty);
	srm_ms at = q->ts < s->E ? q->ts : s->E; /* a timer's: at its deadline (see the header) */

	if (!p->open || p->qty == 0 || size <= 0)
		return;
	if (!c->valid || at - c->at > M_CLOSE_WINDOW_MS || c->left < 0)
		c->left = 0;
	c->valid = true;
	c->side = p->qty > 0 ? PX_ASK : PX_BID;
	c->left += size;
	c->at = at;
}

/* Is this new closing fill one SRM expects (the guess)? It uses up what it answers. */
static bool guess_srm(struct mstate *s, const struct hitem *it)
{
	const struct px_trade *t = &it->ev.u.trade;
	struct m_close *c;

	if (it->ci < 0 || isnan(t->profit_and_loss))
		return false;
	c = &s->cl[it->ai][it->ci];
	if (!c->valid || s->E - c->at > M_CLOSE_WINDOW_MS || c->left <= 0 || c->side != t->side)
		return false;
	c->left -= t->size > 0 ? t->size : 1;
	return true;
}

static void apply_trade(struct mstate *s, const struct hitem *it)
{
	const struct px_trade *t = &it->ev.u.trade;
	int ai = it->ai;

	for (int i = 0; i < s->n_fill; i++) {
		struct m_fill *f = &s->fill[i];

		if (f->id != t->id)
			continue;
		if (t->voided && !f->voided) {
			f->voided = true;
			if ((s->v & MV_EARLY) && f->day != s->L && f->at >= s->L)
				early_reversal(s, f);
			check003(s, ai);
		}
		return;
	}
	if (s->n_fill >= M_MAX_FILLS)
		return;
	struct m_fill *f = &s->fill[s->n_fill++];

	f->id = t->id;
	f->ai = ai;
	f->at = t->created;
	f->pnl = isnan(t->profit_and_loss) ? 0 : money_from_double(t->profit_and_loss);
	f->fees = money_from_double(t->fees);
	f->voided = t->voided;
	f->srm = !f->voided && guess_srm(s, it);
	f->sess = f->srm ? 0 : 1;
	if (!f->voided && f->srm != it->srm) {
		const struct m_close *c = it->ci >= 0 ? &s->cl[ai][it->ci] : NULL;

		if (f->srm)
			s->guess = SG_TRADER_AS_SRM;
		else if (c != NULL && c->valid && s->E - c->at <= M_CLOSE_WINDOW_MS && c->side != t->side)
			s->guess = SG_SRM_FLIPPED;
		else
			s->guess = SG_SRM_AS_TRADER;
	}
	if (s->v & MV_EARLY)
		f->day = t->created >= s->L ? s->L : INT64_MIN;
	else
		f->day = cal_last(s->c, t->created);
	if (f->voided)
		return;
	check003(s, ai);
	if (!f->srm && f->day == s->L)
		check006(s, ai, s->E);
}

/* The settle timers due at t fire (in deadline order): their cancels go to cs (NULL: an earlier step's). */
static void fire_due(struct mstate *s, srm_ms t, struct cset *cs)
{
	for (;;) {
		int best = -1;

		for (int i = 0; i < s->n_tmr; i++)
			if (s->tmr[i].at <= t && (best < 0 || s->tmr[i].at < s->tmr[best].at))
				best = i;
		if (best < 0)
			return;
		struct m_tmr x = s->tmr[best];

		s->tmr[best] = s->tmr[--s->n_tmr];
		if (x.at > s->E)
			s->E = x.at;
		if (cs == NULL)
			continue;
		if (x.rule == 1)
			(void)judge001(s, x.ai, -1, 0, false, cs);
		else
			(void)judge002(s, x.ai, s->sym[x.ci], x.ci, 0, cs);
	}
}

/* The engine's clock goes to t (never back): timers, the reset, lockout expiries. */
static void advance_one(struct mstate *s, srm_ms t, struct cset *cs)
{
	fire_due(s, t, cs);
	if (t > s->E)
		s->E = t;
	if (t >= s->R) {
		s->L = cal_last(s->c, t);
		s->R = cal_next(s->c, s->L);
		for (int a = 0; a < M_MAX_ACCTS; a++) {
			s->r003[a] = false;
			if (s->r006[a] == UNTIL_RESET)
				s->r006[a] = UNTIL_NONE;
		}
	}
	for (int a = 0; a < M_MAX_ACCTS; a++)
		if (s->r006[a] == UNTIL_TIME && s->r006_until[a] <= t)
			s->r006[a] = UNTIL_NONE;
}

/*
 * Before an item: the clock to its time; a fill stamped at or after the next reset and at
 * most M_SKEW_MS after the item's time takes the clock on to its stamp (the early reset).
 */
static void advance_to(struct mstate *s, const struct hitem *it, struct cset *cs)
{
	advance_one(s, it->now, cs);
	if (!(s->v & MV_EARLY) && it->kind == H_EVENT && it->ev.kind == EV_TRADE &&
	    it->ev.u.trade.created >= s->R && it->ev.u.trade.created - it->now <= M_SKEW_MS)
		advance_one(s, it->ev.u.trade.created, cs);
}

static void apply_item(struct mstate *s, const struct hist *h, size_t j, size_t k, struct cset *cs)
{
	const struct hitem *it = &h->v[j];

	s->last_stale = false;
	s->guess = SG_SAME;
	if (it->kind == H_START) {
		init_state(s, s->c, s->v, it->now);
		return;
	}
	if (it->kind == H_RESTART) {
		/* the old engine's timers fire into the void; the new one starts at now, with no
		 * timers and nothing on the wire */
		advance_to(s, it, NULL);
		s->E = it->now;
		s->n_infl = 0;
		s->n_tmr = 0;
		memset(s->cl, 0, sizeof(s->cl));
		if (s->v & MV_RSEEN)
			for (int i = 0; i < s->n_ord; i++) {
				s->ord[i].grow = s->ord[i].seen_j;
				s->ord[i].modgrow = false;
			}
		if (s->v & MV_EARLY)
			early_restart(s);
		return;
	}
	advance_to(s, it, j == k ? cs : NULL);
	/* a timer's closes (decided before the event) */
	for (uint32_t r = 0; r < it->nreq; r++)
		if (h->req[it->req0 + r].ts < it->now)
			expect_close(s, &h->req[it->req0 + r]);
	if (it->ai >= 0) {
		switch (it->ev.kind) {
		case EV_POSITION:
			if (it->ci < 0)
				break;
			if (apply_position(s, it, (int)j))
				arm_settle(s, it);
			else
				s->last_stale = true;
			break;
		case EV_ORDER:
			if (it->ci >= 0)
				apply_order(s, it, (int)j);
			break;
		case EV_TRADE:
			apply_trade(s, it);
			break;
		case EV_RECHECK:
			check003(s, it->ai);
			break;
		case EV_ACTION_RESULT:
			if (it->ev.u.result.kind == ACT_CANCEL_ORDER)
				for (int i = 0; i < s->n_infl; i++)
					if (s->infl[i].order_id == it->ev.u.result.order_id)
						s->infl[i--] = s->infl[--s->n_infl];
			break;
		default:
			break;
		}
	}
	for (uint32_t r = 0; r < it->nreq; r++)
		if (h->req[it->req0 + r].ts >= it->now)
			expect_close(s, &h->req[it->req0 + r]);
	if (j >= k)
		return;
	for (uint32_t r = 0; r < it->nreq; r++) {
		const struct hreq *q = &h->req[it->req0 + r];

		if (q->kind != ACT_CANCEL_ORDER || s->n_infl >= M_MAX_ORDERS)
			continue;
		s->infl[s->n_infl].order_id = q->order_id;
		s->infl[s->n_infl].at = q->ts < s->E ? q->ts : s->E;
		s->n_infl++;
	}
}

static bool in_flight(const struct mstate *s, int64_t id, srm_ms now)
{
	for (int i = 0; i < s->n_infl; i++)
		if (s->infl[i].order_id == id && now - s->infl[i].at <= M_REQ_STALE_MS)
			return true;
	return false;
}

void model_eval(const struct mcfg *c, const struct hist *h, size_t k, unsigned variants,
		struct mout *out)
{
	static struct mstate s; /* large; the test is single-threaded */
	const struct hitem *it = &h->v[k];
	bool judging;

	init_state(&s, c, variants, h->v[0].now);
	symbols_init(&s, c);
	memset(out->a, 0, sizeof(out->a));
	out->n_pos = out->n_ord = out->n_cancel = out->n_fill = 0;
	out->judged = false;
	out->judged_ai = -1;
	for (size_t j = 0; j < k; j++)
		apply_item(&s, h, j, k, NULL);
	judging = it->kind == H_EVENT && it->ai >= 0 &&
		  (it->ev.kind == EV_ORDER || it->ev.kind == EV_POSITION || it->ev.kind == EV_RECHECK ||
		   ((variants & MV_RESJ) && it->ev.kind == EV_ACTION_RESULT &&
		    (it->ev.u.result.kind == ACT_CLOSE_CONTRACT || it->ev.u.result.kind == ACT_PARTIAL_CLOSE) &&
		    it->ev.u.result.outcome != OUTCOME_FAILED));
	for (int a = 0; a < c->n_accts; a++)
		over_flags(&s, a, &out->a[a].over001_before, &out->a[a].over002_before);
	static struct cset cs;

	cs.n = 0;
	apply_item(&s, h, k, k, &cs);
	judging = judging && !s.last_stale;

	out->last_reset = s.L;
	out->next_reset = s.R;
	out->guess = s.guess;
	for (int a = 0; a < c->n_accts; a++) {
		struct macct_out *o = &out->a[a];

		day_totals(&s, a, &o->realized, &o->fees, &o->session);
		o->r003 = s.r003[a];
		o->r006 = s.r006[a];
		o->r006_until = s.r006[a] == UNTIL_TIME ? s.r006_until[a] : 0;
		over_flags(&s, a, &o->over001_after, &o->over002_after);
		for (int ci = 0; ci < c->n_contracts; ci++) {
			const struct m_pos *p = &s.pos[a][ci];

			if (!p->open)
				continue;
			out->pos[out->n_pos++] = (struct mpos_out){
				.ai = a, .ci = ci, .id = p->id, .qty = p->qty, .opened = p->opened,
				.grow = p->grow,
			};
		}
	}
	for (int i = 0; i < s.n_fill; i++)
		if (s.fill[i].id != 0)
			out->fill[out->n_fill++] = (struct mfill_out){.id = s.fill[i].id, .srm = s.fill[i].srm};
	for (int i = 0; i < s.n_ord && out->n_ord < M_MAX_ORDERS; i++) {
		const struct m_ord *o = &s.ord[i];

		if (!o->present)
			continue;
		out->ord[out->n_ord++] = (struct mord_out){
			.ai = o->ai, .ci = o->ci, .id = o->id, .status = o->status,
			.remaining = remaining(o),
			.exposure = is_exposure(&s, o->status) && !reducing(&s, o),
			.modgrow = o->modgrow,
		};
	}
	if (!judging && cs.n == 0)
		return;
	if (judging)
		judge(&s, it, &cs);
	out->judged = true;
	out->judged_ai = it->ai;
	for (size_t i = 0; i < cs.n; i++)
		if (!in_flight(&s, cs.id[i], s.E))
			out->cancel[out->n_cancel++] = cs.id[i];
}
