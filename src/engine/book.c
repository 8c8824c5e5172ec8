/* book.c: the state book: accounts, open positions and working orders, contract slots. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"
#include "util/xalloc.h"

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* ---- accounts ---- */

static void acct_map_insert(uint32_t *map, size_t cap, int64_t id, uint32_t idx)
{
	size_t m = cap - 1, i = hash64((uint64_t)id) & m;

	while (map[i] != 0)
		i = (i + 1) & m;
	map[i] = idx + 1;
}

static void acct_map_grow(struct engine *e)
{
	size_t cap = e->acct_map_cap ? e->acct_map_cap * 2 : 64;
	uint32_t *map = xcalloc(cap, sizeof(*map));

	for (size_t i = 0; i < e->n_accts; i++)
		acct_map_insert(map, cap, e->accts[i]->id, (uint32_t)i);
	free(e->acct_map);
	e->acct_map = map;
	e->acct_map_cap = cap;
}

static struct acct *acct_new(struct engine *e, int64_t id)
{
	struct acct *a = xcalloc(1, sizeof(*a));

	a->id = id;
	a->can_trade = true;
	a->rules = config_rules_for(e->cfg, id);
	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_table[r]->state_size > 0)
			a->rstate[r] = xcalloc(1, rule_table[r]->state_size);
	return a;
}

struct acct *book_acct(struct engine *e, int64_t id, bool create)
{
	if (e->acct_map_cap > 0) {
		size_t m = e->acct_map_cap - 1, i = hash64((uint64_t)id) & m;

		while (e->acct_map[i] != 0) {
			struct acct *a = e->accts[e->acct_map[i] - 1];

			if (a->id == id)
				return a;
			i = (i + 1) & m;
		}
	}
	if (!create)
		return NULL;
	if (e->n_accts == e->cap_accts) {
		e->cap_accts = e->cap_accts ? e->cap_accts * 2 : 16;
		e->accts = xreallocarray(e->accts, e->cap_accts, sizeof(*e->accts)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
	}
	struct acct *a = acct_new(e, id);

	e->accts[e->n_accts++] = a;
	if (e->n_accts * 2 > e->acct_map_cap)
		acct_map_grow(e);
	else
		acct_map_insert(e->acct_map, e->acct_map_cap, id, (uint32_t)(e->n_accts - 1));
	return a;
}

/* ---- contract slots ---- */

static void cs_map_insert(uint32_t *map, size_t cap, const char *id, uint32_t idx)
{
	size_t m = cap - 1, i = hash_str(id) & m;

	while (map[i] != 0)
		i = (i + 1) & m;
	map[i] = idx + 1;
}

static void cs_map_grow(struct engine *e)
{
	size_t cap = e->cs_map_cap ? e->cs_map_cap * 2 : 64;
	uint32_t *map = xcalloc(cap, sizeof(*map));

	for (size_t i = 0; i < e->n_cs; i++)
		cs_map_insert(map, cap, e->cs[i].k.c.id, (uint32_t)i);
	free(e->cs_map);
	e->cs_map = map;
	e->cs_map_cap = cap;
}

void book_cache_clear(struct engine *e)
{
	memset(e->pc, 0, sizeof(e->pc));
}

/*
 * Rules look the same contract up many times per event, by the same string (a position's
 * or order's contract_id). While rules run the book does not change, so a string pointer
 * maps to one slot: a small direct-mapped cache keyed by the pointer skips hash + strcmp.
 * It is cleared whenever the book changes and at the start of every engine call.
 */
const struct cslot *book_cslot_c(const struct engine *e, const char *contract_id)
{
	if (e->cs_map_cap == 0 || contract_id == NULL)
		return NULL;
	struct ptr_cache *pc = (struct ptr_cache *)&e->pc[((uintptr_t)contract_id >> 3) & (PTR_CACHE - 1)];

	/*
	 * A hit must also hold the same text: the same address can carry another contract id
	 * (events built on the stack in a loop: timers, a recheck's synthesized events).
	 */
	if (pc->key == contract_id && strcmp(e->cs[pc->slot].k.c.id, contract_id) == 0)
		return &e->cs[pc->slot];
	size_t m = e->cs_map_cap - 1, i = hash_str(contract_id) & m;

	while (e->cs_map[i] != 0) {
		const struct cslot *c = &e->cs[e->cs_map[i] - 1];

		if (strcmp(c->k.c.id, contract_id) == 0) {
			pc->key = contract_id;
			pc->slot = e->cs_map[i] - 1;
			return c;
		}
		i = (i + 1) & m;
	}
	return NULL;
}

struct cslot *book_cslot(struct engine *e, const char *contract_id, bool create)
{
	struct cslot *c = (struct cslot *)book_cslot_c(e, contract_id);

	if (c != NULL || !create)
		return c;
	book_cache_clear(e); /* the slot array may move */
	if (e->n_cs == e->cap_cs) {
		e->cap_cs = e->cap_cs ? e->cap_cs * 2 : 32;
		e->cs = xreallocarray(e->cs, e->cap_cs, sizeof(*e->cs));
	}
	c = &e->cs[e->n_cs++];
	memset(c, 0, sizeof(*c));
	strlcpy_s(c->k.c.id, contract_id, sizeof(c->k.c.id));
	strlcpy_s(c->q.contract_id, contract_id, sizeof(c->q.contract_id));
	root_from_id(contract_id, c->k.root, sizeof(c->k.root));
	c->q.bid = c->q.ask = c->q.last = PX_NULL;
	if (e->n_cs * 2 > e->cs_map_cap)
		cs_map_grow(e);
	else
		cs_map_insert(e->cs_map, e->cs_map_cap, contract_id, (uint32_t)(e->n_cs - 1));
	return c;
}

void book_watch(struct engine *e, const char *contract_id, struct acct *a, int delta, bool pos)
{
	struct cslot *c = book_cslot(e, contract_id, true);

	for (size_t i = 0; i < c->n_watch; i++) {
		if (c->watch[i].a == a) {
			c->watch[i].refs += delta;
			if (pos)
				c->watch[i].pos_refs += delta;
			if (c->watch[i].refs <= 0)
				c->watch[i] = c->watch[--c->n_watch];
			return;
		}
	}
	if (delta <= 0)
		return;
	if (c->n_watch == c->cap_watch) {
		c->cap_watch = c->cap_watch ? c->cap_watch * 2 : 4;
		c->watch = xreallocarray(c->watch, c->cap_watch, sizeof(*c->watch));
	}
	c->watch[c->n_watch++] = (struct watch){.a = a, .refs = delta, .pos_refs = pos ? delta : 0};
}

/* "ESZ6" -> "ES", "MNQZ6" -> "MNQ", "6BU5" -> "6B": drop the year digits and the month code. */
void symbol_from_name(const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	while (n > 0 && name[n - 1] >= '0' && name[n - 1] <= '9')
		n--;
	if (n >= 2 && strchr("FGHJKMNQUVXZ", name[n - 1]) != NULL && n < strlen(name))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, name, n);
	out[n] = '\0';
}

/* "CON.F.US.EP.Z26" -> "EP" (the id root); "" when the id has another shape. */
void root_from_id(const char *id, char *out, size_t cap)
{
	const char *p = id;
	int dots = 0;

	out[0] = '\0';
	while (*p && dots < 3) {
		if (*p == '.')
			dots++;
		p++;
	}
	if (dots < 3)
		return;
	const char *end = strchr(p, '.');
	size_t n = end ? (size_t)(end - p) : strlen(p);

	if (n == 0 || n >= cap)
		return;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* ---- events ---- */

void book_apply_account(struct engine *e, const struct px_account *pa, struct acct *a)
{
	strlcpy_s(a->name, pa->name, sizeof(a->name));
	/* a profile may pick the account by its name (a firm's replacement account) */
	a->rules = config_rules_for_account(e->cfg, a->id, a->name);
	a->balance = pa->balance;
	a->can_trade = pa->can_trade;
	a->seen = true;
}

struct pos *acct_pos(const struct acct *a, const char *contract_id)
{
	for (size_t i = 0; i < a->n_pos; i++)
		if (strcmp(a->pos[i].contract_id, contract_id) == 0)
			return &a->pos[i];
	return NULL;
}

struct ord *acct_ord(const struct acct *a, int64_t order_id)
{
	for (size_t i = 0; i < a->n_ord; i++)
		if (a->ord[i].id == order_id)
			return &a->ord[i];
	return NULL;
}

bool book_position_stale(const struct acct *a, const struct px_position *pp)
{
	const struct pos *p = acct_pos(a, pp->contract_id);

	return pp->size == 0 && p != NULL && p->id != 0 && pp->id != 0 && pp->id != p->id;
}

/* Forget what fills and position events owed each other once they are POS_AHEAD_MS old. */
static void ahead_expire(const struct engine *e, struct pos *p)
{
	if (e->now - p->ahead_at > POS_AHEAD_MS)
		p->fills_ahead = p->pos_ahead = 0;
}

/*
 * n contracts came off one way (a fill, or a position event): what the other way owed for
 * them is settled (*theirs), the rest is owed by this one (*mine) until the other shows it.
 */
static void ahead_settle(const struct engine *e, struct pos *p, int *theirs, int *mine, int n)
{
	int m;

	ahead_expire(e, p);
	m = n < *theirs ? n : *theirs;
	*theirs -= m;
	*mine += n - m;
	p->ahead_at = e->now;
}

void book_fill_closed(struct engine *e, struct acct *a, const char *contract_id, int n)
{
	struct pos *p = acct_pos(a, contract_id);

	if (p == NULL || n <= 0)
		return; /* the position event came first and removed it */
	ahead_settle(e, p, &p->pos_ahead, &p->fills_ahead, n);
	if (p->fills_ahead > abs(p->qty))
		p->fills_ahead = abs(p->qty);
}

int book_apply_position(struct engine *e, struct acct *a, const struct px_position *pp)
{
	book_cache_clear(e);
	struct pos *p = acct_pos(a, pp->contract_id);
	int prev = p ? p->qty : 0;
	int qty = pp->type == PX_PT_SHORT ? -pp->size : pp->size;
	bool renewed = false;

	if (qty == 0) {
		if (p != NULL) {
			*p = a->pos[--a->n_pos];
			book_watch(e, pp->contract_id, a, -1, true);
		}
		return prev;
	}
	if (p == NULL) {
		if (a->n_pos == a->cap_pos) {
			a->cap_pos = a->cap_pos ? a->cap_pos * 2 : 4;
			a->pos = xreallocarray(a->pos, a->cap_pos, sizeof(*a->pos));
		}
		p = &a->pos[a->n_pos++];
		memset(p, 0, sizeof(*p));
		strlcpy_s(p->contract_id, pp->contract_id, sizeof(p->contract_id));
		p->opened = e->now;
		book_watch(e, pp->contract_id, a, 1, true);
		p->cs = (uint32_t)(book_cslot(e, pp->contract_id, true) - e->cs);
	} else if ((prev > 0) != (qty > 0)) {
		p->opened = e->now; /* reversed: a new position */
		p->fills_ahead = p->pos_ahead = 0;
	} else if (pp->id != 0 && p->id != 0 && pp->id != p->id) {
		/* a new position id (the old one's size-0 event was lost): a new position */
		p->opened = e->now;
		p->restored = false;
		renewed = true;
		p->fills_ahead = p->pos_ahead = 0;
	} else if (abs(qty) < abs(prev)) {
		ahead_settle(e, p, &p->fills_ahead, &p->pos_ahead, abs(prev) - abs(qty));
	}
	p->id = pp->id;
	if (prev == 0 || renewed || (prev > 0) != (qty > 0) || abs(qty) > abs(prev)) {
		p->grew_seq = ++e->seq;
		p->grew_at = e->now;
	}
	p->qty = qty;
	p->avg_price = pp->average_price;
	return prev;
}

/*
 * Still in the book: open, pending, a pending cancel (it can still fill), a suspended
 * bracket leg, or a status this build does not know (fail closed: it may be working).
 */
static bool status_working(int status)
{
	return status == PX_OS_OPEN || status == PX_OS_PENDING || status == PX_OS_PENDING_CANCEL ||
	       status == PX_OS_SUSPENDED || status == PX_OS_OTHER;
}

bool book_apply_order(struct engine *e, struct acct *a, const struct px_order *po, struct ord *prev)
{
	book_cache_clear(e);
	struct ord *o = acct_ord(a, po->id);
	bool had = o != NULL;

	if (had)
		*prev = *o;
	if (!status_working(po->status)) {
		if (had) {
			*o = a->ord[--a->n_ord];
			book_watch(e, po->contract_id, a, -1, false);
		}
		return had;
	}
	if (!had) {
		if (a->n_ord == a->cap_ord) {
			a->cap_ord = a->cap_ord ? a->cap_ord * 2 : 4;
			a->ord = xreallocarray(a->ord, a->cap_ord, sizeof(*a->ord));
		}
		o = &a->ord[a->n_ord++];
		memset(o, 0, sizeof(*o));
		o->id = po->id;
		o->seen = e->now;
		o->grew_seq = ++e->seq;
		book_watch(e, po->contract_id, a, 1, false);
	} else if (strcmp(o->contract_id, po->contract_id) != 0) {
		book_watch(e, o->contract_id, a, -1, false);
		book_watch(e, po->contract_id, a, 1, false);
	}
	strlcpy_s(o->contract_id, po->contract_id, sizeof(o->contract_id));
	o->status = po->status;
	o->type = po->type;
	o->side = po->side;
	o->size = po->size;
	o->fill_volume = po->fill_volume;
	o->limit_price = po->limit_price;
	o->stop_price = po->stop_price;
	/*
	 * A modify that raises what is left, or a bracket leg that becomes active (Suspended to
	 * working), makes it the newest exposure (RULE-001/002 cancel the last grown first).
	 */
	if (had && (ord_remaining(o) > ord_remaining(prev) ||
		    (prev->status == PX_OS_SUSPENDED && o->status != PX_OS_SUSPENDED)))
		o->grew_seq = ++e->seq;
	return had;
}

int ord_remaining(const struct ord *o)
{
	int filled = o->fill_volume > 0 ? o->fill_volume : 0;

	return o->size > filled ? o->size - filled : 0;
}

bool ord_is_exposure(const struct ord *o)
{
	return o->status != PX_OS_SUSPENDED && ord_remaining(o) > 0;
}

bool acct_ord_is_reducing(const struct acct *a, const struct ord *o)
{
	const struct pos *p = acct_pos(a, o->contract_id);
	int left = ord_remaining(o);

	if (p == NULL)
		return false;
	if (p->qty > 0)
		return o->side == PX_ASK && left <= p->qty;
	return o->side == PX_BID && left <= -p->qty;
}

bool acct_ord_opens(const struct acct *a, const struct ord *o)
{
	return ord_is_exposure(o) && !acct_ord_is_reducing(a, o);
}

bool acct_ord_closing(const struct acct *a, const struct ord *o)
{
	return o->type == PX_OT_MARKET && ord_is_exposure(o) && acct_ord_is_reducing(a, o);
}

void book_free(struct engine *e)
{
	for (size_t i = 0; i < e->n_accts; i++) {
		struct acct *a = e->accts[i];

		for (int r = 0; r < RULE_COUNT; r++)
			free(a->rstate[r]);
		free(a->pos);
		free(a->ord);
		free(a->closes);
		free(a->reqs);
		free(a->tc.t);
		free(a);
	}
	free(e->accts);
	free(e->acct_map);
	for (size_t i = 0; i < e->n_cs; i++)
		free(e->cs[i].watch);
	free(e->cs);
	free(e->cs_map);
}

void book_apply_contract(struct engine *e, const struct px_contract *pc)
{
	struct cslot *c = book_cslot(e, pc->id, true);

	c->k.c = *pc;
	c->known = true;
	c->missing = false;
	symbol_from_name(pc->name, c->k.symbol, sizeof(c->k.symbol));
	root_from_id(pc->id, c->k.root, sizeof(c->k.root));
}
