/* ledger.c: a period's trading days in a rule's persisted memory (see ledger.h). */
#include "rules/ledger.h"

#include "engine/calendar.h"

void ledger_begin(struct day_ledger *l, srm_ms day_start)
{
	*l = (struct day_ledger){ .day_start = day_start };
}

static void fold(struct day_ledger *l)
{
	l->prior_pnl = money_add(l->prior_pnl, l->day_pnl);
	l->prior_fees = money_add(l->prior_fees, l->day_fees);
	l->prior_trades += l->day_trades;
	l->day_pnl = l->day_fees = 0;
	l->day_trades = 0;
}

void ledger_roll(struct day_ledger *l, srm_ms day_start)
{
	if (l->day_start == day_start)
		return;
	fold(l);
	l->day_start = day_start;
}

bool ledger_see(struct day_ledger *l, const struct acct *a)
{
	bool changed = l->day_pnl != a->realized || l->day_fees != a->fees ||
		       l->day_trades != a->tc.session;

	l->day_pnl = a->realized;
	l->day_fees = a->fees;
	l->day_trades = a->tc.session;
	return changed;
}

void ledger_reset(struct day_ledger *l, srm_ms day_start)
{
	if (l->day_start == day_start)
		fold(l); /* an admin's reset of the day: what the day did so far stays */
	else
		ledger_roll(l, day_start);
}

money_t ledger_prior(const struct day_ledger *l, bool net_of_fees)
{
	return net_of_fees ? money_add(l->prior_pnl, -l->prior_fees) : l->prior_pnl;
}

money_t ledger_today(const struct acct *a, bool net_of_fees)
{
	return net_of_fees ? money_add(a->realized, -a->fees) : a->realized;
}

void ledger_totals(const struct day_ledger *l, const struct acct *a, bool net_of_fees,
		   money_t *pnl, int64_t *trades)
{
	*pnl = money_add(ledger_prior(l, net_of_fees), ledger_today(a, net_of_fees));
	*trades = l->prior_trades + a->tc.session;
}

int32_t ledger_trading_date(const struct engine *e, srm_ms day_start)
{
	struct tz_local lt;

	/* a day later less a moment: the date the session ends on, whatever the reset's hour */
	tz_localtime(engine_calendar(e)->zone, day_start + 86400000 - 1, &lt);
	return lt.days;
}
