/* r012_trade_management.h: RULE-012's config block (trade_management). */
#ifndef SRM_RULES_R012_H
#define SRM_RULES_R012_H

#include "rules/common.h"

struct cfg_trade_management {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	bool auto_stop_enabled;
	int stop_ticks;
	bool breakeven_enabled;
	int trigger_ticks, offset_ticks;
	bool trailing_enabled;
	int activation_ticks, distance_ticks;
};

#endif
