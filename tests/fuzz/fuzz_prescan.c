/*
 * fuzz_prescan - arbitrary bytes as the start of a FastCGI connection:
 * prescan with a few limits, checked for consistency.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "prescan.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[] = { 0, 1, 100, 65535, 65536, 1 << 20 };
	enum prescan_result prev = PRESCAN_OK;

	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		size_t params = 12345, shorter;
		enum prescan_result r = prescan(data, size, maxes[i], &params);
		enum prescan_result rs;

		if (r > PRESCAN_BAD_PARAMS || prescan_why(r)[0] == '?')
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
