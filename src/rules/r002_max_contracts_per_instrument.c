/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_max_contracts_per_instrument = {"RULE-002", "max_contracts_per_instrument", 0, 0, offsetof(struct rules_cfg, max_contracts_per_instrument), NULL, NULL};
