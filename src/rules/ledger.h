/*
 * ledger.h: the trading days of a longer period (RULE-014's week, RULE-015's payout cycle),
 * kept in a rule's persisted memory: the finished days' totals, and today's as last seen, so
 * a day whose reset srmd slept through is folded in when srmd comes back. Today itself is
 * what the engine counts (its fills deduplicated, voided ones out, restored after a restart).
 */
#ifndef SRM_RULES_LEDGER_H
#define SRM_RULES_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/rule.h"

struct day_ledger {
	srm_ms day_start;       /* the trading day the day_ totals are of */
	money_t prior_pnl;      /* the period's days before day_start */
	money_t prior_fees;
	int64_t prior_trades;
	money_t day_pnl;        /* the day_start day as last seen */
	money_t day_fees;
	int64_t day_trades;
};

/* A new period whose first day is day_start. */
void ledger_begin(struct day_ledger *l, srm_ms day_start);
/* Today is day_start: the day last seen joins the earlier days (nothing when it is today). */
void ledger_roll(struct day_ledger *l, srm_ms day_start);
/* Today's totals as the engine counts them now; true when they changed. */
bool ledger_see(struct day_ledger *l, const struct acct *a);
/* The daily reset (the engine's last reset is now day_start): today joins the earlier days. */
void ledger_reset(struct day_ledger *l, srm_ms day_start);
/* The earlier days' P&L (net of fees when asked), and with today's from the engine. */
money_t ledger_prior(const struct day_ledger *l, bool net_of_fees);
money_t ledger_today(const struct acct *a, bool net_of_fees);
/* The period so far (earlier days plus today): P&L and fills. */
void ledger_totals(const struct day_ledger *l, const struct acct *a, bool net_of_fees,
		   money_t *pnl, int64_t *trades);

/*
 * The date a trading day is known by: the exchange date it ends on (the session that opens
 * Sunday 17:00 CT is Monday's), in days since 1970-01-01.
 */
int32_t ledger_trading_date(const struct engine *e, srm_ms day_start);

#endif
