/*
 * exposure.h: the worst case of positions plus working orders, shared by the size rules
 * (RULE-001 over the account, RULE-002 over a symbol). An order counts while it could open
 * or increase a position (ord_is_exposure, not reducing): what is left of it (size minus
 * fillVolume, once). A suspended bracket leg does not count; an opposite-side order no
 * larger than the position is reducing on its own, however many there are.
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
};

/* The positions alone, counted as the scope counts. */
long expo_held(const struct acct *a, const struct expo_scope *s);

/*
 * The most the count could reach if orders filled: net, max(|N + B|, |N - S|) with B and S
 * what is left of the counting buy and sell orders; gross, G + B + S; per contract, the sum
 * of each contract's own net worst case. Orders with skip[i] (i into a->ord; skip may be
 * NULL) are left out.
 */
long expo_worst(const struct acct *a, const struct expo_scope *s, const bool *skip);

/*
 * While the worst case is over bound, cancel the counting order that grew last (appeared, or
 * a modify raised what is left) — never a reducing one — and count without it. Each cancel's
 * reason: "order N would take WHAT contracts to W, over limit L" + suffix. Before the first
 * cancel, the lockout lk (of symbol, NULL: the account; lk NULL: none) starts with that
 * reason. Returns how many were cancelled.
 */
size_t expo_cancel_excess(struct rule_ctx *ctx, const struct expo_scope *s, long bound,
			  const char *what, int limit, const char *suffix,
			  const struct lockout_spec *lk, const char *symbol);

#endif
