/*
 * prescan.c - limits on a request's FastCGI records, checked before
 * libfcgi reads them (see prescan.h).
 */
#include "config.h"

#include "prescan.h"

/* FastCGI record types (the FastCGI specification, section 8) */
enum {
	T_BEGIN_REQUEST = 1, T_ABORT_REQUEST, T_END_REQUEST, T_PARAMS,
	T_STDIN, T_STDOUT, T_STDERR, T_DATA, T_GET_VALUES,
	T_GET_VALUES_RESULT, T_UNKNOWN_TYPE, T_MAX = T_UNKNOWN_TYPE,
};

#define HEADER_LEN 8

enum prescan_result
prescan(const unsigned char *buf, size_t len, size_t max_params,
    size_t *params)
{
	size_t at = 0;

	*params = 0;
	for (int n = 0; n < PRESCAN_MAX_RECORDS; n++) {
		size_t clen, plen;
		int type;

		if (len - at < HEADER_LEN)
			return PRESCAN_MORE;
		if (buf[at] != 1)
			return PRESCAN_BAD;
		type = buf[at + 1];
		if (type < T_BEGIN_REQUEST || type > T_MAX)
			return PRESCAN_BAD;
		clen = (size_t)buf[at + 4] << 8 | buf[at + 5];
		plen = buf[at + 6];
		if (type == T_PARAMS) {
			if (clen == 0)
				return PRESCAN_OK;	/* the params end */
			*params += clen;
			if (*params > max_params)
				return PRESCAN_TOO_BIG;
		}
		if (type == T_STDIN)
			return PRESCAN_OK;	/* libfcgi takes it from here */
		if (clen + plen > len - at - HEADER_LEN)
			return PRESCAN_MORE;
		at += HEADER_LEN + clen + plen;
	}
	return PRESCAN_TOO_MANY;
}

const char *
prescan_why(enum prescan_result r)
{
	switch (r) {
	case PRESCAN_OK: return "ok";
	case PRESCAN_MORE: return "incomplete";
	case PRESCAN_TOO_BIG: return "params larger than "
	    "fastcgi.max_params_size";
	case PRESCAN_TOO_MANY: return "too many records before the params end";
	case PRESCAN_BAD: return "not a FastCGI record";
	}
	return "?";
}
