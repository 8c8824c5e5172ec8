/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_cooldown_after_loss = {"RULE-007", "cooldown_after_loss", 0, 0, offsetof(struct rules_cfg, cooldown_after_loss), NULL, NULL};
