/*
 * firms.c: the ProjectX deployments of the prop firms, one line each (../shared/firm-rules.md,
 * "Per-firm deployments"): gateway.firm picks the REST and hub URLs; explicit URLs win. The
 * pattern is https://api.<firm>.projectx.com and https://rtc.<firm>.projectx.com/hubs/...;
 * TopstepX runs its own hosts. An unknown firm takes explicit URLs.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "util/strutil.h"

static const struct {
	const char *name;
	const char *api, *rtc;  /* hosts */
} firms[] = {
	{ "topstepx", "api.topstepx.com", "rtc.topstepx.com" },
	{ "alphaticks", "api.alphaticks.projectx.com", "rtc.alphaticks.projectx.com" },
	{ "tradeify", "api.tradeify.projectx.com", "rtc.tradeify.projectx.com" },
	{ "lucidtrading", "api.lucidtrading.projectx.com", "rtc.lucidtrading.projectx.com" },
	{ "toponefutures", "api.toponefutures.projectx.com", "rtc.toponefutures.projectx.com" },
	{ "thefuturesdesk", "api.thefuturesdesk.projectx.com", "rtc.thefuturesdesk.projectx.com" },
	{ "bulenox", "api.bulenox.projectx.com", "rtc.bulenox.projectx.com" },
};

int config_firm_urls(const char *firm, char *api, char *user_hub, char *market_hub, size_t cap)
{
	for (size_t i = 0; i < sizeof(firms) / sizeof(firms[0]); i++) {
		if (!str_eq_ci(firms[i].name, firm))
			continue;
		snprintf(api, cap, "https://%s", firms[i].api);
		snprintf(user_hub, cap, "https://%s/hubs/user", firms[i].rtc);
		snprintf(market_hub, cap, "https://%s/hubs/market", firms[i].rtc);
		return 0;
	}
	return -1;
}

void config_firm_names(char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(firms) / sizeof(firms[0]) && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i > 0 ? ", " : "", firms[i].name);
}
