<?php
// A form handler: echoes the method, the query's and the urlencoded
// body's fields, in order, nested arrays too.
header('Content-Type: text/plain; charset=utf-8');
echo 'method: ', $_SERVER['REQUEST_METHOD'], "\n";
echo 'GET: ', json_encode($_GET), "\n";
echo 'POST: ', json_encode($_POST), "\n";
echo 'REQUEST: ', json_encode($_REQUEST), "\n";
