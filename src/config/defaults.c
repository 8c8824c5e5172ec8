/* defaults.c: config lookups for the engine; pure, no YAML. */
#include "config/config.h"
#include "util/strutil.h"

/* The effective rules for an account: its override if any, else the global rules. */
static bool sel_match(const struct cfg_account_sel *s, int64_t id, const char *name)
{
	if (s->glob[0] == '\0')
		return s->id == id;
	return name != NULL && glob_match_ci(s->glob, name);
}

int config_profile_for(const struct srm_config *cfg, int64_t account_id, const char *name)
{
	for (size_t p = 0; p < cfg->n_profiles; p++)
		for (size_t i = 0; i < cfg->profiles[p].n_sel; i++)
			if (sel_match(&cfg->profiles[p].sel[i], account_id, name))
				return (int)p;
	return -1;
}

const struct rules_cfg *config_rules_for_account(const struct srm_config *cfg, int64_t account_id,
						 const char *name)
{
	int p = config_profile_for(cfg, account_id, name);

	for (size_t i = 0; i < cfg->n_overrides; i++) {
		const struct cfg_override *o = &cfg->overrides[i];

		if (o->account_id == account_id)
			return p >= 0 && o->held != NULL ? &o->held[p] : &o->rules;
	}
	return p >= 0 ? &cfg->profiles[p].held : &cfg->rules;
}

const struct rules_cfg *config_rules_for(const struct srm_config *cfg, int64_t account_id)
{
	return config_rules_for_account(cfg, account_id, NULL);
}

/* Does the account (id, name) fall under `accounts:`? */
bool config_account_selected(const struct srm_config *cfg, int64_t id, const char *name)
{
	if (cfg->accounts.all)
		return true;
	for (size_t i = 0; i < cfg->accounts.n; i++) {
		const struct cfg_account_sel *s = &cfg->accounts.v[i];

		if (sel_match(s, id, name))
			return true;
	}
	return false;
}
