/*
 * list.h: the rules, in table order (their index is their place here). Adding a rule is a
 * file rNNN_name.c with its rule_def (check, config block, defaults, help, measure), its
 * header rNNN_name.h with the config struct, and one line in each list below.
 */
#ifndef SRM_RULES_LIST_H
#define SRM_RULES_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "rules/r001_max_contracts.h"
#include "rules/r002_max_contracts_per_instrument.h"
#include "rules/r003_daily_realized_loss.h"
#include "rules/r004_daily_unrealized_loss.h"
#include "rules/r005_max_unrealized_profit.h"
#include "rules/r006_trade_frequency_limit.h"
#include "rules/r007_cooldown_after_loss.h"
#include "rules/r008_no_stop_loss_grace.h"
#include "rules/r009_session_block_outside.h"
#include "rules/r010_auth_loss_guard.h"
#include "rules/r011_symbol_blocks.h"
#include "rules/r012_trade_management.h"
#include "rules/r013_max_loss_limit.h"
#include "rules/r014_weekly_limits.h"
#include "rules/r015_consistency.h"

/* X(name): the config key; struct cfg_<name> is its block, rule_<name> its rule_def. */
#define SRM_RULES(X)                                                                          \
	X(max_contracts)                                                                      \
	X(max_contracts_per_instrument)                                                       \
	X(daily_realized_loss)                                                                \
	X(daily_unrealized_loss)                                                              \
	X(max_unrealized_profit)                                                              \
	X(trade_frequency_limit)                                                              \
	X(cooldown_after_loss)                                                                \
	X(no_stop_loss_grace)                                                                 \
	X(session_block_outside)                                                              \
	X(auth_loss_guard)                                                                    \
	X(symbol_blocks)                                                                      \
	X(trade_management)                                                                   \
	X(max_loss_limit)                                                                     \
	X(weekly_limits)                                                                      \
	X(consistency)

/* Every rule's block; an absent block is disabled. */
#define SRM_RULE_CFG_MEMBER(n) struct cfg_##n n;
struct rules_cfg {
	SRM_RULES(SRM_RULE_CFG_MEMBER)
};
#undef SRM_RULE_CFG_MEMBER

/*
 * What the config loader knows of a rule: its key and its block (rule_def.block). The
 * loader reads the rules' blocks through rule_block() and nothing else of them.
 */
struct opt;
struct rule_block {
	const char *name;               /* config key: "max_contracts" (the name above) */
	const char *summary;            /* one line for the example: "total contracts of the account." */
	const struct opt *opts;         /* keys, types, bounds, defaults, help (config/schema.h) */
	size_t cfg_offset;              /* offsetof(struct rules_cfg, <name>) */
};

#define SRM_RULE_COUNT_ONE(n) +1 /* NOLINT(bugprone-macro-parentheses): a term of a sum */
enum { RULE_COUNT = 0 SRM_RULES(SRM_RULE_COUNT_ONE) };
#undef SRM_RULE_COUNT_ONE

/* Rule r's block description (0 <= r < RULE_COUNT), and its id ("RULE-001"). */
const struct rule_block *rule_block(int rule);
const char *rule_block_id(int rule);

/* Is rule r on in this config (its block's `enabled`; every block starts with it)? */
static inline bool rule_block_enabled(const struct rules_cfg *cfg, int rule)
{
	return *(const bool *)((const char *)cfg + rule_block(rule)->cfg_offset);
}

#endif
