/* placeholder: being written */
#include "engine/rule.h"

const struct rule_def rule_no_stop_loss_grace = {"RULE-008", "no_stop_loss_grace", 0, 0, NULL, NULL, NULL};
