/* defaults.c: the documented rule defaults (SPEC §9) and config lookups; pure, no YAML. */
#include <string.h>

#include "config/config.h"
#include "util/strutil.h"

#define MIN_MS(m) ((int64_t)(m) * 60 * 1000)

static struct lockout_spec lk_none(void)
{
	return (struct lockout_spec){ .mode = LOCKOUT_NONE };
}

static struct lockout_spec lk_ms(int64_t ms)
{
	return (struct lockout_spec){ .mode = LOCKOUT_DURATION, .duration_ms = ms };
}

static struct lockout_spec lk_mode(enum lockout_mode m)
{
	return (struct lockout_spec){ .mode = m };
}

/* Every rule at the documented default; `enabled` as in config/srm.example.yaml. */
void config_rules_defaults(struct rules_cfg *r)
{
	memset(r, 0, sizeof(*r));

	r->max_contracts = (struct cfg_max_contracts){
		.enabled = true, .limit = 4, .count = COUNT_NET, .action = SIZE_CLOSE_ALL,
		.lockout = lk_none(),
	};

	struct cfg_max_contracts_per_instrument *pi = &r->max_contracts_per_instrument;
	pi->enabled = true;
	pi->n_limits = 2;
	strlcpy_s(pi->limits[0].symbol, "MNQ", sizeof(pi->limits[0].symbol));
	pi->limits[0].limit = 4;
	strlcpy_s(pi->limits[1].symbol, "ES", sizeof(pi->limits[1].symbol));
	pi->limits[1].limit = 1;
	pi->default_limit = 2;
	pi->unknown_symbol = UNKNOWN_BLOCK;
	pi->action = SIZE_REDUCE_TO_LIMIT;
	pi->lockout = lk_none();

	r->daily_realized_loss = (struct cfg_daily_realized_loss){
		.enabled = true, .loss_limit = money_from_double(500), .include_unrealized = false,
		.include_fees = false, .lockout = lk_mode(LOCKOUT_UNTIL_RESET),
	};
	r->daily_unrealized_loss = (struct cfg_daily_unrealized_loss){
		.enabled = true, .loss_limit = money_from_double(300), .scope = SCOPE_POSITION,
		.lockout = lk_none(),
	};
	r->max_unrealized_profit = (struct cfg_max_unrealized_profit){
		.enabled = false, .target = money_from_double(1000), .scope = SCOPE_POSITION,
		.lockout = lk_none(),
	};
	r->trade_frequency_limit = (struct cfg_trade_frequency_limit){
		.enabled = true, .per_minute = 3, .per_hour = 10, .per_session = 50,
		.cooldown_minute = lk_ms(60 * 1000), .cooldown_hour = lk_ms(MIN_MS(30)),
		.cooldown_session = lk_mode(LOCKOUT_UNTIL_RESET),
	};

	struct cfg_cooldown_after_loss *cl = &r->cooldown_after_loss;
	cl->enabled = true;
	cl->n_tiers = 2;
	cl->tiers[0] = (struct cfg_loss_tier){ money_from_double(100), lk_ms(MIN_MS(5)) };
	cl->tiers[1] = (struct cfg_loss_tier){ money_from_double(300), lk_ms(MIN_MS(30)) };
	cl->consecutive_count = 3;
	cl->consecutive_cooldown = lk_ms(MIN_MS(60));

	r->no_stop_loss_grace = (struct cfg_no_stop_loss_grace){
		.enabled = true, .grace_ms = 30 * 1000, .action = GRACE_CLOSE_POSITION,
	};

	struct cfg_session_block_outside *sb = &r->session_block_outside;
	sb->enabled = false;
	sb->n_windows = 1;
	sb->windows[0] = (struct cfg_window){
		.days = 0x1f, /* sun, mon, tue, wed, thu */
		.start_min = 17 * 60, .end_min = 15 * 60 + 10,
	};
	sb->flatten_at_min = 15 * 60 + 10;
	sb->lockout = lk_mode(LOCKOUT_UNTIL_NEXT_WINDOW);

	r->auth_loss_guard = (struct cfg_auth_loss_guard){
		.enabled = true, .flatten = true, .auto_clear = true,
	};

	struct cfg_symbol_blocks *bl = &r->symbol_blocks;
	bl->enabled = true;
	bl->n_symbols = 1;
	strlcpy_s(bl->symbols[0], "RTY", sizeof(bl->symbols[0]));
	bl->close_existing = true;

	r->trade_management = (struct cfg_trade_management){
		.enabled = false, .auto_stop_enabled = true, .stop_ticks = 20,
		.breakeven_enabled = true, .trigger_ticks = 10, .offset_ticks = 1,
		.trailing_enabled = false, .activation_ticks = 20, .distance_ticks = 10,
	};
}

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
