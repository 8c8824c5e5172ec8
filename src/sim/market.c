/* market.c: srm-sim's world: contracts and quotes, accounts, the matching engine, positions and fills. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/sim.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"
#include "wire/wire.h"

/*
 * Contract ids as the real gateway writes them (API reference §4 "Sample rows"): id root,
 * month code and two-digit year; name: trader symbol, month code, one-digit year. The id roots
 * not in the reference's samples (CLE, MCLE, GCE, MGC, RTY, M2K, YM, MYM) are the ones seen in
 * TopstepX contract lists; docs/SIMULATOR.md lists them. Fees are per contract per side.
 */
static const struct cdef {
	const char *root, *sym, *desc;
	double tick, value, price, fee;
	int mirror;
} cdefs[] = {
	{ "EP", "ES", "E-Mini S&P 500", 0.25, 12.5, 6800.00, 1.40, -1 },
	{ "MES", "MES", "Micro E-mini S&P 500", 0.25, 1.25, 6800.00, 0.37, 0 },
	{ "ENQ", "NQ", "E-Mini NASDAQ-100", 0.25, 5.0, 25000.00, 1.40, -1 },
	{ "MNQ", "MNQ", "Micro E-mini Nasdaq-100", 0.25, 0.5, 25000.00, 0.37, 2 },
	{ "RTY", "RTY", "E-mini Russell 2000", 0.1, 5.0, 2450.0, 1.40, -1 },
	{ "M2K", "M2K", "Micro E-mini Russell 2000", 0.1, 0.5, 2450.0, 0.37, 4 },
	{ "YM", "YM", "E-mini Dow ($5)", 1.0, 5.0, 47000.0, 1.40, -1 },
	{ "MYM", "MYM", "Micro E-mini Dow Jones", 1.0, 0.5, 47000.0, 0.37, 6 },
	{ "CLE", "CL", "Crude Light", 0.01, 10.0, 62.00, 1.40, -1 },
	{ "MCLE", "MCL", "Micro WTI Crude Oil", 0.01, 1.0, 62.00, 0.37, 8 },
	{ "GCE", "GC", "Gold", 0.1, 10.0, 4000.0, 1.40, -1 },
	{ "MGC", "MGC", "Micro Gold", 0.1, 1.0, 4000.0, 0.37, 10 },
};
#define NCDEFS (int)(sizeof(cdefs) / sizeof(cdefs[0]))

/* A price on the tick grid, as the nearest double to its decimal form (prints cleanly). */
static double px_norm(double v, double tick)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.6f", round(v / tick) * tick);
	return strtod(buf, NULL);
}

/* Money rounded to cents, as the nearest double to its decimal form. */
static double money_norm(double v)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.2f", round(v * 100.0) / 100.0);
	return strtod(buf, NULL);
}

static bool on_grid(double v, double tick)
{
	double t = v / tick;

	return fabs(t - round(t)) < 1e-6;
}

static uint64_t rng_next(struct sim *s)
{
	uint64_t x = s->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->rng = x;
	return x;
}

/* Build the contract table and accounts (once). */
void market_init(struct sim *s)
{
	s->ncontracts = NCDEFS;
	s->contracts = xcalloc((size_t)NCDEFS, sizeof(*s->contracts));
	for (int i = 0; i < NCDEFS; i++) {
		struct sim_contract *c = &s->contracts[i];
		const struct cdef *d = &cdefs[i];

		snprintf(c->c.id, sizeof(c->c.id), "CON.F.US.%s.Z26", d->root);
		snprintf(c->c.name, sizeof(c->c.name), "%sZ6", d->sym);
		snprintf(c->c.description, sizeof(c->c.description), "%s: December 2026", d->desc);
		snprintf(c->c.symbol_id, sizeof(c->c.symbol_id), "F.US.%s", d->root);
		c->c.tick_size = d->tick;
		c->c.tick_value = d->value;
		c->c.active = true;
		c->symbol = d->sym;
		c->start_price = d->price;
		c->fee = d->fee;
		c->mirror = d->mirror;
	}
	market_reset(s);
}

/* Back to the start state: balances, quotes; orders, positions and trades cleared. */
void market_reset(struct sim *s)
{
	srm_ms now = sim_now_ms();

	s->naccounts = s->opt.accounts;
	for (int i = 0; i < s->naccounts; i++) {
		struct px_account *a = &s->accounts[i];

		memset(a, 0, sizeof(*a));
		a->id = 10001 + i;
		snprintf(a->name, sizeof(a->name), "PRAC-V2-SIM-%d", 10001 + i);
		a->balance = 50000.0;
		a->can_trade = true;
		s->firm[i] = (struct sim_firm){ .high = a->balance,
					       .floor = a->balance - s->opt.firm_mll };
		a->is_visible = true;
		a->simulated = true;
	}
	for (int i = 0; i < s->ncontracts; i++) {
		struct sim_contract *c = &s->contracts[i];
		double t = c->c.tick_size;

		c->bid = px_norm(c->start_price, t);
		c->ask = px_norm(c->start_price + t, t);
		c->last = c->bid;
		c->open = c->high = c->low = c->last;
		c->volume = 0;
		c->quote_ts = now;
	}
	s->norders = 0;
	s->live_lo = 0;
	s->ntrades = 0;
	memset(s->positions, 0, sizeof(s->positions));
	if (s->next_order_id == 0) {
		s->next_order_id = 70001;
		s->next_trade_id = 90001;
		s->next_position_id = 5001;
	}
	s->rng = s->opt.seed * 2654435761u + 88172645463325252ull;
}

/* Free the world's arrays. */
void market_free(struct sim *s)
{
	free(s->contracts);
	free(s->orders);
	free(s->trades);
	s->contracts = NULL;
	s->orders = NULL;
	s->trades = NULL;
}

/* Index of a contract by id, -1 if unknown. */
int market_find_contract(const struct sim *s, const char *id)
{
	for (int i = 0; i < s->ncontracts; i++)
		if (strcmp(s->contracts[i].c.id, id) == 0)
			return i;
	return -1;
}

/* An account by id, or NULL. */
struct px_account *market_find_account(struct sim *s, int64_t id)
{
	for (int i = 0; i < s->naccounts; i++)
		if (s->accounts[i].id == id)
			return &s->accounts[i];
	return NULL;
}

/* An order by id, or NULL (ids are increasing: binary search). */
struct sim_order *market_find_order(struct sim *s, int64_t id)
{
	size_t lo = 0, hi = s->norders;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->orders[mid].o.id == id)
			return &s->orders[mid];
		if (s->orders[mid].o.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The open position of an account in a contract, or NULL. */
struct sim_position *market_find_position(struct sim *s, int64_t account_id, int ci)
{
	for (int i = 0; i < SIM_MAX_POSITIONS; i++) {
		struct sim_position *p = &s->positions[i];

		if (p->used && p->p.account_id == account_id &&
		    strcmp(p->p.contract_id, s->contracts[ci].c.id) == 0)
			return p;
	}
	return NULL;
}

/* Fill px_quote for a contract. */
void market_quote(const struct sim *s, int ci, struct px_quote *q)
{
	const struct sim_contract *c = &s->contracts[ci];

	memset(q, 0, sizeof(*q));
	strlcpy_s(q->contract_id, c->c.id, sizeof(q->contract_id));
	strlcpy_s(q->symbol, c->c.symbol_id, sizeof(q->symbol));
	q->last_price = c->last;
	q->best_bid = c->bid;
	q->best_ask = c->ask;
	q->timestamp = c->quote_ts;
}

/* The GatewayQuote data object: wire's fields plus the session statistics (API reference §10.2). */
cJSON *market_quote_json(const struct sim *s, int ci)
{
	const struct sim_contract *c = &s->contracts[ci];
	struct px_quote q;
	cJSON *j;
	double chg = c->last - c->open;

	market_quote(s, ci, &q);
	j = wire_encode_quote(&q);
	if (j == NULL)
		return NULL;
	cJSON_AddStringToObject(j, "symbolName", "");
	cJSON_AddNumberToObject(j, "change", px_norm(chg, c->c.tick_size));
	cJSON_AddNumberToObject(j, "changePercent",
				c->open != 0 ? round(chg / c->open * 1e6) / 1e4 : 0.0);
	cJSON_AddNumberToObject(j, "open", c->open);
	cJSON_AddNumberToObject(j, "high", c->high);
	cJSON_AddNumberToObject(j, "low", c->low);
	cJSON_AddNumberToObject(j, "volume", (double)c->volume);
	return j;
}

/* --- events --- */

static void emit_order(struct sim *s, const struct sim_order *o)
{
	hub_user_event(s, o->o.account_id, SUB_ORDERS, "GatewayUserOrder", wire_encode_order(&o->o));
}

static void emit_account(struct sim *s, const struct px_account *a)
{
	hub_user_event(s, a->id, SUB_ACCOUNTS, "GatewayUserAccount", wire_encode_account(a));
}

/* --- fills --- */

static struct sim_position *position_slot(struct sim *s)
{
	for (int i = 0; i < SIM_MAX_POSITIONS; i++)
		if (!s->positions[i].used)
			return &s->positions[i];
	return NULL;
}

/*
 * Apply a fill of qty at price to the account's position and balance, record the half-trade
 * and send GatewayUserTrade, GatewayUserPosition, GatewayUserAccount (the order event was
 * sent by the caller first), then GatewayTrade to the contract's market subscribers.
 */
static void apply_fill(struct sim *s, const struct sim_order *so, int qty, double price)
{
	int ci = market_find_contract(s, so->o.contract_id);
	struct sim_contract *c = &s->contracts[ci];
	struct px_account *a = market_find_account(s, so->o.account_id);
	struct sim_position *p = market_find_position(s, so->o.account_id, ci);
	int signed_qty = so->o.side == PX_BID ? qty : -qty;
	double pnl = PX_NULL;
	srm_ms now = sim_now_ms();

	if (p == NULL) {
		p = position_slot(s);
		if (p == NULL)
			return; /* table full: cannot happen with SIM_MAX_ACCOUNTS x contracts */
		memset(p, 0, sizeof(*p));
		p->used = true;
		p->p.id = s->next_position_id++;
		p->p.account_id = so->o.account_id;
		strlcpy_s(p->p.contract_id, c->c.id, sizeof(p->p.contract_id));
		p->p.created = now;
	}
	int old = p->net;

	if (old == 0 || (old > 0) == (signed_qty > 0)) {
		double tot = fabs((double)old) * p->p.average_price + (double)qty * price;

		p->net += signed_qty;
		p->p.average_price = tot / fabs((double)p->net);
	} else {
		int closing = abs(old) < qty ? abs(old) : qty;
		double dir = old > 0 ? 1.0 : -1.0;

		pnl = money_norm((price - p->p.average_price) * dir / c->c.tick_size *
				 c->c.tick_value * closing);
		p->net += signed_qty;
		if (p->net != 0 && (p->net > 0) != (old > 0)) {
			p->p.average_price = price; /* flipped: the remainder opens at the fill price */
			p->p.created = now;
		}
	}
	p->p.size = abs(p->net);
	p->p.type = p->net > 0 ? PX_PT_LONG : p->net < 0 ? PX_PT_SHORT : p->p.type;

	if (s->ntrades < SIM_MAX_TRADES) {
		if (s->ntrades == s->trades_cap) {
			s->trades_cap = s->trades_cap ? s->trades_cap * 2 : 256;
			s->trades = xreallocarray(s->trades, s->trades_cap, sizeof(*s->trades));
		}
		struct px_trade *t = &s->trades[s->ntrades++];

		memset(t, 0, sizeof(*t));
		t->id = s->next_trade_id++;
		t->account_id = so->o.account_id;
		strlcpy_s(t->contract_id, c->c.id, sizeof(t->contract_id));
		t->created = now;
		t->price = price;
		t->profit_and_loss = pnl;
		t->fees = money_norm(c->fee * qty);
		t->side = so->o.side;
		t->size = qty;
		t->order_id = so->o.id;
		hub_user_event(s, t->account_id, SUB_TRADES, "GatewayUserTrade", wire_encode_trade(t));
		if (a != NULL)
			a->balance = money_norm(a->balance + (isnan(pnl) ? 0.0 : pnl) - t->fees);
	}
	hub_user_event(s, p->p.account_id, SUB_POSITIONS, "GatewayUserPosition",
		       wire_encode_position(&p->p));
	if (p->net == 0)
		p->used = false;
	if (a != NULL)
		emit_account(s, a);

	c->last = price;
	c->volume += qty;
	if (price > c->high)
		c->high = price;
	if (price < c->low)
		c->low = price;
	cJSON *arr = cJSON_CreateArray();
	cJSON *tr = cJSON_CreateObject();
	char ts[48];

	cJSON_AddStringToObject(tr, "symbolId", c->c.symbol_id);
	cJSON_AddNumberToObject(tr, "price", price);
	cJSON_AddStringToObject(tr, "timestamp", iso_format(now, ts, sizeof(ts)));
	cJSON_AddNumberToObject(tr, "type", so->o.side == PX_BID ? 0 : 1);
	cJSON_AddNumberToObject(tr, "volume", qty);
	cJSON_AddItemToArray(arr, tr);
	hub_market_event(s, ci, SUB_MTRADES, "GatewayTrade", arr);
}

static struct sim_order *order_new(struct sim *s)
{
	if (s->norders >= SIM_MAX_ORDERS)
		return NULL;
	if (s->norders == s->orders_cap) {
		s->orders_cap = s->orders_cap ? s->orders_cap * 2 : 256;
		s->orders = xreallocarray(s->orders, s->orders_cap, sizeof(*s->orders));
	}
	struct sim_order *o = &s->orders[s->norders++];

	memset(o, 0, sizeof(*o));
	o->o.id = s->next_order_id++;
	o->o.limit_price = PX_NULL;
	o->o.stop_price = PX_NULL;
	o->o.filled_price = PX_NULL;
	return o;
}

static void cancel_order(struct sim *s, struct sim_order *o)
{
	o->o.status = PX_OS_CANCELLED;
	o->o.updated = sim_now_ms();
	emit_order(s, o);
}

/* Bracket legs of a filled entry become Open at prices relative to the fill. */
static void activate_legs(struct sim *s, int64_t entry_id, double fill, double tick)
{
	for (size_t i = s->norders; i-- > 0;) {
		struct sim_order *l = &s->orders[i];

		if (l->o.id <= entry_id)
			break;
		if (l->parent_id != entry_id || l->o.status != PX_OS_SUSPENDED)
			continue;
		double dir = l->o.side == PX_ASK ? 1.0 : -1.0; /* leg of a long entry sells */
		if (l->sl_ticks != 0)
			l->o.stop_price = px_norm(fill - dir * abs(l->sl_ticks) * tick, tick);
		else
			l->o.limit_price = px_norm(fill + dir * abs(l->tp_ticks) * tick, tick);
		l->o.status = PX_OS_OPEN;
		l->o.updated = sim_now_ms();
		emit_order(s, l);
	}
}

/* Fill an order completely at price (events in the gateway's order), then brackets and OCO. */
static void fill_order(struct sim *s, struct sim_order *o, double price)
{
	int ci = market_find_contract(s, o->o.contract_id);
	int64_t id = o->o.id, oco = o->oco_id;
	int qty = o->o.size - o->o.fill_volume;

	if (o->o.type == PX_OT_MARKET && s->partial_fills > 0 && o->rest_due_ns == 0 && qty >= 2) {
		/* fault: half now (the order stays working), the rest partial_ms later */
		int part = qty / 2;

		s->partial_fills--;
		o->rest_due_ns = sim_mono_ns() + (int64_t)s->partial_ms * 1000000;
		o->o.status = PX_OS_OPEN;
		o->o.fill_volume += part;
		o->o.filled_price = price;
		o->o.updated = sim_now_ms();
		emit_order(s, o);
		apply_fill(s, o, part, price);
		return;
	}

	o->o.status = PX_OS_FILLED;
	o->o.fill_volume = o->o.size;
	o->o.filled_price = price;
	o->o.updated = sim_now_ms();
	emit_order(s, o);
	apply_fill(s, o, qty, price);
	o = market_find_order(s, id); /* apply_fill does not move orders, but be safe */
	if (o != NULL && (o->sl_type != 0 || o->tp_type != 0))
		activate_legs(s, id, price, s->contracts[ci].c.tick_size);
	if (oco != 0) {
		struct sim_order *sib = market_find_order(s, oco);

		if (sib != NULL && (sib->o.status == PX_OS_OPEN || sib->o.status == PX_OS_SUSPENDED))
			cancel_order(s, sib);
	}
}

/* Does a working order trigger at the contract's quote? Sets the fill price. */
static bool triggers(struct sim_order *o, const struct sim_contract *c, double *price)
{
	bool buy = o->o.side == PX_BID;

	switch (o->o.type) {
	case PX_OT_LIMIT:
	case PX_OT_JOIN_BID:
	case PX_OT_JOIN_ASK:
		if (buy ? c->ask <= o->o.limit_price : c->bid >= o->o.limit_price) {
			*price = o->o.limit_price;
			return true;
		}
		return false;
	case PX_OT_TRAILING_STOP:
		if (buy) {
			double st = px_norm(c->ask + o->trail_dist, c->c.tick_size);
			if (st < o->o.stop_price)
				o->o.stop_price = st;
		} else {
			double st = px_norm(c->bid - o->trail_dist, c->c.tick_size);
			if (st > o->o.stop_price)
				o->o.stop_price = st;
		}
		/* fall through */
	case PX_OT_STOP:
	case PX_OT_STOP_LIMIT:
		if (buy ? c->ask >= o->o.stop_price : c->bid <= o->o.stop_price) {
			*price = buy ? c->ask : c->bid;
			if (o->o.type == PX_OT_STOP_LIMIT) {
				if (buy ? c->ask > o->o.limit_price : c->bid < o->o.limit_price) {
					o->o.type = PX_OT_LIMIT; /* triggered, rests at its limit */
					return false;
				}
				*price = o->o.limit_price;
			}
			return true;
		}
		return false;
	default:
		return false;
	}
}

/* Run every working order of a contract against its quote. */
/* Filled, cancelled, expired or rejected: nothing can bring it back to work. */
static bool order_done(const struct sim_order *o)
{
	return o->o.status == PX_OS_FILLED || o->o.status == PX_OS_CANCELLED ||
	       o->o.status == PX_OS_EXPIRED || o->o.status == PX_OS_REJECTED;
}

static void match_contract(struct sim *s, int ci)
{
	struct sim_contract *c = &s->contracts[ci];

	/* a long run keeps every order: skip the done ones at the front (background quotes) */
	while (s->live_lo < s->norders && order_done(&s->orders[s->live_lo]))
		s->live_lo++;
	for (size_t i = s->live_lo; i < s->norders; i++) {
		struct sim_order *o = &s->orders[i];
		double price;

		if (o->o.status != PX_OS_OPEN || strcmp(o->o.contract_id, c->c.id) != 0)
			continue;
		if (triggers(o, c, &price))
			fill_order(s, o, price);
	}
}

static bool custom_tag_used(const struct sim *s, int64_t account_id, const char *tag)
{
	for (size_t i = 0; i < s->norders; i++)
		if (s->orders[i].o.account_id == account_id &&
		    strcmp(s->orders[i].o.custom_tag, tag) == 0)
			return true;
	return false;
}

#define REJECT(code, ...) do { snprintf(msg, cap, __VA_ARGS__); return (code); } while (0)

/* Place an order (Order/place semantics, API reference §5); returns its errorCode. */
int market_place(struct sim *s, const struct order_req *r, int64_t *id, char *msg, size_t cap)
{
	struct px_account *a = market_find_account(s, r->account_id);
	int ci = market_find_contract(s, r->contract_id);
	srm_ms now = sim_now_ms();

	msg[0] = '\0';
	*id = 0;
	if (a == NULL)
		REJECT(1, "Account not found");
	if (ci < 0)
		REJECT(8, "Contract not found");
	struct sim_contract *c = &s->contracts[ci];
	double tick = c->c.tick_size;

	if (!a->can_trade)
		REJECT(2, "Account is not allowed to trade");
	if (r->side != PX_BID && r->side != PX_ASK)
		REJECT(2, "Invalid order side");
	if (r->size < 1)
		REJECT(2, "Invalid order size");
	if (r->type < PX_OT_LIMIT || r->type > PX_OT_JOIN_ASK)
		REJECT(2, "Invalid order type");
	if ((r->type == PX_OT_LIMIT || r->type == PX_OT_STOP_LIMIT) && isnan(r->limit_price))
		REJECT(2, "Limit price not set.");
	if ((r->type == PX_OT_STOP || r->type == PX_OT_STOP_LIMIT) && isnan(r->stop_price))
		REJECT(2, "Stop price not set.");
	if ((!isnan(r->limit_price) && !on_grid(r->limit_price, tick)) ||
	    (!isnan(r->stop_price) && !on_grid(r->stop_price, tick)))
		REJECT(2, "Invalid price. Price is not aligned to tick size.");
	double dist = 0;
	if (r->type == PX_OT_TRAILING_STOP) {
		if (isnan(r->trail_price))
			REJECT(2, "Trail Distance not set.");
		if (!on_grid(r->trail_price, tick))
			REJECT(2, "Invalid trail price. Price is not aligned to tick size.");
		double ticks = floor(fabs(c->last - r->trail_price) / tick + 1e-9);
		if (ticks > 1000)
			REJECT(2, "Trail Distance exceeds maximum (1000)");
		dist = ticks * tick;
	}
	if (r->custom_tag[0] != '\0' && custom_tag_used(s, r->account_id, r->custom_tag))
		REJECT(2, "Custom tag must be unique across the account.");
	if (s->norders + 3 > SIM_MAX_ORDERS)
		REJECT(7, "Order table full");

	struct sim_order *o = order_new(s);
	o->o.account_id = r->account_id;
	strlcpy_s(o->o.contract_id, c->c.id, sizeof(o->o.contract_id));
	strlcpy_s(o->o.symbol_id, c->c.symbol_id, sizeof(o->o.symbol_id));
	o->o.created = o->o.updated = now;
	o->o.status = PX_OS_OPEN;
	o->o.type = r->type;
	o->o.side = r->side;
	o->o.size = r->size;
	o->o.limit_price = isnan(r->limit_price) ? PX_NULL : px_norm(r->limit_price, tick);
	o->o.stop_price = isnan(r->stop_price) ? PX_NULL : px_norm(r->stop_price, tick);
	strlcpy_s(o->o.custom_tag, r->custom_tag, sizeof(o->o.custom_tag));
	o->sl_type = r->sl_type;
	o->sl_ticks = r->sl_ticks;
	o->tp_type = r->tp_type;
	o->tp_ticks = r->tp_ticks;
	if (r->type == PX_OT_JOIN_BID)
		o->o.limit_price = c->bid;
	if (r->type == PX_OT_JOIN_ASK)
		o->o.limit_price = c->ask;
	if (r->type == PX_OT_TRAILING_STOP) {
		o->trail_dist = dist;
		o->o.stop_price = px_norm(r->side == PX_BID ? c->ask + dist : c->bid - dist, tick);
	}
	int64_t oid = o->o.id;
	*id = oid;

	/* Bracket legs wait suspended until the entry fills (PXHELP; API reference §12). */
	int64_t sl_id = 0, tp_id = 0;
	for (int leg = 0; leg < 2; leg++) {
		int ltype = leg == 0 ? r->sl_type : r->tp_type;
		int lticks = leg == 0 ? r->sl_ticks : r->tp_ticks;

		if (ltype == 0 || lticks == 0)
			continue;
		struct sim_order *l = order_new(s);
		struct sim_order *e = market_find_order(s, oid);

		l->o.account_id = e->o.account_id;
		strlcpy_s(l->o.contract_id, e->o.contract_id, sizeof(l->o.contract_id));
		strlcpy_s(l->o.symbol_id, e->o.symbol_id, sizeof(l->o.symbol_id));
		l->o.created = l->o.updated = now;
		l->o.status = PX_OS_SUSPENDED;
		l->o.type = leg == 0 ? (ltype == PX_OT_LIMIT ? PX_OT_STOP : ltype) : PX_OT_LIMIT;
		l->o.side = e->o.side == PX_BID ? PX_ASK : PX_BID;
		l->o.size = e->o.size;
		l->parent_id = oid;
		if (leg == 0)
			l->sl_ticks = lticks;
		else
			l->tp_ticks = lticks;
		if (l->o.type == PX_OT_TRAILING_STOP)
			l->trail_dist = abs(lticks) * tick;
		if (leg == 0)
			sl_id = l->o.id;
		else
			tp_id = l->o.id;
	}
	if (sl_id != 0 && tp_id != 0) {
		market_find_order(s, sl_id)->oco_id = tp_id;
		market_find_order(s, tp_id)->oco_id = sl_id;
	}

	o = market_find_order(s, oid);
	double price = 0;
	bool limit = r->type == PX_OT_LIMIT || r->type == PX_OT_JOIN_BID || r->type == PX_OT_JOIN_ASK;

	/* a market order, or a marketable limit: at the touch */
	if (r->type == PX_OT_MARKET ||
	    (limit && (r->side == PX_BID ? c->ask <= o->o.limit_price : c->bid >= o->o.limit_price))) {
		fill_order(s, o, r->side == PX_BID ? c->ask : c->bid);
	} else if (triggers(o, c, &price)) {
		fill_order(s, o, price);
	} else {
		emit_order(s, o);
	}
	for (size_t i = 0; i < s->norders; i++) {
		struct sim_order *l = &s->orders[i];

		if (l->parent_id == oid && l->o.status == PX_OS_SUSPENDED &&
		    market_find_order(s, oid)->o.status != PX_OS_FILLED)
			emit_order(s, l);
	}
	/* Legs activated on an immediate fill may already trigger. */
	if (sl_id != 0 || tp_id != 0)
		match_contract(s, ci);
	return 0;
}

/* Cancel a working order (Order/cancel errorCodes). */
int market_cancel(struct sim *s, int64_t account_id, int64_t order_id, char *msg, size_t cap)
{
	struct px_account *a = market_find_account(s, account_id);
	struct sim_order *o = market_find_order(s, order_id);

	msg[0] = '\0';
	if (a == NULL)
		REJECT(1, "Account not found");
	if (!a->simulated)
		REJECT(6, "Live accounts not supported");
	if (o == NULL || o->o.account_id != account_id)
		REJECT(2, "Order not found");
	if (o->o.status != PX_OS_OPEN && o->o.status != PX_OS_SUSPENDED)
		REJECT(3, "Order is not working");
	int64_t id = o->o.id;
	cancel_order(s, o);
	/* Cancelling an unfilled entry cancels its bracket legs. */
	for (size_t i = 0; i < s->norders; i++)
		if (s->orders[i].parent_id == id && s->orders[i].o.status == PX_OS_SUSPENDED)
			cancel_order(s, &s->orders[i]);
	return 0;
}

/* Modify a working order (Order/modify errorCodes). */
int market_modify(struct sim *s, int64_t account_id, int64_t order_id, int size, double limit,
		  double stop, char *msg, size_t cap)
{
	struct px_account *a = market_find_account(s, account_id);
	struct sim_order *o = market_find_order(s, order_id);

	msg[0] = '\0';
	if (a == NULL)
		REJECT(1, "Account not found");
	if (o == NULL || o->o.account_id != account_id)
		REJECT(2, "Order not found");
	if (o->o.status != PX_OS_OPEN && o->o.status != PX_OS_SUSPENDED)
		REJECT(3, "Order is not working");
	int ci = market_find_contract(s, o->o.contract_id);
	double tick = s->contracts[ci].c.tick_size;

	if (size < 0 || (size > 0 && size < o->o.fill_volume))
		REJECT(3, "Invalid order size");
	if ((!isnan(limit) && !on_grid(limit, tick)) || (!isnan(stop) && !on_grid(stop, tick)))
		REJECT(3, "Invalid price. Price is not aligned to tick size.");
	if (size > 0)
		o->o.size = size;
	if (!isnan(limit))
		o->o.limit_price = px_norm(limit, tick);
	if (!isnan(stop))
		o->o.stop_price = px_norm(stop, tick);
	o->o.updated = sim_now_ms();
	emit_order(s, o);
	match_contract(s, ci);
	return 0;
}

/* Close all (size 0) or part of a position with a market order. */
int market_close(struct sim *s, int64_t account_id, int ci, int size, char *msg, size_t cap)
{
	struct sim_position *p = market_find_position(s, account_id, ci);
	struct sim_contract *c = &s->contracts[ci];

	msg[0] = '\0';
	if (p == NULL || p->net == 0)
		REJECT(-1, "Position not found");
	if (size < 0 || size > abs(p->net))
		REJECT(-2, "Invalid close size");
	int qty = size == 0 ? abs(p->net) : size;
	int side = p->net > 0 ? PX_ASK : PX_BID;
	struct sim_order *o = order_new(s);

	if (o == NULL)
		REJECT(-3, "Order table full");
	o->o.account_id = account_id;
	strlcpy_s(o->o.contract_id, c->c.id, sizeof(o->o.contract_id));
	strlcpy_s(o->o.symbol_id, c->c.symbol_id, sizeof(o->o.symbol_id));
	o->o.created = o->o.updated = sim_now_ms();
	o->o.type = PX_OT_MARKET;
	o->o.side = side;
	o->o.size = qty;
	fill_order(s, o, side == PX_BID ? c->ask : c->bid);
	return 0;
}

#undef REJECT

/* Set a quote, run matching, and send GatewayQuote and GatewayDepth. */
void market_set_quote(struct sim *s, int ci, double bid, double ask, double last)
{
	struct sim_contract *c = &s->contracts[ci];
	double t = c->c.tick_size;

	c->bid = px_norm(bid, t);
	c->ask = px_norm(ask, t);
	if (isnan(last)) /* no print given: the last trade stays, moved inside the new spread */
		last = c->last < c->bid ? c->bid : c->last > c->ask ? c->ask : c->last;
	c->last = px_norm(last, t);
	if (c->last > c->high)
		c->high = c->last;
	if (c->last < c->low)
		c->low = c->last;
	c->quote_ts = sim_now_ms();
	hub_market_event(s, ci, SUB_QUOTES, "GatewayQuote", market_quote_json(s, ci));

	cJSON *arr = cJSON_CreateArray();
	char ts[48];
	iso_format(c->quote_ts, ts, sizeof(ts));
	for (int k = 0; k < 2; k++) {
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "timestamp", ts);
		cJSON_AddNumberToObject(d, "type", k == 0 ? 4 : 3); /* BestBid, BestAsk */
		cJSON_AddNumberToObject(d, "price", k == 0 ? c->bid : c->ask);
		cJSON_AddNumberToObject(d, "volume", 10);
		cJSON_AddNumberToObject(d, "currentVolume", 10);
		cJSON_AddItemToArray(arr, d);
	}
	hub_market_event(s, ci, SUB_DEPTH, "GatewayDepth", arr);
	match_contract(s, ci);
	market_firm_check(s);
}

/* One seeded random-walk step: each root moves -1, 0 or +1 tick; micros follow their mini. */
void market_walk(struct sim *s)
{
	for (int i = 0; i < s->ncontracts; i++) {
		struct sim_contract *c = &s->contracts[i];
		double t = c->c.tick_size;
		double bid, ask, last;

		if (c->mirror >= 0 && c->mirror < i) {
			const struct sim_contract *m = &s->contracts[c->mirror];
			bid = m->bid;
			ask = m->ask;
			last = m->last;
		} else {
			int step = (int)(rng_next(s) % 3) - 1;
			bid = c->bid + step * t;
			ask = bid + t;
			last = step >= 0 ? ask : bid;
		}
		c->volume += (int64_t)(rng_next(s) % 20);
		market_set_quote(s, i, bid, ask, last);
	}
}

static int load_contract(const struct sim *s, const char *name)
{
	int ci = market_find_contract(s, name);

	for (int i = 0; ci < 0 && i < s->ncontracts; i++)
		if (strcasecmp(s->contracts[i].symbol, name) == 0)
			ci = i;
	return ci;
}

int market_load_set(struct sim *s, int rate, const char *list, char *err, size_t cap)
{
	struct sim_load l = { .rate = rate };

	if (rate < 0 || rate > SIM_MAX_LOAD_RATE) {
		snprintf(err, cap, "rate: expected 0..%d quotes per second, got %d",
			 SIM_MAX_LOAD_RATE, rate);
		return -1;
	}
	if (list == NULL || list[0] == '\0')
		list = "ES,NQ,YM,CL,GC";
	for (const char *p = list; *p != '\0';) {
		size_t len = strcspn(p, ", ");
		char name[SRM_ID_MAX];
		int ci;

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(name)) {
			snprintf(err, cap, "contracts: \"%.40s...\" is too long", p);
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		ci = load_contract(s, name);
		if (ci < 0) {
			snprintf(err, cap, "contracts: unknown contract \"%s\"", name);
			return -1;
		}
		if (l.n == SIM_LOAD_MAX_CONTRACTS) {
			snprintf(err, cap, "contracts: at most %d", SIM_LOAD_MAX_CONTRACTS);
			return -1;
		}
		l.ci[l.n++] = ci;
	}
	if (l.n == 0) {
		snprintf(err, cap, "contracts: expected at least one");
		return -1;
	}
	l.start_ns = sim_mono_ns();
	l.total = s->load.total;
	s->load = l;
	server_load_changed(s);
	return 0;
}

void market_load_tick(struct sim *s)
{
	struct sim_load *l = &s->load;
	int64_t due, burst;

	if (l->rate <= 0 || l->n == 0)
		return;
	due = (sim_mono_ns() - l->start_ns) / 1000 * l->rate / 1000000 - l->sent;
	/* a late tick catches up at most 10 ms of quotes: a stalled loop gives no burst */
	burst = l->rate / 100 + 1;
	if (due > burst) {
		l->sent += due - burst;
		due = burst;
	}
	for (; due > 0; due--) {
		int k = l->next;
		int ci = l->ci[k];
		struct sim_contract *c = &s->contracts[ci];
		double t = c->c.tick_size;
		int step = (int)(rng_next(s) % 3) - 1;

		if (l->offset[k] + step > 4 || l->offset[k] + step < -4)
			step = -step;
		l->offset[k] += step;
		l->next = (k + 1) % l->n;
		l->sent++;
		l->total++;
		c->volume++;
		market_set_quote(s, ci, c->bid + step * t, c->bid + (step + 1) * t,
				 step >= 0 ? c->bid + (step + 1) * t : c->bid + step * t);
	}
}

/* Change an account's canTrade and/or balance and send GatewayUserAccount. */
void market_set_account(struct sim *s, struct px_account *a, const bool *can_trade,
			const double *balance)
{
	if (can_trade != NULL)
		a->can_trade = *can_trade;
	if (balance != NULL)
		a->balance = money_norm(*balance);
	emit_account(s, a);
}

void market_cron(struct sim *s)
{
	int64_t now = sim_mono_ns();

	market_firm_check(s);
	for (size_t i = 0; i < s->norders; i++) {
		struct sim_order *o = &s->orders[i];
		int ci;

		if (o->rest_due_ns <= 0 || o->rest_due_ns > now || o->o.status != PX_OS_OPEN)
			continue;
		o->rest_due_ns = -1; /* split once */
		ci = market_find_contract(s, o->o.contract_id);
		if (ci >= 0)
			fill_order(s, o, o->o.side == PX_BID ? s->contracts[ci].ask :
				   s->contracts[ci].bid);
	}
}

/* ---- the firm (--firm-mll) ---------------------------------------------------------- */

/* An account's equity: its balance and its positions at the other side of the book. */
static double equity_of(const struct sim *s, const struct px_account *a)
{
	double eq = a->balance;

	for (int i = 0; i < SIM_MAX_POSITIONS; i++) {
		const struct sim_position *p = &s->positions[i];
		int ci;

		if (!p->used || p->p.account_id != a->id || p->net == 0 ||
		    (ci = market_find_contract(s, p->p.contract_id)) < 0)
			continue;
		const struct sim_contract *c = &s->contracts[ci];
		double mark = p->net > 0 ? c->bid : c->ask;

		eq += (mark - p->p.average_price) / c->c.tick_size * c->c.tick_value * p->net;
	}
	return eq;
}

void market_firm_check(struct sim *s)
{
	char msg[128];

	if (s->opt.firm_mll <= 0)
		return;
	for (int i = 0; i < s->naccounts; i++) {
		struct px_account *a = &s->accounts[i];
		struct sim_firm *f = &s->firm[i];

		if (f->liquidated || equity_of(s, a) > f->floor)
			continue;
		f->liquidated = true;
		f->liquidated_ms = sim_now_ms();
		if (!s->opt.quiet)
			fprintf(stderr, "srm-sim: the firm liquidates account %lld: equity %.2f at the "
				"floor %.2f\n", (long long)a->id, equity_of(s, a), f->floor);
		for (size_t k = 0; k < s->norders; k++) {
			struct sim_order *o = &s->orders[k];

			if (o->o.account_id == a->id &&
			    (o->o.status == PX_OS_OPEN || o->o.status == PX_OS_SUSPENDED))
				(void)market_cancel(s, a->id, o->o.id, msg, sizeof(msg));
		}
		for (int ci = 0; ci < s->ncontracts; ci++)
			if (market_find_position(s, a->id, ci) != NULL)
				(void)market_close(s, a->id, ci, 0, msg, sizeof(msg));
		bool no = false;

		market_set_account(s, a, &no, NULL);
	}
}

void market_firm_day_end(struct sim *s)
{
	const double start = 50000.0;

	for (int i = 0; i < s->naccounts; i++) {
		struct sim_firm *f = &s->firm[i];
		double want;

		if (s->accounts[i].balance > f->high)
			f->high = s->accounts[i].balance;
		want = f->high - s->opt.firm_mll;
		if (want > start)
			want = start; /* the floor stops at the starting balance */
		if (want > f->floor)
			f->floor = want;
	}
}
