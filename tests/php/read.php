<?php
// Reads the file ?f= : how many bytes, or that it could not.
header('Content-Type: text/plain');
$data = @file_get_contents($_GET['f'] ?? '');
echo $data === false ? "cannot read\n" : 'read ' . strlen($data) . " bytes\n";
