/* rules.c: the rule table: adding a rule is adding a file and a line here. */
#include "engine/rule.h"

extern const struct rule_def rule_max_contracts;
extern const struct rule_def rule_max_contracts_per_instrument;
extern const struct rule_def rule_daily_realized_loss;
extern const struct rule_def rule_daily_unrealized_loss;
extern const struct rule_def rule_max_unrealized_profit;
extern const struct rule_def rule_trade_frequency_limit;
extern const struct rule_def rule_cooldown_after_loss;
extern const struct rule_def rule_no_stop_loss_grace;
extern const struct rule_def rule_session_block_outside;
extern const struct rule_def rule_auth_loss_guard;
extern const struct rule_def rule_symbol_blocks;
extern const struct rule_def rule_trade_management;

const struct rule_def *const rule_table[RULE_COUNT] = {
	&rule_max_contracts,
	&rule_max_contracts_per_instrument,
	&rule_daily_realized_loss,
	&rule_daily_unrealized_loss,
	&rule_max_unrealized_profit,
	&rule_trade_frequency_limit,
	&rule_cooldown_after_loss,
	&rule_no_stop_loss_grace,
	&rule_session_block_outside,
	&rule_auth_loss_guard,
	&rule_symbol_blocks,
	&rule_trade_management,
};

const char *rule_id_name(int rule)
{
	return rule >= 0 && rule < RULE_COUNT ? rule_table[rule]->id : "ENGINE";
}
