/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_auth_loss_guard = {"RULE-010", "auth_loss_guard", 0, 0, offsetof(struct rules_cfg, auth_loss_guard), NULL, NULL};
