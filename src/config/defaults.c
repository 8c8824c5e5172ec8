/* defaults.c: config lookups for the engine; pure, no YAML. */
#include "config/config.h"
#include "util/strutil.h"

/* The effective rules for an account: its override if any, else the global rules. */
const struct rules_cfg *config_rules_for(const struct srm_config *cfg, int64_t account_id)
{
	for (size_t i = 0; i < cfg->n_overrides; i++)
		if (cfg->overrides[i].account_id == account_id)
			return &cfg->overrides[i].rules;
	return &cfg->rules;
}

/* Does the account (id, name) fall under `accounts:`? */
bool config_account_selected(const struct srm_config *cfg, int64_t id, const char *name)
{
	if (cfg->accounts.all)
		return true;
	for (size_t i = 0; i < cfg->accounts.n; i++) {
		const struct cfg_account_sel *s = &cfg->accounts.v[i];

		if (s->glob[0] == '\0') {
			if (s->id == id)
				return true;
		} else if (name != NULL && glob_match_ci(s->glob, name)) {
			return true;
		}
	}
	return false;
}
