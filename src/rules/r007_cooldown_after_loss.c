/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_cooldown_after_loss = {"RULE-007", "cooldown_after_loss", 0, 0, NULL, NULL, NULL};
