/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_daily_unrealized_loss = {"RULE-004", "daily_unrealized_loss", 0, 0, NULL, NULL, NULL};
