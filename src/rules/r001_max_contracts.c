/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_max_contracts = {"RULE-001", "max_contracts", 0, 0, offsetof(struct rules_cfg, max_contracts), NULL, NULL};
