<?php
// Sleeps ?s= seconds (3 by default) two functions deep, for the slow
// log: sleep() on line 7, inner() called on line 12, outer() on line 15.
function inner($s)
{
	// the slow log's innermost frame is here
	sleep($s);
}

function outer($s)
{
	inner($s);
}

outer((int) ($_GET['s'] ?? 3));
header('Content-Type: text/plain');
echo "slept\n";
