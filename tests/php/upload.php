<?php
// multipart/form-data: for each file its name, size, error and the
// sha256 of the uploaded temporary file, then whether
// move_uploaded_file() moves it (to the run dir beside the app) intact.
header('Content-Type: text/plain');
$run = dirname(__DIR__) . '/run';
echo 'fields: ', json_encode($_POST), "\n";
foreach ($_FILES as $field => $f) {
	echo "$field: name=", $f['name'], ' size=', $f['size'],
		' error=', $f['error'], ' type=', $f['type'], "\n";
	if ($f['error'] !== UPLOAD_ERR_OK) {
		continue;
	}
	$sum = hash_file('sha256', $f['tmp_name']);
	echo "$field: sha256=$sum\n";
	$to = $run . '/moved-' . getmypid() . '-' . $field;
	$moved = move_uploaded_file($f['tmp_name'], $to);
	echo "$field: moved=", var_export($moved, true),
		' intact=', var_export($moved && hash_file('sha256', $to) === $sum, true),
		' tmp_gone=', var_export(!file_exists($f['tmp_name']), true), "\n";
	if ($moved) {
		unlink($to);
	}
}
echo 'peak_mb=', intdiv(memory_get_peak_usage(true), 1 << 20) < 16 ? 'small' : 'LARGE', "\n";
