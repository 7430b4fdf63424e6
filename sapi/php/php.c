/*
 * php.c - the PHP sapi: PHP scripts run by the engine of Debian's
 * libphp8.2-embed, through a SAPI module of our own.
 *
 * This file is a loadable module (php.so), loaded by each PHP pool's
 * zygote (fpm/zygote.c), never by the master.  In the zygote, preload()
 * starts the engine once (php.ini, extensions, opcache) under the pool's
 * identity and applies the pool's php_value[] and kin; the workers are
 * forked from it and run each request through a full request start-up and
 * shutdown, so nothing of one request leaks into the next.
 *
 * The SAPI is named "fpm-fcgi", as php-fpm's, so that opcache enables
 * itself and applications that look at php_sapi_name() behave as under
 * php-fpm.  What reaches the web server goes through the runtime's request
 * API (fpm_app.h), so the runtime's guarantees hold for PHP too: the body
 * is read before the first byte of output leaves, and a request body is
 * streamed (uploads go to temporary files as PHP writes them).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <php.h>
#include <php_main.h>
#include <fopen_wrappers.h>
#include <php_variables.h>
#include <SAPI.h>
#include <ext/json/php_json.h>
#include <ext/standard/head.h>
#include <zend_exceptions.h>
#include <zend_ini.h>
#include <zend_smart_str.h>
#ifdef ZEND_SIGNALS
#include <zend_signal.h>
#endif

#include "conf.h"
#include "runtime.h"
#include "sapi_host.h"

static const struct worker_conf *wconf;
static fpm_request *cur;		/* the request being served */

/* The params the sapi reads itself, picked once per request. */
enum {
	P_SCRIPT_FILENAME, P_SCRIPT_NAME, P_PATH_INFO, P_PATH_TRANSLATED,
	P_CONTENT_LENGTH, P_CONTENT_TYPE, P_REQUEST_METHOD, P_QUERY_STRING,
	P_AUTHORIZATION, P_COOKIE, NPARAMS
};
static const struct fpm_pick param_names[NPARAMS] = {
	FPM_PICK("SCRIPT_FILENAME"), FPM_PICK("SCRIPT_NAME"),
	FPM_PICK("PATH_INFO"), FPM_PICK("PATH_TRANSLATED"),
	FPM_PICK("CONTENT_LENGTH"), FPM_PICK("CONTENT_TYPE"),
	FPM_PICK("REQUEST_METHOD"), FPM_PICK("QUERY_STRING"),
	FPM_PICK("HTTP_AUTHORIZATION"), FPM_PICK("HTTP_COOKIE"),
};
static const char *param[NPARAMS];

/* What cgi.fix_pathinfo found, replacing the web server's values. */
static struct {
	char script_filename[PATH_MAX];
	const char *path_info;		/* or NULL: as the web server said */
	char script_name[PATH_MAX];	/* "" : as the web server said */
	int found;			/* the script exists */
} req_paths;

/* ---- status line and headers ------------------------------------------ */

static const char *
reason(int code)
{
	static const struct { int code; const char *text; } t[] = {
		{ 100, "Continue" }, { 101, "Switching Protocols" },
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 203, "Non-Authoritative Information" }, { 204, "No Content" },
		{ 205, "Reset Content" }, { 206, "Partial Content" },
		{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
		{ 305, "Use Proxy" }, { 307, "Temporary Redirect" },
		{ 308, "Permanent Redirect" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 402, "Payment Required" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
		{ 407, "Proxy Authentication Required" },
		{ 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
		{ 411, "Length Required" }, { 412, "Precondition Failed" },
		{ 413, "Request Entity Too Large" },
		{ 414, "Request-URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 416, "Requested Range Not Satisfiable" },
		{ 417, "Expectation Failed" }, { 418, "I'm a teapot" },
		{ 421, "Misdirected Request" }, { 422, "Unprocessable Entity" },
		{ 423, "Locked" }, { 424, "Failed Dependency" },
		{ 426, "Upgrade Required" }, { 428, "Precondition Required" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 451, "Unavailable For Legal Reasons" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
		{ 504, "Gateway Timeout" },
		{ 505, "HTTP Version Not Supported" },
		{ 506, "Variant Also Negotiates" },
		{ 507, "Insufficient Storage" }, { 508, "Loop Detected" },
		{ 510, "Not Extended" },
		{ 511, "Network Authentication Required" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].code == code)
			return t[i].text;
	return NULL;
}

static int
is_status_header(const sapi_header_struct *h)
{
	return h->header_len > 7 && strncasecmp(h->header, "Status:", 7) == 0;
}

/* The head as php-fpm sends it: a Status line only when the code is not
 * 200 (from header("HTTP/1.1 ..."), a "Status:" header of the script's,
 * or the code and its reason), then the headers, in order.  A 304 carries
 * no Content-Type. */
static int
send_headers(sapi_headers_struct *sh)
{
	int code = sh->http_response_code ? sh->http_response_code : 200;
	zend_llist_position pos;
	sapi_header_struct *h;
	smart_str head = { 0 };
	int have_status = 0;
	const char *sp;

	if (cur == NULL || fpm_sapi_finished(cur))
		return SAPI_HEADER_SENT_SUCCESSFULLY;
	if (code != 200) {
		if (sh->http_status_line != NULL &&
		    strncasecmp(sh->http_status_line, "HTTP/", 5) == 0 &&
		    (sp = strchr(sh->http_status_line, ' ')) != NULL) {
			smart_str_appends(&head, "Status:");
			smart_str_appends(&head, sp);
			smart_str_appends(&head, "\r\n");
			have_status = 1;
			code = atoi(sp + 1);
		}
		for (h = zend_llist_get_first_ex(&sh->headers, &pos);
		    h != NULL && !have_status;
		    h = zend_llist_get_next_ex(&sh->headers, &pos))
			have_status = is_status_header(h);
		if (!have_status) {
			const char *r = reason(code);

			smart_str_append_printf(&head, "Status: %d%s%s\r\n", code,
			    r ? " " : "", r ? r : "");
			have_status = 1;
		}
	}
	for (h = zend_llist_get_first_ex(&sh->headers, &pos); h != NULL;
	    h = zend_llist_get_next_ex(&sh->headers, &pos)) {
		if (h->header_len == 0)
			continue;
		if (is_status_header(h)) {
			if (have_status == 2 || (code != 200 && have_status &&
			    sh->http_status_line != NULL))
				continue;	/* one Status line only */
			have_status = 2;
			code = atoi(h->header + 7);
		} else if (code == 304 && h->header_len > 13 &&
		    strncasecmp(h->header, "Content-Type:", 13) == 0) {
			continue;
		}
		smart_str_appendl(&head, h->header, h->header_len);
		smart_str_appends(&head, "\r\n");
	}
	smart_str_0(&head);
	fpm_sapi_head(cur, code ? code : 200, head.s ? ZSTR_VAL(head.s) : "",
	    head.s ? ZSTR_LEN(head.s) : 0);
	smart_str_free(&head);
	return SAPI_HEADER_SENT_SUCCESSFULLY;
}

/* ---- the SAPI callbacks ------------------------------------------------ */

static size_t
ub_write(const char *str, size_t len)
{
	if (cur == NULL || fpm_sapi_finished(cur))
		return len;	/* after fastcgi_finish_request: discarded */
	if (fpm_write(cur, str, len) < 0) {
		php_handle_aborted_connection();
		return 0;
	}
	return len;
}

static void
sapi_flush_cb(void *server_context)
{
	(void)server_context;
	/* flush() before any output must not send a head of our own */
	if (cur != NULL && SG(headers_sent) && !fpm_sapi_finished(cur) &&
	    fpm_flush(cur) != 0)
		php_handle_aborted_connection();
}

static size_t
read_post(char *buf, size_t len)
{
	ssize_t n;

	if (cur == NULL)
		return 0;
	n = fpm_read(cur, buf, len);
	return n > 0 ? (size_t)n : 0;
}

static char *
read_cookies(void)
{
	return cur ? (char *)param[P_COOKIE] : NULL;
}

/* getenv() in a script: the request's parameters first, as in php-fpm;
 * the engine falls back on the worker's environment (env[]). */
static char *
request_getenv(const char *name, size_t len)
{
	char key[256];

	if (cur == NULL || len >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	return (char *)fpm_param(cur, key);
}

static void
register_one(const char *var, const char *val, zval *arr)
{
	char *v = estrdup(val);
	size_t nlen;

	if (sapi_module.input_filter(PARSE_SERVER, var, &v, strlen(v), &nlen))
		php_register_variable_safe(var, v, nlen, arr);
	efree(v);
}

/* $_SERVER: the worker's environment, then every FastCGI parameter (with
 * what fix_pathinfo found), then PHP_SELF = SCRIPT_NAME + PATH_INFO. */
static void
register_variables(zval *arr)
{
	char *const *p;
	const char *sn, *pi;
	char name[256];
	smart_str self = { 0 };

	php_import_environment_variables(arr);
	if (cur == NULL)
		return;
	for (p = fpm_params(cur); p != NULL && *p != NULL; p++) {
		const char *eq = strchr(*p, '=');
		size_t n = eq ? (size_t)(eq - *p) : 0;

		if (n == 0 || n >= sizeof(name))
			continue;
		memcpy(name, *p, n);
		name[n] = '\0';
		register_one(name, eq + 1, arr);
	}
	if (req_paths.found && req_paths.script_filename[0] != '\0')
		register_one("SCRIPT_FILENAME", req_paths.script_filename, arr);
	if (req_paths.path_info != NULL)
		register_one("PATH_INFO", req_paths.path_info, arr);
	if (req_paths.script_name[0] != '\0')
		register_one("SCRIPT_NAME", req_paths.script_name, arr);
	sn = req_paths.script_name[0] ? req_paths.script_name :
	    param[P_SCRIPT_NAME];
	pi = req_paths.path_info ? req_paths.path_info : param[P_PATH_INFO];
	smart_str_appends(&self, sn ? sn : "");
	smart_str_appends(&self, pi ? pi : "");
	smart_str_0(&self);
	register_one("PHP_SELF", self.s ? ZSTR_VAL(self.s) : "", arr);
	smart_str_free(&self);
}

static void
log_message(const char *msg, int syslog_type)
{
	(void)syslog_type;
	fpm_sapi_log_message(cur, msg);
}

static int
startup(sapi_module_struct *sm)
{
	return php_module_startup(sm, NULL) == SUCCESS ? SUCCESS : FAILURE;
}

/* ---- functions for scripts ---------------------------------------------- */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_fastcgi_finish_request, 0,
    0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_apache_request_headers, 0,
    0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_MASK_EX(arginfo_fpm_get_status, 0, 0,
    MAY_BE_ARRAY | MAY_BE_FALSE)
ZEND_END_ARG_INFO()

/* Send the response now and go on working (fpm_finish_request). */
static ZEND_FUNCTION(fastcgi_finish_request)
{
	ZEND_PARSE_PARAMETERS_NONE();
	if (cur == NULL || fpm_sapi_finished(cur))
		RETURN_FALSE;
	php_output_end_all();
	php_header();
	fpm_finish_request(cur);
	RETURN_TRUE;
}

/* HTTP_X_FOO_BAR -> X-Foo-Bar; CONTENT_TYPE and CONTENT_LENGTH too. */
static ZEND_FUNCTION(apache_request_headers)
{
	char name[256];

	ZEND_PARSE_PARAMETERS_NONE();
	array_init(return_value);
	for (char *const *p = cur ? fpm_params(cur) : NULL; p && *p; p++) {
		const char *eq = strchr(*p, '='), *from = *p;
		size_t n = 0;
		int up = 1;

		if (eq == NULL)
			continue;
		if (strncmp(from, "HTTP_", 5) == 0)
			from += 5;
		else if (strncmp(from, "CONTENT_TYPE=", 13) != 0 &&
		    strncmp(from, "CONTENT_LENGTH=", 15) != 0)
			continue;
		for (; from < eq && n < sizeof(name) - 1; from++) {
			char c = *from;

			if (c == '_') {
				name[n++] = '-';
				up = 1;
				continue;
			}
			name[n++] = up ? toupper((unsigned char)c) :
			    tolower((unsigned char)c);
			up = 0;
		}
		add_assoc_stringl_ex(return_value, name, n, (char *)eq + 1,
		    strlen(eq + 1));
	}
}

/* php-fpm's array keys from our JSON status keys: "start time" ->
 * "start-time", "processes" -> "procs", "content length" ->
 * "request-length". */
static void
rekey(zval *arr, int procs)
{
	HashTable *ht = Z_ARRVAL_P(arr), *out;
	zend_string *key;
	zval *v;

	out = zend_new_array(zend_hash_num_elements(ht));
	ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, v) {
		char k[64];

		if (key == NULL)
			continue;
		snprintf(k, sizeof(k), "%s", ZSTR_VAL(key));
		for (char *c = k; *c; c++)
			if (*c == ' ')
				*c = '-';
		if (strcmp(k, "processes") == 0)
			strcpy(k, "procs");
		else if (strcmp(k, "content-length") == 0)
			strcpy(k, "request-length");
		if (!procs && strcmp(k, "procs") == 0 && Z_TYPE_P(v) == IS_ARRAY) {
			zval *proc;

			ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(v), proc) {
				if (Z_TYPE_P(proc) == IS_ARRAY)
					rekey(proc, 1);
			} ZEND_HASH_FOREACH_END();
		}
		Z_TRY_ADDREF_P(v);
		zend_hash_str_update(out, k, strlen(k), v);
	} ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(arr);
	ZVAL_ARR(arr, out);
}

static ZEND_FUNCTION(fpm_get_status)
{
	size_t len = 0;
	char *json;

	ZEND_PARSE_PARAMETERS_NONE();
	json = fpm_sapi_status_json(&len);
	if (json == NULL)
		RETURN_FALSE;
	if (php_json_decode_ex(return_value, json, len,
	    PHP_JSON_OBJECT_AS_ARRAY, 64) != SUCCESS ||
	    Z_TYPE_P(return_value) != IS_ARRAY) {
		free(json);
		zval_ptr_dtor(return_value);
		RETURN_FALSE;
	}
	free(json);
	rekey(return_value, 0);
}

static const zend_function_entry functions[] = {
	ZEND_FE(fastcgi_finish_request, arginfo_fastcgi_finish_request)
	ZEND_FE(fpm_get_status, arginfo_fpm_get_status)
	ZEND_FE(apache_request_headers, arginfo_apache_request_headers)
	ZEND_FALIAS(getallheaders, apache_request_headers,
	    arginfo_apache_request_headers)
	ZEND_FE_END
};

static sapi_module_struct module = {
	.name = "fpm-fcgi",
	.pretty_name = "FPM/FastCGI (fpm)",
	.startup = startup,
	.shutdown = php_module_shutdown_wrapper,
	.ub_write = ub_write,
	.flush = sapi_flush_cb,
	.getenv = request_getenv,
	.sapi_error = php_error,
	.send_headers = send_headers,
	.read_post = read_post,
	.read_cookies = read_cookies,
	.register_server_variables = register_variables,
	.log_message = log_message,
	.default_post_reader = NULL,
	.php_ini_ignore_cwd = 1,
	.additional_functions = functions,
};

/* ---- the zygote: one engine for the pool ------------------------------- */

/* php_value[] and its kin, as php-fpm applies them: the value becomes
 * the setting's own (what ini_restore goes back to); an admin one may
 * then be changed only in php.ini, not by ini_set. */
static void
apply_pool_ini(const struct worker_conf *wc)
{
	for (size_t i = 0; i < wc->nphp_ini; i++) {
		const struct php_ini *e = &wc->php_ini[i];
		zend_ini_entry *ini;
		zend_string *v;

		ini = zend_hash_str_find_ptr(EG(ini_directives), e->name,
		    strlen(e->name));
		if (ini == NULL) {
			fpm_sapi_log(2, "%s:%d: %s[%s]: PHP has no such setting "
			    "(is its extension loaded?), ignored", e->where.file,
			    e->where.line, e->admin ? "php_admin_value" :
			    "php_value", e->name);
			continue;
		}
		v = zend_string_init(e->value, strlen(e->value), 1);
		if (ini->on_modify != NULL && ini->on_modify(ini, v,
		    ini->mh_arg1, ini->mh_arg2, ini->mh_arg3,
		    ZEND_INI_STAGE_ACTIVATE) != SUCCESS) {
			fpm_sapi_log(2, "%s:%d: %s = '%s' was refused by PHP, "
			    "ignored", e->where.file, e->where.line, e->name,
			    e->value);
			zend_string_release(v);
			continue;
		}
		ini->value = v;
		if (e->admin)
			ini->modifiable = ZEND_INI_SYSTEM;
	}
}

static int
php_preload(const struct worker_conf *wc, char *err, size_t errlen)
{
	wconf = wc;
#ifdef ZEND_SIGNALS
	zend_signal_startup();
#endif
	sapi_startup(&module);
	module.php_ini_path_override = (char *)wc->php->ini_path;
	module.php_ini_ignore = wc->php->no_ini;
	/* sapi_startup() cleared it; -d lines, as php-fpm's */
	module.ini_entries = wc->php->defines;
	if (module.startup(&module) == FAILURE) {
		snprintf(err, errlen, "php_module_startup() failed (see the "
		    "lines above: php.ini or an extension)");
		return -1;
	}
	apply_pool_ini(wc);
	return 0;
}

/* ---- the worker -------------------------------------------------------- */

static int
php_init(const struct worker_conf *wc, char *err, size_t errlen)
{
	struct sb_stack_layout l = {
		.head = (uint64_t)(uintptr_t)&EG(current_execute_data),
		.frame_prev = offsetof(zend_execute_data, prev_execute_data),
		.frame_func = offsetof(zend_execute_data, func),
		.frame_op = offsetof(zend_execute_data, opline),
		.func_type = offsetof(zend_function, type),
		.func_name = offsetof(zend_function, common.function_name),
		.func_scope = offsetof(zend_function, common.scope),
		.func_file = offsetof(zend_function, op_array.filename),
		.scope_name = offsetof(zend_class_entry, name),
		.op_line = offsetof(zend_op, lineno),
		.str_len = offsetof(zend_string, len),
		.str_val = offsetof(zend_string, val),
		.script_type = ZEND_USER_FUNCTION,
	};

	(void)err, (void)errlen;
	wconf = wc;
	fpm_sapi_stack(&l);
#ifdef ZEND_SIGNALS
	/* The engine would take over SIGHUP, SIGINT, SIGQUIT, SIGTERM,
	 * SIGUSR1 and SIGUSR2 anew at every request (12 system calls) only
	 * to defer them; the runtime's own dispositions are safe at any
	 * point (SIGQUIT sets a flag, the others end the worker), so it
	 * keeps them, as PHP's CLI does.  max_execution_time's SIGPROF is
	 * still the engine's. */
	SIGG(reset) = 0;
#endif
	return 0;
}

/* cgi.fix_pathinfo, as php-fpm does it: a SCRIPT_FILENAME that is no file
 * ("/srv/www/index.php/extra/path") is cut back at each '/' until a file
 * is found; the rest becomes PATH_INFO (unless the web server sent one)
 * and leaves SCRIPT_NAME.  Returns the script's path or NULL. */
__attribute__((noinline)) static const char *
find_script(fpm_request *req)
{
	const char *sf = param[P_SCRIPT_FILENAME];
	const char *sn = param[P_SCRIPT_NAME];
	const char *pi = param[P_PATH_INFO];
	struct stat st;
	char *cut;
	size_t rest;

	(void)req;
	req_paths.script_filename[0] = '\0';
	req_paths.script_name[0] = '\0';
	req_paths.path_info = NULL;
	req_paths.found = 0;
	if (sf == NULL)
		sf = param[P_PATH_TRANSLATED];
	if (sf == NULL || sf[0] == '\0' ||
	    strlen(sf) >= sizeof(req_paths.script_filename))
		return NULL;
	if (stat(sf, &st) == 0 && S_ISREG(st.st_mode)) {
		req_paths.found = 1;
		return sf;
	}
	strcpy(req_paths.script_filename, sf);
	while ((cut = strrchr(req_paths.script_filename, '/')) != NULL &&
	    cut != req_paths.script_filename) {
		*cut = '\0';
		if (stat(req_paths.script_filename, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		rest = strlen(sf) - (size_t)(cut - req_paths.script_filename);
		if (pi == NULL || pi[0] == '\0')
			req_paths.path_info = sf + (cut - req_paths.script_filename);
		if (sn != NULL && strlen(sn) > rest &&
		    strcmp(sn + strlen(sn) - rest, sf + strlen(sf) - rest) == 0 &&
		    strlen(sn) - rest < sizeof(req_paths.script_name))
			snprintf(req_paths.script_name,
			    sizeof(req_paths.script_name), "%.*s",
			    (int)(strlen(sn) - rest), sn);
		req_paths.found = 1;
		return req_paths.script_filename;
	}
	req_paths.script_filename[0] = '\0';
	return NULL;
}

/* security.limit_extensions: ".php .phar" (or "php phar"); empty allows
 * anything. */
static int
extension_allowed(const char *limit, const char *path)
{
	size_t plen = strlen(path);

	if (limit == NULL)
		return 1;
	limit += strspn(limit, " \t");
	if (*limit == '\0')
		return 1;
	while (*limit != '\0') {
		size_t n = strcspn(limit, " \t");
		const char *ext = limit;
		size_t elen = n;

		if (ext[0] == '.')
			ext++, elen--;
		if (elen > 0 && plen > elen && path[plen - elen - 1] == '.' &&
		    strncmp(path + plen - elen, ext, elen) == 0)
			return 1;
		limit += n;
		limit += strspn(limit, " \t");
	}
	return 0;
}

static void
fill_request_info(fpm_request *req, const char *script)
{
	const char *cl = param[P_CONTENT_LENGTH];
	const char *sn = req_paths.script_name[0] ? req_paths.script_name :
	    param[P_SCRIPT_NAME];

	SG(server_context) = req;
	SG(request_info).request_method = param[P_REQUEST_METHOD];
	SG(request_info).query_string = (char *)param[P_QUERY_STRING];
	SG(request_info).request_uri = (char *)sn;
	SG(request_info).content_type = param[P_CONTENT_TYPE];
	SG(request_info).content_length = cl ? ZEND_STRTOL(cl, NULL, 10) : 0;
	/* emalloc'd: php_fopen_primary_script frees it when it fails */
	SG(request_info).path_translated = script ? estrdup(script) : NULL;
	SG(request_info).proto_num = 1000;
	SG(sapi_headers).http_response_code = 200;
	php_handle_auth_data(param[P_AUTHORIZATION]);
}

/* The response: 403, 404, or the script's.  Apart from php_handle, so
 * that no local of its lives across the engine's longjmp. */
__attribute__((noinline)) static void
run(fpm_request *req, const char *script)
{
	zend_file_handle fh;

	if (script != NULL && !extension_allowed(wconf->limit_extensions,
	    script)) {
		char msg[PATH_MAX + 80];

		snprintf(msg, sizeof(msg), "Access to the script '%s' has been "
		    "denied (see security.limit_extensions)", script);
		fpm_sapi_stderr(req, msg);
		fpm_sapi_log(2, "%s", msg);
		SG(sapi_headers).http_response_code = 403;
		PUTS("Access denied.\n");
	} else if (script == NULL) {
		fpm_sapi_log(1, "primary script unknown: '%s'",
		    param[P_SCRIPT_FILENAME] ? param[P_SCRIPT_FILENAME] : "");
		SG(sapi_headers).http_response_code = 404;
		PUTS("File not found.\n");
	} else if (php_fopen_primary_script(&fh) == FAILURE) {
		/* opened here only when opcache does not have it */
		int e = errno;

		fpm_sapi_log(3, "unable to open primary script: %s (%s)",
		    script, strerror(e));
		SG(sapi_headers).http_response_code = e == EACCES ? 403 :
		    404;
		PUTS(e == EACCES ? "Access denied.\n" :
		    "No input file specified.\n");
	} else {
		php_execute_script(&fh);
		zend_destroy_file_handle(&fh);
	}
}

static int
php_handle(fpm_request *req)
{
	const char *script;

	cur = req;
	fpm_params_pick(req, param_names, NPARAMS, param);
	script = find_script(req);
	fill_request_info(req, script);
	if (php_request_startup() == FAILURE) {
		fpm_sapi_log(3, "php_request_startup() failed");
		php_request_shutdown(NULL);
		cur = NULL;
		return -1;
	}
	zend_try {
		run(req, script);
	} zend_end_try();
	if (SG(request_info).path_translated != NULL) {
		efree(SG(request_info).path_translated);
		SG(request_info).path_translated = NULL;
	}
	php_request_shutdown(NULL);
	SG(server_context) = NULL;
	cur = NULL;
	return 0;
}

static void
php_shutdown(void)
{
	php_module_shutdown();
	sapi_shutdown();
}

/* Found by the zygote with dlsym(). */
const struct sapi_ops fpm_sapi_php = {
	.name = "php",
	.preload = php_preload,
	.init = php_init,
	.handle = php_handle,
	.shutdown = php_shutdown,
};
