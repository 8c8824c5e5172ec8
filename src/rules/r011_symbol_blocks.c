/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_symbol_blocks = {"RULE-011", "symbol_blocks", 0, 0, offsetof(struct rules_cfg, symbol_blocks), NULL, NULL};
