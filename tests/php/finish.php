<?php
// fastcgi_finish_request(): the client has its answer at once; a second
// later the script writes the marker file run/finish-NAME.
$name = preg_replace('/[^a-z0-9]/', '', $_GET['m'] ?? 'x');
$marker = dirname(__DIR__) . "/run/finish-$name";
header('Content-Type: text/plain');
echo "answered\n";
fastcgi_finish_request();
sleep(1);
echo "after the finish: nobody reads this\n";
file_put_contents($marker, "written after the finish\n");
