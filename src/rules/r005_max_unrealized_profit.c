/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_max_unrealized_profit = {"RULE-005", "max_unrealized_profit", 0, 0, NULL, NULL, NULL};
