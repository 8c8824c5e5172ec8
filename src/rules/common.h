/* common.h: config values shared by several rules' blocks (their names are the YAML words). */
#ifndef SRM_RULES_COMMON_H
#define SRM_RULES_COMMON_H

#include "config/schema.h"

/* max_contracts.action, max_contracts_per_instrument.action */
enum size_action { SIZE_CLOSE_ALL = 0, SIZE_REDUCE_TO_LIMIT };
extern const char *const size_action_names[];
/* daily_unrealized_loss.scope, max_unrealized_profit.scope */
enum scope_mode { SCOPE_POSITION = 0, SCOPE_ACCOUNT };
extern const char *const scope_names[];

#endif
