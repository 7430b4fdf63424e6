<?php
// The PHP demo page of scripts/start: /php/hello.php
header('Content-Type: text/plain');
echo "Hello World from PHP ", PHP_VERSION, " (", php_sapi_name(), ")\n";
