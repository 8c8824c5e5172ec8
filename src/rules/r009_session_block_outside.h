/* r009_session_block_outside.h: RULE-009's config block (session_block_outside). */
#ifndef SRM_RULES_R009_H
#define SRM_RULES_R009_H

#include "rules/common.h"

struct cfg_session_block_outside {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	size_t n_windows;
	struct cfg_window windows[CFG_MAX_WINDOWS];
	int flatten_at_min; /* -1: none */
	struct lockout_spec lockout;
};

#endif
