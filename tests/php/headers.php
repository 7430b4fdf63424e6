<?php
// Response headers: set, replaced, appended, removed (X-Powered-By too),
// several Set-Cookie, a custom status.
header('Content-Type: application/xml; charset=utf-8');
header('X-One: 1');
header('X-Two: 2');
header('X-Two: two');               // replaces
header('X-Many: a');
header('X-Many: b', false);         // appends
header('X-Gone: soon');
header_remove('X-Gone');
header_remove('X-Powered-By');
header('Cache-Control: max-age=60, public');
setcookie('first', '1');
setcookie('second', '2', ['path' => '/sub', 'secure' => true, 'httponly' => true, 'samesite' => 'Strict']);
setcookie('third', '3', 2000000000, '/', 'example.com');
http_response_code(202);
echo "<headers>", count(headers_list()), "</headers>\n";
