/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_trade_management = {"RULE-012", "trade_management", 0, 0, offsetof(struct rules_cfg, trade_management), NULL, NULL};
