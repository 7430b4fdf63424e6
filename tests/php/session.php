<?php
// A session in files under the test dir: a counter that goes up by one
// per request with the session cookie.  Prints the counter, never the id.
session_save_path(dirname(__DIR__) . '/run/sessions');
session_start();
$_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1;
header('Content-Type: text/plain');
echo 'count=', $_SESSION['n'], "\n";
echo 'status=', session_status() === PHP_SESSION_ACTIVE ? 'active' : 'none', "\n";
echo 'id_length=', strlen(session_id()), "\n";
