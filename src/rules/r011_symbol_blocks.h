/* r011_symbol_blocks.h: RULE-011's config block (symbol_blocks). */
#ifndef SRM_RULES_R011_H
#define SRM_RULES_R011_H

#include "rules/common.h"

struct cfg_symbol_blocks {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	size_t n_symbols;
	char symbols[CFG_MAX_BLOCKED][CFG_GLOB_MAX]; /* exact or glob, case-insensitive */
	bool close_existing;
};

#endif
