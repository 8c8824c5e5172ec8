/* r001_max_contracts.h: RULE-001's config block (max_contracts). */
#ifndef SRM_RULES_R001_H
#define SRM_RULES_R001_H

#include "rules/common.h"

enum count_mode { COUNT_NET = 0, COUNT_GROSS };

struct cfg_max_contracts {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	int limit;
	enum count_mode count;
	enum size_action action;
	struct lockout_spec lockout;
	size_t n_weights;             /* what a contract of a symbol counts (MES: 0.1) */
	struct cfg_symbol_weight weights[CFG_MAX_WEIGHTS];
	size_t n_scaling;             /* the firm's scaling plan: the limit by profit, set at the reset */
	struct cfg_scale_step scaling[CFG_MAX_STEPS];
};

#endif
