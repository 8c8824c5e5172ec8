/* err.h: the error convention of every module: return 0 / -1 and fill a struct srm_err. */
#ifndef SRM_UTIL_ERR_H
#define SRM_UTIL_ERR_H

#include <stdarg.h>

enum srm_errcode {
	SRM_OK = 0,
	SRM_EINVAL,   /* bad input: malformed, wrong type, out of range */
	SRM_EMISSING, /* a required field or key is absent */
	SRM_ENOMEM,
	SRM_EIO,
	SRM_EFULL,    /* a bounded buffer or table is full */
	SRM_ENOTFOUND,
};

struct srm_err {
	int code;
	char msg[256];
};

/* Fill err (when not NULL) with code and a printf-style message; returns -1. */
int srm_err_set(struct srm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix err->msg with a printf-style context ("line 3: " + old message). */
void srm_err_prefix(struct srm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
