/*
 * exposure.h: the worst case of positions plus working orders, shared by the size rules
 * (RULE-001 over the account, RULE-002 over a symbol). An order counts while it could open
 * or increase a position (ord_is_exposure, not reducing): what is left of it (size minus
 * fillVolume, once). A suspended bracket leg does not count; an opposite-side order no
 * larger than the position is reducing on its own, however many there are.
 *
 * Counts are in units: contracts times their symbol's weight in millionths (weights: MES 0.1
 * counts ten micros as one mini; a symbol not listed counts 1, i.e. CFG_PPM units).
 */
#ifndef SRM_RULES_EXPOSURE_H
#define SRM_RULES_EXPOSURE_H

#include "engine/rule.h"

struct expo_scope {
	const struct engine *eng;
	/* Is the contract in scope? NULL: every contract of the account. */
	bool (*in)(const struct expo_scope *s, const char *contract_id);
	const void *arg;        /* for in() */
	/* The count: false, net over the scope (|sum| of signed sizes); true, gross. */
	bool gross;
	/* Sum over the scope's contracts of each one's worst |position| (RULE-002's count). */
	bool per_contract;
	/* What a contract of each symbol counts (none: every contract counts 1). */
	const struct cfg_symbol_weight *weights;
	size_t n_weights;
};

/* A contract's weight in the scope, in millionths (CFG_PPM when its symbol is not listed). */
int64_t expo_weight(const struct expo_scope *s, const char *contract_id);

/* The positions alone, counted as the scope counts (units). */
int64_t expo_held(const struct acct *a, const struct expo_scope *s);

/*
 * Close `excess` units of the eligible positions (eligible[i] for a->pos[i]), the position
 * that grew last first: whole positions while they fit in the excess, then a partial close
 * of as many contracts as cover the rest (a 0.1 contract closes one for 0.05 of excess).
 */
void expo_reduce_last_grown(struct rule_ctx *ctx, const struct expo_scope *s, int64_t excess,
			    const bool *eligible, const char *why);

/*
 * The day's limit with a scaling plan: `limit`, or the step the profit since the start
 * allows when that is lower. The profit is RULE-013's: the balance at the day's start less
 * the starting balance (so the limit changes only at the reset); without RULE-013's
 * balances the lowest step. No steps: `limit`. *scaled says the plan set it.
 */
int expo_scaled_limit(const struct engine *e, const struct acct *a, int limit,
		      const struct cfg_scale_step *steps, size_t n_steps, bool *scaled);

/*
 * The most the count could reach if orders filled: net, max(|N + B|, |N - S|) with B and S
 * what is left of the counting buy and sell orders; gross, G + B + S; per contract, the sum
 * of each contract's own net worst case. Orders with skip[i] (i into a->ord; skip may be
 * NULL) are left out.
 */
int64_t expo_worst(const struct acct *a, const struct expo_scope *s, const bool *skip);

/*
 * While the worst case is over bound (units), cancel the counting order that grew last (appeared, or
 * a modify raised what is left) — never a reducing one — and count without it. Each cancel's
 * reason: "order N would take WHAT contracts to W, over limit L" + suffix. Before the first
 * cancel, the lockout lk (of symbol, NULL: the account; lk NULL: none) starts with that
 * reason. Returns how many were cancelled.
 */
size_t expo_cancel_excess(struct rule_ctx *ctx, const struct expo_scope *s, int64_t bound,
			  const char *what, int limit, const char *suffix,
			  const struct lockout_spec *lk, const char *symbol);

#endif
