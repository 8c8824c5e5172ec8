/* init_template.c: the commented first config that `srm admin init` writes (safe defaults). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "config/config.h"
#include "model/domain.h"

/* Overrides: an example left commented out. */
static const char overrides_text[] =
	"\n"
	"# Per-account rules, keyed by account id (quoted). Keys given here are merged over the global\n"
	"# rules above for that account; absent keys keep the global value; lists and `limits` replace\n"
	"# the global ones. A block absent above but present here is on for that account.\n"
	"# overrides:\n"
	"#   \"12345\":\n"
	"#     rules:\n"
	"#       max_contracts: {limit: 2}\n";

/* Account names go into a comment: keep them on one line and printable. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* A URL as a double-quoted YAML scalar, dropping what would need escaping. */
static void put_url(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++)
		if (*s != '"' && *s != '\\' && *s != '$' && (unsigned char)*s >= 0x20)
			fputc(*s, f);
	fputc('"', f);
}

char *init_config_text(const struct init_params *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fputs("# srm.yaml: written by `srm admin init`. Every key is explained in srm.example.yaml\n"
	      "# (and SPEC §9). Check it with `srm admin config validate FILE`, test the connections\n"
	      "# with `srm admin check --config FILE`.\n"
	      "#\n"
	      "# SAFE START: daemon.dry_run is true, so srmd journals and shows every action it would\n"
	      "# take but sends none. Watch `srm history` for a trading day, then set it to false and\n"
	      "# run `srm admin config reload`.\n\n", f);
	fputs("gateway:\n  api_url: ", f);
	put_url(f, p->api_url);
	fputs("            # REST base URL\n  user_hub_url: ", f);
	put_url(f, p->user_hub_url);
	fputs("       # SignalR user hub\n  market_hub_url: ", f);
	put_url(f, p->market_hub_url);
	fputs("     # SignalR market hub\n"
	      "  # The credentials come from the environment when srmd starts; the API key is never\n"
	      "  # written to this file:  export PROJECTX_USERNAME=... PROJECTX_API_KEY=...\n"
	      "  username: ${PROJECTX_USERNAME}\n"
	      "  api_key: ${PROJECTX_API_KEY}\n\n", f);
	fputs("# Which accounts SRM watches: `all`, or a list of account ids and/or name globs\n"
	      "# (case-insensitive, * and ?), e.g. [12345, \"50KTC-*\"].\n", f);
	if (p->n_accounts > 0) {
		fputs("# Accounts seen by `srm admin init`:\n", f);
		for (size_t i = 0; i < p->n_accounts; i++) {
			fprintf(f, "#   %lld  ", (long long)p->accounts[i].id);
			put_clean(f, p->accounts[i].name);
			fputs(p->accounts[i].can_trade ? "\n" : "  (cannot trade now)\n", f);
		}
	}
	fputs("accounts: all\n\n", f);
	if (p->system)
		fputs("daemon:\n"
		      "  state_dir: /var/lib/srm          # the system service's StateDirectory\n"
		      "  socket: /run/srm/srm.sock        # its RuntimeDirectory; group srm may use it\n", f);
	else
		fputs("daemon:\n"
		      "  state_dir: ~/.local/state/srm    # SQLite state and journal\n"
		      "  # socket: the CLI's Unix socket; default ${XDG_RUNTIME_DIR}/srm.sock, or\n"
		      "  # ~/.local/state/srm/srm.sock when XDG_RUNTIME_DIR is unset.\n", f);
	fputs("  log_level: info                  # debug | info | warn | error\n"
	      "  timezone: America/Chicago        # exchange time zone (IANA) for resets and sessions\n"
	      "  reset_time: \"17:00\"              # \"HH:MM\" local start of the trading day\n"
	      "  # holidays: [\"2026-12-25\"]       # \"YYYY-MM-DD\" dates on which no trading day starts\n"
	      "  dry_run: true                    # true: journal and show every action, send none.\n"
	      "                                   # Turn it off after a day of watching `srm history`.\n"
	      "  quote_max_age: 10s               # a quote older than this does not drive P&L rules\n\n",
	      f);
	fputs("admin:\n"
	      "  # yescrypt hash of the admin password (`srm admin passwd` makes a new one); without\n"
	      "  # it every admin command is refused.\n", f);
	if (p->password_hash != NULL && p->password_hash[0] != '\0')
		fprintf(f, "  password_hash: \"%s\"\n\n", p->password_hash);
	else
		fputs("  password_hash: ~\n\n", f);
	char *rules = config_rules_example();

	if (rules == NULL) {
		(void)fclose(f);
		free(buf);
		return NULL;
	}
	fputs(rules, f);
	free(rules);
	fputs(overrides_text, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
