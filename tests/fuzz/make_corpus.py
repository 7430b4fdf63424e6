#!/usr/bin/env python3
"""Write the seed corpora of fuzz_request and fuzz_prescan: FastCGI
connections as nginx sends them (tests/fuzz/corpus/<target>/).  Run from
the top of the tree; the conf and status_query seeds are plain files."""
import os
import struct


def rec(t, body, rid=1, pad=0):
    return struct.pack(">BBHHBB", 1, t, rid, len(body), pad, 0) + body + \
        b"\0" * pad


def nv(n, v):
    def ln(x):
        return bytes([len(x)]) if len(x) < 128 else \
            struct.pack(">I", len(x) | 0x80000000)
    return ln(n) + ln(v) + n + v


def request(uri, method=b"GET", body=b"", extra=(), keep=0, rid=1,
            split=0, cl=None):
    path, _, qs = uri.partition(b"?")
    p = [(b"SCRIPT_FILENAME", b"/srv/www" + path), (b"QUERY_STRING", qs),
         (b"REQUEST_METHOD", method), (b"CONTENT_TYPE", b"text/plain"),
         (b"CONTENT_LENGTH", cl if cl is not None else
          str(len(body)).encode() if body else b""),
         (b"SCRIPT_NAME", path), (b"REQUEST_URI", uri),
         (b"DOCUMENT_URI", path), (b"SERVER_PROTOCOL", b"HTTP/1.1"),
         (b"REMOTE_ADDR", b"127.0.0.1"), (b"SERVER_NAME", b"localhost"),
         (b"HTTP_HOST", b"localhost")] + list(extra)
    params = b"".join(nv(n, v) for n, v in p)
    out = rec(1, struct.pack(">HB5x", 1, keep), rid)
    if split:
        out += rec(4, params[:split], rid) + rec(4, params[split:], rid)
    else:
        out += rec(4, params, rid, pad=(8 - len(params) % 8) % 8)
    out += rec(4, b"", rid)
    if body:
        out += rec(5, body, rid)
    return out + rec(5, b"", rid)


seeds = {
    "get": request(b"/index"),
    "post": request(b"/echo", b"POST", b"a=1&b=2" * 20),
    "params": request(b"/echo?params", extra=[(b"HTTP_X_STATUS", b"404"),
                      (b"HTTP_X_NAME", b"X-Test"), (b"HTTP_X_VALUE", b"v")]),
    "finish": request(b"/echo?finish&early&flush", b"POST", b"body"),
    "status": request(b"/status?json&full"),
    "status_html": request(b"/status?html"),
    "ping": request(b"/ping"),
    "keep": request(b"/a", keep=1) + request(b"/status?openmetrics", keep=1,
                                             rid=2),
    "split": request(b"/split?stderr", split=10,
                     extra=[(b"HTTP_X_VALUE", b"line1\nline2")]),
    "excess": request(b"/echo", b"POST", b"more than said", cl=b"3"),
    "mgmt": rec(9, nv(b"FCGI_MAX_CONNS", b"") + nv(b"FCGI_MPXS_CONNS", b""),
                0) + request(b"/x"),
    "truncated": request(b"/index")[:40],
}

# Hostile streams (tests/e2e/stream.bats): records out of order, of other
# ids and of every type, in every phase of a request.
overflow = struct.pack(">II", 0xfffffff0, 0xfffffff0) + b"x" * 8
echo = request(b"/echo", b"POST", b"abcdef")
begin_end = 16
params_end = echo.index(rec(4, b"")) + 8
seeds.update({
    # an empty params record of the request's id before its begin, then
    # params in two records, one of them an overflowing pair
    "pre_begin_overflow": rec(4, b"") + request(b"/echo", split=10)[:-16] +
    rec(4, overflow) + rec(4, b"") + rec(5, b""),
    # libfcgi answers each name it knows into 56 bytes on its stack
    "get_values_repeated": rec(9, nv(b"FCGI_MAX_CONNS", b"") * 12, 0) +
    echo,
    "body_get_values": echo[:params_end] + rec(5, b"abc") +
    rec(9, overflow, 0) + rec(5, b"def") + rec(5, b""),
    "body_mgmt_flood": echo[:params_end] + rec(5, b"abc") +
    rec(11, b"", 0) * 2000 + rec(5, b"def") + rec(5, b""),
    "body_unknown_type_content": echo[:params_end] + rec(5, b"abc") +
    rec(5, b"EVIL", 0) + rec(8, b"EVIL", 0) + rec(5, b"def") + rec(5, b""),
    "other_ids": rec(5, b"EVIL", 2) + rec(9, b"", 0) + echo[:begin_end] +
    rec(4, nv(b"HTTP_X_INJECT", b"1"), 2) + rec(9, b"", 0) +
    rec(5, b"EVIL", 3) + echo[begin_end:params_end] + rec(5, b"abc") +
    rec(5, b"EVIL", 2) + rec(1, struct.pack(">HB5x", 1, 0), 3) +
    rec(5, b"def") + rec(5, b"") + rec(5, b"EVIL", 2) +
    rec(11, b"EVIL", 0),
    "body_params_record": echo[:params_end] + rec(4, b"abc") +
    rec(5, b"def") + rec(5, b""),
    "body_padded": echo[:params_end] + rec(5, b"abc", pad=5) +
    rec(5, b"def", pad=2) + rec(5, b"", pad=3),
    "after_body_keep": request(b"/echo", b"POST", b"abcdef", keep=1) +
    rec(9, overflow, 0) + rec(11, b"", 0) + rec(5, b"late", 2) +
    request(b"/a", keep=1),
})

for target in ("fuzz_request", "fuzz_prescan"):
    d = os.path.join("tests/fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

# A libFuzzer dictionary for both: a record header of every type for the
# request (1), another request (2) and management (0), so that mutations
# put records of any type and id in any phase; pair lengths that overflow;
# the names libfcgi answers FCGI_GET_VALUES for.
words = [struct.pack(">BBHHBB", 1, t, rid, n, 0, 0)
         for t in range(1, 12) for rid in (0, 1, 2) for n in (0, 8)]
words += [b"\x80\x00\x00\x00", b"\xff\xff\xff\xf0", b"\x7f",
          b"FCGI_MAX_CONNS", b"FCGI_MAX_REQS", b"FCGI_MPXS_CONNS",
          b"CONTENT_LENGTH", b"QUERY_STRING", b"params", b"finish"]
for target in ("fuzz_request", "fuzz_prescan"):
    with open(os.path.join("tests/fuzz", target + ".dict"), "w") as f:
        for w in words:
            f.write('"%s"\n' % "".join("\\x%02x" % c for c in w))
