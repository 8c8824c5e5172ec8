/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_daily_unrealized_loss = {"RULE-004", "daily_unrealized_loss", 0, 0, offsetof(struct rules_cfg, daily_unrealized_loss), NULL, NULL};
