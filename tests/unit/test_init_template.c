/* test_init_template.c: the config `srm admin init` writes loads, is safe, and matches the example's rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "config/config.h"
#include "engine/domain.h"

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
	assert_memory_equal(&a->max_contracts, &b->max_contracts, sizeof(a->max_contracts));
	assert_memory_equal(&a->max_contracts_per_instrument, &b->max_contracts_per_instrument,
			    sizeof(a->max_contracts_per_instrument));
	assert_memory_equal(&a->daily_realized_loss, &b->daily_realized_loss,
			    sizeof(a->daily_realized_loss));
	assert_memory_equal(&a->daily_unrealized_loss, &b->daily_unrealized_loss,
			    sizeof(a->daily_unrealized_loss));
	assert_memory_equal(&a->max_unrealized_profit, &b->max_unrealized_profit,
			    sizeof(a->max_unrealized_profit));
	assert_memory_equal(&a->trade_frequency_limit, &b->trade_frequency_limit,
			    sizeof(a->trade_frequency_limit));
	assert_memory_equal(&a->cooldown_after_loss, &b->cooldown_after_loss,
			    sizeof(a->cooldown_after_loss));
	assert_memory_equal(&a->no_stop_loss_grace, &b->no_stop_loss_grace,
			    sizeof(a->no_stop_loss_grace));
	assert_memory_equal(&a->session_block_outside, &b->session_block_outside,
			    sizeof(a->session_block_outside));
	assert_memory_equal(&a->auth_loss_guard, &b->auth_loss_guard, sizeof(a->auth_loss_guard));
	assert_memory_equal(&a->symbol_blocks, &b->symbol_blocks, sizeof(a->symbol_blocks));
	assert_memory_equal(&a->trade_management, &b->trade_management, sizeof(a->trade_management));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_loads_with_safe_defaults),
		cmocka_unit_test(t_no_hash),
		cmocka_unit_test(t_rules_match_example),
	};

	setenv("PROJECTX_USERNAME", "u@example.com", 1);
	setenv("PROJECTX_API_KEY", "the-key", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
