/*
 * frame.h: SignalR JSON hub protocol record framing (API reference §11): records end with
 * 0x1E; a WebSocket frame may carry several records or part of one. Pure and bounded.
 */
#ifndef SRM_GATEWAY_FRAME_H
#define SRM_GATEWAY_FRAME_H

#include <stddef.h>

#include "util/err.h"

#define GW_RS 0x1e

struct gw_frame {
	char *buf;       /* the unterminated tail of the stream */
	size_t len, cap;
	size_t max;      /* hard cap of one record */
};

/* Called once per complete record (without the 0x1E); nonzero stops feeding. */
typedef int (*gw_record_fn)(void *ud, const char *rec, size_t len);

/* Initialise with a cap on a record's size (0: 1 MiB). */
void gw_frame_init(struct gw_frame *f, size_t max);
/* Release the buffer (f may be reused after gw_frame_init). */
void gw_frame_free(struct gw_frame *f);
/* Drop any partial record (new connection). */
void gw_frame_reset(struct gw_frame *f);
/*
 * Feed bytes: complete records go to fn in order, the rest is kept. Returns 0; 1 if fn
 * asked to stop (the tail is dropped then); -1 when a record exceeds the cap.
 */
int gw_frame_feed(struct gw_frame *f, const char *data, size_t len, gw_record_fn fn, void *ud,
		  struct srm_err *err);

#endif
