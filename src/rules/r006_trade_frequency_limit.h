/* r006_trade_frequency_limit.h: RULE-006's config block (trade_frequency_limit). */
#ifndef SRM_RULES_R006_H
#define SRM_RULES_R006_H

#include "rules/common.h"

/* A limit of 0 is off for that window. */
struct cfg_trade_frequency_limit {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	int per_minute, per_hour, per_session;
	struct lockout_spec cooldown_minute, cooldown_hour, cooldown_session;
};

#endif
