/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_trade_management = {"RULE-012", "trade_management", 0, 0, NULL, NULL, NULL};
