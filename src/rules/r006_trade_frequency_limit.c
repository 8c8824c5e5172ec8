/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_trade_frequency_limit = {"RULE-006", "trade_frequency_limit", 0, 0, offsetof(struct rules_cfg, trade_frequency_limit), NULL, NULL};
