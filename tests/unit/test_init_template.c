/* test_init_template.c: the config `srm admin init` writes loads, is safe, and matches the example's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "config/config.h"
#include "model/domain.h"

static char *make_text(const char *hash)
{
	struct px_account a[2] = {
		{.id = 10001, .name = "50KTC-V2-1", .balance = 50000, .can_trade = true},
		{.id = 10002, .name = "bad\nname", .balance = 1, .can_trade = false},
	};
	struct init_params p = {
		.api_url = "http://127.0.0.1:4000", .user_hub_url = "http://127.0.0.1:4000/hubs/user",
		.market_hub_url = "http://127.0.0.1:4000/hubs/market", .password_hash = hash,
		.accounts = a, .n_accounts = 2,
	};

	return init_config_text(&p);
}

static struct srm_config *load(const char *text)
{
	struct config_diag diag = {0};
	struct srm_config *cfg = config_load_string(text, "init.yaml", &diag);

	for (size_t i = 0; i < diag.n; i++)
		print_message("%s\n", diag.msgs[i]);
	return cfg;
}

static void t_loads_with_safe_defaults(void **state)
{
	char *text = make_text("$y$j9T$abc$def");
	struct srm_config *cfg;

	(void)state;
	assert_non_null(text);
	cfg = load(text);
	assert_non_null(cfg);
	assert_true(cfg->daemon.dry_run);
	assert_true(cfg->accounts.all);
	assert_string_equal(cfg->gateway.api_url, "http://127.0.0.1:4000");
	assert_string_equal(cfg->gateway.user_hub_url, "http://127.0.0.1:4000/hubs/user");
	assert_string_equal(cfg->gateway.market_hub_url, "http://127.0.0.1:4000/hubs/market");
	assert_string_equal(cfg->gateway.username, "u@example.com");
	assert_string_equal(cfg->gateway.api_key, "the-key");
	assert_string_equal(cfg->admin.password_hash, "$y$j9T$abc$def");
	assert_int_equal(cfg->n_overrides, 0);
	/* the secret comes from the environment, never from the text */
	assert_null(strstr(text, "the-key"));
	assert_non_null(strstr(text, "api_key: ${PROJECTX_API_KEY}"));
	/* account names stay inside their comment line */
	assert_non_null(strstr(text, "#   10002  bad?name  (cannot trade now)\n"));
	config_free(cfg);
	free(text);
}

static void t_no_hash(void **state)
{
	char *text = make_text(NULL);
	struct srm_config *cfg;

	(void)state;
	cfg = load(text);
	assert_non_null(cfg);
	assert_null(cfg->admin.password_hash);
	config_free(cfg);
	free(text);
}

/* The embedded rules are config/srm.example.yaml's, field for field. */
static void t_rules_match_example(void **state)
{
	struct config_diag diag = {0};
	struct srm_config *ex = config_load(SRM_TEST_DATA "/../../config/srm.example.yaml", &diag);
	char *text = make_text(NULL);
	struct srm_config *cfg = load(text);
	const struct rules_cfg *a, *b;

	(void)state;
	for (size_t i = 0; i < diag.n; i++)
		print_message("%s\n", diag.msgs[i]);
	assert_non_null(ex);
	assert_non_null(cfg);
	a = &ex->rules;
	b = &cfg->rules;
	/* field by field: padding bytes are not part of the value (and differ under ASan) */
#define EQ(f) assert_true(a->f == b->f)
#define EQL(f) do { EQ(f.mode); EQ(f.duration_ms); } while (0)
	EQ(max_contracts.enabled); EQ(max_contracts.dry_run); EQ(max_contracts.limit);
	EQ(max_contracts.count); EQ(max_contracts.action); EQL(max_contracts.lockout);
	EQ(max_contracts_per_instrument.enabled); EQ(max_contracts_per_instrument.n_limits);
	for (size_t i = 0; i < a->max_contracts_per_instrument.n_limits; i++) {
		assert_string_equal(a->max_contracts_per_instrument.limits[i].symbol,
				    b->max_contracts_per_instrument.limits[i].symbol);
		EQ(max_contracts_per_instrument.limits[i].limit);
	}
	EQ(max_contracts_per_instrument.default_limit); EQ(max_contracts_per_instrument.unknown_symbol);
	EQ(max_contracts_per_instrument.action); EQL(max_contracts_per_instrument.lockout);
	EQ(daily_realized_loss.enabled); EQ(daily_realized_loss.loss_limit);
	EQ(daily_realized_loss.include_unrealized); EQ(daily_realized_loss.include_fees);
	EQL(daily_realized_loss.lockout);
	EQ(daily_unrealized_loss.enabled); EQ(daily_unrealized_loss.loss_limit);
	EQ(daily_unrealized_loss.scope); EQL(daily_unrealized_loss.lockout);
	EQ(max_unrealized_profit.enabled); EQ(max_unrealized_profit.target);
	EQ(max_unrealized_profit.scope); EQL(max_unrealized_profit.lockout);
	EQ(trade_frequency_limit.enabled); EQ(trade_frequency_limit.per_minute);
	EQ(trade_frequency_limit.per_hour); EQ(trade_frequency_limit.per_session);
	EQL(trade_frequency_limit.cooldown_minute); EQL(trade_frequency_limit.cooldown_hour);
	EQL(trade_frequency_limit.cooldown_session);
	EQ(cooldown_after_loss.enabled); EQ(cooldown_after_loss.n_tiers);
	for (size_t i = 0; i < a->cooldown_after_loss.n_tiers; i++) {
		EQ(cooldown_after_loss.tiers[i].loss);
		EQL(cooldown_after_loss.tiers[i].cooldown);
	}
	EQ(cooldown_after_loss.consecutive_count); EQL(cooldown_after_loss.consecutive_cooldown);
	EQ(no_stop_loss_grace.enabled); EQ(no_stop_loss_grace.grace_ms); EQ(no_stop_loss_grace.action);
	EQ(session_block_outside.enabled); EQ(session_block_outside.n_windows);
	for (size_t i = 0; i < a->session_block_outside.n_windows; i++) {
		EQ(session_block_outside.windows[i].days);
		EQ(session_block_outside.windows[i].start_min);
		EQ(session_block_outside.windows[i].end_min);
	}
	EQ(session_block_outside.flatten_at_min); EQL(session_block_outside.lockout);
	EQ(auth_loss_guard.enabled); EQ(auth_loss_guard.flatten); EQ(auth_loss_guard.auto_clear);
	EQ(symbol_blocks.enabled); EQ(symbol_blocks.n_symbols); EQ(symbol_blocks.close_existing);
	for (size_t i = 0; i < a->symbol_blocks.n_symbols; i++)
		assert_string_equal(a->symbol_blocks.symbols[i], b->symbol_blocks.symbols[i]);
	EQ(trade_management.enabled); EQ(trade_management.auto_stop_enabled);
	EQ(trade_management.stop_ticks); EQ(trade_management.breakeven_enabled);
	EQ(trade_management.trigger_ticks); EQ(trade_management.offset_ticks);
	EQ(trade_management.trailing_enabled); EQ(trade_management.activation_ticks);
	EQ(trade_management.distance_ticks);
#undef EQL
#undef EQ
	/* and the daemon defaults other than dry_run and holidays */
	assert_string_equal(ex->daemon.timezone, cfg->daemon.timezone);
	assert_string_equal(ex->daemon.state_dir, cfg->daemon.state_dir);
	assert_string_equal(ex->daemon.log_level, cfg->daemon.log_level);
	assert_int_equal(ex->daemon.reset_min, cfg->daemon.reset_min);
	assert_int_equal(ex->daemon.quote_max_age_ms, cfg->daemon.quote_max_age_ms);
	assert_false(ex->daemon.dry_run);
	assert_true(cfg->daemon.dry_run);
	config_free(ex);
	config_free(cfg);
	free(text);
}

/* config/srm.example.yaml's rules section is the one the option tables write, to the byte. */
static void t_example_file_is_generated(void **state)
{
	char *gen = config_rules_example();
	FILE *f = fopen(SRM_TEST_DATA "/../../config/srm.example.yaml", "rb");
	char file[1 << 16];
	size_t n;

	(void)state;
	assert_non_null(gen);
	assert_non_null(f);
	n = fread(file, 1, sizeof(file) - 1, f);
	fclose(f);
	file[n] = '\0';
	if (strstr(file, gen) == NULL) {
		print_message("config/srm.example.yaml's rules section differs from the rules' option "
			      "tables; `srm admin config example` prints the right one:\n%s", gen);
		fail();
	}
	/* every rule's block, each key of it, is in the example */
	for (int r = 0; r < RULE_COUNT; r++) {
		char want[96];

		snprintf(want, sizeof(want), "\n  # %s: ", rule_block_id(r));
		assert_non_null(strstr(gen, want));
		snprintf(want, sizeof(want), "\n  %s:\n", rule_block(r)->name);
		assert_non_null(strstr(gen, want));
		for (const struct opt *o = rule_block(r)->opts; o->key != NULL; o++) {
			snprintf(want, sizeof(want), "    %s:", o->key);
			assert_true(o->quiet || strstr(gen, want) != NULL);
			assert_true(o->type == T_MAP || o->quiet || o->def != NULL);
		}
	}
	free(gen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_loads_with_safe_defaults),
		cmocka_unit_test(t_no_hash),
		cmocka_unit_test(t_rules_match_example),
		cmocka_unit_test(t_example_file_is_generated),
	};

	setenv("PROJECTX_USERNAME", "u@example.com", 1);
	setenv("PROJECTX_API_KEY", "the-key", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
