<?php
// The worker's pid, after ?ms= milliseconds of sleep (so that concurrent
// requests spread over the workers).
usleep(1000 * (int) ($_GET['ms'] ?? 0));
header('Content-Type: text/plain');
echo getmypid(), "\n";
