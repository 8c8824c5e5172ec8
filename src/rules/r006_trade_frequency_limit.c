/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_trade_frequency_limit = {"RULE-006", "trade_frequency_limit", 0, 0, NULL, NULL, NULL};
