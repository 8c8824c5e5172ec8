/* view.h: the engine's state as JSON for the CLI (status, lockouts, rules), built read-only. */
#ifndef SRM_DAEMON_VIEW_H
#define SRM_DAEMON_VIEW_H

#include <cjson/cJSON.h>

#include "engine/engine.h"

/* One action, the fields of `srm replay`'s lines (built directly, not printed and parsed). */
cJSON *view_action(const struct srm_action *a);
/* One lockout: {"rule","reason","since","until","symbol"?}. */
cJSON *view_lockout(const struct engine *e, const struct lockout *l);
/* Every lockout of an account (account_id 0: all accounts, with "accountId"). */
cJSON *view_lockouts(const struct engine *e, int64_t account_id);
/* One account as `srm status --json` shows it. */
cJSON *view_account(const struct engine *e, const struct acct *a);
/* The rules of an account with their limits and how much of each is used. */
cJSON *view_rules(const struct engine *e, const struct acct *a);

#endif
