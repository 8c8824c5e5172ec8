/* r010_auth_loss_guard.h: RULE-010's config block (auth_loss_guard). */
#ifndef SRM_RULES_R010_H
#define SRM_RULES_R010_H

#include "rules/common.h"

struct cfg_auth_loss_guard {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	bool flatten;
	bool auto_clear;
};

#endif
