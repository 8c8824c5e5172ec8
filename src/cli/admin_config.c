/* admin_config.c: `srm admin config validate FILE` (checks a file without the daemon). */
#include <stdio.h>

#include "cli/cli.h"
#include "config/config.h"

static int rules_enabled(const struct rules_cfg *r)
{
	int n = 0;

	for (int i = 0; i < RULE_COUNT; i++)
		n += rule_block_enabled(r, i);
	return n;
}

/* `srm admin config validate FILE`: print OK (stdout) or every error (stderr); 0 or 1. */
int cmd_config_validate(const char *path)
{
	struct config_diag diag;
	/* an unset ${VAR} is a warning: this shell need not hold the daemon's credentials */
	struct srm_config *cfg = config_load_env(path, &diag, true);
	char accounts[32];

	if (cfg == NULL) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		if (diag.n < sizeof(diag.msgs) / sizeof(diag.msgs[0]))
			fprintf(stderr, "%s: %zu error%s\n", path, diag.n, diag.n == 1 ? "" : "s");
		return 1;
	}
	for (size_t i = 0; i < diag.n_notes; i++)
		fprintf(stderr, "warning: %s\n", diag.notes[i]);
	if (cfg->accounts.all)
		snprintf(accounts, sizeof(accounts), "all accounts");
	else
		snprintf(accounts, sizeof(accounts), "%zu account selector%s", cfg->accounts.n,
			 cfg->accounts.n == 1 ? "" : "s");
	printf("OK: %s (%s, %d of %d rules enabled, %zu override%s, %zu profile%s%s)\n", path,
	       accounts, rules_enabled(&cfg->rules), RULE_COUNT, cfg->n_overrides,
	       cfg->n_overrides == 1 ? "" : "s", cfg->n_profiles, cfg->n_profiles == 1 ? "" : "s",
	       cfg->daemon.dry_run ? ", dry run" : "");
	config_free(cfg);
	return 0;
}
