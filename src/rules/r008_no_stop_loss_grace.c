/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_no_stop_loss_grace = {"RULE-008", "no_stop_loss_grace", 0, 0, offsetof(struct rules_cfg, no_stop_loss_grace), NULL, NULL};
