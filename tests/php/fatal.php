<?php
// A fatal error after some output: a 500 (display_errors is off) and a
// "PHP Fatal error" line in the log.
echo "before\n";
no_such_function();
echo "never\n";
