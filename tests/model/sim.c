/*
 * sim.c: the seeded day generator. A gateway keeps the truth (orders, positions with their
 * ids and average prices, fills with their P&L) and reports it as hub events, late by a few
 * milliseconds, stamped by a clock up to 300 ms ahead, sometimes mildly out of order or
 * resent; a random trader acts on it; the gateway answers the engine's cancels and closes.
 * Deterministic from the seed (splitmix64, no rand()).
 */
#include "sim.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"

#define SEC 1000
#define MIN_MS (60 * SEC)
#define MAX_GORD 512
#define MAX_GFILL 512
#define MAX_Q 256
#define MAX_TASK 128
#define MAX_POSID 512
#define ORD_BASE 100000
#define POS_BASE 500000
#define FILL_BASE 900000
#define FREEZE_MS 11000

/* The contracts a day picks from: symbol, id root, tick size, tick value, fee, start price. */
static const struct ctab {
	const char *sym, *root;
	double tick, value, fee, mid;
} ctab[] = {
	{"MNQ", "MNQ", 0.25, 0.5, 0.52, 21000},
	{"NQ", "ENQ", 0.25, 5, 2.10, 21000},
	{"MES", "MES", 0.25, 1.25, 0.52, 6000},
	{"ES", "EP", 0.25, 12.5, 2.10, 6000},
	{"CL", "CLE", 0.01, 10, 2.20, 70},
	{"RTY", "RTY", 0.1, 5, 2.10, 2300},
	{"GC", "GCE", 0.1, 10, 2.30, 2400},
};
#define N_CTAB ((int)(sizeof(ctab) / sizeof(ctab[0])))

struct g_ord {
	int64_t id;
	int ai, ci;
	int type, side, size, fv, status;
	double px;
	bool live;              /* working at the gateway (open or suspended) */
	bool filling;           /* its fill has started */
	int chunks[3], n_chunks, next_chunk;
	int64_t entry;          /* a leg: its entry */
	int64_t legs[2];        /* an entry: its legs */
	bool srm;
	srm_ms last_deliv;
	uint32_t ver;
};

struct g_pos {
	int64_t id;
	int qty;
	double avg;
};

struct g_fill {
	int64_t id, order_id, pos_id;
	int ai, ci, side, size;
	srm_ms created;
	double price, pnl, fees;
	bool voided, srm;
};

enum vkind { VK_NONE = 0, VK_ORDER, VK_POSID, VK_POSCON };

struct qent {
	srm_ms at;
	uint64_t seq;
	struct srm_event ev;
	bool srm;
	int vk;
	int64_t vkey;
	uint32_t ver;
	bool resend;            /* a copy: delivered only if still the latest word on its object */
};

enum tkind { TK_TRADER, TK_TICK, TK_CHUNK, TK_REQ, TK_VOID, TK_CANCEL_DONE, TK_OPEN, TK_RESTART };

struct task {
	srm_ms at;
	int kind;
	int64_t key;
	struct srm_action act;  /* TK_REQ, TK_CANCEL_DONE (when SRM asked) */
	bool has_act;
};

struct sim {
	uint64_t rng;
	unsigned skip;
	const struct tz *zone;
	struct mcfg *mc;
	int ct[M_MAX_CONTRACTS];        /* index into ctab */
	double mid[M_MAX_CONTRACTS];
	srm_ms t0, end, now, off;
	bool started;
	char desc[128];
	int restarts_left;

	struct g_pos pos[M_MAX_ACCTS][M_MAX_CONTRACTS];
	int64_t next_pos_id;
	uint32_t posid_ver[MAX_POSID];
	uint32_t poscon_ver[M_MAX_ACCTS][M_MAX_CONTRACTS];
	srm_ms poscon_last[M_MAX_ACCTS][M_MAX_CONTRACTS];
	srm_ms frozen_until[M_MAX_ACCTS];
	bool halt_known, halt_last;
	srm_ms halt_minute;
	/* the big tables last: sim_new clears only what comes before them */
	int n_ord;
	struct g_ord ord[MAX_GORD];
	int n_fill;
	struct g_fill fill[MAX_GFILL];
	size_t n_q;
	struct qent q[MAX_Q];
	uint64_t seq;
	size_t n_task;
	struct task task[MAX_TASK];
};

/* ---- randomness ---- */

static uint64_t rnd(struct sim *s)
{
	uint64_t z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int rint_in(struct sim *s, int lo, int hi)
{
	return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static bool chance(struct sim *s, double p)
{
	return (double)(rnd(s) >> 11) * 0x1p-53 < p;
}

static int pick_size(struct sim *s)
{
	if (chance(s, 0.7))
		return rint_in(s, 1, 3);
	if (chance(s, 0.8))
		return rint_in(s, 4, 8);
	return rint_in(s, 9, 20);
}

/* ---- time ---- */

/* Is the exchange closed at this local time (daily 16:00-17:00, Friday 16:00 to Sunday 17:00)? */
static bool halted_at(const struct tz_local *p)
{
	if (p->wday == 6)
		return true;
	if (p->wday == 0)
		return p->min_of_day < 17 * 60;
	if (p->wday == 5)
		return p->min_of_day >= 16 * 60;
	return p->min_of_day >= 16 * 60 && p->min_of_day < 17 * 60;
}

/* Is the exchange closed at gateway time t? */
static bool halted(struct sim *s, srm_ms t)
{
	struct tz_local lt;
	srm_ms minute = t / MIN_MS;

	/* the answer changes only on whole minutes: remember the last one */
	if (s->halt_minute == minute && s->halt_known)
		return s->halt_last;
	s->halt_minute = minute;
	s->halt_known = true;
	tz_localtime(s->zone, minute * MIN_MS, &lt);
	s->halt_last = halted_at(&lt);
	return s->halt_last;
}

static srm_ms local_ms(const struct sim *s, int32_t day, int min_of_day, int sec)
{
	return tz_local_to_utc(s->zone, (int64_t)day * 86400 + min_of_day * 60 + sec);
}

static bool frozen(const struct sim *s, int ai, srm_ms t)
{
	return t < s->frozen_until[ai];
}

/* ---- the delivery queue ---- */

static void q_push_x(struct sim *s, srm_ms at, const struct srm_event *ev, bool srm, int vk,
		     int64_t vkey, uint32_t ver, bool resend)
{
	size_t i;

	if (s->n_q >= MAX_Q)
		return;
	i = s->n_q;
	while (i > 0 && s->q[i - 1].at > at)
		i--;
	memmove(&s->q[i + 1], &s->q[i], (s->n_q - i) * sizeof(s->q[0]));
	s->q[i] = (struct qent){.at = at, .seq = ++s->seq, .ev = *ev, .srm = srm, .vk = vk,
				.vkey = vkey, .ver = ver, .resend = resend};
	s->n_q++;
}

static void q_push(struct sim *s, srm_ms at, const struct srm_event *ev, bool srm, int vk,
		   int64_t vkey, uint32_t ver)
{
	q_push_x(s, at, ev, srm, vk, vkey, ver, false);
}

static struct task *task_add(struct sim *s, srm_ms at, int kind, int64_t key)
{
	if (s->n_task >= MAX_TASK)
		return NULL;
	struct task *t = &s->task[s->n_task++];

	memset(t, 0, sizeof(*t));
	t->at = at;
	t->kind = kind;
	t->key = key;
	return t;
}

/* A burst: events the gateway sends for one happening, delivered in order a few ms later. */
struct bent {
	struct srm_event ev;
	bool srm;
	int vk;
	int64_t vkey;
	uint32_t ver;
	bool droppable;         /* a size-0 that may be lost */
};

struct burst {
	int n;
	struct bent e[16];
	int flip_a, flip_b;         /* old id's size-0 and new id's event of a flip (-1: none) */
};

static void b_add(struct burst *b, const struct srm_event *ev, bool srm, int vk, int64_t vkey,
		  uint32_t ver)
{
	if (b->n >= 16)
		return;
	b->e[b->n].ev = *ev;
	b->e[b->n].srm = srm;
	b->e[b->n].vk = vk;
	b->e[b->n].vkey = vkey;
	b->e[b->n].ver = ver;
	b->e[b->n].droppable = false;
	b->n++;
}

static struct g_ord *find_ord(struct sim *s, int64_t id)
{
	for (int i = 0; i < s->n_ord; i++)
		if (s->ord[i].id == id)
			return &s->ord[i];
	return NULL;
}

static void maybe_resend(struct sim *s, srm_ms at, const struct srm_event *ev, bool srm, int vk,
			 int64_t vkey, uint32_t ver)
{
	if (chance(s, 0.03))
		q_push_x(s, at + rint_in(s, 50, 1500), ev, srm, vk, vkey, ver, true);
}

static void b_send(struct sim *s, struct burst *b, srm_ms t)
{
	srm_ms base = t + rint_in(s, 3, 60);

	if (b->flip_a >= 0 && b->flip_b >= 0 && !(s->skip & SK_STALE0) && chance(s, 0.3)) {
		/* the new position's event overtakes the old one's close: the close is stale */
		struct bent x = b->e[b->flip_a];

		b->e[b->flip_a] = b->e[b->flip_b];
		b->e[b->flip_b] = x;
	}
	if (b->n >= 2 && chance(s, 0.08)) {
		int i = rint_in(s, 0, b->n - 2);
		bool same = b->e[i].vk == b->e[i + 1].vk && b->e[i].vkey == b->e[i + 1].vkey &&
			    b->e[i].vk != VK_NONE;

		if (!same && b->e[i].vk != VK_POSCON && b->e[i + 1].vk != VK_POSCON &&
		    !(b->e[i].ev.kind == EV_POSITION && b->e[i + 1].ev.kind == EV_POSITION)) {
			struct bent x = b->e[i];

			b->e[i] = b->e[i + 1];
			b->e[i + 1] = x;
		}
	}
	for (int i = 0; i < b->n; i++) {
		srm_ms at = base + i;
		srm_ms *last = NULL;

		/* an object's events keep their order across bursts (a burst may shuffle within) */
		if (b->e[i].ev.kind == EV_ORDER) {
			struct g_ord *o = find_ord(s, b->e[i].ev.u.order.id);

			last = o != NULL ? &o->last_deliv : NULL;
		} else if (b->e[i].ev.kind == EV_POSITION) {
			for (int ai = 0; ai < s->mc->n_accts; ai++)
				for (int ci = 0; ci < s->mc->n_contracts; ci++)
					if (s->mc->accts[ai] == b->e[i].ev.u.position.account_id &&
					    strcmp(s->mc->contract_id[ci], b->e[i].ev.u.position.contract_id) == 0)
						last = &s->poscon_last[ai][ci];
		}
		if (last != NULL && at <= *last)
			at = *last + 1;
		if (at < base + i)
			at = base + i;
		if (last != NULL)
			*last = at;
		base = at - i;

		if (b->e[i].droppable && !(s->skip & SK_NEWID) && chance(s, 0.01))
			continue; /* lost: the contract's next position comes with a new id */
		q_push(s, at, &b->e[i].ev, b->e[i].srm, b->e[i].vk, b->e[i].vkey, b->e[i].ver);
		maybe_resend(s, at, &b->e[i].ev, b->e[i].srm, b->e[i].vk, b->e[i].vkey, b->e[i].ver);
	}
	b->n = 0;
}

/* The latest delivery time queued for an account's events. */
static srm_ms acct_last_deliv(const struct sim *s, int ai)
{
	srm_ms m = 0;

	for (size_t i = 0; i < s->n_q; i++) {
		const struct srm_event *ev = &s->q[i].ev;
		int64_t a = ev->kind == EV_ORDER ? ev->u.order.account_id :
			    ev->kind == EV_POSITION ? ev->u.position.account_id :
			    ev->kind == EV_TRADE ? ev->u.trade.account_id : 0;

		if (a == s->mc->accts[ai] && s->q[i].at > m)
			m = s->q[i].at;
	}
	return m;
}

/* ---- events ---- */

static void order_event(struct sim *s, struct g_ord *o, struct srm_event *ev, srm_ms t)
{
	struct px_order *po = &ev->u.order;

	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_ORDER;
	po->id = o->id;
	po->account_id = s->mc->accts[o->ai];
	strlcpy_s(po->contract_id, s->mc->contract_id[o->ci], sizeof(po->contract_id));
	po->created = t + s->off;
	po->updated = t + s->off;
	po->status = o->status;
	po->type = o->type;
	po->side = o->side;
	po->size = o->size;
	po->fill_volume = o->fv;
	po->limit_price = o->type == PX_OT_LIMIT ? o->px : PX_NULL;
	po->stop_price = o->type == PX_OT_STOP ? o->px : PX_NULL;
	po->filled_price = PX_NULL;
	o->ver++;
}

static void b_order(struct sim *s, struct burst *b, struct g_ord *o, srm_ms t)
{
	struct srm_event ev;

	order_event(s, o, &ev, t);
	b_add(b, &ev, false, VK_ORDER, o->id, o->ver);
}

static void b_position(struct sim *s, struct burst *b, int ai, int ci, int64_t id, int qty, double avg,
		       srm_ms t)
{
	struct srm_event ev = {.kind = EV_POSITION};
	struct px_position *pp = &ev.u.position;
	size_t slot = (size_t)(id - POS_BASE);

	pp->id = id;
	pp->account_id = s->mc->accts[ai];
	strlcpy_s(pp->contract_id, s->mc->contract_id[ci], sizeof(pp->contract_id));
	pp->created = t + s->off;
	pp->type = qty > 0 ? PX_PT_LONG : qty < 0 ? PX_PT_SHORT : PX_PT_UNDEFINED;
	pp->size = abs(qty);
	pp->average_price = avg;
	s->poscon_ver[ai][ci]++;
	if (slot < MAX_POSID)
		s->posid_ver[slot]++;
	if (s->skip & (SK_STALE0 | SK_NEWID))
		b_add(b, &ev, false, VK_POSCON, ai * M_MAX_CONTRACTS + ci, s->poscon_ver[ai][ci]);
	else
		b_add(b, &ev, false, VK_POSID, id, slot < MAX_POSID ? s->posid_ver[slot] : 0);
	if (qty == 0)
		b->e[b->n - 1].droppable = true;
}

static void b_trade(struct sim *s, struct burst *b, const struct g_fill *f)
{
	struct srm_event ev = {.kind = EV_TRADE};
	struct px_trade *pt = &ev.u.trade;

	pt->id = f->id;
	pt->account_id = s->mc->accts[f->ai];
	strlcpy_s(pt->contract_id, s->mc->contract_id[f->ci], sizeof(pt->contract_id));
	pt->created = f->created;
	pt->price = f->price;
	pt->profit_and_loss = f->pnl;
	pt->fees = f->fees;
	pt->side = f->side;
	pt->size = f->size;
	pt->voided = f->voided;
	pt->order_id = f->order_id;
	b_add(b, &ev, f->srm, VK_NONE, 0, 0);
}

static void push_result(struct sim *s, const struct srm_action *a, int outcome, srm_ms at)
{
	struct srm_event ev = {.kind = EV_ACTION_RESULT};

	ev.u.result.account_id = a->account_id;
	ev.u.result.kind = a->kind;
	strlcpy_s(ev.u.result.contract_id, a->contract_id, sizeof(ev.u.result.contract_id));
	ev.u.result.order_id = a->order_id;
	ev.u.result.size = a->kind == ACT_PARTIAL_CLOSE ? a->size : 0;
	ev.u.result.outcome = outcome;
	q_push(s, at, &ev, false, VK_NONE, 0, 0);
}

static double round_tick(double px, double tick)
{
	return round(px / tick) * tick;
}

/* ---- the gateway ---- */

static struct g_ord *new_order(struct sim *s, int ai, int ci, int type, int side, int size, double px)
{
	if (s->n_ord >= MAX_GORD)
		return NULL;
	struct g_ord *o = &s->ord[s->n_ord];

	memset(o, 0, sizeof(*o));
	o->id = ORD_BASE + s->n_ord;
	s->n_ord++;
	o->ai = ai;
	o->ci = ci;
	o->type = type;
	o->side = side;
	o->size = size;
	o->px = px;
	o->status = PX_OS_OPEN;
	o->live = true;
	return o;
}

/* Cancel an order at the gateway (its event in the burst) and, for an entry, its legs. */
static void cancel_order(struct sim *s, struct burst *b, struct g_ord *o, srm_ms t)
{
	if (!o->live)
		return;
	o->live = false;
	o->status = PX_OS_CANCELLED;
	b_order(s, b, o, t);
	for (int k = 0; k < 2; k++) {
		struct g_ord *l = o->legs[k] ? find_ord(s, o->legs[k]) : NULL;

		if (l != NULL && l->live && l->status == PX_OS_SUSPENDED)
			cancel_order(s, b, l, t);
	}
}

/* The position went flat or turned: the brackets on it are cancelled (except `keep`). */
static void cancel_legs(struct sim *s, struct burst *b, int ai, int ci, int64_t keep, srm_ms t)
{
	for (int i = 0; i < s->n_ord; i++) {
		struct g_ord *o = &s->ord[i];

		if (o->live && o->entry != 0 && o->ai == ai && o->ci == ci && o->id != keep &&
		    o->status != PX_OS_SUSPENDED)
			cancel_order(s, b, o, t);
	}
}

static struct g_fill *new_fill(struct sim *s, struct g_ord *o, int n, double px, double pnl, srm_ms t)
{
	if (s->n_fill >= MAX_GFILL)
		return NULL;
	struct g_fill *f = &s->fill[s->n_fill];

	memset(f, 0, sizeof(*f));
	f->id = FILL_BASE + s->n_fill;
	s->n_fill++;
	f->order_id = o->id;
	f->ai = o->ai;
	f->ci = o->ci;
	f->side = o->side;
	f->size = n;
	f->created = t + s->off;
	if ((s->skip & SK_EARLY) && !(s->skip & SK_AHEAD)) {
		/* no fill stamped at or after a reset that it arrives before */
		for (size_t i = 0; i < s->mc->n_resets; i++) {
			srm_ms r = s->mc->resets[i];

			if (f->created >= r && t < r + 100)
				f->created = r - 1;
		}
	}
	f->price = px;
	f->pnl = pnl;
	f->fees = round(ctab[s->ct[o->ci]].fee * n * 100) / 100;
	f->srm = o->srm;
	return f;
}

/* n contracts of order o fill at px now: trades, position events, the order's event, its brackets. */
static void exec_fill(struct sim *s, struct g_ord *o, int n, double px, srm_ms t)
{
	const struct ctab *c = &ctab[s->ct[o->ci]];
	struct g_pos *p = &s->pos[o->ai][o->ci];
	struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};
	int sign = o->side == PX_BID ? 1 : -1, q0 = p->qty, q1 = q0 + sign * n;
	int closing = q0 != 0 && (q0 > 0) != (sign > 0) ? (n < abs(q0) ? n : abs(q0)) : 0;
	int opening = n - closing;
	bool voidable = false;
	int64_t old_id = p->id;

	if (closing > 0) {
		double pnl = round((px - p->avg) * (q0 > 0 ? 1 : -1) * closing / c->tick * c->value * 100) / 100;
		struct g_fill *f = new_fill(s, o, closing, px, pnl, t);

		if (f != NULL) {
			f->pos_id = old_id;
			b_trade(s, &b, f);
			voidable = q1 != 0 && (q1 > 0) == (q0 > 0) && !o->srm;
		}
	}
	if (opening > 0) {
		struct g_fill *f = new_fill(s, o, opening, px, PX_NULL, t);

		if (f != NULL) {
			f->pos_id = q0 != 0 && closing == 0 ? old_id : s->next_pos_id;
			b_trade(s, &b, f);
			voidable = q0 != 0 && closing == 0 && !o->srm;
		}
	}
	/* the position */
	if (q1 == 0) {
		b_position(s, &b, o->ai, o->ci, old_id, 0, 0, t);
		p->id = 0;
		p->qty = 0;
	} else if (q0 == 0 || (q0 > 0) != (q1 > 0)) {
		if (q0 != 0) {
			b_position(s, &b, o->ai, o->ci, old_id, 0, 0, t);
			b.flip_a = b.n - 1;
			b.e[b.n - 1].droppable = false;
		}
		p->id = s->next_pos_id++;
		p->qty = q1;
		p->avg = px;
		b_position(s, &b, o->ai, o->ci, p->id, q1, px, t);
		if (q0 != 0)
			b.flip_b = b.n - 1;
	} else {
		if (abs(q1) > abs(q0))
			p->avg = (p->avg * abs(q0) + px * n) / abs(q1);
		p->qty = q1;
		b_position(s, &b, o->ai, o->ci, p->id, q1, p->avg, t);
	}
	/* the order */
	o->fv += n;
	if (o->fv >= o->size) {
		o->fv = o->size;
		o->status = PX_OS_FILLED;
		o->live = false;
	}
	b_order(s, &b, o, t);
	/* brackets: an entry filled activates its legs; a leg filled cancels the other (OCO) */
	if (o->status == PX_OS_FILLED) {
		for (int k = 0; k < 2; k++) {
			struct g_ord *l = o->legs[k] ? find_ord(s, o->legs[k]) : NULL;

			if (l != NULL && l->live && l->status == PX_OS_SUSPENDED) {
				l->status = PX_OS_OPEN;
				b_order(s, &b, l, t);
			}
		}
		if (o->entry != 0) {
			struct g_ord *e = find_ord(s, o->entry);

			for (int k = 0; e != NULL && k < 2; k++) {
				struct g_ord *l = e->legs[k] ? find_ord(s, e->legs[k]) : NULL;

				if (l != NULL && l != o && l->live)
					cancel_order(s, &b, l, t);
			}
		}
	}
	if (q1 == 0 || (q0 != 0 && (q0 > 0) != (q1 > 0)))
		cancel_legs(s, &b, o->ai, o->ci, o->id, t);
	b_send(s, &b, t);
	if (voidable && s->n_fill > 0 && chance(s, 0.03))
		task_add(s, t + rint_in(s, 500, 5000), TK_VOID, s->fill[s->n_fill - 1].id);
}

/* Plan the fill of an order's remaining: one go, or 2-3 parts (a partial fill). */
static void start_fill(struct sim *s, struct g_ord *o, srm_ms t)
{
	int left = o->size - o->fv;

	if (left <= 0 || o->filling)
		return;
	o->filling = true;
	o->n_chunks = 0;
	o->next_chunk = 0;
	if (!(s->skip & SK_PARTIAL) && left >= 2 && chance(s, 0.35)) {
		int parts = left >= 3 && chance(s, 0.4) ? 3 : 2;

		for (int k = 0; k < parts - 1; k++) {
			int c = rint_in(s, 1, left - (parts - 1 - k));

			o->chunks[o->n_chunks++] = c;
			left -= c;
		}
	}
	o->chunks[o->n_chunks++] = left;
	task_add(s, t + rint_in(s, 1, 25), TK_CHUNK, o->id);
}

static double fill_price(const struct sim *s, const struct g_ord *o)
{
	double tick = ctab[s->ct[o->ci]].tick;

	if (o->type == PX_OT_LIMIT)
		return o->px;
	return round_tick(s->mid[o->ci] + (o->side == PX_BID ? tick : -tick) * 0.5, tick);
}

static void do_chunk(struct sim *s, struct g_ord *o, srm_ms t)
{
	if (!o->live || o->next_chunk >= o->n_chunks)
		return;
	if (!o->srm && (frozen(s, o->ai, t) || halted(s, t + s->off))) {
		srm_ms later = s->frozen_until[o->ai] > t ? s->frozen_until[o->ai] + 10 : t + 30 * SEC;

		task_add(s, later, TK_CHUNK, o->id);
		return;
	}
	int n = o->chunks[o->next_chunk++];

	if (n > o->size - o->fv)
		n = o->size - o->fv;
	if (n <= 0)
		return;
	exec_fill(s, o, n, fill_price(s, o), t);
	if (o->live && o->next_chunk < o->n_chunks)
		task_add(s, t + (chance(s, 0.4) ? rint_in(s, 2000, 30000) : rint_in(s, 80, 900)), TK_CHUNK, o->id);
	else if (o->live)
		o->filling = false; /* modified up meanwhile: the rest rests again */
}

/* Resting orders of a contract that the price reached start to fill. */
static void trigger(struct sim *s, int ci, srm_ms t)
{
	double m = s->mid[ci];

	if (halted(s, t + s->off))
		return;
	for (int i = 0; i < s->n_ord; i++) {
		struct g_ord *o = &s->ord[i];
		bool hit;

		if (!o->live || o->filling || o->ci != ci || o->status == PX_OS_SUSPENDED ||
		    o->status == PX_OS_PENDING_CANCEL || frozen(s, o->ai, t))
			continue;
		if (o->type == PX_OT_LIMIT)
			hit = o->side == PX_BID ? m <= o->px : m >= o->px;
		else if (o->type == PX_OT_STOP)
			hit = o->side == PX_BID ? m >= o->px : m <= o->px;
		else
			continue;
		if (hit)
			start_fill(s, o, t);
	}
}

static void send_quote(struct sim *s, int ci, srm_ms t)
{
	struct srm_event ev = {.kind = EV_QUOTE};
	double tick = ctab[s->ct[ci]].tick;

	strlcpy_s(ev.u.quote.contract_id, s->mc->contract_id[ci], sizeof(ev.u.quote.contract_id));
	ev.u.quote.best_bid = s->mid[ci] - tick;
	ev.u.quote.best_ask = s->mid[ci] + tick;
	ev.u.quote.last_price = s->mid[ci];
	ev.u.quote.timestamp = t + s->off;
	q_push(s, t + rint_in(s, 1, 20), &ev, false, VK_NONE, 0, 0);
}

static void tick(struct sim *s, int ci, srm_ms t)
{
	double tick = ctab[s->ct[ci]].tick;

	if (!halted(s, t + s->off)) {
		s->mid[ci] = round_tick(s->mid[ci] + tick * rint_in(s, -2, 2), tick);
		if (chance(s, 0.08))
			send_quote(s, ci, t);
		trigger(s, ci, t);
	}
	if (t < s->end)
		task_add(s, t + (halted(s, t + s->off) ? 60 * SEC : rint_in(s, 800, 3000)), TK_TICK, ci);
}

/* The session opens (17:00): prices have moved; resting orders the gap reached fill at once. */
static void session_open(struct sim *s, srm_ms t)
{
	for (int ci = 0; ci < s->mc->n_contracts; ci++) {
		double tick = ctab[s->ct[ci]].tick;

		s->mid[ci] = round_tick(s->mid[ci] + tick * rint_in(s, -6, 6), tick);
		send_quote(s, ci, t);
		trigger(s, ci, t);
	}
}

/* ---- the trader ---- */

static struct g_ord *random_live(struct sim *s, int ai, bool legs_ok)
{
	int cand[MAX_GORD], n = 0;

	for (int i = 0; i < s->n_ord; i++) {
		const struct g_ord *o = &s->ord[i];

		if (o->live && o->ai == ai && !o->srm && o->type != PX_OT_MARKET &&
		    o->status != PX_OS_PENDING_CANCEL && (legs_ok || o->entry == 0))
			cand[n++] = i;
	}
	return n > 0 ? &s->ord[cand[rint_in(s, 0, n - 1)]] : NULL;
}

static void place(struct sim *s, struct g_ord *o, srm_ms t)
{
	struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

	if (o == NULL)
		return;
	b_order(s, &b, o, t);
	b_send(s, &b, t);
	if (o->type == PX_OT_MARKET)
		start_fill(s, o, t);
}

static void trader(struct sim *s, srm_ms t)
{
	const struct mcfg *mc = s->mc;
	int ai = rint_in(s, 0, mc->n_accts - 1), ci = rint_in(s, 0, mc->n_contracts - 1);
	double tick = ctab[s->ct[ci]].tick, m = s->mid[ci];
	bool open = !halted(s, t + s->off) && !frozen(s, ai, t);
	int q = s->pos[ai][ci].qty, r = rint_in(s, 0, 99);
	struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

	if (t < s->end)
		task_add(s, t + (halted(s, t + s->off) ? rint_in(s, 60, 400) * SEC : rint_in(s, 1500, 11000)),
			 TK_TRADER, 0);
	int live = 0;

	for (int i = 0; i < s->n_ord; i++)
		live += s->ord[i].live && s->ord[i].ai == ai && !s->ord[i].srm && s->ord[i].entry == 0;
	if (live >= 6 && r >= 24 && r < 78)
		r = 80; /* a trader keeps a handful of orders working: cancel one instead */
	if (r < 24 && open) {
		int side = chance(s, 0.5) ? PX_BID : PX_ASK, size = pick_size(s);

		if (q != 0 && chance(s, 0.45)) {
			side = q > 0 ? PX_ASK : PX_BID;
			size = chance(s, 0.65) ? rint_in(s, 1, abs(q)) : abs(q) + rint_in(s, 1, 3);
		} else if (q != 0) {
			side = q > 0 ? PX_BID : PX_ASK;
		}
		place(s, new_order(s, ai, ci, PX_OT_MARKET, side, size, PX_NULL), t);
	} else if (r < 46) {
		int side = chance(s, 0.5) ? PX_BID : PX_ASK;

		if (q != 0 && chance(s, 0.4))
			side = q > 0 ? PX_ASK : PX_BID;
		double px = round_tick(m + (side == PX_BID ? -tick : tick) * rint_in(s, 1, 6), tick);

		place(s, new_order(s, ai, ci, PX_OT_LIMIT, side, pick_size(s), px), t);
	} else if (r < 54) {
		int side, size = pick_size(s);

		if (q != 0) {
			side = q > 0 ? PX_ASK : PX_BID;
			size = chance(s, 0.7) ? abs(q) : rint_in(s, 1, abs(q));
		} else {
			side = chance(s, 0.5) ? PX_BID : PX_ASK;
		}
		double px = round_tick(m + (side == PX_BID ? tick : -tick) * rint_in(s, 2, 12), tick);

		place(s, new_order(s, ai, ci, PX_OT_STOP, side, size, px), t);
	} else if (r < 62 && open && !(s->skip & SK_SUSP) && q == 0) {
		bool legs_there = false;

		for (int i = 0; i < s->n_ord; i++)
			if (s->ord[i].live && s->ord[i].entry != 0 && s->ord[i].ai == ai && s->ord[i].ci == ci)
				legs_there = true;
		if (legs_there)
			return;
		int side = chance(s, 0.5) ? PX_BID : PX_ASK, size = pick_size(s);
		bool market = chance(s, 0.5);
		double epx = market ? PX_NULL : round_tick(m + (side == PX_BID ? -tick : tick) * rint_in(s, 0, 3), tick);
		struct g_ord *e = new_order(s, ai, ci, market ? PX_OT_MARKET : PX_OT_LIMIT, side, size, epx);
		int opp = side == PX_BID ? PX_ASK : PX_BID, dir = side == PX_BID ? 1 : -1;
		struct g_ord *stop, *target;

		if (e == NULL)
			return;
		stop = new_order(s, ai, ci, PX_OT_STOP, opp, size, round_tick(m - dir * tick * rint_in(s, 6, 16), tick));
		target = new_order(s, ai, ci, PX_OT_LIMIT, opp, size, round_tick(m + dir * tick * rint_in(s, 6, 16), tick));
		if (stop == NULL || target == NULL)
			return;
		stop->status = target->status = PX_OS_SUSPENDED;
		stop->entry = target->entry = e->id;
		e->legs[0] = stop->id;
		e->legs[1] = target->id;
		b_order(s, &b, e, t);
		b_order(s, &b, stop, t);
		b_order(s, &b, target, t);
		b_send(s, &b, t);
		if (market)
			start_fill(s, e, t);
	} else if (r < 78) {
		struct g_ord *o = random_live(s, ai, false);

		if (o == NULL || o->legs[0] != 0)
			return;
		if (chance(s, 0.3)) {
			o->px = round_tick(o->px + tick * rint_in(s, -3, 3), tick);
		} else if (!(s->skip & SK_MODIFY) && chance(s, 0.5)) {
			o->size += rint_in(s, 1, 5);
		} else {
			int down = rint_in(s, 1, 3);

			o->size = o->size - down > o->fv ? o->size - down : o->fv + 1;
		}
		b_order(s, &b, o, t);
		b_send(s, &b, t);
	} else if (r < 92) {
		struct g_ord *o = random_live(s, ai, true);

		if (o == NULL)
			return;
		if (!(s->skip & SK_PCANCEL) && chance(s, 0.15)) {
			o->status = PX_OS_PENDING_CANCEL;
			b_order(s, &b, o, t);
			b_send(s, &b, t);
			task_add(s, t + rint_in(s, 40, 300), TK_CANCEL_DONE, o->id);
			return;
		}
		cancel_order(s, &b, o, t);
		b_send(s, &b, t);
	} else if (r < 97 && open && q != 0) {
		place(s, new_order(s, ai, ci, PX_OT_MARKET, q > 0 ? PX_ASK : PX_BID, abs(q), PX_NULL), t);
	}
}

/* ---- answers to the engine ---- */

static void answer(struct sim *s, const struct srm_action *a, srm_ms t)
{
	int ai = -1, ci = -1;
	srm_ms at;

	for (int i = 0; i < s->mc->n_accts; i++)
		if (s->mc->accts[i] == a->account_id)
			ai = i;
	for (int i = 0; i < s->mc->n_contracts; i++)
		if (strcmp(s->mc->contract_id[i], a->contract_id) == 0)
			ci = i;
	if (ai < 0)
		return;
	if (a->kind == ACT_CANCEL_ORDER) {
		struct g_ord *o = find_ord(s, a->order_id);
		struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

		if (o == NULL || !o->live) {
			at = t + rint_in(s, 3, 40);
			if (o != NULL && o->last_deliv >= at)
				at = o->last_deliv + 1;
			push_result(s, a, OUTCOME_GONE, at);
			return;
		}
		if (!(s->skip & SK_PCANCEL) && chance(s, 0.2) && o->status != PX_OS_PENDING_CANCEL) {
			o->status = PX_OS_PENDING_CANCEL;
			b_order(s, &b, o, t);
			b_send(s, &b, t);
			struct task *k = task_add(s, t + rint_in(s, 40, 250), TK_CANCEL_DONE, o->id);

			if (k != NULL) {
				k->act = *a;
				k->has_act = true;
			}
			return;
		}
		cancel_order(s, &b, o, t);
		b_send(s, &b, t);
		push_result(s, a, OUTCOME_OK, o->last_deliv + rint_in(s, 1, 5));
		return;
	}
	if (ci < 0 || (a->kind != ACT_CLOSE_CONTRACT && a->kind != ACT_PARTIAL_CLOSE))
		return;
	int q = s->pos[ai][ci].qty, n = abs(q);

	if (a->kind == ACT_PARTIAL_CLOSE && a->size < n)
		n = a->size;
	if (q == 0 || n <= 0) {
		at = acct_last_deliv(s, ai);
		push_result(s, a, OUTCOME_GONE, (at > t ? at : t) + rint_in(s, 1, 30));
		return;
	}
	struct g_ord *o = new_order(s, ai, ci, PX_OT_MARKET, q > 0 ? PX_ASK : PX_BID, n, PX_NULL);

	if (o == NULL)
		return;
	o->srm = true;
	if (chance(s, 0.5)) {
		struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

		b_order(s, &b, o, t);
		b_send(s, &b, t);
	}
	o->filling = true;
	o->chunks[0] = n;
	o->n_chunks = 1;
	exec_fill(s, o, n, fill_price(s, o), t);
	o->next_chunk = 1;
	at = acct_last_deliv(s, ai);
	push_result(s, a, OUTCOME_OK, (at > t ? at : t) + rint_in(s, 1, 5));
}

void sim_answer(struct sim *s, struct act_list l, srm_ms now)
{
	for (size_t i = 0; i < l.n; i++) {
		const struct srm_action *a = &l.v[i];
		struct task *k;

		if (a->dry_run || (a->kind != ACT_CANCEL_ORDER && a->kind != ACT_CLOSE_CONTRACT &&
				   a->kind != ACT_PARTIAL_CLOSE))
			continue;
		if (a->kind != ACT_CANCEL_ORDER)
			for (int ai = 0; ai < s->mc->n_accts; ai++)
				if (s->mc->accts[ai] == a->account_id)
					s->frozen_until[ai] = now + FREEZE_MS;
		k = task_add(s, now + rint_in(s, 10, 150), TK_REQ, 0);
		if (k != NULL) {
			k->act = *a;
			k->has_act = true;
		}
	}
}

/* ---- voids, cancels that were pending, restarts ---- */

static void do_void(struct sim *s, int64_t fill_id, srm_ms t)
{
	struct g_fill *f = NULL;
	struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

	for (int i = 0; i < s->n_fill; i++)
		if (s->fill[i].id == fill_id)
			f = &s->fill[i];
	if (f == NULL || f->voided)
		return;
	struct g_pos *p = &s->pos[f->ai][f->ci];
	int q1 = p->qty - (f->side == PX_BID ? f->size : -f->size);

	/* the fill is busted: its contracts go back, if the position is still the one it made */
	if (p->id != f->pos_id || q1 == 0 || (q1 > 0) != (p->qty > 0))
		return;
	f->voided = true;
	p->qty = q1;
	b_trade(s, &b, f);
	b_position(s, &b, f->ai, f->ci, p->id, q1, p->avg, t);
	b.e[b.n - 1].droppable = false;
	b_send(s, &b, t);
}

static void cancel_done(struct sim *s, struct task *k, srm_ms t)
{
	struct g_ord *o = find_ord(s, k->key);
	struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

	if (o == NULL)
		return;
	if (o->live) {
		cancel_order(s, &b, o, t);
		b_send(s, &b, t);
	}
	if (k->has_act)
		push_result(s, &k->act, OUTCOME_OK, (o->last_deliv > t ? o->last_deliv : t) + 1);
}

static bool quiet(const struct sim *s, srm_ms t)
{
	if (s->n_q > 0)
		return false;
	for (size_t i = 0; i < s->n_task; i++)
		if (s->task[i].kind == TK_REQ || s->task[i].kind == TK_CANCEL_DONE ||
		    (s->task[i].kind == TK_CHUNK && s->task[i].at < t + 2 * SEC))
			return false;
	for (int ai = 0; ai < s->mc->n_accts; ai++)
		if (s->frozen_until[ai] > t)
			return false;
	for (size_t i = 0; i < s->mc->n_resets; i++)
		if (llabs(s->mc->resets[i] - t) < 10 * SEC)
			return false;
	return true;
}

void sim_reconcile(struct sim *s, const struct engine *e, srm_ms now)
{
	srm_ms at = now + 1;
	const struct mcfg *mc = s->mc;

	for (int ai = 0; ai < mc->n_accts; ai++) {
		const struct acct *a = engine_acct(e, mc->accts[ai]);
		struct srm_event ev;
		struct burst b = {.n = 0, .flip_a = -1, .flip_b = -1};

		/* Position/searchOpen: what is open; what the engine has and the gateway not: closed */
		for (size_t i = 0; a != NULL && i < a->n_pos; i++) {
			bool there = false;

			for (int ci = 0; ci < mc->n_contracts; ci++)
				if (s->pos[ai][ci].qty != 0 && strcmp(mc->contract_id[ci], a->pos[i].contract_id) == 0)
					there = true;
			if (there)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.kind = EV_POSITION;
			ev.u.position.id = a->pos[i].id;
			ev.u.position.account_id = mc->accts[ai];
			strlcpy_s(ev.u.position.contract_id, a->pos[i].contract_id, SRM_ID_MAX);
			q_push(s, at++, &ev, false, VK_NONE, 0, 0);
		}
		for (int ci = 0; ci < mc->n_contracts; ci++) {
			const struct g_pos *p = &s->pos[ai][ci];

			if (p->qty == 0)
				continue;
			b_position(s, &b, ai, ci, p->id, p->qty, p->avg, now);
			q_push(s, at++, &b.e[0].ev, false, VK_NONE, 0, 0);
			b.n = 0;
		}
		/* Order/searchOpen */
		for (size_t i = 0; a != NULL && i < a->n_ord; i++) {
			const struct g_ord *o = find_ord(s, a->ord[i].id);

			if (o != NULL && o->live)
				continue;
			memset(&ev, 0, sizeof(ev));
			ev.kind = EV_ORDER;
			ev.u.order.id = a->ord[i].id;
			ev.u.order.account_id = mc->accts[ai];
			strlcpy_s(ev.u.order.contract_id, a->ord[i].contract_id, SRM_ID_MAX);
			ev.u.order.status = PX_OS_CANCELLED;
			ev.u.order.limit_price = ev.u.order.stop_price = ev.u.order.filled_price = PX_NULL;
			q_push(s, at++, &ev, false, VK_NONE, 0, 0);
		}
		for (int i = 0; i < s->n_ord; i++) {
			struct g_ord *o = &s->ord[i];

			if (!o->live || o->ai != ai)
				continue;
			order_event(s, o, &ev, now);
			q_push(s, at++, &ev, false, VK_NONE, 0, 0);
		}
		/* Trade/search since the last reset */
		for (int i = 0; i < s->n_fill; i++) {
			const struct g_fill *f = &s->fill[i];

			if (f->ai != ai || f->created < engine_last_reset(e))
				continue;
			b_trade(s, &b, f);
			q_push(s, at++, &b.e[0].ev, f->srm, VK_NONE, 0, 0);
			b.n = 0;
		}
		memset(&ev, 0, sizeof(ev));
		ev.kind = EV_RECHECK;
		ev.u.recheck.account_id = mc->accts[ai];
		q_push(s, at++, &ev, false, VK_NONE, 0, 0);
	}
}

/* ---- the day ---- */

/* One day's tables, kept for the next day (the test is single-threaded). */
static struct sim *spare;

static void pick_day(struct sim *s)
{
	static const int specials[][3] = {
		{2026, 3, 8}, {2026, 11, 1}, {2026, 11, 26}, {2026, 3, 6}, {2026, 10, 30},
		{2026, 3, 9}, {2026, 11, 2}, {2026, 3, 5},
	};
	int32_t first = days_from_civil(2026, 1, 4), day;
	bool crossing = chance(s, 0.38);
	int wd, start_min, span_s;

	if (crossing && chance(s, 0.4)) {
		const int *d = specials[rint_in(s, 0, (int)(sizeof(specials) / sizeof(specials[0])) - 1)];

		day = days_from_civil(d[0], d[1], d[2]);
	} else {
		do
			day = first + rint_in(s, 0, 720);
		while (weekday_from_days(day) == 6 || (!crossing && weekday_from_days(day) == 5));
	}
	wd = weekday_from_days(day);
	if (crossing) {
		if (wd == 0)
			start_min = 16 * 60 + rint_in(s, 55, 58);
		else
			start_min = 15 * 60 + rint_in(s, 57, 58);
		s->t0 = local_ms(s, day, start_min, rint_in(s, 0, 59));
		/* the draws in a fixed order: a call's arguments are evaluated in an unspecified
		 * order (gcc and clang differ), and a seed must give the same day in every build */
		int end_s = rint_in(s, 0, 59), end_min = 17 * 60 + rint_in(s, 1, 3);

		s->end = local_ms(s, day, end_min, end_s);
		snprintf(s->desc, sizeof(s->desc), "crossing the reset, local date %d (weekday %d)", (int)day, wd);
		return;
	}
	/* a normal stretch of a trading day: Sunday evening, or Mon-Thu */
	if (wd == 0)
		start_min = 17 * 60 + rint_in(s, 5, 6 * 60);
	else
		start_min = chance(s, 0.3) ? 17 * 60 + rint_in(s, 5, 6 * 60) : rint_in(s, 0, 15 * 60 + 40);
	span_s = rint_in(s, 60, 200);
	s->t0 = local_ms(s, day, start_min, rint_in(s, 0, 59));
	s->end = s->t0 + (srm_ms)span_s * SEC;
	snprintf(s->desc, sizeof(s->desc), "a stretch of a trading day, local date %d (weekday %d)", (int)day, wd);
}

static void pick_rules(struct sim *s, struct mcfg *mc)
{
	mc->r001_limit = rint_in(s, 3, 12);
	mc->r001_gross = chance(s, 0.3);
	mc->r001_close_all = chance(s, 0.4);
	mc->r002_default = rint_in(s, 2, 8);
	mc->r002_close_all = chance(s, 0.4);
	mc->r002_n = 0;
	for (int ci = 0; ci < mc->n_contracts && mc->r002_n < M_MAX_SYMLIM; ci++) {
		if (!chance(s, 0.5))
			continue;
		strlcpy_s(mc->r002_sym[mc->r002_n], mc->contract_sym[ci], SRM_SYMBOL_MAX);
		mc->r002_limit[mc->r002_n] = rint_in(s, 1, 8);
		mc->r002_n++;
	}
	mc->r003_loss = (money_t)rint_in(s, 100, 1500) * 100;
	mc->r003_fees = chance(s, 0.4);
	mc->r006_minute = chance(s, 0.9) ? rint_in(s, 4, 10) : 0;
	mc->r006_hour = chance(s, 0.8) ? rint_in(s, 15, 60) : 0;
	mc->r006_session = chance(s, 0.6) ? rint_in(s, 15, 60) : 0;
	mc->r006_cool_minute = (srm_ms)rint_in(s, 30, 120) * SEC;
	mc->r006_cool_hour = (srm_ms)rint_in(s, 10, 30) * MIN_MS;
	/* contract weights (MES: 0.1) on a quarter of the days: a symbol's contracts share one */
	static const long weights[] = { 100000, 250000, 500000, 2000000 };
	bool weighted = chance(s, 0.25);

	for (int ci = 0; ci < mc->n_contracts; ci++) {
		int same = -1;

		for (int k = 0; k < ci && same < 0; k++)
			if (strcmp(mc->contract_sym[k], mc->contract_sym[ci]) == 0)
				same = k;
		if (same >= 0)
			mc->w[ci] = mc->w[same];
		else
			mc->w[ci] = weighted && chance(s, 0.5) ? weights[rint_in(s, 0, 3)] : M_PPM;
	}
}

struct sim *sim_new(uint64_t seed, unsigned skip, const struct tz *zone, struct mcfg *mc)
{
	static const char months[] = "HMUZ";
	struct sim *s = spare != NULL ? spare : malloc(sizeof(*s));
	int used = 0;

	spare = NULL;
	if (s == NULL)
		return NULL;
	memset(s, 0, offsetof(struct sim, ord));
	s->n_ord = s->n_fill = 0;
	s->n_q = s->n_task = 0;
	s->seq = 0;
	s->rng = seed * 0x2545f4914f6cdd1dULL + 0x1234567;
	s->skip = skip;
	s->zone = zone;
	s->mc = mc;
	memset(mc, 0, sizeof(*mc));
	mc->zone = zone;
	mc->reset_min = 17 * 60;
	mc->n_holidays = 1;
	mc->holidays[0] = days_from_civil(2026, 11, 26);
	pick_day(s);
	s->off = (skip & SK_AHEAD) ? rint_in(s, -40, 0) : rint_in(s, -40, 300);
	model_calendar(mc, s->t0, s->end);

	mc->n_accts = rint_in(s, 1, M_MAX_ACCTS);
	for (int i = 0; i < mc->n_accts; i++)
		mc->accts[i] = 7001 + i;
	mc->n_contracts = rint_in(s, 2, 5);
	char month = months[rint_in(s, 0, 3)];
	int year = rint_in(s, 26, 27);

	for (int i = 0; i < mc->n_contracts; i++) {
		int k;

		do
			k = rint_in(s, 0, N_CTAB - 1);
		while (used & (1 << k));
		used |= 1 << k;
		s->ct[i] = k;
		s->mid[i] = ctab[k].mid;
		snprintf(mc->contract_id[i], SRM_ID_MAX, "CON.F.US.%s.%c%d", ctab[k].root, month, year);
		strlcpy_s(mc->contract_sym[i], ctab[k].sym, SRM_SYMBOL_MAX);
	}
	pick_rules(s, mc);
	s->next_pos_id = POS_BASE;
	s->restarts_left = (skip & SK_RESTART) ? 0 : chance(s, 0.06) ? rint_in(s, 1, 2) : 0;

	/* the contracts and the accounts first, then the day's life */
	for (int i = 0; i < mc->n_contracts; i++) {
		struct srm_event ev = {.kind = EV_CONTRACT};
		const struct ctab *c = &ctab[s->ct[i]];

		strlcpy_s(ev.u.contract.id, mc->contract_id[i], sizeof(ev.u.contract.id));
		snprintf(ev.u.contract.name, sizeof(ev.u.contract.name), "%s%c%d", c->sym, month, year % 10);
		snprintf(ev.u.contract.description, sizeof(ev.u.contract.description), "%s futures", c->sym);
		ev.u.contract.tick_size = c->tick;
		ev.u.contract.tick_value = c->value;
		ev.u.contract.active = true;
		snprintf(ev.u.contract.symbol_id, sizeof(ev.u.contract.symbol_id), "F.US.%s", c->root);
		q_push(s, s->t0, &ev, false, VK_NONE, 0, 0);
	}
	for (int i = 0; i < mc->n_accts; i++) {
		struct srm_event ev = {.kind = EV_ACCOUNT};

		ev.u.account.id = mc->accts[i];
		snprintf(ev.u.account.name, sizeof(ev.u.account.name), "50KTC-V2-%lld", (long long)mc->accts[i]);
		ev.u.account.balance = 50000;
		ev.u.account.can_trade = true;
		ev.u.account.is_visible = true;
		ev.u.account.simulated = true;
		q_push(s, s->t0, &ev, false, VK_NONE, 0, 0);
	}
	task_add(s, s->t0 + rint_in(s, 200, 3000), TK_TRADER, 0);
	for (int ci = 0; ci < mc->n_contracts; ci++)
		task_add(s, s->t0 + rint_in(s, 100, 2000), TK_TICK, ci);
	for (size_t i = 0; i < mc->n_resets; i++)
		if (mc->resets[i] > s->t0 && mc->resets[i] < s->end)
			task_add(s, mc->resets[i] - s->off + rint_in(s, 0, 40), TK_OPEN, 0);
	for (int i = 0; i < s->restarts_left; i++)
		task_add(s, s->t0 + (srm_ms)((double)(s->end - s->t0) * (0.2 + 0.6 * (double)(rnd(s) >> 11) * 0x1p-53)),
			 TK_RESTART, 0);
	return s;
}

void sim_free(struct sim *s)
{
	if (spare == NULL)
		spare = s; /* the next day reuses it */
	else
		free(s);
}

const char *sim_describe(const struct sim *s)
{
	return s->desc;
}

static bool still_latest(const struct sim *s, const struct qent *e)
{
	switch (e->vk) {
	case VK_ORDER: {
		for (int i = 0; i < s->n_ord; i++)
			if (s->ord[i].id == e->vkey)
				return s->ord[i].ver == e->ver;
		return false;
	}
	case VK_POSID: {
		size_t slot = (size_t)(e->vkey - POS_BASE);

		return slot < MAX_POSID && s->posid_ver[slot] == e->ver;
	}
	case VK_POSCON:
		return s->poscon_ver[e->vkey / M_MAX_CONTRACTS][e->vkey % M_MAX_CONTRACTS] == e->ver;
	default:
		return true;
	}
}

bool sim_next(struct sim *s, struct hitem *it)
{
	memset(it, 0, sizeof(*it));
	if (!s->started) {
		s->started = true;
		it->kind = H_START;
		it->now = s->t0;
		s->now = s->t0;
		return true;
	}
	for (;;) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < s->n_task; i++)
			if (best == SIZE_MAX || s->task[i].at < s->task[best].at)
				best = i;
		if (s->n_q > 0 && (best == SIZE_MAX || s->q[0].at <= s->task[best].at)) {
			struct qent e = s->q[0];

			memmove(&s->q[0], &s->q[1], (s->n_q - 1) * sizeof(s->q[0]));
			s->n_q--;
			/* a resend goes out only if it is still the latest word on its object */
			if (e.resend && !still_latest(s, &e))
				continue;
			it->kind = H_EVENT;
			it->now = e.at > s->now ? e.at : s->now;
			it->ev = e.ev;
			it->srm = e.srm;
			s->now = it->now;
			return true;
		}
		if (best == SIZE_MAX)
			return false;
		struct task k = s->task[best];

		s->task[best] = s->task[--s->n_task];
		if (k.at < s->now)
			k.at = s->now;
		s->now = k.at;
		switch (k.kind) {
		case TK_TRADER:
			if (k.at < s->end)
				trader(s, k.at);
			break;
		case TK_TICK:
			if (k.at < s->end)
				tick(s, (int)k.key, k.at);
			break;
		case TK_OPEN:
			session_open(s, k.at);
			break;
		case TK_CHUNK: {
			struct g_ord *o = find_ord(s, k.key);

			if (o != NULL && k.at < s->end + 60 * SEC)
				do_chunk(s, o, k.at);
			break;
		}
		case TK_REQ:
			answer(s, &k.act, k.at);
			break;
		case TK_VOID:
			do_void(s, k.key, k.at);
			break;
		case TK_CANCEL_DONE:
			cancel_done(s, &k, k.at);
			break;
		case TK_RESTART:
			if (quiet(s, k.at)) {
				it->kind = H_RESTART;
				it->now = k.at;
				return true;
			}
			if (k.at < s->end)
				task_add(s, k.at + 700, TK_RESTART, 0);
			break;
		default:
			break;
		}
	}
}
