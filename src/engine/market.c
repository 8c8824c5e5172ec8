/* market.c: the quote tracker and contract cache: marks, staleness, symbols, unrealized P&L. */
#include <string.h>

#include "engine/engine_int.h"
#include "util/strutil.h"

const struct contract *engine_contract(const struct engine *e, const char *contract_id)
{
	const struct cslot *c = book_cslot_c(e, contract_id);

	return c != NULL && c->known ? &c->k : NULL;
}

bool engine_contract_is_missing(const struct engine *e, const char *contract_id)
{
	const struct cslot *c = book_cslot_c(e, contract_id);

	return c != NULL && c->missing && !c->known;
}

const struct quote *engine_quote(const struct engine *e, const char *contract_id)
{
	const struct cslot *c = book_cslot_c(e, contract_id);

	if (c == NULL || (isnan(c->q.last) && isnan(c->q.bid) && isnan(c->q.ask)))
		return NULL;
	return &c->q;
}

bool engine_quote_fresh(const struct engine *e, const struct quote *q)
{
	int64_t max_age = e->cfg->daemon.quote_max_age_ms > 0 ? e->cfg->daemon.quote_max_age_ms : 10000;

	return q != NULL && e->now - q->at <= max_age;
}

double quote_mark(const struct quote *q)
{
	if (q == NULL)
		return PX_NULL;
	if (!isnan(q->last))
		return q->last;
	if (!isnan(q->bid) && !isnan(q->ask))
		return (q->bid + q->ask) / 2.0;
	return PX_NULL;
}

void market_fill_print(struct engine *e, const char *contract_id, double price, srm_ms at)
{
	struct cslot *c = book_cslot(e, contract_id, false);

	if (c == NULL || isnan(price) || price <= 0 || at <= c->q.at)
		return;
	c->q.last = price;
	c->q.at = at < e->now ? at : e->now;
}

bool engine_pos_unrealized(const struct engine *e, const struct pos *p, bool require_fresh,
			   money_t *out)
{
	const struct cslot *c = p->cs < e->n_cs && strcmp(e->cs[p->cs].k.c.id, p->contract_id) == 0
					? &e->cs[p->cs] : book_cslot_c(e, p->contract_id);

	*out = 0;
	if (c == NULL || !c->known || c->k.c.tick_size <= 0 || c->k.c.tick_value <= 0)
		return false;
	double mark = quote_mark(&c->q);

	if (isnan(mark) || (require_fresh && !engine_quote_fresh(e, &c->q)))
		return false;
	/* contracts a closing fill already put into realized P&L are not also open */
	double v = (mark - p->avg_price) / c->k.c.tick_size * c->k.c.tick_value *
		   (double)pos_open_qty(p, e->now);

	*out = money_from_double(v);
	return true;
}

int engine_acct_unrealized(const struct engine *e, const struct acct *a, bool require_fresh,
			   money_t *out)
{
	int missing = 0;
	money_t sum = 0, v;

	for (size_t i = 0; i < a->n_pos; i++) {
		if (engine_pos_unrealized(e, &a->pos[i], require_fresh, &v))
			sum = money_add(sum, v);
		else
			missing++;
	}
	*out = sum;
	return missing;
}

const char *engine_symbol(const struct engine *e, const char *contract_id)
{
	const struct cslot *c = book_cslot_c(e, contract_id);

	if (c == NULL)
		return "";
	if (c->known && c->k.symbol[0] != '\0')
		return c->k.symbol;
	return c->k.root;
}

bool engine_symbol_matches(const struct engine *e, const char *contract_id, const char *pattern)
{
	const struct cslot *c = book_cslot_c(e, contract_id);
	char root[SRM_SYMBOL_MAX];

	/*
	 * A whole contract id, or one contract by its name with the month ("RTYZ6"), also
	 * matches: only a pattern that could be one is tried against them (a '.', a digit, or
	 * a wildcard), so "MNQ" costs what it did.
	 */
	bool wild = strpbrk(pattern, "*?[") != NULL;
	bool as_id = wild || strchr(pattern, '.') != NULL;
	bool as_name = wild || strpbrk(pattern, "0123456789") != NULL;

	if (as_id && glob_match_ci(pattern, contract_id))
		return true;
	if (c == NULL) {
		root_from_id(contract_id, root, sizeof(root));
		return root[0] != '\0' && glob_match_ci(pattern, root);
	}
	if (c->known && c->k.symbol[0] != '\0' && glob_match_ci(pattern, c->k.symbol))
		return true;
	if (as_name && c->known && c->k.c.name[0] != '\0' && glob_match_ci(pattern, c->k.c.name))
		return true;
	return c->k.root[0] != '\0' && glob_match_ci(pattern, c->k.root);
}
