/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_symbol_blocks = {"RULE-011", "symbol_blocks", 0, 0, NULL, NULL, NULL};
