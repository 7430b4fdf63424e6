/*
 * bench-raw: the peer of fpm's hello app for scripts/bench, a bare libfcgi
 * accept loop on fd 0 (the socket spawn-fcgi hands it) sending the bytes
 * sapi/examples/hello.c makes fpm send:
 *
 *   Status: 200 OK, Content-Type: text/plain, body "Hello World\n"
 *
 * Build: cc -O2 scripts/bench-raw.c -lfcgi -o raw
 * Run:   spawn-fcgi -s SOCK -M 0666 -F 4 -u nobody -- ./raw
 */
#include <fcgiapp.h>

static const char reply[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hello World\n";

int
main(void)
{
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
