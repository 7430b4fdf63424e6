/*
 * fuzz_prescan - arbitrary bytes as the start of a FastCGI connection:
 * prescan with a few limits, checked for consistency; and as a request's
 * body, bodyscan taking them whole and a few bytes at a time, which must
 * agree.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prescan.h"

/* The body in data, arriving step bytes at a time: the last step, the
 * body's bytes into out (*outlen), all of data looked at in *at. */
static enum bodyscan_step
body(const uint8_t *data, size_t size, size_t step, uint8_t *out,
    size_t *outlen, size_t *at)
{
	struct bodyscan s;
	enum bodyscan_step r;
	size_t end = 0, used;

	bodyscan_init(&s, 1);
	*outlen = *at = 0;
	for (;;) {
		r = bodyscan(&s, data + *at, end - *at, &used);
		if (used > end - *at || r > BODYSCAN_BAD)
			abort();
		if (r == BODYSCAN_DATA) {
			if (used == 0)
				abort();
			memcpy(out + *outlen, data + *at, used);
			*outlen += used;
		}
		if ((r == BODYSCAN_SKIP && used == 0) ||
		    (r == BODYSCAN_MORE && used != 0))
			abort();	/* no progress, or progress unsaid */
		*at += used;
		if (r == BODYSCAN_END || r == BODYSCAN_BAD)
			return r;
		if (r == BODYSCAN_MORE && end == size)
			return r;
		if (r == BODYSCAN_MORE)
			end = size - end < step ? size : end + step;
	}
}

static void
check_body(const uint8_t *data, size_t size)
{
	static uint8_t whole[1 << 17], piece[1 << 17];
	size_t wlen, plen, wat, pat;
	enum bodyscan_step w, p;

	if (size > sizeof(whole))
		return;
	w = body(data, size, size + 1, whole, &wlen, &wat);
	if (wlen > size || wat > size)
		abort();
	for (size_t step = 1; step <= 9; step += 4) {
		p = body(data, size, step, piece, &plen, &pat);
		if (p != w || plen != wlen || pat != wat ||
		    memcmp(whole, piece, wlen) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_body(data, size);
	static const size_t maxes[] = { 0, 1, 100, 65535, 65536, 1 << 20 };
	enum prescan_result prev = PRESCAN_OK;

	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		size_t params = 12345, shorter;
		enum prescan_result r = prescan(data, size, maxes[i], &params);
		enum prescan_result rs;

		if (r > PRESCAN_TOO_MANY_ANSWERED || prescan_why(r)[0] == '?')
			abort();
		/* within the limit unless refused for it */
		if (r != PRESCAN_TOO_BIG && params > maxes[i])
			abort();
		if (r == PRESCAN_TOO_BIG && params <= maxes[i])
			abort();
		/* params counts bytes that arrived as params records' heads
		 * say: never more than 65535 per 8-byte header */
		if (params > (size / 8 + 1) * 65535)
			abort();
		/* a larger limit never refuses what a smaller one took */
		if (i > 0 && prev != PRESCAN_TOO_BIG && r != prev)
			abort();
		prev = r;
		/* less of the same input: the same answer, or "more" (a
		 * refusal for size may come only later) */
		if (size == 0)
			continue;
		rs = prescan(data, size - 1, maxes[i], &shorter);
		if (rs != r && rs != PRESCAN_MORE && !(r == PRESCAN_TOO_BIG &&
		    rs == PRESCAN_TOO_BIG))
			abort();
		if (shorter > params)
			abort();
	}
	return 0;
}
