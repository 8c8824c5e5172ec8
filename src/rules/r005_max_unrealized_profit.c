/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_max_unrealized_profit = {"RULE-005", "max_unrealized_profit", 0, 0, offsetof(struct rules_cfg, max_unrealized_profit), NULL, NULL};
