<?php
// Redirects: a Location header alone (302), or a 301 through
// http_response_code(); ?to= picks the target.
$to = $_GET['to'] ?? '/hello.php';
if (($_GET['code'] ?? '') === '301') {
	http_response_code(301);
}
header('Location: ' . $to);
echo "moved to $to\n";
