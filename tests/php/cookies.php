<?php
// Cookies: the ones the client sent, sorted, and two new ones.
header('Content-Type: text/plain');
setcookie('visited', 'yes');
setcookie('prefs', 'a b&c', ['path' => '/', 'httponly' => true, 'samesite' => 'Lax']);
$c = $_COOKIE;
ksort($c);
foreach ($c as $k => $v) {
	echo "$k=$v\n";
}
echo count($c), " cookies\n";
