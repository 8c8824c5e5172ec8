/* r008_no_stop_loss_grace.h: RULE-008's config block (no_stop_loss_grace). */
#ifndef SRM_RULES_R008_H
#define SRM_RULES_R008_H

#include "rules/common.h"

enum grace_action { GRACE_CLOSE_POSITION = 0, GRACE_PLACE_STOP };

struct cfg_no_stop_loss_grace {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	int64_t grace_ms;
	enum grace_action action;
};

#endif
