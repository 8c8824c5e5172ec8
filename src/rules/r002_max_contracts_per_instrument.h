/* r002_max_contracts_per_instrument.h: RULE-002's config block (max_contracts_per_instrument). */
#ifndef SRM_RULES_R002_H
#define SRM_RULES_R002_H

#include "rules/common.h"

/* unknown_symbol: a contract not in the cache */
enum unknown_symbol_mode { UNKNOWN_BLOCK = 0, UNKNOWN_ALLOW };

struct cfg_max_contracts_per_instrument {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	size_t n_limits;
	struct cfg_symbol_limit limits[CFG_MAX_SYMBOL_LIMITS];
	int default_limit;
	enum unknown_symbol_mode unknown_symbol;
	enum size_action action;
	struct lockout_spec lockout;
	size_t n_weights;             /* what a contract of a symbol counts (MES: 0.1) */
	struct cfg_symbol_weight weights[CFG_MAX_WEIGHTS];
	size_t n_scaling;             /* the firm's scaling plan: the limit by profit, set at the reset */
	struct cfg_scale_step scaling[CFG_MAX_STEPS];
};

#endif
