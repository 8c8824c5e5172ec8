/* test_config.c: the YAML config loader: example file, defaults, errors with lines, overrides. */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#define FIXTURE(f) SRM_TEST_DATA "/../config/" f
#define EXAMPLE SRM_TEST_DATA "/../../config/srm.example.yaml"

/* Does any diagnostic contain needle? (prints them all when not, to debug a failure) */
static bool has_msg(const struct config_diag *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], needle) != NULL)
			return true;
	fprintf(stderr, "no diagnostic contains \"%s\"; got %zu:\n", needle, d->n);
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "  %s\n", d->msgs[i]);
	return false;
}

static bool any_msg_contains(const struct config_diag *d, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], needle) != NULL)
			return true;
	return false;
}

/* Load text that must be valid. */
static struct srm_config *load_ok(const char *text)
{
	struct config_diag d;
	struct srm_config *cfg = config_load_string(text, "t.yaml", &d);

	if (cfg == NULL) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "  %s\n", d.msgs[i]);
		fail_msg("config did not load");
	}
	assert_int_equal(d.n, 0);
	return cfg;
}

/* Load text that must fail; the diagnostics are left in d. */
static void load_bad(const char *text, struct config_diag *d)
{
	struct srm_config *cfg = config_load_string(text, "t.yaml", d);

	assert_null(cfg);
	assert_true(d->n > 0);
}

static void set_creds(void)
{
	setenv("PROJECTX_USERNAME", "trader1", 1);
	setenv("PROJECTX_API_KEY", "sekrit-key-123", 1);
}

static void test_example_file(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;
	struct rules_cfg def;

	(void)state;
	set_creds();
	setenv("HOME", "/home/tester", 1);
	cfg = config_load(EXAMPLE, &d);
	for (size_t i = 0; cfg == NULL && i < d.n; i++)
		fprintf(stderr, "  %s\n", d.msgs[i]);
	assert_non_null(cfg);

	assert_string_equal(cfg->path, EXAMPLE);
	assert_string_equal(cfg->gateway.api_url, "https://api.topstepx.com");
	assert_string_equal(cfg->gateway.user_hub_url, "https://rtc.topstepx.com/hubs/user");
	assert_string_equal(cfg->gateway.market_hub_url, "https://rtc.topstepx.com/hubs/market");
	assert_string_equal(cfg->gateway.username, "trader1");
	assert_string_equal(cfg->gateway.api_key, "sekrit-key-123");
	assert_null(cfg->gateway.ca_file);
	assert_true(cfg->accounts.all);
	assert_string_equal(cfg->daemon.state_dir, "/home/tester/.local/state/srm");
	assert_string_equal(cfg->daemon.log_level, "info");
	assert_string_equal(cfg->daemon.timezone, "America/Chicago");
	assert_int_equal(cfg->daemon.reset_min, 17 * 60);
	assert_int_equal(cfg->daemon.n_holidays, 1);
	assert_int_equal(cfg->daemon.holidays[0], 20812); /* 2026-12-25 */
	assert_false(cfg->daemon.dry_run);
	assert_int_equal(cfg->daemon.quote_max_age_ms, 10000);
	assert_null(cfg->admin.password_hash);

	/* The example's rules are exactly the documented defaults. */
	config_rules_defaults(&def);
	assert_true(cfg->rules.max_contracts.enabled);
	assert_int_equal(cfg->rules.max_contracts.limit, 4);
	assert_int_equal(cfg->rules.max_contracts_per_instrument.n_limits, 2);
	assert_string_equal(cfg->rules.max_contracts_per_instrument.limits[0].symbol, "MNQ");
	assert_int_equal(cfg->rules.max_contracts_per_instrument.limits[1].limit, 1);
	assert_int_equal(cfg->rules.daily_realized_loss.loss_limit, 50000);
	assert_int_equal(cfg->rules.daily_realized_loss.lockout.mode, LOCKOUT_UNTIL_RESET);
	assert_false(cfg->rules.max_unrealized_profit.enabled);
	assert_false(cfg->rules.session_block_outside.enabled);
	assert_false(cfg->rules.trade_management.enabled);
	assert_int_equal(cfg->rules.session_block_outside.windows[0].days, 0x1f);
	assert_int_equal(cfg->rules.session_block_outside.lockout.mode, LOCKOUT_UNTIL_NEXT_WINDOW);
	/* field by field: padding bytes are not part of the value (memcmp fails under ASan) */
	assert_int_equal(cfg->rules.max_contracts.count, def.max_contracts.count);
	assert_int_equal(cfg->rules.max_contracts.action, def.max_contracts.action);
	assert_int_equal(cfg->rules.max_contracts.lockout.mode, def.max_contracts.lockout.mode);
	assert_int_equal(cfg->rules.max_contracts_per_instrument.default_limit,
			 def.max_contracts_per_instrument.default_limit);
	assert_int_equal(cfg->rules.max_contracts_per_instrument.unknown_symbol,
			 def.max_contracts_per_instrument.unknown_symbol);
	assert_int_equal(cfg->rules.daily_unrealized_loss.loss_limit, def.daily_unrealized_loss.loss_limit);
	assert_int_equal(cfg->rules.daily_unrealized_loss.scope, def.daily_unrealized_loss.scope);
	assert_int_equal(cfg->rules.max_unrealized_profit.target, def.max_unrealized_profit.target);
	assert_int_equal(cfg->rules.trade_frequency_limit.per_minute, def.trade_frequency_limit.per_minute);
	assert_int_equal(cfg->rules.trade_frequency_limit.per_hour, def.trade_frequency_limit.per_hour);
	assert_int_equal(cfg->rules.trade_frequency_limit.per_session, def.trade_frequency_limit.per_session);
	assert_int_equal(cfg->rules.trade_frequency_limit.cooldown_minute.duration_ms,
			 def.trade_frequency_limit.cooldown_minute.duration_ms);
	assert_int_equal(cfg->rules.trade_frequency_limit.cooldown_hour.duration_ms,
			 def.trade_frequency_limit.cooldown_hour.duration_ms);
	assert_int_equal(cfg->rules.trade_frequency_limit.cooldown_session.mode,
			 def.trade_frequency_limit.cooldown_session.mode);
	assert_int_equal(cfg->rules.cooldown_after_loss.n_tiers, def.cooldown_after_loss.n_tiers);
	for (size_t i = 0; i < def.cooldown_after_loss.n_tiers; i++) {
		assert_int_equal(cfg->rules.cooldown_after_loss.tiers[i].loss, def.cooldown_after_loss.tiers[i].loss);
		assert_int_equal(cfg->rules.cooldown_after_loss.tiers[i].cooldown.duration_ms,
				 def.cooldown_after_loss.tiers[i].cooldown.duration_ms);
	}
	assert_int_equal(cfg->rules.cooldown_after_loss.consecutive_count, def.cooldown_after_loss.consecutive_count);
	assert_int_equal(cfg->rules.cooldown_after_loss.consecutive_cooldown.duration_ms,
			 def.cooldown_after_loss.consecutive_cooldown.duration_ms);
	assert_int_equal(cfg->rules.no_stop_loss_grace.grace_ms, def.no_stop_loss_grace.grace_ms);
	assert_int_equal(cfg->rules.no_stop_loss_grace.action, def.no_stop_loss_grace.action);
	assert_int_equal(cfg->rules.session_block_outside.windows[0].start_min,
			 def.session_block_outside.windows[0].start_min);
	assert_int_equal(cfg->rules.session_block_outside.windows[0].end_min,
			 def.session_block_outside.windows[0].end_min);
	assert_int_equal(cfg->rules.session_block_outside.flatten_at_min, def.session_block_outside.flatten_at_min);
	assert_true(cfg->rules.auth_loss_guard.flatten && cfg->rules.auth_loss_guard.auto_clear);
	assert_int_equal(cfg->rules.symbol_blocks.n_symbols, 1);
	assert_string_equal(cfg->rules.symbol_blocks.symbols[0], def.symbol_blocks.symbols[0]);
	assert_int_equal(cfg->rules.symbol_blocks.close_existing, def.symbol_blocks.close_existing);
	assert_int_equal(cfg->rules.trade_management.stop_ticks, def.trade_management.stop_ticks);
	assert_int_equal(cfg->rules.trade_management.trigger_ticks, def.trade_management.trigger_ticks);
	assert_int_equal(cfg->rules.trade_management.offset_ticks, def.trade_management.offset_ticks);
	assert_int_equal(cfg->rules.trade_management.activation_ticks, def.trade_management.activation_ticks);
	assert_int_equal(cfg->rules.trade_management.distance_ticks, def.trade_management.distance_ticks);
	assert_int_equal(cfg->rules.trade_management.trailing_enabled, def.trade_management.trailing_enabled);

	/* The override: limit 2 for 12345, every other key inherited. */
	assert_int_equal(cfg->n_overrides, 1);
	assert_int_equal(cfg->overrides[0].account_id, 12345);
	const struct rules_cfg *o = config_rules_for(cfg, 12345);

	assert_ptr_equal(o, &cfg->overrides[0].rules);
	assert_int_equal(o->max_contracts.limit, 2);
	assert_true(o->max_contracts.enabled);
	assert_int_equal(o->max_contracts.count, COUNT_NET);
	assert_int_equal(o->daily_realized_loss.loss_limit, 50000);
	assert_int_equal(config_rules_for(cfg, 999)->max_contracts.limit, 4);
	config_free(cfg);
}

static void test_defaults_values(void **state)
{
	struct rules_cfg r;

	(void)state;
	config_rules_defaults(&r);
	assert_true(r.max_contracts.enabled);
	assert_int_equal(r.max_contracts.limit, 4);
	assert_int_equal(r.max_contracts.count, COUNT_NET);
	assert_int_equal(r.max_contracts.action, SIZE_CLOSE_ALL);
	assert_int_equal(r.max_contracts.lockout.mode, LOCKOUT_NONE);
	assert_int_equal(r.max_contracts_per_instrument.default_limit, 2);
	assert_int_equal(r.max_contracts_per_instrument.unknown_symbol, UNKNOWN_BLOCK);
	assert_int_equal(r.max_contracts_per_instrument.action, SIZE_REDUCE_TO_LIMIT);
	assert_string_equal(r.max_contracts_per_instrument.limits[1].symbol, "ES");
	assert_false(r.daily_realized_loss.include_unrealized);
	assert_false(r.daily_realized_loss.include_fees);
	assert_int_equal(r.daily_unrealized_loss.loss_limit, 30000);
	assert_int_equal(r.daily_unrealized_loss.scope, SCOPE_POSITION);
	assert_false(r.max_unrealized_profit.enabled);
	assert_int_equal(r.max_unrealized_profit.target, 100000);
	assert_int_equal(r.trade_frequency_limit.per_minute, 3);
	assert_int_equal(r.trade_frequency_limit.per_hour, 10);
	assert_int_equal(r.trade_frequency_limit.per_session, 50);
	assert_int_equal(r.trade_frequency_limit.cooldown_minute.duration_ms, 60000);
	assert_int_equal(r.trade_frequency_limit.cooldown_hour.duration_ms, 30 * 60000);
	assert_int_equal(r.trade_frequency_limit.cooldown_session.mode, LOCKOUT_UNTIL_RESET);
	assert_int_equal(r.cooldown_after_loss.n_tiers, 2);
	assert_int_equal(r.cooldown_after_loss.tiers[0].loss, 10000);
	assert_int_equal(r.cooldown_after_loss.tiers[0].cooldown.duration_ms, 5 * 60000);
	assert_int_equal(r.cooldown_after_loss.tiers[1].loss, 30000);
	assert_int_equal(r.cooldown_after_loss.tiers[1].cooldown.duration_ms, 30 * 60000);
	assert_int_equal(r.cooldown_after_loss.consecutive_count, 3);
	assert_int_equal(r.cooldown_after_loss.consecutive_cooldown.duration_ms, 3600000);
	assert_int_equal(r.no_stop_loss_grace.grace_ms, 30000);
	assert_int_equal(r.no_stop_loss_grace.action, GRACE_CLOSE_POSITION);
	assert_false(r.session_block_outside.enabled);
	assert_int_equal(r.session_block_outside.windows[0].start_min, 1020);
	assert_int_equal(r.session_block_outside.windows[0].end_min, 910);
	assert_int_equal(r.session_block_outside.flatten_at_min, 910);
	assert_true(r.auth_loss_guard.flatten);
	assert_true(r.auth_loss_guard.auto_clear);
	assert_int_equal(r.symbol_blocks.n_symbols, 1);
	assert_string_equal(r.symbol_blocks.symbols[0], "RTY");
	assert_true(r.symbol_blocks.close_existing);
	assert_false(r.trade_management.enabled);
	assert_true(r.trade_management.auto_stop_enabled);
	assert_int_equal(r.trade_management.stop_ticks, 20);
	assert_true(r.trade_management.breakeven_enabled);
	assert_int_equal(r.trade_management.trigger_ticks, 10);
	assert_int_equal(r.trade_management.offset_ticks, 1);
	assert_false(r.trade_management.trailing_enabled);
	assert_int_equal(r.trade_management.activation_ticks, 20);
	assert_int_equal(r.trade_management.distance_ticks, 10);
}

static void test_absent_blocks_disabled_and_defaults(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;
	char sock[64];

	(void)state;
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	cfg = config_load(FIXTURE("minimal.yaml"), &d);
	assert_non_null(cfg);
	assert_true(cfg->rules.max_contracts.enabled);
	assert_int_equal(cfg->rules.max_contracts.limit, 3);
	assert_int_equal(cfg->rules.max_contracts.action, SIZE_CLOSE_ALL); /* absent key: default */
	assert_false(cfg->rules.daily_realized_loss.enabled);             /* absent block: off */
	assert_int_equal(cfg->rules.daily_realized_loss.loss_limit, 50000);
	assert_false(cfg->rules.auth_loss_guard.enabled);
	assert_false(cfg->rules.symbol_blocks.enabled);
	assert_true(cfg->accounts.all);
	assert_string_equal(cfg->daemon.socket, "/run/user/1000/srm.sock");
	assert_string_equal(cfg->daemon.timezone, "America/Chicago");
	assert_string_equal(cfg->gateway.api_url, "https://api.topstepx.com");
	assert_null(cfg->gateway.username);
	assert_int_equal(cfg->n_overrides, 0);
	assert_ptr_equal(config_rules_for(cfg, 1), &cfg->rules);
	config_free(cfg);

	unsetenv("XDG_RUNTIME_DIR");
	cfg = load_ok("rules:\n  max_unrealized_profit: {target: 50}\n  auth_loss_guard: {}\n");
	/* never /tmp (anyone could listen there): the private state directory */
	snprintf(sock, sizeof(sock), "%s/.local/state/srm/srm.sock", getenv("HOME"));
	assert_string_equal(cfg->daemon.socket, sock);
	/* a present block is on (even one whose example default is off) */
	assert_true(cfg->rules.max_unrealized_profit.enabled);
	assert_int_equal(cfg->rules.max_unrealized_profit.target, 5000);
	assert_true(cfg->rules.auth_loss_guard.enabled);
	assert_true(cfg->rules.auth_loss_guard.flatten);
	assert_false(cfg->rules.max_contracts.enabled);
	config_free(cfg);

	cfg = load_ok("daemon:\n# log_level: debug\nrules:\n");
	assert_string_equal(cfg->daemon.log_level, "info");
	assert_false(cfg->rules.max_contracts.enabled);
	config_free(cfg);

	cfg = load_ok("rules:\n  max_contracts: {enabled: false, limit: 1}\n");
	assert_false(cfg->rules.max_contracts.enabled);
	assert_int_equal(cfg->rules.max_contracts.limit, 1);
	config_free(cfg);
}

static const char every_key[] =
	"gateway:\n"
	"  api_url: http://127.0.0.1:9000\n"
	"  user_hub_url: ws://127.0.0.1:9000/hubs/user\n"
	"  market_hub_url: ws://127.0.0.1:9000/hubs/market\n"
	"  username: bob\n"
	"  api_key: k\n"
	"  ca_file: ~/ca.pem\n"
	"accounts: [12345, \"50KTC-*\", 777]\n"
	"daemon:\n"
	"  state_dir: /var/lib/srm\n"
	"  socket: /run/srm.sock\n"
	"  log_level: debug\n"
	"  timezone: Europe/London\n"
	"  reset_time: \"18:30\"\n"
	"  holidays: [\"2026-01-01\", \"2026-12-25\"]\n"
	"  dry_run: true\n"
	"  quote_max_age: 2m\n"
	"admin:\n"
	"  password_hash: \"$y$j9T$abc\"\n"
	"rules:\n"
	"  max_contracts: {limit: 0, count: gross, action: reduce_to_limit, lockout: 15m, dry_run: true}\n"
	"  max_contracts_per_instrument:\n"
	"    {limits: {NQ: 1, mes: 10, CL: 0}, default_limit: 5, unknown_symbol: allow,\n"
	"     action: close_all, lockout: permanent}\n"
	"  daily_realized_loss: {loss_limit: 1250.50, include_unrealized: true, include_fees: yes,\n"
	"                        lockout: permanent}\n"
	"  daily_unrealized_loss: {loss_limit: 75, scope: account, lockout: 2h}\n"
	"  max_unrealized_profit: {target: 600, scope: account, lockout: until_reset}\n"
	"  trade_frequency_limit:\n"
	"    {per_minute: 0, per_hour: 20, per_session: 100,\n"
	"     cooldown: {per_minute: 90s, per_hour: 1h30m, per_session: permanent}}\n"
	"  cooldown_after_loss:\n"
	"    {tiers: [{loss: 500, cooldown: 1h}, {loss: 50, cooldown: 2m}, {loss: 1000, cooldown: until_reset}],\n"
	"     consecutive_losses: {count: 0, cooldown: none}}\n"
	"  no_stop_loss_grace: {grace: 45s, action: place_stop}\n"
	"  session_block_outside:\n"
	"    windows:\n"
	"      - {days: [mon, tue, wed, thu, fri], start: \"08:30\", end: \"15:00\"}\n"
	"      - {days: [sunday], start: \"17:00\", end: \"08:00\"}\n"
	"      - {start: \"00:00\", end: \"01:00\"}\n"
	"    flatten_at: none\n"
	"    lockout: until_next_window\n"
	"  auth_loss_guard: {flatten: false, auto_clear: false}\n"
	"  symbol_blocks: {symbols: [RTY, \"M2*\", cl], close_existing: false}\n"
	"  trade_management:\n"
	"    auto_stop: {enabled: false, stop_ticks: 8}\n"
	"    breakeven: {enabled: false, trigger_ticks: 4, offset_ticks: 0}\n"
	"    trailing: {enabled: true, activation_ticks: 12, distance_ticks: 6}\n";

static void test_every_key_parsed(void **state)
{
	struct srm_config *cfg;
	const struct rules_cfg *r;

	(void)state;
	setenv("HOME", "/home/tester", 1);
	cfg = load_ok(every_key);
	r = &cfg->rules;
	assert_string_equal(cfg->gateway.api_url, "http://127.0.0.1:9000");
	assert_string_equal(cfg->gateway.user_hub_url, "ws://127.0.0.1:9000/hubs/user");
	assert_string_equal(cfg->gateway.market_hub_url, "ws://127.0.0.1:9000/hubs/market");
	assert_string_equal(cfg->gateway.username, "bob");
	assert_string_equal(cfg->gateway.api_key, "k");
	assert_string_equal(cfg->gateway.ca_file, "/home/tester/ca.pem");
	assert_false(cfg->accounts.all);
	assert_int_equal(cfg->accounts.n, 3);
	assert_int_equal(cfg->accounts.v[0].id, 12345);
	assert_string_equal(cfg->accounts.v[1].glob, "50KTC-*");
	assert_int_equal(cfg->accounts.v[2].id, 777);
	assert_string_equal(cfg->daemon.state_dir, "/var/lib/srm");
	assert_string_equal(cfg->daemon.socket, "/run/srm.sock");
	assert_string_equal(cfg->daemon.log_level, "debug");
	assert_string_equal(cfg->daemon.timezone, "Europe/London");
	assert_int_equal(cfg->daemon.reset_min, 18 * 60 + 30);
	assert_int_equal(cfg->daemon.n_holidays, 2);
	assert_int_equal(cfg->daemon.holidays[0], 20454);
	assert_int_equal(cfg->daemon.holidays[1], 20812);
	assert_true(cfg->daemon.dry_run);
	assert_int_equal(cfg->daemon.quote_max_age_ms, 120000);
	assert_string_equal(cfg->admin.password_hash, "$y$j9T$abc");

	assert_true(r->max_contracts.enabled);
	assert_true(r->max_contracts.dry_run);
	assert_int_equal(r->max_contracts.limit, 0);
	assert_int_equal(r->max_contracts.count, COUNT_GROSS);
	assert_int_equal(r->max_contracts.action, SIZE_REDUCE_TO_LIMIT);
	assert_int_equal(r->max_contracts.lockout.mode, LOCKOUT_DURATION);
	assert_int_equal(r->max_contracts.lockout.duration_ms, 15 * 60000);

	const struct cfg_max_contracts_per_instrument *pi = &r->max_contracts_per_instrument;

	assert_false(pi->dry_run);
	assert_int_equal(pi->n_limits, 3);
	assert_string_equal(pi->limits[0].symbol, "NQ");
	assert_int_equal(pi->limits[0].limit, 1);
	assert_string_equal(pi->limits[1].symbol, "mes");
	assert_int_equal(pi->limits[1].limit, 10);
	assert_int_equal(pi->limits[2].limit, 0);
	assert_int_equal(pi->default_limit, 5);
	assert_int_equal(pi->unknown_symbol, UNKNOWN_ALLOW);
	assert_int_equal(pi->action, SIZE_CLOSE_ALL);
	assert_int_equal(pi->lockout.mode, LOCKOUT_PERMANENT);

	assert_int_equal(r->daily_realized_loss.loss_limit, 125050);
	assert_true(r->daily_realized_loss.include_unrealized);
	assert_true(r->daily_realized_loss.include_fees);
	assert_int_equal(r->daily_realized_loss.lockout.mode, LOCKOUT_PERMANENT);
	assert_int_equal(r->daily_unrealized_loss.loss_limit, 7500);
	assert_int_equal(r->daily_unrealized_loss.scope, SCOPE_ACCOUNT);
	assert_int_equal(r->daily_unrealized_loss.lockout.duration_ms, 2 * 3600000);
	assert_true(r->max_unrealized_profit.enabled);
	assert_int_equal(r->max_unrealized_profit.target, 60000);
	assert_int_equal(r->max_unrealized_profit.scope, SCOPE_ACCOUNT);
	assert_int_equal(r->max_unrealized_profit.lockout.mode, LOCKOUT_UNTIL_RESET);

	assert_int_equal(r->trade_frequency_limit.per_minute, 0);
	assert_int_equal(r->trade_frequency_limit.per_hour, 20);
	assert_int_equal(r->trade_frequency_limit.per_session, 100);
	assert_int_equal(r->trade_frequency_limit.cooldown_minute.duration_ms, 90000);
	assert_int_equal(r->trade_frequency_limit.cooldown_hour.duration_ms, 90 * 60000);
	assert_int_equal(r->trade_frequency_limit.cooldown_session.mode, LOCKOUT_PERMANENT);

	/* tiers come back sorted by loss */
	const struct cfg_cooldown_after_loss *cl = &r->cooldown_after_loss;

	assert_int_equal(cl->n_tiers, 3);
	assert_int_equal(cl->tiers[0].loss, 5000);
	assert_int_equal(cl->tiers[0].cooldown.duration_ms, 120000);
	assert_int_equal(cl->tiers[1].loss, 50000);
	assert_int_equal(cl->tiers[2].loss, 100000);
	assert_int_equal(cl->tiers[2].cooldown.mode, LOCKOUT_UNTIL_RESET);
	assert_int_equal(cl->consecutive_count, 0);
	assert_int_equal(cl->consecutive_cooldown.mode, LOCKOUT_NONE);

	assert_int_equal(r->no_stop_loss_grace.grace_ms, 45000);
	assert_int_equal(r->no_stop_loss_grace.action, GRACE_PLACE_STOP);

	const struct cfg_session_block_outside *sb = &r->session_block_outside;

	assert_true(sb->enabled);
	assert_int_equal(sb->n_windows, 3);
	assert_int_equal(sb->windows[0].days, 0x3e);
	assert_int_equal(sb->windows[0].start_min, 8 * 60 + 30);
	assert_int_equal(sb->windows[0].end_min, 15 * 60);
	assert_int_equal(sb->windows[1].days, 0x01);
	assert_int_equal(sb->windows[2].days, 0x7f); /* days absent: every day */
	assert_int_equal(sb->flatten_at_min, -1);
	assert_int_equal(sb->lockout.mode, LOCKOUT_UNTIL_NEXT_WINDOW);

	assert_false(r->auth_loss_guard.flatten);
	assert_false(r->auth_loss_guard.auto_clear);
	assert_int_equal(r->symbol_blocks.n_symbols, 3);
	assert_string_equal(r->symbol_blocks.symbols[1], "M2*");
	assert_string_equal(r->symbol_blocks.symbols[2], "cl");
	assert_false(r->symbol_blocks.close_existing);

	const struct cfg_trade_management *tm = &r->trade_management;

	assert_true(tm->enabled);
	assert_false(tm->auto_stop_enabled);
	assert_int_equal(tm->stop_ticks, 8);
	assert_false(tm->breakeven_enabled);
	assert_int_equal(tm->trigger_ticks, 4);
	assert_int_equal(tm->offset_ticks, 0);
	assert_true(tm->trailing_enabled);
	assert_int_equal(tm->activation_ticks, 12);
	assert_int_equal(tm->distance_ticks, 6);

	assert_true(config_account_selected(cfg, 12345, "whatever"));
	assert_true(config_account_selected(cfg, 777, NULL));
	assert_true(config_account_selected(cfg, 1, "50ktc-v2-123"));
	assert_false(config_account_selected(cfg, 1, "150KTC-1"));
	assert_false(config_account_selected(cfg, 2, NULL));
	config_free(cfg);
}

static void test_unknown_keys_with_lines(void **state)
{
	struct config_diag d;

	(void)state;
	load_bad("rules:\n  max_contracts: {limit: 2}\n  max_contract: {limit: 3}\n", &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
			    "t.yaml:3: rules.max_contract: unknown key (did you mean max_contracts?)");

	load_bad("daemon:\n  log_level: info\n\n  reset_tme: \"17:00\"\n", &d);
	assert_true(has_msg(&d, "t.yaml:4: daemon.reset_tme: unknown key (did you mean reset_time?)"));

	load_bad("gatway:\n  api_url: x\n", &d);
	assert_true(has_msg(&d, "t.yaml:1: gatway: unknown key (did you mean gateway?)"));

	load_bad("frobnicate: 1\n", &d);
	assert_string_equal(d.msgs[0], "t.yaml:1: frobnicate: unknown key");

	load_bad("rules:\n  max_contracts:\n    limit: 2\n    lockot: none\n", &d);
	assert_true(has_msg(&d, "t.yaml:4: rules.max_contracts.lockot: unknown key (did you mean lockout?)"));

	load_bad("rules:\n  trade_frequency_limit:\n    cooldown: {per_minite: 1m}\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.trade_frequency_limit.cooldown.per_minite: unknown key"));

	load_bad("rules:\n  max_contracts: {limit: 4}\noverrides:\n  \"12345\":\n    rules:\n"
		 "      max_contracts: {limt: 2}\n", &d);
	assert_true(has_msg(&d, "t.yaml:6: overrides.12345.rules.max_contracts.limt: unknown key "
			    "(did you mean limit?)"));

	load_bad("overrides:\n  \"12345\":\n    rule: {}\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: overrides.12345.rule: unknown key (did you mean rules?)"));

	load_bad("rules:\n  cooldown_after_loss:\n    tiers:\n      - {loss: 100, cooldwn: 5m}\n", &d);
	assert_true(has_msg(&d, "t.yaml:4: rules.cooldown_after_loss.tiers[0].cooldwn: unknown key"));
	assert_true(has_msg(&d, "t.yaml:4: rules.cooldown_after_loss.tiers[0].cooldown: required key is missing"));

	load_bad("rules:\n  max_contracts: {limit: 2, limit: 3}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.max_contracts.limit: duplicate key"));
}

static void test_bad_values(void **state)
{
	struct config_diag d;

	(void)state;
	load_bad("rules:\n  max_contracts:\n    limit: -3\n", &d);
	assert_string_equal(d.msgs[0],
			    "t.yaml:3: rules.max_contracts.limit: must be an integer >= 0, got -3");
	load_bad("rules:\n  max_contracts: {limit: [1, 2]}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.max_contracts.limit: must be a single value, got a list"));
	load_bad("rules:\n  max_contracts: {limit: 2.5}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.limit: must be an integer >= 0, got 2.5"));
	load_bad("rules:\n  max_contracts: 4\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.max_contracts: must be a mapping of keys, got 4"));
	load_bad("rules:\n  max_contracts: {enabled: maybe}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.enabled: must be true or false, got maybe"));
	load_bad("rules:\n  max_contracts: {count: both}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.count: must be one of net, gross, got both"));
	load_bad("rules:\n  daily_realized_loss: {loss_limit: -500}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.daily_realized_loss.loss_limit: must be a positive amount"));
	load_bad("rules:\n  daily_realized_loss: {loss_limit: 0}\n", &d);
	assert_true(has_msg(&d, "rules.daily_realized_loss.loss_limit: must be a positive amount"));
	load_bad("rules:\n  daily_realized_loss: {loss_limit: $500}\n", &d);
	assert_true(has_msg(&d, "got $500"));
	load_bad("rules:\n  no_stop_loss_grace: {grace: 30 seconds}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.no_stop_loss_grace.grace: must be a duration like 90s, 15m or 2h, at most 366d, got 30 seconds"));
	load_bad("rules:\n  max_contracts: {lockout: forever}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.max_contracts.lockout: must be none, a duration (90s, 15m, 2h; at most 366d), until_reset or permanent, got forever"));
	/* a duration that overflowed into the past once: refused, with the bound */
	load_bad("rules:\n  max_contracts: {lockout: 2562047788015h}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.max_contracts.lockout: must be none, a duration (90s, 15m, 2h; at most 366d)"));
	load_bad("rules:\n  max_contracts: {lockout: 367d}\n", &d);
	assert_int_equal(d.n, 1);
	load_bad("rules:\n  max_contracts: {lockout: until_next_window}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.lockout: must be none"));
	load_bad("rules:\n  max_contracts: {lockout: 0s}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.lockout: must be none"));
	load_bad("daemon:\n  reset_time: \"24:00\"\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: daemon.reset_time: must be a time \"HH:MM\" (00:00 to 23:59), got 24:00"));
	load_bad("rules:\n  session_block_outside:\n    windows:\n      - {days: [mon, fun], start: \"9:30\", end: \"16\"}\n", &d);
	assert_true(has_msg(&d, "t.yaml:4: rules.session_block_outside.windows[0].days[1]: must be a day: sun, mon, tue, wed, thu, fri or sat, got fun"));
	assert_true(has_msg(&d, "t.yaml:4: rules.session_block_outside.windows[0].end: must be a time"));
	assert_false(any_msg_contains(&d, "windows[0].start"));
	load_bad("rules:\n  session_block_outside:\n    windows: []\n", &d);
	assert_true(has_msg(&d, "rules.session_block_outside.windows: must list at least one window"));
	load_bad("rules:\n  session_block_outside: {flatten_at: \"3pm\"}\n", &d);
	assert_true(has_msg(&d, "rules.session_block_outside.flatten_at: must be a time \"HH:MM\" (00:00 to 23:59) or none, got 3pm"));
	load_bad("daemon:\n  holidays: [\"2026-02-30\"]\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: daemon.holidays[0]: must be a date \"YYYY-MM-DD\", got 2026-02-30"));
	load_bad("daemon:\n  holidays: 2026-12-25\n", &d);
	assert_true(has_msg(&d, "daemon.holidays: must be a list of dates, got 2026-12-25"));
	load_bad("daemon:\n  log_level: verbose\n", &d);
	assert_true(has_msg(&d, "daemon.log_level: must be one of debug, info, warn, error, got verbose"));
	load_bad("daemon:\n  timezone: Mars/Olympus\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: daemon.timezone: unknown time zone"));
	load_bad("daemon:\n  quote_max_age: 0s\n", &d);
	assert_true(has_msg(&d, "daemon.quote_max_age: must be a duration"));
	load_bad("daemon:\n  state_dir: \"\"\n", &d);
	assert_true(has_msg(&d, "daemon.state_dir: must not be empty"));
	load_bad("rules:\n  max_contracts_per_instrument: {limits: {MNQ: -1, ES: x}}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts_per_instrument.limits.MNQ: must be an integer >= 0, got -1"));
	assert_true(has_msg(&d, "rules.max_contracts_per_instrument.limits.ES: must be an integer >= 0, got x"));
	load_bad("rules:\n  max_contracts_per_instrument: {limits: {MNQ: 1, mnq: 2}}\n", &d);
	assert_true(has_msg(&d, "limits.mnq: duplicate symbol"));
	load_bad("rules:\n  trade_management: {auto_stop: {stop_ticks: 0}}\n", &d);
	assert_true(has_msg(&d, "rules.trade_management.auto_stop.stop_ticks: must be a positive integer, got 0"));
	load_bad("rules:\n  cooldown_after_loss: {tiers: [100, 300]}\n", &d);
	assert_true(has_msg(&d, "rules.cooldown_after_loss.tiers[0]: must be a mapping {loss, cooldown}, got 100"));
	load_bad("accounts: some\n", &d);
	assert_true(has_msg(&d, "t.yaml:1: accounts: must be all or a list of account ids and name globs, got some"));
	load_bad("accounts: []\n", &d);
	assert_true(has_msg(&d, "accounts: must be all or a non-empty list"));
	load_bad("overrides:\n  abc: {rules: {}}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: overrides.abc: an override key must be an account id"));
	load_bad("overrides:\n  \"1\": {rules: {}}\n  1: {rules: {}}\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: overrides.1: duplicate account"));
	load_bad("rules:\n  daily_realized_loss: {warn_at: [0.9, 0.7]}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.daily_realized_loss.warn_at[1]: must be larger than the one before it"));
	load_bad("rules:\n  max_contracts: {warn_at: [1.5]}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.warn_at[0]: must be a share of the limit above 0 and at most 1"));
	/* a limit the trade counter could never reach (it keeps 1024 fills an hour) is refused */
	load_bad("rules:\n  trade_frequency_limit: {per_hour: 5000}\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: rules.trade_frequency_limit.per_hour: must be an integer from 0 to 1000, got 5000"));
	load_bad("- a\n- b\n", &d);
	assert_true(has_msg(&d, "t.yaml:1: the top level must be a mapping of keys, got a list"));
}

static void test_capacity_limits(void **state)
{
	struct config_diag d;
	char *text = malloc(64 * 1024);
	size_t o = 0;

	(void)state;
	assert_non_null(text);
	o += (size_t)snprintf(text + o, 64 * 1024 - o, "rules:\n  symbol_blocks:\n    symbols: [");
	for (int i = 0; i < CFG_MAX_BLOCKED + 1; i++)
		o += (size_t)snprintf(text + o, 64 * 1024 - o, "%sS%d", i ? ", " : "", i);
	snprintf(text + o, 64 * 1024 - o, "]\n");
	load_bad(text, &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.symbol_blocks.symbols: at most 64 symbols, got 65"));

	o = (size_t)snprintf(text, 64 * 1024, "rules:\n  cooldown_after_loss:\n    tiers:\n");
	for (int i = 0; i < CFG_MAX_TIERS + 1; i++)
		o += (size_t)snprintf(text + o, 64 * 1024 - o, "      - {loss: %d, cooldown: 1m}\n",
				      i + 1);
	load_bad(text, &d);
	assert_true(has_msg(&d, "rules.cooldown_after_loss.tiers: at most 8 tiers, got 9"));
	free(text);
}

static void test_many_errors_at_once(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	cfg = config_load(FIXTURE("bad_many.yaml"), &d);
	assert_null(cfg);
	assert_true(has_msg(&d, "bad_many.yaml:4: gateway.usrname: unknown key (did you mean username?)"));
	assert_true(has_msg(&d, "bad_many.yaml:6: daemon.log_level: must be one of"));
	assert_true(has_msg(&d, "bad_many.yaml:7: daemon.reset_time: must be a time"));
	assert_true(has_msg(&d, "bad_many.yaml:8: daemon.holidays[0]: must be a date"));
	assert_true(has_msg(&d, "bad_many.yaml:10: rules.max_contract: unknown key (did you mean max_contracts?)"));
	assert_true(has_msg(&d, "bad_many.yaml:12: rules.max_contracts_per_instrument.limits.MNQ: must be an integer >= 0, got -1"));
	assert_true(has_msg(&d, "bad_many.yaml:13: rules.daily_realized_loss.loss_limit: must be a positive amount"));
	assert_true(has_msg(&d, "bad_many.yaml:15: rules.trade_frequency_limit.per_minute: must be an integer from 0 to 1000, got three"));
	assert_true(has_msg(&d, "bad_many.yaml:16: rules.trade_frequency_limit.cooldown.per_minute: must be none"));
	assert_true(has_msg(&d, "bad_many.yaml:18: rules.session_block_outside.windows[0].days[1]: must be a day"));
	assert_true(has_msg(&d, "bad_many.yaml:18: rules.session_block_outside.windows[0].start: must be a time"));
	assert_true(has_msg(&d, "bad_many.yaml:19: rules.session_block_outside.lockout: must be none, a duration (90s, 15m, 2h; at most 366d), until_reset, until_next_window or permanent, got forever"));
	assert_true(has_msg(&d, "bad_many.yaml:23: overrides.12345.rules.max_contracts.limt: unknown key"));
	assert_int_equal(d.n, 13);
}

static void test_too_many_errors_capped(void **state)
{
	struct config_diag d;
	char text[8192];
	size_t o;

	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "rules:\n");
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "  bogus_%d: {}\n", i);
	load_bad(text, &d);
	assert_int_equal(d.n, 32);
	assert_true(has_msg(&d, "t.yaml:2: rules.bogus_0: unknown key"));
	assert_true(has_msg(&d, "t.yaml: ... and 9 more errors"));
}

static void test_env_substitution(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	setenv("SRM_T_USER", "alice", 1);
	setenv("SRM_T_LIMIT", "7", 1);
	setenv("SRM_T_DIR", "/srv/x", 1);
	unsetenv("SRM_T_UNSET");
	cfg = load_ok("gateway:\n  username: ${SRM_T_USER}\n  api_key: \"k-${SRM_T_USER}-$${LIT}\"\n"
		      "daemon:\n  state_dir: ${SRM_T_DIR}/state\n  socket: ${SRM_T_UNSET:-/tmp/d}.sock\n"
		      "rules:\n  max_contracts: {limit: \"${SRM_T_LIMIT}\"}\n");
	assert_string_equal(cfg->gateway.username, "alice");
	assert_string_equal(cfg->gateway.api_key, "k-alice-${LIT}");
	assert_string_equal(cfg->daemon.state_dir, "/srv/x/state");
	assert_string_equal(cfg->daemon.socket, "/tmp/d.sock");
	assert_int_equal(cfg->rules.max_contracts.limit, 7);
	config_free(cfg);

	load_bad("gateway:\n  username: x\n  api_key: ${SRM_T_UNSET}\n", &d);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.msgs[0],
			    "t.yaml:3: gateway.api_key: undefined environment variable SRM_T_UNSET");
	load_bad("gateway:\n  username: ${SRM_T_USER\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: gateway.username: malformed ${SRM_T_USER...}: missing '}'"));
}

/* dashboard: off by default, loopback unless TLS (refused at load otherwise: fail closed). */
static void test_dashboard_block(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	cfg = load_ok("accounts: all\n");
	assert_false(cfg->dashboard.enabled);
	config_free(cfg);
	cfg = load_ok("dashboard: {enabled: true, listen: \"127.0.0.1:9000\"}\n");
	assert_true(cfg->dashboard.enabled);
	assert_string_equal(cfg->dashboard.host, "127.0.0.1");
	assert_int_equal(cfg->dashboard.port, 9000);
	assert_true(cfg->dashboard.loopback);
	config_free(cfg);
	load_bad("dashboard:\n  enabled: true\n  listen: \"0.0.0.0:8750\"\n", &d);
	assert_true(any_msg_contains(&d, "t.yaml:3: dashboard.listen: 0.0.0.0 is not a loopback address"));
	load_bad("dashboard: {listen: \"127.0.0.1:99999\"}\n", &d);
	assert_true(any_msg_contains(&d, "the port must be 0 to 65535"));
	load_bad("dashboard: {tls_cert: /x.pem}\n", &d);
	assert_true(any_msg_contains(&d, "tls_cert and tls_key go together"));
	load_bad("dashboard: {max_clients: 0}\n", &d);
	assert_true(any_msg_contains(&d, "dashboard.max_clients"));
}

/* alerts.desktop: a boolean, off by default; anything else is an error naming the key. */
static void test_alerts_desktop(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	cfg = load_ok("accounts: all\n");
	assert_false(cfg->alerts.desktop);
	config_free(cfg);
	cfg = load_ok("alerts:\n  desktop: true\n");
	assert_true(cfg->alerts.desktop);
	config_free(cfg);
	cfg = load_ok("alerts: {desktop: no, ntfy: {url: \"https://ntfy.sh\", topic: t}}\n");
	assert_false(cfg->alerts.desktop);
	config_free(cfg);
	load_bad("alerts:\n  desktop: sometimes\n", &d);
	assert_true(any_msg_contains(&d, "t.yaml:2: alerts.desktop: "));
	load_bad("alerts:\n  dekstop: true\n", &d);
	assert_true(any_msg_contains(&d, "did you mean desktop?"));
}

/* The example's alerts block (commented out: nothing is sent unless asked) loads as written. */
static void test_example_alerts(void **state)
{
	FILE *f = fopen(EXAMPLE, "r");
	char line[512], text[4096] = "";
	size_t n = 0;
	bool in = false;
	struct srm_config *cfg;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "# alerts:\n") == 0)
			in = true;
		if (in && strncmp(line, "#", 1) != 0)
			break;
		if (in) {
			const char *l = line + (line[1] == ' ' ? 2 : 1);

			assert_true(n + strlen(l) < sizeof(text));
			memcpy(text + n, l, strlen(l) + 1);
			n += strlen(l);
		}
	}
	assert_int_equal(fclose(f), 0);
	assert_true(in);
	setenv("NTFY_TOKEN", "t0k", 1);
	setenv("SRM_WEBHOOK_SECRET", "s3c", 1);
	cfg = load_ok(text);
	assert_false(cfg->alerts.desktop);
	assert_string_equal(cfg->alerts.ntfy_url, "https://ntfy.sh");
	assert_string_equal(cfg->alerts.ntfy_token, "t0k");
	assert_non_null(cfg->alerts.webhook_url);
	assert_int_equal(cfg->alerts.n_command, 2);
	assert_int_equal(cfg->alerts.per_minute, 20);
	assert_int_equal(cfg->alerts.guard_after_ms, 10000);
	assert_int_equal(cfg->alerts.heartbeat_ms, 60000);
	config_free(cfg);
}

/* display.timezone: the trader's own zone for the monitor, checked like daemon.timezone. */
static void test_display_timezone(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	cfg = load_ok("display: {timezone: Asia/Tokyo}\n");
	assert_string_equal(cfg->display.timezone, "Asia/Tokyo");
	config_free(cfg);
	cfg = load_ok("accounts: all\n");
	assert_null(cfg->display.timezone);
	config_free(cfg);
	load_bad("display:\n  timezone: Mars/Olympus\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: display.timezone: unknown time zone"));
}

/* The CLI reads a config for its socket and rules: an unset ${VAR} is noted, not fatal. */
static void test_env_lenient(void **state)
{
	char path[] = "/tmp/srm-t-env-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "gateway:\n  username: ${SRM_T_UNSET}\n  api_key: ${SRM_T_UNSET2}\n"
			   "daemon:\n  socket: /tmp/lenient.sock\n";
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	unsetenv("SRM_T_UNSET");
	unsetenv("SRM_T_UNSET2");
	assert_null(config_load(path, &d)); /* the daemon still refuses */
	assert_true(any_msg_contains(&d, "undefined environment variable SRM_T_UNSET"));
	cfg = config_load_env(path, &d, true);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_string_equal(cfg->daemon.socket, "/tmp/lenient.sock");
	assert_string_equal(cfg->gateway.username, "");
	assert_int_equal(d.n_notes, 2);
	assert_non_null(strstr(d.notes[0], ":2: gateway.username: ${SRM_T_UNSET} is not set here "
					   "(srmd will need it)"));
	assert_non_null(strstr(d.notes[1], ":3: gateway.api_key: ${SRM_T_UNSET2}"));
	config_free(cfg);
	assert_int_equal(unlink(path), 0);
}

static void test_secrets_never_echoed(void **state)
{
	struct config_diag d;

	(void)state;
	load_bad("gateway:\n  api_key: [hunter2secret]\nadmin:\n  password_hash: {x: hunter2hash}\n"
		 "  password_hsh: hunter2typo\n", &d);
	assert_true(has_msg(&d, "t.yaml:2: gateway.api_key: must be a string, got a list"));
	assert_true(has_msg(&d, "t.yaml:4: admin.password_hash: must be a string, got a mapping"));
	assert_true(has_msg(&d, "t.yaml:5: admin.password_hsh: unknown key"));
	assert_false(any_msg_contains(&d, "hunter2"));
}

static void test_accounts_selection(void **state)
{
	struct srm_config *cfg;

	(void)state;
	cfg = load_ok("accounts: all\n");
	assert_true(cfg->accounts.all);
	assert_true(config_account_selected(cfg, 5, "anything"));
	config_free(cfg);

	cfg = load_ok("accounts:\n  - 42\n  - \"PRAC-??\"\n  - \"*express*\"\n");
	assert_false(cfg->accounts.all);
	assert_int_equal(cfg->accounts.n, 3);
	assert_true(config_account_selected(cfg, 42, NULL));
	assert_true(config_account_selected(cfg, 1, "prac-12"));
	assert_false(config_account_selected(cfg, 1, "PRAC-123"));
	assert_true(config_account_selected(cfg, 1, "50K-Express-3"));
	assert_false(config_account_selected(cfg, 43, "50KTC-1"));
	config_free(cfg);
}

static void test_override_merge(void **state)
{
	struct srm_config *cfg;
	const struct rules_cfg *o, *g;

	(void)state;
	cfg = load_ok("rules:\n"
		      "  max_contracts: {limit: 4, count: gross, lockout: 5m}\n"
		      "  symbol_blocks: {symbols: [RTY, NQ]}\n"
		      "  trade_frequency_limit: {per_minute: 5, cooldown: {per_hour: 2h}}\n"
		      "overrides:\n"
		      "  \"12345\":\n"
		      "    rules:\n"
		      "      max_contracts: {limit: 2}\n"
		      "      symbol_blocks: {symbols: [ES]}\n"
		      "      trade_frequency_limit: {cooldown: {per_minute: 5m}}\n"
		      "      max_unrealized_profit: {target: 250}\n"
		      "  \"777\":\n"
		      "    rules:\n"
		      "      max_contracts: {enabled: false}\n");
	g = &cfg->rules;
	assert_int_equal(cfg->n_overrides, 2);
	o = config_rules_for(cfg, 12345);
	assert_int_equal(o->max_contracts.limit, 2);
	assert_int_equal(o->max_contracts.count, COUNT_GROSS);         /* inherited */
	assert_int_equal(o->max_contracts.lockout.duration_ms, 300000); /* inherited */
	assert_true(o->max_contracts.enabled);
	assert_int_equal(o->symbol_blocks.n_symbols, 1);                /* a list replaces */
	assert_string_equal(o->symbol_blocks.symbols[0], "ES");
	assert_int_equal(o->trade_frequency_limit.per_minute, 5);
	assert_int_equal(o->trade_frequency_limit.cooldown_minute.duration_ms, 300000);
	assert_int_equal(o->trade_frequency_limit.cooldown_hour.duration_ms, 7200000);
	/* absent globally, present in the override: on for that account, defaults + keys */
	assert_true(o->max_unrealized_profit.enabled);
	assert_int_equal(o->max_unrealized_profit.target, 25000);
	assert_int_equal(o->max_unrealized_profit.scope, SCOPE_POSITION);
	/* absent in both: off */
	assert_false(o->daily_realized_loss.enabled);

	assert_ptr_equal(config_rules_for(cfg, 99), g);
	assert_int_equal(g->max_contracts.limit, 4);
	assert_false(g->max_unrealized_profit.enabled);
	assert_int_equal(g->symbol_blocks.n_symbols, 2);
	assert_false(config_rules_for(cfg, 777)->max_contracts.enabled);
	assert_int_equal(config_rules_for(cfg, 777)->max_contracts.limit, 4);
	config_free(cfg);
}

static void test_bad_files(void **state)
{
	struct config_diag d;
	char path[] = "/tmp/srm-test-config-XXXXXX";
	int fd;
	FILE *f;

	(void)state;
	assert_null(config_load(FIXTURE("garbage.bin"), &d));
	assert_int_equal(d.n, 1);
	assert_true(has_msg(&d, "garbage.bin: not a text file"));

	assert_null(config_load(FIXTURE("empty.yaml"), &d));
	assert_int_equal(d.n, 1);
	assert_true(has_msg(&d, "empty.yaml: the file is empty"));

	assert_null(config_load(FIXTURE("syntax.yaml"), &d));
	assert_int_equal(d.n, 1);
	assert_true(has_msg(&d, "syntax.yaml:3: YAML syntax error"));

	assert_null(config_load(FIXTURE("does-not-exist.yaml"), &d));
	assert_true(has_msg(&d, "does-not-exist.yaml: cannot open: No such file or directory"));

	assert_null(config_load(SRM_TEST_DATA, &d));
	assert_int_equal(d.n, 1);

	load_bad("rules: {max_contracts: {limit: \xff\xfe}}\n", &d);
	assert_int_equal(d.n, 1);

	/* over 1 MiB: refused before parsing */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("rules:\n", f);
	for (int i = 0; i < 40000; i++)
		fputs("# padding padding padding padding\n", f);
	fclose(f);
	assert_null(config_load(path, &d));
	assert_int_equal(d.n, 1);
	assert_true(has_msg(&d, ": file too large (over 1048576 bytes)"));
	unlink(path);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* One document only: a second one would be ignored by the loader, so the file is refused. */
static void test_multi_document_refused(void **state)
{
	struct config_diag d;

	(void)state;
	load_bad("rules:\n  max_contracts: {limit: 4}\n---\nrules:\n  max_contracts: {limit: 1}\n", &d);
	assert_true(has_msg(&d, ":3: a second YAML document (---)"));
	/* a lone leading --- is one document */
	config_free(load_ok("---\nrules:\n  max_contracts: {limit: 4}\n"));
}

/* Deep nesting is refused at once (libyaml's cost grows with depth: 120 KB took 14 s). */
static void test_depth_bounded(void **state)
{
	struct config_diag d;
	size_t n = 120000;
	char *text = malloc(n + 16);

	(void)state;
	assert_non_null(text);
	memcpy(text, "rules: ", 7);
	memset(text + 7, '[', n);
	text[7 + n] = '\0';
	load_bad(text, &d);
	assert_true(has_msg(&d, ": nested deeper than 32 levels"));
	free(text);
}

/* config show: secrets are found in the parsed YAML by key, whatever the spelling. */
static void test_redacted(void **state)
{
	struct config_diag d;
	char path[] = "/tmp/srm-test-redact-XXXXXX";
	char *out = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path,
		   "# api_key: shown as written in a comment (not a value)\n"
		   "gateway:\n"
		   "  \"api_key\": SECRET-QUOTED-KEY\n"
		   "  username: alice\n"
		   "admin:\n"
		   "  password_hash : \"$y$SECRET-SPACED\"\n"
		   "x-anchor: &k SECRET-ANCHORED\n"
		   "daemon: {log_level: info}\n");
	assert_int_equal(config_redacted(path, &out, &d), 0);
	assert_null(strstr(out, "SECRET-QUOTED-KEY"));
	assert_null(strstr(out, "SECRET-SPACED"));
	assert_non_null(strstr(out, "username: alice"));
	assert_non_null(strstr(out, "\"api_key\": \"***\""));
	free(out);

	write_file(path,
		   "gateway:\n"
		   "  api_key: |\n"
		   "    SECRET-BLOCK-1\n"
		   "    SECRET-BLOCK-2\n"
		   "  username: bob\n"
		   "base: &base {api_key: 'SECRET-FLOW'}\n"
		   "other:\n"
		   "  <<: *base\n"
		   "admin: {password_hash: \"${SRM_HASH}\"}\n");
	assert_int_equal(config_redacted(path, &out, &d), 0);
	assert_null(strstr(out, "SECRET-BLOCK"));
	assert_null(strstr(out, "SECRET-FLOW"));
	assert_non_null(strstr(out, "username: bob"));
	assert_non_null(strstr(out, "${SRM_HASH}")); /* a variable's name is no secret */
	/* lines stay where they were: "username: bob" is still the 5th line */
	const char *p = out;

	for (int i = 0; i < 4; i++)
		p = strchr(p, '\n') + 1;
	assert_memory_equal(p, "  username: bob", 15);
	free(out);

	/* a ${VAR:-fallback} may hold the secret itself */
	write_file(path, "gateway: {api_key: \"${K:-SECRET-FALLBACK}\"}\n");
	assert_int_equal(config_redacted(path, &out, &d), 0);
	assert_null(strstr(out, "SECRET-FALLBACK"));
	free(out);

	/* a file that does not parse is not shown at all */
	write_file(path, "gateway:\n  api_key: SECRET-BROKEN\n  : [\n");
	assert_int_equal(config_redacted(path, &out, &d), -1);
	assert_null(out);

	/*
	 * What srmd records (config_load_redacted): the same redaction, and every other value's
	 * ${NAME}s as srmd read them (a replay elsewhere must read the same day), quoted; a
	 * secret's ${NAME} stays a name. config show keeps them as written.
	 */
	{
		struct srm_config *cfg;

		setenv("SRM_T_RESET", "16:15", 1);
		setenv("SRM_T_KEY", "SECRET-FROM-ENV", 1);
		unsetenv("SRM_T_UNSET");
		unsetenv("SRM_T_RECORD_USER");
		write_file(path, "gateway: {username: \"${SRM_T_RECORD_USER:-bob \\\"q\\\"}\", "
			   "api_key: \"${SRM_T_KEY}\"}\n"
			   "daemon:\n  reset_time: \"${SRM_T_RESET}\"\n"
			   "  timezone: ${SRM_T_UNSET:-America/Chicago}\n");
		cfg = config_load_redacted(path, &out, &d);
		assert_non_null(cfg);
		assert_non_null(strstr(out, "reset_time: \"16:15\""));
		assert_non_null(strstr(out, "timezone: \"America/Chicago\""));
		assert_non_null(strstr(out, "username: \"bob \\\"q\\\"\""));
		assert_non_null(strstr(out, "api_key: \"${SRM_T_KEY}\""));
		assert_null(strstr(out, "SECRET-FROM-ENV"));
		config_free(cfg);
		/* and it loads back to the same values */
		cfg = config_load_string_env(out, "recorded", &d, true);
		free(out);
		assert_non_null(cfg);
		assert_int_equal(cfg->daemon.reset_min, 16 * 60 + 15);
		assert_string_equal(cfg->gateway.username, "bob \"q\"");
		config_free(cfg);
		assert_int_equal(config_redacted(path, &out, &d), 0);
		assert_non_null(strstr(out, "${SRM_T_RESET}"));
		free(out);
		unsetenv("SRM_T_RESET");
		unsetenv("SRM_T_KEY");
	}
	unlink(path);
}

static void test_aliases_bounded(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	/* anchors and aliases are fine for reuse... */
	cfg = load_ok("rules:\n  max_contracts: &mc {limit: 3}\noverrides:\n  \"1\": {rules: {max_contracts: *mc}}\n");
	assert_int_equal(config_rules_for(cfg, 1)->max_contracts.limit, 3);
	config_free(cfg);
	/* ...and a billion-laughs style file is refused cleanly */
	load_bad("a: &a [x, x, x, x, x, x, x, x, x]\n"
		 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		 "rules: {symbol_blocks: {symbols: *c}}\n", &d);
	assert_true(d.n >= 1);
}

static void test_alias_bomb_budget(void **state)
{
	struct config_diag d;
	size_t cap = 128 * 1024, o = 0;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	/* 256 overrides all aliasing one rules map of 1,000 keys: the walk budget stops it */
	o += (size_t)snprintf(text + o, cap - o, "rules: &r {");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(text + o, cap - o, "%sk%d: 1", i ? ", " : "", i);
	o += (size_t)snprintf(text + o, cap - o, "}\noverrides:\n");
	for (int i = 1; i <= 256; i++)
		o += (size_t)snprintf(text + o, cap - o, "  \"%d\": {rules: *r}\n", i);
	load_bad(text, &d);
	assert_int_equal(d.n, 32);
	assert_true(has_msg(&d, "more errors; too many nodes to check (aliases?), gave up"));
	free(text);
}

/* gateway.firm sets the deployment's URLs; an explicit URL wins; an unknown firm needs them all. */
static void test_firm_urls(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;

	(void)state;
	cfg = config_load_string("gateway: {firm: tradeify}\n", "t.yaml", &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->gateway.api_url, "https://api.tradeify.projectx.com");
	assert_string_equal(cfg->gateway.user_hub_url, "https://rtc.tradeify.projectx.com/hubs/user");
	assert_string_equal(cfg->gateway.market_hub_url, "https://rtc.tradeify.projectx.com/hubs/market");
	config_free(cfg);
	cfg = config_load_string("gateway: {firm: Tradeify, api_url: \"http://127.0.0.1:9\"}\n", "t.yaml", &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->gateway.api_url, "http://127.0.0.1:9");
	assert_string_equal(cfg->gateway.user_hub_url, "https://rtc.tradeify.projectx.com/hubs/user");
	config_free(cfg);
	cfg = config_load_string("accounts: all\n", "t.yaml", &d);
	assert_non_null(cfg);
	assert_string_equal(cfg->gateway.api_url, "https://api.topstepx.com");
	config_free(cfg);
	load_bad("gateway: {firm: nosuchfirm}\n", &d);
	assert_true(has_msg(&d, "gateway.firm: unknown firm nosuchfirm (known: topstepx, alphaticks"));
	cfg = config_load_string("gateway: {firm: newfirm, api_url: a, user_hub_url: b, market_hub_url: c}\n",
				 "t.yaml", &d);
	assert_non_null(cfg);
	config_free(cfg);
}

/*
 * Profiles: an account picks a firm's profile by id or by a name glob; its rules are held to
 * the profile's (the trader's only where tighter); a looser override of an account the
 * profile names is refused with the reason; the effective rules say where each value is from.
 */
static void test_profiles(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;
	const struct rules_cfg *r;
	char *text;
	const char *head =
		"daemon: {profile_dir: \"" SRM_TEST_DATA "/../../profiles\"}\n"
		"profiles:\n"
		"  - {profile: topstep-50k-combine, accounts: [12345, \"50KTC-*\"]}\n"
		"rules:\n"
		"  max_contracts: {limit: 10, count: gross}\n"
		"  daily_realized_loss: {loss_limit: 600, cap_to_floor: true}\n";
	char buf[2048];

	(void)state;
	cfg = config_load_string(head, "t.yaml", &d);
	for (size_t i = 0; i < d.n; i++)
		print_message("%s\n", d.msgs[i]);
	assert_non_null(cfg);
	assert_int_equal(cfg->n_profiles, 1);
	/* by name glob: the firm's 5 contracts, not the looser global 10; its MLL on */
	r = config_rules_for_account(cfg, 777, "50KTC-V2-777");
	assert_int_equal(r->max_contracts.limit, 5);
	assert_true(r->max_loss_limit.enabled);
	assert_int_equal(r->max_loss_limit.max_loss, 200000);
	assert_true(r->daily_realized_loss.cap_to_floor); /* the trader's own, not in the profile */
	/* by id; another account keeps the global rules */
	assert_int_equal(config_rules_for_account(cfg, 12345, NULL)->max_contracts.limit, 5);
	assert_int_equal(config_rules_for_account(cfg, 999, "PA-999")->max_contracts.limit, 10);
	assert_false(config_rules_for_account(cfg, 999, "PA-999")->max_loss_limit.enabled);
	text = config_effective_text(cfg, 777, "50KTC-V2-777");
	assert_non_null(text);
	assert_non_null(strstr(text, "profile topstep-50k-combine"));
	assert_non_null(strstr(text, "    limit: 5  # profile topstep-50k-combine\n"));
	assert_non_null(strstr(text, "    max_loss: 2000.00  # profile topstep-50k-combine\n"));
	assert_non_null(strstr(text, "    cap_to_floor: true  # rules\n"));
	free(text);
	config_free(cfg);

	/* tighter is the trader's: a buffer of 300 over the profile's 100, 3 contracts over 5 */
	snprintf(buf, sizeof(buf), "%soverrides:\n  \"12345\":\n    rules:\n"
		 "      max_loss_limit: {buffer: 300}\n      max_contracts: {limit: 3}\n", head);
	cfg = config_load_string(buf, "t.yaml", &d);
	assert_non_null(cfg);
	r = config_rules_for_account(cfg, 12345, NULL);
	assert_int_equal(r->max_loss_limit.buffer, 30000);
	assert_int_equal(r->max_contracts.limit, 3);
	text = config_effective_text(cfg, 12345, NULL);
	assert_non_null(strstr(text, "    buffer: 300.00  # override, tighter than profile topstep-50k-combine's 100.00\n"));
	free(text);
	config_free(cfg);

	/* looser than the firm's, for an account the profile names: refused, with the reason */
	snprintf(buf, sizeof(buf), "%soverrides:\n  \"12345\":\n    rules:\n"
		 "      max_contracts: {limit: 8}\n      max_loss_limit: {enabled: false}\n", head);
	load_bad(buf, &d);
	assert_true(has_msg(&d, "t.yaml:10: overrides.12345.rules.max_contracts.limit: 8 is looser than "
			    "profile topstep-50k-combine's 5 (a firm rule: only a tighter value may be set)"));
	assert_true(has_msg(&d, "overrides.12345.rules.max_loss_limit.enabled: false is looser than profile "
			    "topstep-50k-combine's true"));
	/* a profile that does not exist, a bad name */
	load_bad("daemon: {profile_dir: /nonexistent}\nprofiles: [{profile: nope, accounts: [1]}]\n", &d);
	assert_true(has_msg(&d, "profile nope: cannot open /nonexistent/nope.yaml"));
	load_bad("profiles: [{profile: ../etc/passwd, accounts: [1]}]\n", &d);
	assert_true(has_msg(&d, "a profile name is lowercase letters, digits and -"));
}


/*
 * The firm-rule value types: a share (max_day_share), a date (cycle_start), contract weights
 * and a scaling plan; exact decimals in millionths, every bad value at its line; a firm's
 * profile holds them (a lighter weight, a higher step, a larger share is looser: refused).
 */
static void test_firm_value_types(void **state)
{
	struct config_diag d;
	struct srm_config *cfg;
	char dir[] = "/tmp/srm-test-prof-XXXXXX", path[96], buf[2048];
	FILE *f;

	(void)state;
	cfg = load_ok("rules:\n"
		      "  consistency: {max_day_share: 0.4, cycle_start: \"2026-11-16\", cycle_profit: 1200}\n"
		      "  max_contracts:\n"
		      "    limit: 5\n"
		      "    weights: {MES: 0.1, mnq: .25, NQ: 2}\n"
		      "    scaling: [{above: 0, limit: 2}, {above: 1500, limit: 3}, {above: 2000.50, limit: 5}]\n");
	assert_true(cfg->rules.consistency.enabled);
	assert_int_equal(cfg->rules.consistency.max_day_share, 400000);
	assert_int_equal(cfg->rules.consistency.cycle_start, days_from_civil(2026, 11, 16));
	assert_int_equal(cfg->rules.consistency.cycle_profit, 120000);
	assert_int_equal(cfg->rules.max_contracts.n_weights, 3);
	assert_int_equal(cfg->rules.max_contracts.weights[0].ppm, 100000);
	assert_int_equal(cfg->rules.max_contracts.weights[1].ppm, 250000);
	assert_int_equal(cfg->rules.max_contracts.weights[2].ppm, 2000000);
	assert_int_equal(cfg->rules.max_contracts.n_scaling, 3);
	assert_int_equal(cfg->rules.max_contracts.scaling[2].above, 200050);
	assert_int_equal(cfg->rules.max_contracts.scaling[2].limit, 5);
	config_free(cfg);

	load_bad("rules:\n  consistency:\n    max_day_share: 1.5\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.consistency.max_day_share: must be a decimal from 0.01 to "
			    "0.99 (0.5 = 50%), got 1.5"));
	load_bad("rules:\n  consistency:\n    max_day_share: 0.1234567\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.consistency.max_day_share: must be a decimal"));
	load_bad("rules:\n  consistency:\n    max_day_share: half\n", &d);
	assert_true(has_msg(&d, "got half"));
	load_bad("rules:\n  consistency:\n    max_day_share: -0.5\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.consistency.max_day_share"));
	load_bad("rules:\n  consistency:\n    cycle_start: 2026-13-01\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.consistency.cycle_start: must be a date \"YYYY-MM-DD\" or ~"));
	load_bad("rules:\n  max_contracts:\n    weights: {MES: 0}\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.max_contracts.weights.MES: must be a weight above 0 and at most 100"));
	load_bad("rules:\n  max_contracts:\n    weights: {MES: 100.5}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.weights.MES: must be a weight"));
	load_bad("rules:\n  max_contracts:\n    weights: {MES: 1e-1}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.weights.MES: must be a weight"));
	load_bad("rules:\n  max_contracts:\n    weights: {MES: 0.1, mes: 0.2}\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.weights.mes: duplicate symbol"));
	load_bad("rules:\n  max_contracts:\n    weights: [MES]\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.weights: must be a mapping of symbol: weight"));
	load_bad("rules:\n  max_contracts:\n    scaling: [{above: 1500, limit: 3}, {above: 1000, limit: 4}]\n", &d);
	assert_true(has_msg(&d, "t.yaml:3: rules.max_contracts.scaling[1]: above must be more than the step before's"));
	load_bad("rules:\n  max_contracts:\n    scaling: [{above: 0, limit: 3}, {above: 1000, limit: 2}]\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.scaling[1]: limit 2 is below the step before's 3"));
	load_bad("rules:\n  max_contracts:\n    scaling: [{above: 0}]\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.scaling[0]"));
	load_bad("rules:\n  max_contracts:\n    scaling: [{above: 0, limit: 2, upto: 9}]\n", &d);
	assert_true(has_msg(&d, "rules.max_contracts.scaling[0].upto"));

	/* a firm's profile with all three; the trader may only tighten them */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/firm-x.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("rules:\n"
	      "  max_contracts:\n"
	      "    limit: 5\n"
	      "    weights: {MES: 0.1}\n"
	      "    scaling: [{above: 0, limit: 2}, {above: 1500, limit: 3}]\n"
	      "  consistency: {max_day_share: 0.5}\n", f);
	assert_int_equal(fclose(f), 0);
#define FIRM_X_FMT "daemon: {profile_dir: \"%s\"}\nprofiles: [{profile: firm-x, accounts: [7]}]\n" \
	"overrides:\n  \"7\":\n    rules:\n%s"

	snprintf(buf, sizeof(buf), FIRM_X_FMT, dir,
		 "      max_contracts:\n        weights: {MES: 0.2, NQ: 2}\n"
		 "        scaling: [{above: 0, limit: 1}, {above: 3000, limit: 3}]\n"
		 "      consistency: {max_day_share: 0.4}\n");
	cfg = load_ok(buf);
	const struct rules_cfg *r = config_rules_for_account(cfg, 7, NULL);

	assert_int_equal(r->max_contracts.weights[0].ppm, 200000);
	assert_int_equal(r->max_contracts.scaling[0].limit, 1);
	assert_int_equal(r->consistency.max_day_share, 400000);
	config_free(cfg);
	snprintf(buf, sizeof(buf), FIRM_X_FMT, dir,
		 "      max_contracts:\n        weights: {MES: 0.05}\n"
		 "        scaling: [{above: 0, limit: 2}, {above: 1000, limit: 3}]\n"
		 "      consistency: {max_day_share: 0.6}\n");
	load_bad(buf, &d);
	assert_true(has_msg(&d, "overrides.7.rules.max_contracts.weights: {MES: 0.05} is looser than profile "
			    "firm-x's {MES: 0.1}"));
	assert_true(has_msg(&d, "overrides.7.rules.max_contracts.scaling: [{above: 0.00, limit: 2}, {above: "
			    "1000.00, limit: 3}] is looser than profile firm-x's"));
	assert_true(has_msg(&d, "overrides.7.rules.consistency.max_day_share: 0.6 is looser than profile firm-x's 0.5"));
	/* no scaling at all is looser than the firm's plan; a weight list without MES too */
	snprintf(buf, sizeof(buf), FIRM_X_FMT, dir, "      max_contracts: {scaling: [], weights: {NQ: 1}}\n");
	load_bad(buf, &d);
	assert_true(has_msg(&d, "overrides.7.rules.max_contracts.scaling: [] is looser"));
	assert_false(any_msg_contains(&d, "weights"));
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
#undef FIRM_X_FMT
}

/* rules/list.h, the rule table and each rule's block agree: names, order, offsets, ids. */
static void test_rule_list_coherent(void **state)
{
#define NAME(n) #n,
#define OFF(n) offsetof(struct rules_cfg, n),
	static const char *const names[] = { SRM_RULES(NAME) };
	static const size_t offs[] = { SRM_RULES(OFF) };
#undef NAME
#undef OFF
	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), RULE_COUNT);
	for (int r = 0; r < RULE_COUNT; r++) {
		const struct rule_block *b = rule_block(r);
		char id[16];

		assert_string_equal(b->name, names[r]);
		assert_int_equal(b->cfg_offset, offs[r]);
		snprintf(id, sizeof(id), "RULE-%03d", r + 1);
		assert_string_equal(rule_block_id(r), id);
		assert_non_null(b->summary);
		assert_non_null(b->opts);
		/* every block starts with enabled, dry_run (the engine reads them there) */
		assert_string_equal(b->opts[0].key, "enabled");
		assert_int_equal(b->opts[0].off, 0);
		assert_string_equal(b->opts[1].key, "dry_run");
		assert_int_equal(b->opts[1].off, sizeof(bool));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_defaults_values),
		cmocka_unit_test(test_absent_blocks_disabled_and_defaults),
		cmocka_unit_test(test_every_key_parsed),
		cmocka_unit_test(test_unknown_keys_with_lines),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_capacity_limits),
		cmocka_unit_test(test_many_errors_at_once),
		cmocka_unit_test(test_too_many_errors_capped),
		cmocka_unit_test(test_env_substitution),
		cmocka_unit_test(test_secrets_never_echoed),
		cmocka_unit_test(test_accounts_selection),
		cmocka_unit_test(test_override_merge),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_aliases_bounded),
		cmocka_unit_test(test_multi_document_refused),
		cmocka_unit_test(test_depth_bounded),
		cmocka_unit_test(test_redacted),
		cmocka_unit_test(test_alias_bomb_budget),
		cmocka_unit_test(test_rule_list_coherent),
		cmocka_unit_test(test_firm_urls),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_firm_value_types),
		cmocka_unit_test(test_env_lenient),
		cmocka_unit_test(test_display_timezone),
		cmocka_unit_test(test_dashboard_block),
		cmocka_unit_test(test_alerts_desktop),
		cmocka_unit_test(test_example_alerts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
