/* budget.c: priority rate budget, circuit breaker and jittered backoff (pure, explicit time). */
#include "gateway/budget.h"

#include <string.h>

static const char *const prio_names[GW_PRIO_COUNT] = {"enforce", "reconcile", "lookup"};

const char *gw_prio_name(enum gw_prio p)
{
	return (unsigned)p < GW_PRIO_COUNT ? prio_names[p] : "?";
}

void gw_budget_init(struct gw_budget *b, const struct gw_budget_cfg *cfg)
{
	memset(b, 0, sizeof(*b));
	if (cfg != NULL)
		b->cfg = *cfg;
	if (b->cfg.limit <= 0)
		b->cfg.limit = 190;
	if (b->cfg.limit > GW_BUDGET_RING / 2)
		b->cfg.limit = GW_BUDGET_RING / 2;
	if (b->cfg.window_ms <= 0)
		b->cfg.window_ms = 60000;
	if (b->cfg.reserve_enforce <= 0)
		b->cfg.reserve_enforce = b->cfg.limit * 3 / 19 > 0 ? b->cfg.limit * 3 / 19 : 1;
	if (b->cfg.reserve_reconcile <= 0)
		b->cfg.reserve_reconcile = b->cfg.limit * 4 / 19 > 0 ? b->cfg.limit * 4 / 19 : 1;
	if (b->cfg.reserve_enforce + b->cfg.reserve_reconcile >= b->cfg.limit) {
		b->cfg.reserve_enforce = b->cfg.limit / 4;
		b->cfg.reserve_reconcile = b->cfg.limit / 4;
	}
}

static void prune(struct gw_budget *b, int64_t now)
{
	while (b->count > 0 && b->ring[b->head] <= now - b->cfg.window_ms) {
		b->head = (b->head + 1) % GW_BUDGET_RING;
		b->count--;
	}
}

int gw_budget_used(struct gw_budget *b, int64_t now)
{
	prune(b, now);
	return (int)b->count;
}

static int allowance(const struct gw_budget *b, enum gw_prio p)
{
	switch (p) {
	case GW_PRIO_ENFORCE:
		return b->cfg.limit;
	case GW_PRIO_RECONCILE:
		return b->cfg.limit - b->cfg.reserve_enforce;
	default:
		return b->cfg.limit - b->cfg.reserve_enforce - b->cfg.reserve_reconcile;
	}
}

int64_t gw_budget_wait(struct gw_budget *b, enum gw_prio p, int64_t now)
{
	int64_t wait = 0;
	int allow;

	if (p == GW_PRIO_ENFORCE)
		return 0;
	prune(b, now);
	if (b->pause_until > now)
		wait = b->pause_until - now;
	allow = allowance(b, p);
	if ((int)b->count >= allow) {
		/* The (count - allow + 1)-th oldest send must leave the window first. */
		size_t k = b->count - (size_t)allow;
		int64_t t = b->ring[(b->head + k) % GW_BUDGET_RING] + b->cfg.window_ms - now;

		if (t < 1)
			t = 1;
		if (t > wait)
			wait = t;
	}
	return wait;
}

void gw_budget_take(struct gw_budget *b, enum gw_prio p, int64_t now)
{
	prune(b, now);
	if (b->count == GW_BUDGET_RING) { /* only enforcement can get here: forget the oldest */
		b->head = (b->head + 1) % GW_BUDGET_RING;
		b->count--;
	}
	b->ring[(b->head + b->count) % GW_BUDGET_RING] = now;
	b->count++;
	if ((unsigned)p < GW_PRIO_COUNT)
		b->sent[p]++;
}

void gw_budget_on_429(struct gw_budget *b, int64_t now, int64_t pause_ms)
{
	if (now + pause_ms > b->pause_until)
		b->pause_until = now + pause_ms;
}

void gw_breaker_init(struct gw_breaker *br, const struct gw_breaker_cfg *cfg)
{
	memset(br, 0, sizeof(*br));
	if (cfg != NULL)
		br->cfg = *cfg;
	if (br->cfg.fail_threshold <= 0)
		br->cfg.fail_threshold = 5;
	if (br->cfg.open_ms <= 0)
		br->cfg.open_ms = 2000;
	if (br->cfg.open_max_ms < br->cfg.open_ms)
		br->cfg.open_max_ms = br->cfg.open_ms > 30000 ? br->cfg.open_ms : 30000;
	br->cur_open_ms = br->cfg.open_ms;
}

enum gw_breaker_state gw_breaker_state_at(const struct gw_breaker *br, int64_t now)
{
	if (br->state == GW_BREAKER_OPEN && now >= br->open_until)
		return GW_BREAKER_HALF_OPEN;
	return br->state;
}

bool gw_breaker_allow(struct gw_breaker *br, int64_t now)
{
	br->state = gw_breaker_state_at(br, now);
	switch (br->state) {
	case GW_BREAKER_CLOSED:
		return true;
	case GW_BREAKER_OPEN:
		return false;
	case GW_BREAKER_HALF_OPEN:
		if (br->probe_out)
			return false;
		br->probe_out = true;
		return true;
	}
	return false;
}

void gw_breaker_success(struct gw_breaker *br)
{
	br->state = GW_BREAKER_CLOSED;
	br->fails = 0;
	br->probe_out = false;
	br->cur_open_ms = br->cfg.open_ms;
}

void gw_breaker_failure(struct gw_breaker *br, int64_t now)
{
	if (br->state == GW_BREAKER_HALF_OPEN || gw_breaker_state_at(br, now) == GW_BREAKER_HALF_OPEN) {
		/* The probe failed: open again for longer. */
		br->cur_open_ms *= 2;
		if (br->cur_open_ms > br->cfg.open_max_ms)
			br->cur_open_ms = br->cfg.open_max_ms;
		br->state = GW_BREAKER_OPEN;
		br->open_until = now + br->cur_open_ms;
		br->probe_out = false;
		br->trips++;
		return;
	}
	if (br->state == GW_BREAKER_OPEN)
		return; /* a straggler that was in flight before it opened */
	if (++br->fails >= br->cfg.fail_threshold) {
		br->state = GW_BREAKER_OPEN;
		br->open_until = now + br->cur_open_ms;
		br->trips++;
	}
}

void gw_breaker_release(struct gw_breaker *br)
{
	br->probe_out = false;
}

const char *gw_breaker_state_name(enum gw_breaker_state s)
{
	switch (s) {
	case GW_BREAKER_CLOSED:
		return "closed";
	case GW_BREAKER_OPEN:
		return "open";
	case GW_BREAKER_HALF_OPEN:
		return "half-open";
	}
	return "?";
}

uint64_t gw_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9E3779B97F4A7C15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

int64_t gw_backoff_ms(int64_t base, int64_t cap, int attempt, uint64_t *rng)
{
	int64_t d = base > 0 ? base : 1;

	if (cap < d)
		cap = d;
	for (int i = 0; i < attempt && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	return d / 2 + (int64_t)(gw_rand(rng) % (uint64_t)(d - d / 2 + 1));
}
