/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_daily_realized_loss = {"RULE-003", "daily_realized_loss", 0, 0, NULL, NULL, NULL};
