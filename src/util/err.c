/* err.c: filling struct srm_err. */
#include "util/err.h"

#include <stdio.h>
#include <string.h>

int srm_err_set(struct srm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void srm_err_prefix(struct srm_err *err, const char *fmt, ...)
{
	char pre[128], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	size_t lp = strnlen(pre, sizeof(pre));
	size_t lo = strnlen(old, sizeof(old));
	if (lp > sizeof(err->msg) - 1)
		lp = sizeof(err->msg) - 1;
	if (lo > sizeof(err->msg) - 1 - lp)
		lo = sizeof(err->msg) - 1 - lp;
	memcpy(err->msg, pre, lp);
	memcpy(err->msg + lp, old, lo);
	err->msg[lp + lo] = '\0';
}
