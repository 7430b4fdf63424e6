<?php
// exit() in the middle: the body is what was printed before it.
header('Content-Type: text/plain');
echo "first part\n";
function stop()
{
	echo "second part\n";
	exit();
}
stop();
echo "never printed\n";
