/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_daily_realized_loss = {"RULE-003", "daily_realized_loss", 0, 0, offsetof(struct rules_cfg, daily_realized_loss), NULL, NULL};
