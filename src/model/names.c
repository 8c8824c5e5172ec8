/* names.c: the names of the model's vocabulary (actions, events) and money as text. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "model/action.h"
#include "model/event.h"

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
		[EV_ADMIN_ENFORCE] = "AdminEnforce", [EV_CONFIG] = "Config",
	};

	return (unsigned)k < EV_KIND_COUNT ? names[k] : "unknown";
}

const char *money_str(money_t m, char *buf)
{
	uint64_t a = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;

	snprintf(buf, 24, "%s%" PRIu64 ".%02" PRIu64, m < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}


int64_t ev_account_id(const struct srm_event *ev)
{
	switch (ev->kind) {
	case EV_ACCOUNT:
		return ev->u.account.id;
	case EV_ORDER:
		return ev->u.order.account_id;
	case EV_POSITION:
		return ev->u.position.account_id;
	case EV_TRADE:
		return ev->u.trade.account_id;
	case EV_ACTION_RESULT:
		return ev->u.result.account_id;
	case EV_RECHECK:
		return ev->u.recheck.account_id;
	case EV_ADMIN_LOCKOUT:
	case EV_ADMIN_CLEAR:
	case EV_ADMIN_RESET:
	case EV_ADMIN_ENFORCE:
		return ev->u.admin.account_id;
	default:
		return 0;
	}
}
