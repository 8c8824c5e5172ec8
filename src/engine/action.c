/* action.c: names of the action vocabulary and its one-line JSON form (`srm replay`, journal). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine/action.h"
#include "engine/event.h"
#include "engine/rule.h"
#include "util/timefmt.h"

static const char *const act_names[ACT_KIND_COUNT] = {
	[ACT_CLOSE_ALL] = "close_all",     [ACT_CLOSE_CONTRACT] = "close_contract",
	[ACT_PARTIAL_CLOSE] = "partial_close", [ACT_CANCEL_ORDER] = "cancel_order",
	[ACT_CANCEL_ALL] = "cancel_all",   [ACT_PLACE_STOP] = "place_stop",
	[ACT_MODIFY_STOP] = "modify_stop", [ACT_LOCKOUT] = "lockout",
	[ACT_UNLOCK] = "unlock",           [ACT_ALERT] = "alert",
};

const char *act_kind_name(enum act_kind k)
{
	return (unsigned)k < ACT_KIND_COUNT ? act_names[k] : "unknown";
}

const char *rule_id_name(int rule)
{
	static const char *const ids[RULE_COUNT] = {
		"RULE-001", "RULE-002", "RULE-003", "RULE-004", "RULE-005", "RULE-006",
		"RULE-007", "RULE-008", "RULE-009", "RULE-010", "RULE-011", "RULE-012",
	};

	return rule >= 0 && rule < RULE_COUNT ? ids[rule] : "ENGINE";
}

int act_kind_parse(const char *name)
{
	for (int k = 0; k < ACT_KIND_COUNT; k++)
		if (strcmp(act_kind_name((enum act_kind)k), name) == 0)
			return k;
	return -1;
}

const char *ev_kind_name(enum ev_kind k)
{
	static const char *const names[EV_KIND_COUNT] = {
		[EV_ACCOUNT] = "GatewayUserAccount", [EV_ORDER] = "GatewayUserOrder",
		[EV_POSITION] = "GatewayUserPosition", [EV_TRADE] = "GatewayUserTrade",
		[EV_QUOTE] = "GatewayQuote", [EV_CONTRACT] = "Contract", [EV_TIMER] = "Timer",
		[EV_ACTION_RESULT] = "ActionResult", [EV_RECHECK] = "Recheck",
		[EV_CONTRACT_MISSING] = "ContractMissing", [EV_ADMIN_LOCKOUT] = "AdminLockout",
		[EV_ADMIN_CLEAR] = "AdminClear", [EV_ADMIN_RESET] = "AdminReset",
		[EV_ADMIN_ENFORCE] = "AdminEnforce",
	};

	return (unsigned)k < EV_KIND_COUNT ? names[k] : "unknown";
}

const char *money_str(money_t m, char *buf)
{
	uint64_t a = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;

	snprintf(buf, 24, "%s%" PRIu64 ".%02" PRIu64, m < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}

/* Append a JSON string (quoted, escaped) to buf at *len. */
static void put_str(char *buf, size_t cap, size_t *len, const char *s)
{
	if (*len < cap)
		buf[(*len)++] = '"';
	for (; *s && *len + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[(*len)++] = '\\';
			buf[(*len)++] = (char)c;
		} else if (c < 0x20) {
			*len += (size_t)snprintf(buf + *len, cap - *len, "\\u%04x", c);
		} else {
			buf[(*len)++] = (char)c;
		}
	}
	if (*len < cap)
		buf[(*len)++] = '"';
}

static void put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len;
}

int action_to_json(const struct srm_action *a, char *buf, size_t cap)
{
	char ts[40];
	size_t len = 0;

	if (cap < 64)
		return -1;
	iso_format_short(a->ts, ts, sizeof(ts));
	put_raw(buf, cap, &len, "{\"ts\":\"%s\",\"accountId\":%" PRId64 ",\"rule\":\"%s\",\"action\":\"%s\"",
		ts, a->account_id, rule_id_name(a->rule), act_kind_name(a->kind));
	if (a->contract_id[0] != '\0') {
		put_raw(buf, cap, &len, ",\"contractId\":");
		put_str(buf, cap, &len, a->contract_id);
	}
	if (a->symbol[0] != '\0') {
		put_raw(buf, cap, &len, ",\"symbol\":");
		put_str(buf, cap, &len, a->symbol);
	}
	if (a->order_id != 0)
		put_raw(buf, cap, &len, ",\"orderId\":%" PRId64, a->order_id);
	if (a->size != 0)
		put_raw(buf, cap, &len, ",\"size\":%d", a->size);
	if (a->kind == ACT_PLACE_STOP)
		put_raw(buf, cap, &len, ",\"side\":%d", a->side);
	if (!isnan(a->stop_price) && (a->kind == ACT_PLACE_STOP || a->kind == ACT_MODIFY_STOP))
		put_raw(buf, cap, &len, ",\"stopPrice\":%.10g", a->stop_price);
	if (a->kind == ACT_LOCKOUT) {
		if (a->until == UNTIL_TIME) {
			char u[40];

			put_raw(buf, cap, &len, ",\"until\":\"%s\"", iso_format_short(a->until_ts, u, sizeof(u)));
		} else if (a->until == UNTIL_RESET) {
			put_raw(buf, cap, &len, ",\"until\":\"reset\"");
		} else if (a->until == UNTIL_PERMANENT) {
			put_raw(buf, cap, &len, ",\"until\":\"permanent\"");
		}
	}
	if (a->dry_run)
		put_raw(buf, cap, &len, ",\"dryRun\":true");
	put_raw(buf, cap, &len, ",\"reason\":");
	put_str(buf, cap, &len, a->reason);
	put_raw(buf, cap, &len, "}");
	if (len >= cap)
		return -1;
	buf[len] = '\0';
	return (int)len;
}
