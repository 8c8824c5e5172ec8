/* fuzz_frame.c: libFuzzer target: a byte stream cut at input-chosen places -> the hub framer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: 4 header bytes, then the stream the server would send.
 *   [0] record cap - 1 (1..256 bytes)
 *   [1] flags: bit 0 the callback asks to stop after record number [1] >> 4 (1..16);
 *       bit 1 a reset (new connection) may fall between chunks; bit 2 empty chunks are
 *       fed as (NULL, 0), the way a receive callback may deliver them
 *   [2..3] seed of the chunk lengths (0 .. 2 * cap + 1, so chunks straddle the cap)
 * A reference model (the stream since the last reset, and how far into it the records
 * have been handed over) checks every record and every return value.
 */
struct model {
	const char *s;        /* the stream fed since the session began */
	size_t len;           /* its length */
	size_t cursor;        /* start of the next record the framer owes us */
	size_t max;
	unsigned delivered;   /* records handed over in the whole run */
	unsigned stop_at;     /* 0: never ask to stop */
	int stopped;          /* the last callback asked to stop */
};

static uint32_t next_rand(uint32_t *x)
{
	/* xorshift32: the boundaries are the input's choice, via its seed */
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Length of the segment at off: up to the next 0x1E or the end of what was fed. */
static size_t seg_len(const struct model *m, size_t off, int *complete)
{
	const char *rs = memchr(m->s + off, GW_RS, m->len - off);

	*complete = rs != NULL;
	return rs ? (size_t)(rs - (m->s + off)) : m->len - off;
}

static int on_record(void *ud, const char *rec, size_t len)
{
	struct model *m = ud;
	int complete;
	size_t want;

	if (m->stopped)
		abort(); /* called again after asking to stop */
	if (len > m->max || (len > 0 && memchr(rec, GW_RS, len) != NULL))
		abort();
	if (m->cursor > m->len)
		abort();
	want = seg_len(m, m->cursor, &complete);
	if (!complete || want != len || (len > 0 && memcmp(rec, m->s + m->cursor, len) != 0))
		abort(); /* not the next record of the stream */
	m->cursor += len + 1;
	m->delivered++;
	if (m->stop_at != 0 && m->delivered == m->stop_at) {
		m->stopped = 1;
		return 1;
	}
	return 0;
}

/* A new session starts with the next byte fed (after a reset, a stop or a refusal). */
static void new_session(struct model *m, const char *at)
{
	m->s = at;
	m->len = 0;
	m->cursor = 0;
	m->stopped = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_frame f;
	struct model m = {0};
	const char *stream = (const char *)data + 4;
	size_t slen, off = 0;
	uint32_t seed;
	unsigned flags;

	if (size < 4)
		return 0;
	slen = size - 4;
	m.max = (size_t)data[0] + 1;
	flags = data[1];
	m.stop_at = (flags & 1) ? (flags >> 4) + 1 : 0;
	seed = ((uint32_t)data[2] << 8 | data[3]) * 2654435761u + 1; /* never 0 */
	gw_frame_init(&f, m.max);
	new_session(&m, stream);

	while (off < slen) {
		size_t n = next_rand(&seed) % (2 * m.max + 2);
		struct srm_err err = {0};
		const char *chunk = stream + off;
		int rc, complete;

		if (n > slen - off)
			n = slen - off;
		if ((flags & 2) && next_rand(&seed) % 8 == 0) {
			gw_frame_reset(&f);
			new_session(&m, chunk);
		}
		/* the model sees the chunk first: records may end inside it */
		m.len += n;
		rc = gw_frame_feed(&f, (n == 0 && (flags & 4)) ? NULL : chunk, n, on_record, &m,
				   &err);
		off += n;
		switch (rc) {
		case 0:
			/* every complete record handed over; the tail is kept, within the cap */
			if (m.stopped || seg_len(&m, m.cursor, &complete) != f.len || complete ||
			    f.len > m.max)
				abort();
			break;
		case 1:
			/* only when asked; the rest of the chunk is dropped, nothing is carried */
			if (!m.stopped || f.len != 0)
				abort();
			new_session(&m, stream + off);
			break;
		case -1:
			/* only when the next record is over the cap, and then it says so */
			if (m.stopped || seg_len(&m, m.cursor, &complete) <= m.max ||
			    err.code != SRM_EFULL || err.msg[0] == '\0' ||
			    memchr(err.msg, '\0', sizeof(err.msg)) == NULL)
				abort();
			/* what the hub does: drop the connection, start the next one clean */
			gw_frame_reset(&f);
			new_session(&m, stream + off);
			break;
		default:
			abort();
		}
	}
	gw_frame_free(&f);
	/* free accepts a freed frame, and the frame may be used again after init */
	gw_frame_free(&f);
	gw_frame_init(&f, m.max);
	gw_frame_free(&f);
	return 0;
}
