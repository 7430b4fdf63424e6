<?php
// ini_set() against the pool's php_value / php_admin_value: tries to
// raise memory_limit to 512M and prints what it got.
header('Content-Type: text/plain');
$before = ini_get('memory_limit');
$ret = ini_set('memory_limit', '512M');
echo 'before=', $before, "\n";
echo 'ini_set=', var_export($ret, true), "\n";
echo 'memory_limit=', ini_get('memory_limit'), "\n";
echo 'display_errors=', var_export(ini_get('display_errors'), true), "\n";
