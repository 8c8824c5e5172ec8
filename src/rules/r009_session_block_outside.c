/* placeholder: being written */
#include <stddef.h>

#include "engine/rule.h"

const struct rule_def rule_session_block_outside = {"RULE-009", "session_block_outside", 0, 0, offsetof(struct rules_cfg, session_block_outside), NULL, NULL};
