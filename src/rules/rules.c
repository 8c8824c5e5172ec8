/* rules.c: the rule table, in the order of rules/list.h, and the words several rules share. */
#include "engine/rule.h"

#define SRM_RULE_EXTERN(n) extern const struct rule_def rule_##n;
SRM_RULES(SRM_RULE_EXTERN)
#undef SRM_RULE_EXTERN

#define SRM_RULE_ENTRY(n) &rule_##n,
const struct rule_def *const rule_table[RULE_COUNT] = { SRM_RULES(SRM_RULE_ENTRY) };
#undef SRM_RULE_ENTRY

const char *const size_action_names[] = { "close_all", "reduce_to_limit", NULL };
const char *const scope_names[] = { "position", "account", NULL };

const char *rule_id_name(int rule)
{
	return rule >= 0 && rule < RULE_COUNT ? rule_table[rule]->id : "ENGINE";
}

const struct rule_block *rule_block(int rule)
{
	return &rule_table[rule]->block;
}

const char *rule_block_id(int rule)
{
	return rule_table[rule]->id;
}
