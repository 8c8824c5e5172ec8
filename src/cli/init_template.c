/* init_template.c: the commented first config that `srm admin init` writes (safe defaults). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "model/domain.h"

/*
 * The rules section of config/srm.example.yaml, verbatim (tests/unit/test_init_template.c
 * checks that it loads to the same rules as the example).
 */
static const char rules_text[] =
	"# Every rule block also takes `enabled: true|false` and `dry_run: true|false` (default false:\n"
	"# true journals and shows this rule's actions without sending them).\n"
	"rules:\n"
	"  # RULE-001: total contracts of the account.\n"
	"  max_contracts:\n"
	"    enabled: true\n"
	"    limit: 4                # most contracts allowed; breach when over (integer >= 0; default 4)\n"
	"    count: net              # net (|sum of signed sizes|) | gross (sum of |sizes|); default net\n"
	"    action: close_all       # close_all | reduce_to_limit (close the excess); default close_all\n"
	"    lockout: none           # default none\n"
	"\n"
	"  # RULE-002: contracts per symbol (ES, MNQ: the contract name without month and year).\n"
	"  max_contracts_per_instrument:\n"
	"    enabled: true\n"
	"    limits: {MNQ: 4, ES: 1}  # SYMBOL: most contracts (integer >= 0); default {MNQ: 4, ES: 1}\n"
	"    default_limit: 2         # limit of a symbol not listed in limits (default 2)\n"
	"    unknown_symbol: block    # contract not in the contract cache yet: block (limit 0) | allow\n"
	"                             # (default_limit); default block\n"
	"    action: reduce_to_limit  # close_all | reduce_to_limit; default reduce_to_limit\n"
	"    lockout: none            # default none\n"
	"\n"
	"  # RULE-003: today's realized P&L.\n"
	"  daily_realized_loss:\n"
	"    enabled: true\n"
	"    loss_limit: 500              # breach when P&L reaches -500 (positive money; default 500)\n"
	"    include_unrealized: false    # add open positions' unrealized P&L (default false)\n"
	"    include_fees: false          # subtract fees (default false)\n"
	"    lockout: until_reset         # default until_reset\n"
	"\n"
	"  # RULE-004: unrealized loss of a position or of the account.\n"
	"  daily_unrealized_loss:\n"
	"    enabled: true\n"
	"    loss_limit: 300          # positive money (default 300)\n"
	"    scope: position          # position (close that one) | account (close all); default position\n"
	"    lockout: none            # default none\n"
	"\n"
	"  # RULE-005: unrealized profit target: close to lock it in.\n"
	"  max_unrealized_profit:\n"
	"    enabled: false           # off unless you turn it on\n"
	"    target: 1000             # positive money (default 1000)\n"
	"    scope: position          # position | account; default position\n"
	"    lockout: none            # default none\n"
	"\n"
	"  # RULE-006: executions (non-voided fills) per rolling window; 0 turns a window off.\n"
	"  trade_frequency_limit:\n"
	"    enabled: true\n"
	"    per_minute: 3            # default 3\n"
	"    per_hour: 10             # default 10\n"
	"    per_session: 50          # since the daily reset (default 50)\n"
	"    cooldown:                # lockout when a window is exceeded (the longest if several)\n"
	"      per_minute: 60s        # default 60s\n"
	"      per_hour: 30m          # default 30m\n"
	"      per_session: until_reset  # default until_reset\n"
	"\n"
	"  # RULE-007: a cooldown after a losing closing fill.\n"
	"  cooldown_after_loss:\n"
	"    enabled: true\n"
	"    tiers:                   # the largest tier whose loss is reached applies; at most 8\n"
	"      - {loss: 100, cooldown: 5m}   # loss: positive money; cooldown: a lockout\n"
	"      - {loss: 300, cooldown: 30m}\n"
	"    consecutive_losses:\n"
	"      count: 3               # that many losing closing fills in a row (0 = off; default 3)\n"
	"      cooldown: 1h           # default 1h\n"
	"\n"
	"  # RULE-008: a position must get a stop order within the grace period.\n"
	"  no_stop_loss_grace:\n"
	"    enabled: true\n"
	"    grace: 30s               # duration (default 30s)\n"
	"    action: close_position   # close_position | place_stop (at trade_management.auto_stop.stop_ticks)\n"
	"\n"
	"  # RULE-009: trade only inside windows (in daemon.timezone).\n"
	"  session_block_outside:\n"
	"    enabled: false           # off unless you turn it on\n"
	"    windows:                 # at most 16; default sun-thu 17:00-15:10\n"
	"      - days: [sun, mon, tue, wed, thu]  # day the window STARTS: sun mon tue wed thu fri sat\n"
	"        start: \"17:00\"                   # \"HH:MM\"\n"
	"        end: \"15:10\"                     # \"HH:MM\"; before start = runs past midnight\n"
	"    flatten_at: \"15:10\"      # \"HH:MM\" cancel all and close all; none = never (default 15:10)\n"
	"    lockout: until_next_window  # default until_next_window\n"
	"\n"
	"  # RULE-010: the broker says the account cannot trade (canTrade: false).\n"
	"  auth_loss_guard:\n"
	"    enabled: true\n"
	"    flatten: true            # also close positions (default true)\n"
	"    auto_clear: true         # lift the lockout when canTrade returns (default true)\n"
	"\n"
	"  # RULE-011: symbols that must not be traded (exact or glob, case-insensitive).\n"
	"  symbol_blocks:\n"
	"    enabled: true\n"
	"    symbols: [RTY]           # at most 64; default [RTY]\n"
	"    close_existing: true     # also close open positions in them (default true)\n"
	"\n"
	"  # RULE-012: stop management (Order/place, Order/modify).\n"
	"  trade_management:\n"
	"    enabled: false           # off unless you turn it on\n"
	"    auto_stop:\n"
	"      enabled: true          # a new position without a stop gets one (default true)\n"
	"      stop_ticks: 20         # ticks from entry (positive; default 20)\n"
	"    breakeven:\n"
	"      enabled: true          # default true\n"
	"      trigger_ticks: 10      # ticks in profit before the stop moves (positive; default 10)\n"
	"      offset_ticks: 1        # stop at entry +/- this (>= 0; default 1)\n"
	"    trailing:\n"
	"      enabled: false         # default false\n"
	"      activation_ticks: 20   # ticks in profit before trailing starts (positive; default 20)\n"
	"      distance_ticks: 10     # ticks behind the best price (positive; default 10)\n";

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
	fputs("daemon:\n"
	      "  state_dir: ~/.local/state/srm    # SQLite state and journal\n"
	      "  # socket: the CLI's Unix socket; default ${XDG_RUNTIME_DIR}/srm.sock, or\n"
	      "  # ~/.local/state/srm/srm.sock when XDG_RUNTIME_DIR is unset.\n"
	      "  log_level: info                  # debug | info | warn | error\n"
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
	fputs(rules_text, f);
	fputs(overrides_text, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
