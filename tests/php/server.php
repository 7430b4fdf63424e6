<?php
// Selected $_SERVER entries, the SAPI's name, a request header through
// getallheaders() and apache_request_headers(), and a pool env[] variable.
header('Content-Type: text/plain');
$keys = ['SCRIPT_NAME', 'SCRIPT_FILENAME', 'PHP_SELF', 'PATH_INFO',
	'PATH_TRANSLATED', 'REQUEST_METHOD', 'QUERY_STRING', 'REQUEST_URI',
	'DOCUMENT_ROOT', 'HTTPS', 'CONTENT_TYPE', 'CONTENT_LENGTH',
	'GATEWAY_INTERFACE', 'SERVER_PROTOCOL', 'REMOTE_ADDR', 'HTTP_X_CUSTOM',
	'FPM_TEST_ENV'];
foreach ($keys as $k) {
	echo $k, array_key_exists($k, $_SERVER) ? '=' . var_export($_SERVER[$k], true) : ' unset', "\n";
}
echo 'REQUEST_TIME_FLOAT is_float=', var_export(is_float($_SERVER['REQUEST_TIME_FLOAT'] ?? null), true), "\n";
echo 'REQUEST_TIME is_int=', var_export(is_int($_SERVER['REQUEST_TIME'] ?? null), true), "\n";
echo 'php_sapi_name=', php_sapi_name(), "\n";
echo 'PHP_SAPI=', PHP_SAPI, "\n";
foreach (['getallheaders', 'apache_request_headers'] as $f) {
	if (!function_exists($f)) {
		echo "$f missing\n";
		continue;
	}
	$h = $f();
	echo "$f X-Custom=", var_export($h['X-Custom'] ?? null, true), "\n";
}
echo 'getenv FPM_TEST_ENV=', var_export(getenv('FPM_TEST_ENV'), true), "\n";
echo 'getenv REQUEST_METHOD=', var_export(getenv('REQUEST_METHOD'), true), "\n";
echo 'getenv PATH=', var_export(getenv('PATH'), true), "\n";
$_GET && print('GET=' . json_encode($_GET) . "\n");
