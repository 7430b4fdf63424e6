<?php
// The scripts in this engine's opcache with their hits, as JSON sorted
// by path; "disabled" without opcache.  ?misses: the cache's count of
// misses (compilations), as a number.
header('Content-Type: application/json');
$s = function_exists('opcache_get_status') ? opcache_get_status(true) : false;
if (!is_array($s)) {
	echo "\"disabled\"\n";
	exit;
}
if (isset($_GET['misses'])) {
	echo $s['opcache_statistics']['misses'], "\n";
	exit;
}
$out = [];
foreach ($s['scripts'] ?? [] as $path => $info) {
	$out[$path] = $info['hits'];
}
ksort($out);
echo json_encode($out, JSON_UNESCAPED_SLASHES), "\n";
