/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_max_contracts = {"RULE-001", "max_contracts", 0, 0, NULL, NULL, NULL};
