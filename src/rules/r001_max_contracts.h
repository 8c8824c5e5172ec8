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
};

#endif
