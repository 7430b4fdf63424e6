<?php
// A JSON API: reads a JSON document from php://input and answers JSON,
// with the sum of "numbers" and the name upper-cased; 400 on bad input.
header('Content-Type: application/json');
$in = json_decode(file_get_contents('php://input'), true);
if (!is_array($in)) {
	http_response_code(400);
	echo json_encode(['error' => 'expected a JSON object', 'detail' => json_last_error_msg()]), "\n";
	exit;
}
echo json_encode([
	'name' => strtoupper($in['name'] ?? ''),
	'sum' => array_sum($in['numbers'] ?? []),
	'keys' => array_keys($in),
	'method' => $_SERVER['REQUEST_METHOD'],
	'content_type' => $_SERVER['CONTENT_TYPE'] ?? null,
	'length' => (int) ($_SERVER['CONTENT_LENGTH'] ?? 0),
], JSON_UNESCAPED_SLASHES), "\n";
