/* frame.c: 0x1E record splitting with a bounded carry-over buffer; no copy when aligned. */
#include "gateway/frame.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void gw_frame_init(struct gw_frame *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max ? max : (1u << 20);
}

void gw_frame_free(struct gw_frame *f)
{
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
}

void gw_frame_reset(struct gw_frame *f)
{
	f->len = 0;
}

static int append(struct gw_frame *f, const char *data, size_t len, struct srm_err *err)
{
	if (f->len + len > f->max)
		return srm_err_set(err, SRM_EFULL, "hub record longer than %zu bytes", f->max);
	xgrow(&f->buf, &f->cap, f->len + len, f->max);
	memcpy(f->buf + f->len, data, len);
	f->len += len;
	return 0;
}

int gw_frame_feed(struct gw_frame *f, const char *data, size_t len, gw_record_fn fn, void *ud,
		  struct srm_err *err)
{
	const char *p = data, *end, *rs;

	/* an empty receive may come as (NULL, 0), and NULL + 0 is undefined in C */
	if (len == 0)
		return 0;
	end = data + len;
	if (f->len > 0) {
		size_t rlen;

		/* Complete the carried record first. */
		rs = memchr(p, GW_RS, len);
		if (rs == NULL)
			return append(f, p, len, err);
		if (append(f, p, (size_t)(rs - p), err) < 0)
			return -1;
		rlen = f->len;
		f->len = 0;
		if (fn(ud, f->buf, rlen) != 0)
			return 1;
		p = rs + 1;
	}
	while (p < end && (rs = memchr(p, GW_RS, (size_t)(end - p))) != NULL) {
		if ((size_t)(rs - p) > f->max)
			return srm_err_set(err, SRM_EFULL, "hub record longer than %zu bytes", f->max);
		if (fn(ud, p, (size_t)(rs - p)) != 0)
			return 1;
		p = rs + 1;
	}
	if (p < end)
		return append(f, p, (size_t)(end - p), err);
	return 0;
}
